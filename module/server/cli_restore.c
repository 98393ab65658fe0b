/*
 * cli_restore.c -- `proofline restore DIR`: a backup of `proofline backup`
 * (backup_impl.h) back into an empty database and an empty files_dir.
 *
 * Nothing is changed until the whole backup has been checked: the
 * manifest's own checksum, then every table file and every stored file
 * against the manifest.  A missing or changed part is refused, named.
 * Then: the database must have no rows in any table and files_dir no
 * file; migrations are applied up to the backup's schema (and must be the
 * very files it recorded); the files are copied; every table is loaded
 * in one transaction (foreign key checks off, the metric triggers quiet:
 * db/dump.h), each checked against its row count, so a failure leaves
 * the database as empty as it was (and the copied files are removed);
 * last, this program's newer migrations bring the schema up to date.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <sodium.h>

#include "base/arena.h"
#include "base/fileio.h"
#include "db/db.h"
#include "db/dump.h"
#include "db/migrate.h"
#include "server/backup_impl.h"
#include "server/cli.h"

#define MANIFEST_MAX (256u << 20)

static const char SQL_APPLIED[] =
    "SELECT version, checksum FROM schema_migrations ORDER BY version";
static const char MIGRATIONS_TABLE[] = "schema_migrations";

struct restore {
    const struct conf *conf;
    const char *dir;
    cJSON *m;
    cJSON *tables, *files, *migrations;
    struct db *db;
    struct arena *a;
    int copied; /* files put in files_dir so far */
};

static int
refuse(const char *part, const char *why)
{
    fprintf(stderr, "proofline restore: refused: %s: %s\n", part, why);
    return -1;
}

static const char *
jstr(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
}

static double
jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);

    return cJSON_IsNumber(v) ? cJSON_GetNumberValue(v) : -1;
}

static int
read_manifest(struct restore *r)
{
    char path[BK_PATH_MAX], hex[65];
    char *text = NULL;
    size_t len;
    const char *sum;

    snprintf(path, sizeof(path), "%s/%s", r->dir, BK_MANIFEST);
    if (file_read(path, MANIFEST_MAX, NULL, &text, &len) != APP_OK)
        return refuse(BK_MANIFEST, "missing or unreadable: the backup is "
                                   "partial (it did not finish) or DIR is "
                                   "not a backup");
    r->m = cJSON_ParseWithLength(text, len);
    free(text);
    if (r->m == NULL)
        return refuse(BK_MANIFEST, "not valid JSON (damaged)");
    sum = jstr(r->m, "checksum");
    if (sum == NULL || bk_manifest_sum(r->m, hex) != 0 || strcmp(sum, hex) != 0)
        return refuse(BK_MANIFEST, "checksum mismatch (damaged or edited)");
    if (jnum(r->m, "format") != BK_FORMAT)
        return refuse(BK_MANIFEST, "a backup format this program does not "
                                   "read");
    r->tables = cJSON_GetObjectItem(r->m, "tables");
    r->files = cJSON_GetObjectItem(r->m, "files");
    r->migrations = cJSON_GetObjectItem(r->m, "migrations");
    if (!cJSON_IsArray(r->tables) || !cJSON_IsArray(r->files) ||
        !cJSON_IsArray(r->migrations) || cJSON_GetArraySize(r->migrations) < 1)
        return refuse(BK_MANIFEST, "tables, files or migrations missing");
    return 0;
}

/* A file of the backup against its manifest entry. */
static int
check_part(const char *path, const char *part, const cJSON *want_sha,
           double want_size)
{
    char hex[65];
    uint64_t size;

    if (bk_sha_file(path, hex, &size) != 0)
        return refuse(part, errno == ENOENT ? "missing from the backup"
                                            : strerror(errno));
    if (!cJSON_IsString(want_sha) || strcmp(hex, want_sha->valuestring) != 0 ||
        (double)size != want_size)
        return refuse(part, "checksum mismatch: the file was changed or "
                            "damaged after the backup");
    return 0;
}

/* A stored file's path in the manifest: ab/cd/<sha256 of 64 hex>. */
static bool
file_path_ok(const char *p)
{
    char a[3], b[3];

    if (p == NULL || strlen(p) != 70 || p[2] != '/' || p[5] != '/')
        return false;
    memcpy(a, p, 2);
    a[2] = '\0';
    memcpy(b, p + 3, 2);
    b[2] = '\0';
    return bk_is_hex2(a) && bk_is_hex2(b) && bk_is_sha(p + 6) &&
           memcmp(p, p + 6, 2) == 0 && memcmp(p + 3, p + 8, 2) == 0;
}

static int
verify(struct restore *r)
{
    char path[BK_PATH_MAX], part[BK_PATH_MAX];
    const cJSON *t, *f;

    cJSON_ArrayForEach(t, r->tables)
    {
        const char *name = jstr(t, "name");

        if (name == NULL || !db_name_ok(name) ||
            strcmp(name, MIGRATIONS_TABLE) == 0 ||
            !cJSON_IsArray(cJSON_GetObjectItem(t, "columns")))
            return refuse(BK_MANIFEST, "a table entry is malformed");
        snprintf(part, sizeof(part), "tables/%s", name);
        if (snprintf(path, sizeof(path), "%s/%s", r->dir, part) >=
            (int)sizeof(path))
            return refuse(part, "path too long");
        if (check_part(path, part, cJSON_GetObjectItem(t, "sha256"),
                       jnum(t, "bytes")) != 0)
            return -1;
    }
    cJSON_ArrayForEach(f, r->files)
    {
        const char *rel = jstr(f, "path");

        if (!file_path_ok(rel))
            return refuse(BK_MANIFEST, "a file entry is malformed");
        snprintf(part, sizeof(part), "files/%s", rel);
        if (snprintf(path, sizeof(path), "%s/%s", r->dir, part) >=
            (int)sizeof(path))
            return refuse(part, "path too long");
        if (check_part(path, part, cJSON_GetObjectItem(f, "sha256"),
                       jnum(f, "size")) != 0)
            return -1;
    }
    return 0;
}

/* Any regular file under dir (depth-limited: files_dir is two levels of
 * directories above its files). */
static bool
has_file(const char *dir, int depth, char *found, size_t cap)
{
    char sub[BK_PATH_MAX];
    struct dirent *e;
    struct stat sb;
    bool any = false;
    DIR *d = opendir(dir);

    if (d == NULL)
        return false;
    while (!any && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        if (lstat(sub, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode) && depth < 4)
            any = has_file(sub, depth + 1, found, cap);
        else if (!S_ISDIR(sb.st_mode)) {
            snprintf(found, cap, "%s", sub);
            any = true;
        }
    }
    closedir(d);
    return any;
}

static int
check_empty(struct restore *r)
{
    char found[BK_PATH_MAX], why[BK_PATH_MAX + 64];
    const char **names;
    size_t n, i;

    if (has_file(r->conf->files_dir, 0, found, sizeof(found))) {
        snprintf(why, sizeof(why),
                 "not empty (%s): restore only into an "
                 "empty files_dir",
                 found);
        return refuse("files_dir", why);
    }
    if (dump_tables(r->db, r->a, &names, &n) != APP_OK)
        return refuse("database", "cannot list its tables");
    for (i = 0; i < n; i++) {
        bool any;

        if (strcmp(names[i], MIGRATIONS_TABLE) == 0)
            continue;
        if (dump_has_rows(r->db, names[i], &any) != APP_OK)
            return refuse(names[i], "cannot read the table");
        if (any) {
            snprintf(why, sizeof(why),
                     "table %s has rows: restore only into "
                     "an empty database",
                     names[i]);
            return refuse("database", why);
        }
    }
    return 0;
}

/* The schema at the backup's version, made of the very files it recorded. */
static int
migrate_to_backup(struct restore *r)
{
    int n = cJSON_GetArraySize(r->migrations), i;
    int top = (int)jnum(cJSON_GetArrayItem(r->migrations, n - 1), "version");
    struct db_res res;

    if (top < 1 || top > 999)
        return refuse(BK_MANIFEST, "the schema version is malformed");
    if (migrate_run_to(r->conf, false, true, top) != 0)
        return refuse("database", "migrating to the backup's schema failed");
    if (db_query(r->db, r->a, SQL_APPLIED, DB_NOARGS, 999, &res) != APP_OK)
        return refuse("database", "cannot read schema_migrations");
    if (res.nrows != (size_t)n)
        return refuse("database", "its schema is newer than the backup's; "
                                  "restore into a database without tables");
    for (i = 0; i < n; i++) {
        const cJSON *mg = cJSON_GetArrayItem(r->migrations, i);
        const char *sum = jstr(mg, "checksum");

        if (db_int(&res, (size_t)i, 0, -1) != (int64_t)jnum(mg, "version") ||
            sum == NULL || strcmp(db_text(&res, (size_t)i, 1), sum) != 0) {
            fprintf(stderr, "proofline restore: migration %s\n",
                    jstr(mg, "name") ? jstr(mg, "name") : "?");
            return refuse("database", "the backup's schema files differ "
                                      "from this program's sql_dir");
        }
    }
    return 0;
}

static int
copy_files(struct restore *r)
{
    char src[BK_PATH_MAX], dst[BK_PATH_MAX], hex[65];
    const cJSON *f;
    uint64_t size;

    cJSON_ArrayForEach(f, r->files)
    {
        const char *rel = jstr(f, "path");

        snprintf(src, sizeof(src), "%s/files/%s", r->dir, rel);
        snprintf(dst, sizeof(dst), "%s/%s", r->conf->files_dir, rel);
        if (bk_copy(src, dst, hex, &size) != 0) {
            fprintf(stderr, "proofline restore: %s: %s\n", dst,
                    strerror(errno));
            return -1;
        }
        if (strcmp(hex, jstr(f, "sha256")) != 0)
            return refuse(src, "changed while it was copied");
        r->copied++;
    }
    return 0;
}

static void
remove_files(struct restore *r)
{
    char dst[BK_PATH_MAX];
    const cJSON *f;
    int i = 0;

    cJSON_ArrayForEach(f, r->files)
    {
        if (i++ >= r->copied)
            break;
        snprintf(dst, sizeof(dst), "%s/%s", r->conf->files_dir,
                 jstr(f, "path"));
        unlink(dst);
    }
}

struct fill {
    FILE *fp;
};

APP_MUST_USE static enum app_err
fill(void *arg, char *buf, size_t cap, size_t *n)
{
    struct fill *f = arg;

    *n = fread(buf, 1, cap, f->fp);
    return *n == 0 && ferror(f->fp) ? APP_EIO : APP_OK;
}

/* "`a`,`b`" from the manifest's column names, each checked. */
static const char *
column_list(struct restore *r, const cJSON *t)
{
    const cJSON *c;
    char *out = arena_alloc(r->a, DUMP_COLS_MAX), *p = out;

    if (out == NULL)
        return NULL;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(t, "columns"))
    {
        const char *name = cJSON_GetStringValue(c);

        if (name == NULL || !db_name_ok(name) ||
            (size_t)(p - out) + strlen(name) + 4 > DUMP_COLS_MAX)
            return NULL;
        p += snprintf(p, DUMP_COLS_MAX - (size_t)(p - out), "%s`%s`",
                      p == out ? "" : ",", name);
    }
    return p == out ? NULL : out;
}

static int
load_table(struct restore *r, const cJSON *t)
{
    char path[BK_PATH_MAX];
    const char *name = jstr(t, "name"), *cols = column_list(r, t);
    struct fill f;
    uint64_t rows = 0;
    enum app_err rc;

    if (cols == NULL)
        return refuse(name, "the manifest's columns are malformed");
    snprintf(path, sizeof(path), "%s/tables/%s", r->dir, name);
    f.fp = fopen(path, "rbe");
    if (f.fp == NULL)
        return refuse(path, strerror(errno));
    rc = dump_load(r->db, name, cols, fill, &f, &rows);
    fclose(f.fp);
    if (rc != APP_OK) {
        fprintf(stderr, "proofline restore: loading %s failed: %s\n", name,
                db_error(r->db));
        return -1;
    }
    if ((double)rows != jnum(t, "rows")) {
        fprintf(stderr,
                "proofline restore: %s: %llu rows loaded, %.0f in "
                "the backup\n",
                name, (unsigned long long)rows, jnum(t, "rows"));
        return -1;
    }
    return 0;
}

static int
load_tables(struct restore *r)
{
    const cJSON *t;

    if (dump_load_begin(r->db) != APP_OK) {
        fprintf(stderr, "proofline restore: cannot begin: %s\n",
                db_error(r->db));
        return -1;
    }
    cJSON_ArrayForEach(t, r->tables)
    {
        if (load_table(r, t) != 0) {
            db_rollback(r->db);
            return -1;
        }
    }
    if (db_commit(r->db) != APP_OK) {
        fprintf(stderr, "proofline restore: commit failed: %s\n",
                db_error(r->db));
        return -1;
    }
    return 0;
}

int
cmd_restore(struct conf *c, int argc, char **argv)
{
    const char *pos[1];
    int npos, rc = 1;
    struct restore r = { .conf = c };

    if (cli_parse("restore", argc, argv, 1, NULL, 0, pos, 1, &npos) != 0 ||
        npos != 1) {
        fprintf(stderr, "usage: proofline restore DIR\n");
        return 2;
    }
    r.dir = pos[0];
    if (sodium_init() < 0 || read_manifest(&r) != 0 || verify(&r) != 0)
        goto out;
    r.db = cli_db_open(c, "restore");
    r.a = arena_new(64 * 1024, 256u << 20);
    if (r.db == NULL || r.a == NULL || check_empty(&r) != 0 ||
        migrate_to_backup(&r) != 0)
        goto out;
    if (copy_files(&r) != 0 || load_tables(&r) != 0) {
        remove_files(&r);
        fprintf(stderr, "proofline restore: failed; nothing was restored\n");
        goto out;
    }
    printf("restore: %d tables, %d files, from %s (taken %s)\n",
           cJSON_GetArraySize(r.tables), r.copied, r.dir,
           jstr(r.m, "created_at") ? jstr(r.m, "created_at") : "?");
    if (migrate_run(c, false, false) != 0) {
        fprintf(stderr, "proofline restore: the data is back but newer "
                        "migrations failed; run proofline migrate\n");
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(r.m);
    db_free(r.db);
    arena_free(r.a);
    return rc;
}

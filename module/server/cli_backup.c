/*
 * cli_backup.c -- `proofline backup DIR`: a consistent snapshot of the
 * database and the stored files, with a manifest of checksums
 * (backup_impl.h describes the layout; cli_restore.c brings it back).
 *
 * The tables are read in one REPEATABLE READ transaction started WITH
 * CONSISTENT SNAPSHOT (db/dump.h), so writes go on while the backup runs
 * and every table is seen as of the same moment.  The files are copied
 * after that moment: they are immutable and named by their content, and
 * an upload writes its bytes before its row commits, so every file a row
 * of the snapshot refers to is already there; files uploaded later are
 * copied too, or not, and are harmless either way.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <sodium.h>

#include "base/arena.h"
#include "db/db.h"
#include "db/dump.h"
#include "server/backup_impl.h"
#include "server/cli.h"

static const char SQL_MIGRATIONS[] =
    "SELECT version, name, checksum FROM schema_migrations ORDER BY version";
static const char MIGRATIONS_TABLE[] = "schema_migrations";

bool
bk_is_sha(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return i == 64;
}

bool
bk_is_hex2(const char *s)
{
    return s[0] != '\0' && s[1] != '\0' && s[2] == '\0' &&
           ((s[0] >= '0' && s[0] <= '9') || (s[0] >= 'a' && s[0] <= 'f')) &&
           ((s[1] >= '0' && s[1] <= '9') || (s[1] >= 'a' && s[1] <= 'f'));
}

int
bk_mkdirs_for(const char *path)
{
    char p[BK_PATH_MAX];
    size_t i, n = strlen(path);

    if (n >= sizeof(p)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(p, path, n + 1);
    for (i = 1; i < n; i++) {
        if (p[i] != '/')
            continue;
        p[i] = '\0';
        if (mkdir(p, 0750) != 0 && errno != EEXIST)
            return -1;
        p[i] = '/';
    }
    return 0;
}

static void
hex_of(crypto_hash_sha256_state *st, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256_final(st, h);
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

static int
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read fd to the end, hashing, and writing to out when out >= 0. */
static int
pump(int in, int out, char hex[65], uint64_t *size)
{
    static char buf[1 << 16];
    crypto_hash_sha256_state st;
    ssize_t r;

    crypto_hash_sha256_init(&st);
    *size = 0;
    for (;;) {
        r = read(in, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        crypto_hash_sha256_update(&st, (unsigned char *)buf, (size_t)r);
        *size += (uint64_t)r;
        if (out >= 0 && write_all(out, buf, (size_t)r) != 0)
            return -1;
    }
    hex_of(&st, hex);
    return 0;
}

int
bk_sha_file(const char *path, char hex[65], uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = pump(fd, -1, hex, size);
    close(fd);
    return rc;
}

int
bk_copy(const char *src, const char *dst, char hex[65], uint64_t *size)
{
    char tmp[BK_PATH_MAX];
    int in = -1, out = -1, rc = -1;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s-partial", dst) >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (bk_mkdirs_for(dst) != 0)
        return -1;
    in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (out < 0)
        goto out;
    if (pump(in, out, hex, size) != 0 || fsync(out) != 0)
        goto out;
    if (close(out) != 0) {
        out = -1;
        goto out;
    }
    out = -1;
    if (rename(tmp, dst) != 0)
        goto out;
    rc = 0;
out:
    if (out >= 0)
        close(out);
    if (rc != 0)
        unlink(tmp);
    close(in);
    return rc;
}

int
bk_manifest_sum(cJSON *m, char hex[65])
{
    cJSON *sum = cJSON_DetachItemFromObject(m, "checksum");
    char *text = cJSON_PrintUnformatted(m);
    unsigned char h[crypto_hash_sha256_BYTES];

    if (sum != NULL)
        cJSON_AddItemToObject(m, "checksum", sum);
    if (text == NULL)
        return -1;
    crypto_hash_sha256(h, (unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, 65, h, sizeof(h));
    cJSON_free(text);
    return 0;
}

/* ---- the tables ------------------------------------------------------ */

struct tout {
    int fd;
    crypto_hash_sha256_state st;
    uint64_t bytes;
};

APP_MUST_USE static enum app_err
tout_write(void *arg, const char *p, size_t n)
{
    struct tout *t = arg;

    crypto_hash_sha256_update(&t->st, (const unsigned char *)p, n);
    t->bytes += n;
    return write_all(t->fd, p, n) == 0 ? APP_OK : APP_EIO;
}

/* Split "`a`,`b`" into a JSON array of names. */
static cJSON *
columns_json(const char *cols)
{
    cJSON *arr = cJSON_CreateArray();
    const char *p = cols;

    while (arr != NULL && *p == '`') {
        const char *e = strchr(p + 1, '`');
        char name[DB_NAME_MAX + 1];
        size_t n;

        if (e == NULL || (n = (size_t)(e - p - 1)) > DB_NAME_MAX)
            break;
        memcpy(name, p + 1, n);
        name[n] = '\0';
        cJSON_AddItemToArray(arr, cJSON_CreateString(name));
        p = e[1] == ',' ? e + 2 : e + 1;
    }
    return arr;
}

static int
backup_table(struct db *db, struct arena *a, const char *dir, const char *name,
             cJSON *tables)
{
    char path[BK_PATH_MAX], hex[65];
    const char *cols;
    struct tout t = { .fd = -1 };
    uint64_t rows = 0;
    enum app_err rc;
    cJSON *o;

    rc = dump_columns(db, a, name, &cols);
    if (rc != APP_OK) {
        fprintf(stderr, "proofline backup: %s: cannot list columns: %s\n", name,
                db_error(db));
        return -1;
    }
    snprintf(path, sizeof(path), "%s/tables/%s", dir, name);
    t.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (t.fd < 0) {
        fprintf(stderr, "proofline backup: %s: %s\n", path, strerror(errno));
        return -1;
    }
    crypto_hash_sha256_init(&t.st);
    rc = dump_table(db, name, cols, tout_write, &t, &rows);
    if (rc == APP_OK && fsync(t.fd) != 0)
        rc = APP_EIO;
    if (close(t.fd) != 0 && rc == APP_OK)
        rc = APP_EIO;
    if (rc != APP_OK) {
        fprintf(stderr, "proofline backup: table %s: %s %s\n", name,
                app_strerror(rc), rc == APP_EDB ? db_error(db) : "");
        return -1;
    }
    hex_of(&t.st, hex);
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddItemToObject(o, "columns", columns_json(cols));
    cJSON_AddNumberToObject(o, "rows", (double)rows);
    cJSON_AddNumberToObject(o, "bytes", (double)t.bytes);
    cJSON_AddStringToObject(o, "sha256", hex);
    cJSON_AddItemToArray(tables, o);
    return 0;
}

static int
backup_migrations(struct db *db, struct arena *a, cJSON *m)
{
    cJSON *arr = cJSON_AddArrayToObject(m, "migrations");
    struct db_res res;
    size_t r;

    if (db_query(db, a, SQL_MIGRATIONS, DB_NOARGS, 999, &res) != APP_OK ||
        res.nrows == 0) {
        fprintf(stderr, "proofline backup: no schema_migrations: %s\n",
                db_error(db));
        return -1;
    }
    for (r = 0; r < res.nrows; r++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "version", (double)db_int(&res, r, 0, 0));
        cJSON_AddStringToObject(o, "name", db_text(&res, r, 1));
        cJSON_AddStringToObject(o, "checksum", db_text(&res, r, 2));
        cJSON_AddItemToArray(arr, o);
    }
    return 0;
}

/* Every table but schema_migrations (in the manifest instead), read in
 * one snapshot. */
static int
backup_db(struct db *db, struct arena *a, const char *dir, cJSON *m)
{
    const char **names;
    size_t n, i;
    cJSON *tables = cJSON_AddArrayToObject(m, "tables");
    int rc = -1;

    if (dump_begin(db) != APP_OK) {
        fprintf(stderr, "proofline backup: cannot start a snapshot: %s\n",
                db_error(db));
        return -1;
    }
    if (backup_migrations(db, a, m) != 0)
        goto out;
    if (dump_tables(db, a, &names, &n) != APP_OK) {
        fprintf(stderr, "proofline backup: cannot list tables: %s\n",
                db_error(db));
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (strcmp(names[i], MIGRATIONS_TABLE) == 0)
            continue;
        if (backup_table(db, a, dir, names[i], tables) != 0)
            goto out;
    }
    rc = 0;
out:
    dump_end(db);
    return rc;
}

/* ---- the files ------------------------------------------------------- */

struct walk {
    const char *root, *dir;
    cJSON *files;
    long count;
};

static int
backup_file(struct walk *w, const char *rel)
{
    char src[BK_PATH_MAX], dst[BK_PATH_MAX], hex[65];
    uint64_t size;
    cJSON *o;

    if (snprintf(src, sizeof(src), "%s/%s", w->root, rel) >= (int)sizeof(src) ||
        snprintf(dst, sizeof(dst), "%s/files/%s", w->dir, rel) >=
            (int)sizeof(dst)) {
        fprintf(stderr, "proofline backup: %s: path too long\n", rel);
        return -1;
    }
    if (bk_copy(src, dst, hex, &size) != 0) {
        fprintf(stderr, "proofline backup: %s: %s\n", src, strerror(errno));
        return -1;
    }
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", rel);
    cJSON_AddNumberToObject(o, "size", (double)size);
    cJSON_AddStringToObject(o, "sha256", hex);
    cJSON_AddItemToArray(w->files, o);
    w->count++;
    return 0;
}

/* files_dir/ab/cd/<sha256>: level 0 and 1 are directories named by two
 * hex digits, level 2 the files; anything else (a temporary file of an
 * upload in progress) is not part of the store. */
static int
walk_level(struct walk *w, const char *rel, int level)
{
    char path[BK_PATH_MAX], sub[BK_PATH_MAX];
    struct dirent *e;
    DIR *d;
    int rc = 0;

    snprintf(path, sizeof(path), "%s%s%s", w->root, rel[0] ? "/" : "", rel);
    d = opendir(path);
    if (d == NULL)
        return errno == ENOENT && level == 0 ? 0 : -1;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (level < 2 ? !bk_is_hex2(e->d_name) : !bk_is_sha(e->d_name))
            continue;
        snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        rc = level < 2 ? walk_level(w, sub, level + 1) : backup_file(w, sub);
    }
    closedir(d);
    return rc;
}

/* ---- the command ----------------------------------------------------- */

static int
make_dirs(const char *dir)
{
    char path[BK_PATH_MAX];
    DIR *d;
    struct dirent *e;

    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "proofline backup: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "proofline backup: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            closedir(d);
            fprintf(stderr, "proofline backup: %s is not empty\n", dir);
            return -1;
        }
    }
    closedir(d);
    snprintf(path, sizeof(path), "%s/tables", dir);
    if (mkdir(path, 0750) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/files", dir);
    return mkdir(path, 0750);
}

static int
write_manifest(const char *dir, cJSON *m)
{
    char tmp[BK_PATH_MAX], path[BK_PATH_MAX], hex[65];
    char *text;
    int fd, rc = -1;

    if (bk_manifest_sum(m, hex) != 0)
        return -1;
    cJSON_AddStringToObject(m, "checksum", hex);
    text = cJSON_Print(m);
    if (text == NULL)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s/%s-partial", dir, BK_MANIFEST);
    snprintf(path, sizeof(path), "%s/%s", dir, BK_MANIFEST);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd >= 0) {
        if (write_all(fd, text, strlen(text)) == 0 &&
            write_all(fd, "\n", 1) == 0 && fsync(fd) == 0)
            rc = 0;
        if (close(fd) != 0)
            rc = -1;
    }
    if (rc == 0)
        rc = rename(tmp, path);
    cJSON_free(text);
    return rc;
}

static void
add_created_at(cJSON *m)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(m, "created_at", when);
}

int
cmd_backup(struct conf *c, int argc, char **argv)
{
    const char *pos[1];
    int npos, rc = 1;
    struct arena *a = NULL;
    struct db *db = NULL;
    cJSON *m = NULL;
    struct walk w = { 0 };

    if (cli_parse("backup", argc, argv, 1, NULL, 0, pos, 1, &npos) != 0 ||
        npos != 1) {
        fprintf(stderr, "usage: proofline backup DIR\n");
        return 2;
    }
    if (sodium_init() < 0 || make_dirs(pos[0]) != 0)
        return 1;
    db = cli_db_open(c, "backup");
    a = arena_new(64 * 1024, 256u << 20);
    m = cJSON_CreateObject();
    if (db == NULL || a == NULL || m == NULL)
        goto out;
    cJSON_AddNumberToObject(m, "format", BK_FORMAT);
    cJSON_AddStringToObject(m, "proofline", CLI_VERSION);
    add_created_at(m);
    if (backup_db(db, a, pos[0], m) != 0)
        goto out;
    w.root = c->files_dir;
    w.dir = pos[0];
    w.files = cJSON_AddArrayToObject(m, "files");
    if (walk_level(&w, "", 0) != 0) {
        fprintf(stderr, "proofline backup: copying files failed\n");
        goto out;
    }
    if (write_manifest(pos[0], m) != 0) {
        fprintf(stderr, "proofline backup: cannot write the manifest: %s\n",
                strerror(errno));
        goto out;
    }
    printf("backup: %d tables, %ld files, in %s\n",
           cJSON_GetArraySize(cJSON_GetObjectItem(m, "tables")), w.count,
           pos[0]);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr,
                "proofline backup: failed; %s has no manifest and "
                "cannot be restored\n",
                pos[0]);
    cJSON_Delete(m);
    db_free(db);
    arena_free(a);
    return rc;
}

/*
 * migrate.c -- apply sql/NNN_name.sql in order, once each.
 *
 * This is the one place that runs SQL text that is not a prepared
 * statement: migration files are trusted files shipped with the program,
 * and DDL needs the multi-statement text protocol.
 */
#include "db/migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <sodium.h>

#include "base/arena.h"
#include "db/db.h"
#include "base/fileio.h"
#include "base/log.h"

#define MAX_FILES 999
#define MAX_FILE_BYTES (1u << 20)

struct mfile {
    int version;
    char name[128];
    char checksum[65];
    char *sql;
    size_t len;
};

static const char SQL_CREATE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " checksum CHAR(64) NOT NULL,"
    " applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
static const char SQL_LOCK[] = "SELECT GET_LOCK('proofline.migrate', 60)";
static const char SQL_UNLOCK[] = "SELECT RELEASE_LOCK('proofline.migrate')";
static const char SQL_APPLIED[] =
    "SELECT version, name, checksum FROM schema_migrations ORDER BY version";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)";

/* NNN_name.sql with a lower-case name. */
static bool
parse_name(const char *fn, int *version)
{
    size_t n = strlen(fn), i;

    if (n < 9 || n > 120 || strcmp(fn + n - 4, ".sql") != 0 || fn[3] != '_')
        return false;
    /* Three digits with leading zeros, which parse_i64 rightly refuses
     * elsewhere. */
    for (i = 0; i < 3; i++) {
        if (fn[i] < '0' || fn[i] > '9')
            return false;
    }
    *version = (fn[0] - '0') * 100 + (fn[1] - '0') * 10 + (fn[2] - '0');
    for (i = 4; i < n - 4; i++) {
        char c = fn[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return *version > 0;
}

static int
cmp_files(const void *a, const void *b)
{
    const struct mfile *x = a, *y = b;

    return x->version - y->version;
}

static int
read_file(const char *dir, struct mfile *f)
{
    char path[1024];
    unsigned char hash[crypto_hash_sha256_BYTES];
    enum app_err rc;

    snprintf(path, sizeof(path), "%s/%s", dir, f->name);
    rc = file_read(path, MAX_FILE_BYTES, NULL, &f->sql, &f->len);
    if (rc == APP_EIO)
        fprintf(stderr, "migrate: %s: %s\n", path, strerror(errno));
    else if (rc == APP_ETOOBIG)
        fprintf(stderr, "migrate: %s: larger than 1 MiB\n", path);
    if (rc != APP_OK)
        return -1;
    crypto_hash_sha256(hash, (const unsigned char *)f->sql, f->len);
    sodium_bin2hex(f->checksum, sizeof(f->checksum), hash, sizeof(hash));
    return 0;
}

static int
list_files(const char *dir, struct mfile **out, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct mfile *v;
    size_t count = 0, i;

    if (d == NULL) {
        fprintf(stderr, "migrate: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    v = calloc(MAX_FILES, sizeof(*v));
    if (v == NULL) {
        closedir(d);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        int version;

        if (e->d_name[0] == '.')
            continue;
        if (!parse_name(e->d_name, &version)) {
            if (strstr(e->d_name, ".sql") != NULL)
                fprintf(stderr,
                        "migrate: ignoring %s (expected "
                        "NNN_name.sql)\n",
                        e->d_name);
            continue;
        }
        if (count == MAX_FILES)
            break;
        v[count].version = version;
        /* parse_name() accepted at most 120 bytes; the name fits. */
        memcpy(v[count].name, e->d_name, strlen(e->d_name) + 1);
        count++;
    }
    closedir(d);
    qsort(v, count, sizeof(*v), cmp_files);
    for (i = 0; i + 1 < count; i++) {
        if (v[i].version == v[i + 1].version) {
            fprintf(stderr, "migrate: %s and %s have the same number\n",
                    v[i].name, v[i + 1].name);
            free(v);
            return -1;
        }
    }
    for (i = 0; i < count; i++) {
        if (read_file(dir, &v[i]) != 0) {
            for (size_t j = 0; j <= i; j++)
                free(v[j].sql);
            free(v);
            return -1;
        }
    }
    *out = v;
    *n = count;
    return 0;
}

/* Run a multi-statement text, draining every result. */
static int
run_text(MYSQL *conn, const char *sql, size_t len, const char *what)
{
    int status;

    if (mysql_real_query(conn, sql, (unsigned long)len) != 0) /* lint:allow */
        goto fail;
    do {
        MYSQL_RES *res = mysql_store_result(conn);

        if (res != NULL)
            mysql_free_result(res);
        else if (mysql_field_count(conn) != 0)
            goto fail;
        status = mysql_next_result(conn);
        if (status > 0)
            goto fail;
    } while (status == 0);
    return 0;
fail:
    fprintf(stderr, "migrate: %s: error %u: %s\n", what, mysql_errno(conn),
            mysql_error(conn));
    return -1;
}

/* Every applied migration must still be on disk, unchanged: 0, or -1
 * (said on stderr) when one was edited after it was applied. */
static int
check_applied(const struct conf *conf, const struct mfile *files, size_t nfiles,
              const struct db_res *applied)
{
    size_t i, r;

    for (r = 0; r < applied->nrows; r++) {
        int64_t v = db_int(applied, r, 0, -1);
        bool found = false;

        for (i = 0; i < nfiles; i++) {
            if (files[i].version != v)
                continue;
            found = true;
            if (strcmp(files[i].checksum, db_text(applied, r, 2)) != 0) {
                fprintf(stderr,
                        "migrate: %s was changed after it was applied "
                        "(checksum %.12s..., recorded %.12s...); add a new "
                        "migration instead of editing an applied one\n",
                        files[i].name, files[i].checksum,
                        db_text(applied, r, 2));
                return -1;
            }
        }
        if (!found)
            fprintf(stderr,
                    "migrate: warning: applied migration %s is "
                    "not in %s\n",
                    db_text(applied, r, 1), conf->sql_dir);
    }
    return 0;
}

int
migrate_run(const struct conf *conf, bool dry_run, bool quiet)
{
    return migrate_run_to(conf, dry_run, quiet, 0);
}

int
migrate_run_to(const struct conf *conf, bool dry_run, bool quiet, int upto)
{
    struct db *db = db_new(conf);
    struct arena *a = arena_new(64 * 1024, 64u << 20);
    struct mfile *files = NULL;
    size_t nfiles = 0, i, r;
    struct db_res applied;
    int rc = 1, pending = 0;
    bool locked = false;
    MYSQL *conn;

    if (db == NULL || a == NULL)
        goto out;
    if (list_files(conf->sql_dir, &files, &nfiles) != 0)
        goto out;
    if (db_connect_flags(db, CLIENT_MULTI_STATEMENTS) != APP_OK) {
        fprintf(stderr, "migrate: cannot connect to MariaDB: %s\n",
                db_error(db));
        goto out;
    }
    conn = db_handle(db);
    if (db_exec(db, SQL_CREATE, DB_NOARGS, NULL, NULL) != APP_OK ||
        db_query(db, a, SQL_LOCK, DB_NOARGS, 1, &applied) != APP_OK ||
        db_int(&applied, 0, 0, 0) != 1) {
        fprintf(stderr, "migrate: cannot take the migration lock: %s\n",
                db_error(db));
        goto out;
    }
    locked = true;
    if (db_query(db, a, SQL_APPLIED, DB_NOARGS, MAX_FILES, &applied) !=
        APP_OK) {
        fprintf(stderr, "migrate: %s\n", db_error(db));
        goto out;
    }
    if (check_applied(conf, files, nfiles, &applied) != 0)
        goto out;
    for (i = 0; i < nfiles; i++) {
        bool done = false;

        for (r = 0; r < applied.nrows; r++) {
            if (db_int(&applied, r, 0, -1) == files[i].version)
                done = true;
        }
        if (done || (upto > 0 && files[i].version > upto))
            continue;
        pending++;
        if (dry_run) {
            printf("pending: %s\n", files[i].name);
            continue;
        }
        if (run_text(conn, "START TRANSACTION", 17, files[i].name) != 0 ||
            run_text(conn, files[i].sql, files[i].len, files[i].name) != 0) {
            run_text(conn, "ROLLBACK", 8, files[i].name);
            goto out;
        }
        if (db_exec(db, SQL_RECORD,
                    DB_ARGS(DB_I64(files[i].version), DB_CSTR(files[i].name),
                            DB_CSTR(files[i].checksum)),
                    NULL, NULL) != APP_OK ||
            run_text(conn, "COMMIT", 6, files[i].name) != 0) {
            fprintf(stderr, "migrate: %s: could not record: %s\n",
                    files[i].name, db_error(db));
            run_text(conn, "ROLLBACK", 8, files[i].name);
            goto out;
        }
        if (!quiet)
            printf("applied: %s\n", files[i].name);
    }
    if (!quiet || dry_run)
        printf("migrate: %d pending, %zu total, %s\n", pending, nfiles,
               dry_run ? "nothing applied (dry run)" : "up to date");
    rc = 0;
out:
    if (locked)
        app_ignore(db_query(db, a, SQL_UNLOCK, DB_NOARGS, 1, &applied),
                   "the lock goes with the connection, closed just below");
    for (i = 0; i < nfiles; i++)
        free(files[i].sql);
    free(files);
    db_free(db);
    arena_free(a);
    return rc;
}

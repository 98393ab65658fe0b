/*
 * cli_files.c -- `proofline files check [--fix] [--min-age SECONDS]`: the
 * stored files against their rows.
 *
 * Uploads put their bytes in place and write their rows in one
 * transaction that removes the bytes again when it does not commit
 * (files.c), so the two agree -- unless a process died between the two
 * steps, or someone changed files_dir by hand.  This walks files_dir and
 * reports files that no `files` row refers to (and temporary files left
 * by an interrupted copy), and rows whose file is missing.  --fix removes
 * the former (and their file_blobs rows); the latter can only be
 * reported.  Files younger than --min-age (default 3600 s) are left
 * alone: they may belong to an upload whose transaction is still open.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "server/cli.h"
#include "db/db.h"
#include "base/num.h"

static const char SQL_FILE_ROWS[] =
    "SELECT COUNT(*) FROM files WHERE sha256 = ?";
static const char SQL_BLOB_DROP[] = "DELETE FROM file_blobs WHERE sha256 = ? "
                                    "AND NOT EXISTS (SELECT 1 FROM files f "
                                    "WHERE f.sha256 = file_blobs.sha256)";
/* Rows by content, a page at a time. */
static const char SQL_SHAS[] =
    "SELECT sha256, COUNT(*), MIN(id), MIN(tenant_id) FROM files "
    "WHERE sha256 > ? GROUP BY sha256 ORDER BY sha256 LIMIT 1000";

struct check {
    struct db *db;
    struct arena *a;
    const char *root;
    bool fix;
    long min_age;
    time_t now;
    long orphans, removed, missing, files;
};

static bool
is_sha(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return i == 64;
}

static bool
is_hex2(const char *s)
{
    return strlen(s) == 2 &&
           ((s[0] >= '0' && s[0] <= '9') || (s[0] >= 'a' && s[0] <= 'f')) &&
           ((s[1] >= '0' && s[1] <= '9') || (s[1] >= 'a' && s[1] <= 'f'));
}

/* One file found in files_dir/ab/cd: an orphan when no row refers to it
 * (or when it is a leftover temporary file). */
static int
check_file(struct check *c, const char *dir, const char *name)
{
    char path[1200];
    struct stat sb;
    struct db_res res;
    bool temp = strstr(name, ".tmp") != NULL, orphan = temp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    c->files++;
    if (!temp && !is_sha(name))
        return 0; /* not ours */
    if (!temp) {
        arena_reset(c->a);
        if (db_query(c->db, c->a, SQL_FILE_ROWS, DB_ARGS(DB_CSTR(name)), 1,
                     &res) != APP_OK)
            return -1;
        orphan = db_int(&res, 0, 0, 0) == 0;
    }
    if (!orphan)
        return 0;
    if (c->now - sb.st_mtime < c->min_age) {
        printf("recent   %s (left alone: younger than %ld s)\n", path,
               c->min_age);
        return 0;
    }
    c->orphans++;
    printf("orphan   %s (%lld bytes)%s\n", path, (long long)sb.st_size,
           c->fix ? ": removed" : "");
    if (!c->fix)
        return 0;
    if (unlink(path) != 0) {
        fprintf(stderr, "proofline files: cannot remove %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    c->removed++;
    if (!temp && db_exec(c->db, SQL_BLOB_DROP, DB_ARGS(DB_CSTR(name)), NULL,
                         NULL) != APP_OK)
        return -1;
    return 0;
}

/* Walk files_dir/ab/cd/ (two levels of two hex digits). */
static int
walk(struct check *c, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (d == NULL) {
        if (depth == 0)
            fprintf(stderr, "proofline files: cannot read %s: %s\n", dir,
                    strerror(errno));
        return depth == 0 ? -1 : 0;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char sub[1100];

        if (e->d_name[0] == '.')
            continue;
        if (depth < 2) {
            if (!is_hex2(e->d_name))
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
            rc = walk(c, sub, depth + 1);
        } else {
            rc = check_file(c, dir, e->d_name);
        }
    }
    closedir(d);
    return rc;
}

/* Rows whose file is not on disk. */
static int
check_rows(struct check *c)
{
    char after[65] = "";
    size_t i;

    for (;;) {
        struct db_res res;

        arena_reset(c->a);
        if (db_query(c->db, c->a, SQL_SHAS, DB_ARGS(DB_CSTR(after)), 1000,
                     &res) != APP_OK)
            return -1;
        for (i = 0; i < res.nrows; i++) {
            const char *sha = db_text(&res, i, 0);
            char path[1200];
            struct stat sb;

            snprintf(path, sizeof(path), "%s/%.2s/%.2s/%s", c->root, sha,
                     sha + 2, sha);
            if (stat(path, &sb) != 0) {
                c->missing++;
                printf("missing  %s: %lld row(s), first id %lld, tenant "
                       "%lld\n",
                       path, (long long)db_int(&res, i, 1, 0),
                       (long long)db_int(&res, i, 2, 0),
                       (long long)db_int(&res, i, 3, 0));
            }
        }
        if (res.nrows < 1000)
            return 0;
        snprintf(after, sizeof(after), "%s", db_text(&res, res.nrows - 1, 0));
    }
}

int
cmd_files(struct conf *conf, int argc, char **argv)
{
    struct cli_opt opts[] = { { "fix", false, NULL },
                              { "min-age", true, NULL } };
    const char *pos[1];
    int npos, rc = 1;
    int64_t age = 3600;
    struct check c;

    memset(&c, 0, sizeof(c));
    if (argc < 2 || strcmp(argv[1], "check") != 0 ||
        cli_parse("files check", argc, argv, 2, opts, 2, pos, 0, &npos) != 0 ||
        (cli_get(opts, 2, "min-age") != NULL &&
         !parse_i64(str_c(cli_get(opts, 2, "min-age")), 0, 315360000, &age))) {
        fprintf(stderr, "usage: proofline files check [--fix] "
                        "[--min-age SECONDS]\n");
        return 2;
    }
    c.fix = cli_get(opts, 2, "fix") != NULL;
    c.min_age = (long)age;
    c.now = time(NULL);
    c.root = conf->files_dir;
    c.a = arena_new(64 * 1024, 64u << 20);
    c.db = c.a != NULL ? cli_db_open(conf, "files") : NULL;
    if (c.db == NULL)
        goto out;
    if (walk(&c, c.root, 0) != 0 || check_rows(&c) != 0)
        goto out;
    printf("files check: %ld files, %ld orphaned%s, %ld missing\n", c.files,
           c.orphans,
           c.fix ? arena_printf(c.a, " (%ld removed)", c.removed) : "",
           c.missing);
    rc = (c.missing > 0 || c.orphans > c.removed) ? 1 : 0;
out:
    db_free(c.db);
    arena_free(c.a);
    return rc;
}

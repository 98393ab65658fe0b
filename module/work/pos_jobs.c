/*
 * pos_jobs.c -- POS imports run by the scheduler (pos_jobs.h).
 */
#include "work/pos_jobs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/sched.h"
#include "identity/tenants.h"
#include "sales/pos_import.h"

#define INCOMING_SPEC "5m"
#define INCOMING_FILES_MAX 1000 /* a pass; the rest wait for the next */
#define NAME_MAX_BYTES 255

enum app_err
pos_jobs_queue(struct ctx *cx, int64_t import_id)
{
    const char *key = arena_printf(cx->a, "import:%lld", (long long)import_id);
    const char *payload =
        arena_printf(cx->a, "{\"import\":%lld}", (long long)import_id);

    if (key == NULL || payload == NULL)
        return APP_ENOMEM;
    return jobs_put(cx->db, cx->tenant_id, "pos_import", key, "", cx->tenant_tz,
                    payload, time(NULL));
}

enum app_err
pos_jobs_schedule(struct ctx *cx, const char *tz, time_t now)
{
    struct sched sc;
    const char *why;

    if (!sched_parse(str_c(INCOMING_SPEC), &sc, &why))
        return APP_EINTERNAL;
    return jobs_put(cx->db, cx->tenant_id, "pos_incoming", "incoming",
                    INCOMING_SPEC, tz, "{}", sched_next(&sc, tz, now));
}

enum app_err
pos_jobs_import(struct ctx *cx, const struct job *j, const cJSON *payload,
                const char **error)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "import");
    enum app_err rc;

    (void)j;
    if (!cJSON_IsNumber(id) || id->valuedouble < 1) {
        *error = "payload: an import id";
        return APP_EINVAL;
    }
    rc = pos_import_run_queued(cx, (int64_t)id->valuedouble);
    if (rc == APP_ENOTFOUND) {
        *error = "no such import";
        return APP_OK; /* nothing to retry */
    }
    return rc;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* name ends in ".csv" (any case) and is a plain name. */
static bool
is_csv(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && n <= NAME_MAX_BYTES && name[0] != '.' &&
           strcasecmp(name + n - 4, ".csv") == 0;
}

/* Move dir/name to dir/to/name (to created when missing). */
static void
move_to(const char *dir, const char *name, const char *to)
{
    char from[2048], sub[2048], dst[2048];

    if ((size_t)snprintf(from, sizeof(from), "%s/%s", dir, name) >=
            sizeof(from) ||
        (size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, to) >= sizeof(sub) ||
        (size_t)snprintf(dst, sizeof(dst), "%s/%s/%s", dir, to, name) >=
            sizeof(dst))
        return;
    if (mkdir(sub, 0750) != 0 && errno != EEXIST)
        log_warn("pos.incoming_mkdir", "dir=%s errno=%d", log_q(sub), errno);
    if (rename(from, dst) != 0)
        log_warn("pos.incoming_move", "file=%s errno=%d", log_q(from), errno);
}

enum app_err
pos_jobs_incoming(struct ctx *cx, const struct job *j, const char **error)
{
    const char *slug = NULL;
    char dir[2048];
    char **names = NULL;
    size_t n = 0, i;
    DIR *d;
    struct dirent *e;
    enum app_err rc;

    (void)j;
    if (cx->conf->pos_incoming_dir[0] == '\0')
        return APP_OK;
    rc = tenants_slug(cx->db, cx->a, cx->tenant_id, &slug);
    if (rc != APP_OK)
        return rc;
    if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", cx->conf->pos_incoming_dir,
                         slug) >= sizeof(dir))
        return APP_EINVAL;
    d = opendir(dir);
    if (d == NULL)
        return APP_OK; /* nothing dropped for this company */
    names = arena_calloc(cx->a, INCOMING_FILES_MAX, sizeof(*names));
    while (names != NULL && n < INCOMING_FILES_MAX &&
           (e = readdir(d)) != NULL) {
        char path[2048];
        struct stat st;

        if (!is_csv(e->d_name))
            continue;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
            sizeof(path))
            continue;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        names[n] = arena_strdup(cx->a, e->d_name);
        n += names[n] != NULL ? 1 : 0;
    }
    closedir(d);
    if (names == NULL)
        return APP_ENOMEM;
    qsort(names, n, sizeof(*names), by_name);
    for (i = 0; i < n; i++) {
        struct pos_import_result r;
        char path[2048];
        enum app_err one;

        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
            sizeof(path))
            continue;
        one = pos_import_run(cx, 0, "incoming", path, names[i], true, &r);
        cJSON_Delete(r.problems);
        if (one != APP_OK && one != APP_EVALIDATION && one != APP_ETOOBIG) {
            /* Not the file's fault (the database, memory, a lock wait):
             * it stays where it is for the job's next try. */
            *error = "the import could not run; the file waits";
            return one;
        }
        move_to(dir, names[i], one == APP_OK ? "done" : "failed");
    }
    return APP_OK;
}

/*
 * pos_imports.c -- the records of POS imports (pos_import.h): one import,
 * the list, and running a queued one from its stored file.
 */
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "identity/role.h"
#include "sales/files.h"
#include "sales/pos_import.h"

/* clang-format off */
static const char SQL_GET[] =
    "SELECT id, source, file_name, mode, status, progress, encoding, "
    "lines_total, lines_added, lines_dup, lines_bad, "
    "DATE_FORMAT(day_from, '%Y-%m-%d'), DATE_FORMAT(day_to, '%Y-%m-%d'), "
    "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), "
    "DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i:%s'), problems, file_id "
    "FROM pos_imports WHERE tenant_id = ? AND id = ?";
static const char SQL_LIST[] =
    "SELECT id, source, file_name, mode, status, progress, encoding, "
    "lines_total, lines_added, lines_dup, lines_bad, "
    "DATE_FORMAT(day_from, '%Y-%m-%d'), DATE_FORMAT(day_to, '%Y-%m-%d'), "
    "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), "
    "DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i:%s') "
    "FROM pos_imports WHERE tenant_id = ? ORDER BY id DESC LIMIT ?";
/* clang-format on */

enum {
    C_ID,
    C_SOURCE,
    C_NAME,
    C_MODE,
    C_STATUS,
    C_PROGRESS,
    C_ENC,
    C_TOTAL,
    C_ADDED,
    C_DUP,
    C_BAD,
    C_FROM,
    C_TO,
    C_CREATED,
    C_FINISHED,
    C_PROBLEMS,
    C_FILE
};

static bool
allowed(const struct ctx *cx)
{
    return cx->user_id == 0 ||
           (cx->role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_MARKETING)) != 0;
}

static void
add_text(cJSON *o, const char *k, const struct db_res *r, size_t i, int c)
{
    struct str v = db_cell(r, i, (size_t)c);

    if (v.p == NULL)
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddStringToObject(o, k, db_text(r, i, (size_t)c));
}

static cJSON *
row_of(const struct db_res *r, size_t i)
{
    static const struct {
        const char *k;
        int c;
    } nums[] = { { "id", C_ID },
                 { "progress", C_PROGRESS },
                 { "lines_total", C_TOTAL },
                 { "lines_added", C_ADDED },
                 { "lines_dup", C_DUP },
                 { "lines_bad", C_BAD } },
      texts[] = { { "source", C_SOURCE },       { "file_name", C_NAME },
                  { "mode", C_MODE },           { "status", C_STATUS },
                  { "encoding", C_ENC },        { "day_from", C_FROM },
                  { "day_to", C_TO },           { "created_at", C_CREATED },
                  { "finished_at", C_FINISHED } };
    cJSON *o = cJSON_CreateObject();
    size_t k;

    for (k = 0; o != NULL && k < sizeof(nums) / sizeof(nums[0]); k++)
        cJSON_AddNumberToObject(o, nums[k].k,
                                (double)db_int(r, i, (size_t)nums[k].c, 0));
    for (k = 0; o != NULL && k < sizeof(texts) / sizeof(texts[0]); k++)
        add_text(o, texts[k].k, r, i, texts[k].c);
    return o;
}

enum app_err
pos_import_get(struct ctx *cx, int64_t id, cJSON **out)
{
    struct db_res res;
    struct str p;
    cJSON *o, *probs;
    enum app_err rc;

    *out = NULL;
    if (!allowed(cx))
        return APP_EFORBIDDEN;
    rc = db_query(cx->db, cx->a, SQL_GET,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    o = row_of(&res, 0);
    if (o == NULL)
        return APP_ENOMEM;
    p = db_cell(&res, 0, C_PROBLEMS);
    probs = p.p != NULL ? cJSON_ParseWithLength(p.p, p.len) : NULL;
    if (!cJSON_IsArray(probs)) {
        cJSON_Delete(probs);
        probs = cJSON_CreateArray();
    }
    cJSON_AddItemToObject(o, "problems", probs);
    *out = o;
    return APP_OK;
}

enum app_err
pos_import_list(struct ctx *cx, size_t max, cJSON **out)
{
    struct db_res res;
    cJSON *list;
    size_t i;
    enum app_err rc;

    *out = NULL;
    if (!allowed(cx))
        return APP_EFORBIDDEN;
    rc = db_query(cx->db, cx->a, SQL_LIST,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64((int64_t)max)), max,
                  &res);
    if (rc != APP_OK)
        return rc;
    list = cJSON_CreateArray();
    for (i = 0; list != NULL && i < res.nrows; i++)
        cJSON_AddItemToArray(list, row_of(&res, i));
    *out = list;
    return list != NULL ? APP_OK : APP_ENOMEM;
}

enum app_err
pos_import_run_queued(struct ctx *cx, int64_t import_id)
{
    struct db_res res;
    struct file_ref f;
    struct pos_import_result r;
    const char *status;
    char path[2048];
    enum app_err rc;

    rc = db_query(cx->db, cx->a, SQL_GET,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(import_id)), 1, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    status = db_text(&res, 0, C_STATUS);
    if (strcmp(status, "done") == 0 || strcmp(status, "refused") == 0)
        return APP_OK; /* a run of a slot that already finished */
    /* queued, a run that died (validating, storing: its transaction never
     * committed) or one that failed (the job tries again): run it. */
    rc = files_find(cx, db_int(&res, 0, C_FILE, 0), &f);
    if (rc != APP_OK)
        return rc;
    if ((size_t)snprintf(path, sizeof(path), "%s/%.2s/%.2s/%s",
                         cx->conf->files_dir, f.sha, f.sha + 2,
                         f.sha) >= sizeof(path))
        return APP_EIO;
    rc = pos_import_run(cx, import_id, db_text(&res, 0, C_SOURCE), path,
                        db_text(&res, 0, C_NAME),
                        strcmp(db_text(&res, 0, C_MODE), "keep") == 0, &r);
    cJSON_Delete(r.problems);
    /* A refused file is the import's outcome, not the job's failure. */
    return rc == APP_EVALIDATION || rc == APP_ETOOBIG ? APP_OK : rc;
}

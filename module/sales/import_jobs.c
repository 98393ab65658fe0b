/*
 * import_jobs.c -- the records of CSV imports (see import_jobs.h).
 */
#include "sales/import_jobs.h"

#include <string.h>

#include "db/db.h"
#include "identity/role.h"

static const char SQL_CREATE[] =
    "INSERT INTO imports (tenant_id, created_by, file_id, encoding, mapping) "
    "VALUES (?, ?, ?, ?, ?)";
static const char SQL_GET[] =
    "SELECT i.id, i.file_id, i.encoding, i.mapping, i.status, "
    "i.rows_imported, f.name FROM imports i JOIN files f ON f.id = i.file_id "
    "AND f.tenant_id = i.tenant_id WHERE i.tenant_id = ? AND i.id = ? "
    "AND (i.created_by = ? OR ? = 1)";
static const char SQL_MAPPING[] =
    "UPDATE imports SET mapping = ? WHERE tenant_id = ? AND id = ? "
    "AND status = 'preview'";
static const char SQL_LOCK[] =
    "SELECT status FROM imports WHERE tenant_id = ? AND id = ? FOR UPDATE";
static const char SQL_DONE[] =
    "UPDATE imports SET status = 'committed', rows_total = ?, rows_valid = ?, "
    "rows_imported = ?, committed_at = UTC_TIMESTAMP(3) "
    "WHERE tenant_id = ? AND id = ? AND status = 'preview'";

enum app_err
import_jobs_create(struct ctx *cx, int64_t file_id, const char *encoding,
                   const char *mapping, int64_t *id)
{
    uint64_t n = 0;
    enum app_err rc =
        db_exec(cx->db, SQL_CREATE,
                DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id),
                        DB_I64(file_id), DB_CSTR(encoding), DB_CSTR(mapping)),
                NULL, &n);

    *id = (int64_t)n;
    return rc;
}

enum app_err
import_jobs_get(struct ctx *cx, int64_t id, struct import_job *out)
{
    struct db_res res;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_GET,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(cx->user_id),
                         DB_I64((cx->role & ROLE_ADMIN) ? 1 : 0)),
                 1, &res);

    memset(out, 0, sizeof(*out));
    if (rc == APP_OK && res.nrows == 0)
        rc = APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    out->file_id = db_int(&res, 0, 1, 0);
    out->encoding = db_text(&res, 0, 2);
    out->mapping = db_text(&res, 0, 3);
    out->status = db_text(&res, 0, 4);
    out->imported = db_int(&res, 0, 5, 0);
    out->file_name = db_text(&res, 0, 6);
    return APP_OK;
}

enum app_err
import_jobs_set_mapping(struct ctx *cx, int64_t id, const char *mapping)
{
    return db_exec(cx->db, SQL_MAPPING,
                   DB_ARGS(DB_CSTR(mapping), DB_I64(cx->tenant_id), DB_I64(id)),
                   NULL, NULL);
}

enum app_err
import_jobs_lock(struct ctx *cx, int64_t id, bool *open)
{
    struct db_res st;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_LOCK,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &st);

    *open = rc == APP_OK && st.nrows == 1 &&
            strcmp(db_text(&st, 0, 0), "preview") == 0;
    return rc;
}

enum app_err
import_jobs_done(struct ctx *cx, int64_t id, size_t total, size_t valid,
                 size_t imported)
{
    uint64_t changed = 0;
    enum app_err rc = db_exec(
        cx->db, SQL_DONE,
        DB_ARGS(DB_I64((int64_t)total), DB_I64((int64_t)valid),
                DB_I64((int64_t)imported), DB_I64(cx->tenant_id), DB_I64(id)),
        &changed, NULL);

    if (rc == APP_OK && changed != 1)
        rc = APP_ECONFLICT;
    return rc;
}

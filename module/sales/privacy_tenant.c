/*
 * privacy_tenant.c -- erasing a whole company: asked by one admin,
 * confirmed by another within 24 hours (PIPL).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/log.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/sqlname.h"
#include "sales/privacy.h"

/* clang-format off */
static const char SQL_PENDING[] =
    "SELECT id, requested_by, requested_login, requested_at,"
    " requested_at < NOW(3) - INTERVAL 24 HOUR"
    " FROM tenant_erasures WHERE tenant_ref = ? AND status = 'pending'"
    " ORDER BY id DESC LIMIT 1";
static const char SQL_PENDING_LOCK[] =
    "SELECT id, requested_by, requested_login, requested_at,"
    " requested_at < NOW(3) - INTERVAL 24 HOUR"
    " FROM tenant_erasures WHERE tenant_ref = ? AND status = 'pending'"
    " ORDER BY id DESC LIMIT 1 FOR UPDATE";
static const char SQL_REQUEST[] =
    "INSERT INTO tenant_erasures (tenant_ref, slug, requested_by,"
    " requested_login) SELECT t.id, t.slug, u.id, u.login FROM tenants t"
    " JOIN users u ON u.tenant_id = t.id AND u.id = ? WHERE t.id = ?";
static const char SQL_CANCEL[] =
    "UPDATE tenant_erasures SET status = 'cancelled' WHERE id = ?";
static const char SQL_DONE[] =
    "UPDATE tenant_erasures SET status = 'done', confirmed_by = ?,"
    " confirmed_login = ?, done_at = NOW(3) WHERE id = ?";
static const char SQL_SLUG[] = "SELECT slug FROM tenants WHERE id = ?";
static const char SQL_OWN_FILES[] =
    "SELECT DISTINCT f.sha256 FROM files f WHERE f.tenant_id = ?"
    " AND NOT EXISTS (SELECT 1 FROM files g WHERE g.sha256 = f.sha256"
    " AND g.tenant_id <> ?)";
static const char SQL_DROP_BLOB[] = "DELETE FROM file_blobs WHERE sha256 = ?";
static const char SQL_DROP_TENANT[] = "DELETE FROM tenants WHERE id = ?";
/* Foreign keys off, the history triggers' erasure exception on
 * (024_privacy.sql), the metric triggers quiet (the company is gone: no
 * fact_log row may be written for it after fact_log's own rows went). */
static const char SQL_ERASE_ON[] =
    "SET foreign_key_checks = 0, @proofline_erase = 1, @proofline_bulk = 1";
static const char SQL_ERASE_OFF[] =
    "SET foreign_key_checks = 1, @proofline_erase = NULL,"
    " @proofline_bulk = NULL";
/* clang-format on */

#define FILES_MAX 1000000

enum app_err
privacy_tenant_erase_pending(struct ctx *cx, struct privacy_erase_req *out)
{
    struct db_res res;
    enum app_err rc = db_query(cx->db, cx->a, SQL_PENDING,
                               DB_ARGS(DB_I64(cx->tenant_id)), 1, &res);

    memset(out, 0, sizeof(*out));
    if (rc != APP_OK || res.nrows == 0 || db_int(&res, 0, 4, 1) != 0)
        return rc;
    out->id = db_int(&res, 0, 0, 0);
    out->requested_by = db_int(&res, 0, 1, 0);
    out->requested_login = db_text(&res, 0, 2);
    out->requested_at = db_text(&res, 0, 3);
    return APP_OK;
}

enum app_err
privacy_tenant_erase_request(struct ctx *cx)
{
    struct privacy_erase_req p;
    uint64_t n = 0;
    enum app_err rc = privacy_tenant_erase_pending(cx, &p);

    if (rc == APP_OK && p.id != 0)
        return APP_ECONFLICT;
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_REQUEST,
                     DB_ARGS(DB_I64(cx->user_id), DB_I64(cx->tenant_id)), &n,
                     NULL);
    if (rc == APP_OK && n != 1)
        rc = APP_EFORBIDDEN; /* not a user of this company */
    if (rc == APP_OK)
        rc = audit_write(cx, cx->tenant_id, cx->user_id, 0,
                         "privacy.tenant_erase_request", NULL);
    return rc;
}

/* "DELETE FROM `name` WHERE tenant_id = ?" (name came from
 * privacy_tables, checked to be [a-z0-9_]+). */
static const char *
delete_sql(struct arena *a, const char *name)
{
    const char *parts[] = { "DELETE FROM ", name, " WHERE tenant_id = ?" };

    return db_sql_names(a, parts, 3);
}

/* The company's rows, table after table, foreign key checks and the
 * history triggers off meanwhile. */
APP_MUST_USE static enum app_err
delete_rows(struct ctx *cx)
{
    const char **names = NULL;
    size_t n = 0, i;
    enum app_err rc = privacy_tables(cx, &names, &n), rc2;

    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_ERASE_ON, DB_NOARGS, NULL, NULL);
    for (i = 0; rc == APP_OK && i < n; i++) {
        const char *sql = delete_sql(cx->a, names[i]);

        rc = sql != NULL ? db_exec_once(cx->db, sql,
                                        DB_ARGS(DB_I64(cx->tenant_id)), NULL)
                         : APP_ENOMEM;
    }
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_DROP_TENANT, DB_ARGS(DB_I64(cx->tenant_id)),
                     NULL, NULL);
    rc2 = db_exec(cx->db, SQL_ERASE_OFF, DB_NOARGS, NULL, NULL);
    return rc != APP_OK ? rc : rc2;
}

/* The blob rows of the company's own files; their hashes into *shas. */
APP_MUST_USE static enum app_err
drop_blobs(struct ctx *cx, struct db_res *shas)
{
    enum app_err rc = db_query(
        cx->db, cx->a, SQL_OWN_FILES,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->tenant_id)), FILES_MAX, shas);
    size_t i;

    for (i = 0; rc == APP_OK && i < shas->nrows; i++)
        rc = db_exec(cx->db, SQL_DROP_BLOB,
                     DB_ARGS(DB_STR(db_cell(shas, i, 0))), NULL, NULL);
    return rc;
}

/* After the commit: the bytes nobody holds any more. */
static size_t
remove_files(struct ctx *cx, const struct db_res *shas)
{
    size_t i, n = 0;

    for (i = 0; i < shas->nrows; i++) {
        const char *sha = db_text(shas, i, 0);
        char path[CONF_STR_MAX + 80];

        if (strlen(sha) != 64)
            continue;
        snprintf(path, sizeof(path), "%s/%.2s/%.2s/%s", cx->conf->files_dir,
                 sha, sha + 2, sha);
        if (unlink(path) == 0)
            n++;
    }
    return n;
}

enum app_err
privacy_tenant_erase_confirm(struct ctx *cx, const char *login, bool by_cli,
                             size_t *files)
{
    struct db_res req, shas, slug;
    enum app_err rc;
    int64_t id = 0, asker = 0;
    bool expired = false;

    *files = 0;
    memset(&shas, 0, sizeof(shas));
    if (cx->user_id == 0 && !by_cli)
        return APP_EFORBIDDEN;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        expired = false;
        rc = db_query(cx->db, cx->a, SQL_PENDING_LOCK,
                      DB_ARGS(DB_I64(cx->tenant_id)), 1, &req);
        if (rc == APP_OK && req.nrows == 0)
            rc = APP_ENOTFOUND;
        if (rc == APP_OK) {
            id = db_int(&req, 0, 0, 0);
            asker = db_int(&req, 0, 1, 0);
            expired = db_int(&req, 0, 4, 1) != 0;
        }
        if (rc == APP_OK && expired) {
            rc = db_exec(cx->db, SQL_CANCEL, DB_ARGS(DB_I64(id)), NULL, NULL);
            continue; /* commit the cancellation, answer ETIMEOUT */
        }
        if (rc == APP_OK && !by_cli && asker == cx->user_id)
            rc = APP_EFORBIDDEN;
        if (rc == APP_OK)
            rc = db_query(cx->db, cx->a, SQL_SLUG,
                          DB_ARGS(DB_I64(cx->tenant_id)), 1, &slug);
        if (rc == APP_OK)
            rc = drop_blobs(cx, &shas);
        if (rc == APP_OK)
            rc = delete_rows(cx);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_DONE,
                         DB_ARGS(by_cli ? DB_NULL : DB_I64(cx->user_id),
                                 DB_CSTR(by_cli ? "cli" : login), DB_I64(id)),
                         NULL, NULL);
    }
    if (rc == APP_OK && expired)
        return APP_ETIMEOUT;
    if (rc != APP_OK)
        return rc;
    *files = remove_files(cx, &shas);
    log_info("privacy.tenant_erased",
             "tenant=%lld slug=%s request=%lld asked_by=%lld "
             "confirmed_by=%s files=%zu",
             (long long)cx->tenant_id,
             log_q(slug.nrows > 0 ? db_text(&slug, 0, 0) : ""), (long long)id,
             (long long)asker, log_q(by_cli ? "cli" : login), *files);
    return APP_OK;
}

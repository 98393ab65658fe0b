/*
 * stores.c -- the store network: its writes (with the store's customer
 * record and managers) and its lists (stores.h).  The check of a store's
 * fields is in stores_input.c, the CSV import in stores_import.c.
 */
#include "sales/stores.h"
#include "sales/stores_impl.h"

#include <string.h>

#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "base/wire.h"
#include "db/audit.h"
#include "identity/role.h"
#include "rules/ruledesc.h"
#include "sales/customers.h"

/* clang-format off */
#define COLUMNS                                                                \
    "SELECT s.id, s.code, s.name, s.address, COALESCE(s.lat, ''), "            \
    "COALESCE(s.lng, ''), s.region, COALESCE(s.supervisor_id, 0), "            \
    "COALESCE(u.login, ''), COALESCE(u.display_name, ''), s.format, "          \
    "COALESCE(DATE_FORMAT(s.opened_on, '%Y-%m-%d'), ''), "                     \
    "COALESCE(DATE_FORMAT(s.closed_on, '%Y-%m-%d'), ''), "                     \
    "COALESCE(s.customer_id, 0), (s.opened_on IS NULL OR s.opened_on <= ?) "   \
    "AND (s.closed_on IS NULL OR s.closed_on > ?), COALESCE((SELECT "          \
    "GROUP_CONCAT(m.login ORDER BY m.login SEPARATOR ',') FROM "               \
    "store_managers sm JOIN users m ON m.id = sm.user_id AND m.tenant_id = "   \
    "sm.tenant_id WHERE sm.tenant_id = s.tenant_id AND sm.store_id = s.id), "  \
    "'') FROM stores s LEFT JOIN users u ON u.id = s.supervisor_id AND "       \
    "u.tenant_id = s.tenant_id "
/* clang-format on */

static const char SQL_GET[] =
    COLUMNS "WHERE s.tenant_id = ? AND s.id = ? AND " STORES_SCOPE_SQL;
static const char SQL_LIST[] =
    COLUMNS "WHERE s.tenant_id = ? AND " STORES_SCOPE_SQL
            " AND (? = '' OR s.code LIKE ? OR s.name LIKE ? OR s.address "
            "LIKE ?) AND (? = '' OR s.region = ?) AND (? = 0 OR "
            "s.supervisor_id = ?) AND (? = -1 OR ((s.opened_on IS NULL OR "
            "s.opened_on <= ?) AND (s.closed_on IS NULL OR s.closed_on > "
            "?)) = ?) ORDER BY s.code LIMIT ?";
static const char SQL_REGIONS[] =
    "SELECT DISTINCT s.region FROM stores s WHERE s.tenant_id = ? AND "
    "s.region <> '' AND " STORES_SCOPE_SQL " ORDER BY 1 LIMIT 1000";
static const char SQL_SUPERVISORS[] =
    "SELECT u.id, u.login, u.display_name FROM users u WHERE u.tenant_id = ? "
    "AND u.active = 1 AND u.role IN ('supervisor', 'manager') AND (? = 1 OR "
    "u.id IN (SELECT descendant_id FROM user_tree WHERE tenant_id = ? AND "
    "ancestor_id = ?)) ORDER BY u.display_name, u.id LIMIT 1000";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM stores WHERE tenant_id "
                                "= ?";
static const char SQL_ADD[] =
    "INSERT INTO stores (tenant_id, code, name, address, lat, lng, region, "
    "supervisor_id, format, opened_on, closed_on) VALUES (?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?)";
static const char SQL_UPDATE[] =
    "UPDATE stores SET code = ?, name = ?, address = ?, lat = ?, lng = ?, "
    "region = ?, supervisor_id = ?, format = ?, opened_on = ?, closed_on = ? "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_SET_CUSTOMER[] =
    "UPDATE stores SET customer_id = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_CLOSE[] =
    "UPDATE stores SET closed_on = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_MANAGERS_CLEAR[] =
    "DELETE FROM store_managers WHERE tenant_id = ? AND store_id = ?";
static const char SQL_MANAGER_ADD[] =
    "INSERT INTO store_managers (tenant_id, store_id, user_id) VALUES (?, ?, "
    "?)";

bool
stores_may_write(const struct ctx *cx)
{
    return (cx->role & (ROLE_ADMIN | ROLE_MANAGER)) != 0;
}

/* The detail of an audit entry about a store ({code, name, ...}). */
static cJSON *
detail_of(const char *code, const char *name)
{
    cJSON *d = cJSON_CreateObject();

    if (d != NULL) {
        cJSON_AddStringToObject(d, "code", code);
        cJSON_AddStringToObject(d, "name", name);
    }
    return d;
}

APP_MUST_USE static enum app_err
audit(struct ctx *cx, const char *event, cJSON *d)
{
    enum app_err rc =
        d != NULL ? audit_write(cx, cx->tenant_id, cx->user_id, 0, event, d)
                  : APP_ENOMEM;

    cJSON_Delete(d);
    return rc;
}

static struct db_val
opt_day(const char *d)
{
    return d != NULL && d[0] != '\0' ? DB_CSTR(d) : DB_NULL;
}

static struct db_val
opt_id(int64_t id)
{
    return id != 0 ? DB_I64(id) : DB_NULL;
}

APP_MUST_USE static enum app_err
set_managers(struct ctx *cx, int64_t id, const struct store_input *in)
{
    size_t i;
    enum app_err rc =
        db_exec(cx->db, SQL_MANAGERS_CLEAR,
                DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), NULL, NULL);

    for (i = 0; rc == APP_OK && i < in->nmanagers; i++)
        rc = db_exec(
            cx->db, SQL_MANAGER_ADD,
            DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(in->managers[i])),
            NULL, NULL);
    return rc;
}

/* The store's customer made or brought in step (stores.h). */
APP_MUST_USE static enum app_err
sync_customer(struct ctx *cx, const struct ruledesc *rd, int64_t id,
              int64_t customer_id, const struct store_input *in)
{
    struct customer_place p = {
        .name = in->name,
        .address = in->address,
        .has_pos = in->has_pos,
        .lat = in->lat,
        .lng = in->lng,
        .owner = in->supervisor_id,
    };
    int64_t cid = customer_id;
    const char *first = ruledesc_first_stage(rd);
    enum app_err rc;

    if (first == NULL)
        return APP_EINTERNAL;
    if (cid == 0 && p.owner == 0)
        p.owner = cx->user_id; /* the creator, while it has no supervisor */
    rc = customers_store_sync(cx, &p, first, rd->version, &cid);
    if (rc == APP_OK && cid != customer_id)
        rc = db_exec(cx->db, SQL_SET_CUSTOMER,
                     DB_ARGS(DB_I64(cid), DB_I64(cx->tenant_id), DB_I64(id)),
                     NULL, NULL);
    return rc;
}

enum app_err
stores_write(struct ctx *cx, const struct ruledesc *rd, int64_t id,
             int64_t customer_id, const struct store_input *in, bool audited,
             int64_t *out)
{
    uint64_t last = 0;
    enum app_err rc;

    if (id == 0) {
        rc = db_exec(cx->db, SQL_ADD,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(in->code),
                             DB_CSTR(in->name), DB_CSTR(in->address),
                             in->has_pos ? DB_DBL(in->lat) : DB_NULL,
                             in->has_pos ? DB_DBL(in->lng) : DB_NULL,
                             DB_CSTR(in->region), opt_id(in->supervisor_id),
                             DB_CSTR(in->format), opt_day(in->opened_on),
                             opt_day(in->closed_on)),
                     NULL, &last);
        id = (int64_t)last;
    } else {
        rc = db_exec(
            cx->db, SQL_UPDATE,
            DB_ARGS(DB_CSTR(in->code), DB_CSTR(in->name), DB_CSTR(in->address),
                    in->has_pos ? DB_DBL(in->lat) : DB_NULL,
                    in->has_pos ? DB_DBL(in->lng) : DB_NULL,
                    DB_CSTR(in->region), opt_id(in->supervisor_id),
                    DB_CSTR(in->format), opt_day(in->opened_on),
                    opt_day(in->closed_on), DB_I64(cx->tenant_id), DB_I64(id)),
            NULL, NULL);
    }
    if (rc == APP_ECONFLICT)
        cx->err_detail = "store.code_taken";
    if (rc == APP_OK)
        rc = sync_customer(cx, rd, id, customer_id, in);
    if (rc == APP_OK)
        rc = set_managers(cx, id, in);
    if (rc == APP_OK && audited)
        rc = audit(cx, last != 0 ? "store.create" : "store.update",
                   detail_of(in->code, in->name));
    if (out != NULL)
        *out = rc == APP_OK ? id : 0;
    return rc;
}

enum app_err
stores_count(struct ctx *cx, int64_t *n)
{
    struct db_res res;
    enum app_err rc = db_query(cx->db, cx->a, SQL_COUNT,
                               DB_ARGS(DB_I64(cx->tenant_id)), 1, &res);

    *n = rc == APP_OK ? db_int(&res, 0, 0, 0) : 0;
    return rc;
}

enum app_err
stores_create(struct ctx *cx, const struct store_input *in, int64_t *id)
{
    struct ruledesc rd;
    struct db_tx tx = DB_TX_INIT;
    int64_t n = 0;
    enum app_err rc;

    *id = 0;
    if (!stores_may_write(cx))
        return APP_EFORBIDDEN;
    rc = stores_count(cx, &n);
    if (rc == APP_OK && n >= STORES_MAX) {
        cx->err_detail = "store.too_many";
        rc = APP_ETOOBIG;
    }
    if (rc == APP_OK)
        rc = ruledesc_get(cx, &rd);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc))
        rc = stores_write(cx, &rd, 0, 0, in, true, id);
    return rc;
}

enum app_err
stores_update(struct ctx *cx, int64_t id, const struct store_input *in)
{
    struct ruledesc rd;
    struct db_res r;
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc;

    if (!stores_may_write(cx))
        return APP_EFORBIDDEN;
    rc = stores_get(cx, id, &r);
    if (rc == APP_OK)
        rc = ruledesc_get(cx, &rd);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc))
        rc = stores_write(cx, &rd, id, db_int(&r, 0, ST_CUSTOMER, 0), in, true,
                          NULL);
    return rc;
}

enum app_err
stores_close(struct ctx *cx, int64_t id, const char *closed_on)
{
    struct db_res r;
    struct db_tx tx = DB_TX_INIT;
    bool reopen = closed_on == NULL || closed_on[0] == '\0';
    int y, m, d;
    const char *opened;
    enum app_err rc;

    if (!stores_may_write(cx))
        return APP_EFORBIDDEN;
    rc = stores_get(cx, id, &r);
    if (rc != APP_OK)
        return rc;
    opened = db_text(&r, 0, ST_OPENED);
    if (!reopen && !parse_date(str_c(closed_on), &y, &m, &d)) {
        cx->err_detail = "store.bad_day";
        return APP_EVALIDATION;
    }
    if (!reopen && opened[0] != '\0' && strcmp(closed_on, opened) <= 0) {
        cx->err_detail = "store.closed_early";
        return APP_EVALIDATION;
    }
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_CLOSE,
                     DB_ARGS(reopen ? DB_NULL : DB_CSTR(closed_on),
                             DB_I64(cx->tenant_id), DB_I64(id)),
                     NULL, NULL);
        if (rc == APP_OK) {
            cJSON *det =
                detail_of(db_text(&r, 0, ST_CODE), db_text(&r, 0, ST_NAME));

            if (det != NULL && !reopen)
                cJSON_AddStringToObject(det, "closed_on", closed_on);
            rc = audit(cx, reopen ? "store.reopen" : "store.close", det);
        }
    }
    return rc;
}

/* Today (local) as the open-day bound of the queries. */
static const char *
today(struct ctx *cx)
{
    char day[16];

    tz_today(cx->tenant_tz != NULL ? cx->tenant_tz : "Asia/Shanghai", day,
             sizeof(day));
    return arena_strdup(cx->a, day);
}

enum app_err
stores_get(struct ctx *cx, int64_t id, struct db_res *out)
{
    struct db_val v[9];
    const char *t = today(cx);
    enum app_err rc;

    if (cx->tenant_id == 0 || t == NULL)
        return cx->tenant_id == 0 ? APP_ENOTFOUND : APP_ENOMEM;
    v[0] = DB_CSTR(t);
    v[1] = DB_CSTR(t);
    v[2] = DB_I64(cx->tenant_id);
    v[3] = DB_I64(id);
    stores_scope_args(cx, v + 4);
    rc = db_query(cx->db, cx->a, SQL_GET, v, 9, 1, out);
    return rc == APP_OK && out->nrows == 0 ? APP_ENOTFOUND : rc;
}

enum app_err
stores_list(struct ctx *cx, const struct store_filter *f, size_t max,
            struct db_res *out)
{
    struct db_val v[22];
    const char *t = today(cx), *q = f->q != NULL ? f->q : "";
    const char *like = q[0] != '\0' ? wire_like_contains(cx->a, str_c(q)) : "";
    size_t n = 0;

    if (t == NULL || like == NULL)
        return APP_ENOMEM;
    if (max > STORES_EXPORT_MAX)
        max = STORES_EXPORT_MAX;
    v[n++] = DB_CSTR(t);
    v[n++] = DB_CSTR(t);
    v[n++] = DB_I64(cx->tenant_id);
    stores_scope_args(cx, v + n);
    n += 5;
    v[n++] = DB_CSTR(q);
    v[n++] = DB_CSTR(like);
    v[n++] = DB_CSTR(like);
    v[n++] = DB_CSTR(like);
    v[n++] = DB_CSTR(f->region != NULL ? f->region : "");
    v[n++] = DB_CSTR(f->region != NULL ? f->region : "");
    v[n++] = DB_I64(f->supervisor);
    v[n++] = DB_I64(f->supervisor);
    v[n++] = DB_I64(f->active);
    v[n++] = DB_CSTR(t);
    v[n++] = DB_CSTR(t);
    v[n++] = DB_I64(f->active);
    v[n++] = DB_I64((int64_t)max);
    return db_query(cx->db, cx->a, SQL_LIST, v, n, max, out);
}

enum app_err
stores_regions(struct ctx *cx, struct db_res *out)
{
    struct db_val v[6];

    v[0] = DB_I64(cx->tenant_id);
    stores_scope_args(cx, v + 1);
    return db_query(cx->db, cx->a, SQL_REGIONS, v, 6, 1000, out);
}

enum app_err
stores_supervisors(struct ctx *cx, struct db_res *out)
{
    int64_t all = (cx->role & ROLE_ADMIN) ? 1 : 0;

    return db_query(cx->db, cx->a, SQL_SUPERVISORS,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all),
                            DB_I64(cx->tenant_id), DB_I64(cx->user_id)),
                    1000, out);
}

/*
 * stores.c -- the store network: the check of a store's fields, its
 * writes (with its customer record and managers) and its lists
 * (stores.h).  The CSV import is in stores_import.c.
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
static const char SQL_PEOPLE[] =
    "SELECT u.id, u.login, u.role, u.active, (? = 1 OR u.id IN (SELECT "
    "descendant_id FROM user_tree WHERE tenant_id = ? AND ancestor_id = ?)) "
    "FROM users u WHERE u.tenant_id = ? ORDER BY u.id LIMIT ?";
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

/* The store's format as people write it. */
static const struct {
    const char *key;
    const char *names[5];
} FORMATS[] = {
    { "direct", { "direct", "直营", "直营店", "自营", NULL } },
    { "franchise", { "franchise", "加盟", "加盟店", NULL } },
};

bool
stores_may_write(const struct ctx *cx)
{
    return (cx->role & (ROLE_ADMIN | ROLE_MANAGER)) != 0;
}

static bool
code_ok(struct str s)
{
    size_t i;

    if (s.len == 0 || s.len > STORE_CODE_MAX)
        return false;
    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

enum app_err
stores_people_load(struct ctx *cx, struct store_people *p)
{
    struct db_res res;
    /* Admins and work without a user (0) give stores to anyone; a manager to
     * the people of their team. */
    int64_t all = (cx->role & ROLE_ADMIN) || cx->user_id == 0 ? 1 : 0;
    int64_t root = cx->user_id;
    enum app_err rc;

    rc = db_query(cx->db, cx->a, SQL_PEOPLE,
                  DB_ARGS(DB_I64(all), DB_I64(cx->tenant_id), DB_I64(root),
                          DB_I64(cx->tenant_id), DB_I64(STORES_PEOPLE_MAX)),
                  STORES_PEOPLE_MAX, &res);
    if (rc != APP_OK)
        return rc;
    p->res = res;
    p->loaded = true;
    return APP_OK;
}

/* The row of the user named by s (an id or a login), or -1. */
static long
person_of(const struct store_people *p, struct str s)
{
    int64_t id = 0;
    size_t i;
    bool by_id = parse_i64(s, 1, INT64_MAX, &id);

    for (i = 0; i < p->res.nrows; i++) {
        if (by_id ? db_int(&p->res, i, 0, 0) == id
                  : str_eq_nocase(s, str_c(db_text(&p->res, i, 1))))
            return (long)i;
    }
    return -1;
}

/* The supervisor field: empty, or an active supervisor or manager the
 * actor may give stores to. */
static const char *
check_supervisor(const struct ctx *cx, const struct store_people *p,
                 struct str s, int64_t *out)
{
    long i;
    const char *role;

    *out = 0;
    if (s.len == 0)
        return (cx->role & ROLE_ADMIN) || cx->user_id == 0
                   ? NULL
                   : "store.supervisor_required";
    i = person_of(p, s);
    if (i < 0)
        return "store.bad_supervisor";
    role = db_text(&p->res, (size_t)i, 2);
    if (db_int(&p->res, (size_t)i, 3, 0) != 1 ||
        (strcmp(role, "supervisor") != 0 && strcmp(role, "manager") != 0) ||
        (cx->user_id != 0 && db_int(&p->res, (size_t)i, 4, 0) != 1))
        return "store.bad_supervisor";
    *out = db_int(&p->res, (size_t)i, 0, 0);
    return NULL;
}

/* The next name of a list of logins ("a, b；c、d e"). */
static bool
next_name(struct str *rest, struct str *name)
{
    static const char *const seps[] = { ",",  ";",  " ",  "\t",
                                        "，", "；", "、", NULL };
    size_t i, k;

    for (;;) {
        bool sep = false;

        for (k = 0; seps[k] != NULL && rest->len > 0; k++) {
            size_t n = strlen(seps[k]);

            if (rest->len >= n && memcmp(rest->p, seps[k], n) == 0) {
                rest->p += n;
                rest->len -= n;
                sep = true;
                break;
            }
        }
        if (!sep)
            break;
    }
    if (rest->len == 0)
        return false;
    for (i = 0; i < rest->len; i++) {
        bool at_sep = false;

        for (k = 0; seps[k] != NULL && !at_sep; k++) {
            size_t n = strlen(seps[k]);

            at_sep = rest->len - i >= n && memcmp(rest->p + i, seps[k], n) == 0;
        }
        if (at_sep)
            break;
    }
    *name = (struct str){ rest->p, i };
    rest->p += i;
    rest->len -= i;
    return true;
}

/* The managers field: logins (or ids) of active store managers. */
APP_MUST_USE static enum app_err
check_managers(struct ctx *cx, const struct store_people *p, struct str s,
               struct store_input *in, cJSON *errors)
{
    struct str rest = s, name;

    while (next_name(&rest, &name)) {
        long i = person_of(p, name);
        int64_t id;
        size_t k;

        if (i < 0 || db_int(&p->res, (size_t)i, 3, 0) != 1 ||
            strcmp(db_text(&p->res, (size_t)i, 2), "store_manager") != 0) {
            cJSON *e = cJSON_AddObjectToObject(errors, "managers");

            cJSON_AddStringToObject(e, "key", "store.bad_manager");
            cJSON_AddStringToObject(e, "name", arena_str(cx->a, name).p);
            return APP_EVALIDATION;
        }
        id = db_int(&p->res, (size_t)i, 0, 0);
        for (k = 0; k < in->nmanagers && in->managers[k] != id; k++)
            ;
        if (k < in->nmanagers)
            continue; /* named twice */
        if (in->nmanagers == STORE_MANAGERS_MAX) {
            cJSON *e = cJSON_AddObjectToObject(errors, "managers");

            cJSON_AddStringToObject(e, "key", "store.too_many_managers");
            cJSON_AddNumberToObject(e, "n", STORE_MANAGERS_MAX);
            return APP_EVALIDATION;
        }
        in->managers[in->nmanagers++] = id;
    }
    return APP_OK;
}

/* lat and lng: both or neither, in range. */
static bool
check_position(const struct field_val *lat, const struct field_val *lng,
               struct store_input *in, cJSON *errors)
{
    bool ok = true;

    in->has_pos = false;
    if (lat->s.len == 0 && lng->s.len == 0)
        return true;
    if (!parse_decimal(lat->s, 3, 8, &in->lat) || in->lat < -90 ||
        in->lat > 90) {
        cJSON_AddStringToObject(errors, "lat", "store.bad_lat");
        ok = false;
    }
    if (!parse_decimal(lng->s, 3, 8, &in->lng) || in->lng < -180 ||
        in->lng > 180) {
        cJSON_AddStringToObject(errors, "lng", "store.bad_lng");
        ok = false;
    }
    in->has_pos = ok;
    return ok;
}

/* A day field: "" or "YYYY-MM-DD" (also "YYYY/MM/DD", as spreadsheets
 * write it), stored as "YYYY-MM-DD". */
static bool
check_day(struct ctx *cx, const char *name, struct str s, const char **out,
          cJSON *errors)
{
    int y, m, d;
    char *t;

    *out = "";
    if (s.len == 0)
        return true;
    t = arena_strndup(cx->a, s.p, s.len);
    if (t == NULL)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (t[i] == '/')
            t[i] = '-';
    if (!parse_date(str_c(t), &y, &m, &d)) {
        cJSON_AddStringToObject(errors, name, "store.bad_day");
        return false;
    }
    *out = arena_printf(cx->a, "%04d-%02d-%02d", y, m, d);
    return *out != NULL;
}

enum app_err
stores_check_with(struct ctx *cx, struct store_people *people,
                  const struct kvlist *f, struct store_input *in, cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "code", V_LINE, true, 1, STORE_CODE_MAX, NULL },
        { "name", V_LINE, true, 1, STORE_NAME_MAX, NULL },
        { "address", V_LINE, false, 0, STORE_ADDRESS_MAX, NULL },
        { "lat", V_LINE, false, 0, 16, NULL },
        { "lng", V_LINE, false, 0, 16, NULL },
        { "region", V_LINE, false, 0, STORE_REGION_MAX, NULL },
        { "supervisor", V_LINE, false, 0, 64, NULL },
        { "format", V_LINE, false, 0, 16, NULL },
        { "opened_on", V_LINE, false, 0, 10, NULL },
        { "closed_on", V_LINE, false, 0, 10, NULL },
        { "managers", V_LINE, false, 0, 1000, NULL },
    };
    struct field_val v[11];
    const char *problem;
    size_t k, j;
    enum app_err rc = validate_fields(&cx->err_detail, f, spec, 11, v, errors);
    bool ok = rc == APP_OK;

    if (rc != APP_OK && rc != APP_EVALIDATION)
        return rc;
    memset(in, 0, sizeof(*in));
    for (k = 0; k < 11; k++)
        if (!v[k].present)
            v[k].s = STR_LIT("");
    in->code = arena_str(cx->a, v[0].s).p;
    in->name = arena_str(cx->a, v[1].s).p;
    in->address = arena_str(cx->a, v[2].s).p;
    in->region = arena_str(cx->a, v[5].s).p;
    if (v[0].present && !code_ok(v[0].s)) {
        cJSON_AddStringToObject(errors, "code", "store.bad_code");
        ok = false;
    }
    if (!cJSON_HasObjectItem(errors, "lat") &&
        !cJSON_HasObjectItem(errors, "lng"))
        ok = check_position(&v[3], &v[4], in, errors) && ok;
    in->format = v[7].s.len == 0 ? "direct" : NULL;
    for (k = 0; in->format == NULL && k < 2; k++)
        for (j = 0; FORMATS[k].names[j] != NULL; j++)
            if (str_eq_nocase(v[7].s, str_c(FORMATS[k].names[j])))
                in->format = FORMATS[k].key;
    if (in->format == NULL) {
        cJSON_AddStringToObject(errors, "format", "store.bad_format");
        in->format = "direct";
        ok = false;
    }
    ok = check_day(cx, "opened_on", v[8].s, &in->opened_on, errors) && ok;
    ok = check_day(cx, "closed_on", v[9].s, &in->closed_on, errors) && ok;
    if (in->opened_on[0] != '\0' && in->closed_on[0] != '\0' &&
        strcmp(in->closed_on, in->opened_on) <= 0) {
        cJSON_AddStringToObject(errors, "closed_on", "store.closed_early");
        ok = false;
    }
    if (!people->loaded) {
        rc = stores_people_load(cx, people);
        if (rc != APP_OK)
            return rc;
    }
    problem = check_supervisor(cx, people, v[6].s, &in->supervisor_id);
    if (problem != NULL) {
        cJSON_AddStringToObject(errors, "supervisor", problem);
        ok = false;
    }
    rc = check_managers(cx, people, v[10].s, in, errors);
    if (rc == APP_EVALIDATION)
        ok = false;
    else if (rc != APP_OK)
        return rc;
    if (!ok)
        cx->err_detail = "validate.failed";
    return ok ? APP_OK : APP_EVALIDATION;
}

enum app_err
stores_check(struct ctx *cx, const struct kvlist *f, struct store_input *in,
             cJSON *errors)
{
    struct store_people people = { 0 };

    return stores_check_with(cx, &people, f, in, errors);
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

/*
 * customers.c -- customers in MariaDB, always within the user's scope.
 */
#include "sales/customers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "identity/access.h"
#include "db/audit.h"
#include "base/tz.h"
#include "identity/users.h"
#include "base/wire.h"
#include "db/db.h"
#include "identity/role.h"

/* The user's scope: admins see the tenant, everyone else the subtree of
 * users under them (themselves included). */
#define SCOPE CUSTOMERS_SQL_SCOPE
#define CUSTOMER_COLS CUSTOMERS_SQL_COLS
#define CUSTOMER_FROM CUSTOMERS_SQL_FROM

static const char SQL_TIMELINE[] =
    "SELECT * FROM ("
    "SELECT 'stage' AS t, s.at AS at, COALESCE(s.from_stage, '') AS a, "
    "s.to_stage AS b, s.code AS c, COALESCE(s.lost_reason, '') AS d, "
    "COALESCE(u.display_name, '') AS who, s.id AS id, s.rule_version AS n, "
    "s.note AS note "
    "FROM stage_events s LEFT JOIN users u ON u.id = s.by_user "
    "AND u.tenant_id = s.tenant_id "
    "WHERE s.tenant_id = ? AND s.customer_id = ? "
    "UNION ALL "
    "SELECT 'evidence', e.created_at, e.ev_key, e.kind, "
    "COALESCE(e.file_id, 0), IF(e.removed_at IS NULL, '', 'removed'), "
    "COALESCE(u.display_name, ''), e.id, COALESCE(e.used_in, 0), e.note "
    "FROM evidence e LEFT JOIN users u ON u.id = e.created_by "
    "AND u.tenant_id = e.tenant_id "
    "WHERE e.tenant_id = ? AND e.customer_id = ? "
    "UNION ALL "
    "SELECT 'contact', CAST(ce.happened_on AS DATETIME(3)), k.name, "
    "ce.kind, ce.text, ce.consensus, COALESCE(u.display_name, ''), ce.id, 0, "
    "'' FROM contact_events ce JOIN contacts k ON k.id = ce.contact_id "
    "AND k.tenant_id = ce.tenant_id LEFT JOIN users u ON "
    "u.id = ce.created_by AND u.tenant_id = ce.tenant_id "
    "WHERE ce.tenant_id = ? AND ce.customer_id = ? "
    "UNION ALL "
    "SELECT 'contact_added', k.created_at, k.name, k.role, k.title, '', '', "
    "k.id, 0, '' FROM contacts k WHERE k.tenant_id = ? AND k.customer_id = ? "
    "UNION ALL "
    "SELECT 'activity', a.at, a.kind, IF(a.status = 'open', 'open', "
    "IF(a.effective, 'effective', 'not_effective')), a.missing, "
    "COALESCE(a.visit_type, ''), COALESCE(u.display_name, ''), a.id, "
    "COALESCE(a.rule_version, 0), IF(a.need <> '', a.need, a.content) "
    "FROM activities a LEFT JOIN users u ON u.id = a.rep_id AND "
    "u.tenant_id = a.tenant_id WHERE a.tenant_id = ? AND a.customer_id = ?"
    ") x ORDER BY at DESC, id DESC LIMIT ?";

static const char SQL_NAME_KEYS[] =
    "SELECT name_key FROM customers WHERE tenant_id = ?";

static const char SQL_GET[] = "SELECT " CUSTOMER_COLS CUSTOMER_FROM
                              "WHERE c.tenant_id = ? AND c.id = ? AND " SCOPE;
static const char SQL_GET_LOCK[] =
    "SELECT " CUSTOMER_COLS CUSTOMER_FROM "WHERE c.tenant_id = ? AND c.id = ? "
    "AND " SCOPE " FOR UPDATE";
static const char SQL_LOCK[] =
    "SELECT id FROM customers WHERE tenant_id = ? AND id = ? FOR UPDATE";
static const char SQL_CREATE[] =
    "INSERT INTO customers (tenant_id, name, name_key, kind, owner_id, stage, "
    "stage_since, city, address, phone, amount, note, last_activity_at, "
    "created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
    "?, UTC_TIMESTAMP(3), ?, ?, ?, ?, ?, UTC_TIMESTAMP(3), ?, ?, "
    "UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))";
static const char SQL_CREATED_EVENT[] =
    "INSERT INTO stage_events (tenant_id, customer_id, from_stage, to_stage, "
    "by_user, code, rule_version, via) VALUES (?, ?, NULL, ?, ?, 'created', "
    "?, ?)";
/* A store's customer stays one, and no customer becomes one by an edit:
 * stores are made by the store network (stores.h). */
static const char SQL_UPDATE[] =
    "UPDATE customers SET name = ?, name_key = ?, kind = IF(kind = 'store' "
    "OR ? = 'store', kind, ?), city = ?, "
    "address = ?, phone = ?, amount = ?, note = ?, version = version + 1, "
    "updated_at = UTC_TIMESTAMP(3), updated_by = ? "
    "WHERE tenant_id = ? AND id = ? AND version = ?";
static const char SQL_STORE_SYNC[] =
    "UPDATE customers SET name = ?, name_key = ?, address = ?, "
    "lat = IF(? = 1, ?, lat), lng = IF(? = 1, ?, lng), location_source = "
    "IF(? = 1, 'store', location_source), owner_id = IF(? = 0, owner_id, "
    "?), version = version + 1, updated_at = UTC_TIMESTAMP(3), updated_by = "
    "? WHERE tenant_id = ? AND id = ? AND kind = 'store'";
static const char SQL_STORE_PLACE[] =
    "UPDATE customers SET lat = ?, lng = ?, location_source = 'store' "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_OWNER[] =
    "UPDATE customers SET owner_id = ?, version = version + 1, "
    "updated_at = UTC_TIMESTAMP(3), updated_by = ? "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_CONTACTS_TEXT[] =
    "UPDATE customers SET contacts_text = (SELECT LEFT(COALESCE("
    "GROUP_CONCAT(CONCAT(name, ' ', phone) SEPARATOR ' '), ''), 2000) "
    "FROM contacts WHERE tenant_id = ? AND customer_id = ? AND active = 1) "
    "WHERE tenant_id = ? AND id = ?";
/* Exact (folded) names anywhere in the company; looser matches only in
 * the user's scope, so the check cannot be used to list other teams'
 * customers. */
static const char SQL_SIMILAR[] =
    "SELECT c.id, c.name, u.display_name, " SCOPE " FROM customers c "
    "JOIN users u ON u.id = c.owner_id AND u.tenant_id = c.tenant_id "
    "WHERE c.tenant_id = ? AND c.id <> ? AND (c.name_key = ? OR (" SCOPE
    " AND ((CHAR_LENGTH(?) >= 2 AND c.name_key LIKE ?) OR "
    "(CHAR_LENGTH(c.name_key) >= 2 AND ? LIKE CONCAT('%', c.name_key, "
    "'%'))))) ORDER BY c.name_key = ? DESC, c.id LIMIT 5";

bool
customers_is_store(const struct customer *c)
{
    return c->kind != NULL && strcmp(c->kind, CUSTOMER_KIND_STORE) == 0;
}

void
customers_row(const struct db_res *res, size_t row, struct customer *c)
{
    c->id = db_int(res, row, 0, 0);
    c->owner_id = db_int(res, row, 1, 0);
    c->version = db_int(res, row, 2, 0);
    c->name = db_text(res, row, 3);
    c->kind = db_text(res, row, 4);
    c->stage = db_text(res, row, 5);
    c->stage_since = db_text(res, row, 6);
    c->lost_reason = db_text(res, row, 7);
    c->city = db_text(res, row, 8);
    c->address = db_text(res, row, 9);
    c->phone = db_text(res, row, 10);
    c->amount = db_text(res, row, 11);
    c->note = db_text(res, row, 12);
    c->last_activity_at = db_text(res, row, 13);
    c->created_at = db_text(res, row, 14);
    c->updated_at = db_text(res, row, 15);
    c->owner_name = db_text(res, row, 16);
    c->updated_by_name = db_text(res, row, 17);
    c->loss_focus = db_text(res, row, 18);
}

enum app_err
customers_get(struct ctx *cx, int64_t id, bool for_update, struct customer *c)
{
    struct db_res res;
    int64_t root, all;
    enum app_err rc;

    access_scope(cx, &root, &all);
    rc = db_query(cx->db, cx->a, for_update ? SQL_GET_LOCK : SQL_GET,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(all),
                          DB_I64(cx->tenant_id), DB_I64(root)),
                  1, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    customers_row(&res, 0, c);
    return APP_OK;
}

static struct db_val
amount_val(struct str amount)
{
    return amount.len > 0 ? DB_STR(amount) : DB_NULL;
}

enum app_err
customers_create(struct ctx *cx, const struct customer_input *in, int64_t owner,
                 const char *stage, int rule_version, const char *via,
                 int64_t *id)
{
    char key[CUSTOMER_KEY_MAX * 4 + 1];
    uint64_t last = 0;
    enum app_err rc;

    customers_name_key(in->name, key, sizeof(key));
    rc = db_exec(cx->db, SQL_CREATE,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_STR(in->name), DB_CSTR(key),
                         DB_STR(in->kind), DB_I64(owner), DB_CSTR(stage),
                         DB_STR(in->city), DB_STR(in->address),
                         DB_STR(in->phone), amount_val(in->amount),
                         DB_STR(in->note), DB_I64(cx->user_id),
                         DB_I64(cx->user_id)),
                 NULL, &last);
    if (rc != APP_OK)
        return rc;
    *id = (int64_t)last;
    rc = db_exec(cx->db, SQL_CREATED_EVENT,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(*id), DB_CSTR(stage),
                         DB_I64(cx->user_id), DB_I64(rule_version),
                         DB_CSTR(via)),
                 NULL, NULL);
    /* An import is audited once, by its commit (import.commit, with the
     * count); each customer's history says it came by import.  A row per
     * customer would make a 10k-row import a third slower. */
    if (rc == APP_OK && strcmp(via, "import") != 0) {
        cJSON *d = cJSON_CreateObject();

        if (d == NULL)
            return APP_ENOMEM;
        cJSON_AddNumberToObject(d, "customer", (double)*id);
        cJSON_AddNumberToObject(d, "owner", (double)owner);
        cJSON_AddStringToObject(d, "via", via);
        rc = audit_write(cx, cx->tenant_id, cx->user_id, 0, "customer.create",
                         d);
        cJSON_Delete(d);
    }
    return rc;
}

enum app_err
customers_store_sync(struct ctx *cx, const struct customer_place *p,
                     const char *stage, int rule_version, int64_t *id)
{
    char key[CUSTOMER_KEY_MAX * 4 + 1];
    struct customer_input in;
    uint64_t affected = 0;
    enum app_err rc;

    if (*id == 0) {
        memset(&in, 0, sizeof(in));
        in.name = str_c(p->name);
        in.kind = STR_LIT("store");
        in.address = str_c(p->address);
        rc = customers_create(cx, &in, p->owner, stage, rule_version, "store",
                              id);
        if (rc == APP_OK && p->has_pos)
            rc = db_exec(cx->db, SQL_STORE_PLACE,
                         DB_ARGS(DB_DBL(p->lat), DB_DBL(p->lng),
                                 DB_I64(cx->tenant_id), DB_I64(*id)),
                         NULL, NULL);
        return rc;
    }
    rc = customers_lock(cx, *id);
    if (rc != APP_OK)
        return rc;
    customers_name_key(str_c(p->name), key, sizeof(key));
    rc = db_exec(cx->db, SQL_STORE_SYNC,
                 DB_ARGS(DB_CSTR(p->name), DB_CSTR(key), DB_CSTR(p->address),
                         DB_I64(p->has_pos), DB_DBL(p->lat), DB_I64(p->has_pos),
                         DB_DBL(p->lng), DB_I64(p->has_pos), DB_I64(p->owner),
                         DB_I64(p->owner), DB_I64(cx->user_id),
                         DB_I64(cx->tenant_id), DB_I64(*id)),
                 &affected, NULL);
    /* Nothing changed reads as 0 rows with CLIENT_FOUND_ROWS off; the
     * version bump makes every matching row change. */
    return rc == APP_OK && affected != 1 ? APP_ENOTFOUND : rc;
}

enum app_err
customers_lock(struct ctx *cx, int64_t id)
{
    struct db_res res;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_LOCK,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &res);

    if (rc == APP_OK && res.nrows == 0)
        rc = APP_ENOTFOUND;
    return rc;
}

enum app_err
customers_update(struct ctx *cx, int64_t id, int64_t version,
                 const struct customer_input *in)
{
    char key[CUSTOMER_KEY_MAX * 4 + 1];
    uint64_t affected = 0;
    enum app_err rc = customers_lock(cx, id);

    if (rc != APP_OK)
        return rc;
    customers_name_key(in->name, key, sizeof(key));
    rc =
        db_exec(cx->db, SQL_UPDATE,
                DB_ARGS(DB_STR(in->name), DB_CSTR(key), DB_STR(in->kind),
                        DB_STR(in->kind), DB_STR(in->city), DB_STR(in->address),
                        DB_STR(in->phone), amount_val(in->amount),
                        DB_STR(in->note), DB_I64(cx->user_id),
                        DB_I64(cx->tenant_id), DB_I64(id), DB_I64(version)),
                &affected, NULL);
    if (rc != APP_OK)
        return rc;
    return affected == 1 ? APP_OK : APP_ECONFLICT;
}

enum app_err
customers_owner_ok(struct ctx *cx, int64_t owner)
{
    struct user u;
    enum app_err rc;

    if (owner == cx->user_id)
        return APP_OK;
    if (!role_can_manage(cx->role))
        return APP_EFORBIDDEN;
    rc = access_user(cx, owner);
    if (rc == APP_OK)
        rc = users_get(cx->db, cx->a, cx->tenant_id, owner, &u);
    if (rc == APP_OK && !u.active)
        rc = APP_ENOTFOUND;
    return rc;
}

enum app_err
customers_set_owner(struct ctx *cx, int64_t id, int64_t owner)
{
    enum app_err rc = customers_lock(cx, id);

    if (rc != APP_OK)
        return rc;
    return db_exec(cx->db, SQL_OWNER,
                   DB_ARGS(DB_I64(owner), DB_I64(cx->user_id),
                           DB_I64(cx->tenant_id), DB_I64(id)),
                   NULL, NULL);
}

enum app_err
customers_refresh_contacts_text(struct ctx *cx, int64_t id)
{
    return db_exec(cx->db, SQL_CONTACTS_TEXT,
                   DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id),
                           DB_I64(cx->tenant_id), DB_I64(id)),
                   NULL, NULL);
}

/* --- duplicate detection -------------------------------------------------- */

static bool
ignorable(unsigned cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
                 (cp >= 'A' && cp <= 'Z') || cp >= 0x80);
    return cp == 0x3000 ||                   /* ideographic space */
           (cp >= 0x3001 && cp <= 0x3011) || /* 、。〃 brackets */
           (cp >= 0x2010 && cp <= 0x2027) || /* dashes, quotes, … */
           cp == 0x00b7 || cp == 0x30fb ||   /* middle dots */
           (cp >= 0xff01 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
           (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65);
}

/* cp as UTF-8 into out when it fits in room bytes; returns the bytes
 * written (0: it does not fit). */
static size_t
put_utf8(char *out, size_t room, unsigned cp)
{
    char enc[4];
    size_t n = utf8_put(enc, cp);

    if (n > room)
        return 0;
    memcpy(out, enc, n);
    return n;
}

void
customers_name_key(struct str name, char *out, size_t outlen)
{
    static const char *const suffixes[] = {
        "股份有限公司", "有限责任公司", "有限公司", "公司", "coltd",
        "co",           "ltd",          "inc",      "llc",  NULL,
    };
    const unsigned char *p = (const unsigned char *)name.p;
    size_t i = 0, o = 0, k;

    if (outlen == 0)
        return;
    while (i < name.len) {
        /* Names are validated UTF-8; a stray byte would stand for
         * itself. */
        struct utf8_char c = utf8_next(p + i, name.len - i);
        unsigned cp = c.ok ? c.cp : p[i];

        i += c.ok ? c.len : 1;
        if (cp >= 0xff10 && cp <= 0xff5a && !(cp >= 0xff1a && cp <= 0xff20) &&
            !(cp >= 0xff3b && cp <= 0xff40))
            cp -= 0xfee0; /* full-width letters and digits */
        if (ignorable(cp))
            continue;
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        o += put_utf8(out + o, outlen - 1 - o, cp);
    }
    out[o] = '\0';
    /* One company suffix at the end does not make a different name. */
    for (k = 0; suffixes[k] != NULL; k++) {
        size_t sl = strlen(suffixes[k]);

        if (o > sl && memcmp(out + o - sl, suffixes[k], sl) == 0) {
            o -= sl;
            out[o] = '\0';
            break;
        }
    }
}

enum app_err
customers_similar(struct ctx *cx, struct str name, int64_t exclude,
                  struct db_res *out)
{
    char key[CUSTOMER_KEY_MAX * 4 + 1];
    const char *like;
    int64_t root, all;

    customers_name_key(name, key, sizeof(key));
    if (key[0] == '\0') {
        memset(out, 0, sizeof(*out));
        return APP_OK;
    }
    /* The key holds no LIKE wildcards: punctuation is folded away. */
    like = arena_printf(cx->a, "%%%s%%", key);
    access_scope(cx, &root, &all);
    return db_query(cx->db, cx->a, SQL_SIMILAR,
                    DB_ARGS(DB_I64(all), DB_I64(cx->tenant_id), DB_I64(root),
                            DB_I64(cx->tenant_id), DB_I64(exclude),
                            DB_CSTR(key), DB_I64(all), DB_I64(cx->tenant_id),
                            DB_I64(root), DB_CSTR(key), DB_CSTR(like),
                            DB_CSTR(key), DB_CSTR(key)),
                    5, out);
}

enum app_err
customers_same_name(struct ctx *cx, struct str name, int64_t *id,
                    bool *elsewhere)
{
    char key[CUSTOMER_KEY_MAX * 4 + 1], other[CUSTOMER_KEY_MAX * 4 + 1];
    struct db_res res;
    size_t i, n = 0;
    enum app_err rc = customers_similar(cx, name, 0, &res);

    *id = 0;
    *elsewhere = false;
    if (rc != APP_OK)
        return rc;
    customers_name_key(name, key, sizeof(key));
    for (i = 0; i < res.nrows; i++) {
        customers_name_key(str_c(db_text(&res, i, 1)), other, sizeof(other));
        if (strcmp(key, other) != 0)
            continue;
        if (db_int(&res, i, 3, 0) == 0) {
            *elsewhere = true;
            continue;
        }
        *id = db_int(&res, i, 0, 0);
        n++;
    }
    return n == 1 ? APP_OK : n == 0 ? APP_ENOTFOUND : APP_ECONFLICT;
}

/* --- lists ---------------------------------------------------------------- */

#define HEALTH_EXPR                                                            \
    "(CASE WHEN FIND_IN_SET(c.stage, ?) > 0 THEN 'none' "                      \
    "WHEN c.last_activity_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY "            \
    "THEN 'green' WHEN c.last_activity_at >= UTC_TIMESTAMP(3) - "              \
    "INTERVAL ? DAY THEN 'amber' ELSE 'red' END)"

/* The filters touch customers only, so the sort and the page are taken
 * from customers alone (an index on (tenant_id, sort column) can stop
 * after one page); the owners' names are joined to that page only. */
/* The user's scope in lists, in two forms with the same arguments (all,
 * tenant, root): for admins a constant, for everyone else a plain IN that
 * the optimizer can turn into a semi-join driven by the owners' index (an
 * "? = 1 OR ..." form would make it test every row). */
#define SCOPE_ALL "(? = 1 AND ? > 0 AND ? > 0)"
#define SCOPE_TEAM                                                             \
    "(? = 0 AND c.owner_id IN (SELECT descendant_id FROM user_tree "           \
    "WHERE tenant_id = ? AND ancestor_id = ?))"

#define LIST_FROM(scope)                                                       \
    " FROM customers c "                                                       \
    "WHERE c.tenant_id = ? AND " scope " AND (? = '' OR c.stage = ?) "         \
    "AND (? = 0 OR c.owner_id = ?) "                                           \
    "AND (? = 0 OR c.owner_id IN (SELECT descendant_id FROM user_tree "        \
    "WHERE tenant_id = ? AND ancestor_id = ?)) "                               \
    "AND (? = '' OR c.kind = ?) AND (? = 0 OR c.kind <> 'store') "             \
    "AND (? = 0 OR c.last_activity_at IS NULL OR "                             \
    "c.last_activity_at < UTC_TIMESTAMP(3) - INTERVAL ? DAY) "                 \
    "AND (? = '' OR c.name LIKE ? OR c.contacts_text LIKE ? "                  \
    "OR c.phone LIKE ?) AND (? = '' OR " HEALTH_EXPR " = ?)"

#define LIST_SQL(scope, order)                                                 \
    "SELECT c.id, c.name, c.kind, c.stage, c.stage_since, c.owner_id, "        \
    "u.display_name, c.city, COALESCE(c.last_activity_at, ''), "               \
    "COALESCE(c.amount, ''), c.version, c.health, c.phone, c.address, "        \
    "COALESCE(c.lost_reason, ''), c.created_at FROM (SELECT c.id, "            \
    "c.tenant_id, "                                                            \
    "c.name, c.name_key, c.kind, c.stage, c.stage_since, c.owner_id, c.city, " \
    "c.last_activity_at, c.amount, c.version, c.phone, c.address, "            \
    "c.lost_reason, c.created_at, c.updated_at, " HEALTH_EXPR                  \
    " AS health" LIST_FROM(scope) " ORDER BY " order " LIMIT ? OFFSET ?) c "   \
                                  "JOIN users u ON u.id = c.owner_id AND "     \
                                  "u.tenant_id = c.tenant_id "                 \
                                  "ORDER BY " order

#define LIST_SORTS(scope)                                                      \
    {                                                                          \
        [CS_UPDATED] = { LIST_SQL(scope, "c.updated_at, c.id"),                \
                         LIST_SQL(scope, "c.updated_at DESC, c.id DESC") },    \
        [CS_NAME] = { LIST_SQL(scope, "c.name_key, c.id"),                     \
                      LIST_SQL(scope, "c.name_key DESC, c.id DESC") },         \
        [CS_STAGE_SINCE] = { LIST_SQL(scope, "c.stage_since, c.id"),           \
                             LIST_SQL(scope,                                   \
                                      "c.stage_since DESC, c.id DESC") },      \
        [CS_ACTIVITY] = { LIST_SQL(scope, "c.last_activity_at, c.id"),         \
                          LIST_SQL(scope,                                      \
                                   "c.last_activity_at DESC, c.id DESC") },    \
        [CS_CREATED] = { LIST_SQL(scope, "c.created_at, c.id"),                \
                         LIST_SQL(scope, "c.created_at DESC, c.id DESC") },    \
        [CS_AMOUNT] = { LIST_SQL(scope, "c.amount, c.id"),                     \
                        LIST_SQL(scope, "c.amount DESC, c.id DESC") },         \
    }

/* [0]: a team's scope, [1]: the whole tenant (admins). */
static const char *const LIST_BY[2][CS_COUNT][2] = {
    LIST_SORTS(SCOPE_TEAM),
    LIST_SORTS(SCOPE_ALL),
};
static const char *const SQL_COUNT[2] = {
    "SELECT COUNT(*), COALESCE(SUM(c.amount), 0)" LIST_FROM(SCOPE_TEAM),
    "SELECT COUNT(*), COALESCE(SUM(c.amount), 0)" LIST_FROM(SCOPE_ALL),
};

#define WHERE_ARGS 25

/* The arguments of LIST_FROM, in order. */
static void
where_args(struct ctx *cx, const struct ruledesc *rd,
           const struct customer_filter *f, struct db_val *v)
{
    int64_t root, all;
    const char *like = "";
    size_t n = 0;

    access_scope(cx, &root, &all);
    /* Out of memory the search matches nothing rather than everything. */
    if (f->q.len > 0)
        like = wire_like_contains(cx->a, f->q);
    if (like == NULL)
        like = "";
    v[n++] = DB_I64(cx->tenant_id);
    v[n++] = DB_I64(all);
    v[n++] = DB_I64(cx->tenant_id);
    v[n++] = DB_I64(root);
    v[n++] = DB_CSTR(f->stage);
    v[n++] = DB_CSTR(f->stage);
    v[n++] = DB_I64(f->owner);
    v[n++] = DB_I64(f->owner);
    v[n++] = DB_I64(f->team);
    v[n++] = DB_I64(cx->tenant_id);
    v[n++] = DB_I64(f->team);
    v[n++] = DB_CSTR(f->kind);
    v[n++] = DB_CSTR(f->kind);
    v[n++] = DB_I64(f->pipeline ? 1 : 0);
    v[n++] = DB_I64(f->stale_days);
    v[n++] = DB_I64(f->stale_days);
    v[n++] = DB_CSTR(f->q.len > 0 ? "q" : "");
    v[n++] = DB_CSTR(like);
    v[n++] = DB_CSTR(like);
    v[n++] = DB_CSTR(like);
    v[n++] = DB_CSTR(f->health);
    v[n++] = DB_CSTR(ruledesc_closed_csv(cx, rd));
    v[n++] = DB_I64(ruledesc_health(rd, "fresh_days", 7));
    v[n++] = DB_I64(ruledesc_health(rd, "stale_days", 30));
    v[n++] = DB_CSTR(f->health);
}

enum app_err
customers_list_in(struct ctx *cx, struct arena *a, const struct ruledesc *rd,
                  const struct customer_filter *f, size_t limit, size_t offset,
                  struct db_res *out, int64_t *total, const char **amount)
{
    struct db_val v[3 + WHERE_ARGS + 2];
    struct db_res cnt;
    enum app_err rc;
    int sort = f->sort >= 0 && f->sort < CS_COUNT ? (int)f->sort : 0;

    if (ruledesc_closed_csv(cx, rd) == NULL)
        return APP_ENOMEM;
    v[0] = DB_CSTR(ruledesc_closed_csv(cx, rd));
    v[1] = DB_I64(ruledesc_health(rd, "fresh_days", 7));
    v[2] = DB_I64(ruledesc_health(rd, "stale_days", 30));
    where_args(cx, rd, f, v + 3);
    v[3 + WHERE_ARGS] = DB_I64((int64_t)limit);
    v[3 + WHERE_ARGS + 1] = DB_I64((int64_t)offset);
    int64_t root, all;

    access_scope(cx, &root, &all);
    rc = db_query(cx->db, a, LIST_BY[all ? 1 : 0][sort][f->desc ? 1 : 0], v,
                  3 + WHERE_ARGS + 2, limit, out);
    if (rc != APP_OK || total == NULL)
        return rc;
    rc = db_query(cx->db, cx->a, SQL_COUNT[all ? 1 : 0], v + 3, WHERE_ARGS, 1,
                  &cnt);
    if (rc == APP_OK)
        *total = db_int(&cnt, 0, 0, 0);
    if (rc == APP_OK && amount != NULL)
        *amount = db_text(&cnt, 0, 1);
    return rc;
}

enum app_err
customers_list(struct ctx *cx, const struct ruledesc *rd,
               const struct customer_filter *f, size_t limit, size_t offset,
               struct db_res *out, int64_t *total, const char **amount)
{
    return customers_list_in(cx, cx->a, rd, f, limit, offset, out, total,
                             amount);
}

const char *
customers_health(const struct ruledesc *rd, const char *stage,
                 const char *last_activity_at)
{
    time_t now = time(NULL), t;

    if (ruledesc_stage_flag(rd, stage, "won") ||
        ruledesc_stage_flag(rd, stage, "lost"))
        return "none";
    if (last_activity_at == NULL || last_activity_at[0] == '\0')
        return "red";
    t = tz_parse_utc(last_activity_at);
    if (t >= now - (time_t)ruledesc_health(rd, "fresh_days", 7) * 86400)
        return "green";
    if (t >= now - (time_t)ruledesc_health(rd, "stale_days", 30) * 86400)
        return "amber";
    return "red";
}

enum app_err
customers_timeline(struct ctx *cx, int64_t customer_id, size_t max,
                   struct db_res *res)
{
    return db_query(cx->db, cx->a, SQL_TIMELINE,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id),
                            DB_I64(cx->tenant_id), DB_I64(customer_id),
                            DB_I64(cx->tenant_id), DB_I64(customer_id),
                            DB_I64(cx->tenant_id), DB_I64(customer_id),
                            DB_I64(cx->tenant_id), DB_I64(customer_id),
                            DB_I64((int64_t)max)),
                    max, res);
}

static int
cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum app_err
customers_name_keys(struct ctx *cx, const char ***keys, size_t *n)
{
    struct db_res res;
    const char **v;
    size_t i;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_NAME_KEYS, DB_ARGS(DB_I64(cx->tenant_id)),
                 CUSTOMERS_KEYS_MAX, &res);

    *keys = NULL;
    *n = 0;
    if (rc != APP_OK)
        return rc;
    v = arena_calloc(cx->a, res.nrows + 1, sizeof(*v));
    if (v == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++)
        v[i] = db_text(&res, i, 0);
    qsort(v, res.nrows, sizeof(*v), cmp_key);
    *keys = v;
    *n = res.nrows;
    return APP_OK;
}

bool
customers_key_known(const char *const *keys, size_t n, const char *key)
{
    return key[0] != '\0' &&
           bsearch(&key, keys, n, sizeof(*keys), cmp_key) != NULL;
}

/* Customers with a place, nearest first: the rep standing in a store
 * finds it at the top.  The box around the point (about 1 degree) keeps
 * the distance to compute to the neighbourhood. */
static const char SQL_NEARBY[] =
    "SELECT c.id, c.name, c.city, ROUND(ST_Distance_Sphere(POINT(c.lng, "
    "c.lat), POINT(?, ?))) AS d FROM customers c WHERE c.tenant_id = ? AND "
    "c.lat BETWEEN ? AND ? AND c.lng BETWEEN ? AND ? AND " SCOPE
    " ORDER BY d, c.id LIMIT ?";

enum app_err
customers_nearby(struct ctx *cx, double lat, double lng, size_t max,
                 struct db_res *out)
{
    int64_t root, all;

    if (!(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180))
        return APP_EVALIDATION;
    access_scope(cx, &root, &all);
    return db_query(cx->db, cx->a, SQL_NEARBY,
                    DB_ARGS(DB_DBL(lng), DB_DBL(lat), DB_I64(cx->tenant_id),
                            DB_DBL(lat - 1.0), DB_DBL(lat + 1.0),
                            DB_DBL(lng - 1.0), DB_DBL(lng + 1.0), DB_I64(all),
                            DB_I64(cx->tenant_id), DB_I64(root), DB_I64(max)),
                    max, out);
}

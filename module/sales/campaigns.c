/*
 * campaigns.c -- new-product campaigns (campaigns.h).
 */
#include "sales/campaigns.h"

#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "db/audit.h"
#include "identity/role.h"
#include "sales/files.h"
#include "sales/pos_rollup.h"
#include "sales/products.h"
#include "sales/stores.h"

/* clang-format off */
#define COLUMNS                                                                \
    "SELECT c.id, c.product_id, p.sku, p.name, c.name, "                       \
    "DATE_FORMAT(c.launch_on, '%Y-%m-%d'), c.all_stores, c.note, c.active, "   \
    "(SELECT COUNT(*) FROM campaign_stores cs WHERE cs.tenant_id = "           \
    "c.tenant_id AND cs.campaign_id = c.id), (SELECT COUNT(*) FROM "           \
    "campaign_files cf WHERE cf.tenant_id = c.tenant_id AND cf.campaign_id = " \
    "c.id) FROM campaigns c JOIN products p ON p.id = c.product_id AND "       \
    "p.tenant_id = c.tenant_id "
/* clang-format on */

static const char SQL_GET[] = COLUMNS "WHERE c.tenant_id = ? AND c.id = ?";
static const char SQL_LIST[] =
    COLUMNS "WHERE c.tenant_id = ? AND (? = 1 OR c.active = 1) ORDER BY "
            "c.launch_on DESC, c.id DESC LIMIT ?";
static const char SQL_SCOPE_STORES[] =
    "SELECT s.id, s.code FROM stores s WHERE s.tenant_id = ? AND "
    "" STORES_SCOPE_SQL " LIMIT ?";
static const char SQL_STORES[] =
    "SELECT s.id, s.code, s.name FROM campaign_stores cs JOIN stores s ON "
    "s.id = cs.store_id AND s.tenant_id = cs.tenant_id WHERE cs.tenant_id = "
    "? AND cs.campaign_id = ? AND " STORES_SCOPE_SQL " ORDER BY s.code LIMIT ?";
static const char SQL_FILES[] =
    "SELECT f.id, f.name, f.mime, f.size FROM campaign_files cf JOIN files f "
    "ON f.id = cf.file_id AND f.tenant_id = cf.tenant_id WHERE cf.tenant_id "
    "= ? AND cf.campaign_id = ? ORDER BY cf.added_at, f.id LIMIT ?";
static const char SQL_ADD[] =
    "INSERT INTO campaigns (tenant_id, product_id, name, launch_on, "
    "all_stores, note, active, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_UPDATE[] =
    "UPDATE campaigns SET product_id = ?, name = ?, launch_on = ?, "
    "all_stores = ?, note = ?, active = ? WHERE tenant_id = ? AND id = ?";
/* Only the stores the actor sees: a manager's edit keeps the others. */
static const char SQL_STORES_CLEAR[] =
    "DELETE FROM campaign_stores WHERE tenant_id = ? AND campaign_id = ? AND "
    "store_id IN (SELECT s.id FROM stores s WHERE s.tenant_id = ? AND "
    "" STORES_SCOPE_SQL ")";
static const char SQL_STORE_ADD[] =
    "INSERT IGNORE INTO campaign_stores (tenant_id, campaign_id, store_id) "
    "VALUES (?, ?, ?)";
static const char SQL_FILE_ADD[] =
    "INSERT INTO campaign_files (tenant_id, campaign_id, file_id, added_by) "
    "VALUES (?, ?, ?, ?)";
static const char SQL_FILE_REMOVE[] =
    "DELETE FROM campaign_files WHERE tenant_id = ? AND campaign_id = ? AND "
    "file_id = ?";
static const char SQL_BUMP[] =
    "INSERT INTO pos_state (tenant_id, version) VALUES (?, 1) ON DUPLICATE "
    "KEY UPDATE version = version + 1";

bool
campaigns_may_read(unsigned role)
{
    return (role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_MARKETING |
                    ROLE_SUPERVISOR | ROLE_STORE_MANAGER)) != 0;
}

bool
campaigns_may_write(unsigned role)
{
    return (role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_MARKETING)) != 0;
}

/* A store of the actor's scope by its folded code. */
struct scoped {
    const char *code; /* lower case */
    int64_t id;
};

static int
by_code(const void *a, const void *b)
{
    return strcmp(((const struct scoped *)a)->code,
                  ((const struct scoped *)b)->code);
}

static char *
fold(struct arena *a, struct str s)
{
    char *k = arena_strndup(a, s.p, s.len);

    for (size_t i = 0; k != NULL && i < s.len; i++)
        if (k[i] >= 'A' && k[i] <= 'Z')
            k[i] = (char)(k[i] - 'A' + 'a');
    return k;
}

static bool
is_sep(char c)
{
    return c == ' ' || c == ',' || c == ';' || c == '\n' || c == '\r' ||
           c == '\t';
}

/* The codes of text as ids of stores in scope; the first unknown code
 * is reported. */
APP_MUST_USE static enum app_err
stores_of(struct ctx *cx, struct str text, struct campaign_input *in,
          cJSON *errors)
{
    struct db_res res;
    struct db_val v[7];
    struct scoped *all;
    size_t i, cap = 0, n;
    enum app_err rc;

    for (i = 0; i < text.len; i++)
        cap += !is_sep(text.p[i]) && (i == 0 || is_sep(text.p[i - 1]));
    in->stores = NULL;
    in->nstores = 0;
    if (cap == 0)
        return APP_OK;
    v[0] = DB_I64(cx->tenant_id);
    stores_scope_args(cx, v + 1);
    v[6] = DB_I64(STORES_MAX);
    rc = db_query(cx->db, cx->a, SQL_SCOPE_STORES, v, 7, STORES_MAX, &res);
    if (rc != APP_OK)
        return rc;
    all = arena_calloc(cx->a, res.nrows + 1, sizeof(*all));
    in->stores = arena_calloc(cx->a, cap, sizeof(*in->stores));
    if (all == NULL || in->stores == NULL)
        return APP_ENOMEM;
    for (n = 0; n < res.nrows; n++) {
        all[n].id = db_int(&res, n, 0, 0);
        all[n].code = fold(cx->a, str_c(db_text(&res, n, 1)));
        if (all[n].code == NULL)
            return APP_ENOMEM;
    }
    qsort(all, n, sizeof(*all), by_code);
    for (i = 0; i < text.len;) {
        struct scoped key, *hit;
        size_t j = i, k;

        while (j < text.len && !is_sep(text.p[j]))
            j++;
        if (j == i) {
            i++;
            continue;
        }
        key.code = fold(cx->a, (struct str){ text.p + i, j - i });
        if (key.code == NULL)
            return APP_ENOMEM;
        hit = bsearch(&key, all, n, sizeof(*all), by_code);
        if (hit == NULL) {
            cJSON *e = cJSON_AddObjectToObject(errors, "stores");

            cJSON_AddStringToObject(e, "key", "campaign.bad_store");
            cJSON_AddStringToObject(e, "name",
                                    arena_strndup(cx->a, text.p + i, j - i));
            return APP_EVALIDATION;
        }
        for (k = 0; k < in->nstores && in->stores[k] != hit->id; k++)
            ;
        if (k == in->nstores)
            in->stores[in->nstores++] = hit->id;
        i = j;
    }
    return APP_OK;
}

/* The product field: an id or a SKU; its launch day into *launch. */
static bool
product_of(struct ctx *cx, struct str s, int64_t *id, const char **launch)
{
    struct db_res r;
    int64_t n = 0;
    enum app_err rc;

    if (parse_i64(s, 1, INT64_MAX, &n))
        rc = products_get(cx, n, &r);
    else
        rc = products_by_sku(cx, arena_str(cx->a, s).p, &r);
    if (rc != APP_OK)
        return false;
    *id = db_int(&r, 0, PR_ID, 0);
    *launch = db_text(&r, 0, PR_LAUNCH_ON);
    return true;
}

enum app_err
campaigns_check(struct ctx *cx, const struct kvlist *f,
                struct campaign_input *in, cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "product", V_LINE, true, 1, 64, NULL },
        { "name", V_LINE, true, 1, CAMPAIGN_NAME_MAX, NULL },
        { "launch_on", V_LINE, false, 0, 10, NULL },
        { "all_stores", V_BOOL, false, 0, 1, NULL },
        { "stores", V_TEXT, false, 0, CAMPAIGN_STORES_TEXT_MAX, NULL },
        { "note", V_TEXT, false, 0, CAMPAIGN_NOTE_MAX, NULL },
        { "active", V_BOOL, false, 0, 1, NULL },
    };
    struct field_val v[7];
    const char *launch = "";
    int y, m, d;
    enum app_err rc = validate_fields(&cx->err_detail, f, spec, 7, v, errors);
    bool ok = rc == APP_OK;

    if (rc != APP_OK && rc != APP_EVALIDATION)
        return rc;
    memset(in, 0, sizeof(*in));
    in->name = v[1].present ? arena_str(cx->a, v[1].s).p : "";
    in->note = v[5].present ? arena_str(cx->a, v[5].s).p : "";
    in->active = kv_get(f, "active") == NULL || v[6].i == 1;
    in->launch_on = "";
    if (v[0].present && !product_of(cx, v[0].s, &in->product_id, &launch)) {
        cJSON_AddStringToObject(errors, "product", "campaign.bad_product");
        ok = false;
    }
    if (v[2].present && v[2].s.len > 0) {
        if (!parse_date(v[2].s, &y, &m, &d)) {
            cJSON_AddStringToObject(errors, "launch_on", "campaign.bad_day");
            ok = false;
        } else {
            in->launch_on = arena_printf(cx->a, "%04d-%02d-%02d", y, m, d);
        }
    } else if (launch != NULL && launch[0] != '\0') {
        in->launch_on = launch;
    } else if (!cJSON_HasObjectItem(errors, "product")) {
        cJSON_AddStringToObject(errors, "launch_on", "campaign.no_launch");
        ok = false;
    }
    if (v[4].present && !cJSON_HasObjectItem(errors, "stores")) {
        rc = stores_of(cx, v[4].s, in, errors);
        if (rc == APP_EVALIDATION)
            ok = false;
        else if (rc != APP_OK)
            return rc;
    }
    in->all_stores =
        kv_get(f, "all_stores") != NULL ? v[3].i == 1 : in->nstores == 0;
    if (!in->all_stores && in->nstores == 0 &&
        !cJSON_HasObjectItem(errors, "stores")) {
        cJSON_AddStringToObject(errors, "stores", "campaign.no_stores");
        ok = false;
    }
    if (!ok)
        cx->err_detail = "validate.failed";
    return ok ? APP_OK : APP_EVALIDATION;
}

APP_MUST_USE static enum app_err
audit(struct ctx *cx, const char *event, const char *name, const char *sku,
      const char *file)
{
    cJSON *d = cJSON_CreateObject();
    enum app_err rc;

    if (d == NULL)
        return APP_ENOMEM;
    cJSON_AddStringToObject(d, "name", name);
    if (sku != NULL)
        cJSON_AddStringToObject(d, "sku", sku);
    if (file != NULL)
        cJSON_AddStringToObject(d, "file", file);
    rc = audit_write(cx, cx->tenant_id, cx->user_id, 0, event, d);
    cJSON_Delete(d);
    return rc;
}

APP_MUST_USE static enum app_err
bump(struct ctx *cx)
{
    return db_exec(cx->db, SQL_BUMP, DB_ARGS(DB_I64(cx->tenant_id)), NULL,
                   NULL);
}

/* The targeted stores in scope replaced by in's. */
APP_MUST_USE static enum app_err
set_stores(struct ctx *cx, int64_t id, const struct campaign_input *in)
{
    struct db_val v[8];
    size_t i;
    enum app_err rc;

    v[0] = DB_I64(cx->tenant_id);
    v[1] = DB_I64(id);
    v[2] = DB_I64(cx->tenant_id);
    stores_scope_args(cx, v + 3);
    rc = db_exec(cx->db, SQL_STORES_CLEAR, v, 8, NULL, NULL);
    for (i = 0; rc == APP_OK && !in->all_stores && i < in->nstores; i++)
        rc = db_exec(
            cx->db, SQL_STORE_ADD,
            DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(in->stores[i])),
            NULL, NULL);
    return rc;
}

enum app_err
campaigns_create(struct ctx *cx, const struct campaign_input *in, int64_t *id)
{
    struct db_res p;
    struct db_tx tx = DB_TX_INIT;
    uint64_t last = 0;
    enum app_err rc;

    *id = 0;
    if (!campaigns_may_write(cx->role))
        return APP_EFORBIDDEN;
    rc = products_get(cx, in->product_id, &p);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_ADD,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(in->product_id),
                             DB_CSTR(in->name), DB_CSTR(in->launch_on),
                             DB_I64(in->all_stores), DB_CSTR(in->note),
                             DB_I64(in->active), DB_I64(cx->user_id)),
                     NULL, &last);
        if (rc == APP_OK)
            rc = set_stores(cx, (int64_t)last, in);
        if (rc == APP_OK)
            rc = bump(cx);
        if (rc == APP_OK)
            rc = pos_rollup_product(cx, in->product_id);
        if (rc == APP_OK)
            rc = audit(cx, "campaign.create", in->name, db_text(&p, 0, PR_SKU),
                       NULL);
    }
    if (rc == APP_ECONFLICT)
        cx->err_detail = "campaign.taken";
    *id = rc == APP_OK ? (int64_t)last : 0;
    return rc;
}

enum app_err
campaigns_update(struct ctx *cx, int64_t id, const struct campaign_input *in)
{
    struct db_res c, p;
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc;

    if (!campaigns_may_write(cx->role))
        return APP_EFORBIDDEN;
    rc = campaigns_get(cx, id, &c);
    if (rc == APP_OK)
        rc = products_get(cx, in->product_id, &p);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_UPDATE,
                     DB_ARGS(DB_I64(in->product_id), DB_CSTR(in->name),
                             DB_CSTR(in->launch_on), DB_I64(in->all_stores),
                             DB_CSTR(in->note), DB_I64(in->active),
                             DB_I64(cx->tenant_id), DB_I64(id)),
                     NULL, NULL);
        if (rc == APP_OK)
            rc = set_stores(cx, id, in);
        if (rc == APP_OK)
            rc = bump(cx);
        /* Another product: its rollups are needed from now on. */
        if (rc == APP_OK && in->product_id != db_int(&c, 0, CA_PRODUCT_ID, 0))
            rc = pos_rollup_product(cx, in->product_id);
        if (rc == APP_OK)
            rc = audit(cx, "campaign.update", in->name, db_text(&p, 0, PR_SKU),
                       NULL);
    }
    if (rc == APP_ECONFLICT)
        cx->err_detail = "campaign.taken";
    return rc;
}

enum app_err
campaigns_get(struct ctx *cx, int64_t id, struct db_res *out)
{
    enum app_err rc;

    if (cx->tenant_id == 0 || !campaigns_may_read(cx->role))
        return APP_ENOTFOUND;
    rc = db_query(cx->db, cx->a, SQL_GET,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, out);
    return rc == APP_OK && out->nrows == 0 ? APP_ENOTFOUND : rc;
}

enum app_err
campaigns_list(struct ctx *cx, bool all, size_t max, struct db_res *out)
{
    if (cx->tenant_id == 0 || !campaigns_may_read(cx->role))
        return APP_ENOTFOUND;
    if (max > CAMPAIGNS_LIST_MAX)
        max = CAMPAIGNS_LIST_MAX;
    return db_query(cx->db, cx->a, SQL_LIST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all ? 1 : 0),
                            DB_I64((int64_t)max)),
                    max, out);
}

enum app_err
campaigns_stores(struct ctx *cx, int64_t id, struct db_res *out)
{
    struct db_val v[8];

    v[0] = DB_I64(cx->tenant_id);
    v[1] = DB_I64(id);
    stores_scope_args(cx, v + 2);
    v[7] = DB_I64(STORES_MAX);
    return db_query(cx->db, cx->a, SQL_STORES, v, 8, STORES_MAX, out);
}

enum app_err
campaigns_files(struct ctx *cx, int64_t id, struct db_res *out)
{
    return db_query(
        cx->db, cx->a, SQL_FILES,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(CAMPAIGN_FILES_MAX)),
        CAMPAIGN_FILES_MAX, out);
}

enum app_err
campaigns_file_add(struct ctx *cx, int64_t id, const struct upload *u,
                   int64_t *file_id)
{
    struct db_res c;
    struct db_tx tx = DB_TX_INIT;
    const char *mime = files_sniff_upload(u);
    enum app_err rc;

    *file_id = 0;
    if (!campaigns_may_write(cx->role))
        return APP_EFORBIDDEN;
    rc = campaigns_get(cx, id, &c);
    if (rc != APP_OK)
        return rc;
    if (!files_fits_kind("document", mime) && !files_is_audio(mime)) {
        cx->err_detail = "campaign.bad_file";
        return APP_EVALIDATION;
    }
    if (db_int(&c, 0, CA_NFILES, 0) >= CAMPAIGN_FILES_MAX) {
        cx->err_detail = "campaign.too_many_files";
        return APP_ETOOBIG;
    }
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = files_store(cx, u, 0, file_id, &mime);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_FILE_ADD,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id),
                                 DB_I64(*file_id), DB_I64(cx->user_id)),
                         NULL, NULL);
        if (rc == APP_OK)
            rc = audit(cx, "campaign.file_add", db_text(&c, 0, CA_NAME), NULL,
                       files_short_name(cx->a, u->filename.p));
    }
    if (rc != APP_OK)
        *file_id = 0;
    return rc;
}

enum app_err
campaigns_file_remove(struct ctx *cx, int64_t id, int64_t file_id)
{
    struct db_res c, fl;
    struct db_tx tx = DB_TX_INIT;
    const char *name = NULL;
    uint64_t gone = 0;
    size_t i;
    enum app_err rc;

    if (!campaigns_may_write(cx->role))
        return APP_EFORBIDDEN;
    rc = campaigns_get(cx, id, &c);
    if (rc == APP_OK)
        rc = campaigns_files(cx, id, &fl);
    for (i = 0; rc == APP_OK && i < fl.nrows; i++)
        if (db_int(&fl, i, 0, 0) == file_id)
            name = db_text(&fl, i, 1);
    if (rc == APP_OK && name == NULL)
        rc = APP_ENOTFOUND;
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc =
            db_exec(cx->db, SQL_FILE_REMOVE,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(file_id)),
                    &gone, NULL);
        if (rc == APP_OK && gone != 1)
            rc = APP_ENOTFOUND;
        if (rc == APP_OK)
            rc = audit(cx, "campaign.file_remove", db_text(&c, 0, CA_NAME),
                       NULL, name);
    }
    return rc;
}

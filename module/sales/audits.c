/*
 * audits.c -- shelf audits (audits.h).
 */
#include "sales/audits.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "identity/access.h"
#include "identity/role.h"
#include "sales/activities.h"
#include "sales/customers.h"
#include "sales/products.h"

const char *const audit_positions[] = { "eye_level", "checkout", "end_cap",
                                        "bottom",    "corner",   NULL };

/* Who sees an audit: whoever sees its visit (activities.c's scope). */
#define SCOPE                                                                  \
    "(? = 1 OR a.rep_id IN (SELECT descendant_id FROM user_tree WHERE "        \
    "tenant_id = ? AND ancestor_id = ?) OR c.owner_id IN (SELECT "             \
    "descendant_id FROM user_tree WHERE tenant_id = ? AND ancestor_id = ?))"
#define COLUMNS                                                                \
    "SELECT s.id, s.activity_id, s.customer_id, c.name, s.rep_id, "            \
    "COALESCE(u.display_name, ''), COALESCE(s.photo_id, 0), "                  \
    "COALESCE(ph.file_id, 0), s.at FROM audits s JOIN activities a ON "        \
    "a.id = s.activity_id AND a.tenant_id = s.tenant_id JOIN customers c ON "  \
    "c.id = s.customer_id AND c.tenant_id = s.tenant_id LEFT JOIN users u ON " \
    "u.id = s.rep_id AND u.tenant_id = s.tenant_id LEFT JOIN activity_photos " \
    "ph ON ph.id = s.photo_id AND ph.tenant_id = s.tenant_id "

static const char SQL_GET[] =
    COLUMNS "WHERE s.tenant_id = ? AND s.id = ? AND " SCOPE;
static const char SQL_LIST[] =
    COLUMNS "WHERE s.tenant_id = ? AND (? = 0 OR s.customer_id = ?) AND " SCOPE
            " ORDER BY s.id DESC LIMIT ?";
static const char SQL_OF_VISIT[] =
    "SELECT id FROM audits WHERE tenant_id = ? AND activity_id = ?";
static const char SQL_ADD[] =
    "INSERT INTO audits (tenant_id, activity_id, customer_id, rep_id, "
    "photo_id, at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_TOUCH[] =
    "UPDATE audits SET updated_at = ?, photo_id = COALESCE(?, photo_id) "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_LINE_ADD[] =
    "INSERT INTO audit_lines (tenant_id, audit_id, product_id, facings, "
    "position, price_fen, note, source) VALUES (?, ?, ?, ?, ?, ?, ?, "
    "'manual')";
static const char SQL_LINE_COUNT[] =
    "SELECT COUNT(*) FROM audit_lines WHERE tenant_id = ? AND audit_id = ?";
static const char SQL_LINES[] =
    "SELECT l.id, l.product_id, p.sku, p.name, p.brand, p.own, l.facings, "
    "l.position, COALESCE(l.price_fen, -1), l.note, l.source "
    "FROM audit_lines l JOIN products p ON p.id = l.product_id AND "
    "p.tenant_id = l.tenant_id WHERE l.tenant_id = ? AND l.audit_id = ? "
    "ORDER BY l.id";
/* The audit of the customer's visit before this one's visit (by the
 * visits' time: an offline visit arrives late, an audit is entered
 * after the fact). */
static const char SQL_PREVIOUS[] =
    "SELECT s.id, s.at FROM audits s JOIN activities a ON a.id = "
    "s.activity_id AND a.tenant_id = s.tenant_id JOIN audits me ON "
    "me.tenant_id = s.tenant_id AND me.id = ? JOIN activities ma ON ma.id = "
    "me.activity_id AND ma.tenant_id = me.tenant_id WHERE s.tenant_id = ? "
    "AND s.customer_id = ? AND s.id <> me.id AND (a.at < ma.at OR (a.at = "
    "ma.at AND s.id < me.id)) ORDER BY a.at DESC, s.id DESC LIMIT 1";
/* A product at a position is one line of an audit: saving it again (a
 * double tap, a retry after a lost answer) corrects it. */
static const char SQL_LINE_SAME[] =
    "SELECT id FROM audit_lines WHERE tenant_id = ? AND audit_id = ? AND "
    "product_id = ? AND position = ? LIMIT 1";
static const char SQL_LINE_SET[] =
    "UPDATE audit_lines SET facings = ?, price_fen = ?, note = ? "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_PHOTO[] =
    "SELECT id FROM activity_photos WHERE tenant_id = ? AND activity_id = ? "
    "AND (id = ? OR (? = 0 AND photo_key = 'shelf')) ORDER BY id DESC "
    "LIMIT 1";

enum {
    L_ID,
    L_PRODUCT,
    L_SKU,
    L_NAME,
    L_BRAND,
    L_OWN,
    L_FACINGS,
    L_POSITION,
    L_PRICE,
    L_NOTE,
    L_SOURCE
};

static const char *
now_text(struct ctx *cx)
{
    char buf[32];

    return arena_strdup(cx->a, tz_utc_text(time(NULL), buf, sizeof(buf)));
}

bool
audits_price_fen(struct str s, int64_t *fen)
{
    char plain[64];
    struct str whole, frac = { "", 0 };
    int64_t y = 0, f = 0;
    size_t i;

    if (!parse_human_number(s, plain, sizeof(plain)) || plain[0] == '-')
        return false;
    if (!str_split(str_c(plain), '.', &whole, &frac))
        whole = str_c(plain);
    if (frac.len > 2 || !parse_i64(whole, 0, AUDIT_PRICE_MAX_FEN / 100, &y))
        return false;
    for (i = 0; i < 2; i++)
        f = f * 10 + (i < frac.len ? frac.p[i] - '0' : 0);
    *fen = y * 100 + f;
    return *fen <= AUDIT_PRICE_MAX_FEN;
}

static const struct str *
field(struct ctx *cx, const struct kvlist *f, const char *name,
      const char *suffix)
{
    return kv_get(f, arena_printf(cx->a, "%s%s", name, suffix));
}

static void
bad(struct ctx *cx, cJSON *errors, const char *name, const char *suffix,
    const char *key)
{
    cJSON_AddStringToObject(errors, arena_printf(cx->a, "%s%s", name, suffix),
                            key);
}

/* The product a line names by id or by SKU (active ones only). */
static int64_t
product_of(struct ctx *cx, const struct kvlist *f, const char *suffix)
{
    const struct str *id = field(cx, f, "product", suffix);
    const struct str *sku = field(cx, f, "sku", suffix);
    struct db_res r;
    int64_t pid = 0;

    if (id != NULL && str_trim(*id).len > 0) {
        if (!parse_i64(str_trim(*id), 1, INT64_MAX, &pid) ||
            products_get(cx, pid, &r) != APP_OK ||
            db_int(&r, 0, PR_ACTIVE, 0) != 1)
            return 0;
        return pid;
    }
    if (sku != NULL && str_trim(*sku).len > 0 &&
        str_trim(*sku).len <= PRODUCT_SKU_MAX &&
        products_by_sku(cx, arena_str(cx->a, str_trim(*sku)).p, &r) == APP_OK)
        return db_int(&r, 0, PR_ID, 0);
    return 0;
}

enum app_err
audits_check_line(struct ctx *cx, const struct kvlist *f, const char *suffix,
                  struct audit_line_input *out, cJSON *errors)
{
    const struct str *facings = field(cx, f, "facings", suffix);
    const struct str *pos = field(cx, f, "position", suffix);
    const struct str *price = field(cx, f, "price", suffix);
    const struct str *note = field(cx, f, "note", suffix);
    int before = cJSON_GetArraySize(errors);
    size_t i;

    memset(out, 0, sizeof(*out));
    out->price_fen = -1;
    out->note = "";
    out->product_id = product_of(cx, f, suffix);
    if (out->product_id == 0)
        bad(cx, errors, "product", suffix, "shelf.bad_product");
    if (facings == NULL ||
        !parse_i64(str_trim(*facings), 0, AUDIT_FACINGS_MAX, &out->facings))
        bad(cx, errors, "facings", suffix, "shelf.bad_facings");
    for (i = 0; pos != NULL && audit_positions[i] != NULL; i++)
        if (str_eq_c(str_trim(*pos), audit_positions[i]))
            out->position = audit_positions[i];
    if (out->position == NULL)
        bad(cx, errors, "position", suffix, "shelf.bad_position");
    if (price != NULL && str_trim(*price).len > 0 &&
        !audits_price_fen(str_trim(*price), &out->price_fen))
        bad(cx, errors, "price", suffix, "shelf.bad_price");
    if (note != NULL) {
        out->note = arena_str(cx->a, str_trim(*note)).p;
        if (!utf8_valid(note->p, note->len) ||
            utf8_chars(out->note, strlen(out->note)) > AUDIT_NOTE_MAX)
            bad(cx, errors, "note", suffix, "shelf.bad_note");
    }
    if (cJSON_GetArraySize(errors) == before)
        return APP_OK;
    cx->err_detail = "validate.failed";
    return APP_EVALIDATION;
}

/* The photo of the visit the audit points at (0: none). */
APP_MUST_USE static enum app_err
photo_of(struct ctx *cx, int64_t visit_id, int64_t want, int64_t *photo)
{
    struct db_res r;
    enum app_err rc = db_query(cx->db, cx->a, SQL_PHOTO,
                               DB_ARGS(DB_I64(cx->tenant_id), DB_I64(visit_id),
                                       DB_I64(want), DB_I64(want)),
                               1, &r);

    *photo = rc == APP_OK && r.nrows > 0 ? db_int(&r, 0, 0, 0) : 0;
    if (rc == APP_OK && want > 0 && *photo == 0) {
        cx->err_detail = "shelf.bad_photo";
        return APP_EVALIDATION;
    }
    return rc;
}

/* The audit of the visit, made when it has none (in the transaction). */
APP_MUST_USE static enum app_err
audit_row(struct ctx *cx, const struct db_res *v, int64_t visit_id,
          int64_t photo, const char *at, int64_t *id)
{
    struct db_res r;
    uint64_t last = 0;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_OF_VISIT,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(visit_id)), 1, &r);

    if (rc == APP_OK && r.nrows > 0) {
        *id = db_int(&r, 0, 0, 0);
        return db_exec(cx->db, SQL_TOUCH,
                       DB_ARGS(DB_CSTR(at), photo > 0 ? DB_I64(photo) : DB_NULL,
                               DB_I64(cx->tenant_id), DB_I64(*id)),
                       NULL, NULL);
    }
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_ADD,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(visit_id),
                             DB_I64(db_int(v, 0, AC_CUSTOMER_ID, 0)),
                             DB_I64(cx->user_id),
                             photo > 0 ? DB_I64(photo) : DB_NULL, DB_CSTR(at),
                             DB_CSTR(at)),
                     NULL, &last);
    *id = (int64_t)last;
    return rc;
}

/* The lines, in the transaction, within the audit's limit. */
APP_MUST_USE static enum app_err
add_lines(struct ctx *cx, int64_t id, const struct audit_line_input *lines,
          size_t n)
{
    struct db_res r;
    size_t i;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_LINE_COUNT,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &r);

    if (rc == APP_OK && (size_t)db_int(&r, 0, 0, 0) + n > AUDIT_LINES_MAX) {
        cx->err_detail = "shelf.too_many_lines";
        return APP_ETOOBIG;
    }
    for (i = 0; rc == APP_OK && i < n; i++) {
        struct db_val price =
            lines[i].price_fen >= 0 ? DB_I64(lines[i].price_fen) : DB_NULL;

        rc = db_query(cx->db, cx->a, SQL_LINE_SAME,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id),
                              DB_I64(lines[i].product_id),
                              DB_CSTR(lines[i].position)),
                      1, &r);
        if (rc == APP_OK && r.nrows > 0)
            rc = db_exec(cx->db, SQL_LINE_SET,
                         DB_ARGS(DB_I64(lines[i].facings), price,
                                 DB_CSTR(lines[i].note), DB_I64(cx->tenant_id),
                                 DB_I64(db_int(&r, 0, 0, 0))),
                         NULL, NULL);
        else if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_LINE_ADD,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id),
                                 DB_I64(lines[i].product_id),
                                 DB_I64(lines[i].facings),
                                 DB_CSTR(lines[i].position), price,
                                 DB_CSTR(lines[i].note)),
                         NULL, NULL);
    }
    return rc;
}

enum app_err
audits_save(struct ctx *cx, int64_t visit_id, int64_t photo_id,
            const struct audit_line_input *lines, size_t n, int64_t *audit_id)
{
    struct db_res v;
    struct db_tx tx = DB_TX_INIT;
    const char *at = now_text(cx);
    int64_t photo = 0;
    enum app_err rc = activities_get(cx, visit_id, &v);

    *audit_id = 0;
    if (rc != APP_OK)
        return rc;
    if (strcmp(db_text(&v, 0, AC_KIND), "visit") != 0)
        return APP_ENOTFOUND;
    if (n == 0) {
        cx->err_detail = "shelf.no_lines";
        return APP_EVALIDATION;
    }
    if (n > AUDIT_SAVE_MAX) {
        cx->err_detail = "shelf.too_many_lines";
        return APP_ETOOBIG;
    }
    /* The rep who made the visit, or a lead (a manager on a joint visit),
     * records its shelf -- not another rep who merely sees the visit --
     * until a manager reviewed the visit. */
    if (db_int(&v, 0, AC_REP_ID, 0) != cx->user_id &&
        !role_can_manage(cx->role)) {
        cx->err_detail = "activity.not_yours";
        return APP_EFORBIDDEN;
    }
    rc = photo_of(cx, visit_id, photo_id, &photo);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        struct db_res now;

        rc = customers_lock(cx, db_int(&v, 0, AC_CUSTOMER_ID, 0));
        if (rc == APP_OK)
            rc = activities_get(cx, visit_id, &now);
        if (rc == APP_OK && db_text(&now, 0, AC_REVIEWED_AT)[0] != '\0') {
            cx->err_detail = "activity.reviewed";
            rc = APP_ECONFLICT;
        }
        if (rc == APP_OK)
            rc = audit_row(cx, &v, visit_id, photo, at, audit_id);
        if (rc == APP_OK)
            rc = add_lines(cx, *audit_id, lines, n);
        if (rc == APP_OK)
            rc = ctx_emit(cx, SHELF_AUDIT_EVENT, SHELF_AUDIT_OBJECT, *audit_id);
    }
    return rc;
}

/* The scope arguments after the tenant. */
#define SCOPE_ARGS(s)                                                          \
    DB_I64((s).all), DB_I64(cx->tenant_id), DB_I64((s).root),                  \
        DB_I64(cx->tenant_id), DB_I64((s).root)

struct scope {
    int64_t all, root;
};

enum app_err
audits_get(struct ctx *cx, int64_t id, struct db_res *out)
{
    struct scope s;
    enum app_err rc;

    access_scope(cx, &s.root, &s.all);
    rc = db_query(cx->db, cx->a, SQL_GET,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), SCOPE_ARGS(s)), 1,
                  out);
    return rc == APP_OK && out->nrows == 0 ? APP_ENOTFOUND : rc;
}

enum app_err
audits_of_visit(struct ctx *cx, int64_t visit_id, int64_t *id)
{
    struct db_res v, r;
    enum app_err rc = activities_get(cx, visit_id, &v);

    *id = 0;
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_OF_VISIT,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(visit_id)), 1, &r);
    if (rc == APP_OK && r.nrows > 0)
        *id = db_int(&r, 0, 0, 0);
    return rc;
}

enum app_err
audits_list(struct ctx *cx, int64_t customer_id, size_t max, struct db_res *out)
{
    struct scope s;

    access_scope(cx, &s.root, &s.all);
    if (max > AUDIT_LIST_MAX)
        max = AUDIT_LIST_MAX;
    return db_query(cx->db, cx->a, SQL_LIST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id),
                            DB_I64(customer_id), SCOPE_ARGS(s),
                            DB_I64((int64_t)max)),
                    max, out);
}

/* One product's facings and last price in an audit. */
struct agg {
    int64_t product;
    const char *sku, *name, *brand;
    bool own;
    int64_t facings;
    int64_t price; /* -1: none */
};

/* The lines of audit id summed per product, in the order first seen. */
APP_MUST_USE static enum app_err
aggregate(struct ctx *cx, int64_t id, struct db_res *lines, struct agg **out,
          size_t *n)
{
    size_t i, j;
    enum app_err rc = db_query(cx->db, cx->a, SQL_LINES,
                               DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)),
                               AUDIT_LINES_MAX, lines);

    *n = 0;
    *out = NULL;
    if (rc != APP_OK)
        return rc;
    *out = arena_calloc(cx->a, lines->nrows + 1, sizeof(**out));
    if (*out == NULL)
        return APP_ENOMEM;
    for (i = 0; i < lines->nrows; i++) {
        int64_t p = db_int(lines, i, L_PRODUCT, 0);
        int64_t price = db_int(lines, i, L_PRICE, -1);
        struct agg *a = NULL;

        for (j = 0; j < *n && a == NULL; j++)
            if ((*out)[j].product == p)
                a = &(*out)[j];
        if (a == NULL) {
            a = &(*out)[(*n)++];
            a->product = p;
            a->sku = db_text(lines, i, L_SKU);
            a->name = db_text(lines, i, L_NAME);
            a->brand = db_text(lines, i, L_BRAND);
            a->own = db_int(lines, i, L_OWN, 0) == 1;
            a->price = -1;
        }
        a->facings += db_int(lines, i, L_FACINGS, 0);
        if (price >= 0)
            a->price = price;
    }
    return APP_OK;
}

int64_t
audits_per_mille(int64_t x, int64_t total)
{
    return total > 0 ? (x * 1000 + total / 2) / total : 0;
}

static int64_t
own_pm(const struct agg *a, size_t n, int64_t *total, int64_t *own)
{
    size_t i;

    *total = *own = 0;
    for (i = 0; i < n; i++) {
        *total += a[i].facings;
        *own += a[i].own ? a[i].facings : 0;
    }
    return audits_per_mille(*own, *total);
}

/* {brand, own, facings, pm, pct} per brand, most facings first. */
static void
add_brands(cJSON *share, const struct agg *a, size_t n, int64_t total)
{
    cJSON *list = cJSON_AddArrayToObject(share, "brands"), *b;
    size_t i;

    for (i = 0; i < n; i++) {
        cJSON *it = NULL;
        int64_t f;

        cJSON_ArrayForEach(b, list)
        {
            /* Own and competitors' products never share a row, even
             * under the same (or no) brand name. */
            if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(b, "brand")),
                       a[i].brand) == 0 &&
                (cJSON_IsTrue(cJSON_GetObjectItem(b, "own")) != 0) == a[i].own)
                it = b;
        }
        if (it == NULL) {
            it = cJSON_CreateObject();
            cJSON_AddItemToArray(list, it);
            cJSON_AddStringToObject(it, "brand", a[i].brand);
            cJSON_AddBoolToObject(it, "own", a[i].own);
            cJSON_AddNumberToObject(it, "facings", 0);
        }
        f = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "facings")) +
            a[i].facings;
        cJSON_SetNumberValue(cJSON_GetObjectItem(it, "facings"), (double)f);
    }
    /* Most facings first (insertion sort of a short list). */
    for (i = 1; i < (size_t)cJSON_GetArraySize(list); i++) {
        size_t j = i;

        while (j > 0 &&
               cJSON_GetNumberValue(cJSON_GetObjectItem(
                   cJSON_GetArrayItem(list, (int)j), "facings")) >
                   cJSON_GetNumberValue(cJSON_GetObjectItem(
                       cJSON_GetArrayItem(list, (int)j - 1), "facings"))) {
            cJSON *m = cJSON_DetachItemFromArray(list, (int)j);

            cJSON_InsertItemInArray(list, (int)j - 1, m);
            j--;
        }
    }
    cJSON_ArrayForEach(b, list)
    {
        int64_t pm = audits_per_mille(
            (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(b, "facings")),
            total);

        cJSON_AddNumberToObject(b, "pm", (double)pm);
        cJSON_AddNumberToObject(b, "pct", (double)pm / 10.0);
    }
}

static cJSON *
share_of(const struct agg *a, size_t n, int64_t *pm)
{
    cJSON *s = cJSON_CreateObject();
    int64_t total, own;

    *pm = own_pm(a, n, &total, &own);
    cJSON_AddNumberToObject(s, "total_facings", (double)total);
    cJSON_AddNumberToObject(s, "own_facings", (double)own);
    cJSON_AddNumberToObject(s, "own_pm", (double)*pm);
    cJSON_AddNumberToObject(s, "own_pct", (double)*pm / 10.0);
    cJSON_AddNumberToObject(s, "competitor_pct",
                            total > 0 ? (double)(1000 - *pm) / 10.0 : 0);
    add_brands(s, a, n, total);
    return s;
}

static const struct agg *
find(const struct agg *a, size_t n, int64_t product)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (a[i].product == product)
            return &a[i];
    return NULL;
}

static cJSON *
product_item(const struct agg *a)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "product_id", (double)a->product);
    cJSON_AddStringToObject(o, "sku", a->sku);
    cJSON_AddStringToObject(o, "name", a->name);
    cJSON_AddBoolToObject(o, "own", a->own);
    return o;
}

/* One product's before and after (either may be absent). */
static void
compare_one(cJSON *ch, const struct agg *now, const struct agg *was)
{
    const struct agg *any = now != NULL ? now : was;
    int64_t before = was != NULL ? was->facings : 0;
    int64_t after = now != NULL ? now->facings : 0;
    cJSON *o = product_item(any);

    cJSON_AddNumberToObject(o, "before", (double)before);
    cJSON_AddNumberToObject(o, "after", (double)after);
    cJSON_AddNumberToObject(o, "delta", (double)(after - before));
    cJSON_AddItemToArray(cJSON_GetObjectItem(ch, "products"), o);
    if (after > 0 && before == 0)
        cJSON_AddItemToArray(cJSON_GetObjectItem(ch, "new"), product_item(any));
    if (after == 0 && before > 0)
        cJSON_AddItemToArray(cJSON_GetObjectItem(ch, "gone"),
                             product_item(any));
    if (now != NULL && was != NULL && now->price >= 0 && was->price >= 0 &&
        now->price != was->price) {
        cJSON *p = product_item(any);

        cJSON_AddNumberToObject(p, "before_fen", (double)was->price);
        cJSON_AddNumberToObject(p, "after_fen", (double)now->price);
        cJSON_AddItemToArray(cJSON_GetObjectItem(ch, "prices"), p);
    }
}

static cJSON *
change_of(const struct agg *now, size_t n, int64_t pm_now,
          const struct agg *was, size_t m, int64_t pm_was)
{
    cJSON *ch = cJSON_CreateObject();
    size_t i;

    cJSON_AddNumberToObject(ch, "own_pct_delta",
                            (double)(pm_now - pm_was) / 10.0);
    cJSON_AddArrayToObject(ch, "products");
    cJSON_AddArrayToObject(ch, "new");
    cJSON_AddArrayToObject(ch, "gone");
    cJSON_AddArrayToObject(ch, "prices");
    for (i = 0; i < n; i++)
        compare_one(ch, &now[i], find(was, m, now[i].product));
    for (i = 0; i < m; i++)
        if (find(now, n, was[i].product) == NULL)
            compare_one(ch, NULL, &was[i]);
    return ch;
}

static void
add_lines_json(cJSON *o, const struct db_res *l)
{
    cJSON *list = cJSON_AddArrayToObject(o, "lines");
    size_t i;

    for (i = 0; i < l->nrows; i++) {
        cJSON *x = cJSON_CreateObject();
        int64_t price = db_int(l, i, L_PRICE, -1);

        cJSON_AddItemToArray(list, x);
        cJSON_AddNumberToObject(x, "id", (double)db_int(l, i, L_ID, 0));
        cJSON_AddNumberToObject(x, "product_id",
                                (double)db_int(l, i, L_PRODUCT, 0));
        cJSON_AddStringToObject(x, "sku", db_text(l, i, L_SKU));
        cJSON_AddStringToObject(x, "name", db_text(l, i, L_NAME));
        cJSON_AddStringToObject(x, "brand", db_text(l, i, L_BRAND));
        cJSON_AddBoolToObject(x, "own", db_int(l, i, L_OWN, 0) == 1);
        cJSON_AddNumberToObject(x, "facings",
                                (double)db_int(l, i, L_FACINGS, 0));
        cJSON_AddStringToObject(x, "position", db_text(l, i, L_POSITION));
        if (price >= 0)
            cJSON_AddNumberToObject(x, "price_fen", (double)price);
        else
            cJSON_AddNullToObject(x, "price_fen");
        cJSON_AddStringToObject(x, "note", db_text(l, i, L_NOTE));
        cJSON_AddStringToObject(x, "source", db_text(l, i, L_SOURCE));
    }
}

static cJSON *
head_json(const struct db_res *s)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)db_int(s, 0, AU_ID, 0));
    cJSON_AddNumberToObject(o, "visit_id",
                            (double)db_int(s, 0, AU_VISIT_ID, 0));
    cJSON_AddNumberToObject(o, "customer_id",
                            (double)db_int(s, 0, AU_CUSTOMER_ID, 0));
    cJSON_AddStringToObject(o, "customer_name",
                            db_text(s, 0, AU_CUSTOMER_NAME));
    cJSON_AddNumberToObject(o, "rep_id", (double)db_int(s, 0, AU_REP_ID, 0));
    cJSON_AddStringToObject(o, "rep_name", db_text(s, 0, AU_REP_NAME));
    cJSON_AddStringToObject(o, "at", db_text(s, 0, AU_AT));
    cJSON_AddNumberToObject(o, "photo_id",
                            (double)db_int(s, 0, AU_PHOTO_ID, 0));
    cJSON_AddNumberToObject(o, "photo_file_id",
                            (double)db_int(s, 0, AU_PHOTO_FILE_ID, 0));
    return o;
}

enum app_err
audits_summary(struct ctx *cx, int64_t id, cJSON **out)
{
    struct db_res s, l, lp, prev;
    struct agg *now = NULL, *was = NULL;
    size_t n = 0, m = 0;
    int64_t pm_now, pm_was = 0;
    cJSON *o, *p;
    enum app_err rc = audits_get(cx, id, &s);

    *out = NULL;
    if (rc == APP_OK)
        rc = aggregate(cx, id, &l, &now, &n);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_PREVIOUS,
                      DB_ARGS(DB_I64(id), DB_I64(cx->tenant_id),
                              DB_I64(db_int(&s, 0, AU_CUSTOMER_ID, 0))),
                      1, &prev);
    if (rc == APP_OK && prev.nrows > 0)
        rc = aggregate(cx, db_int(&prev, 0, 0, 0), &lp, &was, &m);
    if (rc != APP_OK)
        return rc;
    o = head_json(&s);
    add_lines_json(o, &l);
    cJSON_AddItemToObject(o, "share", share_of(now, n, &pm_now));
    if (prev.nrows == 0) {
        cJSON_AddNullToObject(o, "previous");
        cJSON_AddNullToObject(o, "change");
    } else {
        int64_t total, own;

        pm_was = own_pm(was, m, &total, &own);
        p = cJSON_AddObjectToObject(o, "previous");
        cJSON_AddNumberToObject(p, "id", (double)db_int(&prev, 0, 0, 0));
        cJSON_AddStringToObject(p, "at", db_text(&prev, 0, 1));
        cJSON_AddNumberToObject(p, "own_pct", (double)pm_was / 10.0);
        cJSON_AddItemToObject(o, "change",
                              change_of(now, n, pm_now, was, m, pm_was));
    }
    *out = o;
    if (ctx_incomplete(cx, "shelf audit summary")) {
        cJSON_Delete(o);
        *out = NULL;
        return APP_ENOMEM;
    }
    return APP_OK;
}

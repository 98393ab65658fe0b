/*
 * qual_docs.c -- qualification documents and where a customer stands.
 */
#include "sales/qual_docs.h"

#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "base/str.h"
#include "base/tz.h"
#include "db/db.h"
#include "identity/access.h"
#include "identity/role.h"

static const char *const STATE_NAMES[] = {
    [QS_MISSING] = "missing",   [QS_PENDING] = "pending",
    [QS_REJECTED] = "rejected", [QS_APPROVED] = "approved",
    [QS_EXPIRED] = "expired",
};

/* clang-format off */
#define DOC_COLS QUAL_DOCS_SQL_COLS

static const char SQL_CURRENT[] =
    "SELECT " QUAL_DOCS_SQL_SELECT " " QUAL_DOCS_SQL_REST;
static const char SQL_ONE[] =
    "SELECT " DOC_COLS "WHERE q.tenant_id = ? AND q.id = ?";
/* clang-format on */
static const char SQL_EXPORT[] =
    "SELECT c.name, q.doc_type, q.number, q.holder, "
    "COALESCE(DATE_FORMAT(q.issued_on, '%Y-%m-%d'), ''), "
    "COALESCE(DATE_FORMAT(q.expires_on, '%Y-%m-%d'), ''), q.status, "
    "q.verify, COALESCE(su.display_name, ''), q.submitted_at, "
    "COALESCE(ru.display_name, ''), COALESCE(q.reviewed_at, ''), "
    "q.review_note FROM qual_docs q JOIN customers c ON c.id = "
    "q.customer_id AND c.tenant_id = q.tenant_id LEFT JOIN users su ON "
    "su.id = q.submitted_by AND su.tenant_id = q.tenant_id LEFT JOIN users "
    "ru ON ru.id = q.reviewed_by AND ru.tenant_id = q.tenant_id WHERE "
    "q.tenant_id = ? AND q.is_current = 1 AND (? = 1 OR c.owner_id IN "
    "(SELECT descendant_id FROM user_tree WHERE tenant_id = ? AND "
    "ancestor_id = ?)) ORDER BY c.name, q.doc_type LIMIT 20000";
static const char SQL_ANY[] =
    "SELECT 1 FROM qual_docs WHERE tenant_id = ? AND customer_id = ? LIMIT 1";

const char *
qual_state_name(enum qual_state s)
{
    return (size_t)s < sizeof(STATE_NAMES) / sizeof(STATE_NAMES[0])
               ? STATE_NAMES[s]
               : "missing";
}

static const cJSON *
quals(const struct ruledesc *rd)
{
    return cJSON_GetObjectItemCaseSensitive(rd->d, "qualifications");
}

const cJSON *
qual_types_of(const struct ruledesc *rd, const char *kind)
{
    const cJSON *t;

    if (kind == NULL)
        return NULL;
    t = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(quals(rd), "kinds"), kind);
    return cJSON_GetArraySize(t) > 0 ? t : NULL;
}

const cJSON *
qual_type_def(const struct ruledesc *rd, const char *type)
{
    return type != NULL
               ? cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(quals(rd), "documents"),
                     type)
               : NULL;
}

static void
doc_row(const struct db_res *res, size_t i, struct qual_doc *d)
{
    d->id = db_int(res, i, 0, 0);
    d->customer_id = db_int(res, i, 1, 0);
    d->file_id = db_int(res, i, 2, 0);
    d->type = db_text(res, i, 3);
    d->number = db_text(res, i, 4);
    d->holder = db_text(res, i, 5);
    d->issued_on = db_text(res, i, 6);
    d->expires_on = db_text(res, i, 7);
    d->qr_text = db_text(res, i, 8);
    d->status = db_text(res, i, 9);
    d->review_note = db_text(res, i, 10);
    d->reviewed_by = db_text(res, i, 11);
    d->reviewed_at = db_text(res, i, 12);
    d->submitted_by = db_text(res, i, 13);
    d->submitted_at = db_text(res, i, 14);
    d->verify = db_text(res, i, 15);
    d->verify_note = db_text(res, i, 16);
    d->file_mime = db_text(res, i, 17);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long
civil_days(int y, int m, int d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (long)y - era * 400;
    doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
qual_days_between(const char *today, const char *date)
{
    int y1, m1, d1, y2, m2, d2;

    if (!parse_date(str_c(today), &y1, &m1, &d1) ||
        !parse_date(str_c(date), &y2, &m2, &d2))
        return QUAL_NO_EXPIRY;
    return (int)(civil_days(y2, m2, d2) - civil_days(y1, m1, d1));
}

static void
judge(struct qual_item *it, const char *today)
{
    const struct qual_doc *d = it->doc;

    it->days_left = QUAL_NO_EXPIRY;
    if (d == NULL) {
        it->state = QS_MISSING;
        return;
    }
    if (d->expires_on[0] != '\0')
        it->days_left = qual_days_between(today, d->expires_on);
    if (strcmp(d->status, "rejected") == 0)
        it->state = QS_REJECTED;
    else if (strcmp(d->status, "approved") != 0)
        it->state = QS_PENDING;
    else
        it->state = it->days_left < 0 ? QS_EXPIRED : QS_APPROVED;
}

void
qual_docs_current_part(struct ctx *cx, int64_t customer_id, struct db_part *p)
{
    *p = (struct db_part){ .sql = SQL_CURRENT,
                           .args = { DB_I64(cx->tenant_id),
                                     DB_I64(customer_id) },
                           .nargs = 2,
                           .max_rows = QUAL_DOCS_MAX,
                           .ncols = QUAL_DOCS_SQL_NCOLS };
}

enum app_err
qual_status_of(struct ctx *cx, const struct ruledesc *rd,
               const struct customer *c, bool want_docs,
               struct qual_status *out)
{
    const cJSON *types = qual_types_of(rd, c->kind), *t;
    struct db_part part;
    struct db_res res;
    size_t i, j;
    enum app_err rc;

    memset(out, 0, sizeof(*out));
    tz_today(cx->tenant_tz, out->today, sizeof(out->today));
    out->needs = types != NULL;
    out->qualified = out->complete = true;
    if (types == NULL && !want_docs)
        return APP_OK;
    qual_docs_current_part(cx, c->id, &part);
    rc = db_query(cx->db, cx->a, part.sql, part.args, part.nargs, part.max_rows,
                  &res);
    if (rc != APP_OK)
        return rc;
    out->docs = arena_calloc(cx->a, res.nrows + 1, sizeof(*out->docs));
    if (out->docs == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++)
        doc_row(&res, i, &out->docs[i]);
    out->ndocs = res.nrows;
    cJSON_ArrayForEach(t, types)
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(t, "key"));
        struct qual_item *it = &out->item[out->n];

        if (key == NULL || out->n == QUAL_TYPES_MAX)
            continue;
        it->type = key;
        it->def = qual_type_def(rd, key);
        for (j = 0; j < out->ndocs && it->doc == NULL; j++)
            if (strcmp(out->docs[j].type, key) == 0)
                it->doc = &out->docs[j];
        judge(it, out->today);
        out->qualified = out->qualified && it->state == QS_APPROVED;
        out->complete = out->complete && it->state != QS_MISSING &&
                        it->state != QS_REJECTED;
        out->n++;
    }
    return APP_OK;
}

enum app_err
qual_qualified(struct ctx *cx, const struct ruledesc *rd,
               const struct customer *c, bool *qualified)
{
    struct qual_status st;
    enum app_err rc = qual_status_of(cx, rd, c, false, &st);

    *qualified = rc == APP_OK && st.qualified;
    return rc;
}

/* The missing items from index `at` on move `by` places (by > 0 opens a
 * gap, by < 0 closes one), within RULES_MAX_MISSING. */
static void
shift(struct rule_verdict *v, size_t at, long by)
{
    size_t n = v->nmissing, keep;

    if (by < 0) {
        memmove(&v->missing[at], &v->missing[at + (size_t)-by],
                (n - at - (size_t)-by) * sizeof(v->missing[0]));
        v->nmissing = n - (size_t)-by;
        return;
    }
    keep =
        n + (size_t)by > RULES_MAX_MISSING ? RULES_MAX_MISSING - (size_t)by : n;
    if (keep > at)
        memmove(&v->missing[at + (size_t)by], &v->missing[at],
                (keep - at) * sizeof(v->missing[0]));
    v->nmissing = keep + (size_t)by;
}

enum app_err
qual_expand_missing(struct ctx *cx, const struct ruledesc *rd,
                    const struct customer *c, struct rule_verdict *v)
{
    struct qual_status st;
    size_t at, i, k = 0, n = 0;
    enum app_err rc;

    for (at = 0; at < v->nmissing; at++)
        if (strcmp(v->missing[at].key, QUAL_EVIDENCE_KEY) == 0)
            break;
    if (at == v->nmissing)
        return APP_OK;
    rc = qual_status_of(cx, rd, c, false, &st);
    if (rc != APP_OK)
        return rc;
    for (i = 0; i < st.n; i++)
        n += st.item[i].state != QS_APPROVED;
    if (n == 0 || at + n > RULES_MAX_MISSING)
        return APP_OK; /* keep the one item */
    shift(v, at + 1, (long)n - 1);
    for (i = 0; i < st.n; i++) {
        const struct qual_item *it = &st.item[i];

        if (it->state == QS_APPROVED)
            continue;
        v->missing[at + k].key =
            arena_printf(cx->a, "qualification:%s", it->type);
        v->missing[at + k].name = ruledesc_name(cx, it->def);
        v->missing[at + k].state = qual_state_name(it->state);
        if (v->missing[at + k].key == NULL)
            return APP_ENOMEM;
        k++;
    }
    return APP_OK;
}

enum app_err
qual_visible(struct ctx *cx, int64_t customer_id, struct customer *c)
{
    struct db_res res;
    unsigned role = cx->role;
    enum app_err rc = customers_get(cx, customer_id, false, c);

    if (rc != APP_ENOTFOUND || (role & (ROLE_LEGAL | ROLE_ADMIN)) == 0)
        return rc;
    rc = db_query(cx->db, cx->a, SQL_ANY,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id)), 1, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    /* Legal's queue: the customer's facts, read as the company. */
    cx->role = ROLE_ADMIN;
    rc = customers_get(cx, customer_id, false, c);
    cx->role = role;
    return rc;
}

enum app_err
qual_doc_get(struct ctx *cx, int64_t id, struct qual_doc *out)
{
    struct db_res res;
    struct customer c;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_ONE,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &res);

    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    doc_row(&res, 0, out);
    return qual_visible(cx, out->customer_id, &c);
}

enum app_err
qual_docs_export(struct ctx *cx, struct db_res *out)
{
    int64_t root, all;

    access_scope(cx, &root, &all);
    if ((cx->role & (ROLE_LEGAL | ROLE_ADMIN)) != 0)
        all = 1; /* legal's queue is the company's */
    return db_query(cx->db, cx->a, SQL_EXPORT,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all),
                            DB_I64(cx->tenant_id), DB_I64(root)),
                    QUAL_EXPORT_MAX, out);
}

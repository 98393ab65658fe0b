/*
 * clauses.c -- the clause library, contract templates and the text of a
 * contract (clauses.h).
 */
#include "sales/clauses.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/num.h"
#include "base/rmb.h"
#include "base/tz.h"
#include "base/validate.h"
#include "db/audit.h"
#include "identity/role.h"

const char *const contract_vars[] = {
    "customer",    "amount",        "amount_words",  "payment_term_days",
    "prepay_pct",  "prepay_amount", "delivery_days", "warranty_months",
    "penalty_pct", "date",          "number",        NULL,
};

const char *const contract_terms_names[] = {
    "payment_term_days", "prepay_pct",  "delivery_days",
    "warranty_months",   "penalty_pct", NULL,
};

/* Each term's bounds and whether it is a whole number, in the order of
 * contract_terms_names. */
static const struct {
    double max;
    bool whole;
} TERM[] = { { 3650, true },
             { 100, false },
             { 3650, true },
             { 600, true },
             { 100, false } };
#define NTERMS 5

#define AUTHOR                                                                 \
    "COALESCE((SELECT u.display_name FROM users u WHERE u.tenant_id = "        \
    "c.tenant_id AND u.id = c.created_by), '')"
static const char SQL_LATEST[] =
    "SELECT c.id, c.clause_key, c.version, c.title, c.created_at, " AUTHOR
    ", '' FROM clauses c WHERE c.tenant_id = ? AND c.version = (SELECT "
    "MAX(x.version) FROM clauses x WHERE x.tenant_id = c.tenant_id AND "
    "x.clause_key = c.clause_key) ORDER BY c.clause_key LIMIT ?";
static const char SQL_HISTORY[] =
    "SELECT c.id, c.clause_key, c.version, c.title, c.created_at, " AUTHOR
    ", '' FROM clauses c WHERE c.tenant_id = ? AND (? = '' OR c.clause_key "
    "= ?) ORDER BY c.clause_key, c.version DESC LIMIT ?";
static const char SQL_GET[] =
    "SELECT c.id, c.clause_key, c.version, c.title, c.created_at, " AUTHOR
    ", c.body FROM clauses c WHERE c.tenant_id = ? AND c.clause_key = ? AND "
    "(? = 0 OR c.version = ?) ORDER BY c.version DESC LIMIT 1";
static const char SQL_NEXT[] =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM clauses WHERE tenant_id = ? "
    "AND clause_key = ? FOR UPDATE";
static const char SQL_ADD[] =
    "INSERT INTO clauses (tenant_id, clause_key, version, title, body, "
    "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))";
/* The pinned clauses of a template, by a comma-separated list of ids. */
static const char SQL_PINNED[] =
    "SELECT c.id, c.clause_key, c.version, c.title, c.created_at, " AUTHOR
    ", c.body FROM clauses c WHERE c.tenant_id = ? AND FIND_IN_SET(c.id, ?) "
    "LIMIT 41";

#define TCOLS                                                                  \
    "SELECT c.id, c.template_key, c.version, c.name, c.created_at, " AUTHOR
static const char SQL_T_LIST[] =
    TCOLS " FROM contract_templates c WHERE c.tenant_id = ? AND c.active = 1 "
          "AND c.version = (SELECT MAX(x.version) FROM contract_templates x "
          "WHERE x.tenant_id = c.tenant_id AND x.template_key = "
          "c.template_key) ORDER BY c.name, c.id LIMIT ?";
static const char SQL_T_HISTORY[] =
    TCOLS " FROM contract_templates c WHERE c.tenant_id = ? ORDER BY "
          "c.template_key, c.version DESC LIMIT ?";
static const char SQL_T_GET[] =
    "SELECT id, template_key, version, name, clauses, options, active, "
    "created_at FROM contract_templates WHERE tenant_id = ? AND id = ?";
static const char SQL_T_NEXT[] =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM contract_templates WHERE "
    "tenant_id = ? AND template_key = ? FOR UPDATE";
static const char SQL_T_ADD[] =
    "INSERT INTO contract_templates (tenant_id, template_key, version, name, "
    "clauses, options, active, created_by, created_at) VALUES (?, ?, ?, ?, "
    "?, ?, 1, ?, UTC_TIMESTAMP(3))";

static bool
may_write(const struct ctx *cx)
{
    return (cx->role & (ROLE_ADMIN | ROLE_LEGAL)) != 0;
}

/* A problem naming something: {"key", "name"} (the first one stays). */
static void
named(struct ctx *cx, cJSON *errors, const char *field, const char *key,
      struct str name)
{
    cJSON *o;

    if (cJSON_GetObjectItemCaseSensitive(errors, field) != NULL)
        return;
    if (name.len > CLAUSE_KEY_MAX || !utf8_valid(name.p, name.len))
        name = STR_LIT("?");
    o = cJSON_AddObjectToObject(errors, field);
    if (o == NULL)
        return;
    cJSON_AddStringToObject(o, "key", key);
    cJSON_AddStringToObject(o, "name", arena_strndup(cx->a, name.p, name.len));
}

static void
problem(cJSON *errors, const char *field, const char *key)
{
    if (cJSON_GetObjectItemCaseSensitive(errors, field) == NULL)
        cJSON_AddStringToObject(errors, field, key);
}

/* A key: [a-z0-9_], 1..CLAUSE_KEY_MAX, not "new" (it names a page). */
static bool
key_ok(struct str k)
{
    size_t i;

    if (k.len == 0 || k.len > CLAUSE_KEY_MAX || str_eq_c(k, "new"))
        return false;
    for (i = 0; i < k.len; i++) {
        char c = k.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Text of 1..max characters, valid UTF-8 without control characters
 * (but newline and tab when lines): NULL, or the catalog key of the
 * problem. */
static const char *
text_problem(struct str s, bool lines, size_t max)
{
    size_t i;

    if (s.len == 0)
        return "validate.required";
    if (!utf8_valid(s.p, s.len))
        return "validate.bad_text";
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];

        if ((c < 0x20 && !(lines && (c == '\n' || c == '\t'))) || c == 0x7f)
            return "validate.bad_text";
    }
    return utf8_chars(s.p, s.len) > max ? "validate.too_long" : NULL;
}

static bool
is_var(struct str name)
{
    size_t i;

    for (i = 0; contract_vars[i] != NULL; i++)
        if (str_eq_c(name, contract_vars[i]))
            return true;
    return false;
}

/* The body's {variables}: balanced braces, known names. */
static void
check_vars(struct ctx *cx, struct str body, cJSON *errors)
{
    size_t i = 0;

    while (i < body.len) {
        const char *open = memchr(body.p + i, '{', body.len - i);
        const char *close = memchr(body.p + i, '}', body.len - i);
        const char *end;
        struct str name;

        if (open == NULL && close == NULL)
            return;
        if (open == NULL || (close != NULL && close < open)) {
            problem(errors, "body", "clauses.unbalanced");
            return;
        }
        i = (size_t)(open - body.p) + 1;
        end = memchr(body.p + i, '}', body.len - i);
        name = (struct str){ body.p + i,
                             end != NULL ? (size_t)(end - body.p) - i : 0 };
        if (end == NULL || memchr(name.p, '{', name.len) != NULL) {
            problem(errors, "body", "clauses.unbalanced");
            return;
        }
        if (!is_var(name)) {
            named(cx, errors, "body", "clauses.unknown_var", name);
            return;
        }
        i = (size_t)(end - body.p) + 1;
    }
}

/* The body without CR (browsers send CR LF), in cx->a. */
static struct str
without_cr(struct ctx *cx, struct str s)
{
    char *p = arena_alloc(cx->a, s.len + 1);
    size_t i, n = 0;

    if (p == NULL)
        return STR_NULL;
    for (i = 0; i < s.len; i++)
        if (s.p[i] != '\r')
            p[n++] = s.p[i];
    p[n] = '\0';
    return (struct str){ p, n };
}

/* The audit detail {key, version, title or name} (NULL when out of
 * memory: audit_write then records none). */
static cJSON *
detail_of(struct ctx *cx, struct str key, int version, const char *label,
          struct str title)
{
    cJSON *d = cJSON_CreateObject();

    if (d != NULL) {
        cJSON_AddStringToObject(d, "key", arena_strndup(cx->a, key.p, key.len));
        cJSON_AddNumberToObject(d, "version", version);
        cJSON_AddStringToObject(d, label,
                                arena_strndup(cx->a, title.p, title.len));
    }
    return d;
}

/* rc of audit_write(..., d), d freed. */
APP_MUST_USE static enum app_err
entry_done(enum app_err rc, cJSON *d)
{
    cJSON_Delete(d);
    return rc;
}

/* The next version of key in table (sql: SQL_NEXT or SQL_T_NEXT), the
 * rows locked. */
APP_MUST_USE static enum app_err
next_version(struct ctx *cx, const char *sql, struct str key, int *version)
{
    struct db_res r;
    enum app_err rc = db_query(
        cx->db, cx->a, sql, DB_ARGS(DB_I64(cx->tenant_id), DB_STR(key)), 1, &r);

    *version = rc == APP_OK ? (int)db_int(&r, 0, 0, 1) : 0;
    return rc;
}

enum app_err
clauses_save(struct ctx *cx, struct str key, struct str title, struct str body,
             cJSON *errors, int64_t *id, int *version)
{
    struct db_tx tx = DB_TX_INIT;
    const char *p;
    uint64_t last = 0;
    enum app_err rc = APP_OK;

    *id = 0;
    *version = 0;
    if (!may_write(cx))
        return APP_EFORBIDDEN;
    key = str_trim(key);
    title = str_trim(title);
    body = without_cr(cx, body);
    if (!key_ok(key))
        problem(errors, "key",
                key.len == 0 ? "validate.required" : "clauses.bad_key");
    if ((p = text_problem(title, false, CLAUSE_TITLE_MAX)) != NULL)
        problem(errors, "title", p);
    if ((p = text_problem(str_trim(body), true, CLAUSE_BODY_MAX)) != NULL)
        problem(errors, "body", p);
    else
        check_vars(cx, body, errors);
    if (cJSON_GetArraySize(errors) > 0) {
        cx->err_detail = "validate.failed";
        return APP_EVALIDATION;
    }
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = next_version(cx, SQL_NEXT, key, version);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_ADD,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_STR(key),
                                 DB_I64(*version), DB_STR(title), DB_STR(body),
                                 DB_I64(cx->user_id)),
                         NULL, &last);
        if (rc == APP_OK) {
            cJSON *d = detail_of(cx, key, *version, "title", title);

            rc = entry_done(audit_write(cx, cx->tenant_id, cx->user_id, 0,
                                        "clause.save", d),
                            d);
        }
    }
    *id = rc == APP_OK ? (int64_t)last : 0;
    return rc;
}

enum app_err
clauses_latest(struct ctx *cx, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_LATEST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(CLAUSES_LIST_MAX)),
                    CLAUSES_LIST_MAX, out);
}

enum app_err
clauses_history(struct ctx *cx, const char *key, struct db_res *out)
{
    const char *k = key != NULL ? key : "";

    return db_query(cx->db, cx->a, SQL_HISTORY,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(k), DB_CSTR(k),
                            DB_I64(CLAUSES_HISTORY_MAX)),
                    CLAUSES_HISTORY_MAX, out);
}

enum app_err
clauses_get(struct ctx *cx, const char *key, int version, struct db_res *out)
{
    enum app_err rc = db_query(cx->db, cx->a, SQL_GET,
                               DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(key),
                                       DB_I64(version), DB_I64(version)),
                               1, out);

    return rc == APP_OK && out->nrows == 0 ? APP_ENOTFOUND : rc;
}

/* --- templates ------------------------------------------------------------ */

/* A value of term i acceptable?  Hundredths compared, so 0.5 == 0.50. */
static bool
term_value_ok(int i, double v)
{
    double h = v * 100;

    if (!isfinite(v) || v < 0 || v > TERM[i].max)
        return false;
    if (TERM[i].whole)
        return v == floor(v);
    return fabs(h - round(h)) < 1e-6;
}

/* A list given as text: "30, 60, 90" (commas, 、，; or spaces). */
static bool
values_of_text(struct str s, cJSON *out)
{
    size_t i = 0;

    while (i < s.len) {
        size_t j = i;
        double d;

        while (j < s.len && s.p[j] != ',' && s.p[j] != ' ' && s.p[j] != ';' &&
               (unsigned char)s.p[j] < 0x80)
            j++;
        if (j > i) {
            if (!parse_decimal((struct str){ s.p + i, j - i }, 6, 2, &d))
                return false;
            cJSON_AddItemToArray(out, cJSON_CreateNumber(d));
        }
        if (j < s.len && (unsigned char)s.p[j] >= 0x80) {
            /* "，" or "、" (3 bytes each); anything else is refused */
            if (j + 3 > s.len || (memcmp(s.p + j, "，", 3) != 0 &&
                                  memcmp(s.p + j, "、", 3) != 0))
                return false;
            j += 2;
        }
        i = j + 1;
    }
    return true;
}

/* Term i's allowed values (an array of numbers or of numeric strings, or
 * one string listing them) as a new array of numbers; NULL when they are
 * not acceptable. */
static cJSON *
term_values(const cJSON *v, int i)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *e;
    bool ok = out != NULL && v != NULL;
    double d;

    if (ok && cJSON_IsString(v)) {
        ok = values_of_text(str_c(v->valuestring), out);
    } else if (ok && cJSON_IsArray(v)) {
        cJSON_ArrayForEach(e, v)
        {
            if (cJSON_IsNumber(e))
                d = e->valuedouble;
            else if (!cJSON_IsString(e) ||
                     !parse_decimal(str_c(e->valuestring), 6, 2, &d))
                ok = false;
            if (ok)
                cJSON_AddItemToArray(out, cJSON_CreateNumber(d));
        }
    } else {
        ok = false;
    }
    ok = ok && cJSON_GetArraySize(out) >= 1 &&
         cJSON_GetArraySize(out) <= TEMPLATE_OPTIONS_MAX;
    cJSON_ArrayForEach(e, out) ok = ok && term_value_ok(i, e->valuedouble);
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* The options checked into a new object (errors per term). */
static cJSON *
options_of(const cJSON *options, cJSON *errors)
{
    cJSON *out = cJSON_CreateObject();
    int i;

    for (i = 0; out != NULL && i < NTERMS; i++) {
        const char *name = contract_terms_names[i];
        cJSON *v =
            term_values(cJSON_IsObject(options)
                            ? cJSON_GetObjectItemCaseSensitive(options, name)
                            : NULL,
                        i);

        if (v == NULL)
            problem(errors, name, "clauses.bad_options");
        else
            cJSON_AddItemToObject(out, name, v);
    }
    return out;
}

/* The clauses named by clause_keys, each pinned to its latest version:
 * a new array [{"key", "version", "id"}] (errors.clauses otherwise). */
APP_MUST_USE static enum app_err
pin_clauses(struct ctx *cx, const cJSON *clause_keys, cJSON *errors,
            cJSON **out)
{
    struct db_res latest;
    const cJSON *k, *j;
    cJSON *pins;
    int n = cJSON_GetArraySize(clause_keys);
    enum app_err rc;

    *out = NULL;
    if (!cJSON_IsArray(clause_keys) || n == 0) {
        problem(errors, "clauses", "clauses.no_clauses");
        return APP_OK;
    }
    if (n > TEMPLATE_CLAUSES_MAX) {
        problem(errors, "clauses", "clauses.too_many");
        return APP_OK;
    }
    if ((rc = clauses_latest(cx, &latest)) != APP_OK)
        return rc;
    if ((pins = cJSON_CreateArray()) == NULL)
        return APP_ENOMEM;
    cJSON_ArrayForEach(k, clause_keys)
    {
        struct str key = str_c(cJSON_GetStringValue(k));
        size_t r;
        cJSON *o;

        for (r = 0; r < latest.nrows; r++)
            if (str_eq(key, db_cell(&latest, r, CLA_KEY)))
                break;
        if (r == latest.nrows) {
            named(cx, errors, "clauses", "clauses.unknown_clause", key);
            continue;
        }
        for (j = clause_keys->child; j != k; j = j->next)
            if (str_eq(key, str_c(cJSON_GetStringValue(j))))
                named(cx, errors, "clauses", "clauses.repeated", key);
        o = cJSON_CreateObject();
        cJSON_AddItemToArray(pins, o);
        cJSON_AddStringToObject(o, "key", db_text(&latest, r, CLA_KEY));
        cJSON_AddNumberToObject(o, "version",
                                (double)db_int(&latest, r, CLA_VERSION, 0));
        cJSON_AddNumberToObject(o, "id", (double)db_int(&latest, r, CLA_ID, 0));
    }
    *out = pins;
    return APP_OK;
}

/* Insert the checked template (a new version of key) and its audit row. */
APP_MUST_USE static enum app_err
template_add(struct ctx *cx, struct str key, struct str name, const cJSON *pins,
             const cJSON *opts, int64_t *id, int *version)
{
    struct db_tx tx = DB_TX_INIT;
    char *cl = cJSON_PrintUnformatted(pins), *op = cJSON_PrintUnformatted(opts);
    uint64_t last = 0;
    enum app_err rc = cl != NULL && op != NULL ? APP_OK : APP_ENOMEM;

    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc = next_version(cx, SQL_T_NEXT, key, version);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_T_ADD,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_STR(key),
                                 DB_I64(*version), DB_STR(name), DB_CSTR(cl),
                                 DB_CSTR(op), DB_I64(cx->user_id)),
                         NULL, &last);
        if (rc == APP_OK) {
            cJSON *d = detail_of(cx, key, *version, "name", name);

            rc = entry_done(audit_write(cx, cx->tenant_id, cx->user_id, 0,
                                        "contract_template.save", d),
                            d);
        }
    }
    cJSON_free(cl);
    cJSON_free(op);
    *id = rc == APP_OK ? (int64_t)last : 0;
    return rc;
}

enum app_err
templates_save(struct ctx *cx, struct str key, struct str name,
               const cJSON *clause_keys, const cJSON *options, cJSON *errors,
               int64_t *id, int *version)
{
    cJSON *pins = NULL, *opts = NULL;
    const char *p;
    enum app_err rc;

    *id = 0;
    *version = 0;
    if (!may_write(cx))
        return APP_EFORBIDDEN;
    key = str_trim(key);
    name = str_trim(name);
    if (!key_ok(key))
        problem(errors, "key",
                key.len == 0 ? "validate.required" : "clauses.bad_key");
    if ((p = text_problem(name, false, CLAUSE_TITLE_MAX)) != NULL)
        problem(errors, "name", p);
    rc = pin_clauses(cx, clause_keys, errors, &pins);
    if (rc == APP_OK && (opts = options_of(options, errors)) == NULL)
        rc = APP_ENOMEM;
    if (rc == APP_OK && cJSON_GetArraySize(errors) > 0) {
        cx->err_detail = "validate.failed";
        rc = APP_EVALIDATION;
    }
    if (rc == APP_OK)
        rc = template_add(cx, key, name, pins, opts, id, version);
    cJSON_Delete(pins);
    cJSON_Delete(opts);
    return rc;
}

enum app_err
templates_list(struct ctx *cx, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_T_LIST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(CLAUSES_LIST_MAX)),
                    CLAUSES_LIST_MAX, out);
}

enum app_err
templates_history(struct ctx *cx, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_T_HISTORY,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(CLAUSES_HISTORY_MAX)),
                    CLAUSES_HISTORY_MAX, out);
}

/* Text parsed into a cJSON document that lives as long as cx->a. */
static cJSON *
parsed(struct ctx *cx, struct str s)
{
    cJSON *j = cJSON_ParseWithLength(s.p, s.len);

    if (j != NULL &&
        arena_cleanup_add(cx->a, (void (*)(void *))cJSON_Delete, j) != 0) {
        cJSON_Delete(j);
        j = NULL;
    }
    return j;
}

/* The rows of the template's pinned clauses (in no order; with bodies). */
APP_MUST_USE static enum app_err
pinned_rows(struct ctx *cx, const cJSON *clauses, struct db_res *out)
{
    struct buf ids;
    const cJSON *c;
    enum app_err rc = APP_OK;

    buf_init(&ids, cx->a, 64 * 24);
    cJSON_ArrayForEach(c, clauses)
    {
        if (rc == APP_OK)
            rc = buf_printf(&ids, "%s%lld", ids.len > 0 ? "," : "",
                            (long long)cJSON_GetNumberValue(
                                cJSON_GetObjectItemCaseSensitive(c, "id")));
    }
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_PINNED,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_STR(buf_str(&ids))),
                      TEMPLATE_CLAUSES_MAX + 1, out);
    return rc;
}

/* The row of clause c among rows (by id), or rows->nrows. */
static size_t
row_of(const struct db_res *rows, const cJSON *c)
{
    int64_t id = (int64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(c, "id"));
    size_t r;

    for (r = 0; r < rows->nrows; r++)
        if (db_int(rows, r, CLA_ID, 0) == id)
            return r;
    return rows->nrows;
}

enum app_err
templates_get(struct ctx *cx, int64_t id, struct contract_template *out)
{
    struct db_res res, rows;
    cJSON *clauses, *c;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_T_GET,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &res);

    memset(out, 0, sizeof(*out));
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    clauses = parsed(cx, db_cell(&res, 0, 4));
    out->options = parsed(cx, db_cell(&res, 0, 5));
    if (!cJSON_IsArray(clauses) || !cJSON_IsObject(out->options))
        return APP_EINTERNAL;
    rc = pinned_rows(cx, clauses, &rows);
    if (rc != APP_OK)
        return rc;
    cJSON_ArrayForEach(c, clauses)
    {
        size_t r = row_of(&rows, c);

        cJSON_AddStringToObject(
            c, "title", r < rows.nrows ? db_text(&rows, r, CLA_TITLE) : "");
    }
    out->id = db_int(&res, 0, 0, 0);
    out->key = db_text(&res, 0, 1);
    out->version = (int)db_int(&res, 0, 2, 0);
    out->name = db_text(&res, 0, 3);
    out->clauses = clauses;
    out->active = db_int(&res, 0, 6, 0) == 1;
    out->created_at = db_text(&res, 0, 7);
    return APP_OK;
}

/* The value of term i of terms. */
static double
term_of(const struct contract_terms *t, int i)
{
    switch (i) {
    case 0:
        return t->payment_term_days;
    case 1:
        return t->prepay_pct;
    case 2:
        return t->delivery_days;
    case 3:
        return t->warranty_months;
    default:
        return t->penalty_pct;
    }
}

enum app_err
templates_check_terms(const struct contract_template *t,
                      const struct contract_terms *terms, cJSON *errors)
{
    int i;
    bool bad = false;

    if (!(terms->amount > 0 && terms->amount <= CONTRACT_AMOUNT_MAX)) {
        problem(errors, "amount", "contracts.bad_amount");
        bad = true;
    }
    for (i = 0; i < NTERMS; i++) {
        const cJSON *e, *list = cJSON_GetObjectItemCaseSensitive(
                            t->options, contract_terms_names[i]);
        double v = term_of(terms, i);
        bool found = false;

        cJSON_ArrayForEach(e, list) found =
            found || llround(e->valuedouble * 100) == llround(v * 100);
        if (!found) {
            problem(errors, contract_terms_names[i], "contracts.not_an_option");
            bad = true;
        }
    }
    return bad ? APP_EVALIDATION : APP_OK;
}

/* --- the text of a contract ----------------------------------------------- */

/* 1..99 in Chinese numerals (一, 十, 十一, 二十, 四十), into out. */
static void
chinese_ordinal(int n, char *out, size_t cap)
{
    static const char *const d[10] = { "",   "一", "二", "三", "四",
                                       "五", "六", "七", "八", "九" };

    if (n < 10)
        snprintf(out, cap, "%s", d[n]);
    else
        snprintf(out, cap, "%s十%s", n >= 20 ? d[n / 10] : "", d[n % 10]);
}

/* An amount in fen as "120,000.00", in cx->a. */
static const char *
money_text(struct ctx *cx, int64_t cents)
{
    char plain[48], grouped[64];

    snprintf(plain, sizeof(plain), "%lld.%02lld", (long long)(cents / 100),
             (long long)(cents % 100));
    if (!format_grouped(plain, 2, grouped, sizeof(grouped)))
        return arena_strdup(cx->a, plain);
    return arena_strdup(cx->a, grouped);
}

/* A number of at most two decimals written plainly: "30", "0.5". */
static const char *
plain_text(struct ctx *cx, double v)
{
    long long h = llround(v * 100);

    if (h % 100 == 0)
        return arena_printf(cx->a, "%lld", h / 100);
    if (h % 10 == 0)
        return arena_printf(cx->a, "%lld.%lld", h / 100, h % 100 / 10);
    return arena_printf(cx->a, "%lld.%02lld", h / 100, h % 100);
}

/* The value of every contract variable, in the order of contract_vars. */
APP_MUST_USE static enum app_err
values_of(struct ctx *cx, const struct contract_terms *t, const char *customer,
          const char *number, const char **v)
{
    int64_t cents, prepay;
    char words[RMB_CAPITALS_MAX], today[16];

    if (!(t->amount > 0 && t->amount <= CONTRACT_AMOUNT_MAX) ||
        !(t->prepay_pct >= 0 && t->prepay_pct <= 100) ||
        !(t->penalty_pct >= 0 && t->penalty_pct <= 100))
        return APP_EINVAL;
    cents = llround(t->amount * 100);
    prepay = (cents * llround(t->prepay_pct * 100) + 5000) / 10000;
    if (!rmb_capitals(cents, words, sizeof(words)))
        return APP_EINVAL;
    tz_today(cx->tenant_tz, today, sizeof(today));
    v[0] = customer != NULL ? customer : "";
    v[1] = money_text(cx, cents);
    v[2] = arena_strdup(cx->a, words);
    v[3] = arena_printf(cx->a, "%d", t->payment_term_days);
    v[4] = plain_text(cx, t->prepay_pct);
    v[5] = money_text(cx, prepay);
    v[6] = arena_printf(cx->a, "%d", t->delivery_days);
    v[7] = arena_printf(cx->a, "%d", t->warranty_months);
    v[8] = plain_text(cx, t->penalty_pct);
    v[9] = arena_strdup(cx->a, today);
    v[10] = number != NULL ? number : "";
    for (int i = 0; i < 11; i++)
        if (v[i] == NULL)
            return APP_ENOMEM;
    return APP_OK;
}

/* body with its {variables} replaced, appended to b. */
APP_MUST_USE static enum app_err
put_body(struct buf *b, struct str body, const char *const *v)
{
    size_t i = 0;
    enum app_err rc = APP_OK;

    while (rc == APP_OK && i < body.len) {
        const char *open = memchr(body.p + i, '{', body.len - i), *close;
        size_t k;

        if (open == NULL)
            return buf_append(b, body.p + i, body.len - i);
        rc = buf_append(b, body.p + i, (size_t)(open - body.p) - i);
        i = (size_t)(open - body.p);
        close = memchr(open, '}', body.len - i);
        for (k = 0; close != NULL && contract_vars[k] != NULL; k++)
            if (str_eq_c((struct str){ open + 1, (size_t)(close - open) - 1 },
                         contract_vars[k]))
                break;
        if (close == NULL || contract_vars[k] == NULL) {
            /* Not a variable (saved clauses have none such): as written. */
            if (rc == APP_OK)
                rc = buf_putc(b, '{');
            i++;
            continue;
        }
        if (rc == APP_OK)
            rc = buf_puts(b, v[k]);
        i = (size_t)(close - body.p) + 1;
    }
    return rc;
}

/* [{"key","version","id"}] of the clauses used, as text in cx->a. */
static const char *
versions_json(struct ctx *cx, const cJSON *clauses)
{
    cJSON *a = cJSON_CreateArray();
    const cJSON *c;
    char *text;
    const char *out = NULL;
    static const char *const keep[] = { "key", "version", "id" };

    cJSON_ArrayForEach(c, clauses)
    {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        for (size_t k = 0; k < 3; k++)
            cJSON_AddItemToObject(
                o, keep[k],
                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, keep[k]),
                                false));
    }
    text = cJSON_PrintUnformatted(a);
    if (text != NULL)
        out = arena_strdup(cx->a, text);
    cJSON_free(text);
    cJSON_Delete(a);
    return out;
}

enum app_err
contract_resolve(struct ctx *cx, const struct contract_template *t,
                 const struct contract_terms *terms, const char *customer_name,
                 const char *number, struct contract_text *out)
{
    const char *v[12];
    struct db_res rows;
    struct buf b;
    const cJSON *c;
    int n = 0;
    enum app_err rc = values_of(cx, terms, customer_name, number, v);

    memset(out, 0, sizeof(*out));
    if (rc == APP_OK)
        rc = pinned_rows(cx, t->clauses, &rows);
    buf_init(&b, cx->a, CONTRACT_TEXT_MAX);
    cJSON_ArrayForEach(c, t->clauses)
    {
        size_t r = rc == APP_OK ? row_of(&rows, c) : 0;
        char ord[16];

        if (rc != APP_OK)
            break;
        if (r == rows.nrows) {
            rc = APP_ENOTFOUND;
            break;
        }
        chinese_ordinal(++n, ord, sizeof(ord));
        rc = buf_printf(&b, "%s第%s条 %s\n\n", n > 1 ? "\n\n" : "", ord,
                        db_text(&rows, r, CLA_TITLE));
        if (rc == APP_OK)
            rc = put_body(&b, db_cell(&rows, r, CLA_BODY), v);
    }
    if (rc == APP_OK) {
        out->body = b.p != NULL ? b.p : "";
        out->clause_versions = versions_json(cx, t->clauses);
        if (out->clause_versions == NULL)
            rc = APP_ENOMEM;
    }
    return rc;
}

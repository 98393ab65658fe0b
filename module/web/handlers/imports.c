/*
 * imports.c -- CSV import of customers (the export is exports.c).
 *
 * Import: the uploaded file is stored (files) and an `imports` row keeps
 * the encoding and the column mapping; every view parses and validates the
 * file again, so nothing about the customers is written before the user
 * commits.  A commit runs in one transaction: all rows or none ("all"), or
 * only the rows without errors ("valid").  A row that would put a customer
 * into a stage whose evidence chain it cannot have (a new customer has no
 * evidence) is refused with a row error, by the same rules as every other
 * path; the customer and contact fields go through the same checks as the
 * pages and the API (customer_input_check, contact_input_check).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "identity/access.h"
#include "http/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "sales/contacts.h"
#include "base/csv.h"
#include "base/i18n.h"
#include "web/customer_view.h"
#include "sales/customer_input.h"
#include "sales/customers.h"
#include "sales/loss_focus.h"
#include "db/db.h"
#include "sales/files.h"
#include "sales/import_jobs.h"
#include "web/handlers/imports.h"
#include "base/num.h"
#include "http/router.h"
#include "base/textenc.h"
#include "base/tz.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/view.h"

/* The file, its UTF-8 text and the parsed rows all live in the request's
 * arena (arena_max, 64 MiB by default): 8 MiB of CSV is about 40,000
 * plain rows, twice the row limit. */
#define IMPORT_MAX_BYTES (8u << 20)
#define IMPORT_MAX_ROWS 20000
#define IMPORT_MAX_COLS 64
#define SHOW_ERRORS 50
#define SHOW_ROWS 10

/* The fields a column can be mapped to. */
enum ifield {
    IF_NONE,
    IF_NAME,
    IF_KIND,
    IF_OWNER,
    IF_STAGE,
    IF_CITY,
    IF_ADDRESS,
    IF_PHONE,
    IF_AMOUNT,
    IF_NOTE,
    IF_CONTACT_NAME,
    IF_CONTACT_TITLE,
    IF_CONTACT_DEPT,
    IF_CONTACT_ROLE,
    IF_CONTACT_PHONE,
    IF_CONTACT_EMAIL,
    IF_COUNT
};

static const struct {
    const char *key;      /* in the mapping and the catalog (import.field.*) */
    size_t max;           /* characters */
    const char *names[6]; /* header names recognised (case-insensitive) */
} FIELDS[IF_COUNT] = {
    [IF_NONE] = { "", 0, { NULL } },
    [IF_NAME] = { "name",
                  200,
                  { "客户名称", "名称", "客户", "name", "customer", NULL } },
    [IF_KIND] = { "kind", 32, { "客户类型", "类型", "kind", "type", NULL } },
    [IF_OWNER] = { "owner",
                   64,
                   { "负责人", "负责人账号", "owner", "owner login", NULL } },
    [IF_STAGE] = { "stage", 64, { "阶段", "客户阶段", "stage", NULL } },
    [IF_CITY] = { "city", 100, { "城市", "city", NULL } },
    [IF_ADDRESS] = { "address", 300, { "地址", "address", NULL } },
    [IF_PHONE] = { "phone", 50, { "电话", "客户电话", "phone", NULL } },
    [IF_AMOUNT] = { "amount", 20, { "金额", "预计金额", "amount", NULL } },
    [IF_NOTE] = { "note", 5000, { "备注", "note", "notes", NULL } },
    [IF_CONTACT_NAME] = { "contact_name",
                          100,
                          { "联系人", "联系人姓名", "contact", "contact name",
                            NULL } },
    [IF_CONTACT_TITLE] = { "contact_title",
                           100,
                           { "职务", "联系人职务", "title", NULL } },
    [IF_CONTACT_DEPT] = { "contact_department",
                          100,
                          { "部门", "department", NULL } },
    [IF_CONTACT_ROLE] = { "contact_role",
                          32,
                          { "决策角色", "角色", "role", NULL } },
    [IF_CONTACT_PHONE] = { "contact_phone",
                           50,
                           { "联系人电话", "contact phone", NULL } },
    [IF_CONTACT_EMAIL] = { "contact_email",
                           200,
                           { "邮箱", "联系人邮箱", "email", NULL } },
};

/* The labels the customer list and its export use for a column, so that
 * an export imports back as it is. */
static const char *const LABELS[IF_COUNT] = {
    [IF_NAME] = "customer.name",   [IF_KIND] = "customer.kind",
    [IF_OWNER] = "customer.owner", [IF_STAGE] = "customer.stage",
    [IF_CITY] = "customer.city",   [IF_ADDRESS] = "customer.address",
    [IF_PHONE] = "customer.phone", [IF_AMOUNT] = "customer.amount",
    [IF_NOTE] = "customer.note",
};

/* The encodings a user may choose (textenc_parse names). */
static const char *const ENCODINGS[] = { "auto", "utf-8", "gbk", NULL };

/* --- one import, parsed -----------------------------------------------------
 */

struct row_error {
    size_t record, line; /* where in the file */
    const char *field;   /* the field's catalog label or "" */
    const char *column;  /* the field's key ("amount") or "" */
    const char *key;     /* the message's catalog key or "" */
    const char *message;
};

struct import_row {
    struct str f[IF_COUNT];
    struct customer_input in; /* as checked by customer_input_check */
    struct contact_input ci;  /* as checked by contact_input_check */
    bool has_contact;
    bool duplicate;    /* the company has a customer of this name */
    const char *kind;  /* the rules' key */
    const char *stage; /* the rules' key */
    int64_t owner;
    bool ok;
    size_t record, line;
    const struct str *cells; /* the record as the file has it */
    size_t ncells;
};

struct parsed {
    int64_t id;
    int64_t file_id;
    const char *file_name;
    const char *status;
    int64_t imported;
    enum textenc want;
    struct textenc_result text;
    char sep;
    size_t ncols;
    struct str header[IMPORT_MAX_COLS];
    enum ifield map[IMPORT_MAX_COLS];
    struct import_row *rows;
    size_t nrows, nvalid, nduplicates;
    struct row_error *errors;
    size_t nerrors;
    const char *fatal; /* a file-level problem: encoding, CSV syntax */
};

static enum ifield
field_by_key(const char *k)
{
    int i;

    for (i = 1; i < IF_COUNT; i++) {
        if (strcmp(FIELDS[i].key, k) == 0)
            return (enum ifield)i;
    }
    return IF_NONE;
}

/* Whether header h is the text of catalog key `key` in either language:
 * what the export and the page's list of columns write. */
static bool
is_label(const struct req *r, struct str h, const char *key)
{
    static const char *const langs[] = { "zh-CN", "en" };
    size_t i;

    for (i = 0; r->app->i18n != NULL && i < 2; i++) {
        const char *t = i18n_text(r->app->i18n, langs[i], key);

        if (t != NULL && h.len == strlen(t) && strncasecmp(h.p, t, h.len) == 0)
            return true;
    }
    return false;
}

static enum ifield
field_by_header(const struct req *r, struct str h)
{
    int i, j;

    h = str_trim(h);
    for (i = 1; i < IF_COUNT; i++) {
        if (is_label(r, h,
                     arena_printf(r->a, "import.field.%s", FIELDS[i].key)) ||
            (LABELS[i] != NULL && is_label(r, h, LABELS[i])))
            return (enum ifield)i;
        for (j = 0; FIELDS[i].names[j] != NULL; j++) {
            if (h.len == strlen(FIELDS[i].names[j]) &&
                strncasecmp(h.p, FIELDS[i].names[j], h.len) == 0)
                return (enum ifield)i;
        }
        if (h.len == strlen(FIELDS[i].key) &&
            strncasecmp(h.p, FIELDS[i].key, h.len) == 0)
            return (enum ifield)i;
    }
    return IF_NONE;
}

/* One problem of a record: message, and the catalog key it came from
 * (NULL: none, a composed message). */
static void
add_error(struct req *r, struct parsed *p, size_t record, size_t line,
          enum ifield f, const char *key, const char *message)
{
    struct row_error *e;

    if (p->nerrors % 256 == 0) {
        struct row_error *n =
            arena_alloc(r->a, (p->nerrors + 256) * sizeof(*n));

        if (n == NULL)
            return;
        if (p->nerrors > 0)
            memcpy(n, p->errors, p->nerrors * sizeof(*n));
        p->errors = n;
    }
    e = &p->errors[p->nerrors++];
    e->record = record;
    e->line = line;
    e->field =
        f != IF_NONE
            ? http_t(r, arena_printf(r->a, "import.field.%s", FIELDS[f].key))
            : "";
    e->column = FIELDS[f].key;
    e->key = key != NULL ? key : "";
    e->message = message;
}

/* Per-import caches of the lookups rows repeat. */
struct caches {
    struct {
        const char *login;
        int64_t id; /* 0: not allowed */
    } owners[64];
    size_t nowners;
    const char **keys; /* the company's customers' folded names */
    size_t nkeys;
    const char *focus; /* the stage under loss focus (sales/loss_focus.h) */
};

static int64_t
owner_id(struct req *r, struct caches *c, struct str login)
{
    int64_t id = 0;
    size_t i;
    const char *l = arena_str(r->a, login).p;

    for (i = 0; i < c->nowners; i++) {
        if (strcmp(c->owners[i].login, l) == 0)
            return c->owners[i].id;
    }
    /* A login, or the display name the export writes. */
    if ((users_id_by_login(r->app->db, r->a, r->auth->tenant_id, login, &id) !=
             APP_OK &&
         users_id_by_name(r->app->db, r->a, r->auth->tenant_id, login, &id) !=
             APP_OK) ||
        customers_owner_ok(&r->cx, id) != APP_OK)
        id = 0;
    if (c->nowners < 64) {
        c->owners[c->nowners].login = l;
        c->owners[c->nowners].id = id;
        c->nowners++;
    }
    return id;
}

/* May this new customer (no evidence yet) start in stage `key`?  NULL or
 * the reason in the user's language.  Asked per row, with the row's
 * facts: a tenant's can_enter() may look at them. */
static const char *
stage_problem(struct req *r, const struct ruledesc *rd,
              const struct import_row *row, const char *key, const char *focus)
{
    struct rule_verdict v;
    cJSON *have, *facts;
    const char *problem = NULL;
    double amount;
    size_t i;

    if (ruledesc_stage_flag(rd, key, "lost"))
        return http_t(r, "import.lost_stage");
    have = cJSON_CreateObject();
    facts = cJSON_CreateObject();
    if (have == NULL || facts == NULL) {
        cJSON_Delete(have);
        cJSON_Delete(facts);
        return http_t(r, "import.rules_failed");
    }
    cJSON_AddStringToObject(facts, "name", arena_str(r->a, row->f[IF_NAME]).p);
    cJSON_AddStringToObject(facts, "kind", row->kind != NULL ? row->kind : "");
    cJSON_AddStringToObject(facts, "city", arena_str(r->a, row->f[IF_CITY]).p);
    if (parse_decimal(row->f[IF_AMOUNT], 12, 2, &amount))
        cJSON_AddNumberToObject(facts, "amount", amount);
    if (focus != NULL)
        cJSON_AddStringToObject(facts, "loss_focus", focus);
    if (rules_check_transition(&r->cx, facts, NULL, key, have, &v) != APP_OK) {
        problem = http_t(r, "import.rules_failed");
    } else if (!v.ok) {
        struct buf b;
        enum app_err brc;

        buf_init(&b, r->a, 2048);
        brc = buf_puts(
            &b, http_t(r, arena_printf(r->a, "stage.refused.%s",
                                       v.code != NULL ? v.code : "refused")));
        for (i = 0; brc == APP_OK && i < v.nmissing; i++)
            brc = buf_printf(&b, "%s%s", i > 0 ? "、" : " ", v.missing[i].name);
        if (brc == APP_OK && v.message != NULL)
            brc = buf_printf(&b, " %s", v.message);
        problem = brc == APP_OK ? b.p : http_t(r, "import.rules_failed");
    }
    cJSON_Delete(have);
    cJSON_Delete(facts);
    return problem;
}

/* The service's name of each import column it checks (customer_input.h,
 * contacts.h), to report its problems against the column. */
static const struct {
    const char *name;
    enum ifield f;
} CUSTOMER_COLS[] = {
    { "name", IF_NAME },       { "kind", IF_KIND },
    { "city", IF_CITY },       { "address", IF_ADDRESS },
    { "phone", IF_PHONE },     { "amount", IF_AMOUNT },
    { "note", IF_NOTE },       { "owner", IF_OWNER },
}, CONTACT_COLS[] = {
    { "name", IF_CONTACT_NAME },   { "title", IF_CONTACT_TITLE },
    { "department", IF_CONTACT_DEPT }, { "role", IF_CONTACT_ROLE },
    { "phone", IF_CONTACT_PHONE }, { "email", IF_CONTACT_EMAIL },
};

/* Report the service's problems (errors) against the row's columns. */
static void
report(struct req *r, struct parsed *p, const struct csv_record *rec,
       const cJSON *errors, bool contact, struct import_row *row)
{
    const cJSON *e;
    size_t i, n = contact ? sizeof(CONTACT_COLS) / sizeof(CONTACT_COLS[0])
                          : sizeof(CUSTOMER_COLS) / sizeof(CUSTOMER_COLS[0]);

    cJSON_ArrayForEach(e, errors)
    {
        enum ifield f = IF_NONE;

        for (i = 0; i < n; i++) {
            const char *name =
                contact ? CONTACT_COLS[i].name : CUSTOMER_COLS[i].name;

            if (strcmp(name, e->string) == 0)
                f = contact ? CONTACT_COLS[i].f : CUSTOMER_COLS[i].f;
        }
        /* Name the value refused: "不是有效的客户类型 (诊所)". */
        add_error(r, p, rec->number, rec->line, f, view_error_key(e),
                  f != IF_NONE && row->f[f].len > 0 && row->f[f].len <= 60
                      ? arena_printf(r->a, "%s (%s)", view_error_text(r, e),
                                     arena_str(r->a, row->f[f]).p)
                      : view_error_text(r, e));
        row->ok = false;
    }
}

/* The row's fields named as the service knows them. */
APP_MUST_USE static enum app_err
fields_of(struct req *r, const struct import_row *row, bool contact,
          struct kvlist *out)
{
    size_t i, n = contact ? sizeof(CONTACT_COLS) / sizeof(CONTACT_COLS[0])
                          : sizeof(CUSTOMER_COLS) / sizeof(CUSTOMER_COLS[0]);
    enum app_err rc = APP_OK;

    memset(out, 0, sizeof(*out));
    for (i = 0; rc == APP_OK && i < n; i++) {
        enum ifield f = contact ? CONTACT_COLS[i].f : CUSTOMER_COLS[i].f;

        if (f != IF_OWNER && row->f[f].len > 0)
            rc = kv_add(
                r->a, out,
                str_c(contact ? CONTACT_COLS[i].name : CUSTOMER_COLS[i].name),
                row->f[f]);
    }
    return rc;
}

/* The customer's fields through the customer check: the kind defaults to
 * "other" (or the rules' first kind), the owner is a login. */
static void
check_customer(struct req *r, struct parsed *p, const struct ruledesc *rd,
               struct caches *cache, const struct csv_record *rec,
               struct import_row *row)
{
    struct customer_form cf;
    struct kvlist fields;
    cJSON *errors = view_errors(r);
    const cJSON *o;
    int64_t owner = r->auth->user_id;

    if (errors == NULL || fields_of(r, row, false, &fields) != APP_OK) {
        add_error(r, p, rec->number, rec->line, IF_NONE, "import.row_failed",
                  http_t(r, "import.row_failed"));
        row->ok = false;
        return;
    }
    if (row->f[IF_KIND].len == 0) {
        o = ruledesc_find(rd, "customer_kinds", "other");
        if (o == NULL)
            o = cJSON_GetArrayItem(cJSON_GetObjectItem(rd->d, "customer_kinds"),
                                   0);
        if (cJSON_GetStringValue(cJSON_GetObjectItem(o, "key")) != NULL &&
            kv_add(r->a, &fields, STR_LIT("kind"),
                   str_c(cJSON_GetStringValue(
                       cJSON_GetObjectItem(o, "key")))) != APP_OK)
            row->ok = false;
    }
    if (row->f[IF_OWNER].len > 0) {
        owner = owner_id(r, cache, row->f[IF_OWNER]);
        if (owner == 0) {
            add_error(r, p, rec->number, rec->line, IF_OWNER,
                      "import.bad_owner", http_t(r, "import.bad_owner"));
            row->ok = false;
            owner = r->auth->user_id;
        }
    }
    if (kv_add(r->a, &fields, STR_LIT("owner"),
               str_c(arena_printf(r->a, "%lld", (long long)owner))) != APP_OK)
        row->ok = false;
    if (customer_input_check(&r->cx, rd, &fields, false, "owner", &cf,
                             errors) != APP_OK)
        report(r, p, rec, errors, false, row);
    r->cx.err_detail = NULL;
    row->in = cf.in;
    row->kind = arena_str(r->a, cf.in.kind).p;
    row->owner = cf.owner;
    /* The company has a customer of this name (the same folding as the
     * create form's warning): most likely this file came from an export. */
    if (cf.in.name.len > 0) {
        char key[CUSTOMER_KEY_MAX * 4 + 1];

        customers_name_key(cf.in.name, key, sizeof(key));
        row->duplicate = customers_key_known(cache->keys, cache->nkeys, key);
        p->nduplicates += row->duplicate ? 1 : 0;
    }
}

/* The contact's fields through the contact check; its role defaults to
 * "other".  A contact comes with a name. */
static void
check_contact(struct req *r, struct parsed *p, const struct ruledesc *rd,
              const struct csv_record *rec, struct import_row *row)
{
    struct kvlist fields;
    cJSON *errors = view_errors(r);
    int64_t version;

    if (row->f[IF_CONTACT_NAME].len == 0) {
        if (row->f[IF_CONTACT_ROLE].len > 0 ||
            row->f[IF_CONTACT_PHONE].len > 0 ||
            row->f[IF_CONTACT_TITLE].len > 0 ||
            row->f[IF_CONTACT_DEPT].len > 0 ||
            row->f[IF_CONTACT_EMAIL].len > 0) {
            add_error(r, p, rec->number, rec->line, IF_CONTACT_NAME,
                      "import.contact_name_required",
                      http_t(r, "import.contact_name_required"));
            row->ok = false;
        }
        return;
    }
    if (errors == NULL || fields_of(r, row, true, &fields) != APP_OK ||
        (row->f[IF_CONTACT_ROLE].len == 0 &&
         kv_add(r->a, &fields, STR_LIT("role"), STR_LIT("other")) != APP_OK)) {
        add_error(r, p, rec->number, rec->line, IF_NONE, "import.row_failed",
                  http_t(r, "import.row_failed"));
        row->ok = false;
        return;
    }
    if (contact_input_check(&r->cx, rd, &fields, &row->ci, &version, errors) !=
        APP_OK)
        report(r, p, rec, errors, true, row);
    r->cx.err_detail = NULL;
    row->has_contact = true;
}

/* Check one data record into row; problems go to p's errors.  The
 * customer and contact fields go through the same checks as the pages
 * and the API; the stage is the import's own. */
static void
check_row(struct req *r, struct parsed *p, const struct ruledesc *rd,
          struct caches *cache, const struct csv_record *rec,
          struct import_row *row)
{
    const cJSON *o;
    size_t i;

    memset(row, 0, sizeof(*row));
    row->record = rec->number;
    row->line = rec->line;
    row->cells = rec->fields;
    row->ncells = rec->n;
    row->ok = true;
    for (i = 0; i < rec->n && i < p->ncols; i++) {
        if (p->map[i] != IF_NONE)
            row->f[p->map[i]] = str_trim(rec->fields[i]);
    }
    check_customer(r, p, rd, cache, rec, row);
    check_contact(r, p, rd, rec, row);
    /* Stage: the first by default; another only when the rules let a new
     * customer, who has no evidence yet, start there. */
    row->stage = ruledesc_first_stage(rd);
    if (row->f[IF_STAGE].len > 0) {
        o = ruledesc_find(rd, "stages", arena_str(r->a, row->f[IF_STAGE]).p);
        if (o == NULL) {
            add_error(r, p, rec->number, rec->line, IF_STAGE,
                      "stage.refused.unknown_stage",
                      http_t(r, "stage.refused.unknown_stage"));
            row->ok = false;
        } else {
            const char *problem;

            row->stage = cJSON_GetStringValue(cJSON_GetObjectItem(o, "key"));
            problem = stage_problem(r, rd, row, row->stage, cache->focus);
            if (problem != NULL) {
                add_error(r, p, rec->number, rec->line, IF_STAGE, NULL,
                          problem);
                row->ok = false;
            }
        }
    }
}

/* The default mapping: header names recognised; every field at most once. */
static void
auto_map(const struct req *r, struct parsed *p)
{
    bool used[IF_COUNT] = { false };
    size_t i;

    for (i = 0; i < p->ncols; i++) {
        enum ifield f = field_by_header(r, p->header[i]);

        if (f != IF_NONE && !used[f]) {
            p->map[i] = f;
            used[f] = true;
        } else {
            p->map[i] = IF_NONE;
        }
    }
}

static const char *
mapping_json(struct req *r, const struct parsed *p)
{
    cJSON *a = cJSON_CreateArray();
    char *s;
    const char *out;
    size_t i;

    for (i = 0; a != NULL && i < p->ncols; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(FIELDS[p->map[i]].key));
    /* NULL, never "[]" or a list with a column left out. */
    s = a != NULL ? http_json_text(r, a) : NULL;
    cJSON_Delete(a);
    out = s != NULL ? arena_strdup(r->a, s) : NULL;
    cJSON_free(s);
    return out;
}

/* Decode, split and check the import's file (text already decoded when
 * p->text.text.p is set). */
APP_MUST_USE static enum app_err
parse(struct req *r, struct parsed *p, const char *mapping)
{
    struct ruledesc rd;
    struct csv_reader rdr;
    struct csv_record rec;
    struct caches *cache = arena_calloc(r->a, 1, sizeof(*cache));
    struct csv_limits lim = csv_limits_default();
    cJSON *m;
    size_t i;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc != APP_OK)
        return rc;
    if (cache == NULL)
        return APP_ENOMEM;
    rc = customers_name_keys(&r->cx, &cache->keys, &cache->nkeys);
    if (rc != APP_OK)
        return rc;
    lim.max_fields = IMPORT_MAX_COLS;
    lim.max_records = IMPORT_MAX_ROWS + 1;
    rc = csv_reader_init(&rdr, r->a, p->text.text, 0, &lim);
    if (rc != APP_OK)
        return rc;
    p->sep = csv_reader_sep(&rdr);
    rc = csv_next(&rdr, &rec);
    if (rc != APP_OK || rec.n == 0) {
        p->fatal =
            rc != APP_OK
                ? arena_printf(r->a, "%s (%s %zu)", http_t(r, rdr.err.code),
                               http_t(r, "import.line"), rdr.err.line)
                : http_t(r, "import.empty");
        return rc == APP_ENOMEM ? rc : APP_OK;
    }
    p->ncols = rec.n;
    for (i = 0; i < rec.n; i++)
        p->header[i] = rec.fields[i];
    auto_map(r, p);
    m = mapping != NULL ? cJSON_Parse(mapping) : NULL;
    if (cJSON_IsArray(m) && (size_t)cJSON_GetArraySize(m) == p->ncols) {
        for (i = 0; i < p->ncols; i++) {
            const char *k = cJSON_GetStringValue(cJSON_GetArrayItem(m, (int)i));

            p->map[i] = k != NULL ? field_by_key(k) : IF_NONE;
        }
    }
    cJSON_Delete(m);
    p->rows = arena_alloc(r->a, IMPORT_MAX_ROWS * sizeof(*p->rows));
    if (p->rows == NULL)
        return APP_ENOMEM;
    rc = loss_focus_stage(&r->cx, &rd, &cache->focus);
    if (rc != APP_OK)
        return rc;
    for (;;) {
        rc = csv_next(&rdr, &rec);
        if (rc != APP_OK) {
            if (rc == APP_ENOMEM)
                return rc;
            p->fatal = rdr.err.code != NULL &&
                               strcmp(rdr.err.code, "csv.too_many_records") == 0
                           ? arena_printf(r->a, "%s (%d)",
                                          http_t(r, "import.too_many_rows"),
                                          IMPORT_MAX_ROWS)
                           : arena_printf(r->a, "%s (%s %zu, %zu)",
                                          http_t(r, rdr.err.code),
                                          http_t(r, "import.line"),
                                          rdr.err.line, rdr.err.column);
            return APP_OK;
        }
        if (rec.n == 0)
            break;
        check_row(r, p, &rd, cache, &rec, &p->rows[p->nrows]);
        if (p->rows[p->nrows].ok)
            p->nvalid++;
        p->nrows++;
    }
    {
        bool has_name = false;

        for (i = 0; i < p->ncols; i++)
            has_name = has_name || p->map[i] == IF_NAME;
        if (!has_name)
            p->fatal = http_t(r, "import.no_name_column");
    }
    return APP_OK;
}

/* Load import `id` (the user's own, or any for admins) and parse it. */
APP_MUST_USE static enum app_err
load(struct req *r, int64_t id, struct parsed *p)
{
    struct import_job job;
    struct textenc_error terr;
    struct str bytes;
    enum app_err rc;

    memset(p, 0, sizeof(*p));
    rc = import_jobs_get(&r->cx, id, &job);
    if (rc != APP_OK)
        return rc;
    p->id = id;
    p->file_id = job.file_id;
    p->status = job.status;
    p->imported = job.imported;
    p->file_name = job.file_name;
    if (textenc_parse(str_c(job.encoding), &p->want) != APP_OK)
        p->want = TEXTENC_AUTO;
    rc = files_read(&r->cx, p->file_id, IMPORT_MAX_BYTES, &bytes, NULL);
    if (rc != APP_OK)
        return rc;
    rc = textenc_decode(r->a, bytes, p->want, 2 * IMPORT_MAX_BYTES, &p->text,
                        &terr);
    if (rc == APP_ENOMEM)
        return rc;
    if (rc != APP_OK) {
        p->fatal = arena_printf(r->a, "%s (%s %zu)", http_t(r, terr.code),
                                http_t(r, "import.line"), terr.line);
        return APP_OK;
    }
    return parse(r, p, job.mapping);
}

/* --- pages ------------------------------------------------------------------
 */

APP_MUST_USE static enum app_err
upload_page(struct req *r, int status, const char *error)
{
    cJSON *m = view_new(r), *fields;
    int f;

    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "encodings",
                          view_options(r, ENCODINGS, "import.enc.", "auto"));
    fields = cJSON_AddArrayToObject(m, "fields");
    for (f = 1; fields != NULL && f < IF_COUNT; f++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL)
            break;
        view_add_str(
            o, "label",
            http_t(r, arena_printf(r->a, "import.field.%s", FIELDS[f].key)));
        view_add_str(o, "header", FIELDS[f].names[0]);
        cJSON_AddItemToArray(fields, o);
    }
    cJSON_AddNumberToObject(m, "max_rows", IMPORT_MAX_ROWS);
    if (error != NULL)
        view_add_str(m, "error", error);
    return view_page(r, status, "pages/import_upload", m);
}

enum app_err
imports_form(struct req *r)
{
    return upload_page(r, 200, NULL);
}

enum app_err
imports_upload(struct req *r)
{
    static const struct field_spec spec[] = {
        { "encoding", V_ENUM, false, 0, 0, ENCODINGS },
    };
    struct field_val v[1];
    struct textenc_result text;
    struct textenc_error terr;
    struct parsed p;
    const struct upload *up = NULL;
    struct str bytes;
    const char *mime, *mapping;
    int64_t file_id = 0;
    int64_t id = 0;
    enum textenc want = TEXTENC_AUTO;
    size_t i;
    enum app_err rc;

    if (validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL) !=
        APP_OK)
        return APP_EVALIDATION;
    if (v[0].present &&
        textenc_parse(str_c(ENCODINGS[v[0].i]), &want) != APP_OK)
        return APP_EINTERNAL; /* the choices are textenc's own names */
    for (i = 0; i < r->files.n; i++) {
        if (str_eq_c(r->files.v[i].field, "file") && r->files.v[i].size > 0)
            up = &r->files.v[i];
    }
    if (up == NULL)
        return upload_page(r, 422, http_t(r, "evidence.file_required"));
    if (up->size > IMPORT_MAX_BYTES)
        return upload_page(r, 413, http_t(r, "import.too_big"));
    /* Read it once now: a file that is not text in a known encoding, or
     * not CSV, is refused before anything is stored. */
    {
        FILE *f = fopen(up->path, "rb");
        char *buf = arena_alloc(r->a, up->size + 1);

        if (f == NULL || buf == NULL) {
            if (f != NULL)
                fclose(f);
            return f == NULL ? APP_EIO : APP_ENOMEM;
        }
        if (fread(buf, 1, up->size, f) != up->size) {
            fclose(f);
            return APP_EIO;
        }
        fclose(f);
        bytes = (struct str){ buf, up->size };
    }
    rc = textenc_decode(r->a, bytes, want, 2 * IMPORT_MAX_BYTES, &text, &terr);
    if (rc == APP_ENOMEM || rc == APP_ETOOBIG) {
        http_fresh(r); /* the page says what failed */
        return upload_page(r, 413, http_t(r, "import.too_big"));
    }
    if (rc != APP_OK)
        return upload_page(r, 422,
                           arena_printf(r->a, "%s (%s %zu)",
                                        http_t(r, terr.code),
                                        http_t(r, "import.line"), terr.line));
    memset(&p, 0, sizeof(p));
    p.text = text;
    rc = parse(r, &p, NULL);
    if (rc == APP_ENOMEM) {
        http_fresh(r); /* the page says what failed */
        return upload_page(r, 413, http_t(r, "import.too_big"));
    }
    if (rc != APP_OK)
        return rc;
    if (p.ncols == 0)
        return upload_page(
            r, 422, p.fatal != NULL ? p.fatal : http_t(r, "import.empty"));
    mapping = mapping_json(r, &p);
    if (mapping == NULL)
        return APP_ENOMEM;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = files_store(&r->cx, up, 0, &file_id, &mime);
        if (rc == APP_OK)
            rc = import_jobs_create(&r->cx, file_id, textenc_name(want),
                                    mapping, &id);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, arena_printf(r->a, "/customers/import/%llu",
                                         (unsigned long long)id));
}

/* The first valid rows as they will be stored, with labels. */
static bool
preview_model(struct req *r, const struct ruledesc *rd, const struct parsed *p,
              cJSON *m)
{
    cJSON *rows;
    size_t i, shown = 0;

    rows = cJSON_AddArrayToObject(m, "preview");
    for (i = 0; rows != NULL && i < p->nrows && shown < SHOW_ROWS; i++) {
        cJSON *o;

        if (!p->rows[i].ok)
            continue;
        o = cJSON_CreateObject();
        if (o == NULL)
            return false;
        view_add_str(o, "name", arena_str(r->a, p->rows[i].f[IF_NAME]).p);
        view_add_str(
            o, "kind",
            p->rows[i].kind != NULL
                ? ruledesc_label(&r->cx, rd, "customer_kinds", p->rows[i].kind)
                : "");
        view_add_str(
            o, "stage",
            p->rows[i].stage != NULL
                ? ruledesc_label(&r->cx, rd, "stages", p->rows[i].stage)
                : "");
        view_add_str(o, "city", arena_str(r->a, p->rows[i].f[IF_CITY]).p);
        view_add_str(o, "contact",
                     arena_str(r->a, p->rows[i].f[IF_CONTACT_NAME]).p);
        cJSON_AddItemToArray(rows, o);
        shown++;
    }
    return rows != NULL;
}

/* "?updated=N" after a commit (a number, else ""). */
static const char *
committed_count(struct req *r, const char *name)
{
    const struct str *arg = http_query_arg(r, name);
    int64_t n;

    if (arg == NULL || !parse_i64(*arg, 0, IMPORT_MAX_ROWS, &n) || n == 0)
        return "";
    return arena_printf(r->a, "%lld", (long long)n);
}

APP_MUST_USE static enum app_err
show(struct req *r, int status, struct parsed *p, const char *error)
{
    cJSON *m = view_new(r), *cols, *errs;
    struct ruledesc rd;
    size_t i;
    int f;

    if (m == NULL)
        return APP_ENOMEM;
    if (ruledesc_get(&r->cx, &rd) != APP_OK)
        return APP_ERULE;
    cJSON_AddNumberToObject(m, "id", (double)p->id);
    view_add_str(m, "file_name", p->file_name);
    view_add_str(m, "encoding",
                 http_t(r, arena_printf(r->a, "import.enc.%s",
                                        textenc_name(p->text.enc))));
    cJSON_AddBoolToObject(m, "bom", p->text.bom);
    view_add_str(m, "separator",
                 p->sep == '\t'  ? "TAB"
                 : p->sep == ';' ? ";"
                                 : ",");
    cJSON_AddBoolToObject(m, "committed", strcmp(p->status, "committed") == 0);
    cJSON_AddNumberToObject(m, "imported", (double)p->imported);
    view_add_str(m, "updated", committed_count(r, "updated"));
    view_add_str(m, "unmatched", committed_count(r, "unmatched"));
    if (p->fatal != NULL)
        view_add_str(m, "fatal", p->fatal);
    if (error != NULL)
        view_add_str(m, "error", error);
    cJSON_AddNumberToObject(m, "total", (double)p->nrows);
    cJSON_AddNumberToObject(m, "valid", (double)p->nvalid);
    cJSON_AddNumberToObject(m, "duplicates", (double)p->nduplicates);
    cJSON_AddNumberToObject(m, "invalid", (double)(p->nrows - p->nvalid));
    cJSON_AddBoolToObject(m, "all_valid",
                          p->fatal == NULL && p->nrows > 0 &&
                              p->nvalid == p->nrows);
    cJSON_AddBoolToObject(m, "some_valid", p->fatal == NULL && p->nvalid > 0);
    cols = cJSON_AddArrayToObject(m, "columns");
    for (i = 0; cols != NULL && i < p->ncols; i++) {
        cJSON *c = cJSON_CreateObject(), *opts;

        if (c == NULL)
            break;
        cJSON_AddItemToArray(cols, c);
        cJSON_AddNumberToObject(c, "index", (double)i);
        view_add_str(c, "header", arena_str(r->a, p->header[i]).p);
        opts = cJSON_AddArrayToObject(c, "options");
        for (f = 0; opts != NULL && f < IF_COUNT; f++) {
            cJSON *o = cJSON_CreateObject();

            if (o == NULL)
                break;
            view_add_str(o, "value", FIELDS[f].key);
            view_add_str(
                o, "label",
                http_t(r, arena_printf(r->a, "import.field.%s",
                                       f == 0 ? "none" : FIELDS[f].key)));
            cJSON_AddBoolToObject(o, "selected", p->map[i] == (enum ifield)f);
            cJSON_AddItemToArray(opts, o);
        }
    }
    errs = cJSON_AddArrayToObject(m, "errors");
    for (i = 0; errs != NULL && i < p->nerrors && i < SHOW_ERRORS; i++) {
        cJSON *e = cJSON_CreateObject();

        if (e == NULL)
            break;
        cJSON_AddNumberToObject(e, "line", (double)p->errors[i].line);
        view_add_str(e, "field", p->errors[i].field);
        view_add_str(e, "message", p->errors[i].message);
        view_add_str(e, "column", p->errors[i].column);
        view_add_str(e, "key", p->errors[i].key);
        cJSON_AddItemToArray(errs, e);
    }
    cJSON_AddBoolToObject(m, "more_errors", p->nerrors > SHOW_ERRORS);
    cJSON_AddNumberToObject(m, "nerrors", (double)p->nerrors);
    if (!preview_model(r, &rd, p, m))
        return APP_ENOMEM;
    return view_page(r, status, "pages/import", m);
}

enum app_err
imports_show(struct req *r)
{
    struct parsed p;
    enum app_err rc = load(r, router_param_int(r, "id"), &p);

    if (rc != APP_OK)
        return rc;
    return show(r, 200, &p, NULL);
}

enum app_err
imports_mapping(struct req *r)
{
    struct parsed p;
    int64_t id = router_param_int(r, "id");
    const char *mapping;
    size_t i;
    enum app_err rc = load(r, id, &p);

    if (rc != APP_OK)
        return rc;
    if (p.ncols == 0)
        return show(r, 422, &p, NULL);
    for (i = 0; i < p.ncols; i++) {
        const struct str *v =
            kv_get(&r->form, arena_printf(r->a, "map_%zu", i));
        size_t j;

        p.map[i] = v != NULL ? field_by_key(arena_str(r->a, *v).p) : IF_NONE;
        /* Only the fields offered (or nothing), each for one column. */
        if (v != NULL && v->len > 0 && p.map[i] == IF_NONE)
            return show(r, 422, &p, http_t(r, "import.bad_mapping"));
        for (j = 0; j < i && p.map[i] != IF_NONE; j++)
            if (p.map[j] == p.map[i])
                return show(r, 422, &p, http_t(r, "import.double_mapping"));
    }
    mapping = mapping_json(r, &p);
    if (mapping == NULL)
        return APP_ENOMEM;
    rc = import_jobs_set_mapping(&r->cx, id, mapping);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/import/%lld", (long long)id));
}

APP_MUST_USE static enum app_err
insert_row(struct req *r, const struct ruledesc *rd,
           const struct import_row *row)
{
    int64_t id = 0, kid = 0;
    enum app_err rc = customers_create(&r->cx, &row->in, row->owner, row->stage,
                                       rd->version, "import", &id);

    if (rc != APP_OK || !row->has_contact)
        return rc;
    return contacts_create(&r->cx, id, &row->ci, &kid);
}

/* A cell the file filled takes the row's checked value; an empty one
 * keeps what the customer has. */
static struct str
merged(const struct import_row *row, enum ifield f, struct str checked,
       const char *stored)
{
    return row->f[f].len > 0 ? checked : str_c(stored);
}

/* A row naming a customer the user already has, imported as an update:
 * the cells the file fills replace the customer's fields (name, stage and
 * owner stay: a stage moves through its gate, an owner by a transfer),
 * and its contact is added unless one of that name exists.  *matched is
 * false when no single customer in the user's scope has the name.  have:
 * room for CONTACTS_MAX contacts, the caller's, reused row after row. */
APP_MUST_USE static enum app_err
update_row(struct req *r, const struct import_row *row, struct contact *have,
           bool *matched)
{
    struct customer c;
    struct customer_input in;
    size_t i, n = 0;
    int64_t id = 0, kid = 0;
    bool elsewhere = false;
    enum app_err rc =
        customers_same_name(&r->cx, row->in.name, &id, &elsewhere);

    *matched = rc == APP_OK;
    if (rc == APP_ENOTFOUND || rc == APP_ECONFLICT)
        return APP_OK;
    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, true, &c);
    if (rc != APP_OK)
        return rc;
    in.name = str_c(c.name);
    in.kind = merged(row, IF_KIND, row->in.kind, c.kind);
    in.city = merged(row, IF_CITY, row->in.city, c.city);
    in.address = merged(row, IF_ADDRESS, row->in.address, c.address);
    in.phone = merged(row, IF_PHONE, row->in.phone, c.phone);
    in.amount = merged(row, IF_AMOUNT, row->in.amount, c.amount);
    in.note = merged(row, IF_NOTE, row->in.note, c.note);
    rc = customers_update(&r->cx, id, c.version, &in);
    if (rc != APP_OK || !row->has_contact)
        return rc;
    rc = contacts_list(&r->cx, id, have, CONTACTS_MAX, &n);
    for (i = 0; rc == APP_OK && i < n; i++) {
        if (str_eq(str_c(have[i].name), row->ci.name))
            return APP_OK;
    }
    return rc == APP_OK ? contacts_create(&r->cx, id, &row->ci, &kid) : rc;
}

/* What a commit does with a row naming a customer the company has. */
enum dup_mode { DUP_SKIP, DUP_CREATE, DUP_UPDATE };

struct commit_count {
    int64_t created, updated, unmatched;
};

/* One try of committing import id: lock it, insert its valid rows (or
 * update, by dup), mark it done, audit.  APP_ECONFLICT with p->status
 * "committed" when another commit got there first (a double click: it
 * waited on the lock). */
APP_MUST_USE static enum app_err
commit_rows(struct req *r, const struct ruledesc *rd, struct parsed *p,
            int64_t id, const char *mode, enum dup_mode dup,
            struct commit_count *n)
{
    static const char *const dup_names[] = { "skip", "create", "update" };
    struct contact *have = NULL; /* update_row's room, made once */
    bool open = false;
    size_t i;
    cJSON *d;
    enum app_err rc = import_jobs_lock(&r->cx, id, &open);

    memset(n, 0, sizeof(*n));
    if (rc != APP_OK)
        return rc;
    if (!open) {
        p->status = "committed";
        return APP_ECONFLICT;
    }
    for (i = 0; rc == APP_OK && i < p->nrows; i++) {
        bool matched = false;

        if (!p->rows[i].ok || (dup == DUP_SKIP && p->rows[i].duplicate))
            continue;
        if (dup == DUP_UPDATE && p->rows[i].duplicate) {
            if (have == NULL && (have = arena_calloc(r->a, CONTACTS_MAX,
                                                     sizeof(*have))) == NULL)
                return APP_ENOMEM;
            rc = update_row(r, &p->rows[i], have, &matched);
            n->updated += matched ? 1 : 0;
            n->unmatched += matched ? 0 : 1;
            continue;
        }
        rc = insert_row(r, rd, &p->rows[i]);
        n->created += rc == APP_OK ? 1 : 0;
    }
    if (rc == APP_OK)
        rc = import_jobs_done(&r->cx, id, p->nrows, p->nvalid,
                              (size_t)(n->created + n->updated));
    if (rc != APP_OK)
        return rc;
    d = cJSON_CreateObject();
    if (d == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(d, "import", (double)id);
    cJSON_AddNumberToObject(d, "rows", (double)n->created);
    cJSON_AddNumberToObject(d, "updated", (double)n->updated);
    cJSON_AddStringToObject(d, "mode", mode);
    cJSON_AddStringToObject(d, "duplicates", dup_names[dup]);
    rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, 0,
                     "customers.import", d);
    cJSON_Delete(d);
    return rc;
}

enum app_err
imports_commit(struct req *r)
{
    static const char *const modes[] = { "all", "valid", NULL };
    static const char *const dups[] = { "skip", "create", "update", NULL };
    static const struct field_spec spec[] = {
        { "mode", V_ENUM, true, 0, 0, modes },
        { "duplicates", V_ENUM, false, 0, 0, dups },
    };
    struct field_val v[2];
    struct commit_count n;
    struct ruledesc rd;
    struct parsed p;
    int64_t id = router_param_int(r, "id");
    enum app_err rc = load(r, id, &p);

    if (rc != APP_OK)
        return rc;
    if (validate_fields(&r->cx.err_detail, &r->form, spec, 2, v, NULL) !=
        APP_OK)
        return APP_EVALIDATION;
    if (strcmp(p.status, "preview") != 0)
        return show(r, 409, &p, http_t(r, "import.already"));
    if (p.fatal != NULL || p.nrows == 0)
        return show(r, 422, &p, http_t(r, "import.nothing"));
    /* All or nothing: one bad row and nothing is written. */
    if (v[0].i == 0 && p.nvalid != p.nrows)
        return show(r, 422, &p, http_t(r, "import.not_all_valid"));
    rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);)
        rc = commit_rows(r, &rd, &p, id, modes[v[0].i],
                         v[1].present ? (enum dup_mode)v[1].i : DUP_SKIP, &n);
    if (rc == APP_ECONFLICT && strcmp(p.status, "committed") == 0)
        return show(r, 409, &p, http_t(r, "import.already"));
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(
               r->a, "/customers/import/%lld?updated=%lld&unmatched=%lld",
               (long long)id, (long long)n.updated, (long long)n.unmatched));
}

/* An empty file with every column the import knows, headed as the page
 * lists them, to fill in a spreadsheet. */
enum app_err
imports_template(struct req *r)
{
    struct str head[IF_COUNT];
    struct csv_writer w;
    size_t n = 0;
    int f;
    enum app_err rc = view_csv_begin(r, "customers-template.csv", 64 * 1024);

    csv_writer_init(&w, &r->body, ',');
    if (rc == APP_OK)
        rc = csv_write_bom(&w);
    for (f = 1; f < IF_COUNT; f++)
        head[n++] = str_c(http_t(
            r, LABELS[f] != NULL
                   ? LABELS[f]
                   : arena_printf(r->a, "import.field.%s", FIELDS[f].key)));
    if (rc == APP_OK)
        rc = csv_write_record(&w, head, n);
    return rc;
}

/* The problems of record (errors are in record order; *j walks them):
 * "field: message; ..." in the arena. */
static const char *
row_problems(struct req *r, const struct parsed *p, size_t record, size_t *j)
{
    const char *out = "";

    while (*j < p->nerrors && p->errors[*j].record < record)
        (*j)++;
    for (; *j < p->nerrors && p->errors[*j].record == record; (*j)++) {
        const struct row_error *e = &p->errors[*j];

        out =
            arena_printf(r->a, "%s%s%s%s%s", out, out[0] != '\0' ? "; " : "",
                         e->field, e->field[0] != '\0' ? ": " : "", e->message);
    }
    return out;
}

/* The rows that cannot be imported, as the file has them (its header, its
 * cells), with the line and the problems in two more columns: fix them in
 * a spreadsheet and import the file again (the two columns are ignored). */
enum app_err
imports_errors(struct req *r)
{
    struct parsed p;
    struct csv_writer w;
    struct str *cells;
    size_t i, c, j = 0;
    enum app_err rc = load(r, router_param_int(r, "id"), &p);

    if (rc != APP_OK)
        return rc;
    rc = view_csv_begin(
        r, arena_printf(r->a, "import-%lld-errors.csv", (long long)p.id),
        (size_t)r->app->conf.limits.max_output);
    cells = arena_alloc(r->a, (IMPORT_MAX_COLS + 2) * sizeof(*cells));
    if (rc == APP_OK && cells == NULL)
        rc = APP_ENOMEM;
    csv_writer_init(&w, &r->body, ',');
    if (rc == APP_OK)
        rc = csv_write_bom(&w);
    if (rc == APP_OK) {
        cells[0] = str_c(http_t(r, "import.col_line"));
        for (c = 0; c < p.ncols; c++)
            cells[c + 1] = p.header[c];
        cells[p.ncols + 1] = str_c(http_t(r, "import.col_row_errors"));
        rc = csv_write_record(&w, cells, p.ncols + 2);
    }
    if (rc == APP_OK && p.fatal != NULL) {
        for (c = 0; c <= p.ncols; c++)
            cells[c] = STR_LIT("");
        cells[p.ncols + 1] = str_c(p.fatal);
        rc = csv_write_record(&w, cells, p.ncols + 2);
    }
    for (i = 0; rc == APP_OK && i < p.nrows; i++) {
        const struct import_row *row = &p.rows[i];

        if (row->ok)
            continue;
        cells[0] = str_c(arena_printf(r->a, "%zu", row->line));
        for (c = 0; c < p.ncols; c++)
            cells[c + 1] = c < row->ncells ? row->cells[c] : STR_LIT("");
        cells[p.ncols + 1] = str_c(row_problems(r, &p, row->record, &j));
        rc = csv_write_record(&w, cells, p.ncols + 2);
    }
    return rc;
}

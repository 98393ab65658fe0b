/*
 * evidence.c -- evidence items of a customer, and the validation of the
 * forms whose fields the tenant's rules define.
 */
#include "sales/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "identity/access.h"
#include "sales/customers.h"
#include "sales/files.h"
#include "db/db.h"
#include "base/num.h"
#include "base/validate.h"

/* Evidence rows of a customer read at most. */
#define EVIDENCE_ROWS 1000
#define EVIDENCE_ROWS_SQL "1000"

static const char SQL_CURRENT[] =
    "SELECT e.id, e.ev_key, e.kind, COALESCE(e.file_id, 0), "
    "COALESCE(e.data, ''), e.note, e.created_at, COALESCE(u.display_name, ''), "
    "COALESCE(e.used_in, 0), COALESCE(f.name, ''), COALESCE(f.mime, '') "
    "FROM evidence e LEFT JOIN users u ON u.id = e.created_by "
    "AND u.tenant_id = e.tenant_id LEFT JOIN files f ON f.id = e.file_id "
    "AND f.tenant_id = e.tenant_id WHERE e.tenant_id = ? "
    "AND e.customer_id = ? AND e.removed_at IS NULL ORDER BY e.id DESC "
    "LIMIT " EVIDENCE_ROWS_SQL;
/* The customer's page reads the customer and its evidence in one round
 * trip: the customer's columns repeat on each evidence row (there are a
 * few), a customer without evidence is one row of NULLs on the right.
 * Unordered: sorting a join's rows costs the server a temporary table,
 * more than the separate statements did; fill_current orders them. */
static const char SQL_WITH_CUSTOMER[] =
    "SELECT " CUSTOMERS_SQL_COLS ", e.id, e.ev_key, e.kind, "
    "COALESCE(e.file_id, 0), COALESCE(e.data, ''), e.note, e.created_at, "
    "COALESCE(eu.display_name, ''), COALESCE(e.used_in, 0), "
    "COALESCE(f.name, ''), COALESCE(f.mime, '')" CUSTOMERS_SQL_FROM
    "LEFT JOIN evidence e ON e.tenant_id = c.tenant_id "
    "AND e.customer_id = c.id AND e.removed_at IS NULL "
    "LEFT JOIN users eu ON eu.id = e.created_by AND eu.tenant_id = c.tenant_id "
    "LEFT JOIN files f ON f.id = e.file_id AND f.tenant_id = c.tenant_id "
    "WHERE c.tenant_id = ? AND c.id = ? AND " CUSTOMERS_SQL_SCOPE
    " LIMIT " EVIDENCE_ROWS_SQL;
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM evidence WHERE tenant_id = ? AND customer_id = ? "
    "AND removed_at IS NULL";
static const char SQL_ADD[] =
    "INSERT INTO evidence (tenant_id, customer_id, ev_key, kind, file_id, "
    "data, note, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_ONE[] =
    "SELECT COALESCE(used_in, 0) FROM evidence WHERE tenant_id = ? "
    "AND customer_id = ? AND id = ? AND removed_at IS NULL FOR UPDATE";
static const char SQL_REMOVE[] =
    "UPDATE evidence SET removed_at = UTC_TIMESTAMP(3), removed_by = ? "
    "WHERE tenant_id = ? AND id = ? AND used_in IS NULL";
static const char SQL_USED[] =
    "UPDATE evidence SET used_in = ? WHERE tenant_id = ? AND id = ? "
    "AND used_in IS NULL";
static const char SQL_KEYS_OF[] =
    "SELECT DISTINCT e.customer_id, e.ev_key FROM JSON_TABLE(?, '$[*]' "
    "COLUMNS (id BIGINT PATH '$')) j JOIN evidence e ON e.customer_id = j.id "
    "WHERE e.tenant_id = ? AND e.removed_at IS NULL LIMIT 20000";

enum app_err
evidence_keys_of(struct ctx *cx, const char *ids, struct db_res *res)
{
    return db_query(cx->db, cx->a, SQL_KEYS_OF,
                    DB_ARGS(DB_CSTR(ids), DB_I64(cx->tenant_id)), 20000, res);
}

static int
newest_first(const void *a, const void *b)
{
    const struct evidence_item *x = a, *y = b;

    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* The current item per key, newest first, from rows in any order whose
 * evidence columns (those of SQL_CURRENT) start at column `at`: the
 * newest row of a key wins; a row without an item (NULL id) is skipped. */
static void
fill_current(const struct db_res *res, size_t at, struct evidence_set *out)
{
    size_t i, k;

    out->n = 0;
    for (i = 0; i < res->nrows; i++) {
        const char *key = db_text(res, i, at + 1);
        int64_t id = db_int(res, i, at, 0);
        struct evidence_item *e = NULL;

        if (db_cell(res, i, at).p == NULL)
            continue;
        for (k = 0; k < out->n && e == NULL; k++)
            if (strcmp(out->v[k].key, key) == 0)
                e = &out->v[k];
        if (e != NULL && e->id >= id)
            continue;
        if (e == NULL && out->n == EVIDENCE_MAX_ITEMS)
            continue;
        if (e == NULL)
            e = &out->v[out->n++];
        e->id = id;
        e->key = db_text(res, i, at + 1);
        e->kind = db_text(res, i, at + 2);
        e->file_id = db_int(res, i, at + 3, 0);
        e->data = db_text(res, i, at + 4);
        e->note = db_text(res, i, at + 5);
        e->created_at = db_text(res, i, at + 6);
        e->by_name = db_text(res, i, at + 7);
        e->used_in = db_int(res, i, at + 8, 0);
        e->file_name = db_text(res, i, at + 9);
        e->file_mime = db_text(res, i, at + 10);
    }
    qsort(out->v, out->n, sizeof(out->v[0]), newest_first);
}

enum app_err
evidence_current(struct ctx *cx, int64_t customer_id, struct evidence_set *out)
{
    struct db_res res;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_CURRENT,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id)),
                 EVIDENCE_ROWS, &res);

    out->n = 0;
    if (rc != APP_OK)
        return rc;
    fill_current(&res, 0, out);
    return APP_OK;
}

enum app_err
evidence_with_customer(struct ctx *cx, int64_t customer_id, struct customer *c,
                       struct evidence_set *out)
{
    struct db_res res;
    int64_t root, all;
    enum app_err rc;

    out->n = 0;
    access_scope(cx, &root, &all);
    rc = db_query(cx->db, cx->a, SQL_WITH_CUSTOMER,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id),
                          DB_I64(all), DB_I64(cx->tenant_id), DB_I64(root)),
                  EVIDENCE_ROWS, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    customers_row(&res, 0, c);
    /* Unordered rows cut at the limit may have left out a current item:
     * that many items (never seen in practice) are read in order. */
    if (res.nrows == EVIDENCE_ROWS)
        return evidence_current(cx, customer_id, out);
    fill_current(&res, CUSTOMERS_NCOLS, out);
    return APP_OK;
}

const struct evidence_item *
evidence_find(const struct evidence_set *set, const char *key)
{
    size_t i;

    for (i = 0; i < set->n; i++) {
        if (strcmp(set->v[i].key, key) == 0)
            return &set->v[i];
    }
    return NULL;
}

cJSON *
evidence_have(const struct evidence_set *set)
{
    cJSON *have = cJSON_CreateObject();
    size_t i;

    for (i = 0; have != NULL && i < set->n; i++) {
        cJSON *data =
            set->v[i].data[0] != '\0' ? cJSON_Parse(set->v[i].data) : NULL;

        if (cJSON_IsObject(data))
            cJSON_AddItemToObject(have, set->v[i].key, data);
        else {
            cJSON_Delete(data);
            cJSON_AddBoolToObject(have, set->v[i].key, true);
        }
    }
    return have;
}

/* --- form validation ------------------------------------------------------ */

#define FIELD_TEXT_MAX 1000
#define FIELD_LIST_MAX 50
#define FIELD_ITEM_MAX 200     /* characters of one list item */
#define DATA_MAX (32u * 1024u) /* bytes of a form's data as JSON */

static const char *
def_str(const cJSON *def, const char *k, const char *fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(def, k);

    return cJSON_IsString(v) ? v->valuestring : fallback;
}

static bool
def_num(const cJSON *def, const char *k, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(def, k);

    if (!cJSON_IsNumber(v))
        return false;
    *out = v->valuedouble;
    return true;
}

static void
field_error(cJSON *errors, const char *field, const char *key, double n)
{
    cJSON *e;

    if (errors == NULL || cJSON_HasObjectItem(errors, field))
        return;
    if (n < 0) {
        cJSON_AddStringToObject(errors, field, key);
        return;
    }
    /* A limit the message names: {"key": ..., "n": limit}. */
    e = cJSON_AddObjectToObject(errors, field);
    if (e != NULL) {
        cJSON_AddStringToObject(e, "key", key);
        cJSON_AddNumberToObject(e, "n", n);
    }
}

/* The raw value of field `name` as text or a list of items. */
static bool
raw_value(struct ctx *cx, const struct kvlist *form, const cJSON *json,
          const char *name, bool list, struct str *text, cJSON **items)
{
    *text = STR_LIT("");
    *items = NULL;
    if (json != NULL) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, name);

        if (v == NULL || cJSON_IsNull(v))
            return true;
        if (list && cJSON_IsArray(v)) {
            const cJSON *x;

            *items = cJSON_CreateArray();
            cJSON_ArrayForEach(x, v)
            {
                if (!cJSON_IsString(x)) {
                    cJSON_Delete(*items);
                    *items = NULL;
                    return false;
                }
                if (x->valuestring[0] != '\0')
                    cJSON_AddItemToArray(*items,
                                         cJSON_CreateString(x->valuestring));
            }
            return true;
        }
        if (cJSON_IsString(v)) {
            *text = str_trim(str_c(v->valuestring));
            return true;
        }
        if (cJSON_IsNumber(v)) {
            *text = str_c(arena_printf(cx->a, "%.15g", v->valuedouble));
            return true;
        }
        return false;
    }
    if (form != NULL) {
        const struct str *v = kv_get(form, name);

        if (v != NULL)
            *text = str_trim(*v);
    }
    if (list) {
        struct str rest = *text, line;

        *items = cJSON_CreateArray();
        while (rest.len > 0) {
            str_split(rest, '\n', &line, &rest);
            line = str_trim(line);
            if (line.len > 0)
                cJSON_AddItemToArray(
                    *items, cJSON_CreateString(arena_str(cx->a, line).p));
        }
    }
    return true;
}

static bool
valid_text(struct str s, size_t max)
{
    size_t i;

    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];

        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
            return false;
    }
    return utf8_chars(s.p, s.len) <= max;
}

/* A "list" field's items (taken over: added to out, or freed). */
static bool
check_list(const cJSON *f, const char *name, bool required, cJSON *items,
           cJSON *out, cJSON *errors)
{
    int n = cJSON_GetArraySize(items);
    const cJSON *it;
    double lo, hi;

    cJSON_ArrayForEach(it, items)
    {
        if (!valid_text(str_c(it->valuestring), FIELD_ITEM_MAX)) {
            field_error(errors, name, "validate.too_long", FIELD_ITEM_MAX);
            cJSON_Delete(items);
            return false;
        }
    }
    if (n == 0 && !required) {
        cJSON_Delete(items);
        return true;
    }
    cJSON_AddItemToObject(out, name, items);
    if ((required && n == 0) || n > FIELD_LIST_MAX ||
        (def_num(f, "min", &lo) && n < lo)) {
        field_error(errors, name, "evidence.list_min",
                    def_num(f, "min", &lo) ? lo : 1);
        return false;
    }
    if (def_num(f, "max", &hi) && n > hi) {
        field_error(errors, name, "evidence.list_max", hi);
        return false;
    }
    return true;
}

/* A non-empty text, number, date or choice field, added to out. */
static bool
check_scalar(struct ctx *cx, const cJSON *f, const char *name, const char *type,
             struct str text, cJSON *out, cJSON *errors)
{
    double lo, hi, num;
    int y, m, d;

    if (!valid_text(text, FIELD_TEXT_MAX)) {
        field_error(errors, name, "validate.too_long", FIELD_TEXT_MAX);
        return false;
    }
    if (strcmp(type, "number") == 0) {
        char plain[48];

        if (!parse_human_number(text, plain, sizeof(plain)) ||
            !parse_decimal(str_c(plain), 11, 4, &num)) {
            field_error(errors, name, "evidence.bad_number", -1);
            return false;
        }
        if (def_num(f, "min", &lo) && num < lo) {
            field_error(errors, name, "evidence.too_small", lo);
            return false;
        }
        if (def_num(f, "max", &hi) && num > hi) {
            field_error(errors, name, "evidence.too_large", hi);
            return false;
        }
        cJSON_AddNumberToObject(out, name, num);
        return true;
    }
    if (strcmp(type, "date") == 0 && !parse_date(text, &y, &m, &d)) {
        field_error(errors, name, "evidence.bad_date", -1);
        return false;
    }
    if (strcmp(type, "choice") == 0) {
        const cJSON *o, *opts = cJSON_GetObjectItemCaseSensitive(f, "options");
        bool found = false;

        cJSON_ArrayForEach(o, opts)
        {
            if (cJSON_IsString(o) && str_eq_c(text, o->valuestring))
                found = true;
        }
        if (!found) {
            field_error(errors, name, "evidence.bad_choice", -1);
            return false;
        }
    }
    cJSON_AddStringToObject(out, name, arena_str(cx->a, text).p);
    return true;
}

enum app_err
evidence_validate(struct ctx *cx, const cJSON *def, const struct kvlist *form,
                  const cJSON *json, cJSON **data, cJSON *errors)
{
    const cJSON *f, *fields = cJSON_GetObjectItemCaseSensitive(def, "fields");
    cJSON *out = cJSON_CreateObject();
    bool bad = false;

    *data = NULL;
    if (out == NULL)
        return APP_ENOMEM;
    cJSON_ArrayForEach(f, fields)
    {
        const char *name = def_str(f, "key", NULL);
        const char *type = def_str(f, "type", "text");
        bool required =
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "required"));
        bool list = strcmp(type, "list") == 0;
        struct str text;
        cJSON *items = NULL;

        if (name == NULL)
            continue;
        if (!raw_value(cx, form, json, name, list, &text, &items)) {
            field_error(errors, name, "evidence.bad_value", -1);
            bad = true;
            continue;
        }
        if (list) {
            if (!check_list(f, name, required, items, out, errors))
                bad = true;
            continue;
        }
        if (text.len == 0) {
            if (required) {
                field_error(errors, name, "validate.required", -1);
                bad = true;
            }
            continue;
        }
        if (!check_scalar(cx, f, name, type, text, out, errors))
            bad = true;
    }
    if (!bad) {
        char *text = cJSON_PrintUnformatted(out);

        if (text == NULL || strlen(text) > DATA_MAX) {
            if (errors != NULL)
                cJSON_AddStringToObject(errors, "data", "validate.too_long");
            bad = true;
        }
        cJSON_free(text);
    }
    if (bad) {
        cJSON_Delete(out);
        return APP_EVALIDATION;
    }
    *data = out;
    return APP_OK;
}

/* --- writes -----------------------------------------------------------------
 */

/* Every write of evidence is audited, whichever path made it. */
APP_MUST_USE static enum app_err
audit(struct ctx *cx, const char *event, int64_t customer_id, const char *key,
      int64_t id)
{
    cJSON *d = cJSON_CreateObject();
    enum app_err rc;

    if (d == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(d, "customer", (double)customer_id);
    if (key != NULL)
        cJSON_AddStringToObject(d, "key", key);
    cJSON_AddNumberToObject(d, "evidence", (double)id);
    rc = audit_write(cx, cx->tenant_id, cx->user_id, 0, event, d);
    cJSON_Delete(d);
    return rc;
}

enum app_err
evidence_add(struct ctx *cx, int64_t customer_id, const char *key,
             const char *kind, int64_t file_id, const char *data,
             const char *note, int64_t *id)
{
    uint64_t last = 0;
    struct db_res cnt;
    enum app_err rc = customers_lock(cx, customer_id);

    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_COUNT,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id)), 1,
                      &cnt);
    if (rc != APP_OK)
        return rc;
    if (db_int(&cnt, 0, 0, 0) >= EVIDENCE_MAX_ROWS) {
        cx->err_detail = "evidence.too_many";
        return APP_ETOOBIG;
    }
    rc = db_exec(
        cx->db, SQL_ADD,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id), DB_CSTR(key),
                DB_CSTR(kind), file_id > 0 ? DB_I64(file_id) : DB_NULL,
                data != NULL ? DB_CSTR(data) : DB_NULL,
                DB_CSTR(note != NULL ? note : ""), DB_I64(cx->user_id)),
        NULL, &last);
    *id = (int64_t)last;
    if (rc == APP_OK)
        rc = audit(cx, "evidence.add", customer_id, key, *id);
    return rc;
}

enum app_err
evidence_remove(struct ctx *cx, int64_t customer_id, int64_t id)
{
    struct db_res res;
    enum app_err rc = customers_lock(cx, customer_id);

    if (rc == APP_OK)
        rc = db_query(
            cx->db, cx->a, SQL_ONE,
            DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id), DB_I64(id)), 1,
            &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    if (db_int(&res, 0, 0, 0) != 0)
        return APP_ECONFLICT;
    rc =
        db_exec(cx->db, SQL_REMOVE,
                DB_ARGS(DB_I64(cx->user_id), DB_I64(cx->tenant_id), DB_I64(id)),
                NULL, NULL);
    if (rc == APP_OK)
        rc = audit(cx, "evidence.remove", customer_id, NULL, id);
    return rc;
}

enum app_err
evidence_mark_used(struct ctx *cx, const int64_t *ids, size_t n,
                   int64_t event_id)
{
    size_t i;
    enum app_err rc = APP_OK;

    for (i = 0; rc == APP_OK && i < n; i++)
        rc = db_exec(
            cx->db, SQL_USED,
            DB_ARGS(DB_I64(event_id), DB_I64(cx->tenant_id), DB_I64(ids[i])),
            NULL, NULL);
    return rc;
}

const char *
evidence_kind(const cJSON *def)
{
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(def, "kind"));

    return k != NULL ? k : "form";
}

bool
evidence_wants_file(const char *kind)
{
    return strcmp(kind, "photo") == 0 || strcmp(kind, "document") == 0 ||
           strcmp(kind, "audio") == 0;
}

/* The submission's checks; *data_text gets the fields as JSON text. */
APP_MUST_USE static enum app_err
submission_check(struct ctx *cx, const cJSON *def, const char *kind,
                 const struct evidence_submission *s, const char **mime,
                 char **data_text, cJSON *errors)
{
    static const struct field_spec note_spec[] = {
        { "note", V_TEXT, false, 0, 1000, NULL },
    };
    struct kvlist note = { 0 };
    struct field_val v[1];
    cJSON *data = NULL;
    enum app_err rc = APP_OK;

    if (kv_add(cx->a, &note, STR_LIT("note"), s->note) != APP_OK)
        return APP_ENOMEM;
    if (validate_fields(&cx->err_detail, &note, note_spec, 1, v, errors) !=
        APP_OK)
        rc = APP_EVALIDATION;
    if (evidence_wants_file(kind)) {
        *mime = s->file != NULL ? files_sniff_upload(s->file) : NULL;
        if (s->file == NULL) {
            cJSON_AddStringToObject(errors, "file", "evidence.file_required");
            rc = APP_EVALIDATION;
        } else if (!files_fits_kind(kind, *mime)) {
            cJSON_AddStringToObject(
                errors, "file",
                strcmp(kind, "photo") == 0   ? "evidence.not_image"
                : strcmp(kind, "audio") == 0 ? "evidence.not_audio"
                                             : "evidence.bad_type");
            rc = APP_EVALIDATION;
        }
        return rc;
    }
    if (s->form == NULL && !cJSON_IsObject(s->json)) {
        cJSON_AddStringToObject(errors, "data", "evidence.data_required");
        return APP_EVALIDATION;
    }
    if (evidence_validate(cx, def, s->form, s->form == NULL ? s->json : NULL,
                          &data, errors) != APP_OK)
        rc = APP_EVALIDATION;
    if (rc == APP_OK && data != NULL) {
        /* Printing is all or nothing; the document must be whole. */
        *data_text = ctx_incomplete(cx, "evidence")
                         ? NULL
                         : cJSON_PrintUnformatted(data);
        if (*data_text == NULL)
            rc = APP_ENOMEM;
    }
    cJSON_Delete(data);
    return rc;
}

enum app_err
evidence_submit(struct ctx *cx, const struct ruledesc *rd, int64_t customer_id,
                const struct evidence_submission *s, cJSON *errors, int64_t *id,
                int64_t *file_id, const char **kind)
{
    const cJSON *def = s->key != NULL ? ruledesc_evidence(rd, s->key) : NULL;
    const char *mime = NULL;
    char *data_text = NULL;
    struct customer c;
    enum app_err rc;

    *id = 0;
    *file_id = 0;
    if (def == NULL) {
        cJSON_AddStringToObject(errors, "key", "evidence.bad_key");
        cx->err_detail = "validate.failed";
        return APP_EVALIDATION;
    }
    *kind = evidence_kind(def);
    rc = submission_check(cx, def, *kind, s, &mime, &data_text, errors);
    if (rc != APP_OK) {
        if (rc == APP_EVALIDATION)
            cx->err_detail = "validate.failed";
        cJSON_free(data_text);
        return rc;
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = customers_get(cx, customer_id, true, &c);
        if (rc == APP_OK && s->file != NULL)
            rc = files_store(cx, s->file, customer_id, file_id, &mime);
        if (rc == APP_OK)
            rc = evidence_add(cx, customer_id, s->key, *kind, *file_id,
                              data_text, arena_str(cx->a, s->note).p, id);
    }
    cJSON_free(data_text);
    return rc;
}

/*
 * customer_input.c -- the validity of a customer's fields and of the list
 * filters (see customer_input.h).
 */
#include "sales/customer_input.h"

#include <string.h>

#include "base/num.h"
#include "base/validate.h"

const char *const customer_health_values[] = { "green", "amber", "red", NULL };
const char *const customer_sort_values[] = {
    "updated", "name", "stage_since", "activity", "created", "amount", NULL,
};
const char *const customer_dir_values[] = { "asc", "desc", NULL };

static const struct field_spec customer_spec[] = {
    { "name", V_LINE, true, 1, CUSTOMER_NAME_MAX, NULL },
    { "kind", V_LINE, true, 1, 32, NULL },
    { "city", V_LINE, false, 0, 100, NULL },
    { "address", V_LINE, false, 0, 300, NULL },
    { "phone", V_LINE, false, 0, 50, NULL },
    { "amount", V_LINE, false, 0, 40, NULL }, /* "¥1,200,000.00" */
    { "note", V_TEXT, false, 0, 5000, NULL },
    { "owner", V_INT, false, 1, INT64_MAX, NULL },
    { "confirm_duplicate", V_BOOL, false, 0, 1, NULL },
    { "version", V_INT, false, 1, INT64_MAX, NULL },
};
#define NSPEC (sizeof(customer_spec) / sizeof(customer_spec[0]))
enum { F_OWNER = 7, F_CONFIRM = 8, F_VERSION = 9 };

/* The values read into in; the kind must be one of the rules' kinds and
 * the amount a non-negative number, written as people and spreadsheets
 * write it ("1,200,000", "¥1 200 000.00"), stored plain. */
APP_MUST_USE static enum app_err
read_input(struct ctx *cx, const struct ruledesc *rd, const struct field_val *v,
           struct customer_input *in, cJSON *errors)
{
    char plain[48];
    double amount;
    enum app_err rc = APP_OK;

    memset(in, 0, sizeof(*in));
    in->name = v[0].present ? v[0].s : STR_LIT("");
    in->kind = v[1].present ? v[1].s : STR_LIT("");
    in->city = v[2].present ? v[2].s : STR_LIT("");
    in->address = v[3].present ? v[3].s : STR_LIT("");
    in->phone = v[4].present ? v[4].s : STR_LIT("");
    in->amount = v[5].present ? v[5].s : STR_LIT("");
    in->note = v[6].present ? v[6].s : STR_LIT("");
    if (in->kind.len > 0) {
        /* Stored by key, whichever name the caller used. */
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(
            ruledesc_find(rd, "customer_kinds", arena_str(cx->a, in->kind).p),
            "key"));

        if (key == NULL) {
            cJSON_AddStringToObject(errors, "kind", "customer.bad_kind");
            rc = APP_EVALIDATION;
        } else {
            in->kind = str_c(key);
        }
    }
    if (in->amount.len > 0 &&
        parse_human_number(in->amount, plain, sizeof(plain)))
        in->amount = str_c(arena_strdup(cx->a, plain));
    if (in->amount.len > 0 &&
        (in->amount.p == NULL || !parse_decimal(in->amount, 12, 2, &amount) ||
         amount < 0)) {
        cJSON_AddStringToObject(errors, "amount", "customer.bad_amount");
        rc = APP_EVALIDATION;
    }
    return rc;
}

enum app_err
customer_input_check(struct ctx *cx, const struct ruledesc *rd,
                     const struct kvlist *fields, bool update,
                     const char *owner_field, struct customer_form *out,
                     cJSON *errors)
{
    struct field_spec spec[NSPEC];
    struct field_val v[NSPEC];
    enum app_err rc;

    memcpy(spec, customer_spec, sizeof(spec));
    spec[F_OWNER].name = owner_field;
    memset(out, 0, sizeof(*out));
    rc = validate_fields(&cx->err_detail, fields, spec, NSPEC, v, errors);
    if (read_input(cx, rd, v, &out->in, errors) != APP_OK)
        rc = APP_EVALIDATION;
    out->confirm_duplicate = v[F_CONFIRM].present && v[F_CONFIRM].i != 0;
    out->version = v[F_VERSION].present ? v[F_VERSION].i : 0;
    /* A store's customer is made with its store (sales/stores.h): a
     * customer of kind "store" made here would silently leave the
     * pipeline. */
    if (!update && str_eq_c(out->in.kind, "store") &&
        !cJSON_HasObjectItem(errors, "kind")) {
        cJSON_AddStringToObject(errors, "kind", "customer.kind_store");
        rc = APP_EVALIDATION;
    }
    if (update) {
        if (!v[F_VERSION].present && !cJSON_HasObjectItem(errors, "version")) {
            cJSON_AddStringToObject(errors, "version", "validate.required");
            rc = APP_EVALIDATION;
        }
    } else {
        out->owner = v[F_OWNER].present ? v[F_OWNER].i : cx->user_id;
        if (rc == APP_OK && customers_owner_ok(cx, out->owner) != APP_OK) {
            cJSON_AddStringToObject(errors, owner_field, "customer.bad_owner");
            rc = APP_EVALIDATION;
        }
    }
    if (rc != APP_OK)
        cx->err_detail = "validate.failed";
    return rc;
}

enum app_err
customer_filter_check(struct ctx *cx, const struct kvlist *q,
                      struct customer_filter *f, int64_t *page, cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "stage", V_SLUG, false, 1, 64, NULL },
        { "owner", V_INT, false, 1, INT64_MAX, NULL },
        { "team", V_INT, false, 1, INT64_MAX, NULL },
        { "health", V_ENUM, false, 0, 0, customer_health_values },
        { "kind", V_SLUG, false, 1, 32, NULL },
        { "stale", V_INT, false, 1, 3650, NULL },
        { "q", V_LINE, false, 0, 100, NULL },
        { "sort", V_ENUM, false, 0, 0, customer_sort_values },
        { "dir", V_ENUM, false, 0, 0, customer_dir_values },
        { "page", V_INT, false, 1, 100000, NULL },
    };
    struct field_val v[10];
    struct ruledesc rd;
    enum app_err rc = validate_fields(&cx->err_detail, q, spec, 10, v, errors);

    if (rc != APP_OK)
        return rc;
    rc = ruledesc_get(cx, &rd);
    if (rc != APP_OK)
        return rc;
    if (v[0].present &&
        ruledesc_stage(&rd, arena_str(cx->a, v[0].s).p, NULL) == NULL) {
        if (errors != NULL)
            cJSON_AddStringToObject(errors, "stage",
                                    "stage.refused.unknown_stage");
        rc = APP_EVALIDATION;
    }
    if (v[4].present && ruledesc_find(&rd, "customer_kinds",
                                      arena_str(cx->a, v[4].s).p) == NULL) {
        if (errors != NULL)
            cJSON_AddStringToObject(errors, "kind", "customer.bad_kind");
        rc = APP_EVALIDATION;
    }
    if (rc != APP_OK)
        return rc;
    memset(f, 0, sizeof(*f));
    f->stage = v[0].present ? arena_str(cx->a, v[0].s).p : "";
    f->owner = v[1].present ? v[1].i : 0;
    f->team = v[2].present ? v[2].i : 0;
    f->health = v[3].present ? customer_health_values[v[3].i] : "";
    f->kind = v[4].present ? arena_str(cx->a, v[4].s).p : "";
    f->stale_days = v[5].present ? v[5].i : 0;
    f->q = v[6].present ? arena_str(cx->a, v[6].s) : STR_LIT("");
    f->sort = v[7].present ? (enum customer_sort)v[7].i : CS_UPDATED;
    /* Each sort has its natural direction unless one is asked for. */
    f->sort_given = v[7].present;
    f->dir_given = v[8].present;
    f->desc = v[8].present ? v[8].i == 1
                           : (f->sort == CS_UPDATED || f->sort == CS_CREATED ||
                              f->sort == CS_AMOUNT);
    if (page != NULL)
        *page = v[9].present ? v[9].i : 1;
    return APP_OK;
}

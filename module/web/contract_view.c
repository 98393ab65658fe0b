/*
 * contract_view.c -- the printable contract's model (contract_view.h).
 */
#include "web/contract_view.h"

#include <math.h>
#include <stdio.h>

#include "base/rmb.h"
#include "base/tz.h"
#include "web/auth.h"
#include "web/view.h"

/* A number of at most two decimals as people read it ("30", "0.5"). */
static const char *
plain(struct req *r, double v)
{
    long long h = llround(v * 100);

    if (h % 100 == 0)
        return arena_printf(r->a, "%lld", h / 100);
    return arena_printf(r->a, "%lld.%02lld", h / 100, h % 100);
}

/* The terms as {label, value} rows. */
static cJSON *
terms_rows(struct req *r, const struct contract_terms *t)
{
    const double v[5] = { t->payment_term_days, t->prepay_pct, t->delivery_days,
                          t->warranty_months, t->penalty_pct };
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && contract_terms_names[i] != NULL; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        view_add_str(o, "label",
                     http_t(r, arena_printf(r->a, "clauses.term_%s",
                                            contract_terms_names[i])));
        view_add_str(o, "unit",
                     http_t(r, arena_printf(r->a, "clauses.unit_%s",
                                            contract_terms_names[i])));
        view_add_str(o, "number", plain(r, v[i]));
    }
    return a;
}

cJSON *
contract_view(struct req *r, const struct contract_template *t,
              const struct contract_terms *terms, const char *customer,
              const char *number, const struct contract_text *text)
{
    cJSON *m = cJSON_CreateObject(), *tp, *cl;
    const cJSON *c;
    char plainamt[48], words[RMB_CAPITALS_MAX], today[16];
    int64_t cents = llround(terms->amount * 100);

    if (m == NULL)
        return NULL;
    snprintf(plainamt, sizeof(plainamt), "%lld.%02lld",
             (long long)(cents / 100), (long long)(cents % 100));
    if (!rmb_capitals(cents, words, sizeof(words)))
        words[0] = '\0';
    tz_today(r->cx.tenant_tz, today, sizeof(today));
    view_add_str(m, "number", number != NULL ? number : "");
    view_add_str(m, "seller", r->auth != NULL ? r->auth->tenant_name : "");
    view_add_str(m, "customer", customer != NULL ? customer : "");
    view_add_str(m, "date", today);
    view_add_str(m, "amount", view_money(r, plainamt));
    view_add_str(m, "amount_words", words);
    view_add_str(m, "body", text->body);
    tp = cJSON_AddObjectToObject(m, "template");
    view_add_str(tp, "name", t->name);
    cJSON_AddNumberToObject(tp, "version", t->version);
    cJSON_AddItemToObject(m, "terms", terms_rows(r, terms));
    cl = cJSON_AddArrayToObject(m, "clauses");
    cJSON_ArrayForEach(c, t->clauses)
    {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(cl, o);
        cJSON_AddItemToObject(
            o, "key",
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "key"), false));
        cJSON_AddItemToObject(
            o, "version",
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "version"),
                            false));
        cJSON_AddItemToObject(
            o, "title",
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "title"),
                            false));
    }
    return m;
}

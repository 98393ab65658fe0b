/*
 * sellthrough_doc.c -- the sell-through metrics as the JSON document the
 * API answers and the pages draw (sellthrough.h).
 */
#include "metrics/sellthrough.h"

#include <math.h>

static void
add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

void
st_doc_sum(cJSON *o, const struct st_sum *s)
{
    cJSON *d = cJSON_AddObjectToObject(o, "distribution");
    cJSON *k = cJSON_AddObjectToObject(o, "sku_ratio");
    cJSON *p = cJSON_AddObjectToObject(o, "repurchase");

    cJSON_AddNumberToObject(d, "eligible", (double)s->fw_eligible);
    cJSON_AddNumberToObject(d, "sold", (double)s->fw_sold);
    add_num(d, "rate", s->distribution);
    cJSON_AddNumberToObject(k, "units_new", (double)s->units_new);
    cJSON_AddNumberToObject(k, "units_all", (double)s->units_all);
    add_num(k, "ratio", s->sku_ratio);
    cJSON_AddNumberToObject(p, "buyers", (double)s->buyers);
    cJSON_AddNumberToObject(p, "repeaters", (double)s->repeaters);
    add_num(p, "rate", s->buyers > 0 ? s->repurchase : NAN);
}

void
st_doc_store(cJSON *o, const struct st_store *s)
{
    cJSON *d = cJSON_AddObjectToObject(o, "distribution");
    cJSON *k = cJSON_AddObjectToObject(o, "sku_ratio");
    cJSON *p = cJSON_AddObjectToObject(o, "repurchase");

    cJSON_AddBoolToObject(d, "eligible", s->fw_eligible);
    cJSON_AddBoolToObject(d, "sold", s->fw_sold);
    cJSON_AddBoolToObject(k, "open", s->week_open);
    cJSON_AddNumberToObject(k, "units_new", (double)s->units_new);
    cJSON_AddNumberToObject(k, "units_all", (double)s->units_all);
    add_num(k, "ratio", st_store_ratio(s));
    cJSON_AddNumberToObject(p, "buyers", (double)s->buyers);
    cJSON_AddNumberToObject(p, "repeaters", (double)s->repeaters);
    add_num(p, "rate",
            s->buyers > 0 ? (double)s->repeaters / (double)s->buyers : NAN);
}

cJSON *
st_doc_head(const struct sellthrough *st)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *c = cJSON_AddObjectToObject(doc, "campaign");

    cJSON_AddNumberToObject(c, "id", (double)st->campaign_id);
    cJSON_AddStringToObject(c, "name", st->campaign_name);
    cJSON_AddNumberToObject(c, "product_id", (double)st->product_id);
    cJSON_AddStringToObject(c, "sku", st->product_sku);
    cJSON_AddStringToObject(c, "product_name", st->product_name);
    cJSON_AddStringToObject(c, "launch_on", st->launch_on);
    cJSON_AddStringToObject(doc, "as_of", st->as_of);
    cJSON_AddStringToObject(doc, "week_from", st->week_from);
    return doc;
}

enum app_err
sellthrough_doc(const struct sellthrough *st, bool stores, cJSON **out)
{
    cJSON *doc = st_doc_head(st), *list;
    size_t i;

    if (doc == NULL)
        return APP_ENOMEM;
    st_doc_sum(cJSON_AddObjectToObject(doc, "total"), &st->total);
    list = cJSON_AddArrayToObject(doc, "regions");
    for (i = 0; i < st->nregions; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        cJSON_AddStringToObject(o, "region", st->regions[i].key);
        st_doc_sum(o, &st->regions[i]);
    }
    list = cJSON_AddArrayToObject(doc, "supervisors");
    for (i = 0; i < st->nsupervisors; i++) {
        const struct st_sum *s = &st->supervisors[i];
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        if (s->supervisor_id > 0)
            cJSON_AddNumberToObject(o, "supervisor_id",
                                    (double)s->supervisor_id);
        else
            cJSON_AddNullToObject(o, "supervisor_id");
        cJSON_AddStringToObject(o, "name", s->name != NULL ? s->name : "");
        st_doc_sum(o, s);
    }
    list = stores ? cJSON_AddArrayToObject(doc, "stores") : NULL;
    for (i = 0; stores && i < st->nstores; i++) {
        const struct st_store *s = &st->stores[i];
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "id", (double)s->store_id);
        cJSON_AddStringToObject(o, "code", s->code);
        cJSON_AddStringToObject(o, "name", s->name);
        cJSON_AddStringToObject(o, "region", s->region);
        if (s->supervisor_id > 0)
            cJSON_AddNumberToObject(o, "supervisor_id",
                                    (double)s->supervisor_id);
        else
            cJSON_AddNullToObject(o, "supervisor_id");
        st_doc_store(o, s);
    }
    *out = doc;
    return APP_OK;
}

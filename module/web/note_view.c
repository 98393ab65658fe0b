/*
 * note_view.c -- a quick note's proposal for the API and pages
 * (note_view.h).
 */
#include "web/note_view.h"

#include <string.h>

#include "sales/notes.h"
#include "web/view.h"

/* The fields a page shows as recognised, in this order. */
static const char *const shown[] = { "kind",      "topic",      "need",
                                     "concerns",  "competitor", "next_step",
                                     "next_date", NULL };

static cJSON *
id_name(int64_t id, const char *name)
{
    cJSON *o;

    if (id <= 0)
        return cJSON_CreateNull();
    o = cJSON_CreateObject();
    if (o != NULL) {
        cJSON_AddNumberToObject(o, "id", (double)id);
        view_add_str(o, "name", name != NULL ? name : "");
    }
    return o;
}

enum app_err
note_view_api(struct req *r, struct str text, struct str at, cJSON **out)
{
    struct note_proposal p;
    enum app_err rc = notes_extract(&r->cx, text, at, &p);
    cJSON *o;

    *out = NULL;
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL) {
        cJSON_Delete(p.fields);
        return APP_ENOMEM;
    }
    cJSON_AddItemToObject(o, "customer",
                          id_name(p.customer_id, p.customer_name));
    cJSON_AddItemToObject(o, "contact", id_name(p.contact_id, p.contact_name));
    cJSON_AddItemToObject(o, "fields", p.fields);
    cJSON_AddNumberToObject(o, "rule_version", p.rule_version);
    view_add_str(o, "today", p.today);
    if (ctx_incomplete(&r->cx, "note view")) {
        cJSON_Delete(o);
        return APP_ENOMEM;
    }
    *out = o;
    return APP_OK;
}

static const char *
field(const cJSON *fields, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t
number(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9e15
               ? (int64_t)v->valuedouble
               : 0;
}

static void
recognise(struct req *r, cJSON *list, const char *key, const char *value)
{
    cJSON *o;

    if (value == NULL || value[0] == '\0')
        return;
    o = cJSON_CreateObject();
    cJSON_AddItemToArray(list, o);
    view_add_str(o, "key", key);
    view_add_str(o, "label", http_t(r, arena_printf(r->a, "notes.f_%s", key)));
    view_add_str(o, "value", value);
}

int64_t
note_view_page(struct req *r, cJSON *m, struct str text, const cJSON *p,
               int64_t *contact)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(p, "fields");
    const cJSON *cu = cJSON_GetObjectItemCaseSensitive(p, "customer");
    const cJSON *co = cJSON_GetObjectItemCaseSensitive(p, "contact");
    cJSON *pre = cJSON_AddObjectToObject(m, "prefill");
    cJSON *list = cJSON_AddArrayToObject(m, "recognised");
    const char *need = field(f, "need"), *kind = field(f, "kind");
    size_t i;

    view_add_str(m, "note", arena_str(r->a, text).p);
    *contact = number(cJSON_GetObjectItemCaseSensitive(co, "id"));
    if (pre == NULL || list == NULL)
        return 0;
    /* The form has no topic field: the topic is the need when none was
     * said; the note itself is the content. */
    view_add_str(pre, "need", need != NULL ? need : field(f, "topic"));
    view_add_str(pre, "competitor", field(f, "competitor"));
    view_add_str(pre, "next_step", field(f, "next_step"));
    view_add_str(pre, "next_date", field(f, "next_date"));
    view_add_str(pre, "content", arena_str(r->a, text).p);
    view_add_str(pre, "kind", kind);
    view_add_str(pre, "visit_type", field(f, "visit_type"));
    cJSON_AddNumberToObject(pre, "contact", (double)*contact);
    cJSON_AddNumberToObject(
        pre, "customer",
        (double)number(cJSON_GetObjectItemCaseSensitive(cu, "id")));
    recognise(
        r, list, "customer",
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cu, "name")));
    recognise(
        r, list, "contact",
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(co, "name")));
    for (i = 0; shown[i] != NULL; i++) {
        const char *v = field(f, shown[i]);

        if (v != NULL && strcmp(shown[i], "kind") == 0)
            v = http_t(r, arena_printf(r->a, "activity.kind_%s", v));
        recognise(r, list, shown[i], v);
    }
    cJSON_AddBoolToObject(m, "recognised_none", cJSON_GetArraySize(list) == 0);
    return number(cJSON_GetObjectItemCaseSensitive(cu, "id"));
}

/*
 * ruledesc.c -- lookups in a tenant's described rules.
 */
#include "rules/ruledesc.h"

#include "base/buf.h"

#include <string.h>
#include <strings.h>

#include "rules/rules.h"

enum app_err
ruledesc_get(struct ctx *cx, struct ruledesc *rd)
{
    return rules_describe(cx, &rd->d, &rd->version);
}

const char *
ruledesc_name(const struct ctx *cx, const cJSON *obj)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(
        obj, strcmp(cx->lang, "en") == 0 ? "name_en" : "name");

    if (!cJSON_IsString(n) || n->valuestring[0] == '\0')
        n = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (!cJSON_IsString(n))
        n = cJSON_GetObjectItemCaseSensitive(obj, "key");
    return cJSON_IsString(n) ? n->valuestring : "";
}

static const char *
key_of(const cJSON *o)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "key");

    return cJSON_IsString(k) ? k->valuestring : NULL;
}

const cJSON *
ruledesc_stages(const struct ruledesc *rd)
{
    return cJSON_GetObjectItemCaseSensitive(rd->d, "stages");
}

const cJSON *
ruledesc_stage(const struct ruledesc *rd, const char *key, int *index)
{
    const cJSON *s;
    int i = 0;

    cJSON_ArrayForEach(s, ruledesc_stages(rd))
    {
        const char *k = key_of(s);

        if (k != NULL && key != NULL && strcmp(k, key) == 0) {
            if (index != NULL)
                *index = i;
            return s;
        }
        i++;
    }
    return NULL;
}

bool
ruledesc_stage_flag(const struct ruledesc *rd, const char *key,
                    const char *flag)
{
    return cJSON_IsTrue(
        cJSON_GetObjectItemCaseSensitive(ruledesc_stage(rd, key, NULL), flag));
}

static const cJSON *
focus_list(const struct ruledesc *rd)
{
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rd->d, "loss_focus"), "requires");
}

bool
ruledesc_focus_adds(const struct ruledesc *rd)
{
    return cJSON_GetArraySize(focus_list(rd)) > 0;
}

int
ruledesc_focus_int(const struct ruledesc *rd, const char *what, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rd->d, "loss_focus"), what);

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e6
               ? (int)v->valuedouble
               : def;
}

/* Is key among the items of list? */
static bool
lists_key(const cJSON *list, const char *key)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, list)
    {
        const char *k = key_of(it);

        if (k != NULL && strcmp(k, key) == 0)
            return true;
    }
    return false;
}

cJSON *
ruledesc_requires(const struct ruledesc *rd, const cJSON *stage,
                  const char *focus)
{
    const cJSON *own = cJSON_GetObjectItemCaseSensitive(stage, "requires"), *it;
    const char *key = key_of(stage);
    cJSON *out = cJSON_Duplicate(own, true);

    if (out == NULL)
        out = cJSON_CreateArray();
    if (out != NULL &&
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(stage, "qualified")) &&
        !lists_key(out, "qualified")) {
        cJSON *q = cJSON_Duplicate(
            cJSON_GetObjectItemCaseSensitive(rd->d, "qualified_item"), true);

        if (q == NULL || !cJSON_AddItemToArray(out, q)) {
            cJSON_Delete(q);
            cJSON_Delete(out);
            return NULL;
        }
    }
    if (out == NULL || focus == NULL || key == NULL || strcmp(key, focus) != 0)
        return out;
    cJSON_ArrayForEach(it, focus_list(rd))
    {
        const char *k = key_of(it);
        cJSON *o;

        if (k == NULL || lists_key(out, k))
            continue;
        o = cJSON_Duplicate(it, true);
        if (o == NULL || !cJSON_AddBoolToObject(o, "focus", true) ||
            !cJSON_AddItemToArray(out, o)) {
            cJSON_Delete(o);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

const char *
ruledesc_first_stage(const struct ruledesc *rd)
{
    const cJSON *s;

    cJSON_ArrayForEach(s, ruledesc_stages(rd))
    {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "lost")))
            return key_of(s);
    }
    return NULL;
}

const char *
ruledesc_lost_stage(const struct ruledesc *rd)
{
    const cJSON *s;

    cJSON_ArrayForEach(s, ruledesc_stages(rd))
    {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "lost")))
            return key_of(s);
    }
    return NULL;
}

const char *
ruledesc_closed_csv(struct ctx *cx, const struct ruledesc *rd)
{
    struct buf b;
    const cJSON *s;

    buf_init(&b, cx->a, 4096);
    cJSON_ArrayForEach(s, ruledesc_stages(rd))
    {
        const char *k = key_of(s);

        if (k == NULL ||
            !(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "lost")) ||
              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "won"))))
            continue;
        if ((b.len > 0 && buf_putc(&b, ',') != APP_OK) ||
            buf_puts(&b, k) != APP_OK)
            return NULL;
    }
    return b.p != NULL ? b.p : "";
}

const cJSON *
ruledesc_evidence(const struct ruledesc *rd, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rd->d, "evidence"), key);
}

const cJSON *
ruledesc_find(const struct ruledesc *rd, const char *list,
              const char *key_or_name)
{
    const cJSON *o, *l = list != NULL && strcmp(list, "stages") == 0
                             ? ruledesc_stages(rd)
                             : cJSON_GetObjectItemCaseSensitive(rd->d, list);

    if (key_or_name == NULL)
        return NULL;
    cJSON_ArrayForEach(o, l)
    {
        const char *k = key_of(o);

        if (k != NULL && strcmp(k, key_or_name) == 0)
            return o;
    }
    cJSON_ArrayForEach(o, l)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
        const cJSON *ne = cJSON_GetObjectItemCaseSensitive(o, "name_en");

        if ((cJSON_IsString(n) && strcmp(n->valuestring, key_or_name) == 0) ||
            (cJSON_IsString(ne) &&
             strcasecmp(ne->valuestring, key_or_name) == 0))
            return o;
    }
    return NULL;
}

const char *
ruledesc_label(const struct ctx *cx, const struct ruledesc *rd,
               const char *list, const char *key)
{
    const cJSON *o = ruledesc_find(rd, list, key);

    return o != NULL ? ruledesc_name(cx, o) : key != NULL ? key : "";
}

int
ruledesc_health(const struct ruledesc *rd, const char *what, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rd->d, "health"), what);

    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 3650)
        return def;
    return (int)v->valuedouble;
}

cJSON *
ruledesc_options(const struct ctx *cx, const struct ruledesc *rd,
                 const char *list, const char *selected)
{
    cJSON *a = cJSON_CreateArray();
    const cJSON *o, *l = strcmp(list, "stages") == 0
                             ? ruledesc_stages(rd)
                             : cJSON_GetObjectItemCaseSensitive(rd->d, list);

    cJSON_ArrayForEach(o, l)
    {
        const char *k = key_of(o);
        cJSON *x;

        if (k == NULL || a == NULL)
            continue;
        x = cJSON_CreateObject();
        if (x == NULL)
            break;
        cJSON_AddItemToArray(a, x);
        cJSON_AddStringToObject(x, "value", k);
        cJSON_AddStringToObject(x, "label", ruledesc_name(cx, o));
        cJSON_AddBoolToObject(x, "selected",
                              selected != NULL && strcmp(selected, k) == 0);
    }
    return a;
}

/*
 * i18n.c -- message catalogs and language negotiation.
 */
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/num.h"

#define CATALOG_MAX (4u << 20)

struct i18n {
    cJSON *zh;
    cJSON *en;
};

APP_MUST_USE static enum app_err
load_one(const char *dir, const char *lang, cJSON **out, char *err,
         size_t errlen)
{
    char path[1024];
    char *data = NULL;
    size_t n;
    enum app_err rc;
    const char *end = NULL;

    snprintf(path, sizeof(path), "%s/%s.json", dir, lang);
    rc = file_read(path, CATALOG_MAX, NULL, &data, &n);
    if (rc == APP_EIO)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    else if (rc == APP_ETOOBIG)
        snprintf(err, errlen, "%s: larger than %u bytes", path, CATALOG_MAX);
    if (rc != APP_OK)
        return rc;
    *out = cJSON_ParseWithLengthOpts(data, n, &end, 0);
    if (*out == NULL || !cJSON_IsObject(*out)) {
        snprintf(err, errlen, "%s: not a JSON object (near byte %ld)", path,
                 end != NULL ? (long)(end - data) : 0L);
        cJSON_Delete(*out);
        *out = NULL;
        rc = APP_EINVAL;
        goto out;
    }
    rc = APP_OK;
out:
    free(data);
    return rc;
}

enum app_err
i18n_load(const char *dir, struct i18n **out, char *err, size_t errlen)
{
    struct i18n *i = calloc(1, sizeof(*i));
    enum app_err rc;

    if (i == NULL)
        return APP_ENOMEM;
    rc = load_one(dir, "zh-CN", &i->zh, err, errlen);
    if (rc == APP_OK)
        rc = load_one(dir, "en", &i->en, err, errlen);
    if (rc != APP_OK) {
        i18n_free(i);
        return rc;
    }
    *out = i;
    return APP_OK;
}

void
i18n_free(struct i18n *i)
{
    if (i == NULL)
        return;
    cJSON_Delete(i->zh);
    cJSON_Delete(i->en);
    free(i);
}

const char *
i18n_lang(struct str tag)
{
    struct str primary, rest;

    str_split(tag, '-', &primary, &rest);
    if (str_eq_nocase(primary, STR_LIT("zh")))
        return "zh-CN";
    if (str_eq_nocase(primary, STR_LIT("en")))
        return "en";
    return NULL;
}

const cJSON *
i18n_catalog(const struct i18n *i, const char *lang)
{
    if (lang != NULL && strcmp(lang, "en") == 0)
        return i->en;
    return i->zh;
}

const char *
i18n_lookup(const cJSON *catalog, const char *key)
{
    const cJSON *node = catalog;
    const char *p = key;

    while (node != NULL && *p != '\0') {
        const char *dot = strchr(p, '.');
        size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
        const cJSON *child;
        char part[128];

        if (n == 0 || n >= sizeof(part))
            return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        child = NULL;
        if (cJSON_IsObject(node))
            child = cJSON_GetObjectItemCaseSensitive(node, part);
        node = child;
        p += n;
        if (*p == '.')
            p++;
    }
    return cJSON_IsString(node) ? node->valuestring : NULL;
}

const char *
i18n_text(const struct i18n *i, const char *lang, const char *key)
{
    const char *s = i18n_lookup(i18n_catalog(i, lang), key);

    if (s == NULL)
        s = i18n_lookup(i->zh, key);
    return s;
}

/* Parse a q-value ("q=0.8") into thousandths; -1 when malformed. */
static int
qvalue(struct str v)
{
    int q = 0, scale = 1000;
    size_t i;

    v = str_trim(v);
    if (v.len < 3 || (v.p[0] != 'q' && v.p[0] != 'Q') || v.p[1] != '=')
        return -1;
    v.p += 2;
    v.len -= 2;
    if (v.p[0] != '0' && v.p[0] != '1')
        return -1;
    q = (v.p[0] - '0') * 1000;
    if (v.len == 1)
        return q;
    if (v.p[1] != '.' || v.len > 5)
        return -1;
    for (i = 2; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return -1;
        scale /= 10;
        q += (v.p[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

const char *
i18n_negotiate(struct str user_setting, struct str cookie,
               struct str accept_language, const char *def)
{
    const char *lang;
    struct str rest = accept_language, item;
    const char *best = NULL;
    int best_q = 0;
    unsigned count = 0;

    lang = i18n_lang(user_setting);
    if (user_setting.len > 0 && lang != NULL)
        return lang;
    lang = i18n_lang(cookie);
    if (cookie.len > 0 && lang != NULL)
        return lang;
    /* Bounded: a header of thousands of entries gets the first 32. */
    while (rest.len > 0 && count++ < 32) {
        struct str tag, params;
        int q = 1000;

        str_split(rest, ',', &item, &rest);
        str_split(item, ';', &tag, &params);
        tag = str_trim(tag);
        if (params.len > 0) {
            q = qvalue(params);
            if (q < 0)
                continue;
        }
        lang = i18n_lang(tag);
        if (lang != NULL && q > best_q) {
            best = lang;
            best_q = q;
        }
    }
    if (best != NULL)
        return best;
    lang = i18n_lang(str_c(def));
    return lang != NULL ? lang : I18N_DEFAULT;
}

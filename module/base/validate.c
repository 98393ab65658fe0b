/*
 * validate.c -- declarative field validation.
 */
#include "base/validate.h"

#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "base/wire.h"

size_t
utf8_chars(const char *p, size_t n)
{
    size_t i, count = 0;

    for (i = 0; i < n; i++) {
        if (((unsigned char)p[i] & 0xC0) != 0x80)
            count++;
    }
    return count;
}

static bool
text_ok(struct str s, bool multiline)
{
    size_t i;

    if (!utf8_valid(s.p, s.len))
        return false;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];

        if (c == '\t')
            continue;
        if (multiline && (c == '\n' || c == '\r'))
            continue;
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

static bool
slug_chars_ok(struct str s)
{
    size_t i;

    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_'))
            return false;
    }
    return true;
}

/* Check one present value; returns the catalog key of the problem or
 * NULL. */
static const char *
check(const struct field_spec *f, struct str v, struct field_val *out)
{
    size_t chars;
    size_t k;

    switch (f->type) {
    case V_TEXT:
    case V_LINE:
    case V_SECRET:
        if (!text_ok(v, f->type == V_TEXT))
            return "validate.bad_text";
        chars = utf8_chars(v.p, v.len);
        if ((int64_t)chars < f->min)
            return f->min <= 1 ? "validate.required" : "validate.too_short";
        if (f->max > 0 && (int64_t)chars > f->max)
            return "validate.too_long";
        return NULL;
    case V_INT:
        if (!parse_i64(v, f->min, f->max, &out->i))
            return "validate.bad_int";
        return NULL;
    case V_SLUG:
        if (!slug_chars_ok(v))
            return "validate.bad_slug";
        if ((int64_t)v.len < f->min || (f->max > 0 && (int64_t)v.len > f->max))
            return "validate.bad_length";
        return NULL;
    case V_ENUM:
        for (k = 0; f->choices != NULL && f->choices[k] != NULL; k++) {
            if (str_eq_c(v, f->choices[k])) {
                out->i = (int64_t)k;
                return NULL;
            }
        }
        return "validate.bad_choice";
    case V_BOOL: {
        bool b;

        if (!parse_bool(v, &b))
            return "validate.bad_bool";
        out->i = b;
        return NULL;
    }
    case V_LOCAL_PATH:
        if (!wire_local_path(v.p, v.len))
            return "validate.bad_path";
        return NULL;
    case V_LOGIN:
        for (k = 0; k < v.len; k++) {
            char c = v.p[k];
            bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9');

            if (!alnum &&
                (k == 0 || (c != '.' && c != '_' && c != '-' && c != '@')))
                return "validate.bad_login";
        }
        if ((int64_t)v.len < f->min || (f->max > 0 && (int64_t)v.len > f->max))
            return "validate.bad_length";
        return NULL;
    }
    return "validate.bad_text";
}

enum app_err
validate_fields(const char **detail, const struct kvlist *src,
                const struct field_spec *spec, size_t n, struct field_val *out,
                cJSON *errors)
{
    size_t i;
    bool bad = false;

    for (i = 0; i < n; i++) {
        const struct field_spec *f = &spec[i];
        const struct str *raw = kv_get(src, f->name);
        const char *problem = NULL;
        struct str v;

        memset(&out[i], 0, sizeof(out[i]));
        if (raw == NULL) {
            if (f->required)
                problem = "validate.required";
        } else {
            v = f->type == V_SECRET ? *raw : str_trim(*raw);
            if (v.len == 0 && f->type != V_BOOL) {
                if (f->required)
                    problem = "validate.required";
            } else {
                problem = check(f, v, &out[i]);
                if (problem == NULL) {
                    out[i].present = true;
                    out[i].s = v;
                }
            }
        }
        if (problem != NULL) {
            bad = true;
            if (errors != NULL)
                cJSON_AddStringToObject(errors, f->name, problem);
        }
    }
    if (bad) {
        *detail = "validate.failed";
        return APP_EVALIDATION;
    }
    return APP_OK;
}

/* The length of s's scheme prefix when it is one of schemes ("https://"),
 * else 0. */
static size_t
scheme_len(struct str s, const char *const *schemes)
{
    size_t k, n;

    for (k = 0; schemes[k] != NULL; k++) {
        n = strlen(schemes[k]);
        if (s.len > n && strncmp(s.p, schemes[k], n) == 0)
            return n;
    }
    return 0;
}

bool
validate_url(struct str url, size_t max, const char *const *schemes)
{
    size_t i, start;
    const char *at, *slash;

    if (url.len == 0 || url.len > max)
        return false;
    start = scheme_len(url, schemes);
    if (start == 0)
        return false;
    for (i = 0; i < url.len; i++) {
        unsigned char c = (unsigned char)url.p[i];

        if (c <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>' ||
            c == '\\')
            return false;
    }
    /* A host, and no credentials in the authority. */
    slash = memchr(url.p + start, '/', url.len - start);
    at = memchr(
        url.p + start, '@',
        (size_t)((slash != NULL ? slash : url.p + url.len) - (url.p + start)));
    return at == NULL && (slash == NULL || slash > url.p + start) &&
           url.len > start;
}

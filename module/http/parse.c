/*
 * parse.c -- parsers for untrusted request bytes (see parse.h).
 *
 * Every parser reads only within the struct str it is given, measures
 * before it allocates, and allocates only from the request arena (parse_json
 * is the exception: cJSON owns its tree).  Errors carry a message-catalog
 * key in *detail; the keys used here are listed in the report of the change
 * that added this file and in the i18n catalogs.
 */
#include "http/parse.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonmem.h"
#include "base/wire.h"

/* parse.h promises at most 16 Content-Type parameters. */
#define CT_MAX_PARAMS 16

APP_MUST_USE static enum app_err
fail(const char **detail, enum app_err rc, const char *key)
{
    if (detail != NULL)
        *detail = key;
    return rc;
}

/* --- urlencoded ----------------------------------------------------------
 */

/* Decode one key or value into the arena.  The first pass validates the
 * escapes and measures, so the limit is enforced before allocating. */
APP_MUST_USE static enum app_err
url_decode(struct arena *a, struct str s, size_t max, struct str *out,
           const char **detail)
{
    size_t n;
    char *d;

    if (!wire_pct_valid(s, &n))
        return fail(detail, APP_EINVAL, "parse.bad_escape");
    if (n > max || n == SIZE_MAX)
        return fail(detail, APP_ETOOBIG, "parse.field_too_large");
    d = arena_alloc(a, n + 1);
    if (d == NULL)
        return fail(detail, APP_ENOMEM, "parse.no_memory");
    n = wire_pct_decode(s, true, d);
    if (n > 0 && memchr(d, '\0', n) != NULL)
        return fail(detail, APP_EINVAL, "parse.nul_byte");
    if (!utf8_valid(d, n))
        return fail(detail, APP_EINVAL, "parse.bad_utf8");
    out->p = d;
    out->len = n;
    return APP_OK;
}

enum app_err
parse_urlencoded(struct arena *a, struct str in, size_t max_fields,
                 size_t max_field, struct kvlist *out, const char **detail)
{
    struct str rest = in, pair, k, v;
    size_t count = 0;
    enum app_err rc;
    bool more = true;

    if (in.p == NULL || in.len == 0)
        return APP_OK;
    while (more) {
        more = str_split(rest, '&', &pair, &rest);
        if (pair.len == 0)
            continue;
        /* Count before decoding so that a flood of pairs is refused
         * without doing the work. */
        if (count >= max_fields)
            return fail(detail, APP_ETOOBIG, "parse.too_many_fields");
        count++;
        str_split(pair, '=', &k, &v);
        rc = url_decode(a, k, max_field, &k, detail);
        if (rc != APP_OK)
            return rc;
        rc = url_decode(a, v, max_field, &v, detail);
        if (rc != APP_OK)
            return rc;
        if (kv_add(a, out, k, v) != APP_OK)
            return fail(detail, APP_ENOMEM, "parse.no_memory");
    }
    return APP_OK;
}

/* --- cookies -------------------------------------------------------------
 */

/* A cookie we pass on must be printable text: control bytes (NUL, CR, LF,
 * ...) or invalid UTF-8 would break whatever later treats it as a C string
 * or as text.  Such cookies are skipped rather than failing the request,
 * because another application on the same domain may have set them. */
static bool
cookie_octets_ok(struct str s)
{
    size_t i;

    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];

        if (c < 0x20 || c == 0x7F)
            return false;
    }
    return utf8_valid(s.p, s.len) != 0;
}

enum app_err
parse_cookies(struct arena *a, struct str header, size_t max_cookies,
              size_t max_bytes, struct kvlist *out, const char **detail)
{
    struct str rest = header, piece, name, val;
    size_t count = 0;
    bool more = true;

    if (header.len > max_bytes)
        return fail(detail, APP_ETOOBIG, "parse.cookie_too_large");
    if (header.p == NULL || header.len == 0)
        return APP_OK;
    while (more) {
        more = str_split(rest, ';', &piece, &rest);
        piece = str_trim(piece);
        if (!str_split(piece, '=', &name, &val))
            continue;
        name = str_trim(name);
        val = str_trim(val);
        if (name.len == 0)
            continue;
        if (val.len >= 2 && val.p[0] == '"' && val.p[val.len - 1] == '"') {
            val.p++;
            val.len -= 2;
        }
        if (!cookie_octets_ok(name) || !cookie_octets_ok(val))
            continue;
        if (count >= max_cookies)
            return fail(detail, APP_ETOOBIG, "parse.too_many_cookies");
        count++;
        name = arena_str(a, name);
        val = arena_str(a, val);
        if (name.p == NULL || val.p == NULL ||
            kv_add(a, out, name, val) != APP_OK)
            return fail(detail, APP_ENOMEM, "parse.no_memory");
    }
    return APP_OK;
}

/* --- Content-Type (RFC 9110 §8.3, §5.6) ----------------------------------
 */

static char *
lower_dup(struct arena *a, const char *p, size_t n)
{
    char *d = arena_strndup(a, p, n);
    size_t i;

    if (d == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        if (d[i] >= 'A' && d[i] <= 'Z')
            d[i] = (char)(d[i] + ('a' - 'A'));
    }
    return d;
}

enum app_err
parse_content_type(struct arena *a, struct str value, struct str *media_type,
                   struct kvlist *params, const char **detail)
{
    size_t i, t, base = params->n, count = 0, k;
    struct str mt, name, val;
    enum app_err rc;

    if (value.p == NULL)
        return fail(detail, APP_EINVAL, "parse.bad_content_type");
    i = wire_skip_ows(value, 0);
    t = wire_token_len(value, i);
    if (t == 0 || i + t >= value.len || value.p[i + t] != '/')
        return fail(detail, APP_EINVAL, "parse.bad_content_type");
    k = wire_token_len(value, i + t + 1);
    if (k == 0)
        return fail(detail, APP_EINVAL, "parse.bad_content_type");
    mt.len = t + 1 + k;
    mt.p = lower_dup(a, value.p + i, mt.len);
    if (mt.p == NULL)
        return fail(detail, APP_ENOMEM, "parse.no_memory");
    i += mt.len;

    for (;;) {
        i = wire_skip_ows(value, i);
        if (i == value.len)
            break;
        if (value.p[i] != ';')
            return fail(detail, APP_EINVAL, "parse.bad_content_type");
        i = wire_skip_ows(value, i + 1);
        /* RFC 9110 allows empty parameters: "a/b;", "a/b; ; c=d". */
        if (i == value.len || value.p[i] == ';')
            continue;
        t = wire_token_len(value, i);
        if (t == 0 || i + t >= value.len || value.p[i + t] != '=')
            return fail(detail, APP_EINVAL, "parse.bad_content_type");
        name.len = t;
        name.p = value.p + i;
        i += t + 1;
        if (i < value.len && value.p[i] == '"') {
            rc = wire_quoted(a, value, &i, WIRE_QUOTED_STRICT, &val);
            if (rc != APP_OK)
                return fail(detail, rc,
                            rc == APP_ENOMEM ? "parse.no_memory"
                                             : "parse.bad_content_type");
            if (!utf8_valid(val.p, val.len))
                return fail(detail, APP_EINVAL, "parse.bad_content_type");
        } else {
            t = wire_token_len(value, i);
            if (t == 0)
                return fail(detail, APP_EINVAL, "parse.bad_content_type");
            val = arena_str(a, (struct str){ value.p + i, t });
            if (val.p == NULL)
                return fail(detail, APP_ENOMEM, "parse.no_memory");
            i += t;
        }
        name.p = lower_dup(a, name.p, name.len);
        if (name.p == NULL)
            return fail(detail, APP_ENOMEM, "parse.no_memory");
        /* A repeated parameter (two boundaries, say) is ambiguous: two
         * parsers could pick different ones, so refuse it. */
        for (k = base; k < params->n; k++) {
            if (str_eq(params->v[k].key, name))
                return fail(detail, APP_EINVAL, "parse.bad_content_type");
        }
        if (count >= CT_MAX_PARAMS)
            return fail(detail, APP_ETOOBIG, "parse.too_many_params");
        count++;
        if (kv_add(a, params, name, val) != APP_OK)
            return fail(detail, APP_ENOMEM, "parse.no_memory");
    }
    *media_type = mt;
    return APP_OK;
}

/* --- JSON ----------------------------------------------------------------
 */

/* One pass over the document tracking strings exactly as cJSON does (a
 * backslash skips the next byte), so the bracket depth seen here is the
 * recursion depth cJSON would reach before it could fail.  Also refuses
 * control bytes other than JSON whitespace (RFC 8259 §2, §7), which cJSON
 * accepts, and the \u0000 escape, which cJSON would turn into a silently
 * truncated C string. */
APP_MUST_USE static enum app_err
json_scan(struct str in, size_t max_depth, const char **detail)
{
    size_t i, depth = 0;
    bool in_str = false;

    for (i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.p[i];

        if (in_str) {
            if (c == '\\') {
                if (i + 1 >= in.len)
                    return fail(detail, APP_EINVAL, "parse.json_malformed");
                i++;
                if (in.p[i] == 'u' && in.len - i > 4 &&
                    memcmp(in.p + i + 1, "0000", 4) == 0)
                    return fail(detail, APP_EINVAL, "parse.nul_byte");
            } else if (c == '"') {
                in_str = false;
            } else if (c < 0x20) {
                return fail(detail, APP_EINVAL, "parse.json_malformed");
            }
            continue;
        }
        switch (c) {
        case '"':
            in_str = true;
            break;
        case '[':
        case '{':
            if (depth >= max_depth)
                return fail(detail, APP_ETOOBIG, "parse.json_too_deep");
            depth++;
            break;
        case ']':
        case '}':
            if (depth == 0)
                return fail(detail, APP_EINVAL, "parse.json_malformed");
            depth--;
            break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            /* cJSON skips every byte up to 0x20 as whitespace; JSON
             * allows only these four. */
            if (c < 0x20)
                return fail(detail, APP_EINVAL, "parse.json_malformed");
            break;
        }
    }
    return APP_OK;
}

enum app_err
parse_json(struct str in, size_t max_bytes, size_t max_depth, cJSON **out,
           const char **detail)
{
    const char *end = NULL;
    char *copy;
    cJSON *root;
    uint64_t failed;
    enum app_err rc;

    *out = NULL;
    if (in.len > max_bytes || in.len == SIZE_MAX)
        return fail(detail, APP_ETOOBIG, "parse.json_too_large");
    if (in.p == NULL || in.len == 0)
        return fail(detail, APP_EINVAL, "parse.json_malformed");
    if (!utf8_valid(in.p, in.len))
        return fail(detail, APP_EINVAL, "parse.bad_utf8");
    rc = json_scan(in, max_depth, detail);
    if (rc != APP_OK)
        return rc;
    /* cJSON is given the length, but a NUL-terminated private copy makes
     * sure that no older cJSON path that looks one byte ahead can read
     * past the caller's buffer. */
    copy = malloc(in.len + 1);
    if (copy == NULL)
        return fail(detail, APP_ENOMEM, "parse.no_memory");
    memcpy(copy, in.p, in.len);
    copy[in.len] = '\0';
    failed = jsonmem_failures();
    root = cJSON_ParseWithLengthOpts(copy, in.len, &end, 0);
    if (root == NULL) {
        free(copy);
        /* cJSON says NULL for a syntax error and for running out of
         * memory alike: only the first is the client's fault. */
        if (jsonmem_failures() != failed)
            return fail(detail, APP_ENOMEM, "parse.no_memory");
        return fail(detail, APP_EINVAL, "parse.json_malformed");
    }
    if (end == NULL || end < copy || end > copy + in.len) {
        cJSON_Delete(root);
        free(copy);
        return fail(detail, APP_EINVAL, "parse.json_malformed");
    }
    while (end < copy + in.len &&
           (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != copy + in.len) {
        cJSON_Delete(root);
        free(copy);
        return fail(detail, APP_EINVAL, "parse.json_malformed");
    }
    free(copy);
    *out = root;
    return APP_OK;
}

/*
 * http.c -- the request object: reading the request, writing the response.
 */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "http/app.h"
#include "base/i18n.h"
#include "base/jsonmem.h"
#include "base/log.h"
#include "base/num.h"
#include "base/tz.h"
#include "base/wire.h"
#include "http/router.h"
#include "http/tmpl.h"

#define PATH_MAX_BYTES 2048
#define HOST_MAX_BYTES 255
#define MAX_COOKIES 50
#define MAX_HEADERS 32

/* One policy for every response the application makes.  No inline script
 * or style anywhere: scripts and styles come from /static only. */
static const char SECURITY_HEADERS[] =
    "Content-Security-Policy: default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: same-origin\r\n"
    "X-Frame-Options: DENY\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Permissions-Policy: camera=(self), geolocation=(self), "
    "microphone=()\r\n"
    "Cache-Control: no-store\r\n";

uint64_t
http_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

const char *
http_param(const struct req *r, const char *name)
{
    const struct str *v;

    if (r->fcgi != NULL)
        return FCGX_GetParam(name, r->fcgi->envp);
    v = kv_get(&r->env, name);
    return v != NULL ? v->p : NULL;
}

bool
http_fail_point(const struct req *r, const char *point)
{
    /* cx.fail holds the header only where debug_routes is on. */
    return ctx_fail_point(&r->cx, point);
}

static struct str
param_str(const struct req *r, const char *name)
{
    return str_c(http_param(r, name));
}

/* Request ids from nginx ($request_id) are 32 hex digits; accept any short
 * alphanumeric id, otherwise make one. */
static void
set_rid(struct req *r)
{
    struct str given = param_str(r, "REQUEST_ID");
    size_t i;
    bool ok = given.len >= 8 && given.len < sizeof(r->rid);

    for (i = 0; ok && i < given.len; i++) {
        char c = given.p[i];

        ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
             (c >= 'A' && c <= 'Z') || c == '-';
    }
    if (ok) {
        memcpy(r->rid, given.p, given.len);
        r->rid[given.len] = '\0';
    } else {
        unsigned char raw[12];

        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(r->rid, sizeof(r->rid), raw, sizeof(raw));
    }
}

static bool
host_ok(struct str h)
{
    size_t i;

    if (h.len == 0 || h.len > HOST_MAX_BYTES)
        return false;
    for (i = 0; i < h.len; i++) {
        char c = h.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']'))
            return false;
    }
    return true;
}

enum app_err
http_begin(struct req *r)
{
    struct str uri, lang_cookie;
    const struct str *lc;
    const struct limits *lim = &r->app->conf.limits;
    const char *fail;
    int64_t n;
    enum app_err rc;

    r->t_start_us = http_now_us();
    r->cx.a = r->a;
    ctx_fresh(&r->cx);
    r->status = 200;
    buf_init(&r->body, r->a, (size_t)lim->max_output);
    set_rid(r);
    log_set_rid(r->rid);
    /* The test suite's failing allocation: `X-Proofline-Fail:
     * json.alloc=N` fails this request's N-th cJSON allocation (debug
     * routes only; worker_dispatch turns it off when the request ends). */
    fail = r->app->conf.debug_routes ? http_param(r, "HTTP_X_PROOFLINE_FAIL")
                                     : NULL;
    if (fail != NULL && strncmp(fail, "json.alloc=", 11) == 0 &&
        parse_i64(str_c(fail + 11), 1, 1000000, &n)) {
        jsonmem_fail_after((long)n, 0);
        r->json_fail_set = true;
    }
    r->cx.db = r->app->db;
    r->cx.conf = &r->app->conf;
    r->cx.rules = r->app->rules;
    r->cx.fail = fail;
    r->cx.ip = http_param(r, "REMOTE_ADDR");
    if (r->cx.ip == NULL)
        r->cx.ip = "";
    r->cx.tenant_tz = TZ_DEFAULT;
    r->cx.lang = i18n_lang(str_c(r->app->conf.default_lang));
    if (r->cx.lang == NULL)
        r->cx.lang = I18N_DEFAULT;
    if (r->app->i18n != NULL)
        r->catalog = i18n_catalog(r->app->i18n, r->cx.lang);

    r->method_name = http_param(r, "REQUEST_METHOD");
    if (r->method_name == NULL)
        r->method_name = "GET";
    r->method = http_method_from(str_c(r->method_name));
    r->https = str_eq_c(param_str(r, "HTTPS"), "on");
    r->host = param_str(r, "HTTP_HOST");
    if (!host_ok(r->host))
        r->host = STR_LIT("localhost");

    uri = param_str(r, "REQUEST_URI");
    if (uri.len == 0)
        uri = param_str(r, "DOCUMENT_URI");
    str_split(uri, '?', &r->path, &r->query);

    /* The cookie header first: it carries the language for any error page
     * that follows. */
    rc = parse_cookies(r->a, param_str(r, "HTTP_COOKIE"), MAX_COOKIES,
                       (size_t)lim->max_cookie, &r->cookies, &r->cx.err_detail);
    if (rc != APP_OK)
        memset(&r->cookies, 0, sizeof(r->cookies));
    lc = http_cookie(r, "pl_lang");
    lang_cookie = lc != NULL ? *lc : STR_NULL;
    r->cx.lang = i18n_negotiate(STR_NULL, lang_cookie,
                                param_str(r, "HTTP_ACCEPT_LANGUAGE"),
                                r->app->conf.default_lang);
    if (r->app->i18n != NULL)
        r->catalog = i18n_catalog(r->app->i18n, r->cx.lang);
    if (rc != APP_OK)
        return rc;

    if (r->path.len == 0 || r->path.p[0] != '/') {
        r->cx.err_detail = "http.bad_path";
        return APP_EINVAL;
    }
    if (r->path.len > PATH_MAX_BYTES || r->query.len > (size_t)lim->max_query) {
        r->cx.err_detail = "http.uri_too_long";
        return APP_ETOOBIG;
    }
    if (r->method == HM_OTHER) {
        r->cx.err_detail = "http.bad_method";
        return APP_EMETHOD;
    }
    return APP_OK;
}

enum app_err
http_parse_query(struct req *r)
{
    const struct limits *lim = &r->app->conf.limits;

    return parse_urlencoded(r->a, r->query, (size_t)lim->max_fields,
                            (size_t)lim->max_field_size, &r->query_args,
                            &r->cx.err_detail);
}

/* Read up to n body bytes, never past CONTENT_LENGTH. */
static long
body_read(void *ctx, char *dst, size_t n)
{
    struct req *r = ctx;
    int got;

    if (r->fcgi == NULL) {
        size_t left = r->test_body.len - (size_t)r->body_read;

        if (n > left)
            n = left;
        if (n > 0)
            memcpy(dst, r->test_body.p + r->body_read, n);
        r->body_read += (long)n;
        return (long)n;
    }
    if (n > (1u << 30))
        n = 1u << 30;
    got = FCGX_GetStr(dst, (int)n, r->fcgi->in);
    if (got < 0)
        return -1;
    r->body_read += got;
    return got;
}

/* Read the whole body (length bytes) into the arena. */
APP_MUST_USE static enum app_err
read_all(struct req *r, long length, struct str *out)
{
    char *p = arena_alloc(r->a, (size_t)length + 1);
    long have = 0;

    if (p == NULL)
        return APP_ENOMEM;
    while (have < length) {
        long got = body_read(r, p + have, (size_t)(length - have));

        if (got <= 0) {
            r->cx.err_detail = "http.body_truncated";
            return APP_EINVAL;
        }
        have += got;
    }
    p[have] = '\0';
    out->p = p;
    out->len = (size_t)have;
    return APP_OK;
}

static void
json_cleanup(void *p)
{
    cJSON_Delete(p);
}

enum app_err
http_parse_body(struct req *r, bool want_form, bool want_json, bool want_text)
{
    const struct limits *lim = &r->app->conf.limits;
    struct str ct_raw = param_str(r, "CONTENT_TYPE");
    struct str cl_raw = param_str(r, "CONTENT_LENGTH");
    struct str media = STR_NULL, body;
    struct kvlist ct_params = { 0 };
    int64_t length = 0;
    enum app_err rc;

    if (cl_raw.len > 0 && !parse_i64(cl_raw, 0, INT64_MAX / 2, &length)) {
        r->cx.err_detail = "http.bad_length";
        return APP_EINVAL;
    }
    if (length > lim->max_body) {
        r->cx.err_detail = "http.body_too_large";
        return APP_ETOOBIG;
    }
    if (length == 0 && ct_raw.len == 0)
        return APP_OK; /* an empty form */
    if (ct_raw.len > 0) {
        rc = parse_content_type(r->a, ct_raw, &media, &ct_params,
                                &r->cx.err_detail);
        if (rc != APP_OK)
            return rc;
    }
    if (want_form && str_eq_c(media, "application/x-www-form-urlencoded")) {
        if (length > lim->max_form_body) {
            r->cx.err_detail = "http.form_too_large";
            return APP_ETOOBIG;
        }
        rc = read_all(r, (long)length, &body);
        if (rc != APP_OK)
            return rc;
        return parse_urlencoded(r->a, body, (size_t)lim->max_fields,
                                (size_t)lim->max_field_size, &r->form,
                                &r->cx.err_detail);
    }
    if (want_form && str_eq_c(media, "multipart/form-data")) {
        const struct str *boundary = kv_get(&ct_params, "boundary");
        struct multipart_limits ml = {
            .max_parts = (size_t)lim->max_parts,
            .max_part_header = (size_t)lim->max_part_header,
            .max_field_size = (size_t)lim->max_field_size,
            .max_file_size = (size_t)lim->max_file_size,
            .max_total = (size_t)length,
            .max_fields = (size_t)lim->max_fields,
        };

        if (boundary == NULL) {
            r->cx.err_detail = "multipart.no_boundary";
            return APP_EINVAL;
        }
        return multipart_parse(r->a, *boundary, body_read, r, &ml,
                               r->app->conf.tmp_dir, &r->form, &r->files,
                               &r->cx.err_detail);
    }
    if (want_json &&
        (str_eq_c(media, "application/json") ||
         (media.len > 5 && memcmp(media.p + media.len - 5, "+json", 5) == 0))) {
        if (length > lim->max_json_body) {
            r->cx.err_detail = "parse.json_too_large";
            return APP_ETOOBIG;
        }
        rc = read_all(r, (long)length, &body);
        if (rc != APP_OK)
            return rc;
        rc = parse_json(body, (size_t)lim->max_json_body,
                        (size_t)lim->max_json_depth, &r->json,
                        &r->cx.err_detail);
        if (rc == APP_OK && arena_cleanup_add(r->a, json_cleanup, r->json))
            return APP_ENOMEM;
        return rc;
    }
    if (want_text && str_eq_c(media, "text/csv")) {
        if (length > lim->max_file_size) {
            r->cx.err_detail = "http.body_too_large";
            return APP_ETOOBIG;
        }
        return read_all(r, (long)length, &r->text);
    }
    r->cx.err_detail = want_json ? "http.want_json" : "http.want_form";
    return APP_EMEDIA;
}

const struct str *
http_query_arg(const struct req *r, const char *name)
{
    return kv_get(&r->query_args, name);
}

const struct str *
http_form(const struct req *r, const char *name)
{
    return kv_get(&r->form, name);
}

const struct str *
http_cookie(const struct req *r, const char *name)
{
    return kv_get(&r->cookies, name);
}

static bool
token_ok(const char *s)
{
    const char *p;

    if (s == NULL || *s == '\0')
        return false;
    for (p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", c))
            return false;
    }
    return true;
}

enum app_err
http_header(struct req *r, const char *name, const char *value)
{
    struct http_header *h;

    if (!token_ok(name) || value == NULL || strpbrk(value, "\r\n") != NULL)
        return APP_EINVAL;
    if (r->nhdrs == r->hdrcap) {
        size_t cap = r->hdrcap ? r->hdrcap * 2 : 8;
        struct http_header *nh;

        if (cap > MAX_HEADERS)
            return APP_ETOOBIG;
        nh = arena_calloc(r->a, cap, sizeof(*nh));
        if (nh == NULL)
            return APP_ENOMEM;
        if (r->nhdrs > 0)
            memcpy(nh, r->hdrs, r->nhdrs * sizeof(*nh));
        r->hdrs = nh;
        r->hdrcap = cap;
    }
    h = &r->hdrs[r->nhdrs];
    h->name = arena_strdup(r->a, name);
    h->value = arena_strdup(r->a, value);
    if (h->name == NULL || h->value == NULL)
        return APP_ENOMEM;
    r->nhdrs++;
    return APP_OK;
}

/* RFC 6265 cookie-octet. */
static bool
cookie_value_ok(const char *s)
{
    const char *p;

    for (p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' ||
            c == '\\')
            return false;
    }
    return true;
}

const char *
http_cookie_name(const struct req *r, const char *base)
{
    static char names[8][64];
    static const char *bases[8];
    size_t i;

    if (!r->app->conf.cookie_secure)
        return base;
    for (i = 0; i < 8; i++) {
        if (bases[i] == base)
            return names[i];
        if (bases[i] == NULL) {
            if (snprintf(names[i], sizeof(names[i]), "__Host-%s", base) >=
                (int)sizeof(names[i]))
                return base;
            bases[i] = base;
            return names[i];
        }
    }
    return base;
}

enum app_err
http_cookie_set(struct req *r, const char *name, const char *value,
                const struct cookie_opts *opts)
{
    struct buf b;
    enum app_err rc;
    const char *same_site = "Lax";

    if (!token_ok(name) || !cookie_value_ok(value))
        return APP_EINVAL;
    if (opts != NULL && opts->same_site != NULL)
        same_site = opts->same_site;
    buf_init(&b, r->a, 4096);
    rc = buf_printf(&b, "%s=%s; Path=/; SameSite=%s", name, value, same_site);
    if (rc == APP_OK && opts != NULL && opts->max_age > 0)
        rc = buf_printf(&b, "; Max-Age=%ld", opts->max_age);
    if (rc == APP_OK && opts != NULL && opts->max_age < 0)
        rc = buf_puts(&b, "; Max-Age=0");
    if (rc == APP_OK && (opts == NULL || opts->http_only))
        rc = buf_puts(&b, "; HttpOnly");
    if (rc == APP_OK && r->app->conf.cookie_secure)
        rc = buf_puts(&b, "; Secure");
    if (rc != APP_OK)
        return rc;
    return http_header(r, "Set-Cookie", b.p);
}

bool
http_local_path_ok(struct str p)
{
    return wire_local_path(p.p, p.len);
}

enum app_err
http_redirect(struct req *r, const char *local_path)
{
    if (local_path == NULL || !http_local_path_ok(str_c(local_path)))
        local_path = "/";
    r->status = 303;
    buf_clear(&r->body);
    return http_header(r, "Location", local_path);
}

bool
http_incomplete(struct req *r)
{
    return ctx_incomplete(&r->cx, r->route != NULL ? r->route->name : "-");
}

void
http_fresh(struct req *r)
{
    ctx_fresh(&r->cx);
}

char *
http_json_text(struct req *r, const cJSON *doc)
{
    /* Printing itself is all or nothing. */
    return http_incomplete(r) ? NULL : cJSON_PrintUnformatted(doc);
}

enum app_err
http_html(struct req *r, int status, const char *tmpl, cJSON *model)
{
    struct tmpl_limits lim = {
        .max_output = (size_t)r->app->conf.limits.max_output,
        .max_depth = (size_t)r->app->conf.limits.max_tmpl_depth,
    };
    char err[256];
    enum app_err rc;

    if (http_incomplete(r))
        return APP_ENOMEM;
    buf_clear(&r->body);
    rc = tmpl_render(r->app->tmpl, tmpl, model, &lim, &r->body, err,
                     sizeof(err));
    if (rc != APP_OK) {
        log_error("tmpl.render", "template=%s error=%s", tmpl, log_q(err));
        buf_clear(&r->body);
        return rc == APP_ETOOBIG ? APP_EINTERNAL : rc;
    }
    if (http_incomplete(r)) { /* the render went without something */
        buf_clear(&r->body);
        return APP_ENOMEM;
    }
    r->status = status;
    r->content_type = "text/html; charset=utf-8";
    return APP_OK;
}

enum app_err
http_json(struct req *r, int status, const cJSON *obj)
{
    char *s;
    enum app_err rc;

    if (http_incomplete(r))
        return APP_ENOMEM;
    s = cJSON_PrintUnformatted(obj);
    if (s == NULL)
        return APP_ENOMEM;
    buf_clear(&r->body);
    rc = buf_puts(&r->body, s);
    cJSON_free(s);
    if (rc != APP_OK)
        return rc;
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    return APP_OK;
}

enum app_err
http_text(struct req *r, int status, const char *text)
{
    buf_clear(&r->body);
    r->status = status;
    r->content_type = "text/plain; charset=utf-8";
    return buf_puts(&r->body, text);
}

const char *
http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

const char *
http_t(const struct req *r, const char *key)
{
    const char *s = NULL;

    if (r->app != NULL && r->app->i18n != NULL)
        s = i18n_text(r->app->i18n, r->cx.lang, key);
    return s != NULL ? s : key;
}

const char *
http_origin(struct req *r)
{
    if (r->app->conf.public_origin[0] != '\0')
        return r->app->conf.public_origin;
    return arena_printf(r->a, "%s://%.*s", r->https ? "https" : "http",
                        (int)r->host.len, r->host.p);
}

/* The head with Content-Length: length. */
APP_MUST_USE static enum app_err
format_head(const struct req *r, struct buf *hb, uint64_t length)
{
    size_t i;
    enum app_err rc;

    rc = buf_printf(hb, "Status: %d %s\r\n%sX-Request-Id: %s\r\n", r->status,
                    http_reason(r->status), SECURITY_HEADERS, r->rid);
    if (rc == APP_OK && r->content_type != NULL)
        rc = buf_printf(hb, "Content-Type: %s\r\n", r->content_type);
    if (rc == APP_OK)
        rc = buf_printf(hb, "Content-Length: %llu\r\n",
                        (unsigned long long)length);
    for (i = 0; rc == APP_OK && i < r->nhdrs; i++)
        rc = buf_printf(hb, "%s: %s\r\n", r->hdrs[i].name, r->hdrs[i].value);
    if (rc == APP_OK)
        rc = buf_append(hb, "\r\n", 2);
    return rc;
}

enum app_err
http_format_head(const struct req *r, struct buf *hb)
{
    return format_head(r, hb, r->body.len);
}

/* Without libfcgi (unit tests): the body goes to r->body, bounded by
 * limits.max_output like any other answer. */
APP_MUST_USE static enum app_err
file_to_body(struct req *r, FILE *f, uint64_t length)
{
    char chunk[16 * 1024];
    enum app_err rc = APP_OK;

    buf_clear(&r->body);
    while (rc == APP_OK && length > 0) {
        size_t want = length < sizeof(chunk) ? (size_t)length : sizeof(chunk);
        size_t got = fread(chunk, 1, want, f);

        rc = got == want ? buf_append(&r->body, chunk, got) : APP_EIO;
        length -= got;
    }
    return rc;
}

enum app_err
http_send_file(struct req *r, FILE *f, uint64_t length)
{
    char chunk[64 * 1024];
    struct buf hb;
    enum app_err rc;

    if (r->sent)
        return APP_EINTERNAL;
    if (r->fcgi == NULL)
        return file_to_body(r, f, length);
    buf_clear(&r->body);
    buf_init(&hb, NULL, 64 * 1024);
    rc = format_head(r, &hb, length);
    if (rc == APP_OK) {
        r->sent = true; /* from here on the answer is this one */
        if (FCGX_PutStr(hb.p, (int)hb.len, r->fcgi->out) != (int)hb.len)
            rc = APP_EIO;
    }
    buf_free(&hb);
    while (rc == APP_OK && length > 0) {
        size_t want = length < sizeof(chunk) ? (size_t)length : sizeof(chunk);
        size_t got = fread(chunk, 1, want, f);

        if (got != want ||
            FCGX_PutStr(chunk, (int)got, r->fcgi->out) != (int)got)
            rc = APP_EIO;
        length -= got;
    }
    return rc;
}

void
http_send(struct req *r)
{
    struct buf hb;

    if (r->sent)
        return;
    r->sent = true;
    buf_init(&hb, NULL, 64 * 1024);
    if (http_format_head(r, &hb) == APP_OK && r->fcgi != NULL) {
        FCGX_PutStr(hb.p, (int)hb.len, r->fcgi->out);
        if (r->method != HM_HEAD && r->body.len > 0)
            FCGX_PutStr(r->body.p, (int)r->body.len, r->fcgi->out);
    }
    buf_free(&hb);
}

/*
 * http.h -- the request object and the response helpers.
 *
 * A struct req lives for one request.  Everything it points to comes from
 * its arena (r->a) or from libfcgi's parameter block, and is gone after
 * http_finish(); nothing in it may be kept across requests.
 *
 * Input: only what the route needs is parsed (router.h flags).  Output is
 * buffered in r->body (bounded by limits.max_output) and sent by
 * http_send(), so a handler that fails halfway can still be answered with a
 * clean error page.  Every response carries the security headers (CSP
 * without inline script, nosniff, Referrer-Policy, frame-ancestors 'none')
 * and Cache-Control: no-store.
 */
#ifndef PROOFLINE_HTTP_H
#define PROOFLINE_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "http/multipart.h"
#include "http/parse.h"
#include "base/str.h"
#include "db/ctx.h"

struct FCGX_Request;
struct app;
struct route;
struct auth;

enum http_method {
    HM_NONE = 0,
    HM_GET = 1 << 0,
    HM_HEAD = 1 << 1,
    HM_POST = 1 << 2,
    HM_PUT = 1 << 3,
    HM_PATCH = 1 << 4,
    HM_DELETE = 1 << 5,
    HM_OPTIONS = 1 << 6,
    HM_OTHER = 1 << 7
};

#define REQ_MAX_PARAMS 8

struct http_header {
    const char *name;
    const char *value;
};

struct req {
    struct arena *a;
    /* What the services are called with: arena, database, who, language
     * (set up by http_begin and auth_request), and the error detail they
     * leave for the answer. */
    struct ctx cx;
    struct app *app;
    struct FCGX_Request *fcgi; /* NULL in unit tests: env comes from env */
    struct kvlist env;         /* test-only parameters when fcgi == NULL */
    struct str test_body;      /* test-only body when fcgi == NULL */
    long body_read;            /* body bytes consumed so far */

    char rid[40];
    enum http_method method;
    const char *method_name;
    struct str path;  /* raw path of REQUEST_URI, before '?' */
    struct str query; /* raw query string */
    bool https;
    struct str host;

    struct kvlist query_args; /* parsed on demand: http_parse_query() */
    struct kvlist cookies;    /* parsed for every request */
    struct kvlist form;       /* urlencoded or multipart fields */
    struct upload_list files; /* multipart file parts */
    cJSON *json;              /* JSON body (freed by an arena cleanup) */
    struct str text;          /* a text/csv body (RF_TEXT routes) */

    const struct route *route;
    const char *param_names[REQ_MAX_PARAMS];
    struct str params[REQ_MAX_PARAMS]; /* typed path parameters, decoded */
    int64_t iparams[REQ_MAX_PARAMS];   /* value of {name:int} parameters */
    unsigned nparams;

    const cJSON *catalog; /* message catalog of lang */
    struct auth *auth;    /* the signed-in user, NULL when anonymous */
    const char *csrf;     /* CSRF token for forms in this response */

    /* response */
    int status;
    struct http_header *hdrs;
    size_t nhdrs, hdrcap;
    const char *content_type;
    struct buf body;
    bool sent;
    uint64_t t_start_us;
    bool json_fail_set; /* X-Proofline-Fail: json.alloc=N (debug only) */
};

/* Read a FastCGI parameter (e.g. "HTTP_ORIGIN", "CONTENT_TYPE") for the
 * current request; NULL when absent.  The pointer is valid until
 * http_finish(). */
const char *http_param(const struct req *r, const char *name);

/* Fault injection for the test suite: true when debug_routes = 1 and the
 * request carries `X-Proofline-Fail: <point>`.  Code that must stay
 * consistent when a step fails asks this between the steps. */
bool http_fail_point(const struct req *r, const char *point);

/* Set up r for a request libfcgi has accepted (fcgi may be NULL for tests,
 * then r->env supplies the parameters).  Reads method, path, query, host,
 * request id, cookies and negotiates the language.  Returns APP_EINVAL,
 * APP_ETOOBIG or APP_EMETHOD with r->cx.err_detail set when the request line
 * itself is unacceptable; r is usable for an error response either way. */
APP_MUST_USE enum app_err http_begin(struct req *r);

/* Parse the query string into r->query_args (bounded by limits). */
APP_MUST_USE enum app_err http_parse_query(struct req *r);

/* Parse the body according to its Content-Type: urlencoded or multipart
 * into r->form/r->files when want_form, JSON into r->json when want_json,
 * text/csv as it is into r->text when want_text (at most max_file_size).
 * APP_EMEDIA for a type the route does not take; APP_ETOOBIG when
 * CONTENT_LENGTH is over the limit (checked before reading); APP_EINVAL for
 * malformed bodies. */
APP_MUST_USE enum app_err http_parse_body(struct req *r, bool want_form,
                                          bool want_json, bool want_text);

/* A query argument / form field by name, or NULL. */
const struct str *http_query_arg(const struct req *r, const char *name);
const struct str *http_form(const struct req *r, const char *name);
const struct str *http_cookie(const struct req *r, const char *name);

/* Add a response header.  Names must be a token and values must not
 * contain CR, LF or NUL: such a header is refused with APP_EINVAL and not
 * added (header injection cannot happen by mistake).  The strings are
 * copied. */
APP_MUST_USE enum app_err http_header(struct req *r, const char *name,
                                      const char *value);

struct cookie_opts {
    long max_age;          /* seconds; 0 = session cookie; < 0 = delete */
    bool http_only;        /* true for everything but what scripts must read */
    const char *same_site; /* "Lax" (default when NULL) or "Strict" */
};

/* Set a cookie with Path=/, SameSite=Lax and Secure when cookie_secure is
 * configured.  name and value must be cookie-safe (token / cookie-octet),
 * else APP_EINVAL. */
APP_MUST_USE enum app_err http_cookie_set(struct req *r, const char *name,
                                          const char *value,
                                          const struct cookie_opts *opts);

/* The name a cookie is sent under: "__Host-" + base when cookie_secure is
 * on (the prefix requires Secure and Path=/), else base.  Static storage
 * for the few names the app uses; returns base itself on overflow. */
const char *http_cookie_name(const struct req *r, const char *base);

/* 303 See Other to a local path (must start with a single '/'; anything
 * else, such as "//evil" or "https://...", is replaced by "/"). */
APP_MUST_USE enum app_err http_redirect(struct req *r, const char *local_path);

/* True when path is a safe local redirect target. */
bool http_local_path_ok(struct str path);

/* Render template `name` with model as an HTML response with the given
 * status.  The model gets the common keys (t, lang, csrf, user...) added
 * by the caller through view.h; this only renders and sets the type.
 * APP_ENOMEM, rendering nothing, when a cJSON allocation failed during the
 * request: the model may lack a field (jsonmem.h). */
APP_MUST_USE enum app_err http_html(struct req *r, int status, const char *tmpl,
                                    cJSON *model);

/* The answer starts over: allocations that failed before do not stop it
 * (view_error calls this, and a handler that answers a failure it has
 * handled with a page of its own; see http_incomplete). */
void http_fresh(struct req *r);

/* Whether a cJSON or an arena allocation failed since the request began
 * (or since its error page began), logged when so: then a document
 * built with unchecked cJSON_Add* / view_add_* calls -- or given a NULL
 * string from the arena -- may lack a field, and nothing built from one
 * may be sent, stored or given to the rules. */
bool http_incomplete(struct req *r);

/* The text of a document to be stored (cJSON_free it); NULL when out of
 * memory or when http_incomplete(r): a stored document is complete. */
char *http_json_text(struct req *r, const cJSON *doc);

/* Serialise obj as a JSON response.  Like http_html, APP_ENOMEM instead
 * when a cJSON allocation failed during the request (jsonmem.h): a
 * document is complete or not sent. */
APP_MUST_USE enum app_err http_json(struct req *r, int status,
                                    const cJSON *obj);

/* A plain-text response (used by health checks). */
APP_MUST_USE enum app_err http_text(struct req *r, int status,
                                    const char *text);

/* The CGI response head (Status line, security headers, the response's
 * headers, blank line) for r, appended to out. */
APP_MUST_USE enum app_err http_format_head(const struct req *r,
                                           struct buf *out);

/* Write the head and the body to libfcgi (HEAD: no body). */
void http_send(struct req *r);

/* Answer now with r->status, r->content_type and the headers set so far,
 * and the next length bytes of f as the body, read and written in pieces
 * (a download larger than limits.max_output, never held whole).  After
 * it, http_send does nothing: the head is out, so a failure halfway
 * (APP_EIO: f ended early, or the client went away) cannot become an
 * error page any more; nginx sees a body shorter than its
 * Content-Length and drops the connection.  Without libfcgi (unit
 * tests) the bytes go to r->body as usual. */
APP_MUST_USE enum app_err http_send_file(struct req *r, FILE *f,
                                         uint64_t length);

/* The reason phrase of a status code ("Not Found"). */
const char *http_reason(int status);

/* Translate a catalog key for r's language; returns the key itself when it
 * is missing from both catalogs. */
const char *http_t(const struct req *r, const char *key);

/* The origin of this deployment: public_origin when configured, else
 * scheme://host of the request.  Arena string. */
const char *http_origin(struct req *r);

/* Monotonic microseconds, for timing. */
uint64_t http_now_us(void);

#endif

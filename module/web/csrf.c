/*
 * csrf.c -- origin and token checks for state-changing requests.
 */
#include "web/csrf.h"

#include <string.h>

#include <sodium.h>

#include "http/app.h"
#include "web/auth.h"
#include "base/log.h"
#include "base/wire.h"

#define TOKEN_LEN 43 /* 32 random bytes in unpadded base64url */
#define COOKIE "pl_csrf"

bool
csrf_token_wellformed(const char *s, size_t n)
{
    return wire_b64url_token(s, n, TOKEN_LEN);
}

/* The token this request is expected to present, NULL when none. */
static const char *
expected_token(struct req *r)
{
    const struct str *c;
    const char *session_token = auth_csrf_token(r);

    if (session_token != NULL)
        return session_token;
    c = http_cookie(r, http_cookie_name(r, COOKIE));
    if (c != NULL && csrf_token_wellformed(c->p, c->len))
        return c->p;
    return NULL;
}

const char *
csrf_token(struct req *r)
{
    unsigned char raw[32];
    char *tok;
    struct cookie_opts opts = { .max_age = 0, .http_only = true };

    if (r->csrf != NULL)
        return r->csrf;
    r->csrf = expected_token(r);
    if (r->csrf != NULL)
        return r->csrf;
    tok = arena_alloc(r->a, TOKEN_LEN + 1);
    if (tok == NULL)
        return "";
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(tok, TOKEN_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (http_cookie_set(r, http_cookie_name(r, COOKIE), tok, &opts) != APP_OK)
        return "";
    r->csrf = tok;
    return tok;
}

static bool
same_origin(struct req *r)
{
    const char *origin = http_origin(r);
    const char *sent = http_param(r, "HTTP_ORIGIN");
    size_t olen;

    if (origin == NULL)
        return false;
    olen = strlen(origin);
    if (sent != NULL && strcmp(sent, "null") != 0)
        return strcmp(sent, origin) == 0;
    sent = http_param(r, "HTTP_REFERER");
    if (sent == NULL)
        return false;
    return strncmp(sent, origin, olen) == 0 &&
           (sent[olen] == '/' || sent[olen] == '\0');
}

enum app_err
csrf_check_origin(struct req *r)
{
    if (!same_origin(r)) {
        r->cx.err_detail = "csrf.origin";
        log_warn("csrf.reject", "reason=origin origin=%s referer=%s",
                 log_q(http_param(r, "HTTP_ORIGIN")),
                 log_q(http_param(r, "HTTP_REFERER")));
        return APP_EFORBIDDEN;
    }
    return APP_OK;
}

enum app_err
csrf_check_token(struct req *r)
{
    const char *want;
    const struct str *got;
    const char *hdr;
    struct str given;

    want = expected_token(r);
    got = http_form(r, "_csrf");
    hdr = http_param(r, "HTTP_X_CSRF_TOKEN");
    if (got != NULL)
        given = *got;
    else
        given = str_c(hdr);
    if (want == NULL || given.len != TOKEN_LEN ||
        sodium_memcmp(want, given.p, TOKEN_LEN) != 0) {
        r->cx.err_detail = "csrf.token";
        log_warn("csrf.reject", "reason=token");
        return APP_EFORBIDDEN;
    }
    return APP_OK;
}

/*
 * csrf.h -- cross-site request forgery defence for cookie-authenticated
 * state changes.
 *
 * Two checks, both required on every RF_STATE route reached with cookies:
 *  1. the request comes from our origin: Origin equals http_origin(), or,
 *     when a browser sent no Origin, Referer starts with it;
 *  2. the form field `_csrf` (or header X-CSRF-Token) equals the token of
 *     the session (signed-in users) or of the anonymous `pl_csrf` cookie
 *     (forms before sign-in, such as the login form itself), compared in
 *     constant time.
 * Requests authenticated by an API bearer token carry no ambient
 * credentials and skip this check (auth decides).
 */
#ifndef PROOFLINE_CSRF_H
#define PROOFLINE_CSRF_H

#include <stdbool.h>

#include "base/err.h"
#include "http/http.h"

/* The token forms in this response must carry (sets r->csrf).  For an
 * anonymous visitor without a valid pl_csrf cookie a new random token is
 * made and the cookie is set on the response. */
const char *csrf_token(struct req *r);

/* Check the origin (before the body is read); APP_OK or APP_EFORBIDDEN
 * with r->cx.err_detail = "csrf.origin". */
APP_MUST_USE enum app_err csrf_check_origin(struct req *r);

/* Check the token (after the body is parsed, as it may be a form field);
 * APP_OK or APP_EFORBIDDEN with r->cx.err_detail = "csrf.token". */
APP_MUST_USE enum app_err csrf_check_token(struct req *r);

/* True when s looks like one of our tokens (43 base64url characters). */
bool csrf_token_wellformed(const char *s, size_t n);

#endif

/*
 * auth.h -- who is making the request.
 *
 * The result of authentication is a struct auth: tenant, user and role,
 * taken from the session (cookie) or API token -- never from the request
 * body or URL.  Handlers read r->auth; NULL means anonymous.
 */
#ifndef PROOFLINE_AUTH_H
#define PROOFLINE_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "http.h"

struct auth {
    int64_t tenant_id;
    int64_t user_id;
    unsigned role; /* one enum role bit */
    const char *tenant_slug;
    const char *tenant_name;
    const char *login;
    const char *display_name;
    const char *lang; /* the user's saved language, or NULL */
    const char *csrf; /* the session's CSRF token; NULL for API tokens */
    bool via_token;   /* authenticated by an API bearer token */
};

/* The session's CSRF token, or NULL when the request has no session. */
const char *auth_csrf_token(const struct req *r);

#endif

/*
 * auth.h -- who is making the request: sessions and API tokens.
 *
 * The result of authentication is a struct auth: tenant, user and role,
 * taken from the session (cookie) or API token -- never from the request
 * body or URL.  Handlers read r->auth; NULL means anonymous.
 *
 * Sessions: the cookie carries a 256-bit random token (base64url); only
 * its SHA-256 is stored.  A session ends after session_idle seconds
 * without a request or session_max seconds after sign-in, at sign-out,
 * when the password changes, when the user is deactivated, and when the
 * user signs out everywhere.  A session whose second factor is still due
 * (mfa_state pending or enroll) reaches only the routes flagged RF_MFA.
 *
 * API tokens: `Authorization: Bearer plt_...`, stored as SHA-256, bound to
 * a tenant and user, checked with the same roles as that user, revocable,
 * with an optional expiry and a last-used time.
 */
#ifndef PROOFLINE_AUTH_H
#define PROOFLINE_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "http/http.h"
#include "identity/secret.h"

enum mfa_state { MFA_DONE = 0, MFA_PENDING, MFA_ENROLL };

struct auth {
    int64_t tenant_id;
    int64_t user_id;
    unsigned role; /* one enum role bit */
    const char *tenant_slug;
    const char *tenant_name;
    const char *tenant_tz;
    const char *login;
    const char *display_name;
    const char *lang;        /* the user's saved language, or NULL */
    bool password_temporary; /* a session whose password must change */
    int64_t unread;          /* unread notifications */
    const char *csrf;        /* the session's CSRF token; NULL for API tokens */
    bool via_token;          /* authenticated by an API bearer token */
    int64_t token_id;
    bool mfa_enabled;
    enum mfa_state mfa_state;
    /* The company's published rule version (0: none yet) and the user's
     * region ("" when none), read with the session. */
    int64_t rules_version_id;
    uint64_t facts_top; /* the newest metrics change id (metrics/facts.h) */
    const char *region;
    char session_id[SESSION_ID_HEX]; /* hex SHA-256 of the cookie token */
};

/* Make a the request's signed-in user (NULL: nobody), in r->auth and in
 * the service context r->cx. */
void auth_set(struct req *r, struct auth *a);

/* The session's CSRF token, or NULL when the request has no session. */
const char *auth_csrf_token(const struct req *r);

/* Authenticate r: the session cookie, and for API routes also a bearer
 * token.  Sets r->auth (and r->cx.lang from the user's setting) or leaves it
 * NULL; an expired session is deleted and its cookie cleared.  A malformed
 * or unknown bearer token is APP_EUNAUTH (API clients must know); a bad
 * cookie just means anonymous. */
APP_MUST_USE enum app_err auth_request(struct req *r, bool api);

/* Start a session for a user who has just proved their password: a new
 * random token (never one the client offered), its cookie, and r->auth
 * set.  Any session the request came with is ended first. */
APP_MUST_USE enum app_err auth_session_start(struct req *r, int64_t tenant,
                                             int64_t user,
                                             enum mfa_state state);

/* The second factor is done: the session gets a new token (privilege
 * change) and full access. */
APP_MUST_USE enum app_err auth_session_promote(struct req *r);

/* Sign out: delete the current session and clear the cookie. */
APP_MUST_USE enum app_err auth_session_end(struct req *r);

#endif

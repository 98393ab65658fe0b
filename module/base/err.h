/*
 * err.h -- the one app-wide error enum (STYLE §5).
 *
 * Functions return an enum app_err and write results through
 * out-parameters.  APP_OK is zero so `if (rc != APP_OK)` reads naturally.
 */
#ifndef PROOFLINE_ERR_H
#define PROOFLINE_ERR_H

/* On every function that returns an enum app_err: a result nobody reads
 * is a compile error (-Werror).  A caller that really means to ignore one
 * says why with app_ignore(). */
#define APP_MUST_USE __attribute__((warn_unused_result))

enum app_err {
    APP_OK = 0,
    APP_ENOMEM,      /* allocation failed (heap or arena cap) */
    APP_EINVAL,      /* malformed input: 400 */
    APP_ETOOBIG,     /* input over a limit: 413 */
    APP_ENOTFOUND,   /* no such route or object: 404 */
    APP_EMETHOD,     /* route exists, method does not: 405 */
    APP_EUNAUTH,     /* not signed in: 401 / redirect to login */
    APP_EFORBIDDEN,  /* signed in, not allowed (or CSRF): 403 */
    APP_ECONFLICT,   /* state changed underneath (stale edit, gate): 409 */
    APP_EMEDIA,      /* unsupported Content-Type: 415 */
    APP_EVALIDATION, /* well-formed but invalid field values: 422 */
    APP_ETHROTTLED,  /* too many requests: 429 */
    APP_EDB_DOWN,    /* database unreachable: 503 */
    APP_EDB,         /* database error other than unreachable: 500 */
    APP_EIO,         /* file or socket error: 500 */
    APP_ETIMEOUT,    /* a deadline passed: 503 */
    APP_ERULE,       /* a tenant rule failed: 500 with its message */
    APP_EINTERNAL,   /* a bug: 500 */
    APP_ERR_COUNT
};

/* Ignore rc on purpose: why says so in the code (best-effort cleanup,
 * logging that must not fail the request). */
static inline void
app_ignore(enum app_err rc, const char *why)
{
    (void)rc;
    (void)why;
}

/* A short English description for logs (never shown to users; pages use
 * the message catalog through app_err_msgkey()). */
const char *app_strerror(enum app_err e);

/* The HTTP status an error maps to (200 for APP_OK). */
int app_err_status(enum app_err e);

/* The message-catalog key of the generic user-facing text for an error,
 * e.g. "error.404". */
const char *app_err_msgkey(enum app_err e);

/* The stable machine code used in JSON error bodies, e.g. "not_found". */
const char *app_err_code(enum app_err e);

#endif

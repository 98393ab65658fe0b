/*
 * router.h -- method + path pattern routing with typed parameters.
 *
 * Routes are one table (routes.c).  A pattern is a sequence of '/'
 * separated segments, each either literal text or a typed parameter:
 *   {name:int}   a positive decimal integer (1 .. 2^53), also in iparams
 *   {name:slug}  [a-z0-9_-], 1..64 bytes
 *   {name:str}   any non-empty segment, percent-decoded, valid UTF-8 without
 *                control characters, at most 256 bytes
 * Request paths are matched segment by segment on the raw REQUEST_URI path
 * (percent-decoding happens per segment, so %2F cannot smuggle a '/');
 * "." and ".." segments, empty inner segments and a trailing '/' (other
 * than the root) never match.
 *
 * Every route declares which roles may use it (roles 0 = public) and flags
 * saying whether it changes state (then it must be POST/PUT/PATCH/DELETE
 * and CSRF-checked for cookie sessions), which body it parses, whether it
 * needs the database and whether it is part of the JSON API.
 */
#ifndef PROOFLINE_ROUTER_H
#define PROOFLINE_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "http/http.h"
#include "base/str.h"

enum route_flag {
    RF_STATE = 1 << 0, /* changes state: CSRF + non-GET method required */
    RF_FORM = 1 << 1,  /* parse urlencoded or multipart body */
    RF_JSON = 1 << 2,  /* parse a JSON body */
    RF_DB = 1 << 3,    /* needs the database (503 when it is down) */
    RF_API = 1 << 4,   /* JSON API: errors as JSON, bearer tokens */
    RF_DEBUG = 1 << 5, /* only when debug_routes is on */
    RF_QUERY = 1 << 6, /* parse the query string */
    RF_NOLOG = 1 << 7, /* do not log successful requests (health) */
    RF_BARE = 1 << 8,  /* no session, no language, minimal work */
    RF_MFA = 1 << 9,   /* reachable while the second factor is due */
    RF_LONG = 1 << 10, /* may take long: long_request_timeout applies */
    RF_PWD = 1 << 11,  /* reachable while a temporary password is due */
    RF_TEXT = 1 << 12  /* also take a text/csv body, whole, as r->text */
};

typedef enum app_err (*route_handler)(struct req *r);

struct route {
    unsigned methods; /* HM_GET also allows HEAD */
    const char *pattern;
    route_handler handler;
    unsigned roles;
    unsigned flags;
    const char *name; /* stable name for logs, e.g. "customers.show" */
};

#define ROUTER_MAX_SEGMENTS 12

struct router;

/* Compile a route table (n rows).  The table must outlive the router.
 * Errors in a pattern (unknown type, bad braces, duplicate route) return
 * APP_EINVAL with a message in err. */
APP_MUST_USE enum app_err router_new(const struct route *table, size_t n,
                                     struct router **out, char *err,
                                     size_t errlen);

void router_free(struct router *rt);

/* Find the route for method + path.  On APP_OK *route is set and r's
 * params/iparams/nparams are filled (decoded into r->a).  APP_ENOTFOUND
 * when no pattern matches, APP_EMETHOD when a pattern matches but not for
 * this method, with *allowed set to the mask of methods that would. */
APP_MUST_USE enum app_err router_match(const struct router *rt, struct req *r,
                                       enum http_method method, struct str path,
                                       const struct route **route,
                                       unsigned *allowed);

/* The value of the named parameter of the matched route, or NULL. */
const struct str *router_param(const struct req *r, const char *name);

/* The integer value of the named {name:int} parameter, or 0. */
int64_t router_param_int(const struct req *r, const char *name);

/* The route table and its size (routes.c). */
extern const struct route app_routes[];
extern const size_t app_routes_count;

/* Method name <-> mask. */
enum http_method http_method_from(struct str name);
const char *http_method_name(enum http_method m);

#endif

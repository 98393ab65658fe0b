/*
 * chain.h -- a customer's decision chain (决策链): penetration and an SVG
 * picture rendered on the server.
 *
 * The decision chain is the customer's contacts grouped by decision role
 * (budget, acceptance, influencer, user, other; the tenant's rules say which
 * roles exist and which are required).  A contact *covers* its role when it
 * was met within the window (CHAIN_WINDOW_DAYS unless the tenant says
 * otherwise) AND a consensus point was recorded with it.  Penetration
 * (渗透率) is the share of required roles that are covered.
 *
 * Everything here is plain data in, facts out: no database, no catalog, no
 * Lua.  The caller fills the structs (role labels and legend texts already
 * in the user's language, from the message catalog) and owns every byte
 * they point to; nothing is kept after a call returns.
 */
#ifndef PROOFLINE_CHAIN_H
#define PROOFLINE_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

#define CHAIN_WINDOW_DAYS 30 /* default "met recently" window */
#define CHAIN_WINDOW_MAX 366 /* largest window a tenant may set */
#define CHAIN_MAX_ROLES 12   /* roles (columns) one chain may have */

/* One decision role, as configured by the tenant's rules. */
struct chain_role {
    struct str key;   /* "budget", "acceptance", ...: non-empty, unique */
    struct str label; /* display label in the user's language: "预算" */
    bool required;
};

/* One contact of the customer. */
struct chain_contact {
    int64_t id;      /* written as data-id on the contact's box */
    struct str name; /* 姓名 */
    struct str title;
    struct str dept;
    struct str role;    /* a chain_role key; no match: not drawn, not counted */
    int days_since_met; /* days since last met; any negative value: never */
    bool consensus;     /* a consensus point (共识) recorded in the window */
};

struct chain {
    struct str customer; /* the customer's name, drawn at the top */
    const struct chain_role *roles;
    size_t nroles; /* at most CHAIN_MAX_ROLES */
    const struct chain_contact *contacts;
    size_t ncontacts;
    int window_days; /* 0: CHAIN_WINDOW_DAYS; else 1..CHAIN_WINDOW_MAX */
};

struct chain_cover {
    size_t required;  /* required roles */
    size_t covered;   /* required roles with at least one covering contact */
    bool applicable;  /* false when no role is required */
    double ratio;     /* covered / required; 1.0 when not applicable */
    unsigned percent; /* ratio as 0..100, rounded to nearest, but never 100
                       * while a required role is uncovered and never 0
                       * while one is covered; 100 when not applicable */
};

/* True when contact k covers its role under c's window: met within the
 * window (0 <= days_since_met <= window) and consensus recorded. */
bool chain_contact_covers(const struct chain *c, const struct chain_contact *k);

/* Compute the penetration of c into *out.  When role_covered is not NULL
 * it receives, for each of c->roles in order, whether that role (required
 * or not) has a covering contact; n_role_covered is its length and must be
 * at least c->nroles.  Contacts whose role matches no key are ignored.
 *
 * APP_EINVAL: c or out NULL, roles/contacts NULL with a non-zero count, a
 * struct str with NULL bytes and non-zero length, an empty or duplicate
 * role key, window_days out of range, role_covered too short.
 * APP_ETOOBIG: more than CHAIN_MAX_ROLES roles.  On error *out and
 * role_covered are unspecified. */
APP_MUST_USE enum app_err chain_penetration(const struct chain *c,
                                            struct chain_cover *out,
                                            bool *role_covered,
                                            size_t n_role_covered);

/* For the picture (web/chain_svg.c): c's window in days; whether k was
 * met within it; the index of k's role in c->roles (SIZE_MAX: none); and
 * per role the number of contacts and whether one covers it, with the
 * cover (c checked as by chain_penetration). */
int chain_window(const struct chain *c);
bool chain_met(int window, const struct chain_contact *k);
size_t chain_role_of(const struct chain *c, const struct chain_contact *k);
APP_MUST_USE enum app_err chain_analyse(const struct chain *c, size_t *count,
                                        bool *covered,
                                        struct chain_cover *cover);

#endif

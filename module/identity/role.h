/*
 * role.h -- the roles of a user.  A user has exactly one; a route's
 * `roles` (routes.c) and a service's checks are masks of these.
 */
#ifndef PROOFLINE_ROLE_H
#define PROOFLINE_ROLE_H

#include <stdbool.h>

#include "base/str.h"

enum role {
    ROLE_ADMIN = 1 << 0,
    ROLE_MANAGER = 1 << 1,
    ROLE_REP = 1 << 2,
    ROLE_LEGAL = 1 << 3,
    ROLE_FINANCE = 1 << 4,
    ROLE_SUPERVISOR = 1 << 5,
    ROLE_STORE_MANAGER = 1 << 6,
    ROLE_MARKETING = 1 << 7
};
#define ROLES_PUBLIC 0u
#define ROLES_ANY 0xffu

#define ROLE_COUNT 8

/* The role names by bit (role_names[i] is 1 << i), NULL-terminated: the
 * choices of a role field. */
extern const char *const role_names[ROLE_COUNT + 1];

/* The role bit for a role name ("admin", "store_manager", ...), 0 when
 * unknown; the name of a role bit; the i-th role name (0..ROLE_COUNT-1). */
unsigned role_from_name(struct str name);
const char *role_name(unsigned role);
const char *role_name_at(unsigned i);

/* Roles that must use a second factor (admin, finance, legal). */
bool role_requires_mfa(unsigned role);

/* Roles that may manage a team (be someone's manager). */
bool role_can_manage(unsigned role);

#endif

/*
 * role.c -- role names and what each role implies (see role.h).
 */
#include "identity/role.h"

const char *const role_names[ROLE_COUNT + 1] = {
    "admin",      "manager",       "rep",       "legal", "finance",
    "supervisor", "store_manager", "marketing", NULL,
};

unsigned
role_from_name(struct str name)
{
    unsigned i;

    for (i = 0; i < ROLE_COUNT; i++) {
        if (str_eq_c(name, role_names[i]))
            return 1u << i;
    }
    return 0;
}

const char *
role_name(unsigned role)
{
    unsigned i;

    for (i = 0; i < ROLE_COUNT; i++) {
        if (role == 1u << i)
            return role_names[i];
    }
    return "";
}

const char *
role_name_at(unsigned i)
{
    return i < ROLE_COUNT ? role_names[i] : NULL;
}

bool
role_requires_mfa(unsigned role)
{
    return (role & (ROLE_ADMIN | ROLE_FINANCE | ROLE_LEGAL)) != 0;
}

bool
role_can_manage(unsigned role)
{
    return (role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_SUPERVISOR)) != 0;
}

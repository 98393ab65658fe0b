/*
 * routes.c -- the route table: every URL the application answers, in one
 * place, with the role it needs and what it parses.
 *
 * Order matters only among patterns of the same shape (the first match
 * wins); literal routes are listed before parameterised ones.
 */
#include "handlers.h"
#include "router.h"

#define PUB ROLES_PUBLIC

const struct route app_routes[] = {
    /* pages */
    { HM_GET, "/", pages_home, PUB, RF_DB, "pages.home" },
    { HM_GET, "/login", pages_login_form, PUB, RF_DB | RF_QUERY,
      "pages.login_form" },
    { HM_POST, "/lang", pages_set_lang, PUB, RF_STATE | RF_FORM,
      "pages.set_lang" },

    /* health */
    { HM_GET, "/healthz", health_live, PUB, RF_NOLOG | RF_BARE, "health.live" },
    { HM_GET, "/readyz", health_ready, PUB, RF_NOLOG | RF_DB, "health.ready" },

    /* test-suite routes (debug_routes = 1 only) */
    { HM_GET, "/_debug/sleep", debug_sleep, PUB, RF_DEBUG | RF_QUERY,
      "debug.sleep" },
    { HM_GET, "/_debug/crash", debug_crash, PUB, RF_DEBUG, "debug.crash" },
    { HM_POST, "/_debug/echo", debug_echo, PUB, RF_DEBUG | RF_FORM | RF_JSON,
      "debug.echo" },
    { HM_GET, "/_debug/error/{code:int}", debug_error, PUB, RF_DEBUG,
      "debug.error" },
};

const size_t app_routes_count = sizeof(app_routes) / sizeof(app_routes[0]);

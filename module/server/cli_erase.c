/*
 * cli_erase.c -- `proofline tenant erase --tenant SLUG --confirm SLUG`:
 * the operator confirms the erasure of a whole company (sales/privacy.h).
 *
 * The two-person rule stays: an admin of the company asks at
 * /admin/privacy, and the operator (here) or a second admin confirms.
 * The command never starts an erasure by itself: with no pending request
 * it refuses and says who must ask.  --confirm repeats the company code,
 * so that a slip in shell history cannot erase another company.  The
 * service writes privacy.tenant_erased to the log (this command's
 * stderr) and the request row keeps "cli" as the confirming login.
 */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "db/ctx.h"
#include "db/db.h"
#include "identity/role.h"
#include "identity/tenants.h"
#include "sales/privacy.h"
#include "server/cli.h"

static const char USAGE[] =
    "usage: proofline tenant erase --tenant SLUG --confirm SLUG\n";

/* What each refusal of the service means to the operator. */
static void
explain(const char *slug, enum app_err e)
{
    if (e == APP_ENOTFOUND)
        fprintf(stderr,
                "proofline: no erasure of '%s' is pending: an admin of the "
                "company must ask for it at /admin/privacy first (the "
                "operator only confirms); nothing was erased\n",
                slug);
    else if (e == APP_ETIMEOUT)
        fprintf(stderr,
                "proofline: the erasure request of '%s' is older than %d "
                "hours and was cancelled: an admin must ask again; nothing "
                "was erased\n",
                slug, PRIVACY_ERASE_HOURS);
    else
        fprintf(stderr, "proofline: erasure of '%s' failed: %s\n", slug,
                app_strerror(e));
}

/* Confirm the pending request of tenant (found by slug) and report. */
static int
erase(struct conf *c, struct arena *a, struct db *db, const char *slug)
{
    struct ctx cx;
    struct privacy_erase_req p;
    int64_t tenant = 0;
    size_t files = 0;
    enum app_err e;

    if (tenants_find(db, a, str_c(slug), &tenant) != APP_OK || tenant == 0) {
        fprintf(stderr, "proofline: no tenant '%s'\n", slug);
        return 1;
    }
    ctx_init(&cx, a, db, c, NULL, tenant, 0, ROLE_ADMIN);
    cx.ip = "cli";
    /* Who asked, for the report (the confirmation reads it again under a
     * lock). */
    e = privacy_tenant_erase_pending(&cx, &p);
    if (e == APP_OK)
        e = privacy_tenant_erase_confirm(&cx, NULL, true, &files);
    if (e != APP_OK) {
        explain(slug, e);
        return 1;
    }
    printf("erased tenant '%s' (id %lld): request of %s confirmed by the "
           "operator; %zu stored file%s removed\n",
           slug, (long long)tenant,
           p.requested_login != NULL ? p.requested_login : "an admin", files,
           files == 1 ? "" : "s");
    return 0;
}

int
cmd_tenant_erase(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL },
                              { "confirm", true, NULL } };
    const char *pos[1];
    const char *slug, *typed;
    int npos, rc = 1;
    struct arena *a = NULL;
    struct db *db = NULL;

    if (cli_parse("tenant erase", argc, argv, 2, opts, 2, pos, 1, &npos) != 0 ||
        npos != 0 || cli_get(opts, 2, "tenant") == NULL ||
        cli_get(opts, 2, "confirm") == NULL) {
        fputs(USAGE, stderr);
        return 2;
    }
    slug = cli_get(opts, 2, "tenant");
    typed = cli_get(opts, 2, "confirm");
    if (strcmp(slug, typed) != 0) {
        fprintf(stderr,
                "proofline: --confirm must repeat the company code '%s' "
                "exactly; nothing was erased\n",
                slug);
        return 2;
    }
    a = arena_new(256 * 1024, 64u << 20);
    db = a != NULL ? cli_db_open(c, "tenant erase") : NULL;
    if (db != NULL)
        rc = erase(c, a, db, slug);
    db_free(db);
    arena_free(a);
    return rc;
}

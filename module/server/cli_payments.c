/*
 * cli_payments.c -- `proofline payments import`: a CSV file of payments
 * imported as a user of a company, through the same service as the page
 * and the API (sales/payments.h), with the same report.
 */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "base/arena.h"
#include "base/fileio.h"
#include "db/ctx.h"
#include "db/db.h"
#include "identity/tenants.h"
#include "identity/users.h"
#include "sales/payments.h"
#include "server/cli.h"

#define FILE_MAX (8u * 1024u * 1024u)

/* The user acting: tenant by slug, user by login. */
static int
acting(struct db *db, struct arena *a, const char *slug, const char *login,
       struct user *u)
{
    int64_t tenant = 0, id = 0;

    if (tenants_find(db, a, str_c(slug), &tenant) != APP_OK || tenant == 0) {
        fprintf(stderr, "proofline: no tenant '%s'\n", slug);
        return -1;
    }
    if (users_id_by_login(db, a, tenant, str_c(login), &id) != APP_OK ||
        users_get(db, a, tenant, id, u) != APP_OK || !u->active) {
        fprintf(stderr, "proofline: no active user '%s'\n", login);
        return -1;
    }
    return 0;
}

static int
payments_import_cmd(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL },
                              { "user", true, NULL },
                              { "keep-good", false, NULL } };
    const char *pos[1];
    int npos, rc = 1;
    struct arena *a = NULL;
    struct db *db = NULL;
    struct user u;
    struct ctx cx;
    cJSON *report = NULL;
    char *text = NULL;
    size_t len = 0, saved = 0, bad = 0;
    bool keep;
    enum app_err e;

    if (cli_parse("payments import", argc, argv, 2, opts, 3, pos, 1, &npos) !=
            0 ||
        npos != 1 || cli_get(opts, 3, "tenant") == NULL ||
        cli_get(opts, 3, "user") == NULL) {
        fprintf(stderr, "usage: proofline payments import --tenant T --user "
                        "LOGIN [--keep-good] FILE\n");
        return 2;
    }
    keep = cli_get(opts, 3, "keep-good") != NULL;
    a = arena_new(1024 * 1024, 512u << 20);
    if (a == NULL || file_read(pos[0], FILE_MAX, a, &text, &len) != APP_OK) {
        fprintf(stderr, "proofline: cannot read '%s' (at most %u bytes)\n",
                pos[0], FILE_MAX);
        goto out;
    }
    db = cli_db_open(c, "payments");
    if (db == NULL || acting(db, a, cli_get(opts, 3, "tenant"),
                             cli_get(opts, 3, "user"), &u) != 0)
        goto out;
    ctx_init(&cx, a, db, c, NULL, u.tenant_id, u.id, u.role);
    report = cJSON_CreateArray();
    if (report == NULL)
        goto out;
    e = payments_import(&cx, (struct str){ text, len }, keep, report, &saved,
                        &bad);
    cli_print_problems(c, report, "message", false);
    if (e == APP_OK || e == APP_EVALIDATION)
        printf("saved %zu, refused %zu%s\n", saved, bad,
               e == APP_OK ? "" : ": nothing was imported");
    else
        fprintf(stderr, "proofline: import failed: %s%s%s\n", app_strerror(e),
                cx.err_detail != NULL ? " " : "",
                cx.err_detail != NULL ? cx.err_detail : "");
    rc = e == APP_OK && bad == 0 && cJSON_GetArraySize(report) == 0 ? 0 : 1;
out:
    cJSON_Delete(report);
    db_free(db);
    arena_free(a);
    return rc;
}

int
cmd_payments(struct conf *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "import") == 0)
        return payments_import_cmd(c, argc, argv);
    fprintf(stderr, "usage: proofline payments import ...\n");
    return 2;
}

/*
 * cli_privacy.c -- `proofline tenant export --tenant SLUG FILE`: the
 * data-protection export of one company (sales/privacy.h) for the
 * operator, audited like the admin's download.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "db/ctx.h"
#include "db/db.h"
#include "identity/role.h"
#include "identity/tenants.h"
#include "sales/privacy.h"
#include "server/cli.h"

int
cmd_tenant_export(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL } };
    const char *pos[1];
    int npos, rc = 1;
    struct arena *a = NULL;
    struct db *db = NULL;
    struct ctx cx;
    int64_t tenant = 0;
    uint64_t rows = 0;
    FILE *out = NULL;
    enum app_err e;

    if (cli_parse("tenant export", argc, argv, 2, opts, 1, pos, 1, &npos) !=
            0 ||
        npos != 1 || cli_get(opts, 1, "tenant") == NULL) {
        fprintf(stderr, "usage: proofline tenant export --tenant SLUG FILE\n");
        return 2;
    }
    a = arena_new(256 * 1024, 64u << 20);
    db = a != NULL ? cli_db_open(c, "tenant export") : NULL;
    if (db == NULL)
        goto out;
    if (tenants_find(db, a, str_c(cli_get(opts, 1, "tenant")), &tenant) !=
            APP_OK ||
        tenant == 0) {
        fprintf(stderr, "proofline: no tenant '%s'\n",
                cli_get(opts, 1, "tenant"));
        goto out;
    }
    out = fopen(pos[0], "wbx");
    if (out == NULL) {
        fprintf(stderr, "proofline: cannot create %s (it must not exist)\n",
                pos[0]);
        goto out;
    }
    ctx_init(&cx, a, db, c, NULL, tenant, 0, ROLE_ADMIN);
    cx.ip = "cli";
    e = privacy_export_tenant(&cx, out, &rows);
    if (fclose(out) != 0 && e == APP_OK)
        e = APP_EIO;
    out = NULL;
    if (e != APP_OK) {
        fprintf(stderr, "proofline: export failed: %s\n", app_strerror(e));
        unlink(pos[0]);
        goto out;
    }
    printf("exported %llu rows to %s\n", (unsigned long long)rows, pos[0]);
    rc = 0;
out:
    if (out != NULL)
        fclose(out);
    db_free(db);
    arena_free(a);
    return rc;
}

/*
 * cli_pos.c -- `proofline pos import FILE`: a file of POS sales lines
 * imported into a company as the system, through the same service as the
 * page, the API and the incoming directory (sales/pos_import.h).
 */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "base/arena.h"
#include "db/ctx.h"
#include "db/db.h"
#include "identity/role.h"
#include "identity/tenants.h"
#include "base/num.h"
#include "sales/pos_import.h"
#include "sales/pos_rollup.h"
#include "server/cli.h"

static int
pos_import_cmd(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL },
                              { "keep", false, NULL } };
    const char *pos[1], *name;
    int npos, rc = 1;
    struct arena *a = NULL;
    struct db *db = NULL;
    struct ctx cx;
    struct pos_import_result res;
    int64_t tenant = 0;
    enum app_err e;

    if (cli_parse("pos import", argc, argv, 2, opts, 2, pos, 1, &npos) != 0 ||
        npos != 1 || cli_get(opts, 2, "tenant") == NULL) {
        fprintf(stderr,
                "usage: proofline pos import --tenant SLUG [--keep] FILE\n");
        return 2;
    }
    a = arena_new(256 * 1024, 64u << 20);
    db = a != NULL ? cli_db_open(c, "pos") : NULL;
    if (db == NULL)
        goto out;
    if (tenants_find(db, a, str_c(cli_get(opts, 2, "tenant")), &tenant) !=
            APP_OK ||
        tenant == 0) {
        fprintf(stderr, "proofline: no tenant '%s'\n",
                cli_get(opts, 2, "tenant"));
        goto out;
    }
    ctx_init(&cx, a, db, c, NULL, tenant, 0, ROLE_ADMIN);
    cx.ip = "cli";
    name = strrchr(pos[0], '/') != NULL ? strrchr(pos[0], '/') + 1 : pos[0];
    e = pos_import_run(&cx, 0, "cli", pos[0], name,
                       cli_get(opts, 2, "keep") != NULL, &res);
    cli_print_problems(c, res.problems, "problem", true);
    if (res.import_id > 0)
        printf("import %lld: %s, %s; lines %zu, added %zu, already stored "
               "%zu, bad %zu%s%s%s\n",
               (long long)res.import_id, res.status,
               res.encoding != NULL && res.encoding[0] != '\0' ? res.encoding
                                                               : "-",
               res.lines_total, res.lines_added, res.lines_dup, res.lines_bad,
               res.day_from != NULL ? ", days " : "",
               res.day_from != NULL ? res.day_from : "",
               res.day_to != NULL && strcmp(res.day_to, res.day_from) != 0
                   ? arena_printf(a, " to %s", res.day_to)
                   : "");
    if (e != APP_OK && e != APP_EVALIDATION)
        fprintf(stderr, "proofline: import failed: %s%s%s\n", app_strerror(e),
                cx.err_detail != NULL ? " " : "",
                cx.err_detail != NULL ? cx.err_detail : "");
    rc = e == APP_OK ? 0 : 1;
    cJSON_Delete(res.problems);
out:
    db_free(db);
    arena_free(a);
    return rc;
}

/* `pos rollup --tenant SLUG --product ID`: rebuild a product's campaign
 * rollups from its stored lines (what a new campaign does). */
static int
pos_rollup_cmd(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL },
                              { "product", true, NULL } };
    const char *pos[1];
    int npos, rc = 1;
    struct arena *a = NULL;
    struct db *db = NULL;
    struct ctx cx;
    int64_t tenant = 0, product = 0;
    enum app_err e;

    if (cli_parse("pos rollup", argc, argv, 2, opts, 2, pos, 0, &npos) != 0 ||
        cli_get(opts, 2, "tenant") == NULL ||
        cli_get(opts, 2, "product") == NULL ||
        !parse_i64(str_c(cli_get(opts, 2, "product")), 1, INT64_MAX,
                   &product)) {
        fprintf(stderr, "usage: proofline pos rollup --tenant SLUG --product "
                        "ID\n");
        return 2;
    }
    a = arena_new(256 * 1024, 64u << 20);
    db = a != NULL ? cli_db_open(c, "pos") : NULL;
    if (db == NULL)
        goto out;
    if (tenants_find(db, a, str_c(cli_get(opts, 2, "tenant")), &tenant) !=
            APP_OK ||
        tenant == 0) {
        fprintf(stderr, "proofline: no tenant '%s'\n",
                cli_get(opts, 2, "tenant"));
        goto out;
    }
    ctx_init(&cx, a, db, c, NULL, tenant, 0, ROLE_ADMIN);
    e = pos_rollup_product(&cx, product);
    if (e != APP_OK)
        fprintf(stderr, "proofline: rollup failed: %s\n", app_strerror(e));
    else
        printf("rolled up product %lld\n", (long long)product);
    rc = e == APP_OK ? 0 : 1;
out:
    db_free(db);
    arena_free(a);
    return rc;
}

int
cmd_pos(struct conf *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "import") == 0)
        return pos_import_cmd(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "rollup") == 0)
        return pos_rollup_cmd(c, argc, argv);
    fprintf(stderr, "usage: proofline pos import|rollup ...\n");
    return 2;
}

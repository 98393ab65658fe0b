/*
 * cli_admin.c -- operator commands: tenants, users, API tokens, and the
 * route table as JSON (for tooling and the isolation tests).
 *
 * Every change is written in one transaction with its audit row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cJSON.h>
#include <sodium.h>

#include "base/arena.h"
#include "db/audit.h"
#include "web/auth.h"
#include "server/cli.h"
#include "db/db.h"
#include "base/num.h"
#include "identity/password.h"
#include "identity/pwpolicy.h"
#include "http/router.h"
#include "rules/rulesets.h"
#include "identity/tenants.h"
#include "identity/tokens.h"
#include "identity/user_admin.h"
#include "identity/user_input.h"
#include "identity/users.h"
#include "identity/role.h"
#include "base/i18n.h"
#include "db/ctx.h"
#include "base/conf.h"
#include "base/validate.h"

static const char SQL_TENANT_LIST[] =
    "SELECT t.slug, t.name, t.time_zone, t.locale, "
    "(SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id) "
    "FROM tenants t ORDER BY t.slug";
static const char SQL_USERS_OF[] =
    "SELECT u.id, u.login, u.display_name, u.role, COALESCE(m.login, ''), "
    "u.active, u.mfa_enabled FROM users u LEFT JOIN users m "
    "ON m.id = u.manager_id AND m.tenant_id = u.tenant_id "
    "WHERE u.tenant_id = ? ORDER BY u.login";

struct cli_db {
    struct db *db;
    struct arena *a;
};

static int
open_db(struct conf *c, struct cli_db *x)
{
    x->a = arena_new(64 * 1024, 256u << 20);
    if (x->a == NULL)
        return -1;
    x->db = cli_db_open(c, NULL);
    return x->db != NULL ? 0 : -1;
}

static void
close_db(struct cli_db *x)
{
    db_free(x->db);
    arena_free(x->a);
}

static int
tenant_of(struct cli_db *x, const char *slug, int64_t *id)
{
    if (slug == NULL) {
        fprintf(stderr, "proofline: --tenant is required\n");
        return -1;
    }
    if (tenants_find(x->db, x->a, str_c(slug), id) != APP_OK)
        return -1;
    if (*id == 0) {
        fprintf(stderr, "proofline: no tenant '%s'\n", slug);
        return -1;
    }
    return 0;
}

/* Read a line from stdin or, on a terminal, twice without echo. */
static int
read_password(bool from_stdin, char *out, size_t cap)
{
    char again[1100];
    struct termios old, quiet;
    FILE *tty;
    size_t n;

    if (from_stdin) {
        if (fgets(out, (int)cap, stdin) == NULL)
            return -1;
        out[strcspn(out, "\r\n")] = '\0';
        return 0;
    }
    tty = fopen("/dev/tty", "r+");
    if (tty == NULL)
        return 1; /* no terminal: generate one */
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    fputs("Password (empty: generate one): ", tty);
    fflush(tty);
    if (fgets(out, (int)cap, tty) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    n = strlen(out);
    if (n > 0) {
        fputs("\nAgain: ", tty);
        fflush(tty);
        if (fgets(again, sizeof(again), tty) == NULL)
            again[0] = '\0';
        again[strcspn(again, "\r\n")] = '\0';
    }
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    if (n == 0)
        return 1;
    if (strcmp(out, again) != 0) {
        fprintf(stderr, "proofline: the passwords differ\n");
        return -1;
    }
    return 0;
}

static int
tenant_create(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tz", true, NULL }, { "locale", true, NULL } };
    const char *pos[2], *problem = NULL;
    int npos, rc = 1;
    struct cli_db x = { 0 };
    struct tenant_new t;
    int64_t id = 0;

    if (cli_parse("tenant create", argc, argv, 2, opts, 2, pos, 2, &npos) !=
            0 ||
        npos != 2) {
        fprintf(stderr, "usage: proofline tenant create SLUG NAME "
                        "[--tz ZONE] [--locale zh-CN|en]\n");
        return 2;
    }
    t.slug = str_c(pos[0]);
    t.name = str_c(pos[1]);
    t.tz = cli_get(opts, 2, "tz");
    t.locale = cli_get(opts, 2, "locale");
    if (!tenants_valid(&t, &problem)) {
        fprintf(stderr, "proofline: %s\n", problem);
        return 2;
    }
    if (open_db(c, &x) != 0)
        goto out;
    if (db_begin(x.db) != APP_OK)
        goto out;
    if (tenants_create(x.db, &t, &id, &problem) != APP_OK ||
        db_commit(x.db) != APP_OK) {
        fprintf(stderr, "proofline: tenant '%s' %s\n", pos[0],
                problem != NULL ? problem : "cannot be made");
        goto out;
    }
    /* A new company starts from the default rules (lua/default). */
    {
        char err[512];

        if (rulesets_bootstrap(x.db, x.a, id, c->lua_dir, err, sizeof(err)) !=
            APP_OK)
            fprintf(stderr,
                    "proofline: tenant created, but its default "
                    "rules were not: %s\n",
                    err);
    }
    printf("tenant '%s' created (id %lld)\n", pos[0], (long long)id);
    rc = 0;
out:
    close_db(&x);
    return rc;
}

static int
tenant_list(struct conf *c)
{
    struct cli_db x = { 0 };
    struct db_res res;
    size_t i;
    int rc = 1;

    if (open_db(c, &x) == 0 && db_query(x.db, x.a, SQL_TENANT_LIST, DB_NOARGS,
                                        100000, &res) == APP_OK) {
        for (i = 0; i < res.nrows; i++)
            printf("%-20s %-30s %-16s %-6s %s users\n", db_text(&res, i, 0),
                   db_text(&res, i, 1), db_text(&res, i, 2),
                   db_text(&res, i, 3), db_text(&res, i, 4));
        rc = 0;
    }
    close_db(&x);
    return rc;
}

int
cmd_tenant(struct conf *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        return tenant_create(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return tenant_list(c);
    if (argc >= 2 && strcmp(argv[1], "export") == 0)
        return cmd_tenant_export(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "erase") == 0)
        return cmd_tenant_erase(c, argc, argv);
    fprintf(stderr, "usage: proofline tenant create|list|export|erase ...\n");
    return 2;
}

/* Say each field problem of errors on stderr, in English. */
static void
print_problems(const struct conf *c, const cJSON *errors)
{
    struct i18n *cat = NULL;
    char dir[CONF_STR_MAX + 8], err[256];
    const cJSON *e;

    snprintf(dir, sizeof(dir), "%s/i18n", c->templates_dir);
    app_ignore(i18n_load(dir, &cat, err, sizeof(err)),
               "without the catalogs the keys themselves are printed");
    cJSON_ArrayForEach(e, errors)
    {
        const char *key = cJSON_IsString(e) ? e->valuestring : "?";
        const char *text = cat != NULL ? i18n_text(cat, "en", key) : NULL;

        fprintf(stderr, "proofline: %s: %s\n", e->string,
                text != NULL ? text : key);
    }
    i18n_free(cat);
}

static int
cmd_user_add(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = {
        { "tenant", true, NULL },
        { "login", true, NULL },
        { "role", true, NULL },
        { "manager", true, NULL },
        { "name", true, NULL },
        { "region", true, NULL },
        { "password-stdin", false, NULL },
        { "temporary", false, NULL },
    };
    static const char *const fields[] = { "login", "name", "role", "region" };
    const int no = (int)(sizeof(opts) / sizeof(opts[0]));
    const char *pos[1], *login, *role;
    int npos, rc = 1;
    struct cli_db x = { 0 };
    struct kvlist kv = { 0 };
    struct ctx cx;
    int64_t tenant = 0, manager = 0, id = 0;
    char pw[1100], generated[USER_TEMP_PASSWORD];
    cJSON *errors = NULL;
    size_t i;

    pw[0] = '\0';
    if (cli_parse("user add", argc, argv, 2, opts, no, pos, 0, &npos) != 0)
        return 2;
    login = cli_get(opts, no, "login");
    role = cli_get(opts, no, "role");
    if (login == NULL || role == NULL || role_from_name(str_c(role)) == 0) {
        fprintf(stderr, "usage: proofline user add --tenant T --login L "
                        "--role ROLE [--manager LOGIN] [--name N] "
                        "[--region R] [--password-stdin] [--temporary]\n"
                        "roles: admin manager rep legal finance supervisor "
                        "store_manager marketing\n");
        return 2;
    }
    if (open_db(c, &x) != 0 ||
        tenant_of(&x, cli_get(opts, no, "tenant"), &tenant) != 0)
        goto out;
    if (cli_get(opts, no, "manager") != NULL &&
        users_id_by_login(x.db, x.a, tenant,
                          str_c(cli_get(opts, no, "manager")),
                          &manager) != APP_OK) {
        fprintf(stderr, "proofline: no manager '%s'\n",
                cli_get(opts, no, "manager"));
        goto out;
    }
    if (read_password(cli_get(opts, no, "password-stdin") != NULL, pw,
                      sizeof(pw)) < 0)
        goto out;
    /* The same fields as the admin page, through the same check. */
    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *v = cli_get(opts, no, fields[i]);

        if (v != NULL && kv_add(x.a, &kv, str_c(fields[i]), str_c(v)) != APP_OK)
            goto out;
    }
    if ((manager > 0 &&
         kv_add(x.a, &kv, STR_LIT("manager"),
                str_c(arena_printf(x.a, "%lld", (long long)manager))) !=
             APP_OK) ||
        kv_add(x.a, &kv, STR_LIT("password"), str_c(pw)) != APP_OK)
        goto out;
    errors = cJSON_CreateObject();
    if (errors == NULL)
        goto out;
    ctx_init(&cx, x.a, x.db, c, NULL, tenant, 0, ROLE_ADMIN);
    /* The operator's own choice of password is kept; a generated one, or
     * one given with --temporary, is changed at the first sign-in. */
    switch (user_add(&cx, &kv, cli_get(opts, no, "temporary") != NULL, errors,
                     generated, &id)) {
    case APP_OK:
        break;
    case APP_EVALIDATION:
        print_problems(c, errors);
        goto out;
    default:
        fprintf(stderr, "proofline: %s\n", db_error(x.db));
        goto out;
    }
    printf("user '%s' created (id %lld)\n", login, (long long)id);
    if (generated[0] != '\0')
        printf("password: %s\n", generated);
    rc = 0;
out:
    cJSON_Delete(errors);
    sodium_memzero(pw, sizeof(pw));
    close_db(&x);
    return rc;
}

static int
user_passwd(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL },
                              { "login", true, NULL },
                              { "password-stdin", false, NULL },
                              { "temporary", false, NULL } };
    const char *pos[1], *login;
    int npos, rc = 1;
    struct cli_db x = { 0 };
    int64_t tenant = 0, id = 0;
    char pw[1100], generated[USER_TEMP_PASSWORD];
    cJSON *errors = NULL;
    struct ctx cx;

    pw[0] = '\0';
    if (cli_parse("user passwd", argc, argv, 2, opts, 4, pos, 0, &npos) != 0)
        return 2;
    login = cli_get(opts, 4, "login");
    if (login == NULL) {
        fprintf(stderr, "usage: proofline user passwd --tenant T --login L "
                        "[--password-stdin] [--temporary]\n");
        return 2;
    }
    if (open_db(c, &x) != 0 ||
        tenant_of(&x, cli_get(opts, 4, "tenant"), &tenant) != 0)
        goto out;
    if (users_id_by_login(x.db, x.a, tenant, str_c(login), &id) != APP_OK) {
        fprintf(stderr, "proofline: no user '%s'\n", login);
        goto out;
    }
    if (read_password(cli_get(opts, 4, "password-stdin") != NULL, pw,
                      sizeof(pw)) < 0)
        goto out;
    errors = cJSON_CreateObject();
    if (errors == NULL)
        goto out;
    /* The same change as the admin page's reset, with the password given
     * or generated. */
    ctx_init(&cx, x.a, x.db, c, NULL, tenant, 0, ROLE_ADMIN);
    switch (user_set_password(&cx, id, str_c(pw), NULL, "password.reset",
                              cli_get(opts, 4, "temporary") != NULL, errors,
                              generated)) {
    case APP_OK:
        break;
    case APP_EVALIDATION:
        print_problems(c, errors);
        goto out;
    default:
        goto out;
    }
    printf("password of '%s' changed; their sessions ended\n", login);
    if (generated[0] != '\0')
        printf("password: %s\n", generated);
    rc = 0;
out:
    cJSON_Delete(errors);
    sodium_memzero(pw, sizeof(pw));
    close_db(&x);
    return rc;
}

static int
user_list(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL } };
    const char *pos[1];
    int npos, rc = 1;
    struct cli_db x = { 0 };
    int64_t tenant = 0;
    struct db_res res;
    size_t i;

    if (cli_parse("user list", argc, argv, 2, opts, 1, pos, 0, &npos) != 0)
        return 2;
    if (open_db(c, &x) == 0 &&
        tenant_of(&x, cli_get(opts, 1, "tenant"), &tenant) == 0 &&
        db_query(x.db, x.a, SQL_USERS_OF, DB_ARGS(DB_I64(tenant)), 1000000,
                 &res) == APP_OK) {
        for (i = 0; i < res.nrows; i++)
            printf("%6s  %-20s %-14s manager=%-16s %s%s  %s\n",
                   db_text(&res, i, 0), db_text(&res, i, 1),
                   db_text(&res, i, 3), db_text(&res, i, 4),
                   db_int(&res, i, 5, 0) ? "active" : "inactive",
                   db_int(&res, i, 6, 0) ? " mfa" : "", db_text(&res, i, 2));
        rc = 0;
    }
    close_db(&x);
    return rc;
}

int
cmd_user(struct conf *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return cmd_user_add(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "passwd") == 0)
        return user_passwd(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return user_list(c, argc, argv);
    fprintf(stderr, "usage: proofline user add|passwd|list ...\n");
    return 2;
}

static int
token_create(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL },
                              { "user", true, NULL },
                              { "name", true, NULL },
                              { "expires", true, NULL } };
    const char *pos[1], *user;
    int npos, rc = 1;
    struct cli_db x = { 0 };
    int64_t tenant = 0, uid = 0, days = 0, tid = 0;
    char secret[TOKEN_SECRET_MAX];
    const char *name;
    struct kvlist kv = { 0 };
    struct ctx cx;
    cJSON *errors = NULL;

    if (cli_parse("token create", argc, argv, 2, opts, 4, pos, 0, &npos) != 0)
        return 2;
    user = cli_get(opts, 4, "user");
    name = cli_get(opts, 4, "name") != NULL ? cli_get(opts, 4, "name") : "cli";
    if (user == NULL ||
        (cli_get(opts, 4, "expires") != NULL &&
         !parse_i64(str_c(cli_get(opts, 4, "expires")), 1, 3650, &days)) ||
        strlen(name) > 100 || !utf8_valid(name, strlen(name))) {
        fprintf(stderr, "usage: proofline token create --tenant T --user "
                        "LOGIN [--name N] [--expires DAYS (1-3650)]\n");
        return 2;
    }
    if (open_db(c, &x) != 0 ||
        tenant_of(&x, cli_get(opts, 4, "tenant"), &tenant) != 0)
        goto out;
    if (users_id_by_login(x.db, x.a, tenant, str_c(user), &uid) != APP_OK) {
        fprintf(stderr, "proofline: no user '%s'\n", user);
        goto out;
    }
    errors = cJSON_CreateObject();
    ctx_init(&cx, x.a, x.db, c, NULL, tenant, 0, ROLE_ADMIN);
    if (errors == NULL ||
        kv_add(x.a, &kv, STR_LIT("name"), str_c(name)) != APP_OK ||
        kv_add(x.a, &kv, STR_LIT("days"),
               str_c(arena_printf(x.a, "%lld", (long long)days))) != APP_OK)
        goto out;
    switch (tokens_create(&cx, uid, &kv, errors, secret, &tid)) {
    case APP_OK:
        break;
    case APP_EVALIDATION:
        print_problems(c, errors);
        goto out;
    default:
        goto out;
    }
    /* The secret is shown this once; only its hash is stored. */
    printf("%s\n", secret);
    fprintf(stderr, "token %lld for '%s' created%s; it is shown once\n",
            (long long)tid, user, days > 0 ? " with an expiry" : "");
    rc = 0;
out:
    cJSON_Delete(errors);
    sodium_memzero(secret, sizeof(secret));
    close_db(&x);
    return rc;
}

static int
token_revoke(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL }, { "id", true, NULL } };
    const char *pos[1];
    int npos, rc = 1;
    struct cli_db x = { 0 };
    int64_t tenant = 0, id = 0;
    struct ctx cx;

    if (cli_parse("token revoke", argc, argv, 2, opts, 2, pos, 0, &npos) != 0 ||
        cli_get(opts, 2, "id") == NULL ||
        !parse_i64(str_c(cli_get(opts, 2, "id")), 1, INT64_MAX, &id)) {
        fprintf(stderr, "usage: proofline token revoke --tenant T --id N\n");
        return 2;
    }
    if (open_db(c, &x) != 0 ||
        tenant_of(&x, cli_get(opts, 2, "tenant"), &tenant) != 0)
        goto out;
    ctx_init(&cx, x.a, x.db, c, NULL, tenant, 0, ROLE_ADMIN);
    switch (tokens_revoke(&cx, 0, id)) {
    case APP_OK:
        break;
    case APP_ENOTFOUND:
        fprintf(stderr, "proofline: no active token %lld\n", (long long)id);
        goto out;
    default:
        goto out;
    }
    printf("token %lld revoked\n", (long long)id);
    rc = 0;
out:
    close_db(&x);
    return rc;
}

static int
token_list(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "tenant", true, NULL } };
    const char *pos[1];
    int npos, rc = 1;
    struct cli_db x = { 0 };
    int64_t tenant = 0;
    cJSON *list = cJSON_CreateArray(), *o;

    if (cli_parse("token list", argc, argv, 2, opts, 1, pos, 0, &npos) != 0) {
        cJSON_Delete(list);
        return 2;
    }
    if (open_db(c, &x) == 0 &&
        tenant_of(&x, cli_get(opts, 1, "tenant"), &tenant) == 0 &&
        tokens_list(x.db, x.a, tenant, 0, list) == APP_OK) {
        cJSON_ArrayForEach(o, list)
        {
            printf("%6.0f  %-16s plt_%s...  %-20s last used %s%s\n",
                   cJSON_GetObjectItem(o, "id")->valuedouble,
                   cJSON_GetObjectItem(o, "login")->valuestring,
                   cJSON_GetObjectItem(o, "prefix")->valuestring,
                   cJSON_GetObjectItem(o, "name")->valuestring,
                   cJSON_GetObjectItem(o, "last_used_at")->valuestring[0]
                       ? cJSON_GetObjectItem(o, "last_used_at")->valuestring
                       : "never",
                   cJSON_IsTrue(cJSON_GetObjectItem(o, "active"))
                       ? ""
                       : "  (revoked or expired)");
        }
        rc = 0;
    }
    cJSON_Delete(list);
    close_db(&x);
    return rc;
}

int
cmd_token(struct conf *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        return token_create(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
        return token_revoke(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return token_list(c, argc, argv);
    fprintf(stderr, "usage: proofline token create|revoke|list ...\n");
    return 2;
}

int
cmd_routes(struct conf *c, int argc, char **argv)
{
    cJSON *list = cJSON_CreateArray();
    char *text;
    size_t i;

    (void)c;
    (void)argc;
    (void)argv;
    for (i = 0; i < app_routes_count; i++) {
        const struct route *rt = &app_routes[i];
        cJSON *o = cJSON_CreateObject(), *methods, *roles;
        unsigned m, k;

        cJSON_AddItemToArray(list, o);
        cJSON_AddStringToObject(o, "name", rt->name);
        cJSON_AddStringToObject(o, "pattern", rt->pattern);
        methods = cJSON_AddArrayToObject(o, "methods");
        for (m = HM_GET; m <= HM_OPTIONS; m <<= 1) {
            if (rt->methods & m)
                cJSON_AddItemToArray(
                    methods,
                    cJSON_CreateString(http_method_name((enum http_method)m)));
        }
        roles = cJSON_AddArrayToObject(o, "roles");
        for (k = 0; k < ROLE_COUNT; k++) {
            if (rt->roles & (1u << k))
                cJSON_AddItemToArray(roles,
                                     cJSON_CreateString(role_name_at(k)));
        }
        cJSON_AddBoolToObject(o, "public", rt->roles == ROLES_PUBLIC);
        cJSON_AddBoolToObject(o, "state", (rt->flags & RF_STATE) != 0);
        cJSON_AddBoolToObject(o, "api", (rt->flags & RF_API) != 0);
        cJSON_AddBoolToObject(o, "debug", (rt->flags & RF_DEBUG) != 0);
        cJSON_AddBoolToObject(o, "mfa_step", (rt->flags & RF_MFA) != 0);
        cJSON_AddBoolToObject(o, "form", (rt->flags & RF_FORM) != 0);
    }
    text = cJSON_Print(list);
    if (text != NULL)
        puts(text);
    cJSON_free(text);
    cJSON_Delete(list);
    return 0;
}

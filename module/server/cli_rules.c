/*
 * cli_rules.c -- `proofline rules check|run|pull|push` for admins who keep
 * their rules in git.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <lauxlib.h>

#include "base/arena.h"
#include "db/audit.h"
#include "server/cli.h"
#include "base/fileio.h"
#include "sandbox/luajson.h"
#include "db/db.h"
#include "http/parse.h"
#include "rules/rules.h"
#include "rules/rulesets.h"
#include "sandbox/sandbox.h"
#include "identity/tenants.h"

#define FILE_MAX (4u << 20)

static char *
load_engine(const struct conf *c, size_t *len)
{
    char err[512];
    char *e = NULL;

    if (rules_load_engine(c->lua_dir, &e, len, err, sizeof(err)) != APP_OK)
        fprintf(stderr, "proofline rules: %s\n", err);
    return e;
}

/* Print self-test results; returns the number of failures. */
static int
print_tests(const cJSON *results)
{
    const cJSON *t;
    int failed = 0, n = 0;

    cJSON_ArrayForEach(t, results)
    {
        const cJSON *ok = cJSON_GetObjectItem(t, "ok");
        const cJSON *name = cJSON_GetObjectItem(t, "name");
        const cJSON *msg = cJSON_GetObjectItem(t, "message");

        n++;
        if (cJSON_IsTrue(ok)) {
            printf("  ok    %s\n",
                   cJSON_IsString(name) ? name->valuestring : "?");
        } else {
            failed++;
            printf("  FAIL  %s: %s\n",
                   cJSON_IsString(name) ? name->valuestring : "?",
                   cJSON_IsString(msg) ? msg->valuestring : "");
        }
    }
    printf("rules: %d tests, %d failed\n", n, failed);
    return failed;
}

static int
rules_check(struct conf *c, int argc, char **argv)
{
    struct arena *a = arena_new(64 * 1024, 64u << 20);
    struct rule_set set;
    cJSON *results = cJSON_CreateArray();
    char err[1024];
    char *engine;
    size_t elen = 0;
    int failed = 0, rc = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: proofline rules check DIR\n");
        rc = 2;
        goto out;
    }
    engine = load_engine(c, &elen);
    if (engine == NULL)
        goto out;
    if (rulesets_from_dir(a, argv[2], &set, err, sizeof(err)) != APP_OK) {
        fprintf(stderr, "proofline rules: %s\n", err);
        free(engine);
        goto out;
    }
    if (rules_selftest(c, (struct str){ engine, elen }, &set, results, &failed,
                       err, sizeof(err)) != APP_OK) {
        fprintf(stderr, "proofline rules: %s\n", err);
        free(engine);
        goto out;
    }
    free(engine);
    printf("rules: %s compiles\n", argv[2]);
    rc = print_tests(results) == 0 ? 0 : 1;
out:
    cJSON_Delete(results);
    arena_free(a);
    return rc;
}

/* Call fn: a global of the file (e.g. on_alert) or else an engine
 * function (e.g. check_transition, reading the file's tables). */
static int
rules_run(struct conf *c, int argc, char **argv)
{
    struct sbx_limits lim;
    struct sbx *s = NULL;
    char err[1024], *src = NULL, *engine = NULL, *text = NULL;
    size_t slen = 0, elen = 0;
    cJSON *arg = NULL, *res = NULL;
    const char *detail = NULL;
    lua_State *L;
    int rc = 1, nargs = 0;
    enum app_err e;

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: proofline rules run FILE FUNCTION "
                        "[JSON-ARG]\n");
        return 2;
    }
    if (argc == 5 &&
        parse_json(str_c(argv[4]), 1u << 20, 32, &arg, &detail) != APP_OK) {
        fprintf(stderr, "proofline rules: JSON-ARG is not valid JSON (%s)\n",
                detail != NULL ? detail : "");
        return 2;
    }
    if (file_read(argv[2], FILE_MAX, NULL, &src, &slen) != APP_OK)
        src = NULL;
    engine = load_engine(c, &elen);
    if (src == NULL || engine == NULL) {
        if (src == NULL)
            fprintf(stderr, "proofline rules: cannot read %s\n", argv[2]);
        goto out;
    }
    rules_limits(c, &lim);
    s = sbx_new(&lim, err, sizeof(err));
    if (s == NULL ||
        sbx_load_engine(s, "engine", engine, elen, err, sizeof(err)) !=
            APP_OK ||
        sbx_load(s, "rules", src, slen, err, sizeof(err)) != APP_OK ||
        sbx_seal(s, err, sizeof(err)) != APP_OK) {
        fprintf(stderr, "proofline rules: %s\n", err);
        goto out;
    }
    L = sbx_state(s);
    sbx_push_global(s, argv[3]);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        sbx_push_engine(s);
        lua_getfield(L, -1, argv[3]);
        lua_remove(L, -2);
    }
    if (!lua_isfunction(L, -1)) {
        fprintf(stderr,
                "proofline rules: no function %s in %s or the "
                "engine\n",
                argv[3], argv[2]);
        goto out;
    }
    if (arg != NULL) {
        /* An array is the argument list; anything else one argument. */
        if (!cJSON_IsArray(arg)) {
            cJSON *list = cJSON_CreateArray();

            cJSON_AddItemToArray(list, arg);
            arg = list;
        }
        if (rules_push_args(s, arg, &nargs, err, sizeof(err)) != APP_OK) {
            fprintf(stderr, "proofline rules: %s\n", err);
            goto out;
        }
    }
    e = sbx_call(s, nargs, 1, err, sizeof(err));
    if (e != APP_OK) {
        fprintf(stderr, "proofline rules: %s\n", err);
        goto out;
    }
    {
        static const struct luajson_limits lj = { 16, 100000, 1u << 20 };

        if (luajson_to(L, -1, &lj, &res, err, sizeof(err)) != APP_OK) {
            fprintf(stderr, "proofline rules: %s\n", err);
            goto out;
        }
    }
    text = cJSON_Print(res);
    if (text != NULL)
        puts(text);
    rc = 0;
out:
    cJSON_free(text);
    cJSON_Delete(res);
    cJSON_Delete(arg);
    sbx_free(s);
    free(src);
    free(engine);
    return rc;
}

static int
tenant_id(struct db *db, struct arena *a, const char *slug, int64_t *id)
{
    if (slug == NULL) {
        fprintf(stderr, "proofline rules: --tenant is required\n");
        return -1;
    }
    if (tenants_find(db, a, str_c(slug), id) != APP_OK || *id == 0) {
        fprintf(stderr, "proofline rules: no tenant '%s'\n", slug);
        return -1;
    }
    return 0;
}

static int
rules_pull_push(struct conf *c, int argc, char **argv, bool push)
{
    struct cli_opt opts[] = { { "tenant", true, NULL },
                              { "comment", true, NULL } };
    const char *pos[1];
    int npos, rc = 1, failed = 0;
    struct db *db = NULL;
    struct arena *a = arena_new(64 * 1024, 256u << 20);
    struct rule_set set;
    int64_t tenant = 0, vid = 0;
    char err[1024], *engine = NULL;
    size_t elen = 0;
    cJSON *results = NULL, *d;

    if (cli_parse(push ? "rules push" : "rules pull", argc, argv, 2, opts, 2,
                  pos, 1, &npos) != 0 ||
        npos != 1) {
        fprintf(stderr, "usage: proofline rules %s --tenant T DIR%s\n",
                push ? "push" : "pull", push ? " [--comment TEXT]" : "");
        arena_free(a);
        return 2;
    }
    db = cli_db_open(c, "rules");
    if (db == NULL)
        goto out;
    if (tenant_id(db, a, cli_get(opts, 2, "tenant"), &tenant) != 0)
        goto out;
    if (!push) {
        if (rulesets_bootstrap(db, a, tenant, c->lua_dir, err, sizeof(err)) !=
                APP_OK ||
            rulesets_published_id(db, a, tenant, &vid) != APP_OK ||
            rulesets_get(db, a, tenant, vid, 0, &set) != APP_OK ||
            rulesets_to_dir(&set, pos[0], err, sizeof(err)) != APP_OK) {
            fprintf(stderr, "proofline rules: %s\n", err);
            goto out;
        }
        printf("rules: version %d of '%s' written to %s\n", set.version,
               cli_get(opts, 2, "tenant"), pos[0]);
        rc = 0;
        goto out;
    }
    if (rulesets_from_dir(a, pos[0], &set, err, sizeof(err)) != APP_OK) {
        fprintf(stderr, "proofline rules: %s\n", err);
        goto out;
    }
    engine = load_engine(c, &elen);
    results = cJSON_CreateArray();
    if (engine == NULL || results == NULL)
        goto out;
    if (rules_selftest(c, (struct str){ engine, elen }, &set, results, &failed,
                       err, sizeof(err)) != APP_OK) {
        fprintf(stderr, "proofline rules: %s\n", err);
        goto out;
    }
    if (print_tests(results) != 0) {
        fprintf(stderr, "proofline rules: not published: tests fail\n");
        goto out;
    }
    if (db_begin(db) != APP_OK ||
        rulesets_publish(db, a, tenant, &set, 0,
                         str_c(cli_get(opts, 2, "comment") != NULL
                                   ? cli_get(opts, 2, "comment")
                                   : "proofline rules push")) != APP_OK)
        goto out;
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "version", set.version);
    if (audit_write_db(db, tenant, 0, 0, "rules.publish", d) != APP_OK ||
        db_commit(db) != APP_OK) {
        cJSON_Delete(d);
        goto out;
    }
    cJSON_Delete(d);
    printf("rules: published version %d\n", set.version);
    rc = 0;
out:
    if (db != NULL)
        db_rollback(db);
    cJSON_Delete(results);
    free(engine);
    db_free(db);
    arena_free(a);
    return rc;
}

int
cmd_rules(struct conf *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return rules_check(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return rules_run(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "pull") == 0)
        return rules_pull_push(c, argc, argv, false);
    if (argc >= 2 && strcmp(argv[1], "push") == 0)
        return rules_pull_push(c, argc, argv, true);
    fprintf(stderr, "usage: proofline rules check|run|pull|push ...\n");
    return 2;
}

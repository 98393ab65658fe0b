/*
 * rules.c -- tenants' rule sandboxes in a worker, and the calls the core
 * makes into them.
 */
#include "rules/rules.h"

#include "base/sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "db/db.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/stats.h"
#include "sandbox/luajson.h"
#include "sandbox/ruleplan.h"
#include "base/tz.h"
#include "base/jsonmem.h"

struct entry {
    int64_t tenant; /* 0: free */
    int64_t version_id;
    int version;
    struct sbx *s;
    cJSON *describe; /* cached E.describe() of this version */
    uint64_t checked_ns;
    uint64_t used_ns;
};

struct rules {
    const struct conf *conf;
    char *engine;
    size_t engine_len;
    struct entry *e;
    size_t n;
};

static const struct luajson_limits RESULT_LIMITS = { .max_depth = 16,
                                                     .max_nodes = 20000,
                                                     .max_string = 65536 };

#define ENGINE_MAX (1u << 20)

enum app_err
rules_load_engine(const char *lua_dir, char **out, size_t *len, char *err,
                  size_t errlen)
{
    char path[CONF_STR_MAX + 32];
    enum app_err rc;

    snprintf(path, sizeof(path), "%s/engine.lua", lua_dir);
    rc = file_read(path, ENGINE_MAX, NULL, out, len);
    if (rc == APP_EIO)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    else if (rc == APP_ETOOBIG)
        snprintf(err, errlen, "%s: too large", path);
    return rc;
}

void
rules_limits(const struct conf *c, struct sbx_limits *lim)
{
    memset(lim, 0, sizeof(*lim));
    lim->memory = (size_t)c->rules_memory_kb * 1024u;
    lim->instructions = (uint64_t)c->rules_instructions;
    lim->call_ms = (uint64_t)c->rules_call_ms;
    lim->max_string = (size_t)c->rules_string_max;
    lim->pattern.max_steps = (size_t)c->rules_pattern_steps;
    lim->pattern.max_subject = (size_t)c->rules_pattern_subject;
    lim->pattern.max_pattern = 512;
}

struct rules *
rules_new(const struct conf *c, struct str engine)
{
    struct rules *rs = calloc(1, sizeof(*rs));

    if (rs == NULL)
        return NULL;
    rs->conf = c;
    rs->n = (size_t)c->rules_max_states;
    rs->e = calloc(rs->n, sizeof(*rs->e));
    rs->engine = malloc(engine.len + 1);
    if (rs->e == NULL || rs->engine == NULL) {
        rules_free(rs);
        return NULL;
    }
    memcpy(rs->engine, engine.p, engine.len);
    rs->engine[engine.len] = '\0';
    rs->engine_len = engine.len;
    return rs;
}

static void
entry_clear(struct entry *e)
{
    sbx_free(e->s);
    cJSON_Delete(e->describe);
    memset(e, 0, sizeof(*e));
}

void
rules_free(struct rules *rs)
{
    size_t i;

    if (rs == NULL)
        return;
    for (i = 0; rs->e != NULL && i < rs->n; i++)
        entry_clear(&rs->e[i]);
    free(rs->e);
    free(rs->engine);
    free(rs);
}

/* The engine compiles the loaded rules: E.compile(gate, missing_fields)
 * returns the declarative plan, which C reads into the struct it attaches
 * to the sandbox; the two functions are the plan's decisions for Lua. */
APP_MUST_USE static enum app_err
compile_plan(struct sbx *s, char *err, size_t errlen)
{
    lua_State *L = sbx_state(s);
    struct rule_plan *p = calloc(1, sizeof(*p));
    enum app_err rc;

    if (p == NULL)
        return APP_ENOMEM;
    sbx_attach(s, p);
    if (!lua_checkstack(L, 6))
        return APP_ENOMEM;
    lua_pushcfunction(L, ruleplan_load);
    sbx_push_engine(s);
    lua_getfield(L, -1, "compile");
    lua_remove(L, -2);
    ruleplan_push_gate(L, p);
    ruleplan_push_fields(L, p);
    rc = sbx_call(s, 2, 1, err, errlen);
    if (rc != APP_OK)
        return rc;
    lua_pushlightuserdata(L, p);
    return sbx_call(s, 2, 0, err, errlen);
}

enum app_err
rules_build(const struct conf *c, struct str engine, const struct rule_set *set,
            struct sbx **out, char *err, size_t errlen)
{
    struct sbx_limits lim;
    struct sbx *s;
    enum app_err rc;
    int i;

    *out = NULL;
    rules_limits(c, &lim);
    s = sbx_new(&lim, err, errlen);
    if (s == NULL)
        return APP_ENOMEM;
    rc = sbx_load_engine(s, "engine", engine.p, engine.len, err, errlen);
    for (i = 0; rc == APP_OK && i < RULES_NSCRIPTS; i++)
        rc = sbx_load(s, rules_script_names[i], set->scripts[i].p,
                      set->scripts[i].len, err, errlen);
    if (rc == APP_OK)
        rc = compile_plan(s, err, errlen);
    if (rc == APP_OK)
        rc = sbx_seal(s, err, errlen);
    if (rc != APP_OK) {
        sbx_free(s);
        return rc == APP_ENOMEM ? rc : APP_ERULE;
    }
    *out = s;
    return APP_OK;
}

/* Push engine[fn]; false when there is no such function. */
static bool
push_engine_fn(struct sbx *s, const char *fn)
{
    lua_State *L = sbx_state(s);

    sbx_push_engine(s);
    lua_getfield(L, -1, fn);
    lua_remove(L, -2);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        return false;
    }
    return true;
}

/* Pushing JSON allocates inside the state: do it protected. */
static int
push_args(lua_State *L)
{
    const cJSON *args = lua_touserdata(L, 1);
    const cJSON *a;
    int n = 0;

    lua_settop(L, 0);
    cJSON_ArrayForEach(a, args)
    {
        luaL_checkstack(L, 2, "too many arguments");
        luajson_push(L, a);
        n++;
    }
    return n;
}

enum app_err
rules_push_args(struct sbx *s, const cJSON *args, int *nargs, char *err,
                size_t errlen)
{
    lua_State *L = sbx_state(s);
    int top = lua_gettop(L);

    /* A protected helper pushes them; its results are the arguments. */
    lua_pushcfunction(L, push_args);
    lua_pushlightuserdata(L, (void *)args);
    if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK) {
        snprintf(err, errlen, "rule arguments: %s",
                 lua_tostring(L, -1) != NULL ? lua_tostring(L, -1)
                                             : "out of memory");
        lua_settop(L, top);
        return APP_ERULE;
    }
    *nargs = lua_gettop(L) - top;
    return APP_OK;
}

enum app_err
rules_call_json(struct sbx *s, const char *fn, const cJSON *args, cJSON **out,
                char *err, size_t errlen)
{
    lua_State *L = sbx_state(s);
    int top = lua_gettop(L), nargs = 0;
    enum app_err rc;

    *out = NULL;
    if (!push_engine_fn(s, fn)) {
        snprintf(err, errlen, "the rule engine has no function %s", fn);
        return APP_EINTERNAL;
    }
    if (args != NULL) {
        rc = rules_push_args(s, args, &nargs, err, errlen);
        if (rc != APP_OK) {
            lua_settop(L, top);
            return rc;
        }
    }
    rc = sbx_call(s, nargs, 1, err, errlen);
    if (rc != APP_OK)
        return rc;
    rc = luajson_to(L, -1, &RESULT_LIMITS, out, err, errlen);
    lua_settop(L, top);
    return rc;
}

/* --- self-tests --------------------------------------------------------------
 */

/* A built-in test: the reminders (schedules.lua) are well-formed and each
 * `every` is a schedule the scheduler understands. */
static void
check_schedules(struct sbx *s, cJSON *results, int *failed)
{
    cJSON *list = NULL, *it, *row = cJSON_CreateObject();
    char msg[512] = "";

    if (row == NULL)
        return;
    if (rules_call_json(s, "schedules", NULL, &list, msg, sizeof(msg)) ==
        APP_OK) {
        cJSON_ArrayForEach(it, list)
        {
            const char *every =
                cJSON_GetStringValue(cJSON_GetObjectItem(it, "every"));
            const char *why;
            struct sched sc;

            if (every != NULL && msg[0] == '\0' &&
                !sched_parse(str_c(every), &sc, &why))
                snprintf(msg, sizeof(msg),
                         "schedules %s: every = \"%s\" is not a schedule "
                         "(\"weekdays 16:00\", \"daily 09:30\", "
                         "\"mon,thu 10:00\", \"1h\")",
                         cJSON_GetStringValue(cJSON_GetObjectItem(it, "key")),
                         every);
        }
    }
    cJSON_Delete(list);
    cJSON_AddStringToObject(row, "name", "schedules");
    cJSON_AddBoolToObject(row, "ok", msg[0] == '\0');
    cJSON_AddStringToObject(row, "message", msg);
    *failed += msg[0] == '\0' ? 0 : 1;
    cJSON_AddItemToArray(results, row);
}

enum app_err
rules_selftest(const struct conf *c, struct str engine,
               const struct rule_set *set, cJSON *results, int *failed,
               char *err, size_t errlen)
{
    struct sbx *s = NULL;
    cJSON *count = NULL;
    int n, i;
    enum app_err rc;

    *failed = 0;
    rc = rules_build(c, engine, set, &s, err, errlen);
    if (rc != APP_OK)
        return rc;
    rc = rules_call_json(s, "test_count", NULL, &count, err, errlen);
    if (rc != APP_OK) {
        sbx_free(s);
        return rc;
    }
    n = cJSON_IsNumber(count) ? count->valueint : 0;
    cJSON_Delete(count);
    for (i = 1; i <= n; i++) {
        cJSON *args = cJSON_CreateArray(), *res = NULL, *row;
        char msg[512];

        cJSON_AddItemToArray(args, cJSON_CreateNumber(i));
        rc = rules_call_json(s, "run_test", args, &res, msg, sizeof(msg));
        cJSON_Delete(args);
        if (rc == APP_OK && cJSON_IsObject(res)) {
            row = res;
        } else {
            cJSON_Delete(res);
            row = cJSON_CreateObject();
            snprintf(err, errlen, "test %d", i);
            cJSON_AddStringToObject(row, "name", err);
            cJSON_AddBoolToObject(row, "ok", false);
            cJSON_AddStringToObject(row, "message", msg);
            /* A test that failed with an error left the sandbox broken:
             * start the rest on a fresh one. */
            sbx_free(s);
            s = NULL;
            rc = rules_build(c, engine, set, &s, err, errlen);
            if (rc != APP_OK) {
                cJSON_Delete(row);
                return rc;
            }
        }
        if (!cJSON_IsTrue(cJSON_GetObjectItem(row, "ok")))
            (*failed)++;
        cJSON_AddItemToArray(results, row);
    }
    check_schedules(s, results, failed);
    sbx_free(s);
    return APP_OK;
}

/* --- fast paths ------------------------------------------------------------
 *
 * The declarative part is decided by the plan in C; Lua runs only for the
 * tenant's own functions, and only when the rules define them. */

struct pairs {
    const char *const *keys;
    const char *const *values; /* NULL: keys only */
    size_t n;
};

static bool
pairs_has(void *ctx, const char *key)
{
    const struct pairs *kv = ctx;
    size_t i;

    for (i = 0; i < kv->n; i++) {
        if (strcmp(kv->keys[i], key) == 0)
            return kv->values == NULL ||
                   (kv->values[i] != NULL && kv->values[i][0] != '\0');
    }
    return false;
}

/* A table of the pairs in kv (key -> value, or key -> true). */
static void
push_pairs(lua_State *L, const struct pairs *kv)
{
    size_t i;

    lua_createtable(L, 0, (int)kv->n);
    for (i = 0; i < kv->n; i++) {
        if (kv->values == NULL)
            lua_pushboolean(L, 1);
        else if (kv->values[i] != NULL)
            lua_pushstring(L, kv->values[i]);
        else
            continue;
        lua_setfield(L, -2, kv->keys[i]);
    }
}

enum app_err
rules_sbx_transition(struct sbx *s, const cJSON *customer, const char *from,
                     const char *to, const char *const *have, size_t nhave,
                     bool *allowed, size_t *nmissing, char *err, size_t errlen)
{
    const struct rule_plan *p = sbx_attached(s);
    struct pairs kv = { have, NULL, nhave };
    struct plan_missing m;
    const char *focus = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(customer, "loss_focus"));
    enum plan_code code = plan_gate(p, from, to, focus, pairs_has, &kv, &m);
    lua_State *L = sbx_state(s);
    int top = lua_gettop(L), nargs = 0;
    enum app_err rc;

    *allowed = plan_code_allowed(code);
    *nmissing = m.n;
    if (code != PLAN_OK || !p->has_can_enter)
        return APP_OK;
    if (!push_engine_fn(s, "can_enter") || !lua_checkstack(L, 8)) {
        snprintf(err, errlen, "no can_enter in the engine");
        return APP_EINTERNAL;
    }
    if (customer != NULL) {
        cJSON *wrap = cJSON_CreateArray();

        if (wrap == NULL) {
            lua_settop(L, top);
            return APP_ENOMEM;
        }
        jsonmem_add_ref(wrap, NULL, (cJSON *)customer);
        rc = rules_push_args(s, wrap, &nargs, err, errlen);
        cJSON_Delete(wrap);
        if (rc != APP_OK) {
            lua_settop(L, top);
            return rc;
        }
    } else {
        lua_pushnil(L);
    }
    /* Small values: the state has headroom for them outside a protected
     * call. */
    if (from != NULL)
        lua_pushstring(L, from);
    else
        lua_pushnil(L);
    lua_pushstring(L, to);
    push_pairs(L, &kv);
    rc = sbx_call(s, 4, 1, err, errlen);
    if (rc != APP_OK)
        return rc;
    *allowed = lua_toboolean(L, -1);
    lua_settop(L, top);
    return APP_OK;
}

enum app_err
rules_sbx_classify(struct sbx *s, const char *const *keys,
                   const char *const *values, size_t n, bool *effective,
                   size_t *nmissing, char *err, size_t errlen)
{
    const struct rule_plan *p = sbx_attached(s);
    struct pairs kv = { keys, values, n };
    struct plan_missing m;
    lua_State *L = sbx_state(s);
    int top = lua_gettop(L);
    enum app_err rc;

    *effective = plan_effective(p, pairs_has, &kv, &m);
    *nmissing = m.n;
    if (!*effective || !p->has_is_effective)
        return APP_OK;
    if (!push_engine_fn(s, "is_effective") || !lua_checkstack(L, 4)) {
        snprintf(err, errlen, "no is_effective in the engine");
        return APP_EINTERNAL;
    }
    push_pairs(L, &kv);
    rc = sbx_call(s, 1, 1, err, errlen);
    if (rc != APP_OK)
        return rc;
    *effective = lua_toboolean(L, -1);
    lua_settop(L, top);
    return APP_OK;
}

/* --- per request
 * ---------------------------------------------------------------- */

static struct entry *
find_entry(struct rules *rs, int64_t tenant)
{
    size_t i;

    for (i = 0; i < rs->n; i++) {
        if (rs->e[i].tenant == tenant)
            return &rs->e[i];
    }
    return NULL;
}

size_t
rules_loaded(const struct rules *rs)
{
    size_t i, k = 0;

    for (i = 0; rs != NULL && i < rs->n; i++) {
        if (rs->e[i].tenant != 0)
            k++;
    }
    return k;
}

/* A free slot, or the least recently used one (emptied). */
static struct entry *
take_entry(struct rules *rs)
{
    size_t i, lru = 0;

    for (i = 0; i < rs->n; i++) {
        if (rs->e[i].tenant == 0)
            return &rs->e[i];
        if (rs->e[i].used_ns < rs->e[lru].used_ns)
            lru = i;
    }
    entry_clear(&rs->e[lru]);
    return &rs->e[lru];
}

APP_MUST_USE static enum app_err
rule_failure(struct ctx *cx, const char *err)
{
    log_error("rules.failed", "tenant=%lld error=%s",
              cx->tenant_id != 0 ? (long long)cx->tenant_id : 0LL, log_q(err));
    /* The sandbox's reasons for a runaway rule (sandbox.c: its time
     * limit, its instruction budget, the request's time budget) count as
     * timeouts; anything else (an error, the memory limit) as an error. */
    stats_rule_failure(cx->tenant_id,
                       strstr(err, "exceeded its time limit") != NULL ||
                           strstr(err, "exceeded its instruction budget") !=
                               NULL ||
                           strstr(err, "exceeded the time budget") != NULL);
    cx->err_detail = "rules.failed";
    cx->err_text = arena_strdup(cx->a, err);
    return APP_ERULE;
}

enum app_err
rules_get(struct ctx *cx, struct sbx **out, int *version)
{
    struct rules *rs = cx->rules;
    struct entry *e;
    uint64_t now = sbx_now_ns();
    int64_t tenant, vid = 0;
    struct rule_set set;
    char err[1024];
    enum app_err rc;

    if (rs == NULL || cx->tenant_id == 0)
        return APP_EINTERNAL;
    tenant = cx->tenant_id;
    if (cx->rules_deadline_ns == 0)
        cx->rules_deadline_ns =
            now + (uint64_t)cx->conf->rules_request_ms * 1000000u;
    e = find_entry(rs, tenant);
    /* A request's session query read the published version already
     * (cx->rules_version_id): nothing to ask when this worker holds it.
     * Work without a session asks at most every rules_check_ms. */
    vid = cx->rules_version_id;
    if (e != NULL && !sbx_broken(e->s) &&
        (vid != 0 ? e->version_id == vid
                  : now - e->checked_ns <
                        (uint64_t)cx->conf->rules_check_ms * 1000000u))
        goto ready;
    rc = vid != 0 ? APP_OK : rulesets_published_id(cx->db, cx->a, tenant, &vid);
    if (rc == APP_OK && vid == 0) {
        rc = rulesets_bootstrap(cx->db, cx->a, tenant, cx->conf->lua_dir, err,
                                sizeof(err));
        if (rc == APP_OK)
            rc = rulesets_published_id(cx->db, cx->a, tenant, &vid);
        else if (rc != APP_EDB_DOWN && rc != APP_EDB)
            return rule_failure(cx, err);
    }
    if (rc != APP_OK)
        return rc;
    if (e != NULL && e->version_id == vid && !sbx_broken(e->s)) {
        e->checked_ns = now;
        goto ready;
    }
    rc = rulesets_get(cx->db, cx->a, tenant, vid, 0, &set);
    if (rc != APP_OK)
        return rc;
    if (e == NULL)
        e = take_entry(rs);
    else
        entry_clear(e);
    rc = rules_build(cx->conf, (struct str){ rs->engine, rs->engine_len }, &set,
                     &e->s, err, sizeof(err));
    if (rc != APP_OK) {
        memset(e, 0, sizeof(*e));
        return rc == APP_ERULE ? rule_failure(cx, err) : rc;
    }
    e->tenant = tenant;
    e->version_id = vid;
    e->version = set.version;
    e->checked_ns = now;
    log_info("rules.loaded",
             "tenant=%lld version=%d memory_kb=%zu "
             "upvalues=%d",
             (long long)tenant, set.version, sbx_memory(e->s) / 1024,
             sbx_upvalues(e->s));
ready:
    e->used_ns = now;
    sbx_request_deadline(e->s, cx->rules_deadline_ns);
    /* os.date in rules speaks the tenant's time. */
    tz_set(cx->tenant_tz);
    *out = e->s;
    if (version != NULL)
        *version = e->version;
    return APP_OK;
}

static const char *
pick_name(struct ctx *cx, const cJSON *o)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(
        o, strcmp(cx->lang, "en") == 0 ? "name_en" : "name");

    if (!cJSON_IsString(n))
        n = cJSON_GetObjectItemCaseSensitive(o, "name");
    return cJSON_IsString(n) ? arena_strdup(cx->a, n->valuestring) : "";
}

static const char *
str_field(struct ctx *cx, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? arena_strdup(cx->a, v->valuestring) : NULL;
}

static void
fill_missing(struct ctx *cx, const cJSON *res, struct rule_verdict *v)
{
    const cJSON *m, *list = cJSON_GetObjectItemCaseSensitive(res, "missing");

    v->nmissing = 0;
    cJSON_ArrayForEach(m, list)
    {
        if (v->nmissing == RULES_MAX_MISSING)
            break;
        v->missing[v->nmissing].key = str_field(cx, m, "key");
        v->missing[v->nmissing].name = pick_name(cx, m);
        v->missing[v->nmissing].state = NULL;
        if (v->missing[v->nmissing].key != NULL)
            v->nmissing++;
    }
}

APP_MUST_USE static enum app_err
call(struct ctx *cx, const char *fn, cJSON *args, cJSON **res, int *version)
{
    struct sbx *s;
    char err[1024];
    enum app_err rc = rules_get(cx, &s, version);

    if (rc != APP_OK)
        return rc;
    /* Facts built with unchecked adds may have lost one: no verdict. */
    if (ctx_incomplete(cx, fn))
        return APP_ENOMEM;
    rc = rules_call_json(s, fn, args, res, err, sizeof(err));
    if (rc == APP_ERULE)
        return rule_failure(cx, err);
    return rc;
}

enum app_err
rules_check_transition(struct ctx *cx, const cJSON *customer, const char *from,
                       const char *to, const cJSON *have,
                       struct rule_verdict *v)
{
    cJSON *args = cJSON_CreateArray(), *res = NULL;
    enum app_err rc;

    memset(v, 0, sizeof(*v));
    if (args == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToArray(args, customer != NULL
                                   ? cJSON_Duplicate(customer, true)
                                   : cJSON_CreateNull());
    cJSON_AddItemToArray(args, from != NULL ? cJSON_CreateString(from)
                                            : cJSON_CreateNull());
    cJSON_AddItemToArray(args, cJSON_CreateString(to));
    cJSON_AddItemToArray(args, have != NULL ? cJSON_Duplicate(have, true)
                                            : cJSON_CreateObject());
    if (cJSON_GetArraySize(args) != 4) {
        cJSON_Delete(args);
        return APP_ENOMEM;
    }
    rc = call(cx, "check_transition", args, &res, &v->version);
    cJSON_Delete(args);
    if (rc != APP_OK)
        return rc;
    v->ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "allowed"));
    v->code = str_field(cx, res, "code");
    if (v->code == NULL)
        v->code = "";
    v->message = str_field(cx, res, "message");
    fill_missing(cx, res, v);
    cJSON_Delete(res);
    return APP_OK;
}

enum app_err
rules_classify_activity(struct ctx *cx, const cJSON *activity,
                        struct rule_verdict *v)
{
    cJSON *args = cJSON_CreateArray(), *res = NULL;
    enum app_err rc;

    memset(v, 0, sizeof(*v));
    if (args == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToArray(args, cJSON_Duplicate(activity, true));
    rc = call(cx, "classify_activity", args, &res, &v->version);
    cJSON_Delete(args);
    if (rc != APP_OK)
        return rc;
    v->ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "effective"));
    v->code = v->ok ? "effective" : "not_effective";
    v->message = str_field(cx, res, "reason");
    fill_missing(cx, res, v);
    cJSON_Delete(res);
    return APP_OK;
}

void
rules_recheck(struct rules *rs, int64_t tenant)
{
    struct entry *e = rs != NULL ? find_entry(rs, tenant) : NULL;

    if (e != NULL)
        e->checked_ns = 0;
}

enum app_err
rules_describe(struct ctx *cx, const cJSON **out, int *version)
{
    struct sbx *s;
    struct entry *e;
    char err[1024];
    enum app_err rc = rules_get(cx, &s, version);

    if (rc != APP_OK)
        return rc;
    e = find_entry(cx->rules, cx->tenant_id);
    if (e->describe == NULL) {
        rc = rules_call_json(s, "describe", NULL, &e->describe, err,
                             sizeof(err));
        if (rc == APP_ERULE)
            return rule_failure(cx, err);
        if (rc != APP_OK)
            return rc;
    }
    *out = e->describe;
    return APP_OK;
}

enum app_err
rules_json(struct ctx *cx, const char *fn, const cJSON *args, cJSON **out)
{
    return call(cx, fn, (cJSON *)args, out, NULL);
}

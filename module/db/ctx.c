/*
 * ctx.c -- building a service context outside a request (see ctx.h).
 */
#include "db/ctx.h"

#include <string.h>

#include "base/arena.h"
#include "base/i18n.h"
#include "base/jsonmem.h"
#include "base/log.h"
#include "base/tz.h"

void
ctx_init(struct ctx *cx, struct arena *a, struct db *db,
         const struct conf *conf, struct rules *rules, int64_t tenant_id,
         int64_t user_id, unsigned role)
{
    memset(cx, 0, sizeof(*cx));
    cx->a = a;
    cx->db = db;
    cx->conf = conf;
    cx->rules = rules;
    cx->tenant_id = tenant_id;
    cx->user_id = user_id;
    cx->role = role;
    cx->tenant_tz = TZ_DEFAULT;
    cx->lang = I18N_DEFAULT;
    cx->ip = "cli";
    ctx_fresh(cx);
}

void
ctx_fresh(struct ctx *cx)
{
    cx->json_mark = jsonmem_failures();
    cx->arena_mark = arena_failures(cx->a);
}

bool
ctx_incomplete(const struct ctx *cx, const char *what)
{
    uint64_t json = jsonmem_failures() - cx->json_mark;
    size_t arena = arena_failures(cx->a) - cx->arena_mark;

    if (json == 0 && arena == 0)
        return false;
    log_error("view.incomplete", "route=%s json_failures=%llu arena=%zu", what,
              (unsigned long long)json, arena);
    return true;
}

bool
ctx_fail_point(const struct ctx *cx, const char *point)
{
    return cx->fail != NULL && strcmp(cx->fail, point) == 0;
}

/* The listeners, called in the order registered. */
static ctx_event_fn event_listeners[CTX_LISTENERS_MAX];
static size_t event_nlisteners;

void
ctx_on_event(ctx_event_fn fn)
{
    size_t i;

    for (i = 0; i < event_nlisteners; i++)
        if (event_listeners[i] == fn)
            return;
    if (event_nlisteners < CTX_LISTENERS_MAX)
        event_listeners[event_nlisteners++] = fn;
}

enum app_err
ctx_emit(struct ctx *cx, const char *event, const char *object_kind,
         int64_t object_id)
{
    enum app_err rc = APP_OK;
    size_t i;

    for (i = 0; rc == APP_OK && i < event_nlisteners; i++)
        rc = event_listeners[i](cx, event, object_kind, object_id);
    return rc;
}

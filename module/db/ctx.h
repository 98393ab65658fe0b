/*
 * ctx.h -- what every service is called with: which company, who acts and
 * in which role, the language, the arena, the database.  A page handler
 * and an API handler take it from their request (http.h: r->cx); the CSV
 * import, the CLI, the demo and a scheduled job build one themselves
 * (ctx_init).  No service sees the HTTP request, so all of them call the
 * same functions and no check can be skipped by going another way.
 */
#ifndef PROOFLINE_CTX_H
#define PROOFLINE_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct conf;
struct db;
struct rules;

struct ctx {
    struct arena *a;            /* everything a call returns lives here */
    struct db *db;              /* the connection, perhaps inside a tx */
    const struct conf *conf;    /* the server's configuration */
    struct rules *rules;        /* the tenants' rule sandboxes (rules.h) */
    int64_t tenant_id;          /* 0: nobody is signed in */
    int64_t user_id;            /* 0: no person: a job, the CLI, the demo */
    unsigned role;              /* one enum role bit (identity/role.h) */
    const char *tenant_tz;      /* the company's time zone */
    const char *lang;           /* "zh-CN" or "en" */
    const char *ip;             /* for the audit log: client address or "cli" */
    const char *fail;           /* a fault to inject (debug_routes only) */
    uint64_t rules_deadline_ns; /* end of the rule budget of this unit */
    const char *err_detail;     /* out: catalog key explaining an error */
    const char *err_text;       /* out: technical detail shown to admins */
    uint64_t json_mark;         /* cJSON allocation failures when it began */
    size_t arena_mark;          /* and the arena's */
    /* Read with the session in the request's one query for who the user
     * is, so that the request asks nothing more about them: the company's
     * published rule version (0: unknown, rules_get asks) and the user's
     * region (NULL: unknown, asked where needed). */
    int64_t rules_version_id;
    const char *user_region;
    /* The newest change id of fact_log committed when the request began
     * (0: unknown): the metrics engine asks for changes only when it has
     * not seen this far (metrics/facts.h). */
    uint64_t facts_top;
};

/* A context for work no HTTP request started (CLI, demo, jobs): acting
 * as `user_id` (0: the system) with `role` in `tenant_id`. */
void ctx_init(struct ctx *cx, struct arena *a, struct db *db,
              const struct conf *conf, struct rules *rules, int64_t tenant_id,
              int64_t user_id, unsigned role);

/* Start counting allocation failures from now (ctx_init does). */
void ctx_fresh(struct ctx *cx);

/* Whether an allocation failed since ctx_fresh: a document built with
 * unchecked adds may have lost a part, so it must not be stored or sent.
 * Logged with `what` when true. */
bool ctx_incomplete(const struct ctx *cx, const char *what);

/* Whether the test harness asked this unit of work to fail at `point`. */
bool ctx_fail_point(const struct ctx *cx, const char *point);

/* Events: something happened that rules may react to ("customer.stage.won",
 * later "contract.signed").  A service reports it in its transaction with
 * ctx_emit; the program registers once what listens (the reminders of
 * work/reminders.h), so a lower layer never calls a higher one.  Without
 * a listener an event is nothing.  The listener's failure fails the
 * change (it is part of the same transaction).  Several listeners (at
 * most CTX_LISTENERS_MAX, each once) are called in the order registered;
 * the first failure stops the others. */
#define CTX_LISTENERS_MAX 8
typedef enum app_err (*ctx_event_fn)(struct ctx *cx, const char *event,
                                     const char *object_kind,
                                     int64_t object_id);
void ctx_on_event(ctx_event_fn fn);
APP_MUST_USE enum app_err ctx_emit(struct ctx *cx, const char *event,
                                   const char *object_kind, int64_t object_id);

#endif

/*
 * facts.h -- a tenant's metric facts in memory, kept current from the
 * change sequence (the metrics engine's storage; metrics.h computes on it).
 *
 * What the live metrics need of a company, and nothing more: its people
 * (id, manager, role, active, name), its customers (owner, current stage,
 * latest activity times), every stage move (time, customer, from, to,
 * lost reason) and every activity (8 bytes: customer, effective, rep,
 * second of its UTC day, in day buckets sorted by day).
 *
 * Kept current incrementally: triggers append every change to fact_log in
 * the change's own transaction (sql/017_fact_log.sql); before answering,
 * facts_get() reads the rows added since it last looked -- one range of
 * the primary key, usually empty -- so an activity saved through any
 * worker of any host shows in the next answer of every worker.  Ids that
 * are skipped (a transaction still open, or rolled back) are remembered as
 * gaps and read again until they appear or FACTS_GAP_S have passed.
 * A request whose sign-in query read the newest change id (cx->facts_top)
 * skips the read when the facts have seen that far: the cockpit then
 * costs no round trip for its metrics.
 *
 * Bounded: at most FACTS_TENANTS_MAX companies and conf->metrics_mb of
 * memory per process (the least recently used company is dropped first);
 * a company unused for FACTS_IDLE_S is dropped too (the change sequence is
 * pruned after a day).  A cold load maps the host's snapshot of the
 * company when there is a fresh one (facts_snap.h) and catches up from
 * it; otherwise it reads the tables in one consistent snapshot, streamed
 * row by row (db_scan), and writes the host's snapshot for the others.
 */
#ifndef PROOFLINE_FACTS_H
#define PROOFLINE_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"

#define FACTS_TENANTS_MAX 64
#define FACTS_STAGES_MAX 63  /* distinct stage keys a company's moves name */
#define FACTS_REASONS_MAX 63 /* distinct lost reasons */
#define FACTS_USERS_MAX 32767
#define FACTS_GAPS_MAX 256 /* ranges of skipped ids awaited */
#define FACTS_GAP_S 120    /* a skipped id is awaited this long */
#define FACTS_IDLE_S 3600  /* a company unused this long is dropped */
#define FACTS_BATCH 4096   /* change rows read per round trip */
#define FACTS_KEY_MAX 64   /* bytes of a stage or reason key */
#define FACTS_NONE8 0xFFu  /* no stage / no reason */
#define FACTS_NONE16 0xFFFFu

struct facts_user {
    int64_t id;
    int64_t manager_id; /* 0: none */
    bool active;
    bool rep;     /* role 'rep' */
    bool manager; /* role 'manager' */
    char *name;
};

/* One stage move, kept sorted by (at, ms, id). */
struct facts_move {
    uint64_t id;
    uint32_t at; /* seconds since the epoch, UTC */
    uint32_t cust;
    uint16_t ms;              /* and milliseconds */
    uint8_t from, to, reason; /* stage and reason numbers, FACTS_NONE8 */
};

/* One activity: bit 31 of cust_eff is "effective", the rest the customer
 * number; rep_sec holds the rep's number (high 15 bits) and the second
 * of the activity's UTC day (low 17 bits). */
struct facts_act {
    uint32_t cust_eff;
    uint32_t rep_sec;
};
#define FACTS_EFF 0x80000000u
#define FACTS_ACT_CUST(a) ((a)->cust_eff & ~FACTS_EFF)
#define FACTS_ACT_EFF(a) (((a)->cust_eff & FACTS_EFF) != 0)
#define FACTS_ACT_REP(a) ((a)->rep_sec >> 17)
#define FACTS_ACT_SEC(a) ((a)->rep_sec & 0x1FFFFu)

struct facts {
    int64_t tenant_id;
    uint64_t used_ms, loaded_ms;
    uint64_t cursor;  /* highest change id seen */
    uint64_t version; /* changes with every fact applied (process-unique) */
    uint64_t gap_lo[FACTS_GAPS_MAX]; /* ids below it not seen yet, */
    uint64_t gap_hi[FACTS_GAPS_MAX]; /* ranges [lo, hi) */
    uint64_t gap_ms[FACTS_GAPS_MAX]; /* when each was first missed */
    size_t ngaps;
    bool reload;        /* load afresh before the next use */
    bool reload_users;  /* read the people again */
    bool recheck_rules; /* the rules were published: ask again */

    struct facts_user *users; /* in the order first seen */
    size_t nusers, cap_users;
    uint16_t *uhash; /* user id -> number + 1 */
    size_t uhash_cap;

    int64_t *cust_id;
    uint16_t *cust_owner;   /* user number, FACTS_NONE16 */
    uint8_t *cust_stage;    /* current stage number, FACTS_NONE8 */
    uint32_t *cust_move_at; /* its latest move (at, ms, id) */
    uint16_t *cust_move_ms;
    uint64_t *cust_move_id;
    uint32_t *cust_last_any; /* latest activity time, 0: none */
    uint32_t *cust_last_eff; /* latest effective activity time */
    size_t ncust, cap_cust;
    uint32_t *hash; /* customer id -> number + 1, open addressing */
    size_t hash_cap;

    struct facts_move *moves;
    size_t nmoves, cap_moves;

    struct facts_act *acts;
    size_t nacts, cap_acts;
    uint32_t *day_off; /* acts of UTC day first_day + d: [day_off[d], [d+1]) */
    int64_t first_day; /* days since the epoch */
    size_t ndays;
    uint32_t max_act_at;
    bool last_exact; /* cust_last_* exact (no activity removed since) */

    void *map; /* the snapshot file mapped (facts_snap.c), or NULL */
    size_t map_len;

    char stage_keys[FACTS_STAGES_MAX][FACTS_KEY_MAX + 1];
    size_t nstages;
    char reason_keys[FACTS_REASONS_MAX][FACTS_KEY_MAX + 1];
    size_t nreasons;
};

/* The company's facts (cx->tenant_id), caught up with every change
 * committed before the call.  Valid until the next facts_get() of this
 * process.  Must not be called inside a transaction. */
APP_MUST_USE enum app_err facts_get(struct ctx *cx, struct facts **out);

/* A number that changes whenever the company's facts change (a change
 * applied, a load): what was computed at the same version is still
 * exact.  Catches up first (one round trip). */
APP_MUST_USE enum app_err facts_version(struct ctx *cx, uint64_t *out);

/* Bytes the process holds for all companies, and for f. */
size_t facts_bytes_all(void);
size_t facts_bytes(const struct facts *f);

/* Free f and its memory (its snapshot unmapped). */
void facts_free(struct facts *f);

/* Drop every company (tests and benchmarks: the next call loads). */
void facts_drop_all(void);

/* A user's number (FACTS_NONE16: unknown). */
uint16_t facts_user_index(const struct facts *f, int64_t user_id);

/* A stage key's number (FACTS_NONE8: no move ever named it). */
uint8_t facts_stage_index(const struct facts *f, const char *key);

/* The activities of [lo, hi) (seconds since the epoch) as a range of
 * whole days [*d0, *d1) of f->day_off (edge days to be checked by time). */
void facts_days(const struct facts *f, int64_t lo, int64_t hi, size_t *d0,
                size_t *d1);

/* An activity's time in seconds since the epoch, from its day number. */
static inline int64_t
facts_act_at(const struct facts *f, size_t day, const struct facts_act *a)
{
    return (f->first_day + (int64_t)day) * 86400 + FACTS_ACT_SEC(a);
}

/* The first move with at >= t (binary search). */
size_t facts_move_from(const struct facts *f, int64_t t);

/* Delete change rows older than a day (the alerts job). */
APP_MUST_USE enum app_err facts_prune(struct ctx *cx);

#endif

/*
 * stats.h -- counters shared by the master, its workers and the scheduler.
 *
 * The master maps one fixed-size segment (MAP_SHARED, backed by the file
 * conf.stats_file so that `proofline status` can read it, anonymous when
 * that key is empty) before it forks; every child inherits the mapping and
 * adds to it with atomic operations.  Nothing in it grows: routes are
 * counted by their index in the route table (one more slot for requests no
 * route matched), rule failures by company in a small table that keeps
 * the first STATS_TENANTS companies to fail and sums the rest under
 * "other", cache sizes in one slot per worker.
 *
 * Every function here is a no-op until stats_attach() has run, so code
 * that counts (db/, rules/, the worker) needs no test of its own for
 * "is there a segment"; unit tests and the CLI simply count nothing.
 */
#ifndef PROOFLINE_STATS_H
#define PROOFLINE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATS_MAGIC 0x50534c31u /* "PSL1" */
#define STATS_ROUTES 480        /* route indexes; the last: no route */
#define STATS_NO_ROUTE (STATS_ROUTES - 1)
#define STATS_MON_ROUTE (STATS_ROUTES - 2) /* the scrapes themselves */
#define STATS_BUCKETS 10 /* finite histogram buckets; +Inf is the count */
#define STATS_TENANTS 32 /* companies with their own rule-failure row */
#define STATS_WORKERS 512
#define STATS_CLASSES 5 /* 1xx .. 5xx */

/* Upper bounds of the latency buckets, in milliseconds. */
extern const unsigned stats_bucket_ms[STATS_BUCKETS];

struct stats_route {
    uint64_t status[STATS_CLASSES]; /* requests by status class */
    /* Not cumulative: [i-1] < ms <= [i]; [STATS_BUCKETS]: over the last.
     * Their sum is the histogram's count. */
    uint64_t bucket[STATS_BUCKETS + 1];
    uint64_t count;
    uint64_t sum_us;
};

struct stats_tenant {
    int64_t tenant; /* 0: free; -1 in the last row: every other company */
    uint64_t errors;
    uint64_t timeouts;
};

struct stats_worker {
    int32_t pid; /* 0: no worker in this slot */
    uint32_t scheduler;
    uint64_t served;
    uint64_t rules_sandboxes; /* companies with a Lua state in this worker */
    uint64_t db_statements;   /* prepared statements cached */
    uint64_t templates;       /* compiled templates */
    uint64_t facts_bytes;     /* the metrics engine's facts in memory */
};

enum stats_counter {
    STATS_WORKERS_ALIVE,   /* gauge, set by the master */
    STATS_SCHEDULER_ALIVE, /* gauge, set by the master */
    STATS_WORKER_RESTARTS, /* a child that died (signal, non-zero exit) */
    STATS_WATCHDOG_KILLS,  /* SIGKILLs of the request watchdog */
    STATS_DB_ERRORS,       /* statements the server refused */
    STATS_DB_RECONNECTS,   /* connections made after the first */
    STATS_DB_CONNECT_FAILURES,
    STATS_NCOUNTERS
};

struct stats {
    uint32_t magic;
    uint32_t size;
    int64_t started; /* master's start, Unix seconds */
    uint64_t counter[STATS_NCOUNTERS];
    struct stats_tenant tenants[STATS_TENANTS + 1];
    struct stats_route routes[STATS_ROUTES];
    struct stats_worker workers[STATS_WORKERS];
};

/* Map a zeroed segment: at path (created or truncated, mode 0640), or
 * anonymous when path is NULL or empty.  Returns 0, or -1 with a message
 * in err.  The mapping is kept for the life of the process and inherited
 * by children forked afterwards. */
int stats_create(const char *path, char *err, size_t errlen);

/* Map the file a running master created, read-only (for `proofline
 * status`).  Returns the segment, or NULL with a message in err when it
 * is missing or not a segment of this version.  The caller unmaps it
 * with stats_close(). */
const struct stats *stats_open(const char *path, char *err, size_t errlen);
void stats_close(const struct stats *s);

/* The segment this process counts into (NULL before stats_create). */
struct stats *stats_self(void);

void stats_add(enum stats_counter c, uint64_t n);
void stats_set(enum stats_counter c, uint64_t v);

/* One answered request: route index (STATS_NO_ROUTE when none matched or
 * out of range), HTTP status, duration in microseconds. */
void stats_request(size_t route, int status, uint64_t us);

/* A rule that failed for a company; timeout when it ran out of time. */
void stats_rule_failure(int64_t tenant, bool timeout);

/* A worker's own slot (index < STATS_WORKERS), written by that worker. */
void stats_worker_set(unsigned slot, const struct stats_worker *w);
void stats_worker_clear(unsigned slot);

/* The histogram bucket of a duration (STATS_BUCKETS: over the last). */
size_t stats_bucket_of(uint64_t us);

#endif

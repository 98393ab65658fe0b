/*
 * mon.h -- monitoring: the Prometheus text endpoint and `proofline status`.
 *
 * Both read the same numbers: the shared counters (base/stats.h) of the
 * running server, and a few figures asked of the database at the moment
 * of reading (the scheduler's due jobs and lag, the outbox's backlog).
 * The endpoint is GET /_metrics, answered before routing and without a
 * session, but only when nginx marked the request with the FastCGI
 * parameter PROOFLINE_MONITOR = 1, which nginx.conf.example sets in the
 * one location that allows loopback clients only; anywhere else the path
 * is an ordinary unknown URL (404).  A client cannot forge the marker:
 * its headers reach the application as HTTP_* parameters.
 */
#ifndef PROOFLINE_MON_H
#define PROOFLINE_MON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/stats.h"
#include "db/db.h"
#include "http/app.h"
#include "http/http.h"

/* What the database says at the moment of reading. */
struct mon_db {
    bool ok;          /* false: the database did not answer */
    int64_t jobs_due; /* active jobs whose slot has come, not leased */
    int64_t lag_ms;   /* how late the oldest of them is; 0: none */
    int64_t outbox_pending;
    int64_t outbox_due; /* of them, whose next try has come */
    int64_t outbox_oldest_ms;
};

/* Ask the database (installation-wide: no company's data, counts only).
 * Never fails: out->ok says whether the figures are real. */
void mon_db_read(struct db *db, struct arena *a, struct mon_db *out);

/* The Prometheus text exposition (version 0.0.4) of s and d into b.
 * Returns APP_ENOMEM when b's maximum is reached. */
APP_MUST_USE enum app_err mon_prometheus(struct buf *b, const struct stats *s,
                                         const struct mon_db *d);

/* The same figures for a person, on f. */
void mon_human(FILE *f, const struct stats *s, const struct mon_db *d);

/* True when r is GET/HEAD /_metrics with nginx's marker. */
bool mon_is_scrape(const struct req *r);

/* Answer a scrape (text/plain; version=0.0.4). */
APP_MUST_USE enum app_err mon_serve(struct req *r);

/* Refresh this worker's row of cache sizes (after each request). */
void mon_worker_row(const struct app *app, pid_t pid, bool scheduler);

#endif

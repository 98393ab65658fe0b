/*
 * outbox.h -- delivering queued notifications (work/notify.h writes them).
 *
 * The scheduler claims due deliveries in a transaction (SELECT ... FOR
 * UPDATE SKIP LOCKED) with a lease, sends each through the guarded client
 * (net/fetch.h: HTTPS, <= 5 s, no redirects, capped answers, no address
 * inside the network unless outbound_allow lists it) and records the
 * attempt.  Success:
 *   - webhook: a 2xx answer.  The POST carries X-Proofline-Timestamp,
 *     X-Proofline-Signature "sha256=" + hex HMAC-SHA256 over
 *     "<timestamp>.<body>" with the company's webhook secret, and an
 *     Idempotency-Key that stays the same across retries;
 *   - wecom: HTTP 200 with errcode 0.  errcode 45009 (the robot's rate
 *     limit) waits a minute and tries again without counting a failure.
 * Anything else is tried again after delivery_backoff_s, doubled each
 * time up to delivery_backoff_max_s, with +-20% jitter, until
 * delivery_attempts tries: then it is failed, and an admin may retry it.
 * A sent delivery is never sent again: the row is marked sent when the
 * answer is recorded, and a scheduler that dies before that leaves the
 * lease to expire -- the receiver then sees the same Idempotency-Key.
 */
#ifndef PROOFLINE_OUTBOX_H
#define PROOFLINE_OUTBOX_H

#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "db/ctx.h"
#include "db/db.h"
#include "net/fetch.h"

struct scheduler_stats;
struct scheduler_opts;

/* A batch is sent within its lease even when every target times out:
 * OUTBOX_CLAIM_MAX x FETCH_TIMEOUT_MAX_MS < OUTBOX_LEASE_S. */
#define OUTBOX_CLAIM_MAX 25
#define OUTBOX_LEASE_S 300
#define OUTBOX_DEAD_MAX 16     /* unanswering targets remembered per batch */
#define OUTBOX_RATE_LIMIT_S 60 /* WeCom 45009: wait this long */
#define OUTBOX_ALLOW_MAX 32

/* Deliver what is due at now (of o's company, or all), until nothing is
 * or o->stop; o->tick is called before each delivery (the watchdog). */
/* The guarded client's policy for every outgoing request (webhooks,
 * robots, mail, registry verifiers): outbound_allow read into allow (room
 * for OUTBOX_ALLOW_MAX), the longest timeout, 4 KiB of answer. */
void outbox_policy(const struct conf *c, struct netaddr_cidr *allow,
                   struct fetch_policy *p);

APP_MUST_USE enum app_err outbox_deliver(const struct conf *c, struct db *db,
                                         struct arena *a,
                                         const struct scheduler_opts *o,
                                         time_t now,
                                         struct scheduler_stats *st);

/* The wait before try number `attempt` (1 = the first retry), without
 * jitter. */
long outbox_backoff_s(const struct conf *c, unsigned attempt);

/* Admin: the company's deliveries (status "failed", "pending", "sent" or
 * NULL for all), newest first: id, channel, target, status, attempts,
 * next_at, last_error, last_status, sent_at, created_at, notification
 * title. */
APP_MUST_USE enum app_err outbox_list(struct ctx *cx, const char *status,
                                      size_t max, struct db_res *out);

/* Admin: try a failed (or pending) delivery again now.  APP_ENOTFOUND
 * outside the company, APP_ECONFLICT when it was sent. */
APP_MUST_USE enum app_err outbox_retry(struct ctx *cx, int64_t id);

/* The signature header value for body at ts with secret (exposed for the
 * unit tests): "sha256=<64 hex>" into out (at least 72 bytes). */
void outbox_sign(const uint8_t *secret, size_t secret_len, long long ts,
                 const char *body, size_t body_len, char *out);

#endif

/*
 * outbox.c -- delivering notifications (outbox.h).
 */
#include "work/outbox.h"

#include <stdio.h>
#include <string.h>

#include <cJSON.h>
#include <sodium.h>

#include "base/log.h"
#include "base/netaddr.h"
#include "base/tz.h"
#include "identity/seal.h"
#include "net/fetch.h"
#include "work/scheduler.h"

static const char SQL_DUE[] =
    "SELECT d.id, d.tenant_id, d.channel, d.target, d.body, d.attempts, "
    "d.dedup_key FROM deliveries d WHERE d.status = 'pending' AND "
    "d.next_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?) "
    "AND (? = 0 OR d.tenant_id = ?) "
    "ORDER BY d.next_at LIMIT ? FOR UPDATE SKIP LOCKED";
static const char SQL_LEASE[] =
    "UPDATE deliveries SET lease_until = ?, lease_owner = ? WHERE id = ?";
static const char SQL_RELEASE[] =
    "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL "
    "WHERE id = ? AND lease_owner = ? AND status = 'pending'";
static const char SQL_COMPANY[] =
    "SELECT webhook_secret, smtp_url, smtp_user, smtp_password, smtp_from "
    "FROM tenants WHERE id = ?";
static const char SQL_ATTEMPT[] =
    "INSERT INTO delivery_attempts (tenant_id, delivery_id, at, ok, "
    "http_status, error, ms) VALUES (?, ?, ?, ?, ?, ?, ?)";
/* Only while the lease is ours: a scheduler whose lease ran out does not
 * overwrite what the next one recorded. */
static const char SQL_RESULT[] =
    "UPDATE deliveries SET status = ?, attempts = attempts + ?, next_at = ?, "
    "last_error = ?, last_status = ?, sent_at = IF(? = 'sent', ?, sent_at), "
    "lease_until = NULL, lease_owner = NULL "
    "WHERE id = ? AND lease_owner = ? AND status = 'pending'";
static const char SQL_LIST[] =
    "SELECT d.id, d.channel, d.target, d.status, d.attempts, d.next_at, "
    "d.last_error, COALESCE(d.last_status, 0), COALESCE(d.sent_at, ''), "
    "d.created_at, COALESCE(n.title, '') FROM deliveries d "
    "LEFT JOIN notifications n ON n.id = d.notification_id AND "
    "n.tenant_id = d.tenant_id WHERE d.tenant_id = ? AND "
    "(? = '' OR d.status = ?) ORDER BY d.id DESC LIMIT ?";
/* Not one a scheduler is sending right now (its lease is live). */
static const char SQL_RETRY[] =
    "UPDATE deliveries SET status = 'pending', attempts = 0, next_at = ?, "
    "lease_until = NULL, lease_owner = NULL "
    "WHERE tenant_id = ? AND id = ? AND status <> 'sent' AND "
    "(lease_until IS NULL OR lease_until < ?)";

enum { D_ID, D_TENANT, D_CHANNEL, D_TARGET, D_BODY, D_ATTEMPTS, D_KEY };

/* A company's sending settings, read once per pass. */
struct company {
    int64_t tenant;
    uint8_t key[SEAL_MAX_PLAIN]; /* the webhook secret */
    size_t len;
    const char *smtp_url, *smtp_user, *smtp_from;
    char smtp_password[SEAL_MAX_PLAIN + 1];
};

struct company_cache {
    struct company c[16];
    size_t n;
};

/* The outcome of one attempt. */
struct outcome {
    bool ok;
    bool rate_limited; /* WeCom 45009: later, not a failure */
    long status;
    const char *error;
};

long
outbox_backoff_s(const struct conf *c, unsigned attempt)
{
    long s = c->delivery_backoff_s;

    while (attempt > 1 && s < c->delivery_backoff_max_s) {
        s *= 2;
        attempt--;
    }
    return s < c->delivery_backoff_max_s ? s : c->delivery_backoff_max_s;
}

void
outbox_sign(const uint8_t *secret, size_t secret_len, long long ts,
            const char *body, size_t body_len, char *out)
{
    crypto_auth_hmacsha256_state st;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    char prefix[32];
    int n = snprintf(prefix, sizeof(prefix), "%lld.", ts);

    crypto_auth_hmacsha256_init(&st, secret, secret_len);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)prefix,
                                  (unsigned long long)n);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)body,
                                  (unsigned long long)body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
}

/* The company's sending settings (cached for the pass; strings in a,
 * which lives as long as the pass's batch -- the cache is emptied with
 * it). */
static const struct company *
company_of(const struct conf *c, struct db *db, struct arena *a,
           struct company_cache *sc, int64_t tenant)
{
    struct company *co;
    struct db_res r;
    size_t i, n = 0;

    for (i = 0; i < sc->n; i++) {
        if (sc->c[i].tenant == tenant)
            return &sc->c[i];
    }
    if (sc->n == 16)
        sc->n = 0;
    co = &sc->c[sc->n++];
    memset(co, 0, sizeof(*co));
    co->tenant = tenant;
    co->smtp_url = co->smtp_user = co->smtp_from = "";
    if (db_query(db, a, SQL_COMPANY, DB_ARGS(DB_I64(tenant)), 1, &r) !=
            APP_OK ||
        r.nrows != 1)
        return co;
    if (db_text(&r, 0, 0)[0] != '\0' &&
        unseal(c, db_text(&r, 0, 0), co->key, sizeof(co->key), &co->len) !=
            APP_OK)
        co->len = 0;
    co->smtp_url = db_text(&r, 0, 1);
    co->smtp_user = db_text(&r, 0, 2);
    co->smtp_from = db_text(&r, 0, 4);
    if (db_text(&r, 0, 3)[0] != '\0' &&
        unseal(c, db_text(&r, 0, 3), (uint8_t *)co->smtp_password,
               sizeof(co->smtp_password) - 1, &n) == APP_OK)
        co->smtp_password[n] = '\0';
    return co;
}

/* An e-mail delivery: the message queued, sent with the company's SMTP. */
static void
send_mail(struct arena *a, const struct fetch_policy *p,
          const struct company *co, const char *to, const char *message,
          struct outcome *o)
{
    struct fetch_mail_request rq;
    struct fetch_result res;

    if (co->smtp_url[0] == '\0' || co->smtp_from[0] == '\0') {
        o->error = "the company has no SMTP server configured";
        return;
    }
    memset(&rq, 0, sizeof(rq));
    rq.url = co->smtp_url;
    rq.user = co->smtp_user;
    rq.password = co->smtp_password;
    rq.from = co->smtp_from;
    rq.to = to;
    rq.message = message;
    rq.message_len = strlen(message);
    if (fetch_mail(a, p, &rq, &res) != APP_OK) {
        o->error = "out of memory";
        return;
    }
    o->status = res.status;
    if (res.err == FETCH_OK)
        o->ok = true;
    else
        o->error = arena_printf(a, "%s: %s", fetch_err_name(res.err),
                                res.detail != NULL ? res.detail : "");
}

void
outbox_policy(const struct conf *c, struct netaddr_cidr *allow,
              struct fetch_policy *p)
{
    const char *s = c->outbound_allow;

    memset(p, 0, sizeof(*p));
    p->allow = allow;
    p->timeout_ms = FETCH_TIMEOUT_MAX_MS;
    p->max_response = 4096;
    while (*s != '\0' && p->nallow < OUTBOX_ALLOW_MAX) {
        const char *end = strchr(s, ',');
        size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
        struct str item = { s, n };

        while (item.len > 0 && item.p[0] == ' ') {
            item.p++;
            item.len--;
        }
        while (item.len > 0 && item.p[item.len - 1] == ' ')
            item.len--;
        if (item.len > 0 && netaddr_parse_cidr(item, &allow[p->nallow]))
            p->nallow++;
        else if (item.len > 0)
            log_warn("outbound_allow.bad", "item=%.*s", (int)item.len, item.p);
        s = end != NULL ? end + 1 : s + n;
    }
}

/* Judge a robot's answer: HTTP 200 is not enough. */
static void
judge_wecom(const struct fetch_result *res, struct outcome *o)
{
    cJSON *j = cJSON_Parse(res->body);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "errcode");

    if (res->status != 200) {
        o->error = "robot answered HTTP error";
    } else if (!cJSON_IsNumber(code)) {
        o->error = "robot answer without errcode";
    } else if (code->valueint == 0) {
        o->ok = true;
    } else if (code->valueint == 45009) {
        o->rate_limited = true;
        o->error = "errcode 45009: rate limited";
    } else {
        o->error = "robot refused";
    }
    cJSON_Delete(j);
}

/* Send one delivery. */
static void
send_one(const struct conf *c, struct db *db, struct arena *a,
         const struct fetch_policy *p, struct company_cache *sc,
         const struct db_res *r, size_t i, time_t now, struct outcome *o)
{
    const char *channel = db_text(r, i, D_CHANNEL);
    const char *body = db_text(r, i, D_BODY);
    struct fetch_request rq;
    struct fetch_result res;
    const struct company *co;
    size_t h = 0;

    memset(o, 0, sizeof(*o));
    memset(&rq, 0, sizeof(rq));
    rq.url = db_text(r, i, D_TARGET);
    rq.body = body;
    rq.body_len = strlen(body);
    rq.headers[h++] = "Content-Type: application/json";
    co = company_of(c, db, a, sc, db_int(r, i, D_TENANT, 0));
    if (strcmp(channel, "email") == 0) {
        send_mail(a, p, co, rq.url, body, o);
        return;
    }
    if (strcmp(channel, "webhook") == 0) {
        char sig[80];

        if (co->len == 0) {
            o->error = "the company has no webhook secret";
            return;
        }
        outbox_sign(co->key, co->len, (long long)now, body, rq.body_len, sig);
        rq.headers[h++] =
            arena_printf(a, "X-Proofline-Timestamp: %lld", (long long)now);
        rq.headers[h++] = arena_printf(a, "X-Proofline-Signature: %s", sig);
        rq.headers[h++] = arena_printf(a, "Idempotency-Key: %lld-%s",
                                       (long long)db_int(r, i, D_TENANT, 0),
                                       db_text(r, i, D_KEY));
    }
    if (fetch(a, p, &rq, &res) != APP_OK) {
        o->error = "out of memory";
        return;
    }
    o->status = res.status;
    if (res.err != FETCH_OK) {
        o->error = arena_printf(a, "%s: %s", fetch_err_name(res.err),
                                res.detail != NULL ? res.detail : "");
    } else if (strcmp(channel, "wecom") == 0) {
        judge_wecom(&res, o);
    } else if (res.status >= 200 && res.status < 300) {
        o->ok = true;
    } else {
        o->error = arena_printf(a, "HTTP %ld", res.status);
    }
}

/* Record an attempt and move the delivery on. */
static void
record(const struct conf *c, struct db *db, struct arena *a,
       const struct db_res *r, size_t i, time_t now, const char *owner,
       const struct outcome *o, unsigned ms, struct scheduler_stats *st)
{
    unsigned attempts = (unsigned)db_int(r, i, D_ATTEMPTS, 0) + 1;
    const char *status = "pending";
    char at[32], next[32];
    time_t when = now;
    struct db_tx tx = DB_TX_INIT;
    const char *error = o->error != NULL ? o->error : "";
    enum app_err rc;

    if (o->ok) {
        status = "sent";
        st->delivered++;
    } else if (o->rate_limited) {
        attempts--; /* not a failure */
        when = now + OUTBOX_RATE_LIMIT_S + (time_t)randombytes_uniform(10);
        st->retried++;
    } else if (attempts >= (unsigned)c->delivery_attempts) {
        status = "failed";
        st->dead++;
    } else {
        long wait = outbox_backoff_s(c, attempts);
        long jitter = wait / 5;

        when = now + wait +
               (jitter > 0
                    ? (long)randombytes_uniform((uint32_t)(2 * jitter + 1)) -
                          jitter
                    : 0);
        st->retried++;
    }
    tz_utc_text(now, at, sizeof(at));
    tz_utc_text(when, next, sizeof(next));
    if (error[0] != '\0') /* fits its column, cut at a whole character */
        error = arena_strndup(a, error, utf8_cut(error, strlen(error), 400));
    if (error == NULL)
        error = "";
    while (db_tx_next(db, &tx, &rc)) {
        rc = db_exec(db, SQL_ATTEMPT,
                     DB_ARGS(DB_I64(db_int(r, i, D_TENANT, 0)),
                             DB_I64(db_int(r, i, D_ID, 0)), DB_CSTR(at),
                             DB_I64(o->ok),
                             o->status > 0 ? DB_I64(o->status) : DB_NULL,
                             DB_CSTR(error), DB_I64(ms)),
                     NULL, NULL);
        if (rc == APP_OK)
            rc = db_exec(db, SQL_RESULT,
                         DB_ARGS(DB_CSTR(status),
                                 DB_I64(o->rate_limited ? 0 : 1), DB_CSTR(next),
                                 DB_CSTR(error),
                                 o->status > 0 ? DB_I64(o->status) : DB_NULL,
                                 DB_CSTR(status), DB_CSTR(at),
                                 DB_I64(db_int(r, i, D_ID, 0)), DB_CSTR(owner)),
                         NULL, NULL);
    }
    if (rc != APP_OK)
        log_warn("outbox.record_failed", "delivery=%lld",
                 (long long)db_int(r, i, D_ID, 0));
}

/* Claim a batch: the due rows, leased to owner. */
APP_MUST_USE static enum app_err
claim(struct db *db, struct arena *a, time_t now, const char *owner,
      int64_t tenant, struct db_res *r)
{
    char at[32], until[32];
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc;
    size_t i;

    tz_utc_text(now, at, sizeof(at));
    tz_utc_text(now + OUTBOX_LEASE_S, until, sizeof(until));
    while (db_tx_next(db, &tx, &rc)) {
        rc = db_query(db, a, SQL_DUE,
                      DB_ARGS(DB_CSTR(at), DB_CSTR(at), DB_I64(tenant),
                              DB_I64(tenant), DB_I64(OUTBOX_CLAIM_MAX)),
                      OUTBOX_CLAIM_MAX, r);
        for (i = 0; rc == APP_OK && i < r->nrows; i++)
            rc = db_exec(db, SQL_LEASE,
                         DB_ARGS(DB_CSTR(until), DB_CSTR(owner),
                                 DB_I64(db_int(r, i, D_ID, 0))),
                         NULL, NULL);
    }
    return rc;
}

/* Targets that did not answer in this pass: the rest of their
 * deliveries wait for the next try instead of each waiting its 5 s. */
struct dead_targets {
    const char *url[OUTBOX_DEAD_MAX];
    size_t n;
};

static bool
is_dead(const struct dead_targets *d, const char *url)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        if (strcmp(d->url[i], url) == 0)
            return true;
    }
    return false;
}

/* Leases of claimed rows not sent (the pass was told to stop) end now. */
static void
release(struct db *db, const struct db_res *r, size_t from, const char *owner)
{
    size_t i;

    for (i = from; i < r->nrows; i++)
        app_ignore(
            db_exec(db, SQL_RELEASE,
                    DB_ARGS(DB_I64(db_int(r, i, D_ID, 0)), DB_CSTR(owner)),
                    NULL, NULL),
            "an unreleased lease ends by itself");
}

/* One claimed batch, sent row by row. */
static void
deliver_batch(const struct conf *c, struct db *db, struct arena *a,
              const struct scheduler_opts *o, const struct fetch_policy *p,
              struct company_cache *sc, struct dead_targets *dead,
              const struct db_res *r, time_t now, struct scheduler_stats *st)
{
    size_t i;

    for (i = 0; i < r->nrows; i++) {
        struct outcome out;
        struct timespec t0, t1;
        const char *target = db_text(r, i, D_TARGET);

        if (o->stop != NULL && *o->stop) {
            release(db, r, i, o->owner);
            return;
        }
        if (o->tick != NULL)
            o->tick(o->tick_arg, "outbox");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (is_dead(dead, target)) {
            memset(&out, 0, sizeof(out));
            out.error = "target did not answer earlier in this pass";
        } else {
            send_one(c, db, a, p, sc, r, i, now, &out);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (!out.ok && out.status == 0 && dead->n < OUTBOX_DEAD_MAX &&
            !is_dead(dead, target) && out.error != NULL &&
            (strncmp(out.error, "timeout", 7) == 0 ||
             strncmp(out.error, "connect", 7) == 0))
            dead->url[dead->n++] = arena_strdup(a, target);
        record(c, db, a, r, i, now, o->owner, &out,
               (unsigned)((t1.tv_sec - t0.tv_sec) * 1000 +
                          (t1.tv_nsec - t0.tv_nsec) / 1000000),
               st);
    }
}

enum app_err
outbox_deliver(const struct conf *c, struct db *db, struct arena *a,
               const struct scheduler_opts *o, time_t now,
               struct scheduler_stats *st)
{
    struct netaddr_cidr allow[OUTBOX_ALLOW_MAX];
    struct fetch_policy p;
    struct company_cache sc;
    struct dead_targets dead;
    time_t started = time(NULL);

    outbox_policy(c, allow, &p);
    memset(&sc, 0, sizeof(sc));
    memset(&dead, 0, sizeof(dead));
    for (;;) {
        struct db_res r;
        /* The pass's clock moves on with real time: leases are measured
         * from when a batch is claimed, not from when the pass began. */
        time_t at = now + (time(NULL) - started);

        if (o->stop != NULL && *o->stop)
            return APP_OK;
        if (claim(db, a, at, o->owner, o->tenant_id, &r) != APP_OK)
            return APP_EDB;
        if (r.nrows == 0)
            return APP_OK;
        deliver_batch(c, db, a, o, &p, &sc, &dead, &r, at, st);
        /* The caches' strings lived in the arena: a new batch starts
         * them afresh (and tries each target once more). */
        arena_reset(a);
        sc.n = 0;
        dead.n = 0;
    }
}

enum app_err
outbox_list(struct ctx *cx, const char *status, size_t max, struct db_res *out)
{
    const char *s = status != NULL ? status : "";

    return db_query(cx->db, cx->a, SQL_LIST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(s), DB_CSTR(s),
                            DB_I64((int64_t)max)),
                    max, out);
}

enum app_err
outbox_retry(struct ctx *cx, int64_t id)
{
    char at[32];
    uint64_t affected = 0;
    struct db_res r;
    enum app_err rc =
        db_query(cx->db, cx->a,
                 "SELECT status FROM deliveries WHERE tenant_id = ? AND id = ?",
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &r);

    if (rc != APP_OK)
        return rc;
    if (r.nrows == 0)
        return APP_ENOTFOUND;
    if (strcmp(db_text(&r, 0, 0), "sent") == 0) {
        cx->err_detail = "delivery.already_sent";
        return APP_ECONFLICT;
    }
    tz_utc_text(time(NULL), at, sizeof(at));
    rc = db_exec(
        cx->db, SQL_RETRY,
        DB_ARGS(DB_CSTR(at), DB_I64(cx->tenant_id), DB_I64(id), DB_CSTR(at)),
        &affected, NULL);
    if (rc == APP_OK && affected == 0) {
        cx->err_detail = "delivery.sending"; /* being sent now */
        rc = APP_ECONFLICT;
    }
    return rc;
}

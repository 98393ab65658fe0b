/*
 * facts.c -- a tenant's metric facts: cold load, catching up from the
 * change sequence, and the memory bound (facts.h).
 */
#include "metrics/facts.h"
#include "metrics/facts_snap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "base/conf.h"
#include "base/log.h"
#include "db/db.h"
#include "rules/rules.h"

#define SECS(col) "TIMESTAMPDIFF(SECOND, '1970-01-01', " col ")"

static const char SQL_SNAPSHOT[] =
    "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
static const char SQL_END[] = "COMMIT";
static const char SQL_MAX_ID[] = "SELECT COALESCE(MAX(id), 0) FROM fact_log";
static const char SQL_RECENT_IDS[] =
    "SELECT id FROM fact_log WHERE id > ? ORDER BY id";
static const char SQL_USERS[] =
    "SELECT id, COALESCE(manager_id, 0), active, role = 'rep', "
    "role = 'manager', display_name FROM users WHERE tenant_id = ? "
    "ORDER BY id";
/* A store's customer (kind 'store', sales/stores.h) is visited but is not
 * in the sales pipeline: its owner, moves and activities stay out of the
 * facts, on the cold load and when catching up (kind FACT_STORE).
 * customers has no column customer_id: in NOT_STORE it is the outer
 * row's. */
#define NOT_STORE                                                              \
    " AND NOT EXISTS (SELECT 1 FROM customers sc WHERE sc.id = customer_id "   \
    "AND sc.kind = 'store')"
#define FACT_STORE 100
static const char SQL_CUSTOMERS[] =
    "SELECT id, owner_id FROM customers WHERE tenant_id = ? AND kind <> "
    "'store' ORDER BY id";
/* clang-format off: the SQL reads as SQL */
static const char SQL_MOVES[] = "SELECT id, customer_id, " SECS(
    "at") ", from_stage, to_stage, "
          "lost_reason, MICROSECOND(at) DIV 1000 FROM stage_events WHERE "
          "tenant_id = ?" NOT_STORE " ORDER BY at, id";
static const char SQL_ACTS[] =
    "SELECT customer_id, rep_id, " SECS("at") ", effective FROM activities "
                                              "WHERE tenant_id = ?" NOT_STORE;
static const char SQL_CHANGES[] =
    "SELECT id, tenant_id, IF(kind <= 5 AND EXISTS (SELECT 1 FROM customers "
    "sc WHERE sc.id = IF(fact_log.customer_id <> 0, fact_log.customer_id, "
    "fact_log.old_customer) AND sc.kind = 'store'), 100, kind), ref_id, "
    "customer_id, "
    "user_id, " SECS("at") ", flag, old_customer, "
                           "old_user, " SECS("old_at") ", "
                                                       "old_flag, "
                                                       "from_stage, "
                                                       "to_stage, reason, "
                                                       "COALESCE(MICROSECOND("
                                                       "at) DIV 1000, 0) "
                                                       "FROM fact_log WHERE "
                                                       "id > ? "
                                                       "ORDER BY id LIMIT "
                                                       "4096";
static const char SQL_PRUNE[] =
    "DELETE FROM fact_log WHERE created_at < UTC_TIMESTAMP(3) - INTERVAL 1 "
    "DAY ORDER BY id LIMIT 10000";
/* clang-format on */

static struct facts *tenants[FACTS_TENANTS_MAX];
static uint64_t versions; /* the last version given out */

static uint64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --- growing arrays ------------------------------------------------------ */

/* Whether p lies in the company's mapped snapshot (facts_snap.c): such
 * memory is never freed or reallocated, only copied out. */
static bool
in_map(const struct facts *f, const void *p)
{
    const char *b = f != NULL ? f->map : NULL;

    return b != NULL && (const char *)p >= b &&
           (const char *)p < b + f->map_len;
}

static void
release(const struct facts *f, void *p)
{
    if (!in_map(f, p))
        free(p);
}

/* realloc, or a copy out of the snapshot. */
static void *
resize(const struct facts *f, void *p, size_t old_bytes, size_t new_bytes)
{
    void *q;

    if (!in_map(f, p))
        return realloc(p, new_bytes);
    q = malloc(new_bytes);
    if (q != NULL)
        memcpy(q, p, old_bytes < new_bytes ? old_bytes : new_bytes);
    return q;
}

APP_MUST_USE static enum app_err
grow(const struct facts *f, void **p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap;
    void *q;

    if (need <= n)
        return APP_OK;
    n = n < 64 ? 64 : n;
    while (n < need)
        n += n / 2;
    q = resize(f, *p, *cap * size, n * size);
    if (q == NULL)
        return APP_ENOMEM;
    *p = q;
    *cap = n;
    return APP_OK;
}

void
facts_free(struct facts *f)
{
    size_t i;

    if (f == NULL)
        return;
    for (i = 0; i < f->nusers; i++)
        free(f->users[i].name);
    free(f->users);
    free(f->uhash);
    release(f, f->cust_id);
    release(f, f->cust_owner);
    release(f, f->cust_stage);
    release(f, f->cust_move_at);
    release(f, f->cust_move_ms);
    release(f, f->cust_move_id);
    release(f, f->cust_last_any);
    release(f, f->cust_last_eff);
    release(f, f->hash);
    release(f, f->moves);
    release(f, f->acts);
    release(f, f->day_off);
    if (f->map != NULL)
        munmap(f->map, f->map_len);
    free(f);
}

size_t
facts_bytes(const struct facts *f)
{
    return sizeof(*f) + f->cap_users * sizeof(*f->users) +
           f->cap_cust * (sizeof(int64_t) + 2 + 1 + 4 + 2 + 8 + 4 + 4) +
           f->hash_cap * 4 + f->uhash_cap * 2 +
           f->cap_moves * sizeof(*f->moves) + f->cap_acts * sizeof(*f->acts) +
           (f->ndays + 1) * 4;
}

size_t
facts_bytes_all(void)
{
    size_t i, n = 0;

    for (i = 0; i < FACTS_TENANTS_MAX; i++)
        n += tenants[i] != NULL ? facts_bytes(tenants[i]) : 0;
    return n;
}

void
facts_drop_all(void)
{
    size_t i;

    for (i = 0; i < FACTS_TENANTS_MAX; i++) {
        facts_free(tenants[i]);
        tenants[i] = NULL;
    }
}

/* --- people, customers, keys ------------------------------------------- */

static size_t
hash_of(int64_t id, size_t cap)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;

    return (size_t)(h >> 20) & (cap - 1);
}

APP_MUST_USE static enum app_err
rehash(struct facts *f, size_t cap)
{
    uint32_t *h = calloc(cap, sizeof(*h));
    size_t i;

    if (h == NULL)
        return APP_ENOMEM;
    for (i = 0; i < f->ncust; i++) {
        size_t s = hash_of(f->cust_id[i], cap);

        while (h[s] != 0)
            s = (s + 1) & (cap - 1);
        h[s] = (uint32_t)i + 1;
    }
    release(f, f->hash);
    f->hash = h;
    f->hash_cap = cap;
    return APP_OK;
}

static uint32_t
cust_find(const struct facts *f, int64_t id)
{
    size_t s;

    if (f->hash_cap == 0)
        return UINT32_MAX;
    for (s = hash_of(id, f->hash_cap); f->hash[s] != 0;
         s = (s + 1) & (f->hash_cap - 1))
        if (f->cust_id[f->hash[s] - 1] == id)
            return f->hash[s] - 1;
    return UINT32_MAX;
}

APP_MUST_USE static enum app_err
cust_grow(struct facts *f, size_t need)
{
    size_t cap = f->cap_cust, c2;
    enum app_err rc = APP_OK;

    if (need <= cap)
        return APP_OK;
#define GROW_ONE(arr)                                                          \
    c2 = cap;                                                                  \
    if (rc == APP_OK)                                                          \
        rc = grow(f, (void **)&f->arr, &c2, need, sizeof(*f->arr));
    GROW_ONE(cust_id)
    GROW_ONE(cust_owner)
    GROW_ONE(cust_stage)
    GROW_ONE(cust_move_at)
    GROW_ONE(cust_move_ms)
    GROW_ONE(cust_move_id)
    GROW_ONE(cust_last_any)
    GROW_ONE(cust_last_eff)
#undef GROW_ONE
    if (rc == APP_OK)
        f->cap_cust = c2;
    return rc;
}

/* The customer's number, added when new (owner unknown until told). */
APP_MUST_USE static enum app_err
cust_slot(struct facts *f, int64_t id, uint32_t *out)
{
    uint32_t c = cust_find(f, id);
    size_t s;

    if (c != UINT32_MAX) {
        *out = c;
        return APP_OK;
    }
    if (f->ncust >= (size_t)FACTS_EFF - 1)
        return APP_ETOOBIG;
    if (cust_grow(f, f->ncust + 1) != APP_OK ||
        ((f->ncust + 1) * 2 > f->hash_cap &&
         rehash(f, f->hash_cap ? f->hash_cap * 2 : 1024) != APP_OK))
        return APP_ENOMEM;
    c = (uint32_t)f->ncust++;
    f->cust_id[c] = id;
    f->cust_owner[c] = FACTS_NONE16;
    f->cust_stage[c] = FACTS_NONE8;
    f->cust_move_at[c] = 0;
    f->cust_move_ms[c] = 0;
    f->cust_move_id[c] = 0;
    f->cust_last_any[c] = 0;
    f->cust_last_eff[c] = 0;
    for (s = hash_of(id, f->hash_cap); f->hash[s] != 0;
         s = (s + 1) & (f->hash_cap - 1))
        ;
    f->hash[s] = c + 1;
    *out = c;
    return APP_OK;
}

uint16_t
facts_user_index(const struct facts *f, int64_t user_id)
{
    size_t s;

    if (f->uhash_cap == 0)
        return FACTS_NONE16;
    for (s = hash_of(user_id, f->uhash_cap); f->uhash[s] != 0;
         s = (s + 1) & (f->uhash_cap - 1))
        if (f->users[f->uhash[s] - 1].id == user_id)
            return (uint16_t)(f->uhash[s] - 1);
    return FACTS_NONE16;
}

APP_MUST_USE static enum app_err
user_rehash(struct facts *f, size_t cap)
{
    uint16_t *h = calloc(cap, sizeof(*h));
    size_t i;

    if (h == NULL)
        return APP_ENOMEM;
    for (i = 0; i < f->nusers; i++) {
        size_t s = hash_of(f->users[i].id, cap);

        while (h[s] != 0)
            s = (s + 1) & (cap - 1);
        h[s] = (uint16_t)(i + 1);
    }
    free(f->uhash);
    f->uhash = h;
    f->uhash_cap = cap;
    return APP_OK;
}

/* The user's number, adding a nameless one when unknown (numbers never
 * change: activities hold them). */
APP_MUST_USE static enum app_err
user_slot(struct facts *f, int64_t id, uint16_t *out)
{
    uint16_t u = facts_user_index(f, id);
    size_t s;

    if (u != FACTS_NONE16) {
        *out = u;
        return APP_OK;
    }
    if (f->nusers >= FACTS_USERS_MAX)
        return APP_ETOOBIG;
    if (grow(f, (void **)&f->users, &f->cap_users, f->nusers + 1,
             sizeof(*f->users)) != APP_OK ||
        ((f->nusers + 1) * 2 > f->uhash_cap &&
         user_rehash(f, f->uhash_cap ? f->uhash_cap * 2 : 256) != APP_OK))
        return APP_ENOMEM;
    memset(&f->users[f->nusers], 0, sizeof(*f->users));
    f->users[f->nusers].id = id;
    *out = (uint16_t)f->nusers++;
    for (s = hash_of(id, f->uhash_cap); f->uhash[s] != 0;
         s = (s + 1) & (f->uhash_cap - 1))
        ;
    f->uhash[s] = (uint16_t)f->nusers;
    return APP_OK;
}

/* A key's number in a small table of keys, added when new. */
static uint8_t
key_slot(char (*keys)[FACTS_KEY_MAX + 1], size_t *n, size_t max,
         const char *key)
{
    size_t i;

    if (key == NULL || key[0] == '\0')
        return FACTS_NONE8;
    for (i = 0; i < *n; i++)
        if (strcmp(keys[i], key) == 0)
            return (uint8_t)i;
    if (*n >= max)
        return FACTS_NONE8;
    snprintf(keys[*n], FACTS_KEY_MAX + 1, "%s", key);
    return (uint8_t)(*n)++;
}

uint8_t
facts_stage_index(const struct facts *f, const char *key)
{
    size_t i;

    for (i = 0; key != NULL && i < f->nstages; i++)
        if (strcmp(f->stage_keys[i], key) == 0)
            return (uint8_t)i;
    return FACTS_NONE8;
}

/* --- stage moves ---------------------------------------------------------- */

size_t
facts_move_from(const struct facts *f, int64_t t)
{
    size_t lo = 0, hi = f->nmoves;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if ((int64_t)f->moves[mid].at < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Moves are ordered by their time to the millisecond, then by id. */
static bool
move_before(const struct facts_move *a, uint32_t at2, uint16_t ms2,
            uint64_t id2)
{
    return a->at < at2 ||
           (a->at == at2 && (a->ms < ms2 || (a->ms == ms2 && a->id < id2)));
}

APP_MUST_USE static enum app_err
move_add(struct facts *f, const struct facts_move *m)
{
    size_t at = f->nmoves;

    if (grow(f, (void **)&f->moves, &f->cap_moves, f->nmoves + 1,
             sizeof(*f->moves)) != APP_OK)
        return APP_ENOMEM;
    while (at > 0 && move_before(m, f->moves[at - 1].at, f->moves[at - 1].ms,
                                 f->moves[at - 1].id))
        at--;
    if (at > 0 && f->moves[at - 1].id == m->id)
        return APP_OK; /* seen already */
    memmove(&f->moves[at + 1], &f->moves[at],
            (f->nmoves - at) * sizeof(*f->moves));
    f->moves[at] = *m;
    f->nmoves++;
    if (f->cust_move_id[m->cust] == 0 ||
        !move_before(m, f->cust_move_at[m->cust], f->cust_move_ms[m->cust],
                     f->cust_move_id[m->cust])) {
        f->cust_move_at[m->cust] = m->at;
        f->cust_move_ms[m->cust] = m->ms;
        f->cust_move_id[m->cust] = m->id;
        f->cust_stage[m->cust] = m->to;
    }
    return APP_OK;
}

/* --- activities --------------------------------------------------------- */

/* Make room for UTC day `day` in the day index. */
APP_MUST_USE static enum app_err
day_cover(struct facts *f, int64_t day)
{
    size_t add, i;
    uint32_t *p;

    if (f->ndays == 0) {
        p = calloc(2, sizeof(*p));
        if (p == NULL)
            return APP_ENOMEM;
        release(f, f->day_off);
        f->day_off = p;
        f->first_day = day;
        f->ndays = 1;
        return APP_OK;
    }
    if (day >= f->first_day && day < f->first_day + (int64_t)f->ndays)
        return APP_OK;
    if (day < f->first_day - 36600 || day > f->first_day + 36600)
        return APP_EINVAL; /* a century away: not a real activity time */
    add = day < f->first_day ? (size_t)(f->first_day - day)
                             : (size_t)(day - f->first_day) - f->ndays + 1;
    p = resize(f, f->day_off, (f->ndays + 1) * sizeof(*p),
               (f->ndays + add + 1) * sizeof(*p));
    if (p == NULL)
        return APP_ENOMEM;
    f->day_off = p;
    if (day < f->first_day) {
        memmove(p + add, p, (f->ndays + 1) * sizeof(*p));
        for (i = 0; i < add; i++)
            p[i] = 0;
        f->first_day = day;
    } else {
        for (i = f->ndays + 1; i <= f->ndays + add; i++)
            p[i] = p[f->ndays];
    }
    f->ndays += add;
    return APP_OK;
}

void
facts_days(const struct facts *f, int64_t lo, int64_t hi, size_t *d0,
           size_t *d1)
{
    int64_t a = lo >= 0 ? lo / 86400 : (lo - 86399) / 86400;
    int64_t b = hi > 0 ? (hi - 1) / 86400 + 1 : 0;

    a -= f->first_day;
    b -= f->first_day;
    a = a < 0 ? 0 : a > (int64_t)f->ndays ? (int64_t)f->ndays : a;
    b = b < a ? a : b > (int64_t)f->ndays ? (int64_t)f->ndays : b;
    *d0 = (size_t)a;
    *d1 = (size_t)b;
}

static struct facts_act
act_make(uint32_t cust, uint16_t rep, int64_t at, bool eff)
{
    struct facts_act a;

    a.cust_eff = cust | (eff ? FACTS_EFF : 0);
    a.rep_sec = ((uint32_t)rep << 17) | (uint32_t)(at % 86400);
    return a;
}

APP_MUST_USE static enum app_err
act_add(struct facts *f, uint32_t cust, uint16_t rep, int64_t at, bool eff)
{
    int64_t day = at / 86400;
    size_t d, pos, i;
    enum app_err rc;

    if (at <= 0 || at >= (int64_t)UINT32_MAX || rep > 0x7FFF)
        return APP_OK; /* not a time or person the metrics can hold */
    rc = day_cover(f, day);
    if (rc == APP_EINVAL)
        return APP_OK;
    if (rc != APP_OK || grow(f, (void **)&f->acts, &f->cap_acts, f->nacts + 1,
                             sizeof(*f->acts)) != APP_OK)
        return APP_ENOMEM;
    d = (size_t)(day - f->first_day);
    pos = f->day_off[d + 1];
    memmove(&f->acts[pos + 1], &f->acts[pos],
            (f->nacts - pos) * sizeof(*f->acts));
    f->acts[pos] = act_make(cust, rep, at, eff);
    f->nacts++;
    for (i = d + 1; i <= f->ndays; i++)
        f->day_off[i]++;
    if ((uint32_t)at > f->cust_last_any[cust])
        f->cust_last_any[cust] = (uint32_t)at;
    if (eff && (uint32_t)at > f->cust_last_eff[cust])
        f->cust_last_eff[cust] = (uint32_t)at;
    if ((uint32_t)at > f->max_act_at)
        f->max_act_at = (uint32_t)at;
    return APP_OK;
}

/* Find an activity with exactly these facts (equal ones are
 * interchangeable); SIZE_MAX when none. */
static size_t
act_find(const struct facts *f, uint32_t cust, uint16_t rep, int64_t at,
         bool eff)
{
    int64_t d = at / 86400 - f->first_day;
    struct facts_act want = act_make(cust, rep, at, eff);
    size_t i;

    if (at <= 0 || d < 0 || d >= (int64_t)f->ndays)
        return SIZE_MAX;
    for (i = f->day_off[d]; i < f->day_off[d + 1]; i++)
        if (f->acts[i].cust_eff == want.cust_eff &&
            f->acts[i].rep_sec == want.rep_sec)
            return i;
    return SIZE_MAX;
}

static void
act_remove(struct facts *f, size_t i, int64_t at)
{
    size_t d = (size_t)(at / 86400 - f->first_day), k;

    memmove(&f->acts[i], &f->acts[i + 1],
            (f->nacts - i - 1) * sizeof(*f->acts));
    f->nacts--;
    for (k = d + 1; k <= f->ndays; k++)
        f->day_off[k]--;
    f->last_exact = false; /* a latest time may have gone */
}

/* --- applying one change ------------------------------------------------ */

APP_MUST_USE static enum app_err
apply_act(struct facts *f, const struct db_row *r, bool add, bool del)
{
    uint32_t c;
    uint16_t u;
    enum app_err rc;

    if (del) { /* the old facts of a change or a removal */
        rc = cust_slot(f, r->ints[8], &c);
        if (rc == APP_OK)
            rc = user_slot(f, r->ints[9], &u);
        if (rc == APP_OK) {
            size_t i = act_find(f, c, u, r->ints[10], r->ints[11] != 0);
            bool same_day = add && r->ints[6] / 86400 == r->ints[10] / 86400 &&
                            r->ints[4] == r->ints[8] &&
                            r->ints[5] == r->ints[9];

            if (i != SIZE_MAX && same_day) { /* in place: usually the flag */
                f->acts[i] = act_make(c, u, r->ints[6], r->ints[7] != 0);
                if (r->ints[7] != 0 &&
                    (uint32_t)r->ints[6] > f->cust_last_eff[c])
                    f->cust_last_eff[c] = (uint32_t)r->ints[6];
                if (r->ints[7] == 0 || r->ints[6] != r->ints[10])
                    f->last_exact = false;
                return APP_OK;
            }
            if (i != SIZE_MAX)
                act_remove(f, i, r->ints[10]);
        }
        if (rc != APP_OK)
            return rc;
    }
    if (!add)
        return APP_OK;
    rc = cust_slot(f, r->ints[4], &c);
    if (rc == APP_OK)
        rc = user_slot(f, r->ints[5], &u);
    return rc == APP_OK ? act_add(f, c, u, r->ints[6], r->ints[7] != 0) : rc;
}

APP_MUST_USE static enum app_err
apply_move(struct facts *f, int64_t id, int64_t cust, int64_t at, int64_t ms,
           const char *from, const char *to, const char *reason)
{
    struct facts_move m;
    uint32_t c;
    enum app_err rc = cust_slot(f, cust, &c);

    if (rc != APP_OK || at <= 0 || at >= (int64_t)UINT32_MAX)
        return rc;
    memset(&m, 0, sizeof(m));
    m.id = (uint64_t)id;
    m.at = (uint32_t)at;
    m.ms = (uint16_t)(ms >= 0 && ms < 1000 ? ms : 0);
    m.cust = c;
    m.from = key_slot(f->stage_keys, &f->nstages, FACTS_STAGES_MAX, from);
    m.to = key_slot(f->stage_keys, &f->nstages, FACTS_STAGES_MAX, to);
    m.reason =
        key_slot(f->reason_keys, &f->nreasons, FACTS_REASONS_MAX, reason);
    return move_add(f, &m);
}

APP_MUST_USE static enum app_err
apply_owner(struct facts *f, int64_t cust, int64_t owner)
{
    uint32_t c;
    uint16_t u;
    enum app_err rc = cust_slot(f, cust, &c);

    if (rc == APP_OK)
        rc = user_slot(f, owner, &u);
    if (rc == APP_OK)
        f->cust_owner[c] = u;
    return rc;
}

/* A change row: id, tenant, kind, ref, customer, user, at, flag,
 * old customer, old user, old at, old flag, from, to, reason. */
APP_MUST_USE static enum app_err
apply(struct facts *f, const struct db_row *r)
{
    f->version = ++versions;
    switch (r->ints[2]) {
    case 1:
        return apply_act(f, r, true, false);
    case 2:
        return apply_act(f, r, true, true);
    case 3:
        return apply_act(f, r, false, true);
    case 4:
        return apply_move(f, r->ints[3], r->ints[4], r->ints[6], r->ints[15],
                          r->texts[12], r->texts[13], r->texts[14]);
    case 5:
        return apply_owner(f, r->ints[4], r->ints[5]);
    case 7:
        f->reload_users = true;
        return APP_OK;
    case 8:
        f->recheck_rules = true;
        return APP_OK;
    case FACT_STORE:
        return APP_OK; /* about a store's customer: not the pipeline's */
    default:
        f->reload = true; /* 9, or a kind this version does not know */
        return APP_OK;
    }
}

/* --- catching up ---------------------------------------------------------- */

/* Whether id is awaited; if so it is no longer. */
static bool
gap_take(struct facts *f, uint64_t id)
{
    size_t i;

    for (i = 0; i < f->ngaps; i++) {
        if (id < f->gap_lo[i] || id >= f->gap_hi[i])
            continue;
        if (id == f->gap_lo[i]) {
            f->gap_lo[i]++;
        } else if (id + 1 == f->gap_hi[i]) {
            f->gap_hi[i]--;
        } else if (f->ngaps < FACTS_GAPS_MAX) { /* split the range */
            f->gap_lo[f->ngaps] = id + 1;
            f->gap_hi[f->ngaps] = f->gap_hi[i];
            f->gap_ms[f->ngaps++] = f->gap_ms[i];
            f->gap_hi[i] = id;
        } else {
            f->reload = true; /* too scattered to follow: read again */
        }
        if (f->gap_lo[i] >= f->gap_hi[i]) {
            f->ngaps--;
            f->gap_lo[i] = f->gap_lo[f->ngaps];
            f->gap_hi[i] = f->gap_hi[f->ngaps];
            f->gap_ms[i] = f->gap_ms[f->ngaps];
        }
        return true;
    }
    return false;
}

/* Ids [from, to) were skipped: a transaction still open holds them, or
 * they were rolled back. */
static void
gaps_add(struct facts *f, uint64_t from, uint64_t to, uint64_t now)
{
    if (f->ngaps >= FACTS_GAPS_MAX) {
        f->reload = true; /* too many open transactions to follow */
        return;
    }
    f->gap_lo[f->ngaps] = from;
    f->gap_hi[f->ngaps] = to;
    f->gap_ms[f->ngaps++] = now;
}

static void
gaps_expire(struct facts *f, uint64_t now)
{
    size_t i = 0;

    while (i < f->ngaps)
        if (now - f->gap_ms[i] > FACTS_GAP_S * 1000u) {
            f->ngaps--;
            f->gap_lo[i] = f->gap_lo[f->ngaps];
            f->gap_hi[i] = f->gap_hi[f->ngaps];
            f->gap_ms[i] = f->gap_ms[f->ngaps];
        } else {
            i++;
        }
}

struct catch_up {
    struct facts *f;
    size_t rows;
    uint64_t now;
};

APP_MUST_USE static enum app_err
on_change(void *arg, const struct db_row *r)
{
    struct catch_up *cu = arg;
    struct facts *f = cu->f;
    uint64_t id = (uint64_t)r->ints[0];
    bool mine = r->ints[1] == f->tenant_id;

    cu->rows++;
    if (id <= f->cursor) /* read again while a gap is awaited */
        return gap_take(f, id) && mine ? apply(f, r) : APP_OK;
    if (id > f->cursor + 1)
        gaps_add(f, f->cursor + 1, id, cu->now);
    f->cursor = id;
    return mine ? apply(f, r) : APP_OK;
}

APP_MUST_USE static enum app_err load_users(struct ctx *cx, struct facts *f);

APP_MUST_USE static enum app_err
catch_up(struct ctx *cx, struct facts *f)
{
    struct catch_up cu = { .f = f, .now = mono_ms() };
    enum app_err rc = APP_OK;
    int round;

    for (round = 0; rc == APP_OK && round < 16 && !f->reload; round++) {
        uint64_t from = f->cursor, min = f->cursor;
        size_t i;

        for (i = 0; i < f->ngaps; i++)
            min = f->gap_lo[i] - 1 < min ? f->gap_lo[i] - 1 : min;
        from = min;
        cu.rows = 0;
        rc = db_scan(cx->db, SQL_CHANGES, DB_ARGS(DB_I64(from)),
                     (1u << 12) | (1u << 13) | (1u << 14), on_change, &cu);
        gaps_expire(f, cu.now);
        if (cu.rows < FACTS_BATCH)
            break;
    }
    if (rc == APP_OK && round == 16)
        f->reload = true; /* far behind: loading is quicker */
    if (rc == APP_OK && f->reload_users && !f->reload)
        rc = load_users(cx, f);
    if (f->recheck_rules) { /* thresholds may have changed: at once */
        rules_recheck(cx->rules, f->tenant_id);
        f->recheck_rules = false;
    }
    return rc;
}

/* --- the cold load ----------------------------------------------------------
 */

APP_MUST_USE static enum app_err
on_user(void *arg, const struct db_row *r)
{
    struct facts *f = arg;
    uint16_t u;
    enum app_err rc = user_slot(f, r->ints[0], &u);
    struct facts_user *p;
    char *name;

    if (rc != APP_OK)
        return rc;
    p = &f->users[u];
    name = strdup(r->texts[5] != NULL ? r->texts[5] : "");
    if (name == NULL)
        return APP_ENOMEM;
    free(p->name);
    p->name = name;
    p->manager_id = r->ints[1];
    p->active = r->ints[2] != 0;
    p->rep = r->ints[3] != 0;
    p->manager = r->ints[4] != 0;
    return APP_OK;
}

APP_MUST_USE static enum app_err
load_users(struct ctx *cx, struct facts *f)
{
    f->reload_users = false;
    return db_scan(cx->db, SQL_USERS, DB_ARGS(DB_I64(f->tenant_id)), 1u << 5,
                   on_user, f);
}

APP_MUST_USE static enum app_err
on_customer(void *arg, const struct db_row *r)
{
    return apply_owner(arg, r->ints[0], r->ints[1]);
}

APP_MUST_USE static enum app_err
on_move(void *arg, const struct db_row *r)
{
    return apply_move(arg, r->ints[0], r->ints[1], r->ints[2], r->ints[6],
                      r->texts[3], r->texts[4], r->texts[5]);
}

/* Activities arrive in no order: kept as they come, then sorted by day
 * (a counting sort over the day numbers). */
struct act_load {
    struct facts *f;
    struct facts_act *raw;
    int32_t *day;
    size_t n, cap, cap_day;
    int64_t dmin, dmax;
};

APP_MUST_USE static enum app_err
on_act(void *arg, const struct db_row *r)
{
    struct act_load *l = arg;
    uint32_t c;
    uint16_t u;
    int64_t at = r->ints[2], d = at / 86400;
    enum app_err rc;
    size_t cap = l->cap;

    if (at <= 0 || at >= (int64_t)UINT32_MAX)
        return APP_OK;
    rc = cust_slot(l->f, r->ints[0], &c);
    if (rc == APP_OK)
        rc = user_slot(l->f, r->ints[1], &u);
    if (rc != APP_OK || u > 0x7FFF)
        return rc;
    if (grow(NULL, (void **)&l->raw, &l->cap, l->n + 1, sizeof(*l->raw)) !=
            APP_OK ||
        grow(NULL, (void **)&l->day, &cap, l->n + 1, sizeof(*l->day)) != APP_OK)
        return APP_ENOMEM;
    l->raw[l->n] = act_make(c, u, at, r->ints[3] != 0);
    l->day[l->n++] = (int32_t)d;
    l->dmin = l->n == 1 || d < l->dmin ? d : l->dmin;
    l->dmax = l->n == 1 || d > l->dmax ? d : l->dmax;
    if ((uint32_t)at > l->f->cust_last_any[c])
        l->f->cust_last_any[c] = (uint32_t)at;
    if (r->ints[3] != 0 && (uint32_t)at > l->f->cust_last_eff[c])
        l->f->cust_last_eff[c] = (uint32_t)at;
    if ((uint32_t)at > l->f->max_act_at)
        l->f->max_act_at = (uint32_t)at;
    return APP_OK;
}

APP_MUST_USE static enum app_err
acts_place(struct act_load *l)
{
    struct facts *f = l->f;
    size_t ndays = (size_t)(l->dmax - l->dmin + 1), i;
    uint32_t *off, *fill;

    if (l->n == 0)
        return APP_OK;
    off = calloc(ndays + 1, sizeof(*off));
    fill = calloc(ndays + 1, sizeof(*fill));
    f->acts = malloc(l->n * sizeof(*f->acts));
    if (off == NULL || fill == NULL || f->acts == NULL) {
        free(off);
        free(fill);
        return APP_ENOMEM;
    }
    for (i = 0; i < l->n; i++)
        off[l->day[i] - l->dmin + 1]++;
    for (i = 1; i <= ndays; i++)
        off[i] += off[i - 1];
    memcpy(fill, off, (ndays + 1) * sizeof(*fill));
    for (i = 0; i < l->n; i++)
        f->acts[fill[l->day[i] - l->dmin]++] = l->raw[i];
    free(fill);
    release(f, f->day_off);
    f->day_off = off;
    f->first_day = l->dmin;
    f->ndays = ndays;
    f->nacts = f->cap_acts = l->n;
    return APP_OK;
}

APP_MUST_USE static enum app_err
on_recent_id(void *arg, const struct db_row *r)
{
    struct catch_up *cu = arg;

    /* ids below the snapshot's highest that it does not hold: awaited */
    if ((uint64_t)r->ints[0] > cu->f->cursor + 1)
        gaps_add(cu->f, cu->f->cursor + 1, (uint64_t)r->ints[0], cu->now);
    cu->f->cursor = (uint64_t)r->ints[0];
    return APP_OK;
}

/* Everything, read in one consistent snapshot. */
APP_MUST_USE static enum app_err
load_snapshot(struct ctx *cx, struct facts *f)
{
    struct act_load l = { .f = f };
    struct catch_up cu = { .f = f, .now = mono_ms() };
    struct db_val t = DB_I64(f->tenant_id);
    struct db_res m;
    enum app_err rc = db_exec(cx->db, SQL_SNAPSHOT, DB_NOARGS, NULL, NULL);
    int64_t top = 0;

    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_MAX_ID, DB_NOARGS, 1, &m);
    if (rc == APP_OK) {
        top = db_int(&m, 0, 0, 0);
        f->cursor = top > 4096 ? (uint64_t)(top - 4096) : 0;
        rc = db_scan(cx->db, SQL_RECENT_IDS, DB_ARGS(DB_I64(f->cursor)), 0,
                     on_recent_id, &cu);
    }
    if (rc == APP_OK && f->cursor < (uint64_t)top)
        f->cursor = (uint64_t)top;
    if (rc == APP_OK)
        rc = load_users(cx, f);
    if (rc == APP_OK)
        rc = db_scan(cx->db, SQL_CUSTOMERS, &t, 1, 0, on_customer, f);
    if (rc == APP_OK)
        rc = db_scan(cx->db, SQL_MOVES, &t, 1,
                     (1u << 3) | (1u << 4) | (1u << 5), on_move, f);
    if (rc == APP_OK)
        rc = db_scan(cx->db, SQL_ACTS, &t, 1, 0, on_act, &l);
    if (rc == APP_OK)
        rc = acts_place(&l);
    free(l.raw);
    free(l.day);
    app_ignore(db_exec(cx->db, SQL_END, DB_NOARGS, NULL, NULL),
               "a read-only snapshot: nothing to lose if its end fails");
    f->reload = false; /* just read: skipped ids past the cap are lost */
    return rc;
}

/* --- the companies of this process ---------------------------------------- */

/* Drop the least recently used company; its slot (FACTS_TENANTS_MAX when
 * none is held). */
static size_t
drop_oldest(void)
{
    size_t i, old = FACTS_TENANTS_MAX;

    for (i = 0; i < FACTS_TENANTS_MAX; i++)
        if (tenants[i] != NULL && (old == FACTS_TENANTS_MAX ||
                                   tenants[i]->used_ms < tenants[old]->used_ms))
            old = i;
    if (old < FACTS_TENANTS_MAX) {
        log_info("metrics.evict", "tenant=%lld bytes=%zu",
                 (long long)tenants[old]->tenant_id, facts_bytes(tenants[old]));
        facts_free(tenants[old]);
        tenants[old] = NULL;
    }
    return old;
}

/* Drop the least recently used companies until the process is within
 * conf->metrics_mb. */
static void
make_room(const struct ctx *cx)
{
    size_t cap = (size_t)cx->conf->metrics_mb * 1024u * 1024u;

    while (facts_bytes_all() > cap && drop_oldest() < FACTS_TENANTS_MAX)
        ;
}

/* Read the company from the database, write its snapshot and map it
 * (so the other workers share it); the heap copy when that fails. */
APP_MUST_USE static enum app_err
load_database(struct ctx *cx, uint64_t t0, struct facts **out)
{
    struct facts *f = calloc(1, sizeof(*f)), *m;
    enum app_err rc = f != NULL ? APP_OK : APP_ENOMEM;

    if (rc == APP_OK) {
        f->tenant_id = cx->tenant_id;
        f->last_exact = true;
        rc = load_snapshot(cx, f);
    }
    if (rc != APP_OK) {
        facts_free(f);
        return rc;
    }
    if (facts_snap_save(cx, f) &&
        (m = facts_snap_map(cx, cx->tenant_id, t0)) != NULL) {
        m->last_exact = f->last_exact;
        facts_free(f);
        f = m;
    }
    *out = f;
    return APP_OK;
}

APP_MUST_USE static enum app_err
load(struct ctx *cx, size_t slot)
{
    uint64_t t0 = mono_ms();
    int lock = facts_snap_lock(cx, cx->tenant_id);
    struct facts *f = facts_snap_map(cx, cx->tenant_id, t0);
    const char *from = "snapshot";
    enum app_err rc = APP_OK;

    if (f != NULL) { /* another worker's load: catch up from its point */
        rc = catch_up(cx, f);
        if (rc != APP_OK || f->reload) {
            facts_free(f);
            f = NULL;
        }
    }
    if (f == NULL && (rc == APP_OK || rc == APP_ENOMEM)) {
        from = "database";
        rc = load_database(cx, t0, &f);
    }
    facts_snap_unlock(lock);
    if (rc != APP_OK)
        return rc;
    f->loaded_ms = f->used_ms = mono_ms();
    f->version = ++versions;
    log_info("metrics.load",
             "tenant=%lld from=%s customers=%zu moves=%zu activities=%zu "
             "bytes=%zu shared=%d ms=%llu",
             (long long)f->tenant_id, from, f->ncust, f->nmoves, f->nacts,
             facts_bytes(f), f->map != NULL,
             (unsigned long long)(f->loaded_ms - t0));
    tenants[slot] = f;
    make_room(cx);
    return tenants[slot] != NULL ? APP_OK : APP_ETOOBIG;
}

enum app_err
facts_get(struct ctx *cx, struct facts **out)
{
    uint64_t now = mono_ms();
    size_t i, slot = FACTS_TENANTS_MAX;
    struct facts *f = NULL;
    enum app_err rc;

    if (db_in_tx(cx->db) || cx->tenant_id <= 0)
        return APP_EINTERNAL;
    for (i = 0; i < FACTS_TENANTS_MAX; i++) {
        struct facts *t = tenants[i];

        if (t != NULL && now - t->used_ms > FACTS_IDLE_S * 1000u) {
            facts_free(t); /* its changes may have been pruned */
            tenants[i] = t = NULL;
        }
        if (t != NULL && t->tenant_id == cx->tenant_id)
            f = t, slot = i;
        else if (t == NULL && slot == FACTS_TENANTS_MAX)
            slot = i;
    }
    if (f != NULL && cx->facts_top != 0 && f->ngaps == 0 &&
        f->cursor >= cx->facts_top && !f->reload) {
        f->used_ms = now; /* nothing committed since: no round trip */
        *out = f;
        return APP_OK;
    }
    if (f != NULL) {
        f->used_ms = now;
        rc = catch_up(cx, f);
        if (rc != APP_OK || !f->reload) {
            *out = f;
            return rc;
        }
        facts_free(f);
        tenants[slot] = NULL;
    }
    if (slot == FACTS_TENANTS_MAX)
        slot = drop_oldest(); /* every slot taken */
    rc = slot < FACTS_TENANTS_MAX ? load(cx, slot) : APP_ETOOBIG;
    *out = rc == APP_OK ? tenants[slot] : NULL;
    return rc;
}

enum app_err
facts_prune(struct ctx *cx)
{
    return db_exec(cx->db, SQL_PRUNE, DB_NOARGS, NULL, NULL);
}

enum app_err
facts_version(struct ctx *cx, uint64_t *out)
{
    struct facts *f;
    enum app_err rc = facts_get(cx, &f);

    *out = rc == APP_OK ? f->version : 0;
    return rc;
}

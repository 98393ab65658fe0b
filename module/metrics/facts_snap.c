/*
 * facts_snap.c -- a company's facts as a file that every worker of a host
 * maps (facts_snap.h): one copy in memory per host instead of one per
 * worker, and a cold start that reads a file instead of the tables.
 */
#include "metrics/facts_snap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/conf.h"
#include "base/log.h"

#define SNAP_MAGIC "PLFACT02"
#define SNAP_ALIGN 64

enum {
    A_USERS,
    A_NAMES,
    A_UHASH,
    A_CUST_ID,
    A_CUST_OWNER,
    A_CUST_STAGE,
    A_CUST_MOVE_AT,
    A_CUST_MOVE_MS,
    A_CUST_MOVE_ID,
    A_CUST_LAST_ANY,
    A_CUST_LAST_EFF,
    A_HASH,
    A_MOVES,
    A_ACTS,
    A_DAY_OFF,
    A_COUNT
};

struct snap_head {
    char magic[8];
    uint32_t head_size, act_size, move_size, user_size;
    int64_t tenant_id;
    int64_t written; /* wall clock, seconds */
    uint64_t cursor, ngaps;
    uint64_t gap_lo[FACTS_GAPS_MAX], gap_hi[FACTS_GAPS_MAX];
    uint64_t nusers, uhash_cap, ncust, cap_cust, hash_cap, nmoves, cap_moves;
    uint64_t nacts, cap_acts, ndays, nstages, nreasons;
    int64_t first_day;
    uint32_t max_act_at, last_exact;
    char stage_keys[FACTS_STAGES_MAX][FACTS_KEY_MAX + 1];
    char reason_keys[FACTS_REASONS_MAX][FACTS_KEY_MAX + 1];
    uint64_t off[A_COUNT], len[A_COUNT];
};

/* The file and its lock for the company. */
static void
paths(const struct ctx *cx, int64_t tenant, char *file, char *lock, size_t n)
{
    snprintf(file, n, "%s/facts/%lld.facts", cx->conf->tmp_dir,
             (long long)tenant);
    snprintf(lock, n, "%s/facts/%lld.lock", cx->conf->tmp_dir,
             (long long)tenant);
}

int
facts_snap_lock(const struct ctx *cx, int64_t tenant)
{
    char file[1024], lock[1024], dir[1024];
    int fd;

    snprintf(dir, sizeof(dir), "%s/facts", cx->conf->tmp_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    paths(cx, tenant, file, lock, sizeof(file));
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

void
facts_snap_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the lock */
}

/* --- writing ---------------------------------------------------------------
 */

struct part {
    const void *p;
    size_t used, cap; /* bytes with data, bytes reserved (zeroed after) */
};

static void
plan(const struct facts *f, struct part *pt, char *names, size_t *names_len)
{
    size_t cc = f->ncust + f->ncust / 8 + 256;
    size_t cm = f->nmoves + f->nmoves / 8 + 256;
    size_t ca = f->nacts + f->nacts / 16 + 4096;
    size_t i, k = 0;

    for (i = 0; i < f->nusers; i++) {
        const char *nm = f->users[i].name != NULL ? f->users[i].name : "";
        size_t l = strlen(nm) + 1;

        memcpy(names + k, nm, l);
        k += l;
    }
    *names_len = k;
#define PART(ix, ptr, n, c, sz)                                                \
    pt[ix] = (struct part){ (ptr), (n) * (sz), (c) * (sz) }
    PART(A_USERS, f->users, f->nusers, f->nusers, sizeof(*f->users));
    PART(A_NAMES, names, k, k, 1);
    PART(A_UHASH, f->uhash, f->uhash_cap, f->uhash_cap, 2);
    PART(A_CUST_ID, f->cust_id, f->ncust, cc, 8);
    PART(A_CUST_OWNER, f->cust_owner, f->ncust, cc, 2);
    PART(A_CUST_STAGE, f->cust_stage, f->ncust, cc, 1);
    PART(A_CUST_MOVE_AT, f->cust_move_at, f->ncust, cc, 4);
    PART(A_CUST_MOVE_MS, f->cust_move_ms, f->ncust, cc, 2);
    PART(A_CUST_MOVE_ID, f->cust_move_id, f->ncust, cc, 8);
    PART(A_CUST_LAST_ANY, f->cust_last_any, f->ncust, cc, 4);
    PART(A_CUST_LAST_EFF, f->cust_last_eff, f->ncust, cc, 4);
    PART(A_HASH, f->hash, f->hash_cap, f->hash_cap, 4);
    PART(A_MOVES, f->moves, f->nmoves, cm, sizeof(*f->moves));
    PART(A_ACTS, f->acts, f->nacts, ca, sizeof(*f->acts));
    PART(A_DAY_OFF, f->day_off, f->ndays + (f->ndays > 0), f->ndays + 1, 4);
#undef PART
}

static bool
write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

static void
head_of(const struct facts *f, const struct part *pt, struct snap_head *h)
{
    uint64_t at = (sizeof(*h) + SNAP_ALIGN - 1) / SNAP_ALIGN * SNAP_ALIGN;
    size_t i;

    memset(h, 0, sizeof(*h));
    memcpy(h->magic, SNAP_MAGIC, 8);
    h->head_size = sizeof(*h);
    h->act_size = sizeof(struct facts_act);
    h->move_size = sizeof(struct facts_move);
    h->user_size = sizeof(struct facts_user);
    h->tenant_id = f->tenant_id;
    h->written = (int64_t)time(NULL);
    h->cursor = f->cursor;
    h->ngaps = f->ngaps;
    memcpy(h->gap_lo, f->gap_lo, sizeof(h->gap_lo));
    memcpy(h->gap_hi, f->gap_hi, sizeof(h->gap_hi));
    h->nusers = f->nusers;
    h->uhash_cap = f->uhash_cap;
    h->ncust = f->ncust;
    h->cap_cust = pt[A_CUST_ID].cap / 8;
    h->hash_cap = f->hash_cap;
    h->nmoves = f->nmoves;
    h->cap_moves = pt[A_MOVES].cap / sizeof(struct facts_move);
    h->nacts = f->nacts;
    h->cap_acts = pt[A_ACTS].cap / sizeof(struct facts_act);
    h->ndays = f->ndays;
    h->nstages = f->nstages;
    h->nreasons = f->nreasons;
    h->first_day = f->first_day;
    h->max_act_at = f->max_act_at;
    h->last_exact = f->last_exact;
    memcpy(h->stage_keys, f->stage_keys, sizeof(h->stage_keys));
    memcpy(h->reason_keys, f->reason_keys, sizeof(h->reason_keys));
    for (i = 0; i < A_COUNT; i++) {
        h->off[i] = at;
        h->len[i] = pt[i].cap;
        at += (pt[i].cap + SNAP_ALIGN - 1) / SNAP_ALIGN * SNAP_ALIGN;
    }
}

/* Write everything to fd: the head, then each part padded with zeros. */
static bool
write_parts(int fd, const struct snap_head *h, const struct part *pt)
{
    static const char zeros[4096];
    uint64_t at = sizeof(*h);
    size_t i;

    if (!write_all(fd, h, sizeof(*h)))
        return false;
    for (i = 0; i < A_COUNT; i++) {
        uint64_t end = h->off[i] + h->len[i];

        while (at < h->off[i]) { /* alignment */
            size_t n =
                h->off[i] - at < sizeof(zeros) ? h->off[i] - at : sizeof(zeros);

            if (!write_all(fd, zeros, n))
                return false;
            at += n;
        }
        if (pt[i].used > 0 && !write_all(fd, pt[i].p, pt[i].used))
            return false;
        at += pt[i].used;
        while (at < end) {
            size_t n = end - at < sizeof(zeros) ? end - at : sizeof(zeros);

            if (!write_all(fd, zeros, n))
                return false;
            at += n;
        }
    }
    return true;
}

bool
facts_snap_save(const struct ctx *cx, const struct facts *f)
{
    char file[1024], lock[1024], tmp[1100];
    struct snap_head *h = malloc(sizeof(*h));
    struct part pt[A_COUNT];
    char *names = malloc(f->nusers * 201 + 1);
    size_t names_len;
    struct facts_user *users = malloc((f->nusers + 1) * sizeof(*users));
    bool ok = h != NULL && names != NULL && users != NULL;
    int fd = -1;

    paths(cx, f->tenant_id, file, lock, sizeof(file));
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", file, (long)getpid());
    if (ok) {
        size_t i;

        for (i = 0; i < f->nusers; i++) { /* names travel apart */
            users[i] = f->users[i];
            users[i].name = NULL;
        }
        for (i = 0; i < f->nusers; i++) /* bounded like display names */
            if (f->users[i].name != NULL && strlen(f->users[i].name) > 200)
                ok = false;
        plan(f, pt, names, &names_len);
        pt[A_USERS].p = users;
        head_of(f, pt, h);
        fd =
            ok ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    }
    ok = fd >= 0 && write_parts(fd, h, pt) && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    ok = ok && rename(tmp, file) == 0;
    if (!ok) {
        unlink(tmp);
        log_warn("metrics.snapshot_failed", "tenant=%lld errno=%d",
                 (long long)f->tenant_id, errno);
    }
    free(h);
    free(names);
    free(users);
    return ok;
}

/* --- mapping ---------------------------------------------------------- */

static bool
head_ok(const struct snap_head *h, int64_t tenant, size_t size)
{
    size_t i;

    if (memcmp(h->magic, SNAP_MAGIC, 8) != 0 || h->head_size != sizeof(*h) ||
        h->act_size != sizeof(struct facts_act) ||
        h->move_size != sizeof(struct facts_move) ||
        h->user_size != sizeof(struct facts_user) || h->tenant_id != tenant ||
        h->ngaps > FACTS_GAPS_MAX || h->nusers > FACTS_USERS_MAX ||
        h->nstages > FACTS_STAGES_MAX || h->nreasons > FACTS_REASONS_MAX ||
        h->ncust > h->cap_cust || h->nmoves > h->cap_moves ||
        h->nacts > h->cap_acts || (h->hash_cap & (h->hash_cap - 1)) != 0 ||
        (h->uhash_cap & (h->uhash_cap - 1)) != 0)
        return false;
    for (i = 0; i < A_COUNT; i++)
        if (h->off[i] > size || h->len[i] > size - h->off[i])
            return false;
    return h->len[A_USERS] == h->nusers * sizeof(struct facts_user) &&
           h->len[A_UHASH] == h->uhash_cap * 2 &&
           h->len[A_CUST_ID] == h->cap_cust * 8 &&
           h->len[A_CUST_OWNER] == h->cap_cust * 2 &&
           h->len[A_CUST_STAGE] == h->cap_cust &&
           h->len[A_CUST_MOVE_AT] == h->cap_cust * 4 &&
           h->len[A_CUST_MOVE_MS] == h->cap_cust * 2 &&
           h->len[A_CUST_MOVE_ID] == h->cap_cust * 8 &&
           h->len[A_CUST_LAST_ANY] == h->cap_cust * 4 &&
           h->len[A_CUST_LAST_EFF] == h->cap_cust * 4 &&
           h->len[A_HASH] == h->hash_cap * 4 &&
           h->len[A_MOVES] == h->cap_moves * sizeof(struct facts_move) &&
           h->len[A_ACTS] == h->cap_acts * sizeof(struct facts_act) &&
           h->len[A_DAY_OFF] == (h->ndays + 1) * 4 &&
           h->ncust * 2 <= h->hash_cap + (h->ncust == 0);
}

/* The people: copied out of the file (they are few, and have names). */
static bool
users_of(struct facts *f, const struct snap_head *h, const char *base)
{
    const char *nm = base + h->off[A_NAMES];
    const char *end = nm + h->len[A_NAMES];
    size_t i;

    f->users = calloc(h->nusers + 1, sizeof(*f->users));
    f->uhash = malloc(h->uhash_cap * 2 + 2);
    if (f->users == NULL || f->uhash == NULL)
        return false;
    memcpy(f->users, base + h->off[A_USERS], h->len[A_USERS]);
    memcpy(f->uhash, base + h->off[A_UHASH], h->len[A_UHASH]);
    f->nusers = f->cap_users = h->nusers;
    f->uhash_cap = h->uhash_cap;
    for (i = 0; i < h->nusers; i++) {
        size_t l = strnlen(nm, (size_t)(end - nm));

        f->users[i].name = nm < end ? strndup(nm, l) : strdup("");
        if (f->users[i].name == NULL) {
            f->nusers = i;
            return false;
        }
        nm += nm < end ? l + 1 : 0;
    }
    return true;
}

static void
arrays_of(struct facts *f, const struct snap_head *h, char *base)
{
#define AT(ix) ((void *)(base + h->off[ix]))
    f->cust_id = AT(A_CUST_ID);
    f->cust_owner = AT(A_CUST_OWNER);
    f->cust_stage = AT(A_CUST_STAGE);
    f->cust_move_at = AT(A_CUST_MOVE_AT);
    f->cust_move_ms = AT(A_CUST_MOVE_MS);
    f->cust_move_id = AT(A_CUST_MOVE_ID);
    f->cust_last_any = AT(A_CUST_LAST_ANY);
    f->cust_last_eff = AT(A_CUST_LAST_EFF);
    f->hash = AT(A_HASH);
    f->moves = AT(A_MOVES);
    f->acts = AT(A_ACTS);
    f->day_off = AT(A_DAY_OFF);
#undef AT
    f->ncust = h->ncust;
    f->cap_cust = h->cap_cust;
    f->hash_cap = h->hash_cap;
    f->nmoves = h->nmoves;
    f->cap_moves = h->cap_moves;
    f->nacts = h->nacts;
    f->cap_acts = h->cap_acts;
    f->ndays = h->ndays;
    f->first_day = h->first_day;
    f->max_act_at = h->max_act_at;
    f->last_exact = h->last_exact != 0;
    f->nstages = h->nstages;
    f->nreasons = h->nreasons;
    memcpy(f->stage_keys, h->stage_keys, sizeof(f->stage_keys));
    memcpy(f->reason_keys, h->reason_keys, sizeof(f->reason_keys));
    f->cursor = h->cursor;
}

struct facts *
facts_snap_map(const struct ctx *cx, int64_t tenant, uint64_t now_ms)
{
    char file[1024], lock[1024];
    struct stat st;
    struct facts *f = NULL;
    const struct snap_head *h;
    void *base;
    int fd;

    paths(cx, tenant, file, lock, sizeof(file));
    fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(*h)) {
        close(fd);
        return NULL;
    }
    base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
                fd, 0);
    close(fd);
    if (base == MAP_FAILED)
        return NULL;
    h = base;
    if (!head_ok(h, tenant, (size_t)st.st_size) ||
        time(NULL) - h->written > FACTS_SNAP_MAX_S ||
        (f = calloc(1, sizeof(*f))) == NULL) {
        munmap(base, (size_t)st.st_size);
        return NULL;
    }
    f->map = base;
    f->map_len = (size_t)st.st_size;
    f->tenant_id = tenant;
    arrays_of(f, h, base);
    if (time(NULL) - h->written <= FACTS_GAP_S) { /* still awaited */
        size_t i;

        f->ngaps = h->ngaps;
        for (i = 0; i < f->ngaps; i++) {
            f->gap_lo[i] = h->gap_lo[i];
            f->gap_hi[i] = h->gap_hi[i];
            f->gap_ms[i] = now_ms;
        }
    }
    if (!users_of(f, h, base)) {
        facts_free(f);
        return NULL;
    }
    return f;
}

/*
 * stats.c -- the shared counter segment (see stats.h).
 */
#include "base/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const unsigned stats_bucket_ms[STATS_BUCKETS] = { 5,   10,  25,   50,   100,
                                                  250, 500, 1000, 2500, 5000 };

static struct stats *seg;

struct stats *
stats_self(void)
{
    return seg;
}

int
stats_create(const char *path, char *err, size_t errlen)
{
    void *p;
    int fd = -1;

    if (path != NULL && path[0] != '\0') {
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (fd < 0 || ftruncate(fd, (off_t)sizeof(struct stats)) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        p = mmap(NULL, sizeof(struct stats), PROT_READ | PROT_WRITE, MAP_SHARED,
                 fd, 0);
        close(fd);
    } else {
        p = mmap(NULL, sizeof(struct stats), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    }
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "mmap: %s", strerror(errno));
        return -1;
    }
    seg = p;
    memset(seg, 0, sizeof(*seg));
    seg->size = (uint32_t)sizeof(*seg);
    seg->started = (int64_t)time(NULL);
    seg->tenants[STATS_TENANTS].tenant = -1;
    __atomic_store_n(&seg->magic, STATS_MAGIC, __ATOMIC_RELEASE);
    return 0;
}

const struct stats *
stats_open(const char *path, char *err, size_t errlen)
{
    struct stat st;
    const struct stats *s;
    void *p;
    int fd;

    if (path == NULL || path[0] == '\0') {
        snprintf(err, errlen, "stats_file is not set");
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || (size_t)st.st_size != sizeof(struct stats)) {
        snprintf(err, errlen, "%s: not a stats segment of this version", path);
        close(fd);
        return NULL;
    }
    p = mmap(NULL, sizeof(struct stats), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "mmap: %s", strerror(errno));
        return NULL;
    }
    s = p;
    if (__atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) != STATS_MAGIC ||
        s->size != sizeof(struct stats)) {
        snprintf(err, errlen, "%s: not a stats segment of this version", path);
        munmap(p, sizeof(struct stats));
        return NULL;
    }
    return s;
}

void
stats_close(const struct stats *s)
{
    if (s != NULL)
        munmap((void *)(uintptr_t)s, sizeof(struct stats));
}

void
stats_add(enum stats_counter c, uint64_t n)
{
    if (seg != NULL && (unsigned)c < STATS_NCOUNTERS)
        __atomic_fetch_add(&seg->counter[c], n, __ATOMIC_RELAXED);
}

void
stats_set(enum stats_counter c, uint64_t v)
{
    if (seg != NULL && (unsigned)c < STATS_NCOUNTERS)
        __atomic_store_n(&seg->counter[c], v, __ATOMIC_RELAXED);
}

size_t
stats_bucket_of(uint64_t us)
{
    size_t i;

    for (i = 0; i < STATS_BUCKETS; i++) {
        if (us <= (uint64_t)stats_bucket_ms[i] * 1000u)
            return i;
    }
    return STATS_BUCKETS;
}

void
stats_request(size_t route, int status, uint64_t us)
{
    struct stats_route *r;
    size_t b;
    int cls = status / 100 - 1;

    if (seg == NULL)
        return;
    if (route >= STATS_ROUTES)
        route = STATS_NO_ROUTE;
    r = &seg->routes[route];
    if (cls < 0 || cls >= STATS_CLASSES)
        cls = STATS_CLASSES - 1;
    __atomic_fetch_add(&r->status[cls], 1, __ATOMIC_RELAXED);
    b = stats_bucket_of(us);
    __atomic_fetch_add(&r->bucket[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->sum_us, us, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->count, 1, __ATOMIC_RELAXED);
}

/* The company's row: found, claimed with a compare-and-swap, or the last
 * ("other") when the table is full. */
static struct stats_tenant *
tenant_row(int64_t tenant)
{
    size_t i;

    for (i = 0; i < STATS_TENANTS; i++) {
        int64_t cur =
            __atomic_load_n(&seg->tenants[i].tenant, __ATOMIC_ACQUIRE);

        if (cur == tenant)
            return &seg->tenants[i];
        if (cur == 0) {
            int64_t want = 0;

            if (__atomic_compare_exchange_n(&seg->tenants[i].tenant, &want,
                                            tenant, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE) ||
                want == tenant)
                return &seg->tenants[i];
        }
    }
    return &seg->tenants[STATS_TENANTS];
}

void
stats_rule_failure(int64_t tenant, bool timeout)
{
    struct stats_tenant *t;

    if (seg == NULL)
        return;
    t = tenant > 0 ? tenant_row(tenant) : &seg->tenants[STATS_TENANTS];
    __atomic_fetch_add(timeout ? &t->timeouts : &t->errors, 1,
                       __ATOMIC_RELAXED);
}

void
stats_worker_set(unsigned slot, const struct stats_worker *w)
{
    struct stats_worker *d;

    if (seg == NULL || slot >= STATS_WORKERS)
        return;
    d = &seg->workers[slot];
    __atomic_store_n(&d->served, w->served, __ATOMIC_RELAXED);
    __atomic_store_n(&d->rules_sandboxes, w->rules_sandboxes, __ATOMIC_RELAXED);
    __atomic_store_n(&d->db_statements, w->db_statements, __ATOMIC_RELAXED);
    __atomic_store_n(&d->templates, w->templates, __ATOMIC_RELAXED);
    __atomic_store_n(&d->facts_bytes, w->facts_bytes, __ATOMIC_RELAXED);
    __atomic_store_n(&d->scheduler, w->scheduler, __ATOMIC_RELAXED);
    __atomic_store_n(&d->pid, w->pid, __ATOMIC_RELEASE);
}

void
stats_worker_clear(unsigned slot)
{
    if (seg == NULL || slot >= STATS_WORKERS)
        return;
    memset(&seg->workers[slot], 0, sizeof(seg->workers[slot]));
}

/*
 * fuzz_multipart.c -- libFuzzer target for multipart_parse().
 *
 * The first input byte chooses how the body (the rest) is chunked: each
 * read returns 1..N bytes from a small generator, N taken from a table.
 * Every input is parsed twice -- once in a single read, once chunked -- and
 * the two outcomes (code, detail key, fields, files byte for byte) must be
 * identical, since chunking must never change the result.  After the arena
 * is freed no temporary file may remain.  Limits are small so that every
 * limit is reachable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "http/multipart.h"

#define TMP_DIR "/tmp/proofline-fuzz-multipart"
#define BOUNDARY "XyZ"
#define MAX_FILE 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct multipart_limits lim = {
    .max_parts = 8,
    .max_part_header = 256,
    .max_field_size = 128,
    .max_file_size = MAX_FILE,
    .max_total = 3000,
    .max_fields = 6,
};

struct src {
    const char *p;
    size_t len, pos;
    size_t maxc; /* 0: as much as asked */
    uint32_t rng;
};

static long
src_read(void *ctx, char *buf, size_t n)
{
    struct src *s = ctx;
    size_t k = s->len - s->pos;

    if (k > n)
        k = n;
    if (s->maxc > 0) {
        size_t c;

        s->rng = s->rng * 1103515245u + 12345u;
        c = 1 + (s->rng >> 8) % s->maxc;
        if (k > c)
            k = c;
    }
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (long)k;
}

struct run {
    struct arena *a;
    struct kvlist fields;
    struct upload_list files;
    const char *detail;
    enum app_err rc;
};

static void
parse(struct run *r, struct src *s)
{
    memset(r, 0, sizeof(*r));
    r->a = arena_new(4096, 1u << 20);
    if (r->a == NULL)
        abort();
    r->rc = multipart_parse(r->a, STR_LIT(BOUNDARY), src_read, s, &lim, TMP_DIR,
                            &r->fields, &r->files, &r->detail);
}

/* Whole file into buf (at most MAX_FILE + 1 bytes); returns its size. */
static size_t
slurp(const char *path, char *buf)
{
    size_t n = 0;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        abort();
    for (;;) {
        ssize_t r = read(fd, buf + n, MAX_FILE + 1 - n);

        if (r < 0)
            abort();
        if (r == 0 || n + (size_t)r > MAX_FILE)
            break;
        n += (size_t)r;
    }
    close(fd);
    return n;
}

static void
check_same(const struct run *x, const struct run *y)
{
    static char bx[MAX_FILE + 1], by[MAX_FILE + 1];
    size_t i;

    if (x->rc != y->rc)
        abort();
    if (x->rc != APP_OK) {
        if (x->detail == NULL || y->detail == NULL ||
            strcmp(x->detail, y->detail) != 0)
            abort();
        return;
    }
    if (x->fields.n != y->fields.n || x->files.n != y->files.n ||
        x->fields.n > lim.max_fields ||
        x->fields.n + x->files.n > lim.max_parts)
        abort();
    for (i = 0; i < x->fields.n; i++) {
        const struct kv *p = &x->fields.v[i], *q = &y->fields.v[i];

        if (!str_eq(p->key, q->key) || !str_eq(p->val, q->val) ||
            p->val.len > lim.max_field_size ||
            !utf8_valid(p->val.p, p->val.len) || p->key.len == 0)
            abort();
    }
    for (i = 0; i < x->files.n; i++) {
        const struct upload *p = &x->files.v[i], *q = &y->files.v[i];
        struct stat st;

        if (!str_eq(p->field, q->field) || !str_eq(p->filename, q->filename) ||
            !str_eq(p->content_type, q->content_type) || p->size != q->size ||
            p->size > MAX_FILE || p->filename.len == 0 ||
            memchr(p->filename.p, '/', p->filename.len) != NULL ||
            memchr(p->filename.p, '\\', p->filename.len) != NULL)
            abort();
        if (stat(p->path, &st) != 0 || (st.st_mode & 0777) != 0600)
            abort();
        if (slurp(p->path, bx) != p->size || slurp(q->path, by) != q->size ||
            memcmp(bx, by, p->size) != 0)
            abort();
    }
}

/* Free the arena and make sure its temporary files went with it. */
static void
finish(struct run *r)
{
    char paths[8][128];
    size_t i, n = r->files.n;

    if (n > 8)
        abort();
    for (i = 0; i < n; i++)
        snprintf(paths[i], sizeof(paths[i]), "%s", r->files.v[i].path);
    arena_free(r->a);
    for (i = 0; i < n; i++) {
        if (access(paths[i], F_OK) == 0 || errno != ENOENT)
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t maxcs[8] = { 1, 2, 3, 5, 7, 16, 300, 70000 };
    static int ready;
    struct run one, chunked;
    struct src s1, s2;
    char *copy;

    if (!ready) {
        if (mkdir(TMP_DIR, 0700) != 0 && errno != EEXIST)
            abort();
        ready = 1;
    }
    if (size == 0)
        return 0;
    copy = malloc(size);
    if (copy == NULL)
        abort();
    memcpy(copy, data + 1, size - 1);

    memset(&s1, 0, sizeof(s1));
    s1.p = copy;
    s1.len = size - 1;
    s2 = s1;
    s2.maxc = maxcs[data[0] & 7];
    s2.rng = data[0];
    parse(&one, &s1);
    parse(&chunked, &s2);
    check_same(&one, &chunked);
    finish(&one);
    finish(&chunked);
    free(copy);
    return 0;
}

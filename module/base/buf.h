/*
 * buf.h -- a growable byte buffer with a hard maximum (STYLE §8).
 *
 * A buf either grows in an arena (the old storage is simply abandoned to the
 * arena, so total waste is bounded by the final size) or on the heap
 * (arena == NULL; the owner calls buf_free()).  Appending past max fails
 * with APP_ETOOBIG and leaves the contents unchanged.  The contents are
 * always NUL-terminated (the NUL is not counted in len).
 */
#ifndef PROOFLINE_BUF_H
#define PROOFLINE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

struct buf {
    char *p;
    size_t len;
    size_t cap;
    size_t max;
    struct arena *arena; /* NULL: heap */
};

/* Start an empty buffer; max is the largest len it may reach. */
void buf_init(struct buf *b, struct arena *arena, size_t max);

/* Release heap storage (no-op for arena buffers). */
void buf_free(struct buf *b);

/* Forget the contents, keep the storage. */
void buf_clear(struct buf *b);

/* Append n bytes.  APP_ETOOBIG past max, APP_ENOMEM on allocation failure. */
APP_MUST_USE enum app_err buf_append(struct buf *b, const void *p, size_t n);

APP_MUST_USE enum app_err buf_putc(struct buf *b, char c);

APP_MUST_USE static inline enum app_err
buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

APP_MUST_USE static inline enum app_err
buf_put_str(struct buf *b, struct str s)
{
    return buf_append(b, s.p, s.len);
}

APP_MUST_USE enum app_err buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

APP_MUST_USE enum app_err buf_vprintf(struct buf *b, const char *fmt,
                                      va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Append with HTML escaping of & < > " ' (STYLE §12). */
APP_MUST_USE enum app_err buf_append_html(struct buf *b, const char *p,
                                          size_t n);

/* The entity for one of & < > " ' (the characters HTML and XML escape),
 * NULL for any other character. */
const char *html_entity(uint32_t c);

/* The contents as a struct str. */
static inline struct str
buf_str(const struct buf *b)
{
    struct str s = { b->p != NULL ? b->p : "", b->len };
    return s;
}

#endif

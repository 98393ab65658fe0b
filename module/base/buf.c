/*
 * buf.c -- growable byte buffer with a hard maximum.
 */
#include "base/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, struct arena *arena, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->arena = arena;
}

void
buf_free(struct buf *b)
{
    if (b->arena == NULL)
        free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void
buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

/* Make room for `extra` more bytes plus the terminating NUL. */
APP_MUST_USE static enum app_err
buf_reserve(struct buf *b, size_t extra)
{
    size_t need, cap;
    char *np;

    if (__builtin_add_overflow(b->len, extra, &need) || need > b->max)
        return APP_ETOOBIG;
    if (need < b->cap)
        return APP_OK;
    cap = b->cap > 0 ? b->cap : 256;
    while (cap <= need) {
        if (cap > SIZE_MAX / 2)
            return APP_ETOOBIG;
        cap *= 2;
    }
    /* Never allocate far past the maximum. */
    if (cap > b->max + 1 && b->max < SIZE_MAX)
        cap = b->max + 1;
    if (b->arena != NULL) {
        np = arena_alloc(b->arena, cap);
        if (np == NULL)
            return APP_ENOMEM;
        if (b->len > 0)
            memcpy(np, b->p, b->len);
    } else {
        np = realloc(b->p, cap);
        if (np == NULL)
            return APP_ENOMEM;
    }
    b->p = np;
    b->cap = cap;
    return APP_OK;
}

enum app_err
buf_append(struct buf *b, const void *p, size_t n)
{
    enum app_err rc = buf_reserve(b, n);

    if (rc != APP_OK)
        return rc;
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return APP_OK;
}

enum app_err
buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

enum app_err
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    enum app_err rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return APP_EINTERNAL;
    rc = buf_reserve(b, (size_t)n);
    if (rc != APP_OK)
        return rc;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return APP_OK;
}

enum app_err
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    enum app_err rc;

    va_start(ap, fmt);
    rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *
html_entity(uint32_t c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

enum app_err
buf_append_html(struct buf *b, const char *p, size_t n)
{
    size_t i, run = 0;
    enum app_err rc;

    for (i = 0; i < n; i++) {
        const char *rep = html_entity((unsigned char)p[i]);

        if (rep == NULL)
            continue;
        rc = buf_append(b, p + run, i - run);
        if (rc == APP_OK)
            rc = buf_puts(b, rep);
        if (rc != APP_OK)
            return rc;
        run = i + 1;
    }
    return buf_append(b, p + run, n - run);
}

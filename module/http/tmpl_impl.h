/*
 * tmpl_impl.h -- what the parts of the template engine share: the compiled
 * form (ops), the set, and small helpers.  Only http/tmpl*.c include it;
 * everyone else uses tmpl.h.
 *
 * cJSON data.
 *
 * Compiling takes two passes and no recursion.  tokenize() cuts the source
 * into text pieces (each ending at a line break or at a tag) and tags,
 * applying set-delimiter tags as it goes.  build() then walks the tokens one
 * line at a time, decides which whitespace belongs to standalone tags and
 * emits ops; every op with a body (section, inverted, parent, block) records
 * the index just past its body, and an explicit stack bounded by
 * TMPL_MAX_NEST matches end tags.
 *
 * Indentation follows the spec's textual model lazily: OP_LINE marks the
 * start of a template line, which only sets r->pending; the indentation owed
 * (the chain of standalone partial/parent indents and block re-indents) is
 * written just before the next byte of output.  Blocks strip their own
 * indentation from their lines at compile time and add the indentation of
 * the place they are expanded at render time, as ~inheritance requires.
 *
 * Rendering recurses over bodies, partials, parents and blocks; every level
 * counts against limits->max_depth (and TMPL_MAX_DEPTH whatever the caller
 * asks), so the C stack stays bounded even for a self-recursive partial.
 * A step budget proportional to limits->max_output ends renders that loop
 * without producing output (APP_ETOOBIG like the other limits).
 */
#ifndef PROOFLINE_TMPL_IMPL_H
#define PROOFLINE_TMPL_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"
#include "http/tmpl.h"

#define TMPL_MAX_NEST 128  /* open sections in one template */
#define TMPL_MAX_DEPTH 256 /* render nesting, whatever limits say */
#define TMPL_MAX_DELIM 16  /* bytes of one set-delimiter */
#define TMPL_MAX_FILE (1u << 20)
#define TMPL_MAX_DIR_DEPTH 16
/* A render may execute this many ops per byte it may output (plus a base)
 * before it is stopped: `{{>a}}{{>a}}` inside `a` outputs nothing yet
 * would run 2^depth times. */
#define TMPL_STEPS_PER_BYTE 16
#define TMPL_STEPS_BASE 65536u
#define MUSTACHE_EXT ".mustache"

/* A name for an error message: "%.*s" arguments, clipped to 40 bytes. */
#define SHOW(s) (int)((s).len < 40 ? (s).len : 40), (s).p

enum op_kind {
    OP_TEXT,
    OP_LINE, /* a template line starts: indentation is owed */
    OP_VAR,
    OP_RAW,
    OP_SECTION,
    OP_INVERTED,
    OP_PARTIAL,
    OP_PARENT,
    OP_BLOCK
};

struct op {
    enum op_kind kind;
    bool starts_line;  /* partial/parent/block tag had its line to itself */
    struct str s;      /* text, or the tag's name */
    struct str indent; /* partial/parent: standalone indentation; block:
                        * its indentation relative to the enclosing block */
    size_t end;        /* ops with a body: the index just past the body */
    size_t line;
};

struct tmpl {
    struct str name; /* NUL-terminated, owned */
    char *src;       /* owned copy; every struct str in ops points here */
    struct op *ops;
    size_t nops;
};

struct tmpl_set {
    struct tmpl **v; /* sorted by name, so lookups and checks are stable */
    size_t n, cap;
};

/* --- helpers (tmpl.c) ----------------------------------------------------- */

void tmpl_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* p (an array of elem-sized items with *cap slots) grown to hold need
 * items: the new array, or NULL (p still valid) when out of memory. */
void *tmpl_grow(void *p, size_t *cap, size_t need, size_t elem);

/* The template called name in the set, or NULL. */
const struct tmpl *tmpl_set_find(const struct tmpl_set *set, struct str name);

void tmpl_free_one(struct tmpl *t);

/* --- compiling (tmpl_compile.c) ------------------------------------------- */

APP_MUST_USE enum app_err tmpl_compile(const char *name, const char *src,
                                       size_t len, struct tmpl **out, char *err,
                                       size_t errlen);

static inline bool
is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static inline bool
is_space(char ch)
{
    return is_blank(ch) || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

static inline struct str
trim(struct str s)
{
    while (s.len > 0 && is_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && is_space(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* The run of spaces and tabs at the start of p[0..n). */
static inline struct str
lead_of(const char *p, size_t n)
{
    struct str s = { p, 0 };

    while (s.len < n && is_blank(p[s.len]))
        s.len++;
    return s;
}

/* s without the longest prefix it shares with strip. */
static inline struct str
unindent(struct str s, struct str strip)
{
    size_t k = 0;

    while (k < s.len && k < strip.len && s.p[k] == strip.p[k])
        k++;
    s.p += k;
    s.len -= k;
    return s;
}

#endif

/*
 * tmpl.c -- Mustache templates compiled to flat op lists, rendered over
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
#include "http/tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* --- small helpers -------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* p (an array of elem-sized items with *cap slots) grown to hold need
 * items: the new array, or NULL (p still valid) when out of memory. */
static void *
grow(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap = *cap > 0 ? *cap : 16, bytes;
    void *np;

    if (need <= *cap)
        return p;
    while (ncap < need)
        if (__builtin_mul_overflow(ncap, 2, &ncap))
            return NULL;
    if (__builtin_mul_overflow(ncap, elem, &bytes))
        return NULL;
    np = realloc(p, bytes);
    if (np != NULL)
        *cap = ncap;
    return np;
}

static bool
is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool
is_space(char ch)
{
    return is_blank(ch) || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

static struct str
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
static struct str
lead_of(const char *p, size_t n)
{
    struct str s = { p, 0 };

    while (s.len < n && is_blank(p[s.len]))
        s.len++;
    return s;
}

/* s without the longest prefix it shares with strip. */
static struct str
unindent(struct str s, struct str strip)
{
    size_t k = 0;

    while (k < s.len && k < strip.len && s.p[k] == strip.p[k])
        k++;
    s.p += k;
    s.len -= k;
    return s;
}

static int
name_cmp(struct str a, struct str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n > 0 ? memcmp(a.p, b.p, n) : 0;

    if (c != 0)
        return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

/* Index of name in the sorted set, or where it would go. */
static size_t
set_index(const struct tmpl_set *set, struct str name, bool *found)
{
    size_t lo = 0, hi = set->n;

    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(set->v[mid]->name, name);

        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct tmpl *
set_find(const struct tmpl_set *set, struct str name)
{
    bool found;
    size_t i = set_index(set, name, &found);

    return found ? set->v[i] : NULL;
}

static void
tmpl_free(struct tmpl *t)
{
    if (t == NULL)
        return;
    free((char *)t->name.p);
    free(t->src);
    free(t->ops);
    free(t);
}

/* --- compiling: tokens ---------------------------------------------------- */

enum tok_kind {
    TK_TEXT,
    TK_VAR,
    TK_RAW,
    TK_SECTION,
    TK_INVERTED,
    TK_CLOSE,
    TK_COMMENT,
    TK_DELIM,
    TK_PARTIAL,
    TK_PARENT,
    TK_BLOCK
};

struct tok {
    enum tok_kind kind;
    struct str s; /* text, or the trimmed tag name */
    size_t line;
};

/* A section, parent or block waiting for its end tag. */
struct open {
    size_t op;
    size_t row;           /* index of the line holding the open tag */
    bool left_clear;      /* parent: only blanks before it on its line */
    struct str block_ind; /* absolute indentation of the innermost block */
};

struct compiler {
    const char *name;
    const char *src;
    size_t len;
    struct tok *toks;
    size_t ntoks, captoks;
    struct op *ops;
    size_t nops, capops;
    struct open stack[TMPL_MAX_NEST];
    size_t depth;
    bool suppress_line; /* the last line ended in a block tag that took
                         * the line break: the block's body starts there */
    char *err;
    size_t errlen;
};

APP_MUST_USE static enum app_err cerr(struct compiler *c, size_t line,
                                      const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A compile error: "name:line: problem" in err, APP_EINVAL. */
APP_MUST_USE static enum app_err
cerr(struct compiler *c, size_t line, const char *fmt, ...)
{
    char msg[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    set_err(c->err, c->errlen, "%s:%zu: %s", c->name, line, msg);
    return APP_EINVAL;
}

APP_MUST_USE static enum app_err
push_tok(struct compiler *c, enum tok_kind kind, struct str s, size_t line)
{
    size_t need;
    struct tok *v;

    if (__builtin_add_overflow(c->ntoks, 1, &need))
        return APP_ENOMEM;
    v = grow(c->toks, &c->captoks, need, sizeof(*v));
    if (v == NULL)
        return APP_ENOMEM;
    c->toks = v;
    c->toks[c->ntoks].kind = kind;
    c->toks[c->ntoks].s = s;
    c->toks[c->ntoks].line = line;
    c->ntoks++;
    return APP_OK;
}

/* Text becomes one token per line piece, so build() can work by lines. */
APP_MUST_USE static enum app_err
push_text(struct compiler *c, const char *p, size_t n, size_t *line)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl != NULL ? (size_t)(nl - p) + 1 : n;
        enum app_err rc = push_tok(c, TK_TEXT, (struct str){ p, k }, *line);

        if (rc != APP_OK)
            return rc;
        if (nl != NULL)
            (*line)++;
        p += k;
        n -= k;
    }
    return APP_OK;
}

/* Names are non-empty runs of visible bytes; dotted names (those resolved
 * against the context) also have no empty segment.  Rejecting control bytes
 * keeps NULs out, which name lookups rely on. */
static bool
valid_name(struct str s, bool dotted)
{
    size_t i;

    if (s.len == 0)
        return false;
    for (i = 0; i < s.len; i++) {
        unsigned char b = (unsigned char)s.p[i];

        if (b <= 0x20 || b == 0x7f)
            return false;
        if (dotted && b == '.' && s.len > 1 &&
            (i == 0 || i == s.len - 1 || s.p[i + 1] == '.'))
            return false;
    }
    return true;
}

struct delims {
    char open[TMPL_MAX_DELIM];
    char close[TMPL_MAX_DELIM + 1]; /* room for the '}' or '=' prefix */
    size_t olen, clen;
};

/* "<% %>" from {{=<% %>=}}: two blank-separated delimiters, no '='. */
static bool
parse_delims(struct str s, struct delims *d)
{
    struct str a, b;
    size_t i = 0;

    s = trim(s);
    while (i < s.len && !is_space(s.p[i]))
        i++;
    a = (struct str){ s.p, i };
    b = trim((struct str){ s.p + i, s.len - i });
    if (a.len == 0 || b.len == 0 || a.len > TMPL_MAX_DELIM ||
        b.len > TMPL_MAX_DELIM || memchr(a.p, '=', a.len) != NULL ||
        memchr(b.p, '=', b.len) != NULL)
        return false;
    for (i = 0; i < b.len; i++)
        if (is_space(b.p[i]))
            return false;
    memcpy(d->open, a.p, a.len);
    d->olen = a.len;
    memcpy(d->close, b.p, b.len);
    d->clen = b.len;
    return true;
}

static size_t
count_lines(const char *p, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

/* What the byte after the opening delimiter makes of a tag. */
static enum tok_kind
tag_kind(char sigil)
{
    static const char sigils[] = "{=&#^/!><$";
    static const enum tok_kind kinds[] = {
        TK_RAW,   TK_DELIM,   TK_RAW,     TK_SECTION, TK_INVERTED,
        TK_CLOSE, TK_COMMENT, TK_PARTIAL, TK_PARENT,  TK_BLOCK,
    };
    const char *hit = sigil != '\0' ? strchr(sigils, sigil) : NULL;

    return hit != NULL ? kinds[hit - sigils] : TK_VAR;
}

/* The tag whose opening delimiter is at src[at]; *pos gets the offset just
 * past it. */
APP_MUST_USE static enum app_err
scan_tag(struct compiler *c, struct delims *d, size_t at, size_t *pos,
         size_t *line)
{
    size_t p = at + d->olen, closelen = 0;
    char sigil = p < c->len ? c->src[p] : '\0';
    enum tok_kind kind = tag_kind(sigil);
    char close[TMPL_MAX_DELIM + 1];
    const char *e;
    struct str body;

    /* {{{name}}} and {{=a b=}} end at "}" or "=" + the closing delimiter. */
    if (sigil == '{' || sigil == '=')
        close[closelen++] = sigil == '{' ? '}' : '=';
    memcpy(close + closelen, d->close, d->clen);
    closelen += d->clen;
    if (kind != TK_VAR)
        p++;
    e = memmem(c->src + p, c->len - p, close, closelen);
    if (e == NULL)
        return cerr(c, *line, "unclosed tag");
    body = (struct str){ c->src + p, (size_t)(e - (c->src + p)) };
    *pos = (size_t)(e - c->src) + closelen;
    if (kind == TK_DELIM && !parse_delims(body, d))
        return cerr(c, *line, "bad delimiters \"%.*s\"", SHOW(body));
    if (kind == TK_DELIM || kind == TK_COMMENT) {
        body.len = 0;
    } else {
        /* Only names looked up in the data are dotted. */
        bool dotted = kind == TK_VAR || kind == TK_RAW || kind == TK_SECTION ||
                      kind == TK_INVERTED;

        body = trim(body);
        if (!valid_name(body, dotted))
            return cerr(c, *line, "bad tag name \"%.*s\"", SHOW(body));
    }
    if (push_tok(c, kind, body, *line) != APP_OK)
        return APP_ENOMEM;
    *line += count_lines(c->src + at, *pos - at);
    return APP_OK;
}

APP_MUST_USE static enum app_err
tokenize(struct compiler *c)
{
    struct delims d = { "{{", "}}", 2, 2 };
    size_t pos = 0, line = 1;
    enum app_err rc = APP_OK;

    while (pos < c->len && rc == APP_OK) {
        const char *o = memmem(c->src + pos, c->len - pos, d.open, d.olen);
        size_t at = o != NULL ? (size_t)(o - c->src) : c->len;

        rc = push_text(c, c->src + pos, at - pos, &line);
        if (rc == APP_OK && o == NULL)
            break;
        if (rc == APP_OK)
            rc = scan_tag(c, &d, at, &pos, &line);
    }
    return rc;
}

/* --- compiling: lines and ops --------------------------------------------- */

/* A text piece holding only blanks, then (if it ends the line) a line
 * break. */
static bool
blank_piece(struct str s)
{
    size_t i = 0;

    while (i < s.len && is_blank(s.p[i]))
        i++;
    if (i < s.len && s.p[i] == '\r' && i + 1 < s.len)
        i++;
    if (i < s.len && s.p[i] == '\n')
        i++;
    return i == s.len;
}

static bool
standalone_kind(enum tok_kind k)
{
    return k != TK_TEXT && k != TK_VAR && k != TK_RAW;
}

/*
 * Whitespace rules, decided a line at a time.  A line holding one
 * non-interpolation tag and blanks loses the blanks and its line break (the
 * spec's standalone tag).  ~inheritance adds tags that own whitespace on
 * lines they share with other tags:
 *  - a parent tag with only blanks before it takes them as indentation;
 *  - its end tag takes the rest of its line if the parent tag cleared to
 *    the left or sits on an earlier line (the body is never output);
 *  - a block tag that ends its line takes the line break, and the block's
 *    indentation is then that of its first line ("intrinsic");
 *  - a block end tag with only blanks before it takes them.
 * Lines inside a block lose the block's indentation when compiled; where
 * the block is expanded, the indentation of that place is added back.
 */

/* What build_line() needs to know about one line of tokens. */
struct line {
    size_t last;       /* its last token */
    size_t ftag, ltag; /* first and last tag, SIZE_MAX when none */
    size_t row;
    bool clear_before; /* only blanks before the first tag */
    bool clear_after;  /* only blanks and the line break after the last */
    bool classic;      /* one non-interpolation tag, blanks around it */
    bool drop_lead, drop_tail;
    struct str lead;     /* the line's leading blanks, as written */
    struct str rel_lead; /* the same without the enclosing block's indent */
    struct str next_lead;
};

static struct str
block_ind(const struct compiler *c)
{
    return c->depth > 0 ? c->stack[c->depth - 1].block_ind
                        : (struct str){ c->src, 0 };
}

APP_MUST_USE static enum app_err
push_op(struct compiler *c, enum op_kind kind, struct str s, size_t line)
{
    size_t need;
    struct op *op;

    if (__builtin_add_overflow(c->nops, 1, &need))
        return APP_ENOMEM;
    op = grow(c->ops, &c->capops, need, sizeof(*op));
    if (op == NULL)
        return APP_ENOMEM;
    c->ops = op;
    op = &c->ops[c->nops++];
    memset(op, 0, sizeof(*op));
    op->kind = kind;
    op->s = s;
    op->indent = (struct str){ c->src, 0 };
    op->line = line;
    return APP_OK;
}

APP_MUST_USE static enum app_err
open_body(struct compiler *c, const struct line *ln, bool left_clear,
          struct str ind)
{
    struct open *o;

    if (c->depth == TMPL_MAX_NEST)
        return cerr(c, c->ops[c->nops - 1].line,
                    "sections nested deeper than %d", TMPL_MAX_NEST);
    o = &c->stack[c->depth++];
    o->op = c->nops - 1;
    o->row = ln->row;
    o->left_clear = left_clear;
    o->block_ind = ind;
    return APP_OK;
}

APP_MUST_USE static enum app_err
close_body(struct compiler *c, struct line *ln, size_t t)
{
    const struct tok *tk = &c->toks[t];
    const struct open *o;
    const struct op *op;

    if (c->depth == 0)
        return cerr(c, tk->line, "unexpected end tag \"%.*s\"", SHOW(tk->s));
    o = &c->stack[c->depth - 1];
    op = &c->ops[o->op];
    if (!str_eq(op->s, tk->s))
        return cerr(c, tk->line, "end tag \"%.*s\" does not match \"%.*s\"",
                    SHOW(tk->s), SHOW(op->s));
    /* Whatever follows a parent's open tag up to here is ignored, so the
     * end tag clears to the left if the open tag did or if it sits on an
     * earlier line; then it takes the rest of its line. */
    if (op->kind == OP_PARENT && t == ln->ltag && ln->clear_after &&
        (o->left_clear || o->row < ln->row))
        ln->drop_tail = true;
    c->ops[o->op].end = c->nops;
    c->depth--;
    return APP_OK;
}

APP_MUST_USE static enum app_err
build_tag(struct compiler *c, struct line *ln, size_t t)
{
    const struct tok *tk = &c->toks[t];
    enum app_err rc = APP_OK;
    struct op *op;

    switch (tk->kind) {
    case TK_VAR:
    case TK_RAW:
        return push_op(c, tk->kind == TK_VAR ? OP_VAR : OP_RAW, tk->s,
                       tk->line);
    case TK_SECTION:
    case TK_INVERTED:
        rc = push_op(c, tk->kind == TK_SECTION ? OP_SECTION : OP_INVERTED,
                     tk->s, tk->line);
        return rc != APP_OK ? rc : open_body(c, ln, false, block_ind(c));
    case TK_PARTIAL:
        rc = push_op(c, OP_PARTIAL, tk->s, tk->line);
        if (rc == APP_OK && ln->classic) {
            op = &c->ops[c->nops - 1];
            op->starts_line = true;
            op->indent = ln->rel_lead;
        }
        return rc;
    case TK_PARENT: {
        /* A parent clears to the left on its own: its body's text is
         * ignored, so what follows the tag on its line does not matter. */
        bool left = t == ln->ftag && ln->clear_before;

        rc = push_op(c, OP_PARENT, tk->s, tk->line);
        if (rc == APP_OK && left) {
            op = &c->ops[c->nops - 1];
            op->starts_line = true;
            op->indent = ln->rel_lead;
        }
        return rc != APP_OK ? rc : open_body(c, ln, left, block_ind(c));
    }
    case TK_BLOCK: {
        /* A block whose tag ends its line takes the line break, and its
         * indentation is that of its first line; otherwise that of the line
         * holding the tag. */
        bool right = t == ln->ltag && ln->clear_after;
        struct str abs = right ? ln->next_lead : ln->lead;

        rc = push_op(c, OP_BLOCK, tk->s, tk->line);
        if (rc != APP_OK)
            return rc;
        op = &c->ops[c->nops - 1];
        op->starts_line = ln->classic;
        op->indent = unindent(abs, block_ind(c));
        if (right) {
            ln->drop_tail = true;
            c->suppress_line = true;
        }
        return open_body(c, ln, false, abs);
    }
    case TK_CLOSE:
        return close_body(c, ln, t);
    case TK_TEXT:
    case TK_COMMENT:
    case TK_DELIM:
        break;
    }
    return APP_OK;
}

/* Find the line starting at token i and what is standalone on it. */
static void
scan_line(const struct compiler *c, size_t i, size_t row, struct line *ln)
{
    size_t j, ntags = 0;
    bool interp = false, blank = true;
    const struct tok *last;

    memset(ln, 0, sizeof(*ln));
    ln->row = row;
    ln->ftag = ln->ltag = SIZE_MAX;
    for (j = i; j < c->ntoks; j++) {
        const struct tok *tk = &c->toks[j];

        if (tk->kind == TK_TEXT) {
            blank = blank && blank_piece(tk->s);
            if (tk->s.len > 0 && tk->s.p[tk->s.len - 1] == '\n')
                break;
            continue;
        }
        if (ln->ftag == SIZE_MAX)
            ln->ftag = j;
        ln->ltag = j;
        ntags++;
        interp = interp || !standalone_kind(tk->kind);
    }
    ln->last = j < c->ntoks ? j : c->ntoks - 1;
    last = &c->toks[ln->last];
    if (c->toks[i].kind == TK_TEXT)
        ln->lead = lead_of(c->toks[i].s.p, c->toks[i].s.len);
    else
        ln->lead = (struct str){ c->toks[i].s.p, 0 };
    /* The next line's indentation, read from the source itself. */
    if (last->kind == TK_TEXT && last->s.len > 0 &&
        last->s.p[last->s.len - 1] == '\n') {
        const char *np = last->s.p + last->s.len;

        ln->next_lead = lead_of(np, (size_t)(c->src + c->len - np));
    } else {
        ln->next_lead = (struct str){ c->src + c->len, 0 };
    }
    ln->rel_lead = unindent(ln->lead, block_ind(c));
    if (ntags == 0)
        return;
    ln->clear_before =
        ln->ftag == i || (ln->ftag == i + 1 && blank_piece(c->toks[i].s));
    ln->clear_after = ln->ltag == ln->last ||
                      (ln->ltag + 1 == ln->last && blank_piece(last->s));
    ln->classic = ntags == 1 && !interp && blank;
}

APP_MUST_USE static enum app_err
build_line(struct compiler *c, size_t i, size_t row, size_t *next)
{
    struct line ln;
    const struct tok *ft;
    bool line_op;
    size_t t;
    enum app_err rc = APP_OK;

    scan_line(c, i, row, &ln);
    *next = ln.last + 1;
    ft = ln.ftag != SIZE_MAX ? &c->toks[ln.ftag] : NULL;
    /* Template starts are not OP_LINEs: whoever includes the template
     * decides whether its first line starts a line. */
    line_op = row > 0 && !c->suppress_line;
    c->suppress_line = false;
    if (ln.classic) {
        ln.drop_lead = ln.drop_tail = true;
        line_op = false;
    } else if (ft != NULL && ln.clear_before &&
               (ft->kind == TK_PARENT ||
                (ft->kind == TK_CLOSE && c->depth > 0 &&
                 c->ops[c->stack[c->depth - 1].op].kind == OP_BLOCK))) {
        /* A parent's indentation, or a block end's leading blanks, belong
         * to the tag rather than to the output. */
        ln.drop_lead = true;
        line_op = false;
    }
    if (line_op)
        rc = push_op(c, OP_LINE, (struct str){ c->src, 0 }, c->toks[i].line);
    for (t = i; t <= ln.last && rc == APP_OK; t++) {
        const struct tok *tk = &c->toks[t];
        struct str s = tk->s;

        if (tk->kind != TK_TEXT) {
            rc = build_tag(c, &ln, t);
            continue;
        }
        if (t == i && ln.ftag != SIZE_MAX && t < ln.ftag && ln.drop_lead)
            continue;
        if (ln.ltag != SIZE_MAX && t > ln.ltag && ln.drop_tail)
            continue;
        if (t == i) /* a line start: take off the enclosing block's indent */
            s = (struct str){ ln.rel_lead.p,
                              s.len - (size_t)(ln.rel_lead.p - s.p) };
        if (s.len > 0)
            rc = push_op(c, OP_TEXT, s, tk->line);
    }
    return rc;
}

APP_MUST_USE static enum app_err
build(struct compiler *c)
{
    size_t i = 0, row = 0;
    enum app_err rc = APP_OK;

    while (i < c->ntoks && rc == APP_OK)
        rc = build_line(c, i, row++, &i);
    if (rc == APP_OK && c->depth > 0) {
        const struct op *op = &c->ops[c->stack[c->depth - 1].op];

        rc = cerr(c, op->line, "unclosed section \"%.*s\"", SHOW(op->s));
    }
    return rc;
}

APP_MUST_USE static enum app_err
compile(const char *name, const char *src, size_t len, struct tmpl **out,
        char *err, size_t errlen)
{
    struct compiler *c;
    struct tmpl *t = calloc(1, sizeof(*t));
    size_t nlen = strlen(name), alloc;
    enum app_err rc = APP_ENOMEM;

    c = calloc(1, sizeof(*c));
    if (t == NULL || c == NULL)
        goto fail;
    if (__builtin_add_overflow(len, 1, &alloc) ||
        __builtin_add_overflow(nlen, 1, &nlen))
        goto fail;
    t->src = malloc(alloc);
    t->name.p = malloc(nlen);
    if (t->src == NULL || t->name.p == NULL)
        goto fail;
    if (len > 0)
        memcpy(t->src, src, len);
    t->src[len] = '\0';
    memcpy((char *)t->name.p, name, nlen);
    t->name.len = nlen - 1;
    c->name = name;
    c->src = t->src;
    c->len = len;
    c->err = err;
    c->errlen = errlen;
    rc = tokenize(c);
    if (rc == APP_OK)
        rc = build(c);
    if (rc != APP_OK)
        goto fail;
    t->ops = c->ops;
    t->nops = c->nops;
    c->ops = NULL;
    free(c->toks);
    free(c);
    *out = t;
    return APP_OK;
fail:
    if (rc == APP_ENOMEM)
        set_err(err, errlen, "%s: out of memory", name);
    if (c != NULL) {
        free(c->toks);
        free(c->ops);
        free(c);
    }
    tmpl_free(t);
    return rc;
}

/* --- rendering ------------------------------------------------------------ */

struct ctx {
    const cJSON *v;
    const struct ctx *up;
};

struct indent {
    struct str s;
    const struct indent *up;
};

/* The body of a parent tag: its blocks override those of the parent. */
struct scope {
    const struct tmpl *t;
    size_t begin, end;
    const struct scope *up;
};

struct render {
    const struct tmpl_set *set;
    struct buf *out;
    size_t base; /* out->len when the render started */
    size_t max_out;
    size_t depth, max_depth;
    size_t steps, max_steps;
    bool pending; /* at a line start: indentation is owed */
    const struct tmpl *t;
    size_t line; /* where we are, for error messages */
    char *err;
    size_t errlen;
};

APP_MUST_USE static enum app_err render_range(struct render *r,
                                              const struct tmpl *t, size_t i,
                                              size_t end, const struct ctx *cx,
                                              const struct indent *ind,
                                              const struct scope *sc);

APP_MUST_USE static enum app_err
too_big(struct render *r, const char *what, size_t limit)
{
    set_err(r->err, r->errlen, "%s:%zu: %s %zu", r->t->name.p, r->line, what,
            limit);
    return APP_ETOOBIG;
}

APP_MUST_USE static enum app_err
step(struct render *r)
{
    if (++r->steps > r->max_steps)
        return too_big(r, "render took more steps than", r->max_steps);
    return APP_OK;
}

/* Room for n more bytes of output: the caller's limit, then out's own. */
APP_MUST_USE static enum app_err
room(struct render *r, size_t n)
{
    size_t used = r->out->len - r->base;

    if (n > r->max_out - used)
        return too_big(r, "output larger than", r->max_out);
    return APP_OK;
}

APP_MUST_USE static enum app_err
out_err(struct render *r, enum app_err rc)
{
    set_err(r->err, r->errlen, "%s:%zu: output buffer: %s", r->t->name.p,
            r->line, app_strerror(rc));
    return rc;
}

APP_MUST_USE static enum app_err
put_raw(struct render *r, const char *p, size_t n)
{
    enum app_err rc = room(r, n);

    if (rc == APP_OK && n > 0) {
        rc = buf_append(r->out, p, n);
        if (rc != APP_OK)
            return out_err(r, rc);
    }
    return rc;
}

/* Outermost indentation first; the chain is at most max_depth long. */
APP_MUST_USE static enum app_err
put_indent(struct render *r, const struct indent *ind)
{
    enum app_err rc;

    if (ind == NULL)
        return APP_OK;
    rc = put_indent(r, ind->up);
    return rc != APP_OK ? rc : put_raw(r, ind->s.p, ind->s.len);
}

static size_t
html_len(const char *p, size_t n)
{
    size_t i, len = n;

    for (i = 0; i < n; i++) {
        size_t extra;

        switch (p[i]) {
        case '&':
        case '\'':
            extra = 4; /* &amp; &#39; */
            break;
        case '<':
        case '>':
            extra = 3;
            break;
        case '"':
            extra = 5;
            break;
        default:
            continue;
        }
        if (__builtin_add_overflow(len, extra, &len))
            return SIZE_MAX;
    }
    return len;
}

APP_MUST_USE static enum app_err
emit(struct render *r, const struct indent *ind, const char *p, size_t n,
     bool escape)
{
    enum app_err rc;

    if (n == 0)
        return APP_OK;
    if (r->pending) {
        r->pending = false;
        rc = put_indent(r, ind);
        if (rc != APP_OK)
            return rc;
    }
    if (!escape)
        return put_raw(r, p, n);
    rc = room(r, html_len(p, n));
    if (rc == APP_OK) {
        rc = buf_append_html(r->out, p, n);
        if (rc != APP_OK)
            return out_err(r, rc);
    }
    return rc;
}

/* Integers as integers, other numbers in the shortest of %.15g and %.17g
 * that reads back to the same double ("1.21", not "1.2100000000000000"). */
static size_t
format_number(double d, char *b, size_t n)
{
    int k;

    if (!isfinite(d))
        return 0;
    if (d == 0)
        d = 0;                                         /* no "-0" */
    if (d == floor(d) && fabs(d) < 9007199254740992.0) /* 2^53: exact */
        k = snprintf(b, n, "%.0f", d);
    else {
        k = snprintf(b, n, "%.15g", d);
        if (k > 0 && strtod(b, NULL) != d)
            k = snprintf(b, n, "%.17g", d);
    }
    return k > 0 && (size_t)k < n ? (size_t)k : 0;
}

/* A key of a cJSON object; key is not NUL-terminated but has no NUL. */
static const cJSON *
get_key(const cJSON *obj, const char *key, size_t len)
{
    const cJSON *c;
    size_t i, idx = 0;

    /* As in mustache.js, a numeric segment indexes an array ("list.0":
     * the first item, also a test for "has any"). */
    if (cJSON_IsArray(obj) && len > 0 && len <= 6) {
        for (i = 0; i < len; i++) {
            if (key[i] < '0' || key[i] > '9')
                return NULL;
            idx = idx * 10 + (size_t)(key[i] - '0');
        }
        for (c = obj->child; c != NULL && idx > 0; c = c->next)
            idx--;
        return c;
    }
    if (!cJSON_IsObject(obj))
        return NULL;
    for (c = obj->child; c != NULL; c = c->next)
        if (c->string != NULL && strncmp(c->string, key, len) == 0 &&
            c->string[len] == '\0')
            return c;
    return NULL;
}

/* Mustache name resolution: "." is the top of the stack; otherwise the
 * first segment is looked up from the top of the stack down, and the rest
 * only inside what it found. */
static const cJSON *
lookup(const struct ctx *cx, struct str name)
{
    const char *dot;
    size_t seg;
    const cJSON *v = NULL;

    if (name.len == 1 && name.p[0] == '.')
        return cx->v;
    dot = memchr(name.p, '.', name.len);
    seg = dot != NULL ? (size_t)(dot - name.p) : name.len;
    for (; cx != NULL && v == NULL; cx = cx->up)
        v = get_key(cx->v, name.p, seg);
    while (v != NULL && seg < name.len) {
        name.p += seg + 1;
        name.len -= seg + 1;
        dot = memchr(name.p, '.', name.len);
        seg = dot != NULL ? (size_t)(dot - name.p) : name.len;
        v = get_key(v, name.p, seg);
    }
    return v;
}

/* Falsy as in mustache.js: missing, null, false, [], "" and 0. */
static bool
truthy(const cJSON *v)
{
    if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v) || cJSON_IsInvalid(v))
        return false;
    if (cJSON_IsArray(v))
        return v->child != NULL;
    if (cJSON_IsString(v) || cJSON_IsRaw(v))
        return v->valuestring != NULL && v->valuestring[0] != '\0';
    if (cJSON_IsNumber(v))
        return v->valuedouble < 0 || v->valuedouble > 0;
    return true;
}

APP_MUST_USE static enum app_err
emit_value(struct render *r, const struct indent *ind, const cJSON *v,
           bool escape)
{
    char num[40];
    size_t n;

    if (v == NULL)
        return APP_OK;
    if ((cJSON_IsString(v) || cJSON_IsRaw(v)) && v->valuestring != NULL)
        return emit(r, ind, v->valuestring, strlen(v->valuestring), escape);
    if (cJSON_IsNumber(v)) {
        n = format_number(v->valuedouble, num, sizeof(num));
        return emit(r, ind, num, n, false);
    }
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? emit(r, ind, "true", 4, false)
                               : emit(r, ind, "false", 5, false);
    return APP_OK; /* null, objects and arrays print nothing */
}

APP_MUST_USE static enum app_err
enter(struct render *r)
{
    if (r->depth >= r->max_depth)
        return too_big(r, "nesting deeper than", r->max_depth);
    r->depth++;
    return APP_OK;
}

APP_MUST_USE static enum app_err
render_section(struct render *r, const struct tmpl *t, size_t i, const cJSON *v,
               const struct ctx *cx, const struct indent *ind,
               const struct scope *sc)
{
    const struct op *op = &t->ops[i];
    enum app_err rc = enter(r);

    if (rc != APP_OK)
        return rc;
    if (cJSON_IsArray(v)) {
        const cJSON *el;

        for (el = v->child; el != NULL && rc == APP_OK; el = el->next) {
            struct ctx top = { el, cx };

            rc = step(r);
            if (rc == APP_OK)
                rc = render_range(r, t, i + 1, op->end, &top, ind, sc);
        }
    } else {
        struct ctx top = { v, cx };

        rc = render_range(r, t, i + 1, op->end, &top, ind, sc);
    }
    r->depth--;
    return rc;
}

/* A partial, or with a scope a parent: the whole of another template. */
APP_MUST_USE static enum app_err
render_include(struct render *r, const struct op *op, const struct ctx *cx,
               const struct indent *ind, const struct scope *sc)
{
    const struct tmpl *p = set_find(r->set, op->s);
    struct indent own = { op->indent, ind };
    enum app_err rc;

    if (p == NULL)
        return APP_OK; /* the spec renders a missing partial as "" */
    rc = enter(r);
    if (rc != APP_OK)
        return rc;
    if (op->starts_line) {
        ind = &own;
        r->pending = true;
    }
    rc = render_range(r, p, 0, p->nops, cx, ind, sc);
    r->depth--;
    return rc;
}

static size_t
op_next(const struct op *op, size_t i)
{
    switch (op->kind) {
    case OP_SECTION:
    case OP_INVERTED:
    case OP_PARENT:
    case OP_BLOCK:
        return op->end;
    default:
        return i + 1;
    }
}

/* The block that overrides name: the outermost parent body passing one
 * wins, so a template's own arguments beat those of the parents it
 * extends. */
APP_MUST_USE static enum app_err
find_override(struct render *r, const struct scope *sc, struct str name,
              const struct tmpl **ft, size_t *fi)
{
    enum app_err rc = APP_OK;

    for (; sc != NULL && rc == APP_OK; sc = sc->up) {
        size_t i = sc->begin;

        while (i < sc->end && rc == APP_OK) {
            const struct op *op = &sc->t->ops[i];

            if (op->kind == OP_BLOCK && str_eq(op->s, name)) {
                *ft = sc->t;
                *fi = i;
                break;
            }
            rc = step(r);
            i = op_next(op, i);
        }
    }
    return rc;
}

APP_MUST_USE static enum app_err
render_block(struct render *r, const struct tmpl *t, size_t i,
             const struct ctx *cx, const struct indent *ind,
             const struct scope *sc)
{
    const struct op *op = &t->ops[i];
    struct indent own = { op->indent, ind };
    const struct tmpl *ft = t;
    size_t fi = i;
    enum app_err rc = find_override(r, sc, op->s, &ft, &fi);

    if (rc == APP_OK)
        rc = enter(r);
    if (rc != APP_OK)
        return rc;
    if (op->starts_line)
        r->pending = true;
    rc = render_range(r, ft, fi + 1, ft->ops[fi].end, cx, &own, sc);
    r->depth--;
    return rc;
}

APP_MUST_USE static enum app_err
render_range(struct render *r, const struct tmpl *t, size_t i, size_t end,
             const struct ctx *cx, const struct indent *ind,
             const struct scope *sc)
{
    enum app_err rc = APP_OK;

    while (i < end && rc == APP_OK) {
        const struct op *op = &t->ops[i];
        const cJSON *v;

        r->t = t;
        r->line = op->line;
        rc = step(r);
        if (rc != APP_OK)
            break;
        switch (op->kind) {
        case OP_TEXT:
            rc = emit(r, ind, op->s.p, op->s.len, false);
            break;
        case OP_LINE:
            r->pending = true;
            break;
        case OP_VAR:
        case OP_RAW:
            rc = emit_value(r, ind, lookup(cx, op->s), op->kind == OP_VAR);
            break;
        case OP_SECTION:
            v = lookup(cx, op->s);
            if (truthy(v))
                rc = render_section(r, t, i, v, cx, ind, sc);
            break;
        case OP_INVERTED:
            if (truthy(lookup(cx, op->s)))
                break;
            rc = enter(r);
            if (rc == APP_OK) {
                rc = render_range(r, t, i + 1, op->end, cx, ind, sc);
                r->depth--;
            }
            break;
        case OP_PARTIAL:
            rc = render_include(r, op, cx, ind, sc);
            break;
        case OP_PARENT: {
            struct scope args = { t, i + 1, op->end, sc };

            rc = render_include(r, op, cx, ind, &args);
            break;
        }
        case OP_BLOCK:
            rc = render_block(r, t, i, cx, ind, sc);
            break;
        }
        i = op_next(op, i);
    }
    return rc;
}

/* --- the set -------------------------------------------------------------- */

struct tmpl_set *
tmpl_set_new(void)
{
    return calloc(1, sizeof(struct tmpl_set));
}

void
tmpl_set_free(struct tmpl_set *set)
{
    size_t i;

    if (set == NULL)
        return;
    for (i = 0; i < set->n; i++)
        tmpl_free(set->v[i]);
    free(set->v);
    free(set);
}

enum app_err
tmpl_set_add(struct tmpl_set *set, const char *name, const char *src,
             size_t len, char *err, size_t errlen)
{
    struct tmpl *t = NULL;
    size_t i, need;
    struct tmpl **v = NULL;
    bool found;
    enum app_err rc;

    if (set == NULL || name == NULL || (src == NULL && len > 0)) {
        set_err(err, errlen, "tmpl_set_add: bad arguments");
        return APP_EINTERNAL;
    }
    rc = compile(name, src != NULL ? src : "", len, &t, err, errlen);
    if (rc != APP_OK)
        return rc;
    i = set_index(set, t->name, &found);
    if (found) {
        tmpl_free(set->v[i]);
        set->v[i] = t;
        return APP_OK;
    }
    if (!__builtin_add_overflow(set->n, 1, &need))
        v = grow(set->v, &set->cap, need, sizeof(*v));
    if (v == NULL) {
        tmpl_free(t);
        set_err(err, errlen, "%s: out of memory", name);
        return APP_ENOMEM;
    }
    set->v = v;
    memmove(set->v + i + 1, set->v + i, (set->n - i) * sizeof(*set->v));
    set->v[i] = t;
    set->n++;
    return APP_OK;
}

bool
tmpl_set_has(const struct tmpl_set *set, const char *name)
{
    return set != NULL && name != NULL && set_find(set, str_c(name)) != NULL;
}

enum app_err
tmpl_set_check(const struct tmpl_set *set, char *err, size_t errlen)
{
    size_t i, k;

    if (set == NULL)
        return APP_OK;
    for (i = 0; i < set->n; i++) {
        const struct tmpl *t = set->v[i];

        for (k = 0; k < t->nops; k++) {
            const struct op *op = &t->ops[k];

            if ((op->kind == OP_PARTIAL || op->kind == OP_PARENT) &&
                set_find(set, op->s) == NULL) {
                set_err(err, errlen, "%s:%zu: missing %s \"%.*s\"", t->name.p,
                        op->line, op->kind == OP_PARTIAL ? "partial" : "parent",
                        (int)(op->s.len < 80 ? op->s.len : 80), op->s.p);
                return APP_ENOTFOUND;
            }
        }
    }
    return APP_OK;
}

enum app_err
tmpl_render(const struct tmpl_set *set, const char *name, const cJSON *data,
            const struct tmpl_limits *limits, struct buf *out, char *err,
            size_t errlen)
{
    struct render r;
    struct ctx root = { data, NULL };
    const struct tmpl *t;
    size_t steps;

    if (set == NULL || name == NULL || limits == NULL || out == NULL) {
        set_err(err, errlen, "tmpl_render: bad arguments");
        return APP_EINTERNAL;
    }
    t = set_find(set, str_c(name));
    if (t == NULL) {
        set_err(err, errlen, "no template \"%s\"", name);
        return APP_ENOTFOUND;
    }
    memset(&r, 0, sizeof(r));
    r.set = set;
    r.out = out;
    r.base = out->len;
    r.max_out = limits->max_output;
    r.max_depth =
        limits->max_depth < TMPL_MAX_DEPTH ? limits->max_depth : TMPL_MAX_DEPTH;
    if (__builtin_mul_overflow(limits->max_output, TMPL_STEPS_PER_BYTE,
                               &steps) ||
        __builtin_add_overflow(steps, TMPL_STEPS_BASE, &steps))
        steps = SIZE_MAX;
    r.max_steps = steps;
    r.t = t;
    r.err = err;
    r.errlen = errlen;
    return render_range(&r, t, 0, t->nops, &root, NULL, NULL);
}

/* --- loading a directory -------------------------------------------------- */

struct loader {
    struct tmpl_set *set;
    char path[PATH_MAX];
    size_t rootlen; /* bytes of "dir/" in path */
    char *err;
    size_t errlen;
};

/* scandir() helpers: no dot files (editor swap files, .git), and byte
 * order rather than the locale's, so loading is deterministic. */
static int
visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

static int
by_bytes(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

APP_MUST_USE static enum app_err
load_file(struct loader *ld, size_t len)
{
    size_t extlen = sizeof(MUSTACHE_EXT) - 1, n = 0, cap;
    char *buf = NULL, *name = NULL;
    struct stat st;
    enum app_err rc = APP_EIO;
    int fd = open(ld->path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0) {
        set_err(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)TMPL_MAX_FILE) {
        set_err(ld->err, ld->errlen, "%s: not a file of at most %u bytes",
                ld->path, TMPL_MAX_FILE);
        rc = APP_EINVAL;
        goto out;
    }
    /* One byte more than fstat said, to notice a file that grew. */
    cap = (size_t)st.st_size + 1;
    buf = malloc(cap);
    name = strndup(ld->path + ld->rootlen, len - ld->rootlen - extlen);
    if (buf == NULL || name == NULL) {
        set_err(ld->err, ld->errlen, "%s: out of memory", ld->path);
        rc = APP_ENOMEM;
        goto out;
    }
    while (n < cap) {
        ssize_t k = read(fd, buf + n, cap - n);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            set_err(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
            goto out;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    if (n == cap) {
        set_err(ld->err, ld->errlen, "%s: changed while read", ld->path);
        goto out;
    }
    rc = tmpl_set_add(ld->set, name, buf, n, ld->err, ld->errlen);
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(name);
    return rc;
}

static bool
has_ext(const char *name)
{
    size_t n = strlen(name), e = sizeof(MUSTACHE_EXT) - 1;

    return n > e && memcmp(name + n - e, MUSTACHE_EXT, e) == 0;
}

/* Load the tree at ld->path (len bytes long), depth levels below the
 * root; recursion is bounded by TMPL_MAX_DIR_DEPTH. */
APP_MUST_USE static enum app_err
load_tree(struct loader *ld, size_t len, unsigned depth)
{
    struct dirent **ents = NULL;
    int n = scandir(ld->path, &ents, visible, by_bytes), i;
    enum app_err rc = APP_OK;

    if (n < 0) {
        set_err(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
        return APP_EIO;
    }
    for (i = 0; i < n && rc == APP_OK; i++) {
        const char *name = ents[i]->d_name;
        size_t k = strlen(name), sub;
        struct stat st;

        if (__builtin_add_overflow(len, k + 1, &sub) || sub >= PATH_MAX) {
            set_err(ld->err, ld->errlen, "%s/%s: path too long", ld->path,
                    name);
            rc = APP_EINVAL;
            break;
        }
        ld->path[len] = '/';
        memcpy(ld->path + len + 1, name, k + 1);
        /* Symlinked files are read; symlinked directories are not
         * followed, so the walk cannot loop. */
        if (lstat(ld->path, &st) != 0) {
            set_err(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
            rc = APP_EIO;
        } else if (S_ISDIR(st.st_mode)) {
            if (strcmp(name, "static") == 0 || strcmp(name, "i18n") == 0) {
                /* assets and message catalogs, not templates */
            } else if (depth + 1 >= TMPL_MAX_DIR_DEPTH) {
                set_err(ld->err, ld->errlen, "%s: nested too deep", ld->path);
                rc = APP_EINVAL;
            } else {
                rc = load_tree(ld, sub, depth + 1);
            }
        } else if (has_ext(name) &&
                   (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
            rc = load_file(ld, sub);
        }
        ld->path[len] = '\0';
    }
    for (i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    return rc;
}

enum app_err
tmpl_set_load_dir(struct tmpl_set *set, const char *dir, char *err,
                  size_t errlen)
{
    struct loader *ld;
    size_t len;
    enum app_err rc;

    if (set == NULL || dir == NULL) {
        set_err(err, errlen, "tmpl_set_load_dir: bad arguments");
        return APP_EINTERNAL;
    }
    len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (len == 0 || len >= PATH_MAX - 1) {
        set_err(err, errlen, "%s: bad directory name", dir);
        return APP_EINVAL;
    }
    ld = calloc(1, sizeof(*ld));
    if (ld == NULL) {
        set_err(err, errlen, "%s: out of memory", dir);
        return APP_ENOMEM;
    }
    ld->set = set;
    memcpy(ld->path, dir, len);
    ld->path[len] = '\0';
    ld->rootlen = len + 1;
    ld->err = err;
    ld->errlen = errlen;
    rc = load_tree(ld, len, 0);
    free(ld);
    return rc;
}

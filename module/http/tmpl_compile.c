/*
 * tmpl_compile.c -- Mustache source to a flat list of ops: tokenize(),
 * then build() line by line (see tmpl_impl.h).
 */
#include "http/tmpl_impl.h"

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
    tmpl_err(c->err, c->errlen, "%s:%zu: %s", c->name, line, msg);
    return APP_EINVAL;
}

APP_MUST_USE static enum app_err
push_tok(struct compiler *c, enum tok_kind kind, struct str s, size_t line)
{
    size_t need;
    struct tok *v;

    if (__builtin_add_overflow(c->ntoks, 1, &need))
        return APP_ENOMEM;
    v = tmpl_grow(c->toks, &c->captoks, need, sizeof(*v));
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
    op = tmpl_grow(c->ops, &c->capops, need, sizeof(*op));
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

enum app_err
tmpl_compile(const char *name, const char *src, size_t len, struct tmpl **out,
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
        tmpl_err(err, errlen, "%s: out of memory", name);
    if (c != NULL) {
        free(c->toks);
        free(c->ops);
        free(c);
    }
    tmpl_free_one(t);
    return rc;
}

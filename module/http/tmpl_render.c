/*
 * tmpl_render.c -- rendering compiled templates over cJSON data, with
 * the depth, output and step limits (see tmpl_impl.h).
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
    tmpl_err(r->err, r->errlen, "%s:%zu: %s %zu", r->t->name.p, r->line, what,
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
    tmpl_err(r->err, r->errlen, "%s:%zu: output buffer: %s", r->t->name.p,
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
    const struct tmpl *p = tmpl_set_find(r->set, op->s);
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
        tmpl_err(err, errlen, "tmpl_render: bad arguments");
        return APP_EINTERNAL;
    }
    t = tmpl_set_find(set, str_c(name));
    if (t == NULL) {
        tmpl_err(err, errlen, "no template \"%s\"", name);
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

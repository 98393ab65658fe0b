/*
 * router.c -- compile route patterns and match requests against them.
 */
#include "http/router.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/app.h"
#include "base/num.h"
#include "http/parse.h"
#include "base/wire.h"

enum seg_kind { SEG_LIT, SEG_INT, SEG_SLUG, SEG_STR };

struct seg {
    enum seg_kind kind;
    char text[64]; /* literal text or parameter name */
    size_t len;
};

struct compiled_route {
    const struct route *route;
    struct seg segs[ROUTER_MAX_SEGMENTS];
    unsigned nsegs;
    unsigned nparams;
};

struct router {
    struct compiled_route *routes;
    size_t n;
};

#define INT_PARAM_MAX ((int64_t)1 << 53)
#define STR_PARAM_MAX 256
#define SLUG_PARAM_MAX 64

static const struct {
    const char *name;
    enum http_method m;
} method_names[] = {
    { "GET", HM_GET },         { "HEAD", HM_HEAD },   { "POST", HM_POST },
    { "PUT", HM_PUT },         { "PATCH", HM_PATCH }, { "DELETE", HM_DELETE },
    { "OPTIONS", HM_OPTIONS },
};

enum http_method
http_method_from(struct str name)
{
    size_t i;

    for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
        if (str_eq_c(name, method_names[i].name))
            return method_names[i].m;
    }
    return HM_OTHER;
}

const char *
http_method_name(enum http_method m)
{
    size_t i;

    for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
        if (method_names[i].m == m)
            return method_names[i].name;
    }
    return "OTHER";
}

/* Compile one pattern into segments. */
static int
compile(const struct route *rt, struct compiled_route *cr, char *err,
        size_t errlen)
{
    struct str rest = str_c(rt->pattern), seg;

    memset(cr, 0, sizeof(*cr));
    cr->route = rt;
    if (rest.len == 0 || rest.p[0] != '/') {
        snprintf(err, errlen, "route %s: pattern must start with '/'",
                 rt->pattern);
        return -1;
    }
    rest.p++;
    rest.len--;
    if (rest.len == 0)
        return 0; /* the root */
    for (;;) {
        bool more = str_split(rest, '/', &seg, &rest);
        struct seg *s;

        if (cr->nsegs == ROUTER_MAX_SEGMENTS || seg.len == 0 ||
            seg.len >= sizeof(s->text)) {
            snprintf(err, errlen, "route %s: bad or too many segments",
                     rt->pattern);
            return -1;
        }
        s = &cr->segs[cr->nsegs++];
        if (seg.p[0] == '{') {
            struct str name, type;

            if (seg.p[seg.len - 1] != '}' ||
                !str_split((struct str){ seg.p + 1, seg.len - 2 }, ':', &name,
                           &type) ||
                name.len == 0) {
                snprintf(err, errlen, "route %s: bad parameter '%.*s'",
                         rt->pattern, (int)seg.len, seg.p);
                return -1;
            }
            if (str_eq_c(type, "int"))
                s->kind = SEG_INT;
            else if (str_eq_c(type, "slug"))
                s->kind = SEG_SLUG;
            else if (str_eq_c(type, "str"))
                s->kind = SEG_STR;
            else {
                snprintf(err, errlen, "route %s: unknown type '%.*s'",
                         rt->pattern, (int)type.len, type.p);
                return -1;
            }
            if (cr->nparams == REQ_MAX_PARAMS) {
                snprintf(err, errlen, "route %s: too many parameters",
                         rt->pattern);
                return -1;
            }
            memcpy(s->text, name.p, name.len);
            s->len = name.len;
            cr->nparams++;
        } else {
            if (memchr(seg.p, '{', seg.len) != NULL ||
                memchr(seg.p, '%', seg.len) != NULL) {
                snprintf(err, errlen, "route %s: bad literal segment",
                         rt->pattern);
                return -1;
            }
            s->kind = SEG_LIT;
            memcpy(s->text, seg.p, seg.len);
            s->len = seg.len;
        }
        if (!more)
            break;
    }
    return 0;
}

static bool
same_shape(const struct compiled_route *a, const struct compiled_route *b)
{
    unsigned i;

    if (a->nsegs != b->nsegs)
        return false;
    for (i = 0; i < a->nsegs; i++) {
        if (a->segs[i].kind != b->segs[i].kind)
            return false;
        if (a->segs[i].kind == SEG_LIT &&
            (a->segs[i].len != b->segs[i].len ||
             memcmp(a->segs[i].text, b->segs[i].text, a->segs[i].len) != 0))
            return false;
    }
    return true;
}

enum app_err
router_new(const struct route *table, size_t n, struct router **out, char *err,
           size_t errlen)
{
    struct router *rt;
    size_t i, j;

    rt = calloc(1, sizeof(*rt));
    if (rt == NULL)
        return APP_ENOMEM;
    rt->routes = calloc(n > 0 ? n : 1, sizeof(*rt->routes));
    if (rt->routes == NULL) {
        free(rt);
        return APP_ENOMEM;
    }
    rt->n = n;
    for (i = 0; i < n; i++) {
        if (compile(&table[i], &rt->routes[i], err, errlen) != 0)
            goto fail;
        if ((table[i].flags & RF_STATE) &&
            (table[i].methods & (HM_GET | HM_HEAD))) {
            snprintf(err, errlen,
                     "route %s: a state-changing route may not take GET",
                     table[i].pattern);
            goto fail;
        }
        if ((table[i].methods & (HM_POST | HM_PUT | HM_PATCH | HM_DELETE)) &&
            !(table[i].flags & (RF_STATE | RF_DEBUG))) {
            snprintf(err, errlen,
                     "route %s: a POST/PUT/PATCH/DELETE route must be "
                     "declared RF_STATE",
                     table[i].pattern);
            goto fail;
        }
        if (table[i].roles != 0 && !(table[i].flags & RF_DB)) {
            snprintf(err, errlen,
                     "route %s: a route that needs a role needs RF_DB "
                     "(sessions live in the database)",
                     table[i].pattern);
            goto fail;
        }
        for (j = 0; j < i; j++) {
            if (same_shape(&rt->routes[i], &rt->routes[j]) &&
                (table[i].methods & table[j].methods) != 0) {
                snprintf(err, errlen, "route %s: duplicate of %s",
                         table[i].pattern, table[j].pattern);
                goto fail;
            }
        }
    }
    *out = rt;
    return APP_OK;
fail:
    router_free(rt);
    return APP_EINVAL;
}

void
router_free(struct router *rt)
{
    if (rt == NULL)
        return;
    free(rt->routes);
    free(rt);
}

/* Percent-decode one raw segment into dst (capacity cap); -1 when
 * malformed, too long, or decoding yields '/', NUL or a control byte. */
static long
decode_segment(struct str raw, char *dst, size_t cap)
{
    size_t i, n;

    if (!wire_pct_valid(raw, &n) || n + 1 > cap)
        return -1;
    n = wire_pct_decode(raw, false, dst);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)dst[i];

        if (c < 0x20 || c == 0x7f || c == '/')
            return -1;
    }
    return (long)n;
}

static bool
slug_ok(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > SLUG_PARAM_MAX)
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_'))
            return false;
    }
    return true;
}

/* Split path into raw segments; false when the path cannot match any
 * route (not absolute, empty inner segment, dot segments, too deep). */
static bool
split_path(struct str path, struct str *segs, unsigned *nsegs)
{
    struct str rest, seg;

    *nsegs = 0;
    if (path.len == 0 || path.p[0] != '/')
        return false;
    rest.p = path.p + 1;
    rest.len = path.len - 1;
    if (rest.len == 0)
        return true;
    for (;;) {
        bool more = str_split(rest, '/', &seg, &rest);

        if (seg.len == 0 || *nsegs == ROUTER_MAX_SEGMENTS)
            return false;
        if (str_eq_c(seg, ".") || str_eq_c(seg, ".."))
            return false;
        segs[(*nsegs)++] = seg;
        if (!more)
            return true;
    }
}

static bool
match_route(const struct compiled_route *cr, const struct str *segs,
            unsigned nsegs, struct req *r, bool bind)
{
    unsigned i, np = 0;

    if (cr->nsegs != nsegs)
        return false;
    for (i = 0; i < nsegs; i++) {
        const struct seg *s = &cr->segs[i];
        char tmp[STR_PARAM_MAX + 1];
        long n;

        if (s->kind == SEG_LIT) {
            if (segs[i].len != s->len ||
                memcmp(segs[i].p, s->text, s->len) != 0)
                return false;
            continue;
        }
        n = decode_segment(segs[i], tmp, sizeof(tmp));
        if (n <= 0)
            return false;
        if (s->kind == SEG_INT) {
            int64_t v;

            if (!parse_i64((struct str){ tmp, (size_t)n }, 1, INT_PARAM_MAX,
                           &v))
                return false;
            if (bind)
                r->iparams[np] = v;
        } else if (s->kind == SEG_SLUG) {
            if (!slug_ok(tmp, (size_t)n))
                return false;
        } else if (!utf8_valid(tmp, (size_t)n)) {
            return false;
        }
        if (bind) {
            char *copy = arena_strndup(r->a, tmp, (size_t)n);

            if (copy == NULL)
                return false;
            r->param_names[np] = s->text;
            r->params[np].p = copy;
            r->params[np].len = (size_t)n;
        }
        np++;
    }
    if (bind)
        r->nparams = np;
    return true;
}

enum app_err
router_match(const struct router *rt, struct req *r, enum http_method method,
             struct str path, const struct route **route, unsigned *allowed)
{
    struct str segs[ROUTER_MAX_SEGMENTS];
    unsigned nsegs, allow = 0;
    size_t i;
    bool debug = r->app == NULL || r->app->conf.debug_routes;
    enum http_method want = method == HM_HEAD ? HM_GET : method;

    *route = NULL;
    *allowed = 0;
    if (!split_path(path, segs, &nsegs))
        return APP_ENOTFOUND;
    for (i = 0; i < rt->n; i++) {
        const struct compiled_route *cr = &rt->routes[i];

        if ((cr->route->flags & RF_DEBUG) && !debug)
            continue;
        if (!match_route(cr, segs, nsegs, r, false))
            continue;
        if ((cr->route->methods & want) == 0 &&
            (cr->route->methods & method) == 0) {
            allow |= cr->route->methods;
            continue;
        }
        if (!match_route(cr, segs, nsegs, r, true))
            return APP_ENOMEM;
        *route = cr->route;
        return APP_OK;
    }
    if (allow != 0) {
        if (allow & HM_GET)
            allow |= HM_HEAD;
        *allowed = allow;
        return APP_EMETHOD;
    }
    return APP_ENOTFOUND;
}

const struct str *
router_param(const struct req *r, const char *name)
{
    unsigned i;

    for (i = 0; i < r->nparams; i++) {
        if (r->param_names[i] != NULL && strcmp(r->param_names[i], name) == 0)
            return &r->params[i];
    }
    return NULL;
}

int64_t
router_param_int(const struct req *r, const char *name)
{
    unsigned i;

    for (i = 0; i < r->nparams; i++) {
        if (r->param_names[i] != NULL && strcmp(r->param_names[i], name) == 0)
            return r->iparams[i];
    }
    return 0;
}

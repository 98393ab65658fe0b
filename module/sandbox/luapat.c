/*
 * luapat.c -- Lua 5.4 patterns with a step budget (see luapat.h).
 *
 * The matcher is the classic recursive backtracking matcher that Lua's
 * lstrlib uses, written again so that every recursion and every
 * backtracking loop pays from a per-call budget.  Its recursion structure
 * is deliberately the same as Lua's: the depth limit ("pattern too
 * complex") and the pattern errors that Lua only notices when the matcher
 * reaches them are then raised for exactly the inputs where Lua raises
 * them.  tests/unit/luapat_test.c and tests/fuzz/fuzz_luapat.c check this
 * against the Lua library the server links.
 *
 * The matcher allocates nothing and keeps its state on the C stack, so
 * the longjmp of a Lua error (budget spent, malformed pattern) leaks
 * nothing.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "sandbox/luapat.h"

#define LP_ESC '%'
#define LP_SPECIALS "^$*+?.([%-"
#define LP_MAXCAPTURES 32 /* LUA_MAXCAPTURES of lstrlib.c */
#define LP_MAXDEPTH 200   /* MAXCCALLS of lstrlib.c: bounds the C stack */
#define LP_CAP_OPEN (-1)
#define LP_CAP_POSITION (-2)
/* A back reference compares this many bytes per step: memcmp is cheap per
 * byte, but a long capture compared at every position must still pay. */
#define LP_CMP_PER_STEP 16
/* Likewise a set is scanned item by item at every test: a long set pays
 * a step per this many pattern bytes, so that a step stays cheap. */
#define LP_SET_PER_STEP 16

#define LP_U(c) ((unsigned char)(c))

struct lp_capture {
    const char *init;
    ptrdiff_t len; /* length, LP_CAP_OPEN or LP_CAP_POSITION */
};

struct lp_state {
    const char *src_init; /* subject */
    const char *src_end;
    const char *p_end; /* end of pattern */
    lua_State *L;
    size_t max_steps;  /* the budget of this call, for the message */
    size_t steps_left; /* what is left of it */
    int depth_left;    /* recursion levels left */
    int level;         /* captures started */
    struct lp_capture capture[LP_MAXCAPTURES];
};

/* State of one gmatch iterator, as offsets into its subject. */
struct lp_gmatch {
    size_t src;       /* where the next search starts */
    size_t lastmatch; /* end of the last match, SIZE_MAX before the first */
};

static const char *lp_match(struct lp_state *ms, const char *s, const char *p);

/* size_t to lua_Integer for messages and results, saturating. */
static lua_Integer
lp_int(size_t v)
{
    return v > (size_t)LUA_MAXINTEGER ? LUA_MAXINTEGER : (lua_Integer)v;
}

/* Pay n steps; when the budget cannot, the call fails with a Lua error
 * that names the limit so that rule authors know what they hit. */
static void
lp_charge(struct lp_state *ms, size_t n)
{
    if (n > ms->steps_left)
        luaL_error(ms->L,
                   "pattern too complex for the rule sandbox (step limit %I)",
                   lp_int(ms->max_steps));
    ms->steps_left -= n;
}

/* Pattern byte at p, or 0 at the end: Lua reads the terminating NUL of
 * its strings there, and this gives the same answers without relying on
 * the terminator. */
static int
lp_pat(const struct lp_state *ms, const char *p)
{
    return p < ms->p_end ? LP_U(*p) : 0;
}

/* Whether c is in class %cl (cl a letter) or equals cl (anything else). */
static int
lp_class(int c, int cl)
{
    int res;

    switch (tolower(cl)) {
    case 'a':
        res = isalpha(c);
        break;
    case 'c':
        res = iscntrl(c);
        break;
    case 'd':
        res = isdigit(c);
        break;
    case 'g':
        res = isgraph(c);
        break;
    case 'l':
        res = islower(c);
        break;
    case 'p':
        res = ispunct(c);
        break;
    case 's':
        res = isspace(c);
        break;
    case 'u':
        res = isupper(c);
        break;
    case 'w':
        res = isalnum(c);
        break;
    case 'x':
        res = isxdigit(c);
        break;
    case 'z': /* deprecated since 5.2, still accepted by 5.4 */
        res = c == 0;
        break;
    default:
        return cl == c;
    }
    if (isupper(cl))
        res = !res;
    return res != 0;
}

/* Whether c is in the set that starts at p ('[') and ends at ec (']').
 * The set was delimited by lp_class_end, which guarantees that every read
 * here stays at or before ec. */
static int
lp_set(int c, const char *p, const char *ec)
{
    int hit = 1;

    if (p[1] == '^') {
        hit = 0;
        p++;
    }
    while (++p < ec) {
        if (*p == LP_ESC) {
            p++;
            if (lp_class(c, LP_U(*p)))
                return hit;
        } else if (p[1] == '-' && p + 2 < ec) {
            p += 2;
            if (LP_U(p[-2]) <= c && c <= LP_U(*p))
                return hit;
        } else if (LP_U(*p) == c) {
            return hit;
        }
    }
    return !hit;
}

/* The end of the single-character class at p (p < p_end): after '%x',
 * after the closing ']' of a set, or after the character. */
static const char *
lp_class_end(struct lp_state *ms, const char *p)
{
    int c = LP_U(*p++);

    if (c == LP_ESC) {
        if (p >= ms->p_end)
            luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (lp_pat(ms, p) == '^')
            p++;
        /* The first character is taken whatever it is, so "[]]" and
         * "[^]]" contain ']'; '%' escapes the character after it. */
        do {
            if (p >= ms->p_end)
                luaL_error(ms->L, "malformed pattern (missing ']')");
            c = LP_U(*p++);
            if (c == LP_ESC && p < ms->p_end)
                p++;
        } while (lp_pat(ms, p) != ']');
        return p + 1;
    }
    return p;
}

/* Whether the subject byte at s matches the class [p, ep). */
static int
lp_single(struct lp_state *ms, const char *s, const char *p, const char *ep)
{
    int c;

    if (s >= ms->src_end)
        return 0;
    c = LP_U(*s);
    switch (*p) {
    case '.':
        return 1;
    case LP_ESC:
        return lp_class(c, LP_U(p[1]));
    case '[':
        lp_charge(ms, (size_t)(ep - p) / LP_SET_PER_STEP);
        return lp_set(c, p, ep - 1);
    default:
        return LP_U(*p) == c;
    }
}

/* %bxy at p (just after "%b"): a balanced run from s, or NULL. */
static const char *
lp_balance(struct lp_state *ms, const char *s, const char *p)
{
    int cont = 1;
    char open, close;

    if (ms->p_end - p < 2)
        luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= ms->src_end || *s != *p)
        return NULL;
    open = p[0];
    close = p[1];
    while (++s < ms->src_end) {
        /* A scan to the end from every start is quadratic: pay per byte. */
        lp_charge(ms, 1);
        if (*s == close) {
            if (--cont == 0)
                return s + 1;
        } else if (*s == open) {
            cont++;
        }
    }
    return NULL;
}

/* Greedy repetition: take as many as match, then give back one at a
 * time until the rest of the pattern (after ep) matches. */
static const char *
lp_max_expand(struct lp_state *ms, const char *s, const char *p, const char *ep)
{
    size_t i = 0;
    const char *res;

    while (lp_single(ms, s + i, p, ep)) {
        lp_charge(ms, 1);
        i++;
    }
    for (;;) {
        res = lp_match(ms, s + i, ep + 1);
        if (res != NULL)
            return res;
        if (i == 0)
            return NULL;
        i--;
    }
}

/* Lazy repetition: try the rest first, take one more only on failure. */
static const char *
lp_min_expand(struct lp_state *ms, const char *s, const char *p, const char *ep)
{
    const char *res;

    for (;;) {
        res = lp_match(ms, s, ep + 1);
        if (res != NULL)
            return res;
        if (!lp_single(ms, s, p, ep))
            return NULL;
        s++;
    }
}

static const char *
lp_start_capture(struct lp_state *ms, const char *s, const char *p,
                 ptrdiff_t what)
{
    const char *res;

    if (ms->level >= LP_MAXCAPTURES)
        luaL_error(ms->L, "too many captures");
    ms->capture[ms->level].init = s;
    ms->capture[ms->level].len = what;
    ms->level++;
    res = lp_match(ms, s, p);
    if (res == NULL)
        ms->level--; /* undo: the capture did not happen */
    return res;
}

/* The innermost capture still open; a ')' without one is an error. */
static int
lp_capture_to_close(struct lp_state *ms)
{
    int l;

    for (l = ms->level - 1; l >= 0; l--) {
        if (ms->capture[l].len == LP_CAP_OPEN)
            return l;
    }
    return luaL_error(ms->L, "invalid pattern capture");
}

static const char *
lp_end_capture(struct lp_state *ms, const char *s, const char *p)
{
    int l = lp_capture_to_close(ms);
    const char *res;

    ms->capture[l].len = s - ms->capture[l].init;
    res = lp_match(ms, s, p);
    if (res == NULL)
        ms->capture[l].len = LP_CAP_OPEN; /* undo */
    return res;
}

/* Back reference %d (d the digit character): the text of a closed capture
 * again at s, or NULL. */
static const char *
lp_match_capture(struct lp_state *ms, const char *s, int d)
{
    int l = d - '1';
    size_t len;

    if (l < 0 || l >= ms->level || ms->capture[l].len == LP_CAP_OPEN)
        luaL_error(ms->L, "invalid capture index %%%d", l + 1);
    if (ms->capture[l].len == LP_CAP_POSITION)
        return NULL; /* a position never equals text */
    len = (size_t)ms->capture[l].len;
    if ((size_t)(ms->src_end - s) < len)
        return NULL;
    lp_charge(ms, len / LP_CMP_PER_STEP);
    if (memcmp(ms->capture[l].init, s, len) != 0)
        return NULL;
    return s + len;
}

/* A single-character item at p with its optional quantifier, at subject
 * position *sp.  Returns where to continue in the pattern with *sp
 * advanced, or NULL when the item decided the match (*sp is then its
 * result: the end of the match or NULL). */
static const char *
lp_item(struct lp_state *ms, const char **sp, const char *p)
{
    const char *s = *sp;
    const char *ep = lp_class_end(ms, p);
    int q = lp_pat(ms, ep);
    const char *res;

    if (!lp_single(ms, s, p, ep)) {
        if (q == '*' || q == '?' || q == '-')
            return ep + 1; /* zero occurrences are fine */
        *sp = NULL;
        return NULL;
    }
    switch (q) {
    case '?':
        res = lp_match(ms, s + 1, ep + 1);
        if (res != NULL) {
            *sp = res;
            return NULL;
        }
        return ep + 1; /* try without the optional character */
    case '+':
        *sp = lp_max_expand(ms, s + 1, p, ep);
        return NULL;
    case '*':
        *sp = lp_max_expand(ms, s, p, ep);
        return NULL;
    case '-':
        *sp = lp_min_expand(ms, s, p, ep);
        return NULL;
    default:
        *sp = s + 1;
        return ep;
    }
}

/* An item starting with '%' at p: %b, %f, a back reference, or a class
 * (handed to lp_item).  Same contract as lp_item. */
static const char *
lp_escape(struct lp_state *ms, const char **sp, const char *p)
{
    int c = lp_pat(ms, p + 1);
    const char *s = *sp, *ep;
    int prev, cur;

    switch (c) {
    case 'b':
        *sp = lp_balance(ms, s, p + 2);
        return *sp != NULL ? p + 4 : NULL;
    case 'f':
        p += 2;
        if (lp_pat(ms, p) != '[')
            luaL_error(ms->L, "missing '[' after '%%f' in pattern");
        ep = lp_class_end(ms, p);
        lp_charge(ms, (size_t)(ep - p) / LP_SET_PER_STEP);
        /* Outside the subject counts as '\0' on both sides. */
        prev = s == ms->src_init ? 0 : LP_U(s[-1]);
        cur = s < ms->src_end ? LP_U(*s) : 0;
        if (!lp_set(prev, p, ep - 1) && lp_set(cur, p, ep - 1))
            return ep;
        *sp = NULL;
        return NULL;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        *sp = lp_match_capture(ms, s, c);
        return *sp != NULL ? p + 2 : NULL;
    default:
        return lp_item(ms, sp, p);
    }
}

/* Match the pattern from p against the subject from s: the end of the
 * match or NULL.  Items that need no backtracking are handled in the loop;
 * only captures and quantifiers recurse, as in Lua, so the depth limit
 * falls on the same patterns. */
static const char *
lp_match(struct lp_state *ms, const char *s, const char *p)
{
    const char *next;

    if (ms->depth_left-- == 0)
        luaL_error(ms->L, "pattern too complex");
    lp_charge(ms, 1);
    while (p < ms->p_end) {
        next = NULL;
        switch (*p) {
        case '(':
            if (lp_pat(ms, p + 1) == ')')
                s = lp_start_capture(ms, s, p + 2, LP_CAP_POSITION);
            else
                s = lp_start_capture(ms, s, p + 1, LP_CAP_OPEN);
            break;
        case ')':
            s = lp_end_capture(ms, s, p + 1);
            break;
        case '$':
            if (p + 1 == ms->p_end) {
                s = s == ms->src_end ? s : NULL;
                break;
            }
            next = lp_item(ms, &s, p); /* a '$' inside is a character */
            break;
        case LP_ESC:
            next = lp_escape(ms, &s, p);
            break;
        default:
            next = lp_item(ms, &s, p);
            break;
        }
        if (next == NULL)
            break;
        /* A step per further item too, so that a long pattern retried at
         * every position pays for its length. */
        lp_charge(ms, 1);
        p = next;
    }
    ms->depth_left++;
    return s;
}

/* --- captures to Lua values ---------------------------------------------- */

/* Capture i of the match [s, e).  For text, sets *cap and *len and returns
 * 0; for a position capture, pushes the position and returns 1.  Without
 * captures, capture 0 is the whole match. */
static int
lp_get_capture(struct lp_state *ms, int i, const char *s, const char *e,
               const char **cap, size_t *len)
{
    ptrdiff_t l;

    if (i >= ms->level) {
        if (i != 0)
            luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        *cap = s;
        *len = (size_t)(e - s);
        return 0;
    }
    l = ms->capture[i].len;
    if (l == LP_CAP_OPEN)
        luaL_error(ms->L, "unfinished capture");
    if (l == LP_CAP_POSITION) {
        lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
        return 1;
    }
    *cap = ms->capture[i].init;
    *len = (size_t)l;
    return 0;
}

static void
lp_push_capture(struct lp_state *ms, int i, const char *s, const char *e)
{
    const char *cap = NULL;
    size_t len = 0;

    if (lp_get_capture(ms, i, s, e, &cap, &len) == 0)
        lua_pushlstring(ms->L, cap, len);
}

/* Push every capture (or the whole match when there are none and s is
 * given); returns how many were pushed. */
static int
lp_push_captures(struct lp_state *ms, const char *s, const char *e)
{
    int i, n = (ms->level == 0 && s != NULL) ? 1 : ms->level;

    luaL_checkstack(ms->L, n, "too many captures");
    for (i = 0; i < n; i++)
        lp_push_capture(ms, i, s, e);
    return n;
}

/* --- the library functions ----------------------------------------------- */

static const struct luapat_limits *
lp_limits(lua_State *L, int upvalue)
{
    return (const struct luapat_limits *)lua_touserdata(
        L, lua_upvalueindex(upvalue));
}

/* Refuse oversized input before any matching, with a message that says
 * which limit the rule ran into. */
static void
lp_check_sizes(lua_State *L, const struct luapat_limits *lim, size_t ls,
               size_t lp)
{
    if (ls > lim->max_subject)
        luaL_error(L,
                   "subject too long for the rule sandbox (%I bytes, "
                   "limit %I)",
                   lp_int(ls), lp_int(lim->max_subject));
    if (lp > lim->max_pattern)
        luaL_error(L,
                   "pattern too long for the rule sandbox (%I bytes, "
                   "limit %I)",
                   lp_int(lp), lp_int(lim->max_pattern));
}

/* Set up a match over subject [s, s+ls) and pattern [p, p+lp) with a
 * fresh budget: one budget per library call (or iterator call). */
static void
lp_prepare(struct lp_state *ms, lua_State *L, const struct luapat_limits *lim,
           const char *s, size_t ls, const char *p, size_t lp)
{
    ms->L = L;
    ms->src_init = s;
    ms->src_end = s + ls;
    ms->p_end = p + lp;
    ms->max_steps = lim->max_steps;
    ms->steps_left = lim->max_steps;
    ms->depth_left = LP_MAXDEPTH;
    ms->level = 0;
}

/* Before each attempt at a new subject position. */
static void
lp_restart(struct lp_state *ms)
{
    ms->level = 0;
    ms->depth_left = LP_MAXDEPTH;
}

/* A string index (1-based, negative from the end) to a 1-based position,
 * as string.find's init: 0 and too negative become 1. */
static size_t
lp_posrelat(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos;
    if (pos == 0)
        return 1;
    if (pos < -(lua_Integer)len)
        return 1;
    return len + (size_t)pos + 1; /* wraps to len - |pos| + 1 */
}

/* Whether p has no magic characters, so find can search it as text.
 * Lua checks with strpbrk around embedded zeros: the same as any byte. */
static int
lp_nospecials(const char *p, size_t lp)
{
    size_t i;

    for (i = 0; i < lp; i++) {
        if (p[i] != '\0' &&
            memchr(LP_SPECIALS, p[i], sizeof(LP_SPECIALS) - 1) != NULL)
            return 0;
    }
    return 1;
}

/* string.find (find != 0) and string.match. */
static int
lp_find_aux(lua_State *L, int find)
{
    const struct luapat_limits *lim = lp_limits(L, 1);
    size_t ls, lp, init;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *s1, *res, *hit;
    struct lp_state ms;
    int anchor;

    init = lp_posrelat(luaL_optinteger(L, 3, 1), ls) - 1;
    lp_check_sizes(L, lim, ls, lp);
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || lp_nospecials(p, lp))) {
        /* Plain search: memmem is linear, no budget needed. */
        hit = lp == 0 ? s + init : memmem(s + init, ls - init, p, lp);
        if (hit != NULL) {
            lua_pushinteger(L, (hit - s) + 1);
            lua_pushinteger(L, (hit - s) + (lua_Integer)lp);
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }
    anchor = lp > 0 && *p == '^';
    if (anchor) {
        p++;
        lp--;
    }
    lp_prepare(&ms, L, lim, s, ls, p, lp);
    s1 = s + init;
    for (;;) {
        lp_restart(&ms);
        res = lp_match(&ms, s1, p);
        if (res != NULL) {
            if (find) {
                /* stack: s p ... -> start end captures */
                lua_pushinteger(L, (s1 - s) + 1);
                lua_pushinteger(L, res - s);
                return lp_push_captures(&ms, NULL, NULL) + 2;
            }
            return lp_push_captures(&ms, s1, res);
        }
        if (anchor || s1 >= ms.src_end)
            break;
        s1++;
    }
    luaL_pushfail(L);
    return 1;
}

static int
lp_find(lua_State *L)
{
    return lp_find_aux(L, 1);
}

static int
lp_str_match(lua_State *L)
{
    return lp_find_aux(L, 0);
}

/* Iterator of gmatch.  Upvalues: subject, pattern, state, limits. */
static int
lp_gmatch_aux(lua_State *L)
{
    size_t ls, lp, off;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    struct lp_gmatch *gm =
        (struct lp_gmatch *)lua_touserdata(L, lua_upvalueindex(3));
    const struct luapat_limits *lim = lp_limits(L, 4);
    const char *e;
    struct lp_state ms;

    lp_prepare(&ms, L, lim, s, ls, p, lp);
    for (off = gm->src; off <= ls; off++) {
        lp_restart(&ms);
        e = lp_match(&ms, s + off, p);
        /* An empty match right where the last one ended is skipped:
         * "a*" over "ab" gives "a" and then "" at the end, as in Lua. */
        if (e != NULL && (size_t)(e - s) != gm->lastmatch) {
            gm->src = gm->lastmatch = (size_t)(e - s);
            return lp_push_captures(&ms, s + off, e);
        }
    }
    return 0;
}

static int
lp_gmatch(lua_State *L)
{
    const struct luapat_limits *lim = lp_limits(L, 1);
    size_t ls, lp, init;
    struct lp_gmatch *gm;

    luaL_checklstring(L, 1, &ls);
    luaL_checklstring(L, 2, &lp);
    init = lp_posrelat(luaL_optinteger(L, 3, 1), ls) - 1;
    lp_check_sizes(L, lim, ls, lp);
    /* The closure keeps subject and pattern alive: stack s p. */
    lua_settop(L, 2);
    gm = (struct lp_gmatch *)lua_newuserdatauv(L, sizeof(*gm), 0);
    gm->src = init > ls ? ls + 1 : init; /* past the end: no matches */
    gm->lastmatch = SIZE_MAX;
    lua_pushvalue(L, lua_upvalueindex(1)); /* s p state limits */
    lua_pushcclosure(L, lp_gmatch_aux, 4);
    return 1;
}

/* Append the replacement string (argument 3) for the match [s, e),
 * expanding %0-%9 and %%. */
static void
lp_add_string(struct lp_state *ms, luaL_Buffer *b, const char *s, const char *e)
{
    lua_State *L = ms->L;
    size_t l, len;
    const char *news = lua_tolstring(L, 3, &l);
    const char *end = news + l, *pct, *cap;
    int c;

    /* The replacement is scanned once per match, and each escape in it
     * costs about a matching step: a long replacement full of escapes
     * pays for them, however little it adds. */
    lp_charge(ms, 1 + l / LP_CMP_PER_STEP);
    while ((pct = memchr(news, LP_ESC, (size_t)(end - news))) != NULL) {
        lp_charge(ms, 1);
        luaL_addlstring(b, news, (size_t)(pct - news));
        c = pct + 1 < end ? LP_U(pct[1]) : 0;
        if (c == LP_ESC) {
            luaL_addchar(b, LP_ESC);
        } else if (c == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit(c)) {
            cap = NULL;
            len = 0;
            if (lp_get_capture(ms, c - '1', s, e, &cap, &len) != 0)
                luaL_addvalue(b); /* the position pushed above */
            else
                luaL_addlstring(b, cap, len);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", LP_ESC);
        }
        news = pct + 2;
    }
    luaL_addlstring(b, news, (size_t)(end - news));
}

/* Append the replacement for the match [s, e) by the kind tr of argument
 * 3.  Returns whether the text changed: a table or function giving false
 * or nil keeps the original. */
static int
lp_add_value(struct lp_state *ms, luaL_Buffer *b, const char *s, const char *e,
             int tr)
{
    lua_State *L = ms->L;

    switch (tr) {
    case LUA_TFUNCTION: {
        int n;

        lua_pushvalue(L, 3);
        n = lp_push_captures(ms, s, e);
        lua_call(L, n, 1); /* the sandbox's hook covers this Lua code */
        break;
    }
    case LUA_TTABLE:
        lp_push_capture(ms, 0, s, e);
        lua_gettable(L, 3);
        break;
    default:
        lp_add_string(ms, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)",
                          luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static int
lp_gsub(lua_State *L)
{
    const struct luapat_limits *lim = lp_limits(L, 1);
    size_t srcl, lp;
    const char *src = luaL_checklstring(L, 1, &srcl);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *lastmatch = NULL, *e;
    int tr = lua_type(L, 3);
    lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1);
    lua_Integer n = 0;
    int anchor = lp > 0 && *p == '^', changed = 0;
    struct lp_state ms;
    luaL_Buffer b;

    luaL_argexpected(L,
                     tr == LUA_TNUMBER || tr == LUA_TSTRING ||
                         tr == LUA_TFUNCTION || tr == LUA_TTABLE,
                     3, "string/function/table");
    lp_check_sizes(L, lim, srcl, lp);
    luaL_buffinit(L, &b);
    if (anchor) {
        p++;
        lp--;
    }
    /* One budget for the whole gsub: its loop is one C call. */
    lp_prepare(&ms, L, lim, src, srcl, p, lp);
    while (n < max_s) {
        lp_restart(&ms);
        e = lp_match(&ms, src, p);
        if (e != NULL && e != lastmatch) {
            n++;
            changed = lp_add_value(&ms, &b, src, e, tr) | changed;
            src = lastmatch = e;
        } else if (src < ms.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor)
            break;
    }
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

void
luapat_open(lua_State *L, const struct luapat_limits *lim)
{
    static const luaL_Reg fns[] = {
        { "find", lp_find },     { "match", lp_str_match },
        { "gmatch", lp_gmatch }, { "gsub", lp_gsub },
        { NULL, NULL },
    };
    struct luapat_limits *copy;

    /* stack: strlib -> strlib limits; setfuncs gives each function the
     * limits as upvalue 1 and pops them. */
    copy = (struct luapat_limits *)lua_newuserdatauv(L, sizeof(*copy), 0);
    *copy = *lim;
    luaL_setfuncs(L, fns, 1);
}

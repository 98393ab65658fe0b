/*
 * rmb.c -- amounts in Chinese capital numerals (rmb.h).
 */
#include "base/rmb.h"

#include <string.h>

static const char *const DIGIT[10] = { "零", "壹", "贰", "叁", "肆",
                                       "伍", "陆", "柒", "捌", "玖" };
static const char *const PLACE[4] = { "", "拾", "佰", "仟" };
/* The groups of four digits, lowest first. */
static const char *const GROUP[4] = { "", "万", "亿", "万亿" };

struct out {
    char *p;
    size_t cap, len;
    bool ok;
};

static void
put(struct out *o, const char *s)
{
    size_t n = strlen(s);

    if (!o->ok || o->len + n >= o->cap) {
        o->ok = false;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

/* The whole yuan (< 10^16), groups from the highest.  *zero: a run of
 * zeros waits to be spoken as one 零 before the next digit. */
static void
put_yuan(struct out *o, int64_t yuan)
{
    int64_t groups[4];
    bool spoken = false, zero = false;
    int g, k;

    for (g = 0; g < 4; g++) {
        groups[g] = yuan % 10000;
        yuan /= 10000;
    }
    for (g = 3; g >= 0; g--) {
        int64_t v = groups[g], div = 1000;

        if (v == 0) {
            zero = zero || spoken; /* a whole group of zeros inside */
            continue;
        }
        for (k = 3; k >= 0; k--, div /= 10) {
            int d = (int)(v / div % 10);

            if (d == 0) {
                zero = zero || spoken;
                continue;
            }
            if (zero)
                put(o, DIGIT[0]);
            zero = false;
            put(o, DIGIT[d]);
            put(o, PLACE[k]);
            spoken = true;
            if (v % div == 0)
                break; /* zeros ending a group are not spoken */
        }
        put(o, GROUP[g]);
    }
}

bool
rmb_capitals(int64_t cents, char *out, size_t cap)
{
    struct out o = { out, cap, 0, cap > 0 };
    int64_t yuan;
    int jiao, fen;

    if (cap > 0)
        out[0] = '\0';
    if (cents < 0 || cents > RMB_CENTS_MAX || cap == 0)
        return false;
    yuan = cents / 100;
    jiao = (int)(cents / 10 % 10);
    fen = (int)(cents % 10);
    if (yuan > 0) {
        put_yuan(&o, yuan);
        put(&o, "元");
    }
    if (jiao == 0 && fen == 0) {
        if (yuan == 0)
            put(&o, "零元");
        put(&o, "整");
    } else {
        if (jiao > 0) {
            put(&o, DIGIT[jiao]);
            put(&o, "角");
        } else if (yuan > 0) {
            put(&o, DIGIT[0]);
        }
        if (fen > 0) {
            put(&o, DIGIT[fen]);
            put(&o, "分");
        }
    }
    if (!o.ok)
        out[0] = '\0';
    return o.ok;
}

/*
 * pos_parse.c -- the POS import's header and line parser (pos_parse.h).
 * Hot code: 2 million lines a file, so no allocation, no strlen, and
 * every field is read once.
 */
#include "sales/pos_parse.h"

#include <stdlib.h>
#include <string.h>

#include "sales/pos_import.h"

const char *const pos_field_names[POS_NCOLS] = {
    "store", "time", "receipt", "line", "sku", "qty", "amount", "member",
};

/* The header names a file may use for each field. */
static const char *const HEADER_NAMES[POS_NCOLS][6] = {
    { "store", "store_code", "门店编码", "门店代码", "门店", NULL },
    { "time", "sold_at", "销售时间", "时间", NULL },
    { "receipt", "receipt_id", "小票号", "单号", NULL },
    { "line", "line_no", "行号", NULL },
    { "sku", "商品编码", "条码", NULL },
    { "qty", "quantity", "数量", NULL },
    { "amount", "金额", "销售金额", NULL },
    { "member", "member_id", "会员号", "会员", NULL },
};

/* --- the dictionary ------------------------------------------------------ */

struct pos_dict_slot {
    uint64_t hash;
    int64_t v; /* 0: empty */
    uint32_t off, len;
};

struct pos_dict {
    struct pos_dict_slot *slots;
    size_t mask, n, cap;
    char *keys;
    size_t keys_len, keys_cap;
};

static uint64_t
hash_of(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h | 1;
}

struct pos_dict *
pos_dict_new(size_t cap)
{
    struct pos_dict *d;
    size_t slots = 16;

    if (cap > (1u << 24))
        return NULL;
    while (slots < cap * 2)
        slots *= 2;
    d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->slots = calloc(slots, sizeof(*d->slots));
    d->keys_cap = cap * 16 + 64;
    d->keys = malloc(d->keys_cap);
    if (d->slots == NULL || d->keys == NULL) {
        pos_dict_free(d);
        return NULL;
    }
    d->mask = slots - 1;
    d->cap = cap;
    return d;
}

void
pos_dict_free(struct pos_dict *d)
{
    if (d == NULL)
        return;
    free(d->slots);
    free(d->keys);
    free(d);
}

enum app_err
pos_dict_put(struct pos_dict *d, struct str key, int64_t v)
{
    uint64_t h = hash_of(key.p, key.len);
    size_t i = (size_t)h & d->mask;

    if (v <= 0 || key.len > UINT32_MAX)
        return APP_EINVAL;
    while (d->slots[i].v != 0) {
        const struct pos_dict_slot *s = &d->slots[i];

        if (s->hash == h && s->len == key.len &&
            memcmp(d->keys + s->off, key.p, key.len) == 0)
            return APP_OK;
        i = (i + 1) & d->mask;
    }
    if (d->n >= d->cap)
        return APP_ETOOBIG;
    if (d->keys_len + key.len > d->keys_cap) {
        size_t ncap = (d->keys_cap + key.len) * 2;
        char *k = realloc(d->keys, ncap);

        if (k == NULL)
            return APP_ENOMEM;
        d->keys = k;
        d->keys_cap = ncap;
    }
    if (key.len > 0)
        memcpy(d->keys + d->keys_len, key.p, key.len);
    d->slots[i] = (struct pos_dict_slot){ h, v, (uint32_t)d->keys_len,
                                          (uint32_t)key.len };
    d->keys_len += key.len;
    d->n++;
    return APP_OK;
}

int64_t
pos_dict_get(const struct pos_dict *d, struct str key)
{
    uint64_t h = hash_of(key.p, key.len);
    size_t i = (size_t)h & d->mask;

    while (d->slots[i].v != 0) {
        const struct pos_dict_slot *s = &d->slots[i];

        if (s->hash == h && s->len == key.len &&
            memcmp(d->keys + s->off, key.p, key.len) == 0)
            return s->v;
        i = (i + 1) & d->mask;
    }
    return 0;
}

/* --- fields -------------------------------------------------------------- */

/* A field as read: its text without quotes; quoted fields holding ""
 * are marked (their text still has the doubled quotes). */
struct field {
    struct str s;
    bool escaped;
};

static struct str
trim(struct str s)
{
    while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.len--;
    while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* Split line into at most max fields; *n the fields read.  false on a
 * quoting error. */
static bool
split(struct str line, char sep, struct field *f, int max, int *n)
{
    const char *p = line.p, *end = line.p + line.len;
    int k = 0;

    for (;;) {
        const char *s = p;

        while (p < end && (*p == ' ' || (*p == '\t' && sep != '\t')))
            p++;
        if (p < end && *p == '"') {
            const char *q = ++p;
            bool esc = false;

            for (;;) {
                const char *c = memchr(p, '"', (size_t)(end - p));

                if (c == NULL)
                    return false;
                if (c + 1 < end && c[1] == '"') {
                    esc = true;
                    p = c + 2;
                    continue;
                }
                if (k < max)
                    f[k] = (struct field){ { q, (size_t)(c - q) }, esc };
                p = c + 1;
                break;
            }
            while (p < end && (*p == ' ' || (*p == '\t' && sep != '\t')))
                p++;
            if (p < end && *p != sep)
                return false;
        } else {
            const char *e = p;

            /* One pass for the separator and a stray quote (fields are
             * a few bytes: two memchr calls cost more). */
            while (e < end && *e != sep && *e != '"')
                e++;
            if (e < end && *e == '"')
                return false;
            if (k < max)
                f[k] = (struct field){ trim((struct str){ s, (size_t)(e - s) }),
                                       false };
            p = e;
        }
        k++;
        if (p >= end || k >= max)
            break;
        p++; /* the separator */
        if (p == end) {
            if (k < max)
                f[k++] = (struct field){ { p, 0 }, false };
            break;
        }
    }
    *n = k;
    return true;
}

/* The text of a quoted field with "" undone, into buf[cap]; false when
 * longer. */
static bool
unescape(struct field *f, char *buf, size_t cap)
{
    size_t i, o = 0;

    if (!f->escaped)
        return true;
    for (i = 0; i < f->s.len; i++) {
        if (o >= cap)
            return false;
        buf[o++] = f->s.p[i];
        if (f->s.p[i] == '"')
            i++;
    }
    f->s = (struct str){ buf, o };
    return true;
}

/* --- the header ---------------------------------------------------------- */

static char
guess_sep(struct str line)
{
    size_t i, c = 0, s = 0, t = 0;
    bool q = false;

    for (i = 0; i < line.len; i++) {
        if (line.p[i] == '"')
            q = !q;
        else if (!q && line.p[i] == ',')
            c++;
        else if (!q && line.p[i] == ';')
            s++;
        else if (!q && line.p[i] == '\t')
            t++;
    }
    if (t > c && t >= s)
        return '\t';
    if (s > c && s > t)
        return ';';
    return ',';
}

const char *
pos_header_parse(struct str line, char sep, struct pos_header *h,
                 const char **field)
{
    struct field f[POS_FIELDS_MAX];
    char buf[256];
    int n = 0, i, k, j;

    *field = "";
    h->sep = sep != 0 ? sep : guess_sep(line);
    for (k = 0; k < POS_NCOLS; k++)
        h->col[k] = -1;
    if (!split(line, h->sep, f, POS_FIELDS_MAX, &n))
        return "pos.bad_quote";
    for (i = 0; i < n; i++) {
        struct str name;

        if (!unescape(&f[i], buf, sizeof(buf)))
            continue;
        name = trim(f[i].s);
        for (k = 0; k < POS_NCOLS; k++)
            for (j = 0; HEADER_NAMES[k][j] != NULL; j++)
                if (h->col[k] < 0 &&
                    str_eq_nocase(name, str_c(HEADER_NAMES[k][j])))
                    h->col[k] = i;
    }
    h->ncols = 0;
    for (k = 0; k < POS_NCOLS; k++) {
        if (h->col[k] < 0 && k != POS_MEMBER) {
            *field = pos_field_names[k];
            return "pos.no_column";
        }
        if (h->col[k] + 1 > h->ncols)
            h->ncols = h->col[k] + 1;
    }
    return NULL;
}

/* --- values -------------------------------------------------------------- */

/* Digits [p, p+n) as a number; false when not all digits or empty. */
static bool
digits(const char *p, size_t n, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (n == 0 || n > 12)
        return false;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* The next 1..max digits at *p (stopping at a non-digit). */
static bool
number_at(const char **p, const char *end, size_t min, size_t max, int *out)
{
    const char *s = *p;
    int64_t v;

    while (*p < end && **p >= '0' && **p <= '9' && (size_t)(*p - s) < max)
        (*p)++;
    if ((size_t)(*p - s) < min || !digits(s, (size_t)(*p - s), &v))
        return false;
    *out = (int)v;
    return true;
}

int32_t
pos_days_from_civil(int y, unsigned m, unsigned d)
{
    int era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void
pos_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
    int era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)yoe + era * 400 + (*m <= 2);
}

static void
put2(char *o, unsigned v)
{
    o[0] = (char)('0' + v / 10 % 10);
    o[1] = (char)('0' + v % 10);
}

size_t
pos_day_text(int32_t day, char *out)
{
    int y;
    unsigned m, d;

    pos_civil_from_days(day, &y, &m, &d);
    put2(out, (unsigned)y / 100);
    put2(out + 2, (unsigned)y % 100);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = '\0';
    return 10;
}

size_t
pos_time_text(int64_t at, char *out)
{
    int64_t day = at >= 0 ? at / 86400 : (at - 86399) / 86400;
    unsigned s = (unsigned)(at - day * 86400);

    pos_day_text((int32_t)day, out);
    out[10] = ' ';
    put2(out + 11, s / 3600);
    out[13] = ':';
    put2(out + 14, s / 60 % 60);
    out[16] = ':';
    put2(out + 17, s % 60);
    out[19] = '\0';
    return 19;
}

static bool
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD HH:MM[:SS]" (or '/' between the date's parts, 'T' before
 * the time, one-digit month, day and hour) -> local day and seconds. */
static bool
parse_time(struct str s, int32_t *day, int32_t *secs)
{
    static const int mdays[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };
    const char *p = s.p, *end = s.p + s.len;
    int y, mo, d, h, mi, sec = 0;
    char ds;

    if (!number_at(&p, end, 4, 4, &y) || p >= end || (*p != '-' && *p != '/'))
        return false;
    ds = *p++;
    if (!number_at(&p, end, 1, 2, &mo) || p >= end || *p++ != ds ||
        !number_at(&p, end, 1, 2, &d) || p >= end || (*p != ' ' && *p != 'T'))
        return false;
    p++;
    if (!number_at(&p, end, 1, 2, &h) || p >= end || *p++ != ':' ||
        !number_at(&p, end, 2, 2, &mi))
        return false;
    if (p < end && *p == ':') {
        p++;
        if (!number_at(&p, end, 2, 2, &sec))
            return false;
    }
    if (p != end || y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 ||
        d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 ||
        sec > 59)
        return false;
    *day = pos_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *secs = h * 3600 + mi * 60 + sec;
    return true;
}

/* Yuan with at most two decimals -> fen, exactly. */
static bool
parse_amount(struct str s, int64_t *fen)
{
    const char *p = s.p, *end = s.p + s.len, *dot;
    int64_t whole = 0, frac = 0;
    bool neg = false;
    size_t fl;

    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    dot = memchr(p, '.', (size_t)(end - p));
    if (dot == NULL)
        dot = end;
    if (dot == p && (dot == end || dot + 1 == end))
        return false;
    if (dot > p && !digits(p, (size_t)(dot - p), &whole))
        return false;
    fl = dot < end ? (size_t)(end - dot - 1) : 0;
    if (fl > 2 || (fl > 0 && !digits(dot + 1, fl, &frac)))
        return false;
    if (fl == 1)
        frac *= 10;
    if (whole > POS_AMOUNT_FEN_MAX / 100)
        return false;
    *fen = whole * 100 + frac;
    if (*fen > POS_AMOUNT_FEN_MAX)
        return false;
    if (neg)
        *fen = -*fen;
    return true;
}

static bool
parse_int(struct str s, int64_t min, int64_t max, int64_t *out)
{
    bool neg = false;
    int64_t v;

    if (s.len > 0 && (s.p[0] == '-' || s.p[0] == '+')) {
        neg = s.p[0] == '-';
        s.p++, s.len--;
    }
    if (!digits(s.p, s.len, &v))
        return false;
    v = neg ? -v : v;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Printable ASCII without spaces and quotes, 1..max bytes: the key
 * columns are ascii_bin and the storage format separates by TAB. */
static bool
token(struct str s, size_t max)
{
    size_t i;

    if (s.len == 0 || s.len > max)
        return false;
    for (i = 0; i < s.len; i++)
        if (s.p[i] <= ' ' || s.p[i] > '~' || s.p[i] == '"' || s.p[i] == '\\')
            return false;
    return true;
}

const char *
pos_parse_line(const struct pos_parser *p, struct str line,
               struct pos_line *out, const char **field)
{
    const struct pos_header *h = p->h;
    struct field f[POS_FIELDS_MAX];
    char sbuf[POS_STORE_CODE_MAX], kbuf[POS_SKU_MAX];
    struct str v[POS_NCOLS];
    int n = 0, k;
    int64_t x;
    int32_t day, secs;

    *field = "";
    if (!split(line, h->sep, f, h->ncols, &n))
        return "pos.bad_quote";
    if (n < h->ncols) {
        /* the first field whose column the line does not reach */
        for (k = 0; k < POS_NCOLS; k++)
            if (h->col[k] >= n && h->col[k] >= 0) {
                *field = pos_field_names[k];
                break;
            }
        return "pos.missing_fields";
    }
    for (k = 0; k < POS_NCOLS; k++) {
        v[k] = h->col[k] >= 0 ? f[h->col[k]].s : STR_NULL;
        if (k != POS_MEMBER && v[k].len == 0) {
            *field = pos_field_names[k];
            return "pos.required";
        }
    }
    memset(out, 0, sizeof(*out));
    *field = pos_field_names[POS_STORE];
    if (!unescape(&f[h->col[POS_STORE]], sbuf, sizeof(sbuf)))
        return "pos.unknown_store";
    x = pos_dict_get(p->stores, trim(f[h->col[POS_STORE]].s));
    if (x <= 0)
        return "pos.unknown_store";
    out->store_ix = (uint32_t)(x - 1);
    *field = pos_field_names[POS_TIME];
    if (!parse_time(v[POS_TIME], &day, &secs))
        return "pos.bad_time";
    out->day = day;
    out->at = p->utc(p->utc_arg, day, secs);
    *field = pos_field_names[POS_RECEIPT];
    if (!token(v[POS_RECEIPT], POS_RECEIPT_MAX))
        return "pos.bad_receipt";
    out->receipt = v[POS_RECEIPT].p;
    out->receipt_len = (uint8_t)v[POS_RECEIPT].len;
    *field = pos_field_names[POS_LINE];
    if (!parse_int(v[POS_LINE], 1, POS_LINE_NO_MAX, &x))
        return "pos.bad_line";
    out->line = (uint32_t)x;
    *field = pos_field_names[POS_SKU];
    if (!unescape(&f[h->col[POS_SKU]], kbuf, sizeof(kbuf)))
        return "pos.unknown_sku";
    out->product_id = pos_dict_get(p->products, trim(f[h->col[POS_SKU]].s));
    if (out->product_id <= 0)
        return "pos.unknown_sku";
    *field = pos_field_names[POS_QTY];
    if (!parse_int(v[POS_QTY], -POS_QTY_MAX, POS_QTY_MAX, &x) || x == 0)
        return "pos.bad_qty";
    out->qty = (int32_t)x;
    *field = pos_field_names[POS_AMOUNT];
    if (!parse_amount(v[POS_AMOUNT], &out->amount_fen))
        return "pos.bad_amount";
    if (v[POS_MEMBER].len > 0) {
        *field = pos_field_names[POS_MEMBER];
        if (!token(v[POS_MEMBER], POS_MEMBER_MAX))
            return "pos.bad_member";
        out->member = v[POS_MEMBER].p;
        out->member_len = (uint8_t)v[POS_MEMBER].len;
    }
    *field = "";
    return NULL;
}

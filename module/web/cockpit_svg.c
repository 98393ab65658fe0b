/*
 * cockpit_svg.c -- the cockpit's charts as server-side SVG (see
 * cockpit_svg.h).
 *
 * As chain_svg.c: the SVG goes raw into a page under a strict CSP, so it
 * is built from constant markup, integers and text that passed through
 * svgtext_out(); no style attribute, script, event handler or reference
 * to another document.  Coordinates are integers, so the bytes do not
 * depend on the locale and are deterministic.  Numbers shown to people
 * are formatted with snprintf() into small buffers first.
 *
 * The documents come from the metrics engine, but a chart must never be
 * the thing that crashes a page: every field is read through the getters
 * below, which turn anything unexpected into null or 0.
 */
#include "web/cockpit_svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/svgtext.h"
#include "base/wire.h"

/* --- geometry (viewBox units) and palette ------------------------------ */

#define W COCKPIT_SVG_W
#define M 16u             /* side margin */
#define BW (W - 2 * M)    /* a full-width bar */
#define LEGEND_Y 52u      /* baseline of the legend's first row */
#define LEGEND_ROW 22u    /* between legend rows */
#define LEGEND_SWATCH 20u /* swatch plus gap before its text */
#define LEGEND_SPACE 16u  /* between legend items */
#define LEGEND_MAX 6u     /* items in a legend */
#define KEY_COLS 64u      /* display columns of a key in data-stage */
#define MORE_H 24u        /* the "+K more" line */
#define BOTTOM 14u        /* below the last row */

#define C_INK "#0f172a"
#define C_MUTED "#475569"
#define C_FAINT "#94a3b8"
#define C_TRACK "#f1f5f9"
#define C_GRID "#e2e8f0"
#define C_BAD "#dc2626"
#define C_BAD_TEXT "#991b1b"

/* Status colours differ in lightness too (greyscale: ~65, ~110, ~170,
 * ~210), and the status is also written as a word. */
#define C_HEALTHY "#16a34a"
#define C_WARNING "#f59e0b"
#define C_ZOMBIE "#991b1b"
#define C_NONE "#cbd5e1"

/* Funnel parts: dark, middle and light. */
#define C_ADVANCED "#166534"
#define C_LOST "#f87171"
#define C_STALLED "#fde68a"

#define DASH "\xe2\x80\x94"    /* U+2014, a missing value */
#define SEP " \xc2\xb7 "       /* U+00B7 between parts of a text */
#define WARN "\xe2\x9a\xa0 "   /* U+26A0 before "break" */
#define PM " \xc2\xb1 "        /* U+00B1 */
#define GE "\xe2\x89\xa5"      /* U+2265 */
#define ARROW " \xe2\x86\x92 " /* U+2192 */

struct ck {
    struct buf *out;
    const struct cockpit_labels *l;
    const char *base;   /* NULL: no links */
    const char *suffix; /* never NULL */
};

/* --- reading the document ---------------------------------------------- */

static const cJSON *
field(const cJSON *o, const char *k)
{
    if (!cJSON_IsObject(o))
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The first element of the array o[k] (or of o itself when k is NULL),
 * NULL when there is none or it is not an array. */
static const cJSON *
first_of(const cJSON *o, const char *k)
{
    const cJSON *a = k != NULL ? field(o, k) : o;

    return cJSON_IsArray(a) ? a->child : NULL;
}

static size_t
array_len(const cJSON *first)
{
    size_t n = 0;

    for (; first != NULL; first = first->next)
        n++;
    return n;
}

/* A finite number in o[k]; false for anything else. */
static bool
num_of(const cJSON *o, const char *k, double *v)
{
    const cJSON *n = field(o, k);

    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
        return false;
    *v = n->valuedouble;
    return true;
}

static double
clamp01(double v)
{
    if (!(v > 0.0)) /* NaN too */
        return 0.0;
    return v > 1.0 ? 1.0 : v;
}

/* A ratio in o[k] clamped into [0, 1]; false when null or absent. */
static bool
ratio_of(const cJSON *o, const char *k, double *v)
{
    if (!num_of(o, k, v))
        return false;
    *v = clamp01(*v);
    return true;
}

#define COUNT_MAX 1000000000000LL /* counts beyond are drawn as this */

/* A count: a number item rounded down into [0, COUNT_MAX], else 0. */
static long long
count_item(const cJSON *n)
{
    double v;

    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
        return 0;
    v = n->valuedouble;
    if (!(v > 0.0))
        return 0;
    if (v >= (double)COUNT_MAX)
        return COUNT_MAX;
    return (long long)v;
}

static long long
count_of(const cJSON *o, const char *k)
{
    return count_item(field(o, k));
}

/* A user id: a positive integral number up to 2^53. */
static bool
id_of(const cJSON *o, const char *k, long long *id)
{
    double v;

    if (!num_of(o, k, &v) || v < 1.0 || v > 9007199254740992.0 || floor(v) != v)
        return false;
    *id = (long long)v;
    return true;
}

static struct str
text_of(const cJSON *o, const char *k)
{
    const cJSON *s = field(o, k);

    if (!cJSON_IsString(s) || s->valuestring == NULL)
        return STR_NULL;
    return str_c(s->valuestring);
}

static bool
true_of(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(field(o, k));
}

/* A tenant-local day "YYYY-MM-DD" (digits and dashes in place). */
static bool
day_ok(struct str d)
{
    static const char shape[] = "9999-99-99";
    size_t i;

    if (d.len != sizeof(shape) - 1)
        return false;
    for (i = 0; i < d.len; i++) {
        bool digit = d.p[i] >= '0' && d.p[i] <= '9';

        if (shape[i] == '9' ? !digit : d.p[i] != '-')
            return false;
    }
    return true;
}

/* --- numbers ----------------------------------------------------------- */

static void
fmt_pct(char *dst, size_t n, double r)
{
    snprintf(dst, n, "%d%%", (int)(clamp01(r) * 100.0 + 0.5));
}

static void
fmt_count(char *dst, size_t n, long long v)
{
    snprintf(dst, n, "%lld", v);
}

/* x of ratio r on an axis from x0, len units long. */
static unsigned
axis_x(unsigned x0, unsigned len, double r)
{
    return x0 + (unsigned)(clamp01(r) * (double)len + 0.5);
}

/* part / whole of len units, rounded down; 0 when whole is 0. */
static unsigned
share_of(unsigned len, long long part, long long whole)
{
    if (whole <= 0 || part <= 0)
        return 0;
    if (part >= whole)
        return len;
    return (unsigned)((double)len * (double)part / (double)whole);
}

/* --- markup helpers ---------------------------------------------------- */

/* Text with a label and a number: "label N" (label may be empty). */
APP_MUST_USE static enum app_err
put_labelled(struct buf *b, struct str label, const char *num)
{
    enum app_err rc = svgtext_out(b, label, COCKPIT_LABEL_COLS);

    if (rc == APP_OK && label.len > 0)
        rc = buf_putc(b, ' ');
    if (rc == APP_OK)
        rc = buf_puts(b, num);
    return rc;
}

/* Open an item: <a href="base KEY suffix" when linked, else <g; the
 * caller adds attributes and '>'.  key is percent-encoded here. */
APP_MUST_USE static enum app_err
open_key(const struct ck *c, struct str key)
{
    struct buf *b = c->out;
    enum app_err rc;

    if (c->base == NULL || key.len == 0)
        return buf_puts(b, "<g");
    rc = buf_puts(b, "<a href=\"");
    if (rc == APP_OK)
        rc = buf_append_html(b, c->base, strlen(c->base));
    if (rc == APP_OK)
        rc = wire_pct_encode(b, key.p, key.len);
    if (rc == APP_OK)
        rc = buf_append_html(b, c->suffix, strlen(c->suffix));
    if (rc == APP_OK)
        rc = buf_putc(b, '"');
    return rc;
}

static const char *
close_key(const struct ck *c, struct str key)
{
    return c->base == NULL || key.len == 0 ? "</g>" : "</a>";
}

/* The svg element, its accessible name and title, a white ground and the
 * title as a heading. */
APP_MUST_USE static enum app_err
svg_open(const struct ck *c, const char *cls, unsigned h, struct str title)
{
    struct buf *b = c->out;
    enum app_err rc;

    rc = buf_printf(b,
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "class=\"cockpit %s\" viewBox=\"0 0 %u %u\" "
                    "width=\"100%%\" font-family=\"sans-serif\" "
                    "role=\"img\" aria-label=\"",
                    cls, W, h);
    if (rc == APP_OK)
        rc = svgtext_out(b, title, COCKPIT_TITLE_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "\"><title>");
    if (rc == APP_OK)
        rc = svgtext_out(b, title, COCKPIT_TITLE_COLS);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</title><rect width=\"%u\" height=\"%u\" "
                        "fill=\"#fff\"/><text x=\"%u\" y=\"26\" "
                        "font-size=\"20\" font-weight=\"700\" "
                        "fill=\"" C_INK "\">",
                        W, h, M);
    if (rc == APP_OK)
        rc = svgtext_out(b, title, COCKPIT_TITLE_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "</text>");
    return rc;
}

/* "+K more" below the last row, when rows were left out. */
APP_MUST_USE static enum app_err
put_more(const struct ck *c, unsigned y, size_t left)
{
    char num[32];
    enum app_err rc;

    if (left == 0)
        return APP_OK;
    snprintf(num, sizeof(num), "+%zu", left);
    rc = buf_printf(c->out,
                    "<text class=\"more\" x=\"%u\" y=\"%u\" "
                    "font-size=\"15\" fill=\"" C_MUTED "\">%s ",
                    M, y + 18, num);
    if (rc == APP_OK)
        rc = svgtext_out(c->out, c->l->more, COCKPIT_LABEL_COLS);
    if (rc == APP_OK)
        rc = buf_puts(c->out, "</text>");
    return rc;
}

/* --- legend ------------------------------------------------------------ */

struct legend_item {
    const char *swatch; /* markup drawn at (0, 0), about 14 x 12 */
    struct str text;
    char extra[24]; /* a number after the text, or "" */
};

/* Width at font-size 12 (about 7 units per column). */
static unsigned
legend_width(const struct legend_item *it)
{
    unsigned cols = svgtext_cols(it->text, COCKPIT_LABEL_COLS);

    cols += (unsigned)strlen(it->extra) + 1;
    return LEGEND_SWATCH + cols * 8;
}

/* Flow the items left to right, wrapping inside the margins; returns the
 * number of rows.  Used for the height and for drawing, so both agree. */
static unsigned
legend_place(const struct legend_item *it, size_t n, unsigned *x, unsigned *row)
{
    unsigned cx = M, cr = 0;
    size_t k;

    for (k = 0; k < n; k++) {
        unsigned iw = legend_width(&it[k]);

        if (cx > M && cx + iw > W - M) {
            cx = M;
            cr++;
        }
        x[k] = cx;
        row[k] = cr;
        cx += iw + LEGEND_SPACE;
    }
    return cr + 1;
}

APP_MUST_USE static enum app_err
put_legend(const struct ck *c, const struct legend_item *it, size_t n)
{
    unsigned x[LEGEND_MAX], row[LEGEND_MAX];
    struct buf *b = c->out;
    enum app_err rc;
    size_t k;

    if (n > LEGEND_MAX)
        n = LEGEND_MAX;
    (void)legend_place(it, n, x, row);
    rc = buf_puts(b,
                  "<g class=\"legend\" font-size=\"14\" fill=\"" C_MUTED "\">");
    for (k = 0; k < n && rc == APP_OK; k++) {
        rc = buf_printf(
            b, "<g transform=\"translate(%u %u)\">%s<text x=\"%u\">", x[k],
            LEGEND_Y + row[k] * LEGEND_ROW, it[k].swatch, LEGEND_SWATCH);
        if (rc == APP_OK)
            rc = svgtext_out(b, it[k].text, COCKPIT_LABEL_COLS);
        if (rc == APP_OK && it[k].extra[0] != '\0')
            rc = buf_printf(b, " %s", it[k].extra);
        if (rc == APP_OK)
            rc = buf_puts(b, "</text></g>");
    }
    if (rc == APP_OK)
        rc = buf_puts(b, "</g>");
    return rc;
}

static unsigned
legend_rows(const struct legend_item *it, size_t n)
{
    unsigned x[LEGEND_MAX], row[LEGEND_MAX];

    return legend_place(it, n < LEGEND_MAX ? n : LEGEND_MAX, x, row);
}

#define SWATCH(fill)                                                           \
    "<rect y=\"-10\" width=\"14\" height=\"12\" rx=\"2\" fill=\"" fill         \
    "\" stroke=\"" C_MUTED "\" stroke-width=\"0.5\"/>"

/* --- stage health ------------------------------------------------------ */

#define H_ROW 60u   /* per stage */
#define H_LABEL 20u /* baseline of the stage's text in its row */
#define H_BAR 28u   /* top of the bar in its row */
#define H_BAR_H 22u

enum status { ST_NONE, ST_HEALTHY, ST_WARNING, ST_ZOMBIE };

struct thresholds {
    double healthy, warning;
    bool has_healthy, has_warning;
};

static const char *const status_class[] = {
    [ST_NONE] = "none",
    [ST_HEALTHY] = "healthy",
    [ST_WARNING] = "warning",
    [ST_ZOMBIE] = "zombie",
};
static const char *const status_fill[] = {
    [ST_NONE] = C_NONE,
    [ST_HEALTHY] = C_HEALTHY,
    [ST_WARNING] = C_WARNING,
    [ST_ZOMBIE] = C_ZOMBIE,
};
static const char *const status_ink[] = {
    [ST_NONE] = C_MUTED,
    [ST_HEALTHY] = "#15803d",
    [ST_WARNING] = "#b45309",
    [ST_ZOMBIE] = C_ZOMBIE,
};

static struct str
status_text(const struct cockpit_labels *l, enum status st)
{
    switch (st) {
    case ST_HEALTHY:
        return l->healthy;
    case ST_WARNING:
        return l->warning;
    case ST_ZOMBIE:
        return l->zombie;
    case ST_NONE:
        break;
    }
    return l->no_customers;
}

/* The stage's status as the engine says, or from its health and the
 * thresholds (the engine's defaults when absent) when it says nothing
 * usable. */
static enum status
status_of(const cJSON *s, bool has, double health, const struct thresholds *t)
{
    struct str st = text_of(s, "status");

    if (!has)
        return ST_NONE;
    if (str_eq_c(st, "healthy"))
        return ST_HEALTHY;
    if (str_eq_c(st, "warning"))
        return ST_WARNING;
    if (str_eq_c(st, "zombie"))
        return ST_ZOMBIE;
    if (health >= (t->has_healthy ? t->healthy : 0.85))
        return ST_HEALTHY;
    if (health >= (t->has_warning ? t->warning : 0.7))
        return ST_WARNING;
    return ST_ZOMBIE;
}

/* "A/N · 75% · status" (also the tooltip's tail). */
APP_MUST_USE static enum app_err
health_figures(const struct ck *c, long long a, long long n, bool has, double h,
               enum status st)
{
    char na[24], nn[24], pct[16];
    enum app_err rc;

    fmt_count(na, sizeof(na), a);
    fmt_count(nn, sizeof(nn), n);
    if (has)
        fmt_pct(pct, sizeof(pct), h);
    else
        snprintf(pct, sizeof(pct), "%s", DASH);
    rc = buf_printf(c->out, "%s/%s" SEP "%s" SEP, na, nn, pct);
    if (rc == APP_OK)
        rc = svgtext_out(c->out, status_text(c->l, st), COCKPIT_LABEL_COLS);
    return rc;
}

APP_MUST_USE static enum app_err
health_bar(const struct ck *c, const cJSON *s, unsigned y,
           const struct thresholds *t)
{
    struct buf *b = c->out;
    struct str key = text_of(s, "stage"), name = text_of(s, "name");
    long long n = count_of(s, "n"), a = count_of(s, "active");
    double h = 0.0;
    bool has = ratio_of(s, "health", &h);
    enum status st = status_of(s, has, h, t);
    enum app_err rc;

    if (name.len == 0)
        name = key;
    rc = open_key(c, key);
    if (rc == APP_OK)
        rc = buf_printf(b, " class=\"bar %s\" data-stage=\"", status_class[st]);
    if (rc == APP_OK)
        rc = svgtext_out(b, key, KEY_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "\"><title>");
    if (rc == APP_OK)
        rc = svgtext_out(b, name, COCKPIT_TOOLTIP_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, SEP);
    if (rc == APP_OK)
        rc = health_figures(c, a, n, has, h, st);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</title><rect x=\"%u\" y=\"%u\" width=\"%u\" "
                        "height=\"%u\" rx=\"3\" fill=\"" C_TRACK "\"/>",
                        M, y + H_BAR, BW, H_BAR_H);
    if (rc == APP_OK && has)
        rc = buf_printf(b,
                        "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
                        "rx=\"3\" fill=\"%s\"/>",
                        M, y + H_BAR, axis_x(0, BW, h), H_BAR_H,
                        status_fill[st]);
    else if (rc == APP_OK)
        rc = buf_printf(b,
                        "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
                        "rx=\"3\" fill=\"none\" stroke=\"" C_NONE "\" "
                        "stroke-dasharray=\"4 3\"/><text x=\"%u\" y=\"%u\" "
                        "font-size=\"16\" fill=\"" C_MUTED "\">" DASH "</text>",
                        M, y + H_BAR, BW, H_BAR_H, M + 8, y + H_BAR + 16);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "<text x=\"%u\" y=\"%u\" font-size=\"17\" "
                        "fill=\"" C_INK "\">",
                        M, y + H_LABEL);
    if (rc == APP_OK)
        rc = svgtext_out(b, name, COCKPIT_STAGE_COLS);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</text><text x=\"%u\" y=\"%u\" font-size=\"16\" "
                        "text-anchor=\"end\" fill=\"%s\"%s>",
                        W - M, y + H_LABEL, status_ink[st],
                        st == ST_ZOMBIE ? " font-weight=\"700\"" : "");
    if (rc == APP_OK)
        rc = health_figures(c, a, n, has, h, st);
    if (rc == APP_OK)
        rc = buf_printf(b, "</text>%s", close_key(c, key));
    return rc;
}

/* The dashed threshold lines over the bars, labelled with their value. */
APP_MUST_USE static enum app_err
health_lines(const struct ck *c, const struct thresholds *t, unsigned y0,
             unsigned y1)
{
    const double v[2] = { t->healthy, t->warning };
    const bool has[2] = { t->has_healthy, t->has_warning };
    enum app_err rc = APP_OK;
    size_t i;

    for (i = 0; i < 2 && rc == APP_OK; i++) {
        char pct[16];
        unsigned x = axis_x(M, BW, v[i]);

        if (!has[i])
            continue;
        fmt_pct(pct, sizeof(pct), v[i]);
        rc = buf_printf(c->out,
                        "<g class=\"threshold %s\"><line x1=\"%u\" "
                        "y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"" C_INK
                        "\" stroke-dasharray=\"4 3\"/><text x=\"%u\" "
                        "y=\"%u\" font-size=\"13\" text-anchor=\"middle\" "
                        "fill=\"" C_MUTED "\">%s</text></g>",
                        i == 0 ? "healthy" : "warning", x, y0 - 4, x, y1, x,
                        y0 - 9, pct);
    }
    return rc;
}

static void
health_legend(const struct cockpit_labels *l, const struct thresholds *t,
              struct legend_item *it)
{
    memset(it, 0, 4 * sizeof(*it));
    it[0].swatch = SWATCH(C_HEALTHY);
    it[0].text = l->healthy;
    it[1].swatch = SWATCH(C_WARNING);
    it[1].text = l->warning;
    it[2].swatch = SWATCH(C_ZOMBIE);
    it[2].text = l->zombie;
    it[3].swatch = SWATCH(C_NONE);
    it[3].text = l->no_customers;
    if (t->has_healthy) {
        char pct[16];

        fmt_pct(pct, sizeof(pct), t->healthy);
        snprintf(it[0].extra, sizeof(it[0].extra), GE "%s", pct);
    }
    if (t->has_warning) {
        char pct[16];

        fmt_pct(pct, sizeof(pct), t->warning);
        snprintf(it[1].extra, sizeof(it[1].extra), GE "%s", pct);
    }
}

APP_MUST_USE static enum app_err
draw_health(const struct ck *c, const cJSON *doc)
{
    const cJSON *thr = field(doc, "thresholds");
    const cJSON *first = first_of(doc, "stages"), *s;
    struct thresholds t;
    struct legend_item it[4];
    size_t total = array_len(first), n, i = 0;
    unsigned y0, h;
    enum app_err rc;

    t.has_healthy = ratio_of(thr, "healthy", &t.healthy);
    t.has_warning = ratio_of(thr, "warning", &t.warning);
    health_legend(c->l, &t, it);
    n = total < COCKPIT_MAX_STAGES ? total : COCKPIT_MAX_STAGES;
    y0 = LEGEND_Y + (legend_rows(it, 4) - 1) * LEGEND_ROW + 36;
    h = y0 + (unsigned)n * H_ROW + (total > n ? MORE_H : 0) + BOTTOM;

    rc = svg_open(c, "health", h, c->l->health_title);
    if (rc == APP_OK)
        rc = put_legend(c, it, 4);
    for (s = first; s != NULL && i < n && rc == APP_OK; s = s->next, i++)
        rc = health_bar(c, s, y0 + (unsigned)i * H_ROW, &t);
    if (rc == APP_OK)
        rc = health_lines(c, &t, y0, y0 + (unsigned)n * H_ROW);
    if (rc == APP_OK)
        rc = put_more(c, y0 + (unsigned)n * H_ROW, total - n);
    return rc;
}

/* --- funnel ------------------------------------------------------------ */

#define F_ROW 84u
#define F_LABEL 20u
#define F_BAR 28u
#define F_BAR_H 22u
#define F_DETAIL 70u

struct funnel_row {
    struct str key, name;
    long long entered, advanced, lost, stalled;
    double loss;
    bool has_loss, brk;
};

static void
funnel_read(const cJSON *s, struct funnel_row *f)
{
    f->key = text_of(s, "stage");
    f->name = text_of(s, "name");
    if (f->name.len == 0)
        f->name = f->key;
    f->entered = count_of(s, "entered");
    f->advanced = count_of(s, "advanced");
    f->lost = count_of(s, "lost");
    f->stalled = count_of(s, "stalled");
    f->loss = 0.0;
    f->has_loss = ratio_of(s, "loss_rate", &f->loss);
    f->brk = true_of(s, "break");
}

/* "entered 40 · advanced 20 · lost 5 · stalled 15". */
APP_MUST_USE static enum app_err
funnel_details(const struct ck *c, const struct funnel_row *f)
{
    const struct cockpit_labels *l = c->l;
    const struct str lab[4] = { l->entered, l->advanced, l->lost, l->stalled };
    const long long v[4] = { f->entered, f->advanced, f->lost, f->stalled };
    enum app_err rc = APP_OK;
    size_t i;

    for (i = 0; i < 4 && rc == APP_OK; i++) {
        char num[24];

        fmt_count(num, sizeof(num), v[i]);
        if (i > 0)
            rc = buf_puts(c->out, SEP);
        if (rc == APP_OK)
            rc = put_labelled(c->out, lab[i], num);
    }
    return rc;
}

/* "loss 50%" or "loss —". */
APP_MUST_USE static enum app_err
funnel_loss(const struct ck *c, const struct funnel_row *f)
{
    char pct[16];

    if (f->has_loss)
        fmt_pct(pct, sizeof(pct), f->loss);
    else
        snprintf(pct, sizeof(pct), "%s", DASH);
    return put_labelled(c->out, c->l->loss_rate, pct);
}

/* The bar: entered's length of the track, split into its parts. */
APP_MUST_USE static enum app_err
funnel_segments(const struct ck *c, const struct funnel_row *f, unsigned y,
                long long max_entered)
{
    static const char *const fill[3] = { C_ADVANCED, C_LOST, C_STALLED };
    static const char *const cls[3] = { "advanced", "lost", "stalled" };
    const long long part[3] = { f->advanced, f->lost, f->stalled };
    long long whole = f->entered, sum = part[0] + part[1] + part[2];
    unsigned ew = share_of(BW, f->entered, max_entered), x = M;
    enum app_err rc;
    size_t i;

    if (sum > whole)
        whole = sum;
    if (f->entered > 0 && ew < 2)
        ew = 2;
    rc = buf_printf(c->out,
                    "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
                    "fill=\"" C_TRACK "\"/>",
                    M, y + F_BAR, BW, F_BAR_H);
    for (i = 0; i < 3 && rc == APP_OK; i++) {
        unsigned w = share_of(ew, part[i], whole);

        if (w == 0)
            continue;
        rc = buf_printf(c->out,
                        "<rect class=\"%s\" x=\"%u\" y=\"%u\" width=\"%u\" "
                        "height=\"%u\" fill=\"%s\"/>",
                        cls[i], x, y + F_BAR, w, F_BAR_H, fill[i]);
        x += w;
    }
    if (rc == APP_OK && f->brk)
        rc = buf_printf(c->out,
                        "<rect class=\"break-outline\" x=\"%u\" y=\"%u\" "
                        "width=\"%u\" height=\"%u\" fill=\"none\" "
                        "stroke=\"" C_BAD "\" stroke-width=\"2.5\"/>",
                        M - 2, y + F_BAR - 2, BW + 4, F_BAR_H + 4);
    return rc;
}

/* The tooltip: "name → next: details · loss · break". */
APP_MUST_USE static enum app_err
funnel_title(const struct ck *c, const cJSON *s, const struct funnel_row *f)
{
    struct str next = text_of(s, "next_name");
    enum app_err rc;

    rc = buf_puts(c->out, "<title>");
    if (rc == APP_OK)
        rc = svgtext_out(c->out, f->name, COCKPIT_TOOLTIP_COLS);
    if (rc == APP_OK && next.len > 0) {
        rc = buf_puts(c->out, ARROW);
        if (rc == APP_OK)
            rc = svgtext_out(c->out, next, COCKPIT_TOOLTIP_COLS);
    }
    if (rc == APP_OK)
        rc = buf_puts(c->out, ": ");
    if (rc == APP_OK)
        rc = funnel_details(c, f);
    if (rc == APP_OK)
        rc = buf_puts(c->out, SEP);
    if (rc == APP_OK)
        rc = funnel_loss(c, f);
    if (rc == APP_OK && f->brk) {
        rc = buf_puts(c->out, SEP);
        if (rc == APP_OK)
            rc = svgtext_out(c->out, c->l->brk, COCKPIT_LABEL_COLS);
    }
    if (rc == APP_OK)
        rc = buf_puts(c->out, "</title>");
    return rc;
}

APP_MUST_USE static enum app_err
funnel_bar(const struct ck *c, const cJSON *s, unsigned y,
           long long max_entered)
{
    struct buf *b = c->out;
    struct funnel_row f;
    enum app_err rc;

    funnel_read(s, &f);
    rc = open_key(c, f.key);
    if (rc == APP_OK)
        rc = buf_printf(b, " class=\"stage%s\" data-stage=\"",
                        f.brk ? " break" : "");
    if (rc == APP_OK)
        rc = svgtext_out(b, f.key, KEY_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "\">");
    if (rc == APP_OK)
        rc = funnel_title(c, s, &f);
    if (rc == APP_OK)
        rc = funnel_segments(c, &f, y, max_entered);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "<text x=\"%u\" y=\"%u\" font-size=\"17\" "
                        "fill=\"" C_INK "\">",
                        M, y + F_LABEL);
    if (rc == APP_OK)
        rc = svgtext_out(b, f.name, COCKPIT_STAGE_COLS);
    if (rc == APP_OK && f.brk) {
        rc = buf_puts(b, "<tspan class=\"break-mark\" dx=\"8\" "
                         "font-weight=\"700\" fill=\"" C_BAD_TEXT "\">" WARN);
        if (rc == APP_OK)
            rc = svgtext_out(b, c->l->brk, COCKPIT_LABEL_COLS);
        if (rc == APP_OK)
            rc = buf_puts(b, "</tspan>");
    }
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</text><text x=\"%u\" y=\"%u\" font-size=\"16\" "
                        "text-anchor=\"end\" fill=\"%s\"%s>",
                        W - M, y + F_LABEL, f.brk ? C_BAD_TEXT : C_MUTED,
                        f.brk ? " font-weight=\"700\"" : "");
    if (rc == APP_OK)
        rc = funnel_loss(c, &f);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</text><text x=\"%u\" y=\"%u\" font-size=\"14\" "
                        "fill=\"" C_MUTED "\">",
                        M, y + F_DETAIL);
    if (rc == APP_OK)
        rc = funnel_details(c, &f);
    if (rc == APP_OK)
        rc = buf_printf(b, "</text>%s", close_key(c, f.key));
    return rc;
}

static void
funnel_legend(const struct cockpit_labels *l, struct legend_item *it)
{
    memset(it, 0, 4 * sizeof(*it));
    it[0].swatch = SWATCH(C_ADVANCED);
    it[0].text = l->advanced;
    it[1].swatch = SWATCH(C_LOST);
    it[1].text = l->lost;
    it[2].swatch = SWATCH(C_STALLED);
    it[2].text = l->stalled;
    it[3].swatch = "<rect y=\"-10\" width=\"14\" height=\"12\" "
                   "fill=\"none\" stroke=\"" C_BAD "\" stroke-width=\"2\"/>";
    it[3].text = l->brk;
}

APP_MUST_USE static enum app_err
draw_funnel(const struct ck *c, const cJSON *doc)
{
    const cJSON *first = first_of(doc, "stages"), *s;
    struct legend_item it[4];
    size_t total = array_len(first), n, i = 0;
    long long max_entered = 0;
    unsigned y0, h;
    enum app_err rc;

    funnel_legend(c->l, it);
    n = total < COCKPIT_MAX_STAGES ? total : COCKPIT_MAX_STAGES;
    for (s = first; s != NULL && i < n; s = s->next, i++) {
        long long e = count_of(s, "entered");

        if (e > max_entered)
            max_entered = e;
    }
    y0 = LEGEND_Y + (legend_rows(it, 4) - 1) * LEGEND_ROW + 20;
    h = y0 + (unsigned)n * F_ROW + (total > n ? MORE_H : 0) + BOTTOM;

    rc = svg_open(c, "funnel", h, c->l->funnel_title);
    if (rc == APP_OK)
        rc = put_legend(c, it, 4);
    i = 0;
    for (s = first; s != NULL && i < n && rc == APP_OK; s = s->next, i++)
        rc = funnel_bar(c, s, y0 + (unsigned)i * F_ROW, max_entered);
    if (rc == APP_OK)
        rc = put_more(c, y0 + (unsigned)n * F_ROW, total - n);
    return rc;
}

/* --- consistency ------------------------------------------------------- */

#define K_ROW 28u
#define K_NAME_W 130u       /* the names' column */
#define K_VALUE_W 64u       /* the values' column, right */
#define K_X0 (M + K_NAME_W) /* the axis */
#define K_PW (W - M - K_VALUE_W - K_X0)
#define K_AXIS_H 44u       /* mean label and ticks above the rows */
#define K_FOOT_H 28u       /* the flagged reps' names, first line */
#define K_FOOT_LINE 20u    /* each further line */
#define K_FOOT_PER_LINE 4u /* names per line */

struct rep_row {
    long long id;
    bool has_id, has_share, sampled, flagged;
    struct str name;
    double share;
    long long pool, dormant;
};

static void
rep_read(const cJSON *r, struct rep_row *p)
{
    p->has_id = id_of(r, "rep", &p->id);
    p->name = text_of(r, "name");
    p->share = 0.0;
    p->has_share = ratio_of(r, "share", &p->share);
    p->sampled = true_of(r, "sampled");
    p->flagged = p->has_share && true_of(r, "flagged");
    p->pool = count_of(r, "pool");
    p->dormant = count_of(r, "dormant");
}

/* Open a rep's item, linked by its id when it has one. */
APP_MUST_USE static enum app_err
open_rep(const struct ck *c, const struct rep_row *p, struct str *key,
         char *idbuf, size_t idlen)
{
    *key = STR_NULL;
    if (p->has_id) {
        fmt_count(idbuf, idlen, p->id);
        *key = str_c(idbuf);
    }
    return open_key(c, *key);
}

/* The tooltip: "name · 30% (12/40) · flagged · sampled". */
APP_MUST_USE static enum app_err
rep_title(const struct ck *c, const struct rep_row *p)
{
    struct buf *b = c->out;
    char pct[16], nd[24], np[24];
    enum app_err rc;

    fmt_count(nd, sizeof(nd), p->dormant);
    fmt_count(np, sizeof(np), p->pool);
    if (p->has_share)
        fmt_pct(pct, sizeof(pct), p->share);
    else
        snprintf(pct, sizeof(pct), "%s", DASH);
    rc = buf_puts(b, "<title>");
    if (rc == APP_OK)
        rc = svgtext_out(b, p->name, COCKPIT_TOOLTIP_COLS);
    if (rc == APP_OK)
        rc = buf_printf(b, SEP "%s (%s/%s)", pct, nd, np);
    if (rc == APP_OK && p->flagged) {
        rc = buf_puts(b, SEP);
        if (rc == APP_OK)
            rc = svgtext_out(b, c->l->flagged, COCKPIT_LABEL_COLS);
    }
    if (rc == APP_OK && p->sampled) {
        rc = buf_puts(b, SEP);
        if (rc == APP_OK)
            rc = svgtext_out(b, c->l->sampled, COCKPIT_LABEL_COLS);
    }
    if (rc == APP_OK)
        rc = buf_puts(b, "</title>");
    return rc;
}

/* The dot: a diamond for a flagged rep, a circle otherwise, a ring
 * around it for a sampled one. */
APP_MUST_USE static enum app_err
rep_dot(const struct ck *c, const struct rep_row *p, unsigned y)
{
    unsigned x = axis_x(K_X0, K_PW, p->share), cy = y + K_ROW / 2;
    enum app_err rc;

    if (p->flagged)
        rc = buf_printf(c->out,
                        "<path class=\"dot\" d=\"M%u %uL%u %uL%u %uL%u %uZ\" "
                        "fill=\"" C_BAD "\"/>",
                        x, cy - 8, x + 8, cy, x, cy + 8, x - 8, cy);
    else
        rc = buf_printf(c->out,
                        "<circle class=\"dot\" cx=\"%u\" cy=\"%u\" r=\"6\" "
                        "fill=\"#2563eb\"/>",
                        x, cy);
    if (rc == APP_OK && p->sampled)
        rc = buf_printf(c->out,
                        "<circle class=\"ring\" cx=\"%u\" cy=\"%u\" r=\"11\" "
                        "fill=\"none\" stroke=\"" C_INK
                        "\" stroke-width=\"1.5\"/>",
                        x, cy);
    return rc;
}

APP_MUST_USE static enum app_err
rep_line(const struct ck *c, const cJSON *r, unsigned y)
{
    struct buf *b = c->out;
    struct rep_row p;
    struct str key;
    char idbuf[24], pct[16];
    enum app_err rc;

    rep_read(r, &p);
    rc = open_rep(c, &p, &key, idbuf, sizeof(idbuf));
    if (rc == APP_OK)
        rc =
            buf_printf(b, " class=\"rep%s%s%s\" data-rep=\"%s\">",
                       p.flagged ? " flagged" : "", p.sampled ? " sampled" : "",
                       p.has_share ? "" : " none", p.has_id ? idbuf : "");
    if (rc == APP_OK)
        rc = rep_title(c, &p);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
                        "fill=\"#fff\" fill-opacity=\"0\"/>"
                        "<text x=\"%u\" y=\"%u\" font-size=\"15\" "
                        "fill=\"%s\"%s>",
                        M, y, BW, K_ROW, M, y + 19,
                        p.flagged ? C_BAD_TEXT : C_INK,
                        p.flagged ? " font-weight=\"700\"" : "");
    if (rc == APP_OK)
        rc = svgtext_out(b, p.name, COCKPIT_REP_COLS);
    if (p.has_share)
        fmt_pct(pct, sizeof(pct), p.share);
    else
        snprintf(pct, sizeof(pct), "%s", DASH);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</text><text x=\"%u\" y=\"%u\" font-size=\"15\" "
                        "text-anchor=\"end\" fill=\"%s\">%s</text>",
                        W - M, y + 19, p.flagged ? C_BAD_TEXT : C_MUTED, pct);
    if (rc == APP_OK && p.has_share)
        rc = rep_dot(c, &p, y);
    if (rc == APP_OK)
        rc = buf_puts(b, close_key(c, key));
    return rc;
}

/* Ticks at 0, 25, 50, 75, 100 % and the band mean ± deviation, with its
 * label above. */
APP_MUST_USE static enum app_err
consistency_axis(const struct ck *c, const cJSON *doc, unsigned y0, unsigned y1)
{
    struct buf *b = c->out;
    double mean = 0.0, dev = 0.0;
    bool has_mean = ratio_of(doc, "mean", &mean);
    enum app_err rc = APP_OK;
    unsigned k;

    for (k = 0; k <= 4 && rc == APP_OK; k++) {
        unsigned x = K_X0 + K_PW * k / 4;

        rc = buf_printf(b,
                        "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
                        "stroke=\"" C_GRID "\"/><text x=\"%u\" y=\"%u\" "
                        "font-size=\"13\" text-anchor=\"middle\" "
                        "fill=\"" C_FAINT "\">%u%%</text>",
                        x, y0 - 4, x, y1, x, y0 - 9, k * 25);
    }
    if (rc != APP_OK || !has_mean)
        return rc;
    if (!ratio_of(doc, "deviation", &dev))
        dev = 0.0;
    {
        unsigned lo = axis_x(K_X0, K_PW, mean - dev);
        unsigned hi = axis_x(K_X0, K_PW, mean + dev);
        unsigned xm = axis_x(K_X0, K_PW, mean);
        char pm[16], pd[16], num[40];

        fmt_pct(pm, sizeof(pm), mean);
        fmt_pct(pd, sizeof(pd), dev);
        snprintf(num, sizeof(num), "%s" PM "%s", pm, pd);
        rc = buf_printf(b,
                        "<g class=\"band\"><rect x=\"%u\" y=\"%u\" "
                        "width=\"%u\" height=\"%u\" fill=\"#e0e7ff\"/>"
                        "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
                        "stroke=\"#4f46e5\" stroke-width=\"1.5\"/>"
                        "<text x=\"%u\" y=\"%u\" font-size=\"14\" "
                        "text-anchor=\"middle\" fill=\"#3730a3\">",
                        lo, y0 - 2, hi - lo, y1 - y0 + 2, xm, y0 - 2, xm, y1,
                        xm, y0 - 26);
        if (rc == APP_OK)
            rc = put_labelled(b, c->l->mean, num);
        if (rc == APP_OK)
            rc = buf_puts(b, "</text></g>");
    }
    return rc;
}

/* "flagged: A, B, C +K" under the rows, so the outliers are named even
 * past the rows drawn. */
APP_MUST_USE static enum app_err
consistency_footer(const struct ck *c, const cJSON *first, unsigned y)
{
    struct buf *b = c->out;
    const cJSON *r;
    size_t named = 0, left = 0;
    enum app_err rc;

    rc = buf_printf(b,
                    "<text class=\"flagged-names\" x=\"%u\" y=\"%u\" "
                    "font-size=\"15\" fill=\"" C_BAD_TEXT "\">",
                    M, y + 18);
    if (rc == APP_OK)
        rc = svgtext_out(b, c->l->flagged, COCKPIT_LABEL_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, ": <tspan>");
    for (r = first; r != NULL && rc == APP_OK; r = r->next) {
        struct rep_row p;

        rep_read(r, &p);
        if (!p.flagged)
            continue;
        if (named == COCKPIT_MAX_FLAGGED) {
            left++;
            continue;
        }
        if (named > 0 && named % K_FOOT_PER_LINE == 0)
            rc = buf_printf(b, ",</tspan><tspan x=\"%u\" dy=\"%u\">", M,
                            K_FOOT_LINE);
        else if (named > 0)
            rc = buf_puts(b, ", ");
        if (rc == APP_OK)
            rc = svgtext_out(b, p.name, COCKPIT_REP_COLS);
        named++;
    }
    if (rc == APP_OK && named == 0)
        rc = buf_puts(b, DASH);
    if (rc == APP_OK && left > 0)
        rc = buf_printf(b, " +%zu", left);
    if (rc == APP_OK)
        rc = buf_puts(b, "</tspan></text>");
    return rc;
}

/* The lines consistency_footer() writes. */
static unsigned
footer_lines(const cJSON *first)
{
    size_t named = 0;

    for (; first != NULL && named < COCKPIT_MAX_FLAGGED; first = first->next) {
        struct rep_row p;

        rep_read(first, &p);
        if (p.flagged)
            named++;
    }
    if (named == 0)
        return 1;
    return (unsigned)((named - 1) / K_FOOT_PER_LINE + 1);
}

static void
consistency_legend(const struct cockpit_labels *l, const cJSON *doc,
                   struct legend_item *it)
{
    double dev;

    memset(it, 0, 3 * sizeof(*it));
    it[0].swatch = "<circle cx=\"7\" cy=\"-4\" r=\"3\" fill=\"#2563eb\"/>"
                   "<circle cx=\"7\" cy=\"-4\" r=\"6\" fill=\"none\" "
                   "stroke=\"" C_INK "\" stroke-width=\"1.5\"/>";
    it[0].text = l->sampled;
    it[1].swatch = "<path d=\"M7 -11L13 -4L7 3L1 -4Z\" fill=\"" C_BAD "\"/>";
    it[1].text = l->flagged;
    it[2].swatch = SWATCH("#e0e7ff");
    it[2].text = l->mean;
    if (ratio_of(doc, "deviation", &dev)) {
        char pct[16];

        fmt_pct(pct, sizeof(pct), dev);
        snprintf(it[2].extra, sizeof(it[2].extra), "\xc2\xb1%s", pct);
    }
}

APP_MUST_USE static enum app_err
draw_consistency(const struct ck *c, const cJSON *doc)
{
    const cJSON *first = first_of(doc, "reps"), *r;
    struct legend_item it[3];
    size_t total = array_len(first), n, i = 0;
    unsigned y0, y1, h;
    enum app_err rc;

    consistency_legend(c->l, doc, it);
    n = total < COCKPIT_MAX_REPS ? total : COCKPIT_MAX_REPS;
    y0 = LEGEND_Y + (legend_rows(it, 3) - 1) * LEGEND_ROW + K_AXIS_H + 8;
    y1 = y0 + (unsigned)n * K_ROW;
    h = y1 + (total > n ? MORE_H : 0) + K_FOOT_H +
        (footer_lines(first) - 1) * K_FOOT_LINE + BOTTOM;

    rc = svg_open(c, "consistency", h, c->l->consistency_title);
    if (rc == APP_OK)
        rc = put_legend(c, it, 3);
    if (rc == APP_OK)
        rc = consistency_axis(c, doc, y0, y1);
    for (r = first; r != NULL && i < n && rc == APP_OK; r = r->next, i++)
        rc = rep_line(c, r, y0 + (unsigned)i * K_ROW);
    if (rc == APP_OK)
        rc = put_more(c, y1, total - n);
    if (rc == APP_OK)
        rc = consistency_footer(c, first, y1 + (total > n ? MORE_H : 0));
    return rc;
}

/* --- heatmap ----------------------------------------------------------- */

#define HM_ROW 20u
#define HM_CELL_H 18u
#define HM_NAME_W 112u
#define HM_X0 (M + HM_NAME_W)
#define HM_AVAIL (W - M - HM_X0)
#define HM_CELL_MIN 4u
#define HM_CELL_MAX 24u
#define HM_HEAD_H 24u /* column labels above the rows */
#define HM_LEVELS 5u

static const char *const hm_fill[HM_LEVELS + 1] = {
    "#f1f5f9", "#bfdbfe", "#93c5fd", "#60a5fa", "#2563eb", "#1e3a8a",
};

struct heat {
    const cJSON *days; /* first day, or NULL */
    size_t ncol;       /* columns drawn */
    unsigned cw;       /* a column's width */
    long long max;     /* the largest "all" drawn, at least doc "max" */
};

static unsigned
heat_level(long long v, long long max)
{
    unsigned k;

    if (v <= 0 || max <= 0)
        return 0;
    k = (unsigned)ceil((double)HM_LEVELS * (double)v / (double)max);
    if (k < 1)
        k = 1;
    return k > HM_LEVELS ? HM_LEVELS : k;
}

/* Columns, their width and the largest cell of the rows drawn. */
static void
heat_layout(const cJSON *doc, const cJSON *rows, size_t nrows, struct heat *hm)
{
    const cJSON *r;
    size_t i = 0;

    hm->days = first_of(doc, "days");
    hm->ncol = array_len(hm->days);
    hm->max = count_of(doc, "max");
    for (r = rows; r != NULL && i < nrows; r = r->next, i++) {
        const cJSON *v = first_of(r, "all");
        size_t k = 0;

        if (hm->days == NULL && array_len(v) > hm->ncol)
            hm->ncol = array_len(v);
        for (; v != NULL && k < COCKPIT_MAX_DAYS; v = v->next, k++)
            if (count_item(v) > hm->max)
                hm->max = count_item(v);
    }
    if (hm->ncol > COCKPIT_MAX_DAYS)
        hm->ncol = COCKPIT_MAX_DAYS;
    hm->cw = hm->ncol > 0 ? HM_AVAIL / (unsigned)hm->ncol : HM_CELL_MAX;
    if (hm->cw > HM_CELL_MAX)
        hm->cw = HM_CELL_MAX;
    if (hm->cw < HM_CELL_MIN)
        hm->cw = HM_CELL_MIN;
}

/* "MM-DD" of every 7th day, from the first. */
APP_MUST_USE static enum app_err
heat_head(const struct ck *c, const struct heat *hm, unsigned y0)
{
    const cJSON *d = hm->days;
    enum app_err rc = APP_OK;
    size_t k;

    for (k = 0; d != NULL && k < hm->ncol && rc == APP_OK; d = d->next, k++) {
        struct str day = cJSON_IsString(d) && d->valuestring != NULL
                             ? str_c(d->valuestring)
                             : STR_NULL;

        if (k % 7 != 0 || !day_ok(day))
            continue;
        rc = buf_printf(c->out,
                        "<text x=\"%u\" y=\"%u\" font-size=\"12\" "
                        "fill=\"" C_MUTED "\">%.5s</text>",
                        HM_X0 + (unsigned)k * hm->cw, y0 - 7, day.p + 5);
    }
    return rc;
}

/* One cell: linked to the rep's customers of that day when both are
 * known; its tooltip "name · day: all / effective effective". */
APP_MUST_USE static enum app_err
heat_cell(const struct ck *c, const struct rep_row *p, struct str day, size_t k,
          long long all, long long eff, const struct heat *hm)
{
    struct buf *b = c->out;
    bool linked = c->base != NULL && p->has_id && day_ok(day);
    char na[24], ne[24];
    enum app_err rc = APP_OK;

    fmt_count(na, sizeof(na), all);
    fmt_count(ne, sizeof(ne), eff);
    if (linked) {
        rc = buf_puts(b, "<a href=\"");
        if (rc == APP_OK)
            rc = buf_append_html(b, c->base, strlen(c->base));
        if (rc == APP_OK)
            rc = buf_printf(b, "rep=%lld&amp;day=", p->id);
        if (rc == APP_OK)
            rc = wire_pct_encode(b, day.p, day.len);
        if (rc == APP_OK)
            rc = buf_append_html(b, c->suffix, strlen(c->suffix));
        if (rc == APP_OK)
            rc = buf_puts(b, "\">");
    }
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "<rect class=\"cell\" data-all=\"%s\" x=\"%u\" "
                        "width=\"%u\" height=\"%u\" fill=\"%s\"><title>",
                        na, HM_X0 + (unsigned)k * hm->cw, hm->cw - 1, HM_CELL_H,
                        hm_fill[heat_level(all, hm->max)]);
    if (rc == APP_OK)
        rc = svgtext_out(b, p->name, COCKPIT_REP_COLS);
    if (rc == APP_OK && day_ok(day))
        rc = buf_printf(b, SEP "%.*s", (int)day.len, day.p);
    if (rc == APP_OK)
        rc = buf_printf(b, ": %s / %s ", na, ne);
    if (rc == APP_OK)
        rc = svgtext_out(b, c->l->effective, COCKPIT_LABEL_COLS);
    if (rc == APP_OK)
        rc = buf_printf(b, "</title></rect>%s", linked ? "</a>" : "");
    return rc;
}

APP_MUST_USE static enum app_err
heat_row(const struct ck *c, const cJSON *r, unsigned y, const struct heat *hm)
{
    const cJSON *all = first_of(r, "all"), *eff = first_of(r, "effective");
    const cJSON *d = hm->days;
    struct rep_row p;
    char idbuf[24] = "";
    enum app_err rc;
    size_t k;

    rep_read(r, &p);
    if (p.has_id)
        fmt_count(idbuf, sizeof(idbuf), p.id);
    rc = buf_printf(c->out,
                    "<g class=\"row\" data-rep=\"%s\" "
                    "transform=\"translate(0 %u)\"><text x=\"%u\" y=\"14\" "
                    "font-size=\"13\" fill=\"" C_INK "\">",
                    idbuf, y, M);
    if (rc == APP_OK)
        rc = svgtext_out(c->out, p.name, COCKPIT_REP_COLS);
    if (rc == APP_OK)
        rc = buf_puts(c->out, "</text>");
    for (k = 0; k < hm->ncol && rc == APP_OK; k++) {
        struct str day = STR_NULL;

        if (d != NULL && cJSON_IsString(d) && d->valuestring != NULL)
            day = str_c(d->valuestring);
        rc = heat_cell(c, &p, day, k, count_item(all), count_item(eff), hm);
        all = all != NULL ? all->next : NULL;
        eff = eff != NULL ? eff->next : NULL;
        d = d != NULL ? d->next : NULL;
    }
    if (rc == APP_OK)
        rc = buf_puts(c->out, "</g>");
    return rc;
}

/* The scale: 0 in grey, the shades up to the largest count. */
APP_MUST_USE static enum app_err
heat_legend(const struct ck *c, const struct heat *hm)
{
    char num[24];
    enum app_err rc;
    unsigned k;

    fmt_count(num, sizeof(num), hm->max);
    rc = buf_printf(c->out,
                    "<g class=\"legend\" font-size=\"14\" fill=\"" C_MUTED
                    "\"><text x=\"%u\" y=\"%u\">0</text>",
                    M, LEGEND_Y);
    for (k = 0; k <= HM_LEVELS && rc == APP_OK; k++)
        rc = buf_printf(c->out,
                        "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"12\" "
                        "fill=\"%s\" stroke=\"" C_GRID "\"/>",
                        M + 14 + k * 16, LEGEND_Y - 10, hm_fill[k]);
    if (rc == APP_OK)
        rc = buf_printf(c->out, "<text x=\"%u\" y=\"%u\">%s</text></g>",
                        M + 20 + (HM_LEVELS + 1) * 16, LEGEND_Y, num);
    return rc;
}

APP_MUST_USE static enum app_err
draw_heatmap(const struct ck *c, const cJSON *doc)
{
    const cJSON *first = first_of(doc, "reps"), *r;
    struct heat hm;
    size_t total = array_len(first), n, i = 0;
    unsigned y0, h;
    enum app_err rc;

    n = total < COCKPIT_MAX_REPS ? total : COCKPIT_MAX_REPS;
    heat_layout(doc, first, n, &hm);
    y0 = LEGEND_Y + 14 + HM_HEAD_H;
    h = y0 + (unsigned)n * HM_ROW + (total > n ? MORE_H : 0) + BOTTOM;

    rc = svg_open(c, "heatmap", h, c->l->heatmap_title);
    if (rc == APP_OK)
        rc = heat_legend(c, &hm);
    if (rc == APP_OK)
        rc = heat_head(c, &hm, y0);
    for (r = first; r != NULL && i < n && rc == APP_OK; r = r->next, i++)
        rc = heat_row(c, r, y0 + (unsigned)i * HM_ROW, &hm);
    if (rc == APP_OK)
        rc = put_more(c, y0 + (unsigned)n * HM_ROW, total - n);
    return rc;
}

/* --- entry points ------------------------------------------------------ */

static bool
str_ok(struct str s)
{
    return s.p != NULL || s.len == 0;
}

static bool
labels_ok(const struct cockpit_labels *l)
{
    const struct str all[] = {
        l->health_title,  l->funnel_title, l->consistency_title,
        l->heatmap_title, l->healthy,      l->warning,
        l->zombie,        l->no_customers, l->entered,
        l->advanced,      l->lost,         l->stalled,
        l->loss_rate,     l->brk,          l->mean,
        l->sampled,       l->flagged,      l->effective,
        l->more,
    };
    size_t i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (!str_ok(all[i]))
            return false;
    return true;
}

typedef enum app_err (*draw_fn)(const struct ck *c, const cJSON *doc);

/* Check the arguments, draw, close the svg; on error leave out as it
 * was. */
APP_MUST_USE static enum app_err
run(struct buf *out, const cJSON *doc, const struct cockpit_labels *l,
    const char *link_base, const char *link_suffix, draw_fn draw)
{
    struct ck c;
    size_t start;
    enum app_err rc;

    if (out == NULL || l == NULL || !labels_ok(l))
        return APP_EINVAL;
    c.out = out;
    c.l = l;
    c.base = link_base;
    c.suffix = link_suffix != NULL ? link_suffix : "";
    start = out->len;
    rc = draw(&c, doc);
    if (rc == APP_OK)
        rc = buf_puts(out, "</svg>");
    if (rc != APP_OK && out->p != NULL) {
        out->len = start;
        out->p[start] = '\0';
    }
    return rc;
}

enum app_err
cockpit_svg_health(struct buf *out, const cJSON *stage_health_doc,
                   const struct cockpit_labels *l, const char *link_base,
                   const char *link_suffix)
{
    return run(out, stage_health_doc, l, link_base, link_suffix, draw_health);
}

enum app_err
cockpit_svg_funnel(struct buf *out, const cJSON *funnel_doc,
                   const struct cockpit_labels *l, const char *link_base,
                   const char *link_suffix)
{
    return run(out, funnel_doc, l, link_base, link_suffix, draw_funnel);
}

enum app_err
cockpit_svg_consistency(struct buf *out, const cJSON *consistency_doc,
                        const struct cockpit_labels *l, const char *link_base,
                        const char *link_suffix)
{
    return run(out, consistency_doc, l, link_base, link_suffix,
               draw_consistency);
}

enum app_err
cockpit_svg_heatmap(struct buf *out, const cJSON *heatmap_doc,
                    const struct cockpit_labels *l, const char *link_base,
                    const char *link_suffix)
{
    return run(out, heatmap_doc, l, link_base, link_suffix, draw_heatmap);
}

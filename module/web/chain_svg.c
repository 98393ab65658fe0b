/*
 * chain_svg.c -- the decision chain as a server-side SVG (see chain_svg.h).
 *
 * The SVG goes raw into a page served with a strict CSP, so it is built
 * from constant markup, integers and text that passed through svgtext_out():
 * no style attribute (style-src 'self' would block it; presentation
 * attributes are not styles), no script, no event handler, no reference
 * to another document.  Every coordinate is an integer, so the output does
 * not depend on the locale's decimal point and is byte-for-byte
 * deterministic.
 *
 * Widths of texts are unknown on the server; every text is cut to a budget
 * of display columns that fits its box at its font size (svgtext.c).
 */
#include "web/chain_svg.h"

#include <limits.h>
#include <string.h>

#include "base/svgtext.h"

static bool
str_ok(struct str s)
{
    return s.p != NULL || s.len == 0;
}

/* --- geometry (viewBox units) ------------------------------------------ */

#define G_MARGIN 12u
#define G_MIN_W 420u
#define G_COL_W 150u
#define G_COL_GAP 10u
#define G_CUST_Y 12u
#define G_CUST_H 54u
#define G_CUST_MIN_W 220u
#define G_COL_Y 92u
#define G_BUS_UP 12u  /* a row's bus, above its columns */
#define G_ROW_GAP 28u /* between rows of columns (narrow layout) */
#define G_HEAD_H 30u
#define G_BOX_X 6u
#define G_BOX_Y0 38u /* first box, relative to the column */
#define G_BOX_W 138u
#define G_BOX_H 46u
#define G_SLOT 54u /* box plus gap */
#define G_MORE_H 20u
#define G_LEGEND_GAP 22u
#define G_LEGEND_ROW 22u
#define G_LEGEND_SWATCH 22u /* swatch plus gap before its text */
#define G_LEGEND_SPACE 18u  /* between legend items */

/* Palette. */
#define C_INK "#0f172a"
#define C_MUTED "#475569"
#define C_FAINT "#94a3b8"
#define C_LINE "#94a3b8"
#define C_MET "#2563eb"
#define C_OK "#16a34a"
#define C_OK_TEXT "#15803d"
#define C_REQ "#4f46e5"
#define C_BAD "#dc2626"
#define C_BAD_TEXT "#991b1b"

struct draw {
    const struct chain *c;
    const struct chain_labels *l;
    struct buf *out;
    struct chain_cover cover;
    size_t count[CHAIN_MAX_ROLES];
    bool covered[CHAIN_MAX_ROLES];
    size_t order[CHAIN_MAX_ROLES]; /* columns: required roles first */
    int window;
    unsigned w, h;     /* viewBox */
    unsigned per_row;  /* columns in a row */
    unsigned rows;     /* rows of columns */
    unsigned cols_x;   /* left edge of the first column */
    unsigned col_h;    /* height of every column */
    unsigned legend_y; /* baseline of the legend's first row */
    unsigned legend_rows;
};

/* The order in which a role's contacts are shown: covering contacts, then
 * met in the window, then consensus only, then the rest; within a rank the
 * most recently met first (never met last); then input order.  A total
 * order, so the choice of the shown few is deterministic. */
static int
contact_rank(const struct draw *d, size_t i)
{
    const struct chain_contact *k = &d->c->contacts[i];
    bool met = chain_met(d->window, k);

    if (met && k->consensus)
        return 0;
    if (met)
        return 1;
    return k->consensus ? 2 : 3;
}

static bool
contact_before(const struct draw *d, size_t a, size_t b)
{
    int ra = contact_rank(d, a), rb = contact_rank(d, b);
    long da = d->c->contacts[a].days_since_met;
    long db = d->c->contacts[b].days_since_met;

    if (ra != rb)
        return ra < rb;
    if (da < 0)
        da = (long)INT_MAX + 1;
    if (db < 0)
        db = (long)INT_MAX + 1;
    if (da != db)
        return da < db;
    return a < b;
}

/* The next contact of role r after prev (SIZE_MAX: the first), or
 * SIZE_MAX when there is none.  O(contacts) per call; called at most
 * CHAIN_MAX_SHOWN times per role, and needs no memory. */
static size_t
contact_next(const struct draw *d, size_t r, size_t prev)
{
    size_t i, best = SIZE_MAX;

    for (i = 0; i < d->c->ncontacts; i++) {
        if (chain_role_of(d->c, &d->c->contacts[i]) != r)
            continue;
        if (prev != SIZE_MAX && !contact_before(d, prev, i))
            continue;
        if (best == SIZE_MAX || contact_before(d, i, best))
            best = i;
    }
    return best;
}

enum legend_kind {
    LG_MET,
    LG_NOT_MET,
    LG_CONSENSUS,
    LG_REQUIRED,
    LG_UNCOVERED
};

static struct str
legend_text(const struct chain_labels *l, enum legend_kind k)
{
    switch (k) {
    case LG_MET:
        return l->met;
    case LG_NOT_MET:
        return l->not_met;
    case LG_CONSENSUS:
        return l->consensus;
    case LG_REQUIRED:
        return l->required;
    case LG_UNCOVERED:
        return l->uncovered;
    }
    return STR_NULL;
}

#define LEGEND_N 5

/* Width of a legend item: swatch, text at font-size 11 (about 6.5 units
 * per column), rounded up. */
static unsigned
legend_width(const struct chain_labels *l, enum legend_kind k)
{
    unsigned cols = svgtext_cols(legend_text(l, k), CHAIN_LEGEND_COLS);

    return G_LEGEND_SWATCH + (cols * 13 + 1) / 2;
}

/* Place legend item k: its x and row, flowing left to right and wrapping
 * inside the margins.  Used twice (height, then drawing) so both agree. */
static void
legend_place(const struct draw *d, unsigned *x, unsigned *row)
{
    unsigned k, cx = G_MARGIN, cr = 0;

    for (k = 0; k < LEGEND_N; k++) {
        unsigned iw = legend_width(d->l, (enum legend_kind)k);

        if (cx > G_MARGIN && cx + iw > d->w - G_MARGIN) {
            cx = G_MARGIN;
            cr++;
        }
        x[k] = cx;
        row[k] = cr;
        cx += iw + G_LEGEND_SPACE;
    }
}

/* Where column i (in drawing order) stands. */
static unsigned
col_x(const struct draw *d, size_t i)
{
    return d->cols_x + (unsigned)(i % d->per_row) * (G_COL_W + G_COL_GAP);
}

static unsigned
col_y(const struct draw *d, size_t i)
{
    return G_COL_Y + (unsigned)(i / d->per_row) * (d->col_h + G_ROW_GAP);
}

static void
layout(struct draw *d, unsigned per_row)
{
    const struct chain *c = d->c;
    unsigned x[LEGEND_N], row[LEGEND_N], slots = 1, cols_w = 0;
    bool more = false;
    size_t r, n = 0;

    /* Required roles first, each group in the given order. */
    for (r = 0; r < c->nroles; r++)
        if (c->roles[r].required)
            d->order[n++] = r;
    for (r = 0; r < c->nroles; r++)
        if (!c->roles[r].required)
            d->order[n++] = r;

    for (r = 0; r < c->nroles; r++) {
        size_t shown =
            d->count[r] < CHAIN_MAX_SHOWN ? d->count[r] : CHAIN_MAX_SHOWN;

        if (shown > slots)
            slots = (unsigned)shown;
        if (d->count[r] > CHAIN_MAX_SHOWN)
            more = true;
    }
    d->per_row = (unsigned)c->nroles;
    if (per_row > 0 && per_row < d->per_row)
        d->per_row = per_row;
    d->rows = d->per_row > 0
                  ? ((unsigned)c->nroles + d->per_row - 1) / d->per_row
                  : 0;
    if (c->nroles > 0)
        cols_w = d->per_row * (G_COL_W + G_COL_GAP) - G_COL_GAP;
    d->w = cols_w + 2 * G_MARGIN;
    /* One row keeps a minimum width; a narrow picture is as narrow as its
     * columns, so that it is drawn large on a small screen. */
    if (d->rows <= 1 && d->w < G_MIN_W)
        d->w = G_MIN_W;
    if (d->w < G_CUST_MIN_W + 2 * G_MARGIN)
        d->w = G_CUST_MIN_W + 2 * G_MARGIN;
    d->cols_x = (d->w - cols_w) / 2;
    d->col_h = G_BOX_Y0 + slots * G_SLOT + (more ? G_MORE_H : 0);
    if (c->nroles > 0)
        d->legend_y = col_y(d, c->nroles - 1) + d->col_h + G_LEGEND_GAP;
    else
        d->legend_y = G_CUST_Y + G_CUST_H + G_LEGEND_GAP;
    legend_place(d, x, row);
    d->legend_rows = row[LEGEND_N - 1] + 1;
    d->h = d->legend_y + (d->legend_rows - 1) * G_LEGEND_ROW + 12;
}

/* "title: customer · penetration 67% (2/3) · uncovered: 预算, 验收", for
 * the aria-label and the <title>.  Separators are punctuation, not words,
 * so no UI string lives here. */
APP_MUST_USE static enum app_err
put_summary(const struct draw *d)
{
    const struct chain_labels *l = d->l;
    struct buf *b = d->out;
    enum app_err rc;
    size_t i;
    bool first = true;

    rc = svgtext_out(b, l->title, CHAIN_LEGEND_COLS);
    if (rc == APP_OK && l->title.len > 0)
        rc = buf_puts(b, ": ");
    if (rc == APP_OK)
        rc = svgtext_out(b, d->c->customer, CHAIN_CUSTOMER_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, " \xc2\xb7 ");
    if (rc == APP_OK)
        rc = svgtext_out(b, l->penetration, CHAIN_LEGEND_COLS);
    if (rc == APP_OK && d->cover.applicable)
        rc = buf_printf(b, " %u%% (%zu/%zu)", d->cover.percent,
                        d->cover.covered, d->cover.required);
    else if (rc == APP_OK)
        rc = buf_puts(b, " \xe2\x80\x94");
    for (i = 0; i < d->c->nroles && rc == APP_OK; i++) {
        size_t r = d->order[i];

        if (!d->c->roles[r].required || d->covered[r])
            continue;
        if (first) {
            rc = buf_puts(b, " \xc2\xb7 ");
            if (rc == APP_OK)
                rc = svgtext_out(b, l->uncovered, CHAIN_LEGEND_COLS);
            if (rc == APP_OK)
                rc = buf_puts(b, ": ");
            first = false;
        } else {
            rc = buf_puts(b, ", ");
        }
        if (rc == APP_OK)
            rc = svgtext_out(b, d->c->roles[r].label, CHAIN_LABEL_COLS);
    }
    return rc;
}

/* The bus of the row starting at column i: from the trunk (the middle)
 * or its first column to its last column or the trunk. */
APP_MUST_USE static enum app_err
draw_bus(const struct draw *d, size_t i)
{
    size_t last = i + d->per_row - 1;
    unsigned mid = d->w / 2, lo, hi;

    if (last >= d->c->nroles)
        last = d->c->nroles - 1;
    lo = col_x(d, i) + G_COL_W / 2;
    hi = col_x(d, last) + G_COL_W / 2;
    if (mid < lo)
        lo = mid;
    if (mid > hi)
        hi = mid;
    if (lo >= hi)
        return APP_OK;
    return buf_printf(d->out, "M%u %uH%u", lo, col_y(d, i) - G_BUS_UP, hi);
}

APP_MUST_USE static enum app_err
draw_head(const struct draw *d)
{
    const struct chain *c = d->c;
    struct buf *b = d->out;
    unsigned cust_w, mid = d->w / 2;
    const char *pen_fill;
    size_t i;
    enum app_err rc;

    rc = buf_printf(b,
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "class=\"chain\" viewBox=\"0 0 %u %u\" width=\"%u\" "
                    "height=\"%u\" font-family=\"sans-serif\" role=\"img\" "
                    "aria-label=\"",
                    d->w, d->h, d->w, d->h);
    if (rc == APP_OK)
        rc = put_summary(d);
    if (rc == APP_OK)
        rc = buf_puts(b, "\"><title>");
    if (rc == APP_OK)
        rc = put_summary(d);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</title><rect width=\"%u\" height=\"%u\" "
                        "fill=\"#fff\"/>",
                        d->w, d->h);
    if (rc != APP_OK)
        return rc;

    /* The customer, and the penetration under its name. */
    cust_w = svgtext_cols(c->customer, CHAIN_CUSTOMER_COLS) * 9 + 40;
    if (cust_w < G_CUST_MIN_W)
        cust_w = G_CUST_MIN_W;
    if (cust_w > d->w - 2 * G_MARGIN)
        cust_w = d->w - 2 * G_MARGIN;
    rc = buf_printf(b,
                    "<g class=\"customer\"><rect x=\"%u\" y=\"%u\" "
                    "width=\"%u\" height=\"%u\" rx=\"8\" fill=\"#f1f5f9\" "
                    "stroke=\"" C_INK "\" stroke-width=\"1.5\"/>"
                    "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\" "
                    "font-size=\"15\" font-weight=\"700\" fill=\"" C_INK "\">",
                    (d->w - cust_w) / 2, G_CUST_Y, cust_w, G_CUST_H, mid,
                    G_CUST_Y + 23);
    if (rc == APP_OK)
        rc = svgtext_out(b, c->customer, CHAIN_CUSTOMER_COLS);
    if (!d->cover.applicable)
        pen_fill = C_MUTED;
    else if (d->cover.covered == d->cover.required)
        pen_fill = C_OK_TEXT;
    else
        pen_fill = C_BAD_TEXT;
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</text><text class=\"penetration\" x=\"%u\" "
                        "y=\"%u\" text-anchor=\"middle\" font-size=\"12\" "
                        "fill=\"%s\">",
                        mid, G_CUST_Y + 43, pen_fill);
    if (rc == APP_OK)
        rc = svgtext_out(b, d->l->penetration, CHAIN_LEGEND_COLS);
    if (rc == APP_OK && d->cover.applicable)
        rc = buf_printf(b, " %u%% (%zu/%zu)", d->cover.percent,
                        d->cover.covered, d->cover.required);
    else if (rc == APP_OK)
        rc = buf_puts(b, " \xe2\x80\x94");
    if (rc == APP_OK)
        rc = buf_puts(b, "</text></g>");
    if (rc != APP_OK || c->nroles == 0)
        return rc;

    /* Connectors: customer down to the last row's bus, each row's bus
     * across its columns, down to every column. */
    rc = buf_printf(b,
                    "<path class=\"links\" fill=\"none\" stroke=\"" C_LINE
                    "\" d=\"M%u %uV%u",
                    mid, G_CUST_Y + G_CUST_H,
                    col_y(d, c->nroles - 1) - G_BUS_UP);
    for (i = 0; i < c->nroles && rc == APP_OK; i += d->per_row)
        rc = draw_bus(d, i);
    for (i = 0; i < c->nroles && rc == APP_OK; i++)
        rc = buf_printf(b, "M%u %uV%u", col_x(d, i) + G_COL_W / 2,
                        col_y(d, i) - G_BUS_UP, col_y(d, i));
    if (rc == APP_OK)
        rc = buf_puts(b, "\"/>");
    return rc;
}

APP_MUST_USE static enum app_err
draw_contact(const struct draw *d, size_t i, unsigned slot)
{
    const struct chain_contact *k = &d->c->contacts[i];
    struct buf *b = d->out;
    bool met = chain_met(d->window, k);
    enum app_err rc;

    rc = buf_printf(b,
                    "<g class=\"contact %s%s\" data-id=\"%lld\" "
                    "transform=\"translate(%u %u)\"><title>",
                    met ? "met" : "not-met", k->consensus ? " consensus" : "",
                    (long long)k->id, G_BOX_X, G_BOX_Y0 + slot * G_SLOT);
    /* The tooltip: full (bounded) name, title and department. */
    if (rc == APP_OK)
        rc = svgtext_out(b, k->name, CHAIN_TOOLTIP_COLS);
    if (rc == APP_OK && k->title.len > 0) {
        rc = buf_puts(b, " \xc2\xb7 ");
        if (rc == APP_OK)
            rc = svgtext_out(b, k->title, CHAIN_TOOLTIP_COLS);
    }
    if (rc == APP_OK && k->dept.len > 0) {
        rc = buf_puts(b, " \xc2\xb7 ");
        if (rc == APP_OK)
            rc = svgtext_out(b, k->dept, CHAIN_TOOLTIP_COLS);
    }
    if (rc == APP_OK && met)
        rc = buf_printf(b,
                        "</title><rect width=\"%u\" height=\"%u\" rx=\"4\" "
                        "fill=\"#fff\" stroke=\"" C_MET
                        "\" stroke-width=\"1.5\"/>",
                        G_BOX_W, G_BOX_H);
    else if (rc == APP_OK)
        rc = buf_printf(b,
                        "</title><rect width=\"%u\" height=\"%u\" rx=\"4\" "
                        "fill=\"#f8fafc\" stroke=\"" C_FAINT
                        "\" stroke-dasharray=\"4 3\"/>",
                        G_BOX_W, G_BOX_H);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "<text class=\"name\" x=\"10\" y=\"19\" "
                        "font-size=\"13\" font-weight=\"600\" fill=\"%s\">",
                        met ? C_INK : C_MUTED);
    if (rc == APP_OK)
        rc = svgtext_out(b, k->name, CHAIN_NAME_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "</text>");
    if (rc == APP_OK && k->title.len > 0) {
        rc = buf_printf(b,
                        "<text class=\"title\" x=\"10\" y=\"36\" "
                        "font-size=\"11\" fill=\"%s\">",
                        met ? C_MUTED : C_FAINT);
        if (rc == APP_OK)
            rc = svgtext_out(b, k->title, CHAIN_TITLE_COLS);
        if (rc == APP_OK)
            rc = buf_puts(b, "</text>");
    }
    if (rc == APP_OK && k->consensus)
        rc = buf_puts(b, "<circle cx=\"124\" cy=\"14\" r=\"7\" fill=\"" C_OK
                         "\"/><path d=\"M120 14l3 3l5-6\" fill=\"none\" "
                         "stroke=\"#fff\" stroke-width=\"2\" "
                         "stroke-linecap=\"round\" "
                         "stroke-linejoin=\"round\"/>");
    if (rc == APP_OK)
        rc = buf_puts(b, "</g>");
    return rc;
}

APP_MUST_USE static enum app_err
draw_column(const struct draw *d, unsigned col, size_t r)
{
    const struct chain_role *role = &d->c->roles[r];
    struct buf *b = d->out;
    bool bad = role->required && !d->covered[r];
    const char *frame, *head, *ink;
    unsigned mid = G_COL_W / 2, slot = 0;
    size_t i = SIZE_MAX;
    enum app_err rc;

    if (bad) {
        frame = "fill=\"#fef2f2\" stroke=\"" C_BAD "\" stroke-width=\"2\"";
        head = "#fee2e2";
        ink = C_BAD_TEXT;
    } else if (role->required) {
        frame = "fill=\"#f8fafc\" stroke=\"#c7d2fe\"";
        head = "#e0e7ff";
        ink = "#312e81";
    } else {
        frame = "fill=\"#f8fafc\" stroke=\"#e2e8f0\"";
        head = "#f1f5f9";
        ink = "#334155";
    }
    rc = buf_printf(b,
                    "<g class=\"role%s%s\" transform=\"translate(%u %u)\">"
                    "<rect width=\"%u\" height=\"%u\" rx=\"6\" %s/>"
                    "<rect x=\"1\" y=\"1\" width=\"%u\" height=\"%u\" "
                    "rx=\"5\" fill=\"%s\"/>",
                    role->required ? " required" : "", bad ? " uncovered" : "",
                    col_x(d, col), col_y(d, col), G_COL_W, d->col_h, frame,
                    G_COL_W - 2, G_HEAD_H - 1, head);
    if (rc == APP_OK && role->required)
        rc = buf_printf(b, "<circle cx=\"12\" cy=\"15\" r=\"4\" fill=\"%s\"/>",
                        bad ? C_BAD : C_REQ);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "<text x=\"%u\" y=\"20\" text-anchor=\"middle\" "
                        "font-size=\"13\" font-weight=\"700\" fill=\"%s\">",
                        mid, ink);
    if (rc == APP_OK)
        rc = svgtext_out(b, role->label, CHAIN_LABEL_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "</text>");

    while (rc == APP_OK && slot < CHAIN_MAX_SHOWN) {
        i = contact_next(d, r, i);
        if (i == SIZE_MAX)
            break;
        rc = draw_contact(d, i, slot);
        slot++;
    }
    if (rc == APP_OK && d->count[r] == 0)
        rc = buf_printf(b,
                        "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\" "
                        "font-size=\"13\" fill=\"" C_FAINT
                        "\">\xe2\x80\x94</text>",
                        mid, G_BOX_Y0 + G_BOX_H / 2 + 4);
    if (rc == APP_OK && d->count[r] > CHAIN_MAX_SHOWN)
        rc = buf_printf(b,
                        "<text class=\"more\" x=\"%u\" y=\"%u\" "
                        "text-anchor=\"middle\" font-size=\"12\" "
                        "fill=\"" C_MUTED "\">+%zu</text>",
                        mid, G_BOX_Y0 + CHAIN_MAX_SHOWN * G_SLOT + 10,
                        d->count[r] - CHAIN_MAX_SHOWN);
    if (rc == APP_OK)
        rc = buf_puts(b, "</g>");
    return rc;
}

APP_MUST_USE static enum app_err
draw_legend(const struct draw *d)
{
    static const char *const swatch[LEGEND_N] = {
        [LG_MET] = "<rect y=\"-10\" width=\"16\" height=\"12\" rx=\"2\" "
                   "fill=\"#fff\" stroke=\"" C_MET "\" stroke-width=\"1.5\"/>",
        [LG_NOT_MET] = "<rect y=\"-10\" width=\"16\" height=\"12\" rx=\"2\" "
                       "fill=\"#f8fafc\" stroke=\"" C_FAINT
                       "\" stroke-dasharray=\"3 2\"/>",
        [LG_CONSENSUS] = "<circle cx=\"8\" cy=\"-4\" r=\"6\" fill=\"" C_OK
                         "\"/><path d=\"M5 -4l2 2l4-4\" fill=\"none\" "
                         "stroke=\"#fff\" stroke-width=\"1.5\"/>",
        [LG_REQUIRED] =
            "<circle cx=\"8\" cy=\"-4\" r=\"4\" fill=\"" C_REQ "\"/>",
        [LG_UNCOVERED] = "<rect y=\"-10\" width=\"16\" height=\"12\" "
                         "rx=\"2\" fill=\"#fef2f2\" stroke=\"" C_BAD
                         "\" stroke-width=\"2\"/>",
    };
    unsigned x[LEGEND_N], row[LEGEND_N], k;
    struct buf *b = d->out;
    enum app_err rc;

    legend_place(d, x, row);
    rc = buf_puts(b,
                  "<g class=\"legend\" font-size=\"11\" fill=\"" C_MUTED "\">");
    for (k = 0; k < LEGEND_N && rc == APP_OK; k++) {
        rc = buf_printf(
            b, "<g transform=\"translate(%u %u)\">%s<text x=\"%u\">", x[k],
            d->legend_y + row[k] * G_LEGEND_ROW, swatch[k], G_LEGEND_SWATCH);
        if (rc == APP_OK)
            rc = svgtext_out(b, legend_text(d->l, (enum legend_kind)k),
                             CHAIN_LEGEND_COLS);
        if (rc == APP_OK)
            rc = buf_puts(b, "</text></g>");
    }
    if (rc == APP_OK)
        rc = buf_puts(b, "</g>");
    return rc;
}

APP_MUST_USE static enum app_err
labels_check(const struct chain_labels *l)
{
    if (l == NULL)
        return APP_EINVAL;
    if (!str_ok(l->title) || !str_ok(l->met) || !str_ok(l->not_met) ||
        !str_ok(l->consensus) || !str_ok(l->required) ||
        !str_ok(l->uncovered) || !str_ok(l->penetration))
        return APP_EINVAL;
    return APP_OK;
}

enum app_err
chain_svg(const struct chain *c, const struct chain_labels *l, struct buf *out)
{
    return chain_svg_rows(c, l, 0, out);
}

enum app_err
chain_svg_rows(const struct chain *c, const struct chain_labels *l,
               unsigned per_row, struct buf *out)
{
    struct draw d;
    size_t start, i;
    enum app_err rc;

    if (out == NULL)
        return APP_EINVAL;
    memset(&d, 0, sizeof(d));
    rc = chain_analyse(c, d.count, d.covered, &d.cover);
    if (rc == APP_OK)
        rc = labels_check(l);
    if (rc != APP_OK)
        return rc;
    d.c = c;
    d.l = l;
    d.out = out;
    d.window = chain_window(c);
    layout(&d, per_row);

    start = out->len;
    rc = draw_head(&d);
    for (i = 0; i < c->nroles && rc == APP_OK; i++)
        rc = draw_column(&d, (unsigned)i, d.order[i]);
    if (rc == APP_OK)
        rc = draw_legend(&d);
    if (rc == APP_OK)
        rc = buf_puts(out, "</svg>");
    if (rc != APP_OK && out->p != NULL) {
        /* As buf_append does on failure: never half a picture. */
        out->len = start;
        out->p[start] = '\0';
    }
    return rc;
}

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
 * This file draws stage health and the funnel; cockpit_svg_reps.c the
 * per-rep charts; cockpit_draw.c what they share (reading the documents
 * defensively, links, legends).
 */
#include "web/cockpit_svg.h"

#include <stdio.h>
#include <string.h>

#include "base/svgtext.h"
#include "web/cockpit_draw.h"

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

#define WARN "\xe2\x9a\xa0 "   /* U+26A0 before "break" */
#define GE "\xe2\x89\xa5"      /* U+2265 */
#define ARROW " \xe2\x86\x92 " /* U+2192 */

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
    [ST_NONE] = CD_MUTED,
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
    struct str st = cdraw_text_of(s, "status");

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
health_figures(const struct cdraw *c, long long a, long long n, bool has,
               double h, enum status st)
{
    char na[24], nn[24], pct[16];
    enum app_err rc;

    cdraw_fmt_count(na, sizeof(na), a);
    cdraw_fmt_count(nn, sizeof(nn), n);
    if (has)
        cdraw_fmt_pct(pct, sizeof(pct), h);
    else
        snprintf(pct, sizeof(pct), "%s", CD_DASH);
    rc = buf_printf(c->out, "%s/%s" CD_SEP "%s" CD_SEP, na, nn, pct);
    if (rc == APP_OK)
        rc = svgtext_out(c->out, status_text(c->l, st), COCKPIT_LABEL_COLS);
    return rc;
}

APP_MUST_USE static enum app_err
health_bar(const struct cdraw *c, const cJSON *s, unsigned y,
           const struct thresholds *t)
{
    struct buf *b = c->out;
    struct str key = cdraw_text_of(s, "stage"), name = cdraw_text_of(s, "name");
    long long n = cdraw_count_of(s, "n"), a = cdraw_count_of(s, "active");
    double h = 0.0;
    bool has = cdraw_ratio_of(s, "health", &h);
    enum status st = status_of(s, has, h, t);
    enum app_err rc;

    if (name.len == 0)
        name = key;
    rc = cdraw_open_key(c, key);
    if (rc == APP_OK)
        rc = buf_printf(b, " class=\"bar %s\" data-stage=\"", status_class[st]);
    if (rc == APP_OK)
        rc = svgtext_out(b, key, CD_KEY_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "\"><title>");
    if (rc == APP_OK)
        rc = svgtext_out(b, name, COCKPIT_TOOLTIP_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, CD_SEP);
    if (rc == APP_OK)
        rc = health_figures(c, a, n, has, h, st);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</title><rect x=\"%u\" y=\"%u\" width=\"%u\" "
                        "height=\"%u\" rx=\"3\" fill=\"" CD_TRACK "\"/>",
                        CD_M, y + H_BAR, CD_BW, H_BAR_H);
    if (rc == APP_OK && has)
        rc = buf_printf(b,
                        "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
                        "rx=\"3\" fill=\"%s\"/>",
                        CD_M, y + H_BAR, cdraw_axis_x(0, CD_BW, h), H_BAR_H,
                        status_fill[st]);
    else if (rc == APP_OK)
        rc = buf_printf(
            b,
            "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
            "rx=\"3\" fill=\"none\" stroke=\"" C_NONE "\" "
            "stroke-dasharray=\"4 3\"/><text x=\"%u\" y=\"%u\" "
            "font-size=\"16\" fill=\"" CD_MUTED "\">" CD_DASH "</text>",
            CD_M, y + H_BAR, CD_BW, H_BAR_H, CD_M + 8, y + H_BAR + 16);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "<text x=\"%u\" y=\"%u\" font-size=\"17\" "
                        "fill=\"" CD_INK "\">",
                        CD_M, y + H_LABEL);
    if (rc == APP_OK)
        rc = svgtext_out(b, name, COCKPIT_STAGE_COLS);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</text><text x=\"%u\" y=\"%u\" font-size=\"16\" "
                        "text-anchor=\"end\" fill=\"%s\"%s>",
                        CD_W - CD_M, y + H_LABEL, status_ink[st],
                        st == ST_ZOMBIE ? " font-weight=\"700\"" : "");
    if (rc == APP_OK)
        rc = health_figures(c, a, n, has, h, st);
    if (rc == APP_OK)
        rc = buf_printf(b, "</text>%s", cdraw_close_key(c, key));
    return rc;
}

/* The dashed threshold lines over the bars, labelled with their value. */
APP_MUST_USE static enum app_err
health_lines(const struct cdraw *c, const struct thresholds *t, unsigned y0,
             unsigned y1)
{
    const double v[2] = { t->healthy, t->warning };
    const bool has[2] = { t->has_healthy, t->has_warning };
    enum app_err rc = APP_OK;
    size_t i;

    for (i = 0; i < 2 && rc == APP_OK; i++) {
        char pct[16];
        unsigned x = cdraw_axis_x(CD_M, CD_BW, v[i]);

        if (!has[i])
            continue;
        cdraw_fmt_pct(pct, sizeof(pct), v[i]);
        rc = buf_printf(c->out,
                        "<g class=\"threshold %s\"><line x1=\"%u\" "
                        "y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"" CD_INK
                        "\" stroke-dasharray=\"4 3\"/><text x=\"%u\" "
                        "y=\"%u\" font-size=\"13\" text-anchor=\"middle\" "
                        "fill=\"" CD_MUTED "\">%s</text></g>",
                        i == 0 ? "healthy" : "warning", x, y0 - 4, x, y1, x,
                        y0 - 9, pct);
    }
    return rc;
}

static void
health_legend(const struct cockpit_labels *l, const struct thresholds *t,
              struct cdraw_legend_item *it)
{
    memset(it, 0, 4 * sizeof(*it));
    it[0].swatch = CD_SWATCH(C_HEALTHY);
    it[0].text = l->healthy;
    it[1].swatch = CD_SWATCH(C_WARNING);
    it[1].text = l->warning;
    it[2].swatch = CD_SWATCH(C_ZOMBIE);
    it[2].text = l->zombie;
    it[3].swatch = CD_SWATCH(C_NONE);
    it[3].text = l->no_customers;
    if (t->has_healthy) {
        char pct[16];

        cdraw_fmt_pct(pct, sizeof(pct), t->healthy);
        snprintf(it[0].extra, sizeof(it[0].extra), GE "%s", pct);
    }
    if (t->has_warning) {
        char pct[16];

        cdraw_fmt_pct(pct, sizeof(pct), t->warning);
        snprintf(it[1].extra, sizeof(it[1].extra), GE "%s", pct);
    }
}

APP_MUST_USE static enum app_err
draw_health(const struct cdraw *c, const cJSON *doc)
{
    const cJSON *thr = cdraw_field(doc, "thresholds");
    const cJSON *first = cdraw_first_of(doc, "stages"), *s;
    struct thresholds t;
    struct cdraw_legend_item it[4];
    size_t total = cdraw_array_len(first), n, i = 0;
    unsigned y0, h;
    enum app_err rc;

    t.has_healthy = cdraw_ratio_of(thr, "healthy", &t.healthy);
    t.has_warning = cdraw_ratio_of(thr, "warning", &t.warning);
    health_legend(c->l, &t, it);
    n = total < COCKPIT_MAX_STAGES ? total : COCKPIT_MAX_STAGES;
    y0 = CD_LEGEND_Y + (cdraw_legend_rows(it, 4) - 1) * CD_LEGEND_ROW + 36;
    h = y0 + (unsigned)n * H_ROW + (total > n ? CD_MORE_H : 0) + CD_BOTTOM;

    rc = cdraw_svg_open(c, "health", h, c->l->health_title);
    if (rc == APP_OK)
        rc = cdraw_legend(c, it, 4);
    for (s = first; s != NULL && i < n && rc == APP_OK; s = s->next, i++)
        rc = health_bar(c, s, y0 + (unsigned)i * H_ROW, &t);
    if (rc == APP_OK)
        rc = health_lines(c, &t, y0, y0 + (unsigned)n * H_ROW);
    if (rc == APP_OK)
        rc = cdraw_more(c, y0 + (unsigned)n * H_ROW, total - n);
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
    f->key = cdraw_text_of(s, "stage");
    f->name = cdraw_text_of(s, "name");
    if (f->name.len == 0)
        f->name = f->key;
    f->entered = cdraw_count_of(s, "entered");
    f->advanced = cdraw_count_of(s, "advanced");
    f->lost = cdraw_count_of(s, "lost");
    f->stalled = cdraw_count_of(s, "stalled");
    f->loss = 0.0;
    f->has_loss = cdraw_ratio_of(s, "loss_rate", &f->loss);
    f->brk = cdraw_true_of(s, "break");
}

/* "entered 40 · advanced 20 · lost 5 · stalled 15". */
APP_MUST_USE static enum app_err
funnel_details(const struct cdraw *c, const struct funnel_row *f)
{
    const struct cockpit_labels *l = c->l;
    const struct str lab[4] = { l->entered, l->advanced, l->lost, l->stalled };
    const long long v[4] = { f->entered, f->advanced, f->lost, f->stalled };
    enum app_err rc = APP_OK;
    size_t i;

    for (i = 0; i < 4 && rc == APP_OK; i++) {
        char num[24];

        cdraw_fmt_count(num, sizeof(num), v[i]);
        if (i > 0)
            rc = buf_puts(c->out, CD_SEP);
        if (rc == APP_OK)
            rc = cdraw_labelled(c->out, lab[i], num);
    }
    return rc;
}

/* "loss 50%" or "loss —". */
APP_MUST_USE static enum app_err
funnel_loss(const struct cdraw *c, const struct funnel_row *f)
{
    char pct[16];

    if (f->has_loss)
        cdraw_fmt_pct(pct, sizeof(pct), f->loss);
    else
        snprintf(pct, sizeof(pct), "%s", CD_DASH);
    return cdraw_labelled(c->out, c->l->loss_rate, pct);
}

/* The bar: entered's length of the track, split into its parts. */
APP_MUST_USE static enum app_err
funnel_segments(const struct cdraw *c, const struct funnel_row *f, unsigned y,
                long long max_entered)
{
    static const char *const fill[3] = { C_ADVANCED, C_LOST, C_STALLED };
    static const char *const cls[3] = { "advanced", "lost", "stalled" };
    const long long part[3] = { f->advanced, f->lost, f->stalled };
    long long whole = f->entered, sum = part[0] + part[1] + part[2];
    unsigned ew = cdraw_share_of(CD_BW, f->entered, max_entered), x = CD_M;
    enum app_err rc;
    size_t i;

    if (sum > whole)
        whole = sum;
    if (f->entered > 0 && ew < 2)
        ew = 2;
    rc = buf_printf(c->out,
                    "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
                    "fill=\"" CD_TRACK "\"/>",
                    CD_M, y + F_BAR, CD_BW, F_BAR_H);
    for (i = 0; i < 3 && rc == APP_OK; i++) {
        unsigned w = cdraw_share_of(ew, part[i], whole);

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
                        "stroke=\"" CD_BAD "\" stroke-width=\"2.5\"/>",
                        CD_M - 2, y + F_BAR - 2, CD_BW + 4, F_BAR_H + 4);
    return rc;
}

/* The tooltip: "name → next: details · loss · break". */
APP_MUST_USE static enum app_err
funnel_title(const struct cdraw *c, const cJSON *s, const struct funnel_row *f)
{
    struct str next = cdraw_text_of(s, "next_name");
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
        rc = buf_puts(c->out, CD_SEP);
    if (rc == APP_OK)
        rc = funnel_loss(c, f);
    if (rc == APP_OK && f->brk) {
        rc = buf_puts(c->out, CD_SEP);
        if (rc == APP_OK)
            rc = svgtext_out(c->out, c->l->brk, COCKPIT_LABEL_COLS);
    }
    if (rc == APP_OK)
        rc = buf_puts(c->out, "</title>");
    return rc;
}

APP_MUST_USE static enum app_err
funnel_bar(const struct cdraw *c, const cJSON *s, unsigned y,
           long long max_entered)
{
    struct buf *b = c->out;
    struct funnel_row f;
    enum app_err rc;

    funnel_read(s, &f);
    rc = cdraw_open_key(c, f.key);
    if (rc == APP_OK)
        rc = buf_printf(b, " class=\"stage%s\" data-stage=\"",
                        f.brk ? " break" : "");
    if (rc == APP_OK)
        rc = svgtext_out(b, f.key, CD_KEY_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "\">");
    if (rc == APP_OK)
        rc = funnel_title(c, s, &f);
    if (rc == APP_OK)
        rc = funnel_segments(c, &f, y, max_entered);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "<text x=\"%u\" y=\"%u\" font-size=\"17\" "
                        "fill=\"" CD_INK "\">",
                        CD_M, y + F_LABEL);
    if (rc == APP_OK)
        rc = svgtext_out(b, f.name, COCKPIT_STAGE_COLS);
    if (rc == APP_OK && f.brk) {
        rc = buf_puts(b, "<tspan class=\"break-mark\" dx=\"8\" "
                         "font-weight=\"700\" fill=\"" CD_BAD_TEXT "\">" WARN);
        if (rc == APP_OK)
            rc = svgtext_out(b, c->l->brk, COCKPIT_LABEL_COLS);
        if (rc == APP_OK)
            rc = buf_puts(b, "</tspan>");
    }
    if (rc == APP_OK)
        rc =
            buf_printf(b,
                       "</text><text x=\"%u\" y=\"%u\" font-size=\"16\" "
                       "text-anchor=\"end\" fill=\"%s\"%s>",
                       CD_W - CD_M, y + F_LABEL, f.brk ? CD_BAD_TEXT : CD_MUTED,
                       f.brk ? " font-weight=\"700\"" : "");
    if (rc == APP_OK)
        rc = funnel_loss(c, &f);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</text><text x=\"%u\" y=\"%u\" font-size=\"14\" "
                        "fill=\"" CD_MUTED "\">",
                        CD_M, y + F_DETAIL);
    if (rc == APP_OK)
        rc = funnel_details(c, &f);
    if (rc == APP_OK)
        rc = buf_printf(b, "</text>%s", cdraw_close_key(c, f.key));
    return rc;
}

static void
funnel_legend(const struct cockpit_labels *l, struct cdraw_legend_item *it)
{
    memset(it, 0, 4 * sizeof(*it));
    it[0].swatch = CD_SWATCH(C_ADVANCED);
    it[0].text = l->advanced;
    it[1].swatch = CD_SWATCH(C_LOST);
    it[1].text = l->lost;
    it[2].swatch = CD_SWATCH(C_STALLED);
    it[2].text = l->stalled;
    it[3].swatch = "<rect y=\"-10\" width=\"14\" height=\"12\" "
                   "fill=\"none\" stroke=\"" CD_BAD "\" stroke-width=\"2\"/>";
    it[3].text = l->brk;
}

APP_MUST_USE static enum app_err
draw_funnel(const struct cdraw *c, const cJSON *doc)
{
    const cJSON *first = cdraw_first_of(doc, "stages"), *s;
    struct cdraw_legend_item it[4];
    size_t total = cdraw_array_len(first), n, i = 0;
    long long max_entered = 0;
    unsigned y0, h;
    enum app_err rc;

    funnel_legend(c->l, it);
    n = total < COCKPIT_MAX_STAGES ? total : COCKPIT_MAX_STAGES;
    for (s = first; s != NULL && i < n; s = s->next, i++) {
        long long e = cdraw_count_of(s, "entered");

        if (e > max_entered)
            max_entered = e;
    }
    y0 = CD_LEGEND_Y + (cdraw_legend_rows(it, 4) - 1) * CD_LEGEND_ROW + 20;
    h = y0 + (unsigned)n * F_ROW + (total > n ? CD_MORE_H : 0) + CD_BOTTOM;

    rc = cdraw_svg_open(c, "funnel", h, c->l->funnel_title);
    if (rc == APP_OK)
        rc = cdraw_legend(c, it, 4);
    i = 0;
    for (s = first; s != NULL && i < n && rc == APP_OK; s = s->next, i++)
        rc = funnel_bar(c, s, y0 + (unsigned)i * F_ROW, max_entered);
    if (rc == APP_OK)
        rc = cdraw_more(c, y0 + (unsigned)n * F_ROW, total - n);
    return rc;
}

/* --- entry points ------------------------------------------------------ */

enum app_err
cockpit_svg_health(struct buf *out, const cJSON *stage_health_doc,
                   const struct cockpit_labels *l, const char *link_base,
                   const char *link_suffix)
{
    return cdraw_run(out, stage_health_doc, l, link_base, link_suffix,
                     draw_health);
}

enum app_err
cockpit_svg_funnel(struct buf *out, const cJSON *funnel_doc,
                   const struct cockpit_labels *l, const char *link_base,
                   const char *link_suffix)
{
    return cdraw_run(out, funnel_doc, l, link_base, link_suffix, draw_funnel);
}

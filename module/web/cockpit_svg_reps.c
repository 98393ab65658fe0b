/*
 * cockpit_svg_reps.c -- the cockpit's per-rep charts (see cockpit_svg.h):
 * the dormant share of each rep against the sample's mean, and the
 * activity heatmap.  Built as cockpit_svg.c is, from cockpit_draw.h.
 */
#include "web/cockpit_svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/svgtext.h"
#include "base/wire.h"
#include "web/cockpit_draw.h"

/* --- consistency ------------------------------------------------------- */

#define K_ROW 28u
#define K_NAME_W 130u          /* the names' column */
#define K_VALUE_W 64u          /* the values' column, right */
#define K_X0 (CD_M + K_NAME_W) /* the axis */
#define K_PW (CD_W - CD_M - K_VALUE_W - K_X0)
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
    p->has_id = cdraw_id_of(r, "rep", &p->id);
    p->name = cdraw_text_of(r, "name");
    p->share = 0.0;
    p->has_share = cdraw_ratio_of(r, "share", &p->share);
    p->sampled = cdraw_true_of(r, "sampled");
    p->flagged = p->has_share && cdraw_true_of(r, "flagged");
    p->pool = cdraw_count_of(r, "pool");
    p->dormant = cdraw_count_of(r, "dormant");
}

/* Open a rep's item, linked by its id when it has one. */
APP_MUST_USE static enum app_err
open_rep(const struct cdraw *c, const struct rep_row *p, struct str *key,
         char *idbuf, size_t idlen)
{
    *key = STR_NULL;
    if (p->has_id) {
        cdraw_fmt_count(idbuf, idlen, p->id);
        *key = str_c(idbuf);
    }
    return cdraw_open_key(c, *key);
}

/* The tooltip: "name · 30% (12/40) · flagged · sampled". */
APP_MUST_USE static enum app_err
rep_title(const struct cdraw *c, const struct rep_row *p)
{
    struct buf *b = c->out;
    char pct[16], nd[24], np[24];
    enum app_err rc;

    cdraw_fmt_count(nd, sizeof(nd), p->dormant);
    cdraw_fmt_count(np, sizeof(np), p->pool);
    if (p->has_share)
        cdraw_fmt_pct(pct, sizeof(pct), p->share);
    else
        snprintf(pct, sizeof(pct), "%s", CD_DASH);
    rc = buf_puts(b, "<title>");
    if (rc == APP_OK)
        rc = svgtext_out(b, p->name, COCKPIT_TOOLTIP_COLS);
    if (rc == APP_OK)
        rc = buf_printf(b, CD_SEP "%s (%s/%s)", pct, nd, np);
    if (rc == APP_OK && p->flagged) {
        rc = buf_puts(b, CD_SEP);
        if (rc == APP_OK)
            rc = svgtext_out(b, c->l->flagged, COCKPIT_LABEL_COLS);
    }
    if (rc == APP_OK && p->sampled) {
        rc = buf_puts(b, CD_SEP);
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
rep_dot(const struct cdraw *c, const struct rep_row *p, unsigned y)
{
    unsigned x = cdraw_axis_x(K_X0, K_PW, p->share), cy = y + K_ROW / 2;
    enum app_err rc;

    if (p->flagged)
        rc = buf_printf(c->out,
                        "<path class=\"dot\" d=\"M%u %uL%u %uL%u %uL%u %uZ\" "
                        "fill=\"" CD_BAD "\"/>",
                        x, cy - 8, x + 8, cy, x, cy + 8, x - 8, cy);
    else
        rc = buf_printf(c->out,
                        "<circle class=\"dot\" cx=\"%u\" cy=\"%u\" r=\"6\" "
                        "fill=\"#2563eb\"/>",
                        x, cy);
    if (rc == APP_OK && p->sampled)
        rc = buf_printf(c->out,
                        "<circle class=\"ring\" cx=\"%u\" cy=\"%u\" r=\"11\" "
                        "fill=\"none\" stroke=\"" CD_INK
                        "\" stroke-width=\"1.5\"/>",
                        x, cy);
    return rc;
}

APP_MUST_USE static enum app_err
rep_line(const struct cdraw *c, const cJSON *r, unsigned y)
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
                        CD_M, y, CD_BW, K_ROW, CD_M, y + 19,
                        p.flagged ? CD_BAD_TEXT : CD_INK,
                        p.flagged ? " font-weight=\"700\"" : "");
    if (rc == APP_OK)
        rc = svgtext_out(b, p.name, COCKPIT_REP_COLS);
    if (p.has_share)
        cdraw_fmt_pct(pct, sizeof(pct), p.share);
    else
        snprintf(pct, sizeof(pct), "%s", CD_DASH);
    if (rc == APP_OK)
        rc = buf_printf(b,
                        "</text><text x=\"%u\" y=\"%u\" font-size=\"15\" "
                        "text-anchor=\"end\" fill=\"%s\">%s</text>",
                        CD_W - CD_M, y + 19, p.flagged ? CD_BAD_TEXT : CD_MUTED,
                        pct);
    if (rc == APP_OK && p.has_share)
        rc = rep_dot(c, &p, y);
    if (rc == APP_OK)
        rc = buf_puts(b, cdraw_close_key(c, key));
    return rc;
}

/* Ticks at 0, 25, 50, 75, 100 % and the band mean ± deviation, with its
 * label above. */
APP_MUST_USE static enum app_err
consistency_axis(const struct cdraw *c, const cJSON *doc, unsigned y0,
                 unsigned y1)
{
    struct buf *b = c->out;
    double mean = 0.0, dev = 0.0;
    bool has_mean = cdraw_ratio_of(doc, "mean", &mean);
    enum app_err rc = APP_OK;
    unsigned k;

    for (k = 0; k <= 4 && rc == APP_OK; k++) {
        unsigned x = K_X0 + K_PW * k / 4;

        rc = buf_printf(b,
                        "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
                        "stroke=\"" CD_GRID "\"/><text x=\"%u\" y=\"%u\" "
                        "font-size=\"13\" text-anchor=\"middle\" "
                        "fill=\"" CD_FAINT "\">%u%%</text>",
                        x, y0 - 4, x, y1, x, y0 - 9, k * 25);
    }
    if (rc != APP_OK || !has_mean)
        return rc;
    if (!cdraw_ratio_of(doc, "deviation", &dev))
        dev = 0.0;
    {
        unsigned lo = cdraw_axis_x(K_X0, K_PW, mean - dev);
        unsigned hi = cdraw_axis_x(K_X0, K_PW, mean + dev);
        unsigned xm = cdraw_axis_x(K_X0, K_PW, mean);
        char pm[16], pd[16], num[40];

        cdraw_fmt_pct(pm, sizeof(pm), mean);
        cdraw_fmt_pct(pd, sizeof(pd), dev);
        snprintf(num, sizeof(num), "%s" CD_PM "%s", pm, pd);
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
            rc = cdraw_labelled(b, c->l->mean, num);
        if (rc == APP_OK)
            rc = buf_puts(b, "</text></g>");
    }
    return rc;
}

/* "flagged: A, B, C +K" under the rows, so the outliers are named even
 * past the rows drawn. */
APP_MUST_USE static enum app_err
consistency_footer(const struct cdraw *c, const cJSON *first, unsigned y)
{
    struct buf *b = c->out;
    const cJSON *r;
    size_t named = 0, left = 0;
    enum app_err rc;

    rc = buf_printf(b,
                    "<text class=\"flagged-names\" x=\"%u\" y=\"%u\" "
                    "font-size=\"15\" fill=\"" CD_BAD_TEXT "\">",
                    CD_M, y + 18);
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
            rc = buf_printf(b, ",</tspan><tspan x=\"%u\" dy=\"%u\">", CD_M,
                            K_FOOT_LINE);
        else if (named > 0)
            rc = buf_puts(b, ", ");
        if (rc == APP_OK)
            rc = svgtext_out(b, p.name, COCKPIT_REP_COLS);
        named++;
    }
    if (rc == APP_OK && named == 0)
        rc = buf_puts(b, CD_DASH);
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
                   struct cdraw_legend_item *it)
{
    double dev;

    memset(it, 0, 3 * sizeof(*it));
    it[0].swatch = "<circle cx=\"7\" cy=\"-4\" r=\"3\" fill=\"#2563eb\"/>"
                   "<circle cx=\"7\" cy=\"-4\" r=\"6\" fill=\"none\" "
                   "stroke=\"" CD_INK "\" stroke-width=\"1.5\"/>";
    it[0].text = l->sampled;
    it[1].swatch = "<path d=\"M7 -11L13 -4L7 3L1 -4Z\" fill=\"" CD_BAD "\"/>";
    it[1].text = l->flagged;
    it[2].swatch = CD_SWATCH("#e0e7ff");
    it[2].text = l->mean;
    if (cdraw_ratio_of(doc, "deviation", &dev)) {
        char pct[16];

        cdraw_fmt_pct(pct, sizeof(pct), dev);
        snprintf(it[2].extra, sizeof(it[2].extra), "\xc2\xb1%s", pct);
    }
}

APP_MUST_USE static enum app_err
draw_consistency(const struct cdraw *c, const cJSON *doc)
{
    const cJSON *first = cdraw_first_of(doc, "reps"), *r;
    struct cdraw_legend_item it[3];
    size_t total = cdraw_array_len(first), n, i = 0;
    unsigned y0, y1, h;
    enum app_err rc;

    consistency_legend(c->l, doc, it);
    n = total < COCKPIT_MAX_REPS ? total : COCKPIT_MAX_REPS;
    y0 = CD_LEGEND_Y + (cdraw_legend_rows(it, 3) - 1) * CD_LEGEND_ROW +
         K_AXIS_H + 8;
    y1 = y0 + (unsigned)n * K_ROW;
    h = y1 + (total > n ? CD_MORE_H : 0) + K_FOOT_H +
        (footer_lines(first) - 1) * K_FOOT_LINE + CD_BOTTOM;

    rc = cdraw_svg_open(c, "consistency", h, c->l->consistency_title);
    if (rc == APP_OK)
        rc = cdraw_legend(c, it, 3);
    if (rc == APP_OK)
        rc = consistency_axis(c, doc, y0, y1);
    for (r = first; r != NULL && i < n && rc == APP_OK; r = r->next, i++)
        rc = rep_line(c, r, y0 + (unsigned)i * K_ROW);
    if (rc == APP_OK)
        rc = cdraw_more(c, y1, total - n);
    if (rc == APP_OK)
        rc = consistency_footer(c, first, y1 + (total > n ? CD_MORE_H : 0));
    return rc;
}

/* --- heatmap ----------------------------------------------------------- */

#define HM_ROW 20u
#define HM_CELL_H 18u
#define HM_NAME_W 112u
#define HM_X0 (CD_M + HM_NAME_W)
#define HM_AVAIL (CD_W - CD_M - HM_X0)
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

    hm->days = cdraw_first_of(doc, "days");
    hm->ncol = cdraw_array_len(hm->days);
    hm->max = cdraw_count_of(doc, "max");
    for (r = rows; r != NULL && i < nrows; r = r->next, i++) {
        const cJSON *v = cdraw_first_of(r, "all");
        size_t k = 0;

        if (hm->days == NULL && cdraw_array_len(v) > hm->ncol)
            hm->ncol = cdraw_array_len(v);
        for (; v != NULL && k < COCKPIT_MAX_DAYS; v = v->next, k++)
            if (cdraw_count_item(v) > hm->max)
                hm->max = cdraw_count_item(v);
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
heat_head(const struct cdraw *c, const struct heat *hm, unsigned y0)
{
    const cJSON *d = hm->days;
    enum app_err rc = APP_OK;
    size_t k;

    for (k = 0; d != NULL && k < hm->ncol && rc == APP_OK; d = d->next, k++) {
        struct str day = cJSON_IsString(d) && d->valuestring != NULL
                             ? str_c(d->valuestring)
                             : STR_NULL;

        if (k % 7 != 0 || !cdraw_day_ok(day))
            continue;
        rc = buf_printf(c->out,
                        "<text x=\"%u\" y=\"%u\" font-size=\"12\" "
                        "fill=\"" CD_MUTED "\">%.5s</text>",
                        HM_X0 + (unsigned)k * hm->cw, y0 - 7, day.p + 5);
    }
    return rc;
}

/* One cell: linked to the rep's customers of that day when both are
 * known; its tooltip "name · day: all / effective effective". */
APP_MUST_USE static enum app_err
heat_cell(const struct cdraw *c, const struct rep_row *p, struct str day,
          size_t k, long long all, long long eff, const struct heat *hm)
{
    struct buf *b = c->out;
    bool linked = c->base != NULL && p->has_id && cdraw_day_ok(day);
    char na[24], ne[24];
    enum app_err rc = APP_OK;

    cdraw_fmt_count(na, sizeof(na), all);
    cdraw_fmt_count(ne, sizeof(ne), eff);
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
    if (rc == APP_OK && cdraw_day_ok(day))
        rc = buf_printf(b, CD_SEP "%.*s", (int)day.len, day.p);
    if (rc == APP_OK)
        rc = buf_printf(b, ": %s / %s ", na, ne);
    if (rc == APP_OK)
        rc = svgtext_out(b, c->l->effective, COCKPIT_LABEL_COLS);
    if (rc == APP_OK)
        rc = buf_printf(b, "</title></rect>%s", linked ? "</a>" : "");
    return rc;
}

APP_MUST_USE static enum app_err
heat_row(const struct cdraw *c, const cJSON *r, unsigned y,
         const struct heat *hm)
{
    const cJSON *all = cdraw_first_of(r, "all"),
                *eff = cdraw_first_of(r, "effective");
    const cJSON *d = hm->days;
    struct rep_row p;
    char idbuf[24] = "";
    enum app_err rc;
    size_t k;

    rep_read(r, &p);
    if (p.has_id)
        cdraw_fmt_count(idbuf, sizeof(idbuf), p.id);
    rc = buf_printf(c->out,
                    "<g class=\"row\" data-rep=\"%s\" "
                    "transform=\"translate(0 %u)\"><text x=\"%u\" y=\"14\" "
                    "font-size=\"13\" fill=\"" CD_INK "\">",
                    idbuf, y, CD_M);
    if (rc == APP_OK)
        rc = svgtext_out(c->out, p.name, COCKPIT_REP_COLS);
    if (rc == APP_OK)
        rc = buf_puts(c->out, "</text>");
    for (k = 0; k < hm->ncol && rc == APP_OK; k++) {
        struct str day = STR_NULL;

        if (d != NULL && cJSON_IsString(d) && d->valuestring != NULL)
            day = str_c(d->valuestring);
        rc = heat_cell(c, &p, day, k, cdraw_count_item(all),
                       cdraw_count_item(eff), hm);
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
heat_legend(const struct cdraw *c, const struct heat *hm)
{
    char num[24];
    enum app_err rc;
    unsigned k;

    cdraw_fmt_count(num, sizeof(num), hm->max);
    rc = buf_printf(c->out,
                    "<g class=\"legend\" font-size=\"14\" fill=\"" CD_MUTED
                    "\"><text x=\"%u\" y=\"%u\">0</text>",
                    CD_M, CD_LEGEND_Y);
    for (k = 0; k <= HM_LEVELS && rc == APP_OK; k++)
        rc = buf_printf(c->out,
                        "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"12\" "
                        "fill=\"%s\" stroke=\"" CD_GRID "\"/>",
                        CD_M + 14 + k * 16, CD_LEGEND_Y - 10, hm_fill[k]);
    if (rc == APP_OK)
        rc = buf_printf(c->out, "<text x=\"%u\" y=\"%u\">%s</text></g>",
                        CD_M + 20 + (HM_LEVELS + 1) * 16, CD_LEGEND_Y, num);
    return rc;
}

APP_MUST_USE static enum app_err
draw_heatmap(const struct cdraw *c, const cJSON *doc)
{
    const cJSON *first = cdraw_first_of(doc, "reps"), *r;
    struct heat hm;
    size_t total = cdraw_array_len(first), n, i = 0;
    unsigned y0, h;
    enum app_err rc;

    n = total < COCKPIT_MAX_REPS ? total : COCKPIT_MAX_REPS;
    heat_layout(doc, first, n, &hm);
    y0 = CD_LEGEND_Y + 14 + HM_HEAD_H;
    h = y0 + (unsigned)n * HM_ROW + (total > n ? CD_MORE_H : 0) + CD_BOTTOM;

    rc = cdraw_svg_open(c, "heatmap", h, c->l->heatmap_title);
    if (rc == APP_OK)
        rc = heat_legend(c, &hm);
    if (rc == APP_OK)
        rc = heat_head(c, &hm, y0);
    for (r = first; r != NULL && i < n && rc == APP_OK; r = r->next, i++)
        rc = heat_row(c, r, y0 + (unsigned)i * HM_ROW, &hm);
    if (rc == APP_OK)
        rc = cdraw_more(c, y0 + (unsigned)n * HM_ROW, total - n);
    return rc;
}

/* --- entry points ------------------------------------------------------ */

enum app_err
cockpit_svg_consistency(struct buf *out, const cJSON *consistency_doc,
                        const struct cockpit_labels *l, const char *link_base,
                        const char *link_suffix)
{
    return cdraw_run(out, consistency_doc, l, link_base, link_suffix,
                     draw_consistency);
}

enum app_err
cockpit_svg_heatmap(struct buf *out, const cJSON *heatmap_doc,
                    const struct cockpit_labels *l, const char *link_base,
                    const char *link_suffix)
{
    return cdraw_run(out, heatmap_doc, l, link_base, link_suffix, draw_heatmap);
}

/*
 * cockpit_draw.c -- what the cockpit's charts share (see cockpit_draw.h).
 *
 * The documents come from the metrics engine, but a chart must never be
 * the thing that crashes a page: every field is read through the getters
 * below, which turn anything unexpected into null or 0.  Markup follows
 * chain_svg.c: constant text, integers, and text through svgtext_out().
 */
#include "web/cockpit_draw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/svgtext.h"
#include "base/wire.h"

#define LEGEND_SWATCH 20u /* swatch plus gap before its text */
#define LEGEND_SPACE 16u  /* between legend items */

/* --- reading the document ---------------------------------------------- */

const cJSON *
cdraw_field(const cJSON *o, const char *k)
{
    if (!cJSON_IsObject(o))
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The first element of the array o[k] (or of o itself when k is NULL),
 * NULL when there is none or it is not an array. */
const cJSON *
cdraw_first_of(const cJSON *o, const char *k)
{
    const cJSON *a = k != NULL ? cdraw_field(o, k) : o;

    return cJSON_IsArray(a) ? a->child : NULL;
}

size_t
cdraw_array_len(const cJSON *first)
{
    size_t n = 0;

    for (; first != NULL; first = first->next)
        n++;
    return n;
}

/* A finite number in o[k]; false for anything else. */
bool
cdraw_num_of(const cJSON *o, const char *k, double *v)
{
    const cJSON *n = cdraw_field(o, k);

    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
        return false;
    *v = n->valuedouble;
    return true;
}

double
cdraw_clamp01(double v)
{
    if (!(v > 0.0)) /* NaN too */
        return 0.0;
    return v > 1.0 ? 1.0 : v;
}

/* A ratio in o[k] clamped into [0, 1]; false when null or absent. */
bool
cdraw_ratio_of(const cJSON *o, const char *k, double *v)
{
    if (!cdraw_num_of(o, k, v))
        return false;
    *v = cdraw_clamp01(*v);
    return true;
}

/* A count: a number item rounded down into [0, CDRAW_COUNT_MAX], else 0. */
long long
cdraw_count_item(const cJSON *n)
{
    double v;

    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
        return 0;
    v = n->valuedouble;
    if (!(v > 0.0))
        return 0;
    if (v >= (double)CDRAW_COUNT_MAX)
        return CDRAW_COUNT_MAX;
    return (long long)v;
}

long long
cdraw_count_of(const cJSON *o, const char *k)
{
    return cdraw_count_item(cdraw_field(o, k));
}

/* A user id: a positive integral number up to 2^53. */
bool
cdraw_id_of(const cJSON *o, const char *k, long long *id)
{
    double v;

    if (!cdraw_num_of(o, k, &v) || v < 1.0 || v > 9007199254740992.0 ||
        floor(v) != v)
        return false;
    *id = (long long)v;
    return true;
}

struct str
cdraw_text_of(const cJSON *o, const char *k)
{
    const cJSON *s = cdraw_field(o, k);

    if (!cJSON_IsString(s) || s->valuestring == NULL)
        return STR_NULL;
    return str_c(s->valuestring);
}

bool
cdraw_true_of(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(cdraw_field(o, k));
}

/* A tenant-local day "YYYY-MM-DD" (digits and dashes in place). */
bool
cdraw_day_ok(struct str d)
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

void
cdraw_fmt_pct(char *dst, size_t n, double r)
{
    snprintf(dst, n, "%d%%", (int)(cdraw_clamp01(r) * 100.0 + 0.5));
}

void
cdraw_fmt_count(char *dst, size_t n, long long v)
{
    snprintf(dst, n, "%lld", v);
}

/* x of ratio r on an axis from x0, len units long. */
unsigned
cdraw_axis_x(unsigned x0, unsigned len, double r)
{
    return x0 + (unsigned)(cdraw_clamp01(r) * (double)len + 0.5);
}

/* part / whole of len units, rounded down; 0 when whole is 0. */
unsigned
cdraw_share_of(unsigned len, long long part, long long whole)
{
    if (whole <= 0 || part <= 0)
        return 0;
    if (part >= whole)
        return len;
    return (unsigned)((double)len * (double)part / (double)whole);
}

/* --- markup helpers ---------------------------------------------------- */

/* Text with a label and a number: "label N" (label may be empty). */
enum app_err
cdraw_labelled(struct buf *b, struct str label, const char *num)
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
enum app_err
cdraw_open_key(const struct cdraw *c, struct str key)
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

const char *
cdraw_close_key(const struct cdraw *c, struct str key)
{
    return c->base == NULL || key.len == 0 ? "</g>" : "</a>";
}

/* The svg element, its accessible name and title, a white ground and the
 * title as a heading. */
enum app_err
cdraw_svg_open(const struct cdraw *c, const char *cls, unsigned h,
               struct str title)
{
    struct buf *b = c->out;
    enum app_err rc;

    rc = buf_printf(b,
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "class=\"cockpit %s\" viewBox=\"0 0 %u %u\" "
                    "width=\"100%%\" font-family=\"sans-serif\" "
                    "role=\"img\" aria-label=\"",
                    cls, CD_W, h);
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
                        "fill=\"" CD_INK "\">",
                        CD_W, h, CD_M);
    if (rc == APP_OK)
        rc = svgtext_out(b, title, COCKPIT_TITLE_COLS);
    if (rc == APP_OK)
        rc = buf_puts(b, "</text>");
    return rc;
}

/* "+K more" below the last row, when rows were left out. */
enum app_err
cdraw_more(const struct cdraw *c, unsigned y, size_t left)
{
    char num[32];
    enum app_err rc;

    if (left == 0)
        return APP_OK;
    snprintf(num, sizeof(num), "+%zu", left);
    rc = buf_printf(c->out,
                    "<text class=\"more\" x=\"%u\" y=\"%u\" "
                    "font-size=\"15\" fill=\"" CD_MUTED "\">%s ",
                    CD_M, y + 18, num);
    if (rc == APP_OK)
        rc = svgtext_out(c->out, c->l->more, COCKPIT_LABEL_COLS);
    if (rc == APP_OK)
        rc = buf_puts(c->out, "</text>");
    return rc;
}

/* --- legend ------------------------------------------------------------ */

/* Width at font-size 14 (about 8 units per column). */
static unsigned
legend_width(const struct cdraw_legend_item *it)
{
    unsigned cols = svgtext_cols(it->text, COCKPIT_LABEL_COLS);

    cols += (unsigned)strlen(it->extra) + 1;
    return LEGEND_SWATCH + cols * 8;
}

/* Flow the items left to right, wrapping inside the margins; returns the
 * number of rows.  Used for the height and for drawing, so both agree. */
static unsigned
legend_place(const struct cdraw_legend_item *it, size_t n, unsigned *x,
             unsigned *row)
{
    unsigned cx = CD_M, cr = 0;
    size_t k;

    for (k = 0; k < n; k++) {
        unsigned iw = legend_width(&it[k]);

        if (cx > CD_M && cx + iw > CD_W - CD_M) {
            cx = CD_M;
            cr++;
        }
        x[k] = cx;
        row[k] = cr;
        cx += iw + LEGEND_SPACE;
    }
    return cr + 1;
}

enum app_err
cdraw_legend(const struct cdraw *c, const struct cdraw_legend_item *it,
             size_t n)
{
    unsigned x[CDRAW_LEGEND_MAX], row[CDRAW_LEGEND_MAX];
    struct buf *b = c->out;
    enum app_err rc;
    size_t k;

    if (n > CDRAW_LEGEND_MAX)
        n = CDRAW_LEGEND_MAX;
    (void)legend_place(it, n, x, row);
    rc = buf_puts(b, "<g class=\"legend\" font-size=\"14\" fill=\"" CD_MUTED
                     "\">");
    for (k = 0; k < n && rc == APP_OK; k++) {
        rc = buf_printf(
            b, "<g transform=\"translate(%u %u)\">%s<text x=\"%u\">", x[k],
            CD_LEGEND_Y + row[k] * CD_LEGEND_ROW, it[k].swatch, LEGEND_SWATCH);
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

unsigned
cdraw_legend_rows(const struct cdraw_legend_item *it, size_t n)
{
    unsigned x[CDRAW_LEGEND_MAX], row[CDRAW_LEGEND_MAX];

    return legend_place(it, n < CDRAW_LEGEND_MAX ? n : CDRAW_LEGEND_MAX, x,
                        row);
}

/* --- entry points' common part ---------------------------------------- */

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

enum app_err
cdraw_run(struct buf *out, const cJSON *doc, const struct cockpit_labels *l,
          const char *link_base, const char *link_suffix, cdraw_fn draw)
{
    struct cdraw c;
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

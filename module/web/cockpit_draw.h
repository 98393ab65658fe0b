/*
 * cockpit_draw.h -- what the cockpit's charts share (cockpit_svg.c draws
 * stage health and the funnel, cockpit_svg_reps.c the per-rep charts):
 * reading a metrics document defensively, numbers, links, the <svg>
 * element, legends.  Only those two files include it.
 */
#ifndef PROOFLINE_COCKPIT_DRAW_H
#define PROOFLINE_COCKPIT_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "web/cockpit_svg.h"

/* Geometry (viewBox units). */
#define CD_W COCKPIT_SVG_W
#define CD_M 16u                /* side margin */
#define CD_BW (CD_W - 2 * CD_M) /* a full-width bar */
#define CD_LEGEND_Y 52u         /* baseline of the legend's first row */
#define CD_LEGEND_ROW 22u       /* between legend rows */
#define CD_KEY_COLS 64u         /* display columns of a key in data-stage */
#define CD_MORE_H 24u           /* the "+K more" line */
#define CD_BOTTOM 14u           /* below the last row */

/* Palette shared by the charts. */
#define CD_INK "#0f172a"
#define CD_MUTED "#475569"
#define CD_FAINT "#94a3b8"
#define CD_TRACK "#f1f5f9"
#define CD_GRID "#e2e8f0"
#define CD_BAD "#dc2626"
#define CD_BAD_TEXT "#991b1b"

#define CD_DASH "\xe2\x80\x94" /* U+2014, a missing value */
#define CD_SEP " \xc2\xb7 "    /* U+00B7 between parts of a text */
#define CD_PM " \xc2\xb1 "     /* U+00B1 */

/* A legend swatch of the given fill. */
#define CD_SWATCH(fill)                                                        \
    "<rect y=\"-10\" width=\"14\" height=\"12\" rx=\"2\" fill=\"" fill         \
    "\" stroke=\"" CD_MUTED "\" stroke-width=\"0.5\"/>"

#define CDRAW_COUNT_MAX 1000000000000LL /* counts beyond are drawn as this */
#define CDRAW_LEGEND_MAX 6u             /* items in a legend */

/* One chart being drawn. */
struct cdraw {
    struct buf *out;
    const struct cockpit_labels *l;
    const char *base;   /* NULL: no links */
    const char *suffix; /* never NULL */
};

struct cdraw_legend_item {
    const char *swatch; /* markup drawn at (0, 0), about 14 x 12 */
    struct str text;
    char extra[24]; /* a number after the text, or "" */
};

/* Draws one chart: the <svg> start tag and its contents; cdraw_run()
 * checks the arguments first and appends the </svg>. */
typedef enum app_err (*cdraw_fn)(const struct cdraw *c, const cJSON *doc);

/* The public functions' common part: check out and l (APP_EINVAL), draw,
 * append "</svg>"; on any error leave out as it was. */
APP_MUST_USE enum app_err cdraw_run(struct buf *out, const cJSON *doc,
                                    const struct cockpit_labels *l,
                                    const char *link_base,
                                    const char *link_suffix, cdraw_fn draw);

/* --- reading the document: anything unexpected is null or 0 ------------ */

/* o[k] when o is an object, else NULL. */
const cJSON *cdraw_field(const cJSON *o, const char *k);

/* The first element of the array o[k] (of o itself when k is NULL); NULL
 * when there is none or it is not an array. */
const cJSON *cdraw_first_of(const cJSON *o, const char *k);

/* Elements from first to the end of its array. */
size_t cdraw_array_len(const cJSON *first);

/* A finite number in o[k]; false for anything else. */
bool cdraw_num_of(const cJSON *o, const char *k, double *v);

/* v clamped into [0, 1]; NaN is 0. */
double cdraw_clamp01(double v);

/* A ratio in o[k] clamped into [0, 1]; false when null or absent. */
bool cdraw_ratio_of(const cJSON *o, const char *k, double *v);

/* A count: a number rounded down into [0, CDRAW_COUNT_MAX], else 0. */
long long cdraw_count_item(const cJSON *n);
long long cdraw_count_of(const cJSON *o, const char *k);

/* A user id: a positive integral number up to 2^53. */
bool cdraw_id_of(const cJSON *o, const char *k, long long *id);

/* A string in o[k] (cJSON's NUL-terminated copy), else the null str. */
struct str cdraw_text_of(const cJSON *o, const char *k);

/* o[k] is true (the JSON literal). */
bool cdraw_true_of(const cJSON *o, const char *k);

/* d is a day "YYYY-MM-DD" (digits and dashes in place). */
bool cdraw_day_ok(struct str d);

/* --- numbers and geometry ---------------------------------------------- */

/* "75%" for r = 0.75 (clamped, rounded). */
void cdraw_fmt_pct(char *dst, size_t n, double r);
void cdraw_fmt_count(char *dst, size_t n, long long v);

/* x of ratio r on an axis from x0, len units long. */
unsigned cdraw_axis_x(unsigned x0, unsigned len, double r);

/* part / whole of len units, rounded down; 0 when either is <= 0. */
unsigned cdraw_share_of(unsigned len, long long part, long long whole);

/* --- markup: errors are the buffer's (APP_ETOOBIG, APP_ENOMEM) --------- */

/* "label N" (label may be empty). */
APP_MUST_USE enum app_err cdraw_labelled(struct buf *b, struct str label,
                                         const char *num);

/* Open an item: <a href="base KEY suffix" (key percent-encoded, base and
 * suffix XML-escaped) when links are on and key is not empty, else <g;
 * the caller adds attributes and '>', and closes with cdraw_close_key(). */
APP_MUST_USE enum app_err cdraw_open_key(const struct cdraw *c, struct str key);
const char *cdraw_close_key(const struct cdraw *c, struct str key);

/* The <svg> start tag (class "cockpit cls", viewBox CD_W x h, width 100%,
 * role img, aria-label), its <title>, a white ground and the title as a
 * heading. */
APP_MUST_USE enum app_err cdraw_svg_open(const struct cdraw *c, const char *cls,
                                         unsigned h, struct str title);

/* "+K more" under the rows at y, when left > 0. */
APP_MUST_USE enum app_err cdraw_more(const struct cdraw *c, unsigned y,
                                     size_t left);

/* The legend at CD_LEGEND_Y: at most CDRAW_LEGEND_MAX items flowed left
 * to right, wrapping; cdraw_legend_rows() says how many rows it takes. */
APP_MUST_USE enum app_err cdraw_legend(const struct cdraw *c,
                                       const struct cdraw_legend_item *it,
                                       size_t n);
unsigned cdraw_legend_rows(const struct cdraw_legend_item *it, size_t n);

#endif

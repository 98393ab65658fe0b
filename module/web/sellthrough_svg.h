/*
 * sellthrough_svg.h -- the sell-through pages' charts as server-side SVG:
 * a ratio per region against its threshold, and units by hour of day.
 *
 * Each function appends exactly one <svg> element (width 100%, sized by
 * its viewBox, role="img" with an aria-label and a <title>) or nothing:
 * no script, no style attribute, no external reference.  Texts go through
 * svgtext_out (escaped, cut); numbers are formatted here.  Bars below the
 * threshold are darker and marked with "!" as text, so the chart reads in
 * greyscale.  On error out is left as it was.
 */
#ifndef PROOFLINE_SELLTHROUGH_SVG_H
#define PROOFLINE_SELLTHROUGH_SVG_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

#define ST_SVG_W 640u
#define ST_SVG_BARS_MAX 60u  /* regions drawn */
#define ST_SVG_LABEL_COLS 16 /* display columns of a region's name */

struct st_bar {
    struct str label;
    double value; /* 0..1; NaN: no value (drawn as "—") */
};

/* One horizontal bar per item, a dashed line at threshold (NaN: none). */
APP_MUST_USE enum app_err st_svg_bars(struct buf *out, struct str title,
                                      const struct st_bar *bars, size_t n,
                                      double threshold);

/* 24 columns of units by hour; other (may be NULL): a second series drawn
 * as an outline beside each column (the peers), labelled other_label. */
APP_MUST_USE enum app_err st_svg_hours(struct buf *out, struct str title,
                                       const double v[24], const double *other,
                                       struct str label,
                                       struct str other_label);

#endif

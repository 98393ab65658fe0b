/*
 * cockpit_svg.h -- the manager cockpit's charts as server-side SVG, drawn
 * from the metrics documents of /api/v1/metrics (stage-health, funnel,
 * consistency, heatmap) as the metrics engine builds them (cJSON).
 */
#ifndef PROOFLINE_COCKPIT_SVG_H
#define PROOFLINE_COCKPIT_SVG_H

#include <cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

#define COCKPIT_SVG_W 640u       /* viewBox width of every chart */
#define COCKPIT_MAX_REPS 200u    /* reps drawn, then "+K" */
#define COCKPIT_MAX_STAGES 64u   /* stages drawn, then "+K" */
#define COCKPIT_MAX_DAYS 92u     /* heatmap columns drawn */
#define COCKPIT_MAX_FLAGGED 10u  /* flagged reps named in the footer */
#define COCKPIT_TITLE_COLS 40u   /* display columns of a chart title */
#define COCKPIT_STAGE_COLS 24u   /* display columns of a stage name */
#define COCKPIT_REP_COLS 12u     /* display columns of a rep's name */
#define COCKPIT_LABEL_COLS 20u   /* display columns of a legend text */
#define COCKPIT_TOOLTIP_COLS 40u /* display columns of a name in a tooltip */

/* The texts the charts need, from the message catalog ("cockpit.chart.*"),
 * never from C.  Any of them may be empty; none may have a NULL pointer
 * with a non-zero length.  Numbers and punctuation are added by C. */
struct cockpit_labels {
    struct str health_title;      /* "Stage health" */
    struct str funnel_title;      /* "Funnel" */
    struct str consistency_title; /* "Dormant share per rep" */
    struct str heatmap_title;     /* "Activity heatmap" */
    struct str healthy;           /* status words, also the legend */
    struct str warning;
    struct str zombie;
    struct str no_customers; /* a stage (or rep) with nothing to measure */
    struct str entered;      /* funnel parts */
    struct str advanced;
    struct str lost;
    struct str stalled;
    struct str loss_rate; /* "loss", before a percentage */
    struct str brk;       /* "break": a break point of the funnel */
    struct str mean;      /* "mean", before the mean share */
    struct str sampled;   /* a rep in the week's sample */
    struct str flagged;   /* a rep off the mean by more than the deviation */
    struct str effective; /* "effective", after "3 / 1" */
    struct str more;      /* "more", after "+K" */
};

/*
 * Each function appends to out exactly one <svg> element, or nothing.
 *
 * The picture is sized by its viewBox (COCKPIT_SVG_W wide, as tall as its
 * rows) with width="100%", so it scales to its container and stays legible
 * on a phone.  It has role="img", an aria-label and a <title> (the chart's
 * title), no script, no event handler, no style attribute and no external
 * reference.  Every text from the document or the labels goes through
 * svgtext_out() (XML-escaped, invalid UTF-8 replaced, cut to its
 * COCKPIT_*_COLS budget); numbers are formatted by C.  Status and parts
 * differ in lightness and are also written as text, so the chart reads in
 * greyscale.  Same input, same bytes.
 *
 * The document is the metrics engine's, but is read defensively: a
 * missing or mistyped field is null (or 0 for a count), a NaN, negative or
 * over-1 ratio is clamped into [0, 1], and a doc that is not an object
 * draws an empty chart.
 *
 * Links: each bar, dot or cell is wrapped in <a href="link_base KEY
 * link_suffix">, where KEY is percent-encoded by the function (the stage
 * key, the rep id, or "rep=<id>&day=<YYYY-MM-DD>" for the heatmap).
 * link_base and link_suffix are the caller's trusted, already URL-safe
 * text (e.g. "/cockpit/customers?m=health&stage=" and
 * "&scope=team&team=12"); they are XML-escaped here.  link_base NULL draws
 * no links; link_suffix NULL is "".  An element without a usable key
 * (no stage key, no integer rep id, no valid day) is not linked.
 *
 * Errors: APP_EINVAL when out or l is NULL or a label has a NULL pointer
 * with a length; APP_ETOOBIG when out's maximum is reached, APP_ENOMEM
 * when its storage cannot grow.  On any error out is left as it was, so a
 * caller never emits half a picture.  The caller owns doc and out.
 */

/* One horizontal bar per stage: health (active / n) as width, coloured
 * and classed by status ("healthy", "warning", "zombie"; "none" in grey
 * with "—" when health is null), the label "name A/N pct% status", and
 * dashed vertical lines at the healthy and warning thresholds.  Each bar
 * is <a class="bar STATUS" data-stage="KEY">. */
APP_MUST_USE enum app_err cockpit_svg_health(struct buf *out,
                                             const cJSON *stage_health_doc,
                                             const struct cockpit_labels *l,
                                             const char *link_base,
                                             const char *link_suffix);

/* Per stage a bar as long as "entered" (relative to the largest), split
 * into advanced, lost and stalled; the loss rate as text; a break point
 * outlined in red with the "break" label.  Each stage is
 * <a class="stage[ break]" data-stage="KEY">, linked to its lost
 * customers. */
APP_MUST_USE enum app_err cockpit_svg_funnel(struct buf *out,
                                             const cJSON *funnel_doc,
                                             const struct cockpit_labels *l,
                                             const char *link_base,
                                             const char *link_suffix);

/* Each rep a dot at its dormant share on a common 0..100% axis, over a
 * band for mean ± deviation; flagged reps in red (a diamond) and named
 * again in the footer; sampled reps ringed; a rep with a null share shows
 * "—" and no dot.  At most COCKPIT_MAX_REPS rows, then "+K more".  Each
 * rep is <a class="rep[ flagged][ sampled][ none]" data-rep="ID">. */
APP_MUST_USE enum app_err
cockpit_svg_consistency(struct buf *out, const cJSON *consistency_doc,
                        const struct cockpit_labels *l, const char *link_base,
                        const char *link_suffix);

/* Rows of reps, columns of days: a cell's shade grows with its "all"
 * count relative to the largest (0 is light grey), its <title> says
 * "MM-DD: all / effective effective"; column labels every 7th day.
 * At most COCKPIT_MAX_REPS rows ("+K more") and COCKPIT_MAX_DAYS columns.
 * Each cell is a <rect class="cell" data-all="N">, linked to
 * link_base "rep=ID&day=YYYY-MM-DD" link_suffix. */
APP_MUST_USE enum app_err cockpit_svg_heatmap(struct buf *out,
                                              const cJSON *heatmap_doc,
                                              const struct cockpit_labels *l,
                                              const char *link_base,
                                              const char *link_suffix);

#endif

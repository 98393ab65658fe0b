/*
 * chain_svg.h -- a customer's decision chain (sales/chain.h) drawn as an
 * SVG picture for the customer page.
 */
#ifndef PROOFLINE_CHAIN_SVG_H
#define PROOFLINE_CHAIN_SVG_H

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "sales/chain.h"

#define CHAIN_MAX_SHOWN 6      /* contact boxes drawn per role, then "+K" */
#define CHAIN_NAME_COLS 14     /* display columns of a name in a box */
#define CHAIN_TITLE_COLS 18    /* display columns of a title in a box */
#define CHAIN_CUSTOMER_COLS 36 /* display columns of the customer's name */
#define CHAIN_LABEL_COLS 16    /* display columns of a role label */
#define CHAIN_LEGEND_COLS 30   /* display columns of a legend text */
#define CHAIN_TOOLTIP_COLS 60  /* display columns of each tooltip part */

/* The texts the picture needs, from the message catalog (never from C).
 * Any of them may be empty. */
struct chain_labels {
    struct str title;       /* "决策链": the picture's <title>/aria-label */
    struct str met;         /* legend: "met within 30 days" */
    struct str not_met;     /* legend: "not met recently" */
    struct str consensus;   /* legend: "consensus recorded" */
    struct str required;    /* legend: "required role" */
    struct str uncovered;   /* legend: "required, not covered" */
    struct str penetration; /* "penetration", before the percentage */
};

/* Append to out one <svg> element picturing c: the customer and the
 * penetration at the top, one column per role (required roles first, in
 * their given order, marked with a dot; a required role without a
 * covering contact outlined in red), and in each column up to
 * CHAIN_MAX_SHOWN contact boxes (covering contacts first, then the most
 * recently met, then input order) followed by "+K" for the rest.  A box
 * met within the window is solid, otherwise dashed and grey; a green check
 * marks a recorded consensus; the box's <title> holds the full (bounded)
 * name, title and department.  A legend follows.
 *
 * The output is safe to insert raw into an HTML page under a strict CSP:
 * every text is XML-escaped (& < > " '), invalid UTF-8 becomes U+FFFD,
 * control and bidi-override characters are dropped or blanked, texts are
 * cut to their CHAIN_*_COLS limit at a character boundary with "…"; there
 * is no script, event handler, style attribute or external reference.
 * Geometry is in integers in a viewBox with width="100%", so the picture
 * scales to its container.  Same input, same bytes.
 *
 * Errors are those of chain_penetration() (labels NULL or with NULL bytes
 * is APP_EINVAL), plus APP_ETOOBIG when out's maximum is reached and
 * APP_ENOMEM when its storage cannot grow; on any error out is left as it
 * was, so a caller never emits half a picture. */
APP_MUST_USE enum app_err
chain_svg(const struct chain *c, const struct chain_labels *l, struct buf *out);

/* The same picture with at most per_row role columns side by side, the
 * rest in further rows below (0: all in one row, as chain_svg()), and no
 * minimum width: with 2 per row it is narrow enough that its text stays
 * legible on a phone. */
APP_MUST_USE enum app_err chain_svg_rows(const struct chain *c,
                                         const struct chain_labels *l,
                                         unsigned per_row, struct buf *out);

#endif

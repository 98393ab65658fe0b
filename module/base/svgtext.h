/*
 * svgtext.h -- user text made safe and short for an SVG picture.
 */
#ifndef PROOFLINE_SVGTEXT_H
#define PROOFLINE_SVGTEXT_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

/* The ellipsis that ends a cut text and its width in columns. */
#define SVGTEXT_ELLIPSIS "\xe2\x80\xa6" /* U+2026 */
#define SVGTEXT_ELLIPSIS_COLS 2u

/* Append s to b cut to max display columns (ellipsis included), with
 * malformed UTF-8 read as U+FFFD, controls blanked, bidi controls dropped
 * and & < > " ' escaped: the result is valid UTF-8 safe in XML text and
 * attribute values. */
APP_MUST_USE enum app_err svgtext_out(struct buf *b, struct str s,
                                      unsigned max);

/* The display columns svgtext_out() would use for s (at most max). */
unsigned svgtext_cols(struct str s, unsigned max);

#endif

/*
 * qr.h -- QR codes as SVG, rendered on the server (for MFA enrolment: the
 * page needs no script and no image from elsewhere).
 */
#ifndef PROOFLINE_QR_H
#define PROOFLINE_QR_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* Append an <svg> element drawing text (at most 1024 bytes) as a QR code
 * with error correction level M and a 4-module quiet zone.  The SVG has a
 * viewBox so CSS sizes it, role="img" and the given aria-label (escaped).
 * APP_EINVAL when the text is too long or cannot be encoded. */
APP_MUST_USE enum app_err qr_svg(const char *text, const char *label,
                                 struct buf *out);

#endif

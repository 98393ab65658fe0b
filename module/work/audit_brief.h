/*
 * audit_brief.h -- the comparison brief of a shelf audit.
 *
 * When a shelf audit is saved (sales/audits.h SHELF_AUDIT_EVENT), the
 * manager of the person who saved it (users.manager_id) gets a
 * notification (notify.h: the inbox and their channels) with the own
 * share of shelf against the competitors', the brands, what changed since
 * the previous audit at that customer (share in points, facings per
 * product, new and gone products, prices) and links to the audit and its
 * shelf photo.  Without a manager, the company's active admins get it
 * (never the one who saved it).  Text from the catalogs in the
 * recipient's language.
 */
#ifndef PROOFLINE_AUDIT_BRIEF_H
#define PROOFLINE_AUDIT_BRIEF_H

#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"

/* The listener of events (register with ctx_on_event); other events are
 * APP_OK and nothing. */
APP_MUST_USE enum app_err audit_brief_event(struct ctx *cx, const char *event,
                                            const char *object_kind,
                                            int64_t object_id);

#endif

/*
 * activity_audio.h -- audio evidence of an activity: the customer's own
 * words (客户原话录音), recorded on the phone and attached as a file.
 *
 * The type comes from the content (MP3, AAC, M4A/MP4, AMR, WAV, Ogg,
 * WebM), never from the name or the client's claim; the file is stored
 * once per content like every upload and served after the customer's
 * access check, played back in the page.
 */
#ifndef PROOFLINE_ACTIVITY_AUDIO_H
#define PROOFLINE_ACTIVITY_AUDIO_H

#include <stdint.h>

#include "base/err.h"
#include "base/upload.h"
#include "db/ctx.h"
#include "db/db.h"

#define ACT_AUDIO_MAX 10 /* recordings per activity */

/* Attach a recording to an activity the user may see (one transaction,
 * under the customer's lock).  The activity's scope is checked first:
 * APP_ENOTFOUND whatever was sent.  APP_EVALIDATION
 * ("activity.no_audio_file") when u is NULL, ("activity.not_audio") for
 * a file that is not one of the audio types; APP_EFORBIDDEN
 * ("activity.not_yours") for another rep (the activity's rep and leads
 * may add);
 * APP_ECONFLICT ("activity.reviewed") once a manager reviewed it;
 * APP_ETOOBIG ("activity.too_many_audio") past ACT_AUDIO_MAX. */
APP_MUST_USE enum app_err activity_audio_add(struct ctx *cx,
                                             int64_t activity_id,
                                             const struct upload *u,
                                             int64_t *id);

/* Columns: id, file_id, mime, uploaded_at, uploader name; oldest first. */
APP_MUST_USE enum app_err
activity_audio_list(struct ctx *cx, int64_t activity_id, struct db_res *out);

#endif

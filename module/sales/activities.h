/*
 * activities.h -- what a rep does with a customer, and visits.
 *
 * One record for every kind of action (visit, call, meeting, message,
 * demo, training): who, with which customer and contacts, when, what was
 * said (need, competitor comparison, next step with a date) and the
 * rules' decision whether it counts (effective), with the rule version
 * that decided.  It is the one write path of "an action happened": it
 * moves the customer's last_activity_at, the contacts' "last met" and
 * consensus, and emits "activity.recorded" (a next step with a date
 * becomes the rep's task, work/reminders.c).
 *
 * A visit is checked in first (position and accuracy from the browser;
 * the distance to the customer is measured and the rules say whether far
 * is allowed, flagged or refused -- default flagged beyond 500 m; a
 * customer without a place takes the first check-in's), gets its photos,
 * and is completed: without every photo its type requires it is refused
 * (APP_ECONFLICT, cx->err_detail "visit.photos_missing", the keys in
 * *missing).
 *
 * client_id: the id a phone gave an activity (offline): the same id sent
 * again, or at the same time, is the same activity (*created false).
 * Scope: a rep sees and records for their customers, managers for their
 * team's, admins for all; another's is APP_ENOTFOUND.
 */
#ifndef PROOFLINE_ACTIVITIES_H
#define PROOFLINE_ACTIVITIES_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "base/upload.h"
#include "db/ctx.h"
#include "db/db.h"
#include "rules/rules.h"

/* The event an activity emits when it is written (db/ctx.h ctx_emit). */
#define ACTIVITY_EVENT "activity.recorded"

#define ACT_CONTACTS_MAX 20
#define ACT_TEXT_MAX 4000
#define ACT_FIELD_MAX 1000
#define ACT_CLIENT_ID_MAX 64
#define VISIT_FAR_DEFAULT_M 500
#define VISIT_PHOTOS_MAX 30
#define VISIT_DEVICE_AHEAD_S 300          /* a phone's clock may run ahead */
#define VISIT_DEVICE_BEHIND_S (72 * 3600) /* the longest offline spell */

extern const char *const activity_kinds[]; /* visit, call, meeting ... */

struct activity_input {
    const char *kind;
    int64_t customer_id;
    const char *client_id; /* NULL or [A-Za-z0-9_-]{1,64} */
    const char *at;        /* UTC "YYYY-MM-DD HH:MM:SS", NULL: now */
    const char *content;
    const char *need;
    const char *competitor;
    const char *next_step;
    const char *next_date; /* "YYYY-MM-DD" or NULL */
    size_t ncontacts;
    int64_t contacts[ACT_CONTACTS_MAX];
    const char *consensus[ACT_CONTACTS_MAX];
};

/* Check a form (kind, customer, client_id, content, need, competitor,
 * next_step, next_date, contact (repeated), consensus_<contact id>) into
 * in.  APP_EVALIDATION with a catalog key per field. */
APP_MUST_USE enum app_err activities_check(struct ctx *cx,
                                           const struct kvlist *f,
                                           struct activity_input *in,
                                           cJSON *errors);

/* What the rules would decide for in (kind and the content fields are
 * read), saving nothing: the form shows "will not count: next step
 * missing" before the rep submits.  The same classification
 * activities_record and visits_complete store. */
APP_MUST_USE enum app_err activities_preview(struct ctx *cx,
                                             const struct activity_input *in,
                                             struct rule_verdict *v);

/* Record a finished activity (one transaction). */
APP_MUST_USE enum app_err activities_record(struct ctx *cx,
                                            const struct activity_input *in,
                                            int64_t *id, bool *created);

struct checkin {
    int64_t customer_id;
    const char *visit_type;
    const char *client_id;
    bool has_position;
    double lat, lng;
    int accuracy_m;
    const char *device_at; /* UTC "YYYY-MM-DD HH:MM:SS" from the phone's
                              clock (recorded offline), or NULL: now */
};

/* Check in: an open visit.  APP_EVALIDATION for an unknown visit type, a
 * position out of range or a device time ("visit.bad_device_time") ahead
 * of the server's by more than VISIT_DEVICE_AHEAD_S or behind it by more
 * than VISIT_DEVICE_BEHIND_S; APP_ECONFLICT ("visit.too_far") when the rules
 * refuse the distance. */
APP_MUST_USE enum app_err visits_checkin(struct ctx *cx,
                                         const struct checkin *in, int64_t *id,
                                         bool *created);

/* A photo of kind key for an open visit (one transaction: the file, its
 * row, its trust flags).  APP_EVALIDATION ("visit.bad_photo_key",
 * "visit.not_image") for a key the visit type does not know or a file
 * that is not a JPEG, PNG, WebP or HEIC image. */
APP_MUST_USE enum app_err visits_add_photo(struct ctx *cx, int64_t visit_id,
                                           const char *key,
                                           const struct upload *u,
                                           int64_t *photo_id);

/* Complete an open visit with its content (in: kind, customer ignored).
 * Refused without the required photos: APP_ECONFLICT, err_detail
 * "visit.photos_missing", *missing a JSON array of {key, name} (caller
 * deletes).  Completing a done visit is APP_OK again (nothing changes). */
APP_MUST_USE enum app_err visits_complete(struct ctx *cx, int64_t visit_id,
                                          const struct activity_input *in,
                                          cJSON **missing);

/* Columns of an activity row (activities_get, activities_list). */
enum {
    AC_ID,
    AC_KIND,
    AC_STATUS,
    AC_CUSTOMER_ID,
    AC_CUSTOMER_NAME,
    AC_REP_ID,
    AC_REP_NAME,
    AC_AT,
    AC_CONTENT,
    AC_NEED,
    AC_COMPETITOR,
    AC_NEXT_STEP,
    AC_NEXT_DATE,
    AC_EFFECTIVE,
    AC_MISSING,
    AC_REASON,
    AC_RULE_VERSION,
    AC_VISIT_TYPE,
    AC_CHECKIN_AT,
    AC_LAT,
    AC_LNG,
    AC_ACCURACY,
    AC_DISTANCE,
    AC_LOCATION_FLAG,
    AC_CHECKOUT_AT,
    AC_REVIEWED_BY_NAME,
    AC_REVIEWED_AT,
    AC_REVIEW_NOTE,
    AC_CLIENT_ID,
    AC_DEVICE_AT,
    AC_CREATED_AT,
    AC_COUNT
};

APP_MUST_USE enum app_err activities_get(struct ctx *cx, int64_t id,
                                         struct db_res *out);

struct activity_filter {
    int64_t customer_id; /* 0: any */
    int64_t rep_id;      /* 0: any in scope */
    int64_t team_id;     /* 0: any; else a lead in scope and those under
                            them (APP_ENOTFOUND for a lead out of scope) */
    const char *day;     /* local "YYYY-MM-DD" or NULL */
    const char *kind;    /* or NULL */
};

/* Newest first, at most max. */
APP_MUST_USE enum app_err activities_list(struct ctx *cx,
                                          const struct activity_filter *f,
                                          size_t max, struct db_res *out);

/* A visit's photos: id, key, file_id, uploaded_at, exif_at, flags. */
APP_MUST_USE enum app_err visits_photos(struct ctx *cx, int64_t visit_id,
                                        struct db_res *out);

/* Contacts met in an activity: contact id, name, role, consensus. */
APP_MUST_USE enum app_err activities_contacts(struct ctx *cx, int64_t id,
                                              struct db_res *out);

/* A manager marks a visit reviewed with a comment. */
APP_MUST_USE enum app_err activities_review(struct ctx *cx, int64_t id,
                                            const char *note);

/* Metres between two points (haversine). */
double geo_distance_m(double lat1, double lng1, double lat2, double lng2);

#endif

/*
 * user_contact.h -- how a person is reached: e-mail, mobile phone, WeCom
 * user id, and which kinds of notification come by which channel.
 *
 * The person edits their own; an admin edits anyone's in the company.
 * Every field is optional and validated; a change is audited.  Preferences
 * are kept as the pairs turned off ("task:wecom"): a new kind or channel
 * is on until someone turns it off; the inbox always gets everything.
 */
#ifndef PROOFLINE_USER_CONTACT_H
#define PROOFLINE_USER_CONTACT_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "db/ctx.h"

#define USER_EMAIL_MAX 254
#define USER_MOBILE_MAX 20
#define USER_WECOM_MAX 64

/* The kinds and channels a preference may turn off (NULL-terminated). */
extern const char *const user_notify_kinds[];
extern const char *const user_notify_channels[];

struct user_contact {
    int64_t user_id;
    const char *name;
    const char *email;
    const char *mobile;
    const char *wecom_id;
    const char *notify_off;     /* "task:wecom,alert:email" */
    bool leads_team;            /* a manager or supervisor: */
    const char *team_robot_url; /* the WeCom robot of the team's group */
};

/* APP_ENOTFOUND: no such user, or not cx's own and cx is no admin. */
APP_MUST_USE enum app_err user_contact_get(struct ctx *cx, int64_t user_id,
                                           struct user_contact *out);

/* Fields email, mobile, wecom_id, and "notify" repeated ("kind:channel",
 * the pairs on) with "notify_shown" marking that the form showed them.
 * A manager or supervisor also sets team_robot_url (the WeCom robot of
 * the team's group; the team's notifications go there instead of the
 * company's).
 * APP_EVALIDATION with a catalog key per field ("user.bad_email",
 * "user.bad_mobile", "user.bad_wecom"); nothing written then. */
APP_MUST_USE enum app_err user_contact_save(struct ctx *cx, int64_t user_id,
                                            const struct kvlist *f,
                                            cJSON *errors);

/* Exposed for the unit tests. */
bool user_email_ok(struct str s);
bool user_mobile_ok(struct str s);
bool user_wecom_ok(struct str s);

#endif

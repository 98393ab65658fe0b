/*
 * notes.h -- a dictated quick note read into a proposed activity.
 *
 * The rep speaks into a quick-note box ("拜访仁和医院设备科李主任，聊CT球管
 * 更换预算，他提了三点顾虑，下周二带样品再去"); the rules (notes.lua,
 * engine function extract_notes) read the text into fields, and this
 * module matches the customer among the rep's OWN customers (those they
 * own, never a teammate's) and the contact among that customer's
 * contacts.  Nothing is saved: the rep confirms by submitting the normal
 * activity or visit form, whose one write path is activities.h.
 *
 * Never a wrong customer: a customer is proposed only when exactly one
 * matches best (exact name, the name without its city or its kind such
 * as 医院/有限公司, a short form of at least two characters, or pinyin
 * initials such as "rhyy"); a mention of a different city or a different
 * kind of place (仁和药房 for 仁和医院) does not match; two customers
 * named, or two equally good, propose none.
 */
#ifndef PROOFLINE_NOTES_H
#define PROOFLINE_NOTES_H

#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/str.h"
#include "db/ctx.h"

#define NOTES_TEXT_MAX 2000      /* characters of a note */
#define NOTES_CUSTOMERS_MAX 5000 /* a rep's customers read to match */
#define NOTES_FIELDS_MAX 32      /* fields kept from the rules' result */
#define NOTES_FIELD_MAX 1000     /* bytes of one text field */

struct note_proposal {
    int64_t customer_id; /* 0: none proposed */
    const char *customer_name;
    int64_t contact_id; /* 0: none proposed */
    const char *contact_name;
    cJSON *fields;     /* {field: string or number}; the caller deletes it */
    const char *today; /* the local day the note was taken, YYYY-MM-DD */
    int rule_version;
};

/* Read text (UTF-8, at most NOTES_TEXT_MAX characters) taken at `at`, the
 * company's local "YYYY-MM-DDTHH:MM" (or "YYYY-MM-DD"; empty: now).
 * Returns APP_ETOOBIG ("notes.too_long") for a longer text,
 * APP_EVALIDATION ("notes.empty", "notes.bad_text", "notes.bad_at") for
 * an empty or invalid text or a malformed time, APP_ERULE when the rules
 * fail.  Dates the rules return are kept only when they are real dates
 * within two years of the note's day; unknown or oversized fields are
 * dropped. */
APP_MUST_USE enum app_err notes_extract(struct ctx *cx, struct str text,
                                        struct str at,
                                        struct note_proposal *out);

/* Weekday of a civil date, Monday 1 .. Sunday 7, and days since
 * 1970-01-01 (exported for the unit tests). */
int notes_weekday(int y, int m, int d);
long notes_days(int y, int m, int d);

#endif

/*
 * admission.h -- customer admission (客户准入) as work: submitting
 * qualification documents, legal's review, expiry reminders and the
 * admission lead time.  The documents and where a customer stands are
 * sales/qual_docs.h; every write path (pages, API, CLI, jobs) calls these.
 *
 * Submitting: a rep (or anyone with the customer in scope) sends a
 * document of a type the rules describe, with its scan or photo -- a file
 * sent before through admission_scan, or a new one.  The fields are
 * checked here (lengths, dates) and by the rules (check_qualification:
 * formats, holder, dates); problems refuse it with nothing saved.  The
 * document supersedes the customer's current one of its type and waits
 * for legal.  When none of the types the customer's kind needs is
 * missing or rejected any more, an admission case opens and legal gets a
 * review card (a task for the role, about the customer).
 *
 * Review: legal (or an admin) approves or rejects each pending current
 * document, a note required to reject; the owner is told of a rejection
 * and what to fix.  When every needed type is approved the case closes
 * (opened -> closed is the admission lead time) and its task is done.
 *
 * Reminders: the alerts job reports each approved document whose expiry
 * is within a lead of the rules' remind_days (30, 7, 1) once per lead
 * (key "qual_expiry:<doc>:<days>"); alerts.lua tells the owner and legal.
 */
#ifndef PROOFLINE_ADMISSION_H
#define PROOFLINE_ADMISSION_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/str.h"
#include "base/upload.h"
#include "db/ctx.h"
#include "db/db.h"
#include "rules/ruledesc.h"
#include "work/jobs.h"

#define ADMISSION_QUEUE_MAX 500
#define ADMISSION_MONTHS_MAX 24

struct qual_input {
    const char *type;
    struct str number;     /* spaces dropped, upper-cased */
    struct str holder;     /* trimmed */
    struct str issued_on;  /* "YYYY-MM-DD" or empty */
    struct str expires_on; /* "YYYY-MM-DD" or empty: long-term */
    struct str qr_text;    /* what the scan's QR code said, or empty */
    int64_t file_id;       /* a file admission_scan stored, or 0 with: */
    const struct upload *file;
};

/* Store a scan or photo for customer_id (in scope) and read the QR codes
 * on it: *file_id, and *fields (the caller deletes) with "qr" (the texts)
 * and what the rules' parse_qr made of the first one for type (number,
 * holder, issued_on, expires_on), for the rep to confirm.  APP_EVALIDATION
 * ("qual.bad_file") for a file that is not an image or PDF. */
APP_MUST_USE enum app_err admission_scan(struct ctx *cx,
                                         const struct ruledesc *rd,
                                         int64_t customer_id, const char *type,
                                         const struct upload *file,
                                         int64_t *file_id, cJSON **fields);

/* Submit.  APP_EVALIDATION with errors (field -> catalog key or the
 * rules' message); APP_ENOTFOUND outside the scope or for a type the
 * rules do not describe.  *id: the new document. */
APP_MUST_USE enum app_err
admission_submit(struct ctx *cx, const struct ruledesc *rd, int64_t customer_id,
                 const struct qual_input *in, cJSON *errors, int64_t *id);

/* Approve or reject.  APP_EFORBIDDEN unless legal or admin; APP_ECONFLICT
 * ("qual.not_pending") for a document no longer current and pending;
 * APP_EVALIDATION ("qual.note_required") to reject without a note. */
APP_MUST_USE enum app_err admission_review(struct ctx *cx,
                                           const struct ruledesc *rd,
                                           int64_t doc_id, bool approve,
                                           const char *note);

/* Legal's queue: customers with pending current documents, oldest first:
 * customer id, name, owner name, pending count, oldest submission (UTC).
 * APP_EFORBIDDEN unless legal or admin. */
APP_MUST_USE enum app_err admission_queue(struct ctx *cx, struct db_res *out);

/* Admission lead times of cases closed in the last `months` months, per
 * team (the owner's manager; 0: none) and local month: team id, team
 * name, month "YYYY-MM", cases, average days, longest days.  Legal and
 * admins see the company; a manager their team; others APP_EFORBIDDEN. */
APP_MUST_USE enum app_err admission_lead_times(struct ctx *cx, int months,
                                               struct db_res *out);

/* The "qual_verify" job: ask the registry verifier the rules name for
 * the document's type (contracts.lua documents.<type>.verifier) through
 * the guarded client, POSTing {type, number, holder, issued_on,
 * expires_on}; {"valid": true} marks it ok, {"valid": false, "message"}
 * failed (legal cannot approve it), anything else error (legal decides).
 * Asked once per submission of such a type. */
APP_MUST_USE enum app_err admission_verify(struct ctx *cx, const struct job *j,
                                           const char **error);

/* Register the expiry reminders with the alerts job (once, at start). */
void admission_init(void);

#endif

/*
 * qual_docs.h -- customer admission (客户准入): the qualification
 * documents a customer's kind needs and where each one stands.
 *
 * The rules say which document types each customer kind needs and how a
 * document is checked (contracts.lua `qualifications`,
 * check_qualification, parse_qr).  A document has a type, number, holder,
 * issue and expiry dates (no expiry: long-term), the scan or photo and
 * what a QR code on it said.  One document is current per customer and
 * type; a new submission supersedes it and keeps it as history.  Its
 * state, for a type the kind needs:
 *   missing   nothing current of that type
 *   pending   submitted, waiting for legal's review
 *   rejected  legal rejected it (the note says what to fix)
 *   approved  legal approved it and it has not expired
 *   expired   approved, past its expiry date (the company's today)
 * plus what an optional registry verifier answered ("failed" is shown in
 * red like a rejection, and holds the document from being approved).
 * A customer is *qualified* when every type its kind needs is approved: a
 * stage marked `qualified = true` in stages.lua needs it (the gate's
 * pseudo-evidence QUAL_EVIDENCE_KEY).
 *
 * The review workflow (cases, legal's tasks, notices) is work/admission.h;
 * this file is the data and the gate's view of it.  Who sees a customer's
 * documents: the customer's scope, and legal (its review queue) for any
 * customer with a document.
 */
#ifndef PROOFLINE_QUAL_DOCS_H
#define PROOFLINE_QUAL_DOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "db/db.h"
#include "base/err.h"
#include "db/ctx.h"
#include "rules/ruledesc.h"
#include "rules/rules.h"
#include "sales/customers.h"
#include "sandbox/ruleplan.h"

#define QUAL_EVIDENCE_KEY PLAN_QUALIFIED_KEY
#define QUAL_TYPES_MAX 16  /* document types a kind may need */
#define QUAL_DOCS_MAX 64   /* current documents of a customer read */
#define QUAL_NUMBER_MAX 64 /* characters */
#define QUAL_HOLDER_MAX 200
#define QUAL_NOTE_MAX 1000
#define QUAL_QR_MAX 2048 /* bytes of QR text kept */

enum qual_state {
    QS_MISSING,
    QS_PENDING,
    QS_REJECTED,
    QS_APPROVED,
    QS_EXPIRED
};

/* "missing", "pending", ... (catalog keys qual.state.<name>). */
const char *qual_state_name(enum qual_state s);

struct qual_doc {
    int64_t id;
    int64_t customer_id;
    int64_t file_id; /* 0: none */
    const char *type;
    const char *number;
    const char *holder;
    const char *issued_on;  /* "YYYY-MM-DD" or "" */
    const char *expires_on; /* "YYYY-MM-DD" or "": long-term */
    const char *qr_text;
    const char *status; /* "pending", "approved", "rejected" */
    const char *review_note;
    const char *reviewed_by; /* display name, "" when not reviewed */
    const char *reviewed_at; /* UTC, "" */
    const char *submitted_by;
    const char *submitted_at; /* UTC */
    const char *verify;       /* "none", "waiting", "ok", "failed", "error" */
    const char *verify_note;
    const char *file_mime; /* "" without a file */
};

struct qual_item {
    const char *type; /* a type the kind needs, in the rules' order */
    const cJSON *def; /* its described definition (name, name_en, ...) */
    enum qual_state state;
    const struct qual_doc *doc; /* the current document, NULL: missing */
    int days_left; /* to expiry from today; QUAL_NO_EXPIRY when none */
};
#define QUAL_NO_EXPIRY 1000000

struct qual_status {
    size_t n;
    struct qual_item item[QUAL_TYPES_MAX];
    size_t ndocs; /* every current document, needed or not */
    struct qual_doc *docs;
    bool qualified; /* every needed type approved (none needed: true) */
    bool complete;  /* every needed type submitted, none rejected */
    bool needs;     /* the kind needs any document */
    char today[11]; /* the company's today, "YYYY-MM-DD" */
};

/* Days from `today` to `date` (both "YYYY-MM-DD"); QUAL_NO_EXPIRY when
 * either is not a date. */
int qual_days_between(const char *today, const char *date);

/* The types customer kind `kind` needs ({key, name, name_en} objects of
 * the described rules), or NULL when none. */
const cJSON *qual_types_of(const struct ruledesc *rd, const char *kind);

/* A described document type (NULL: unknown). */
const cJSON *qual_type_def(const struct ruledesc *rd, const char *type);

/* The read of a customer's current documents (qual_status_of; the
 * customer page prefetches it with others, db_prefetch): "SELECT "
 * QUAL_DOCS_SQL_SELECT " " QUAL_DOCS_SQL_REST.  QUAL_DOCS_SQL_COLS is the
 * select list with its FROM, for the other reads of documents. */
/* clang-format off */
#define QUAL_DOCS_SQL_SELECT                                                     \
    "q.id, q.customer_id, COALESCE(q.file_id, 0), q.doc_type, q.number, "     \
    "q.holder, COALESCE(DATE_FORMAT(q.issued_on, '%Y-%m-%d'), ''), "          \
    "COALESCE(DATE_FORMAT(q.expires_on, '%Y-%m-%d'), ''), "                   \
    "COALESCE(q.qr_text, ''), q.status, q.review_note, "                      \
    "COALESCE(ru.display_name, ''), COALESCE(q.reviewed_at, ''), "            \
    "COALESCE(su.display_name, ''), q.submitted_at, q.verify, "              \
    "q.verify_note, COALESCE(f.mime, '')"
#define QUAL_DOCS_SQL_FROM                                                       \
    "FROM qual_docs q LEFT JOIN users ru ON ru.id = q.reviewed_by "          \
    "AND ru.tenant_id = q.tenant_id LEFT JOIN users su "                      \
    "ON su.id = q.submitted_by AND su.tenant_id = q.tenant_id "               \
    "LEFT JOIN files f ON f.id = q.file_id AND f.tenant_id = q.tenant_id "
#define QUAL_DOCS_SQL_COLS QUAL_DOCS_SQL_SELECT " " QUAL_DOCS_SQL_FROM
#define QUAL_DOCS_SQL_REST                                                       \
    QUAL_DOCS_SQL_FROM "WHERE q.tenant_id = ? AND q.customer_id = ? "           \
    "AND q.is_current = 1 ORDER BY q.id LIMIT 64"
/* clang-format on */
#define QUAL_DOCS_SQL_NCOLS 18
void qual_docs_current_part(struct ctx *cx, int64_t customer_id,
                            struct db_part *p);

/* Where the customer's documents stand.  The caller has loaded c in its
 * scope (or is legal: see qual_visible).  No query when the kind needs no
 * document and want_docs is false. */
APP_MUST_USE enum app_err qual_status_of(struct ctx *cx,
                                         const struct ruledesc *rd,
                                         const struct customer *c,
                                         bool want_docs,
                                         struct qual_status *out);

/* The gate's view: *qualified.  For stage.c. */
APP_MUST_USE enum app_err qual_qualified(struct ctx *cx,
                                         const struct ruledesc *rd,
                                         const struct customer *c,
                                         bool *qualified);

/* A refusal that names QUAL_EVIDENCE_KEY among its missing items gets it
 * replaced by one item per needed document that is not approved:
 * key "qualification:<type>", the type's name and the state. */
APP_MUST_USE enum app_err qual_expand_missing(struct ctx *cx,
                                              const struct ruledesc *rd,
                                              const struct customer *c,
                                              struct rule_verdict *v);

/* May the user see this customer's documents?  Its scope (customers_get),
 * or legal/admin for a customer with any document.  c gets the customer
 * either way; APP_ENOTFOUND otherwise. */
APP_MUST_USE enum app_err qual_visible(struct ctx *cx, int64_t customer_id,
                                       struct customer *c);

/* One document by id, with the same visibility (APP_ENOTFOUND). */
APP_MUST_USE enum app_err qual_doc_get(struct ctx *cx, int64_t id,
                                       struct qual_doc *out);

/* The current documents the user may see, for a CSV export (legal and
 * admins: the company's; others: their customers'), at most
 * QUAL_EXPORT_MAX: customer, type, number, holder, issued_on, expires_on
 * ("" long-term), status, verify, submitted by, submitted_at (UTC),
 * reviewed by, reviewed_at (UTC or ""), review note. */
#define QUAL_EXPORT_MAX 20000
APP_MUST_USE enum app_err qual_docs_export(struct ctx *cx, struct db_res *out);

#endif

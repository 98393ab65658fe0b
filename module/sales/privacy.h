/*
 * privacy.h -- data protection (PIPL): what Proofline holds about a
 * company, in one archive.
 *
 * The tables are found at run time: every base table of the app's own
 * database with a tenant_id column (information_schema), so a table
 * added later is exported without anyone remembering to list it.  A
 * table name must match [a-z0-9_]+ before it goes into a statement (names
 * cannot be bound; the tenant id always is).
 */
#ifndef PROOFLINE_PRIVACY_H
#define PROOFLINE_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/ctx.h"

#define PRIVACY_TABLES_MAX 256
/* The largest single value exported (a cached report body, say). */
#define PRIVACY_CELL_MAX (64u << 20)

/* The tables with a tenant_id column, sorted by name, in cx's arena.
 * APP_EINTERNAL when a name is not [a-z0-9_]+ (never built into SQL) or
 * there are more than PRIVACY_TABLES_MAX. */
APP_MUST_USE enum app_err privacy_tables(struct ctx *cx, const char ***names,
                                         size_t *n);

/* Write cx's company as a ustar archive to out: for every table of
 * privacy_tables() its rows of this company as tables/<t>.json (an array
 * of objects, BLOB values in base64, numbers as numbers) and
 * tables/<t>.csv (a header row; formula-looking cells neutralised), the
 * stored files its `files` rows name as files/<sha256>, and manifest.json
 * (the company, the time, each table's row count).  Rows are streamed
 * through temporary files, never held whole.  *rows (may be NULL) gets
 * the rows written.  Audits privacy.tenant_export last, failed or not
 * (`complete` says which); the caller decides whether to commit it (the
 * CLI does either way; the web page only with the archive it sends).
 * APP_EIO on a write error. */
APP_MUST_USE enum app_err privacy_export_tenant(struct ctx *cx, FILE *out,
                                                uint64_t *rows);

/* The placeholder an erased contact's name becomes: "已删除联系人 #<id>"
 * (fixed, whatever the language: it is stored data). */
const char *privacy_contact_placeholder(struct arena *a, int64_t id);

/* Erase contact id (in cx's scope, else APP_ENOTFOUND) inside the
 * caller's transaction: every occurrence of its name, phone and e-mail
 * (values of at least two characters) in every text column of every
 * tenant table of cx's company is replaced by the placeholder (activity
 * notes, audit details, the customer's history, the contact itself); its
 * personal fields (name, title, department, channel, focus, phone, email,
 * birthday, consensus) are then set to the placeholder or emptied, it
 * leaves the decision chain (inactive), and the free text of its dated
 * events and meeting consensus points is cleared.  The rows that record
 * events (activities, activity_contacts, contact_events) stay, with the
 * contact id and no identity.  Audited as contact.erase with the ids only,
 * never the old values. */
APP_MUST_USE enum app_err privacy_contact_erase(struct ctx *cx, int64_t id);

/* Everything Proofline holds about contact id (in cx's scope, else
 * APP_ENOTFOUND) as a new cJSON object in *out (the caller deletes it):
 * the contact row, its dated events, the activities it took part in and
 * the audit entries about it.  Audited as privacy.contact_export. */
APP_MUST_USE enum app_err privacy_contact_export(struct ctx *cx, int64_t id,
                                                 cJSON **out);

/* Tenant erasure (two admins).  A request lives 24 hours. */
#define PRIVACY_ERASE_HOURS 24

/* The acting admin (cx->user_id) asks to erase cx's company: a pending
 * request row (tenant_erasures) naming them, in the caller's transaction;
 * audited as privacy.tenant_erase_request.  APP_ECONFLICT when a request
 * younger than 24 hours is pending already. */
APP_MUST_USE enum app_err privacy_tenant_erase_request(struct ctx *cx);

/* The pending, unexpired request of cx's company: its id, requester's id
 * and login (0/NULL when none). */
struct privacy_erase_req {
    int64_t id;
    int64_t requested_by;
    const char *requested_login;
    const char *requested_at;
};
APP_MUST_USE enum app_err
privacy_tenant_erase_pending(struct ctx *cx, struct privacy_erase_req *out);

/* Confirm the pending request of cx's company as the acting admin and
 * erase it: every row with its tenant_id in every table of
 * privacy_tables() (foreign key checks off for this connection meanwhile:
 * all rows of the company go, so none is left pointing at a deleted one),
 * then the tenants row, then the blob rows of files no other company
 * holds; the request row becomes 'done' naming the second admin, and the
 * server log gets privacy.tenant_erased (ids and code only).  Runs its own
 * transaction.  The bytes of those files are removed after the commit
 * (*files gets how many).  APP_EFORBIDDEN when the confirming admin is
 * the one who asked (or user_id is 0 and by_cli is false); APP_ENOTFOUND
 * when nothing is pending; APP_ETIMEOUT when the request is older than 24
 * hours (it is cancelled).  by_cli: the operator confirms from the
 * command line (no second admin; the log names "cli"). */
APP_MUST_USE enum app_err privacy_tenant_erase_confirm(struct ctx *cx,
                                                       const char *login,
                                                       bool by_cli,
                                                       size_t *files);

#endif

/*
 * admission.c -- submitting qualification documents, their review, the
 * expiry reminders and the lead time (admission.h).
 */
#include "work/admission.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "base/num.h"
#include "base/str.h"
#include "base/tz.h"
#include "base/validate.h"
#include "db/audit.h"
#include "identity/access.h"
#include "identity/role.h"
#include "rules/rules.h"
#include "sales/customers.h"
#include "sales/files.h"
#include "sales/qr_scan.h"
#include "sales/qual_docs.h"
#include "work/alerts.h"
#include "work/notice_text.h"
#include "work/jobs.h"
#include "work/notify.h"
#include "work/outbox.h"
#include "work/tasks.h"

static const char SQL_SUPERSEDE[] =
    "UPDATE qual_docs SET is_current = 0, superseded_at = UTC_TIMESTAMP(3) "
    "WHERE tenant_id = ? AND customer_id = ? AND doc_type = ? "
    "AND is_current = 1";
static const char SQL_INSERT[] =
    "INSERT INTO qual_docs (tenant_id, customer_id, doc_type, number, holder, "
    "issued_on, expires_on, file_id, qr_text, submitted_by, submitted_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))";
static const char SQL_FILE_OF[] =
    "SELECT mime FROM files WHERE tenant_id = ? AND id = ? AND customer_id = ?";
static const char SQL_OPEN_CASE[] =
    "SELECT id, COALESCE(task_id, 0) FROM qual_cases WHERE tenant_id = ? "
    "AND customer_id = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1 "
    "FOR UPDATE";
static const char SQL_NEW_CASE[] =
    "INSERT INTO qual_cases (tenant_id, customer_id, owner_id, opened_at) "
    "VALUES (?, ?, ?, UTC_TIMESTAMP(3))";
static const char SQL_CASE_TASK[] =
    "UPDATE qual_cases SET task_id = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_CLOSE_CASE[] =
    "UPDATE qual_cases SET closed_at = UTC_TIMESTAMP(3) WHERE tenant_id = ? "
    "AND id = ?";
static const char SQL_LOCK_DOC[] =
    "SELECT customer_id, status, is_current, doc_type, verify FROM qual_docs "
    "WHERE tenant_id = ? AND id = ? FOR UPDATE";
static const char SQL_REVIEW[] =
    "UPDATE qual_docs SET status = ?, review_note = ?, reviewed_by = ?, "
    "reviewed_at = UTC_TIMESTAMP(3) WHERE tenant_id = ? AND id = ?";
static const char SQL_QUEUE[] =
    "SELECT c.id, c.name, COALESCE(u.display_name, ''), COUNT(*), "
    "MIN(q.submitted_at) FROM qual_docs q JOIN customers c ON c.id = "
    "q.customer_id AND c.tenant_id = q.tenant_id LEFT JOIN users u ON "
    "u.id = c.owner_id AND u.tenant_id = c.tenant_id WHERE q.tenant_id = ? "
    "AND q.is_current = 1 AND q.status = 'pending' GROUP BY c.id, c.name, "
    "u.display_name ORDER BY MIN(q.submitted_at) LIMIT 500";
/* Per team (the owner's manager when the case opened) and local month of
 * closing; the month boundaries are the company's (the offset of its zone
 * now, passed as "+08:00"). */
static const char SQL_LEAD[] =
    "SELECT COALESCE(m.id, 0), COALESCE(m.display_name, ''), "
    "DATE_FORMAT(CONVERT_TZ(k.closed_at, '+00:00', ?), '%Y-%m') AS month, "
    "COUNT(*), ROUND(AVG(TIMESTAMPDIFF(SECOND, k.opened_at, k.closed_at)) / "
    "86400, 2), ROUND(MAX(TIMESTAMPDIFF(SECOND, k.opened_at, k.closed_at)) / "
    "86400, 2) FROM qual_cases k JOIN users o ON o.id = k.owner_id "
    "AND o.tenant_id = k.tenant_id LEFT JOIN users m ON m.id = o.manager_id "
    "AND m.tenant_id = k.tenant_id WHERE k.tenant_id = ? "
    "AND k.closed_at >= UTC_TIMESTAMP() - INTERVAL ? MONTH "
    "AND (? = 1 OR k.owner_id IN (SELECT descendant_id FROM user_tree "
    "WHERE tenant_id = ? AND ancestor_id = ?)) "
    "GROUP BY 1, 2, 3 ORDER BY 3 DESC, 2 LIMIT 1000";
static const char SQL_EXPIRING[] =
    "SELECT q.id, c.id, c.name, c.owner_id, q.doc_type, "
    "DATE_FORMAT(q.expires_on, '%Y-%m-%d') FROM qual_docs q JOIN customers c "
    "ON c.id = q.customer_id AND c.tenant_id = q.tenant_id "
    "WHERE q.tenant_id = ? AND q.is_current = 1 AND q.status = 'approved' "
    "AND q.expires_on IS NOT NULL AND q.expires_on >= ? "
    "AND q.expires_on <= ? ORDER BY q.id LIMIT 5000";

/* A document type's name in lang. */
static const char *
qual_name(struct ctx *cx, const struct ruledesc *rd, const char *type,
          const char *lang)
{
    const cJSON *def = qual_type_def(rd, type);
    const char *code = lang != NULL ? i18n_lang(str_c(lang)) : NULL;
    const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(
        def, code != NULL && strcmp(code, "en") == 0 ? "name_en" : "name"));

    (void)cx;
    return n != NULL && n[0] != '\0' ? n : type;
}

static const char SQL_WAIT_VERIFY[] =
    "UPDATE qual_docs SET verify = 'waiting' WHERE tenant_id = ? AND id = ?";
static const char SQL_TO_VERIFY[] =
    "SELECT q.doc_type, q.number, q.holder, "
    "COALESCE(DATE_FORMAT(q.issued_on, '%Y-%m-%d'), ''), "
    "COALESCE(DATE_FORMAT(q.expires_on, '%Y-%m-%d'), ''), q.verify "
    "FROM qual_docs q WHERE q.tenant_id = ? AND q.id = ?";
static const char SQL_VERIFIED[] =
    "UPDATE qual_docs SET verify = ?, verify_note = ? WHERE tenant_id = ? "
    "AND id = ? AND verify = 'waiting'";

static bool
may_review(const struct ctx *cx)
{
    return (cx->role & (ROLE_LEGAL | ROLE_ADMIN)) != 0;
}

/* --- checking a submission ---------------------------------------------- */

/* The number as stored: spaces dropped, letters upper-cased; only
 * letters, digits and '-', 1..QUAL_NUMBER_MAX. */
static const char *
clean_number(struct ctx *cx, struct str s)
{
    char *out = arena_alloc(cx->a, s.len + 1);
    size_t i, n = 0;

    if (out == NULL)
        return NULL;
    for (i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.p[i];

        if (ch == ' ' || ch == '\t')
            continue;
        if (!isalnum(ch) && ch != '-')
            return "";
        out[n++] = (char)toupper(ch);
    }
    out[n] = '\0';
    return n <= QUAL_NUMBER_MAX ? out : "";
}

/* "" when empty; NULL when not a calendar date. */
static const char *
clean_date(struct ctx *cx, struct str s)
{
    int y, m, d;

    s = str_trim(s);
    if (s.len == 0)
        return "";
    if (!parse_date(s, &y, &m, &d) || y < 1900 || y > 2199)
        return NULL;
    return arena_printf(cx->a, "%04d-%02d-%02d", y, m, d);
}

struct checked {
    const char *number, *holder, *issued_on, *expires_on, *qr_text;
};

APP_MUST_USE static enum app_err
check_fields(struct ctx *cx, const struct qual_input *in, struct checked *ck,
             cJSON *errors)
{
    struct str holder = str_trim(in->holder);
    bool bad = false;

    ck->number = clean_number(cx, in->number);
    ck->holder = arena_str(cx->a, holder).p;
    ck->issued_on = clean_date(cx, in->issued_on);
    ck->expires_on = clean_date(cx, in->expires_on);
    ck->qr_text = arena_str(cx->a, in->qr_text).p;
    if (ck->number == NULL || ck->holder == NULL || ck->qr_text == NULL)
        return APP_ENOMEM;
    if (ck->number[0] == '\0') {
        cJSON_AddStringToObject(errors, "number", "qual.bad_number");
        bad = true;
    }
    if (holder.len == 0 || !utf8_valid(holder.p, holder.len) ||
        utf8_chars(holder.p, holder.len) > QUAL_HOLDER_MAX ||
        memchr(holder.p, '\n', holder.len) != NULL) {
        cJSON_AddStringToObject(errors, "holder", "qual.bad_holder");
        bad = true;
    }
    if (ck->issued_on == NULL) {
        cJSON_AddStringToObject(errors, "issued_on", "qual.bad_date");
        bad = true;
    }
    if (ck->expires_on == NULL) {
        cJSON_AddStringToObject(errors, "expires_on", "qual.bad_date");
        bad = true;
    }
    if (in->qr_text.len > QUAL_QR_MAX ||
        !utf8_valid(in->qr_text.p, in->qr_text.len)) {
        cJSON_AddStringToObject(errors, "qr_text", "qual.bad_qr");
        bad = true;
    }
    return bad ? APP_EVALIDATION : APP_OK;
}

/* The rules' check_qualification: its problems go to errors as the
 * rules' own messages. */
APP_MUST_USE static enum app_err
rule_check(struct ctx *cx, const struct customer *c, const char *type,
           const struct checked *ck, cJSON *errors)
{
    cJSON *args = cJSON_CreateArray(), *doc = cJSON_CreateObject(),
          *cust = cJSON_CreateObject(), *res = NULL;
    const cJSON *p;
    char today[11];
    bool bad = false;
    enum app_err rc;

    tz_today(cx->tenant_tz, today, sizeof(today));
    if (args == NULL || doc == NULL || cust == NULL) {
        cJSON_Delete(args);
        cJSON_Delete(doc);
        cJSON_Delete(cust);
        return APP_ENOMEM;
    }
    cJSON_AddStringToObject(doc, "type", type);
    cJSON_AddStringToObject(doc, "number", ck->number);
    cJSON_AddStringToObject(doc, "holder", ck->holder);
    if (ck->issued_on[0] != '\0')
        cJSON_AddStringToObject(doc, "issued_on", ck->issued_on);
    if (ck->expires_on[0] != '\0')
        cJSON_AddStringToObject(doc, "expires_on", ck->expires_on);
    cJSON_AddStringToObject(doc, "today", today);
    cJSON_AddStringToObject(cust, "name", c->name);
    cJSON_AddStringToObject(cust, "kind", c->kind);
    cJSON_AddItemToArray(args, doc);
    cJSON_AddItemToArray(args, cust);
    rc = rules_json(cx, "check_qualification", args, &res);
    cJSON_Delete(args);
    if (rc != APP_OK)
        return rc;
    cJSON_ArrayForEach(p, res)
    {
        const char *field =
            cJSON_GetStringValue(cJSON_GetObjectItem(p, "field"));
        const char *msg =
            cJSON_GetStringValue(cJSON_GetObjectItem(p, "message"));

        if (field == NULL || cJSON_GetObjectItem(errors, field) != NULL)
            field = "number";
        if (cJSON_GetObjectItem(errors, field) == NULL)
            cJSON_AddStringToObject(errors, field,
                                    msg != NULL ? msg : "qual.rule_refused");
        bad = true;
    }
    cJSON_Delete(res);
    return bad ? APP_EVALIDATION : APP_OK;
}

/* --- opening and closing a case ------------------------------------------ */

/* Complete now and no case open: open one and give legal the card. */
APP_MUST_USE static enum app_err
open_case(struct ctx *cx, const struct ruledesc *rd, const struct customer *c)
{
    struct qual_status st;
    struct db_res k;
    struct task_input t;
    uint64_t case_id = 0;
    int64_t task = 0;
    bool created = false;
    enum app_err rc = qual_status_of(cx, rd, c, false, &st);

    if (rc != APP_OK || !st.needs || !st.complete)
        return rc;
    rc = db_query(cx->db, cx->a, SQL_OPEN_CASE,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c->id)), 1, &k);
    if (rc != APP_OK || k.nrows > 0)
        return rc;
    rc = db_exec(
        cx->db, SQL_NEW_CASE,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c->id), DB_I64(c->owner_id)),
        NULL, &case_id);
    if (rc != APP_OK)
        return rc;
    memset(&t, 0, sizeof(t));
    t.kind = "review";
    t.title = notice_fill(
        cx, notice_text(cx, notice_locale(cx, 0), "qual.task_title"),
        (const char *const[]){ "customer", c->name, NULL }, TASK_TITLE_MAX);
    t.body =
        arena_printf(cx->a, "/customers/%lld/qualifications", (long long)c->id);
    t.priority = 2;
    t.assignee_role = "legal";
    t.object_kind = "customer";
    t.object_id = c->id;
    t.dedup_key =
        arena_printf(cx->a, "qual_case:%llu", (unsigned long long)case_id);
    if (t.title == NULL || t.body == NULL || t.dedup_key == NULL)
        return APP_ENOMEM;
    rc = tasks_create(cx, &t, &task, &created);
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_CASE_TASK,
                     DB_ARGS(DB_I64(task), DB_I64(cx->tenant_id),
                             DB_I64((int64_t)case_id)),
                     NULL, NULL);
    return rc;
}

/* Every needed type approved: the case closes, its card is done. */
APP_MUST_USE static enum app_err
close_case(struct ctx *cx, const struct ruledesc *rd, const struct customer *c)
{
    struct qual_status st;
    struct db_res k;
    int64_t task;
    enum app_err rc = qual_status_of(cx, rd, c, false, &st);

    if (rc != APP_OK || !st.qualified)
        return rc;
    rc = db_query(cx->db, cx->a, SQL_OPEN_CASE,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c->id)), 1, &k);
    if (rc != APP_OK || k.nrows == 0)
        return rc;
    rc = db_exec(cx->db, SQL_CLOSE_CASE,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(db_int(&k, 0, 0, 0))),
                 NULL, NULL);
    task = db_int(&k, 0, 1, 0);
    if (rc == APP_OK && task > 0) {
        /* Done by the reviewer; a card someone closed already is fine. */
        rc = tasks_close(cx, task, "done", "approved");
        if (rc == APP_ECONFLICT || rc == APP_ENOTFOUND)
            rc = APP_OK;
    }
    return rc;
}

/* --- the services --------------------------------------------------------- */

enum app_err
admission_scan(struct ctx *cx, const struct ruledesc *rd, int64_t customer_id,
               const char *type, const struct upload *file, int64_t *file_id,
               cJSON **fields)
{
    struct qr_scan qr = { 0 };
    struct customer c;
    const char *mime = files_sniff_upload(file);
    cJSON *out, *texts, *args, *parsed = NULL;
    size_t i;
    enum app_err rc;

    *file_id = 0;
    *fields = NULL;
    if (qual_type_def(rd, type) == NULL)
        return APP_ENOTFOUND;
    if (!files_fits_kind("document", mime) || strcmp(mime, "text/plain") == 0 ||
        strcmp(mime, "text/csv") == 0) {
        cx->err_detail = "qual.bad_file";
        return APP_EVALIDATION;
    }
    if (files_is_image(mime)) {
        rc = qr_scan_file(cx->a, file->path, &qr);
        if (rc == APP_EVALIDATION)
            cx->err_detail = "qual.bad_file";
        if (rc != APP_OK)
            return rc;
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = customers_get(cx, customer_id, true, &c);
        if (rc == APP_OK)
            rc = files_store(cx, file, customer_id, file_id, &mime);
    }
    if (rc != APP_OK)
        return rc;
    out = cJSON_CreateObject();
    texts = cJSON_AddArrayToObject(out, "qr");
    for (i = 0; texts != NULL && i < qr.n; i++)
        cJSON_AddItemToArray(texts, cJSON_CreateString(qr.text[i]));
    if (qr.n > 0 && (args = cJSON_CreateArray()) != NULL) {
        cJSON_AddItemToArray(args, cJSON_CreateString(type));
        cJSON_AddItemToArray(args, cJSON_CreateString(qr.text[0]));
        rc = rules_json(cx, "parse_qr", args, &parsed);
        cJSON_Delete(args);
        if (rc == APP_OK && cJSON_IsObject(parsed))
            cJSON_AddItemToObject(out, "fields", parsed);
        else
            cJSON_Delete(parsed);
    }
    if (out == NULL || texts == NULL) {
        cJSON_Delete(out);
        return APP_ENOMEM;
    }
    *fields = out;
    return rc;
}

/* The scan: a file stored for this customer, or the new one. */
APP_MUST_USE static enum app_err
attach_file(struct ctx *cx, const struct customer *c,
            const struct qual_input *in, int64_t *file_id, cJSON *errors)
{
    struct db_res f;
    const char *mime;
    enum app_err rc;

    if (in->file != NULL) {
        mime = files_sniff_upload(in->file);
        if (!files_fits_kind("document", mime)) {
            cJSON_AddStringToObject(errors, "file", "qual.bad_file");
            return APP_EVALIDATION;
        }
        return files_store(cx, in->file, c->id, file_id, &mime);
    }
    if (in->file_id <= 0) {
        cJSON_AddStringToObject(errors, "file", "qual.file_required");
        return APP_EVALIDATION;
    }
    rc = db_query(
        cx->db, cx->a, SQL_FILE_OF,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(in->file_id), DB_I64(c->id)), 1,
        &f);
    if (rc == APP_OK && f.nrows == 0) {
        cJSON_AddStringToObject(errors, "file", "qual.file_required");
        return APP_EVALIDATION;
    }
    *file_id = in->file_id;
    return rc;
}

/* A type with a registry verifier: the document waits for its answer,
 * asked by a one-shot job (admission_verify) once this commits. */
APP_MUST_USE static enum app_err
ask_verifier(struct ctx *cx, const struct ruledesc *rd, const char *type,
             int64_t id)
{
    const char *url = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(qual_type_def(rd, type), "verifier"));
    const char *key = arena_printf(cx->a, "doc:%lld", (long long)id);
    const char *payload = arena_printf(cx->a, "{\"doc\":%lld}", (long long)id);
    enum app_err rc;

    if (url == NULL || url[0] == '\0')
        return APP_OK;
    if (key == NULL || payload == NULL)
        return APP_ENOMEM;
    rc = db_exec(cx->db, SQL_WAIT_VERIFY,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), NULL, NULL);
    return rc == APP_OK ? jobs_put(cx->db, cx->tenant_id, "qual_verify", key,
                                   "", cx->tenant_tz, payload, time(NULL))
                        : rc;
}

APP_MUST_USE static enum app_err
audit_submit(struct ctx *cx, int64_t customer_id, const char *type, int64_t id)
{
    cJSON *detail = cJSON_CreateObject();
    enum app_err rc;

    if (detail == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(detail, "document", (double)id);
    cJSON_AddNumberToObject(detail, "customer", (double)customer_id);
    cJSON_AddStringToObject(detail, "type", type);
    rc = audit_write(cx, cx->tenant_id, cx->user_id, 0, "qualification.submit",
                     detail);
    cJSON_Delete(detail);
    return rc;
}

enum app_err
admission_submit(struct ctx *cx, const struct ruledesc *rd, int64_t customer_id,
                 const struct qual_input *in, cJSON *errors, int64_t *id)
{
    struct checked ck;
    struct customer c;
    uint64_t last = 0;
    int64_t file_id = 0;
    enum app_err rc;

    *id = 0;
    if (in->type == NULL || qual_type_def(rd, in->type) == NULL)
        return APP_ENOTFOUND;
    rc = customers_get(cx, customer_id, false, &c);
    if (rc == APP_OK)
        rc = check_fields(cx, in, &ck, errors);
    if (rc == APP_OK)
        rc = rule_check(cx, &c, in->type, &ck, errors);
    if (rc == APP_EVALIDATION)
        cx->err_detail = "validate.failed";
    if (rc != APP_OK)
        return rc;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = customers_get(cx, customer_id, true, &c);
        if (rc == APP_OK)
            rc = attach_file(cx, &c, in, &file_id, errors);
        if (rc == APP_OK)
            rc = db_exec(
                cx->db, SQL_SUPERSEDE,
                DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c.id), DB_CSTR(in->type)),
                NULL, NULL);
        if (rc == APP_OK)
            rc = db_exec(
                cx->db, SQL_INSERT,
                DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c.id), DB_CSTR(in->type),
                        DB_CSTR(ck.number), DB_CSTR(ck.holder),
                        ck.issued_on[0] ? DB_CSTR(ck.issued_on) : DB_NULL,
                        ck.expires_on[0] ? DB_CSTR(ck.expires_on) : DB_NULL,
                        file_id > 0 ? DB_I64(file_id) : DB_NULL,
                        ck.qr_text[0] ? DB_CSTR(ck.qr_text) : DB_NULL,
                        DB_I64(cx->user_id)),
                NULL, &last);
        if (rc == APP_OK)
            rc = ask_verifier(cx, rd, in->type, (int64_t)last);
        if (rc == APP_OK)
            rc = open_case(cx, rd, &c);
        if (rc == APP_OK)
            rc = audit_submit(cx, c.id, in->type, (int64_t)last);
    }
    if (rc == APP_EVALIDATION)
        cx->err_detail = "validate.failed";
    *id = rc == APP_OK ? (int64_t)last : 0;
    return rc;
}

/* The owner hears of a rejection and what to fix. */
APP_MUST_USE static enum app_err
tell_rejected(struct ctx *cx, const struct ruledesc *rd,
              const struct customer *c, const char *type, const char *note,
              int64_t doc_id)
{
    struct notice n = { 0 };
    int64_t nid = 0;
    bool created = false;
    const char *lang = notice_locale(cx, c->owner_id);

    n.user_id = c->owner_id;
    n.kind = "system";
    n.title = notice_fill(
        cx, notice_text(cx, lang, "qual.rejected_title"),
        (const char *const[]){ "customer", c->name, "document",
                               qual_name(cx, rd, type, lang), NULL },
        TASK_TITLE_MAX);
    n.body = note;
    n.object_kind = "customer";
    n.object_id = c->id;
    n.dedup_key = arena_printf(cx->a, "qual_rejected:%lld", (long long)doc_id);
    if (n.title == NULL || n.dedup_key == NULL)
        return APP_ENOMEM;
    return notify(cx, &n, &nid, &created);
}

enum app_err
admission_review(struct ctx *cx, const struct ruledesc *rd, int64_t doc_id,
                 bool approve, const char *note)
{
    struct db_res d;
    struct customer c;
    cJSON *detail;
    enum app_err rc;

    if (!may_review(cx))
        return APP_EFORBIDDEN;
    if (note == NULL)
        note = "";
    if (!approve && str_trim((struct str){ note, strlen(note) }).len == 0) {
        cx->err_detail = "qual.note_required";
        return APP_EVALIDATION;
    }
    if (strlen(note) > QUAL_NOTE_MAX * 4 || !utf8_valid(note, strlen(note)) ||
        utf8_chars(note, strlen(note)) > QUAL_NOTE_MAX) {
        cx->err_detail = "qual.note_too_long";
        return APP_EVALIDATION;
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = db_query(cx->db, cx->a, SQL_LOCK_DOC,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(doc_id)), 1, &d);
        if (rc == APP_OK && d.nrows == 0)
            rc = APP_ENOTFOUND;
        if (rc == APP_OK)
            rc = qual_visible(cx, db_int(&d, 0, 0, 0), &c);
        if (rc == APP_OK && (strcmp(db_text(&d, 0, 1), "pending") != 0 ||
                             db_int(&d, 0, 2, 0) != 1)) {
            cx->err_detail = "qual.not_pending";
            rc = APP_ECONFLICT;
        }
        if (rc == APP_OK && approve &&
            strcmp(db_text(&d, 0, 4), "failed") == 0) {
            cx->err_detail = "qual.verify_failed";
            rc = APP_ECONFLICT;
        }
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_REVIEW,
                         DB_ARGS(DB_CSTR(approve ? "approved" : "rejected"),
                                 DB_CSTR(note), DB_I64(cx->user_id),
                                 DB_I64(cx->tenant_id), DB_I64(doc_id)),
                         NULL, NULL);
        if (rc == APP_OK)
            rc = approve ? close_case(cx, rd, &c)
                         : tell_rejected(cx, rd, &c, db_text(&d, 0, 3), note,
                                         doc_id);
        if (rc == APP_OK) {
            detail = cJSON_CreateObject();
            cJSON_AddNumberToObject(detail, "document", (double)doc_id);
            cJSON_AddNumberToObject(detail, "customer", (double)c.id);
            cJSON_AddStringToObject(detail, "decision",
                                    approve ? "approved" : "rejected");
            cJSON_AddStringToObject(detail, "type", db_text(&d, 0, 3));
            rc = audit_write(cx, cx->tenant_id, cx->user_id, 0,
                             "qualification.review", detail);
            cJSON_Delete(detail);
        }
    }
    return rc;
}

/* The verifier's answer: {"valid": true} is ok, {"valid": false,
 * "message": "..."} failed; anything else an error, with why. */
static void
judge_answer(struct ctx *cx, const struct fetch_result *res,
             const char **verify, const char **note)
{
    cJSON *j = res->err == FETCH_OK ? cJSON_Parse(res->body) : NULL;
    const cJSON *valid = cJSON_GetObjectItemCaseSensitive(j, "valid");
    const char *msg =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));

    *verify = "error";
    if (res->err != FETCH_OK)
        *note = arena_printf(cx->a, "%s: %s", fetch_err_name(res->err),
                             res->detail != NULL ? res->detail : "");
    else if (res->status < 200 || res->status > 299)
        *note = arena_printf(cx->a, "HTTP %ld", res->status);
    else if (!cJSON_IsBool(valid))
        *note = "the answer has no \"valid\"";
    else {
        *verify = cJSON_IsTrue(valid) ? "ok" : "failed";
        *note = msg != NULL && utf8_valid(msg, strlen(msg)) ? msg
                : msg != NULL                               ? "(not UTF-8)"
                                                            : "";
    }
    /* Copied out of the parsed answer before it is freed, cut to fit. */
    *note = *note != NULL ? arena_strndup(cx->a, *note,
                                          utf8_cut(*note, strlen(*note), 500))
                          : NULL;
    if (*note == NULL)
        *note = "";
    cJSON_Delete(j);
}

enum app_err
admission_verify(struct ctx *cx, const struct job *j, const char **error)
{
    cJSON *p = cJSON_Parse(j->payload), *body = NULL;
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(p, "doc");
    struct netaddr_cidr allow[OUTBOX_ALLOW_MAX];
    struct fetch_policy pol;
    struct fetch_request rq = { 0 };
    struct fetch_result res;
    struct ruledesc rd;
    struct db_res d;
    const char *url, *verify = "error", *note = "";
    int64_t id =
        cJSON_IsNumber(doc) && doc->valuedouble >= 1 && doc->valuedouble < 9e15
            ? (int64_t)doc->valuedouble
            : 0;
    enum app_err rc = ruledesc_get(cx, &rd);

    cJSON_Delete(p);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_TO_VERIFY,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &d);
    if (rc != APP_OK)
        return rc;
    if (d.nrows == 0 || strcmp(db_text(&d, 0, 5), "waiting") != 0)
        return APP_OK; /* gone, or answered already */
    url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        qual_type_def(&rd, db_text(&d, 0, 0)), "verifier"));
    body = cJSON_CreateObject();
    if (body == NULL)
        return APP_ENOMEM;
    cJSON_AddStringToObject(body, "type", db_text(&d, 0, 0));
    cJSON_AddStringToObject(body, "number", db_text(&d, 0, 1));
    cJSON_AddStringToObject(body, "holder", db_text(&d, 0, 2));
    cJSON_AddStringToObject(body, "issued_on", db_text(&d, 0, 3));
    cJSON_AddStringToObject(body, "expires_on", db_text(&d, 0, 4));
    rq.url = url;
    rq.body = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (rq.body == NULL)
        return APP_ENOMEM;
    rq.body_len = strlen(rq.body);
    rq.headers[0] = "Content-Type: application/json";
    outbox_policy(cx->conf, allow, &pol);
    if (url == NULL || url[0] == '\0') {
        note = "the rules no longer name a verifier";
    } else {
        rc = fetch(cx->a, &pol, &rq, &res);
        if (rc == APP_OK)
            judge_answer(cx, &res, &verify, &note);
    }
    cJSON_free((void *)rq.body);
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_VERIFIED,
                     DB_ARGS(DB_CSTR(verify), DB_CSTR(note),
                             DB_I64(cx->tenant_id), DB_I64(id)),
                     NULL, NULL);
    if (rc != APP_OK)
        *error = "verifier: could not record the answer";
    return rc;
}

enum app_err
admission_queue(struct ctx *cx, struct db_res *out)
{
    if (!may_review(cx))
        return APP_EFORBIDDEN;
    return db_query(cx->db, cx->a, SQL_QUEUE, DB_ARGS(DB_I64(cx->tenant_id)),
                    ADMISSION_QUEUE_MAX, out);
}

/* The company's offset from UTC now, "+08:00". */
static const char *
zone_offset(struct ctx *cx)
{
    struct tm tm;
    long off;

    tz_local(cx->tenant_tz, time(NULL), &tm);
    off = tm.tm_gmtoff / 60;
    return arena_printf(cx->a, "%c%02ld:%02ld", off < 0 ? '-' : '+',
                        (off < 0 ? -off : off) / 60,
                        (off < 0 ? -off : off) % 60);
}

enum app_err
admission_lead_times(struct ctx *cx, int months, struct db_res *out)
{
    int64_t root, all;
    const char *off = zone_offset(cx);

    if (!may_review(cx) && !access_is_team_role(cx->role))
        return APP_EFORBIDDEN;
    if (months < 1 || months > ADMISSION_MONTHS_MAX)
        months = 12;
    if (off == NULL)
        return APP_ENOMEM;
    access_scope(cx, &root, &all);
    if (may_review(cx))
        all = 1;
    return db_query(cx->db, cx->a, SQL_LEAD,
                    DB_ARGS(DB_CSTR(off), DB_I64(cx->tenant_id), DB_I64(months),
                            DB_I64(all), DB_I64(cx->tenant_id), DB_I64(root)),
                    1000, out);
}

/* --- expiry reminders (the alerts job) ------------------------------------ */

/* remind_days from the rules, largest first (at most 8). */
static size_t
lead_days(const struct ruledesc *rd, int *days)
{
    const cJSON *v;
    size_t n = 0, i, j;

    cJSON_ArrayForEach(
        v, cJSON_GetObjectItemCaseSensitive(
               cJSON_GetObjectItemCaseSensitive(rd->d, "qualifications"),
               "remind_days"))
    {
        if (n < 8 && cJSON_IsNumber(v) && v->valuedouble >= 0 &&
            v->valuedouble <= 366)
            days[n++] = (int)v->valuedouble;
    }
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && days[j - 1] < days[j]; j--) {
            int t = days[j];

            days[j] = days[j - 1];
            days[j - 1] = t;
        }
    return n;
}

APP_MUST_USE static enum app_err
expiry_breaches(struct ctx *cx, const cJSON *thresholds, const cJSON *payload,
                time_t now, cJSON *out)
{
    struct ruledesc rd;
    struct db_res res;
    char today[32], until[32];
    int days[8];
    size_t n, i, k;
    struct tm tm;
    enum app_err rc = ruledesc_get(cx, &rd);

    (void)thresholds, (void)payload;
    if (rc != APP_OK || (n = lead_days(&rd, days)) == 0)
        return rc;
    tz_local(cx->tenant_tz, now, &tm);
    snprintf(today, sizeof(today), "%04d-%02d-%02d",
             (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100);
    tm.tm_mday += days[0];
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    tz_local(cx->tenant_tz, tz_mktime(cx->tenant_tz, &tm), &tm);
    snprintf(until, sizeof(until), "%04d-%02d-%02d",
             (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100);
    rc =
        db_query(cx->db, cx->a, SQL_EXPIRING,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(today), DB_CSTR(until)),
                 5000, &res);
    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        int left;
        cJSON *b;
        const char *key;

        left = qual_days_between(today, db_text(&res, i, 5));
        /* The smallest lead the document is within. */
        for (k = n; k > 0 && days[k - 1] < left; k--)
            ;
        if (k == 0)
            continue;
        key = arena_printf(cx->a, "qual_expiry:%lld:%d",
                           (long long)db_int(&res, i, 0, 0), days[k - 1]);
        b = cJSON_CreateObject();
        if (key == NULL || b == NULL || !cJSON_AddItemToArray(out, b)) {
            cJSON_Delete(b);
            return APP_ENOMEM;
        }
        cJSON_AddStringToObject(b, "key", key);
        cJSON_AddStringToObject(b, "metric", "qual_expiry");
        cJSON_AddStringToObject(b, "status", "expiring");
        cJSON_AddStringToObject(b, "period", "once");
        cJSON_AddNumberToObject(b, "days", days[k - 1]);
        cJSON_AddNumberToObject(b, "owner_id", (double)db_int(&res, i, 3, 0));
        cJSON_AddNumberToObject(b, "customer_id",
                                (double)db_int(&res, i, 1, 0));
        cJSON_AddStringToObject(b, "customer_name", db_text(&res, i, 2));
        cJSON_AddStringToObject(
            b, "document",
            ruledesc_name(cx, qual_type_def(&rd, db_text(&res, i, 4))));
        cJSON_AddStringToObject(b, "expires_on", db_text(&res, i, 5));
    }
    return rc;
}

/* The alerts job runs as the system: every customer of the company. */
APP_MUST_USE static enum app_err
expiry_breaches_admin(struct ctx *cx, const cJSON *th, const cJSON *p,
                      time_t now, cJSON *out)
{
    unsigned role = cx->role;
    enum app_err rc;

    cx->role = ROLE_ADMIN;
    rc = expiry_breaches(cx, th, p, now, out);
    cx->role = role;
    return rc;
}

static const struct alert_metric expiry_metric = { "qual_expiry",
                                                   expiry_breaches_admin };

void
admission_init(void)
{
    alerts_register(&expiry_metric);
}

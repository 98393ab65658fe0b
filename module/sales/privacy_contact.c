/*
 * privacy_contact.c -- one contact person: export and erasure (PIPL).
 */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/log.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/sqlname.h"
#include "sales/contacts.h"
#include "sales/customers.h"
#include "sales/privacy.h"

/* clang-format off */
/* Text columns of the tables that have a tenant_id column, in utf8mb4
 * (the ascii ones hold hashes, codes and ids, never a person's name; a
 * utf8 value cannot be compared with them). */
static const char SQL_TEXT_COLUMNS[] =
    "SELECT c.table_name, c.column_name FROM information_schema.columns c"
    " JOIN information_schema.columns k ON k.table_schema = c.table_schema"
    " AND k.table_name = c.table_name AND k.column_name = 'tenant_id'"
    " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
    " AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'"
    " WHERE c.table_schema = DATABASE() AND c.data_type IN ('char',"
    " 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext')"
    " AND c.character_set_name = 'utf8mb4'"
    " ORDER BY c.table_name, c.column_name";
static const char SQL_ERASE_CONTACT[] =
    "UPDATE contacts SET name = ?, title = '', department = '', channel = '',"
    " focus = '', phone = '', email = '', birthday = NULL, consensus = '',"
    " active = 0, version = version + 1, updated_at = CURRENT_TIMESTAMP(3)"
    " WHERE tenant_id = ? AND id = ?";
static const char SQL_ERASE_EVENTS[] =
    "UPDATE contact_events SET text = '', consensus = ''"
    " WHERE tenant_id = ? AND contact_id = ?";
static const char SQL_ERASE_ACT_CONSENSUS[] =
    "UPDATE activity_contacts SET consensus = ''"
    " WHERE tenant_id = ? AND contact_id = ?";
static const char SQL_CONTACT_ROW[] =
    "SELECT id, customer_id, name, title, department, role, channel, focus,"
    " phone, email, birthday, last_met_on, consensus, consensus_on, active,"
    " created_at, updated_at FROM contacts WHERE tenant_id = ? AND id = ?";
static const char SQL_CONTACT_EVENTS[] =
    "SELECT id, kind, happened_on, text, consensus, created_by, created_at"
    " FROM contact_events WHERE tenant_id = ? AND contact_id = ?"
    " ORDER BY happened_on, id";
static const char SQL_CONTACT_ACTIVITIES[] =
    "SELECT a.id, a.kind, a.at, a.status, ac.consensus"
    " FROM activity_contacts ac JOIN activities a"
    " ON a.tenant_id = ac.tenant_id AND a.id = ac.activity_id"
    " WHERE ac.tenant_id = ? AND ac.contact_id = ? ORDER BY a.at, a.id";
static const char SQL_CONTACT_AUDIT[] =
    "SELECT id, at, event, actor_id, detail FROM audit_log"
    " WHERE tenant_id = ? AND JSON_VALID(detail)"
    " AND JSON_VALUE(detail, '$.contact') = ? ORDER BY id";
/* The history triggers' erasure exception (024_privacy.sql), on for
 * the length of the erasure only. */
static const char SQL_ERASE_ON[] = "SET @proofline_erase = 1";
static const char SQL_ERASE_OFF[] = "SET @proofline_erase = NULL";
/* clang-format on */

#define ROWS_MAX 100000

const char *
privacy_contact_placeholder(struct arena *a, int64_t id)
{
    return arena_printf(a, "已删除联系人 #%lld", (long long)id);
}

/* "UPDATE `t` SET `c` = REPLACE(REPLACE(REPLACE(`c`, ?, ?), ?, ?), ?, ?)
 *  WHERE tenant_id = ? AND (INSTR(`c`, ?) > 0 OR ... )"; NULL when a name
 * is refused or out of memory. */
static const char *
scrub_sql(struct arena *a, const char *t, const char *c)
{
    const char *parts[] = { "UPDATE ",
                            t,
                            " SET ",
                            c,
                            " = REPLACE(REPLACE(REPLACE(",
                            c,
                            ", ?, ?), ?, ?), ?, ?) WHERE tenant_id = ? "
                            "AND (INSTR(",
                            c,
                            ", ?) > 0 OR INSTR(",
                            c,
                            ", ?) > 0 OR INSTR(",
                            c,
                            ", ?) > 0)" };

    return db_sql_names(a, parts, sizeof(parts) / sizeof(parts[0]));
}

/* Replace the old values by the placeholder in every text column. */
APP_MUST_USE static enum app_err
scrub_everywhere(struct ctx *cx, const char *const old[3], const char *ph)
{
    struct db_res res;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_TEXT_COLUMNS, DB_NOARGS, ROWS_MAX, &res);
    size_t i;

    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        const char *sql =
            scrub_sql(cx->a, db_text(&res, i, 0), db_text(&res, i, 1));

        if (sql == NULL) {
            log_error("privacy.column_name", "table=%s column=%s",
                      log_q(db_text(&res, i, 0)), log_q(db_text(&res, i, 1)));
            return APP_EINTERNAL;
        }
        rc = db_exec_once(cx->db, sql,
                          DB_ARGS(DB_CSTR(old[0]), DB_CSTR(ph), DB_CSTR(old[1]),
                                  DB_CSTR(ph), DB_CSTR(old[2]), DB_CSTR(ph),
                                  DB_I64(cx->tenant_id), DB_CSTR(old[0]),
                                  DB_CSTR(old[1]), DB_CSTR(old[2])),
                          NULL);
    }
    return rc;
}

/* A value worth looking for: two characters or more (a single character
 * would match unrelated text); else the name stands in (searched twice,
 * harmless). */
static const char *
searchable(const char *v, const char *name)
{
    size_t n = strlen(v), chars = 0, i;

    for (i = 0; i < n; i++)
        if (((unsigned char)v[i] & 0xC0) != 0x80)
            chars++;
    return chars >= 2 ? v : name;
}

enum app_err
privacy_contact_erase(struct ctx *cx, int64_t id)
{
    struct contact k;
    const char *old[3], *ph = privacy_contact_placeholder(cx->a, id);
    cJSON *detail = NULL;
    enum app_err rc = contacts_get(cx, id, &k);

    if (rc != APP_OK)
        return rc;
    if (ph == NULL)
        return APP_ENOMEM;
    old[0] = k.name;
    if (strcmp(searchable(k.name, ""), "") == 0)
        old[0] = ph; /* a one-character name: only the row itself */
    old[1] = searchable(k.phone, old[0]);
    old[2] = searchable(k.email, old[0]);
    rc = db_exec(cx->db, SQL_ERASE_ON, DB_NOARGS, NULL, NULL);
    if (rc == APP_OK)
        rc = scrub_everywhere(cx, old, ph);
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_ERASE_CONTACT,
                     DB_ARGS(DB_CSTR(ph), DB_I64(cx->tenant_id), DB_I64(id)),
                     NULL, NULL);
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_ERASE_EVENTS,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), NULL, NULL);
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_ERASE_ACT_CONSENSUS,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), NULL, NULL);
    if (db_exec(cx->db, SQL_ERASE_OFF, DB_NOARGS, NULL, NULL) != APP_OK &&
        rc == APP_OK)
        rc = APP_EDB;
    if (rc == APP_OK)
        rc = customers_refresh_contacts_text(cx, k.customer_id);
    if (rc == APP_OK) {
        detail = cJSON_CreateObject();
        if (detail == NULL ||
            cJSON_AddNumberToObject(detail, "contact", (double)id) == NULL ||
            cJSON_AddNumberToObject(detail, "customer",
                                    (double)k.customer_id) == NULL)
            rc = APP_ENOMEM;
    }
    if (rc == APP_OK)
        rc = audit_write(cx, cx->tenant_id, cx->user_id, 0, "contact.erase",
                         detail);
    cJSON_Delete(detail);
    return rc;
}

/* The rows of res as an array of objects named by cols. */
static cJSON *
rows_json(const struct db_res *res, const char *const *cols)
{
    cJSON *arr = cJSON_CreateArray();
    size_t r, c;

    for (r = 0; arr != NULL && r < res->nrows; r++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(arr);
            return NULL;
        }
        for (c = 0; c < res->ncols && cols[c] != NULL; c++) {
            struct str v = db_cell(res, r, c);

            if (v.p == NULL)
                cJSON_AddNullToObject(o, cols[c]);
            else
                cJSON_AddStringToObject(o, cols[c], v.p);
        }
    }
    return arr;
}

APP_MUST_USE static enum app_err
add_rows(struct ctx *cx, cJSON *o, const char *key, const char *sql,
         struct db_val arg2, const char *const *cols)
{
    struct db_res res;
    cJSON *arr;
    enum app_err rc =
        db_query(cx->db, cx->a, sql, DB_ARGS(DB_I64(cx->tenant_id), arg2),
                 ROWS_MAX, &res);

    if (rc != APP_OK)
        return rc;
    arr = rows_json(&res, cols);
    if (arr == NULL || !cJSON_AddItemToObject(o, key, arr)) {
        cJSON_Delete(arr);
        return APP_ENOMEM;
    }
    return APP_OK;
}

enum app_err
privacy_contact_export(struct ctx *cx, int64_t id, cJSON **out)
{
    static const char *const contact_cols[] = {
        "id",         "customer_id", "name",      "title",        "department",
        "role",       "channel",     "focus",     "phone",        "email",
        "birthday",   "last_met_on", "consensus", "consensus_on", "active",
        "created_at", "updated_at",  NULL
    };
    static const char *const event_cols[] = { "id",          "kind",
                                              "happened_on", "text",
                                              "consensus",   "created_by",
                                              "created_at",  NULL };
    static const char *const act_cols[] = { "id",     "kind",      "at",
                                            "status", "consensus", NULL };
    static const char *const audit_cols[] = { "id",       "at",     "event",
                                              "actor_id", "detail", NULL };
    struct contact k;
    cJSON *o = NULL, *detail = NULL;
    char idtext[24];
    enum app_err rc = contacts_get(cx, id, &k);

    *out = NULL;
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    if (rc == APP_OK) {
        o = cJSON_CreateObject();
        rc = o != NULL ? APP_OK : APP_ENOMEM;
    }
    if (rc == APP_OK)
        rc = add_rows(cx, o, "contact", SQL_CONTACT_ROW, DB_I64(id),
                      contact_cols);
    if (rc == APP_OK)
        rc = add_rows(cx, o, "events", SQL_CONTACT_EVENTS, DB_I64(id),
                      event_cols);
    if (rc == APP_OK)
        rc = add_rows(cx, o, "activities", SQL_CONTACT_ACTIVITIES, DB_I64(id),
                      act_cols);
    if (rc == APP_OK)
        rc = add_rows(cx, o, "audit", SQL_CONTACT_AUDIT, DB_CSTR(idtext),
                      audit_cols);
    if (rc == APP_OK) {
        detail = cJSON_CreateObject();
        if (detail == NULL ||
            cJSON_AddNumberToObject(detail, "contact", (double)id) == NULL)
            rc = APP_ENOMEM;
    }
    if (rc == APP_OK)
        rc = audit_write(cx, cx->tenant_id, cx->user_id, 0,
                         "privacy.contact_export", detail);
    cJSON_Delete(detail);
    if (rc != APP_OK) {
        cJSON_Delete(o);
        return rc;
    }
    *out = o;
    return APP_OK;
}

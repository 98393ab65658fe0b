/*
 * contacts.c -- contacts and their events in MariaDB.
 */
#include "sales/contacts.h"

#include "sales/activities.h"

#include <string.h>
#include <time.h>

#include "base/conf.h"
#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "identity/access.h"
#include "sales/customers.h"

const char *const contact_channels[] = {
    "", "wechat_voice", "wechat_text", "email", "phone", "face", NULL,
};

#define CONTACT_COLS CONTACTS_SQL_COLS

static const char SQL_LIST[] =
    "SELECT " CONTACTS_SQL_COLS " " CONTACTS_SQL_LIST_REST;
static const char SQL_GET[] =
    "SELECT " CONTACT_COLS " FROM contacts k JOIN customers c ON "
    "c.id = k.customer_id AND c.tenant_id = k.tenant_id "
    "WHERE k.tenant_id = ? AND k.id = ? AND k.active = 1 AND (? = 1 OR "
    "c.owner_id IN (SELECT descendant_id FROM user_tree WHERE tenant_id = ? "
    "AND ancestor_id = ?))";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM contacts WHERE tenant_id = ? AND customer_id = ? "
    "AND active = 1";
static const char SQL_EVENT_COUNT[] =
    "SELECT COUNT(*) FROM contact_events WHERE tenant_id = ? AND "
    "contact_id = ?";
static const char SQL_CREATE[] =
    "INSERT INTO contacts (tenant_id, customer_id, name, title, department, "
    "role, channel, focus, phone, email, birthday) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_UPDATE[] =
    "UPDATE contacts SET name = ?, title = ?, department = ?, role = ?, "
    "channel = ?, focus = ?, phone = ?, email = ?, birthday = ?, "
    "version = version + 1, updated_at = UTC_TIMESTAMP(3) "
    "WHERE tenant_id = ? AND id = ? AND version = ?";
static const char SQL_DEACTIVATE[] =
    "UPDATE contacts SET active = 0, version = version + 1, "
    "updated_at = UTC_TIMESTAMP(3) WHERE tenant_id = ? AND id = ?";
static const char SQL_EVENT[] =
    "INSERT INTO contact_events (tenant_id, customer_id, contact_id, kind, "
    "happened_on, text, consensus, created_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_MET[] =
    "UPDATE contacts SET last_met_on = GREATEST(COALESCE(last_met_on, ?), ?) "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_CONSENSUS[] =
    "UPDATE contacts SET consensus = ?, consensus_on = ? "
    "WHERE tenant_id = ? AND id = ? AND (consensus_on IS NULL OR "
    "consensus_on <= ?)";
/* Notes on the contact and the activities they took part in (a meeting
 * shows as "met"). */
static const char SQL_EVENTS[] =
    "SELECT happened_on, kind, text, consensus, who FROM ("
    "SELECT e.happened_on, e.kind, e.text, e.consensus, "
    "COALESCE(u.display_name, '') AS who, e.created_at AS at0 "
    "FROM contact_events e LEFT JOIN users u "
    "ON u.id = e.created_by AND u.tenant_id = e.tenant_id "
    "WHERE e.tenant_id = ? AND e.contact_id = ? "
    "UNION ALL SELECT DATE(a.at), 'met', a.content, ac.consensus, "
    "COALESCE(u.display_name, ''), a.at FROM activity_contacts ac "
    "JOIN activities a ON a.id = ac.activity_id AND a.tenant_id = "
    "ac.tenant_id LEFT JOIN users u ON u.id = a.rep_id AND u.tenant_id = "
    "a.tenant_id WHERE ac.tenant_id = ? AND ac.contact_id = ?) x "
    "ORDER BY happened_on DESC, at0 DESC LIMIT ?";

static void
row(const struct db_res *res, size_t i, struct contact *c)
{
    c->id = db_int(res, i, 0, 0);
    c->customer_id = db_int(res, i, 1, 0);
    c->version = db_int(res, i, 2, 0);
    c->name = db_text(res, i, 3);
    c->title = db_text(res, i, 4);
    c->department = db_text(res, i, 5);
    c->role = db_text(res, i, 6);
    c->channel = db_text(res, i, 7);
    c->focus = db_text(res, i, 8);
    c->phone = db_text(res, i, 9);
    c->email = db_text(res, i, 10);
    c->birthday = db_text(res, i, 11);
    c->last_met_on = db_text(res, i, 12);
    c->consensus = db_text(res, i, 13);
    c->consensus_on = db_text(res, i, 14);
    c->met_days_ago = db_int(res, i, 15, -1);
    c->consensus_days_ago = db_int(res, i, 16, -1);
}

void
contacts_list_part(struct ctx *cx, int64_t customer_id, size_t max,
                   struct db_part *p)
{
    *p = (struct db_part){ .sql = SQL_LIST,
                           .args = { DB_I64(cx->tenant_id), DB_I64(customer_id),
                                     DB_I64((int64_t)max) },
                           .nargs = 3,
                           .max_rows = max,
                           .ncols = CONTACTS_SQL_NCOLS };
}

enum app_err
contacts_list(struct ctx *cx, int64_t customer_id, struct contact *out,
              size_t max, size_t *n)
{
    struct db_res res;
    struct db_part p;
    size_t i;
    enum app_err rc;

    contacts_list_part(cx, customer_id, max, &p);
    rc = db_query(cx->db, cx->a, p.sql, p.args, p.nargs, p.max_rows, &res);
    *n = 0;
    if (rc != APP_OK)
        return rc;
    for (i = 0; i < res.nrows; i++)
        row(&res, i, &out[i]);
    *n = res.nrows;
    return APP_OK;
}

enum app_err
contacts_get(struct ctx *cx, int64_t id, struct contact *c)
{
    struct db_res res;
    int64_t root, all;
    enum app_err rc;

    access_scope(cx, &root, &all);
    rc = db_query(cx->db, cx->a, SQL_GET,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(all),
                          DB_I64(cx->tenant_id), DB_I64(root)),
                  1, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    row(&res, 0, c);
    return APP_OK;
}

static struct db_val
date_or_null(struct str s)
{
    return s.len > 0 ? DB_STR(s) : DB_NULL;
}

enum app_err
contacts_create(struct ctx *cx, int64_t customer_id,
                const struct contact_input *in, int64_t *id)
{
    uint64_t last = 0;
    struct db_res cnt;
    enum app_err rc = customers_lock(cx, customer_id);

    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_COUNT,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id)), 1,
                      &cnt);
    if (rc != APP_OK)
        return rc;
    if (db_int(&cnt, 0, 0, 0) >= CONTACTS_MAX) {
        cx->err_detail = "contact.too_many";
        return APP_ETOOBIG;
    }
    rc = db_exec(
        cx->db, SQL_CREATE,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id), DB_STR(in->name),
                DB_STR(in->title), DB_STR(in->department), DB_STR(in->role),
                DB_STR(in->channel), DB_STR(in->focus), DB_STR(in->phone),
                DB_STR(in->email), date_or_null(in->birthday)),
        NULL, &last);

    *id = (int64_t)last;
    if (rc == APP_OK)
        rc = customers_refresh_contacts_text(cx, customer_id);
    return rc;
}

enum app_err
contacts_update(struct ctx *cx, int64_t id, int64_t version,
                const struct contact_input *in)
{
    struct contact c;
    uint64_t affected = 0;
    enum app_err rc = contacts_get(cx, id, &c);

    if (rc == APP_OK)
        rc = customers_lock(cx, c.customer_id);
    if (rc != APP_OK)
        return rc;
    rc = db_exec(cx->db, SQL_UPDATE,
                 DB_ARGS(DB_STR(in->name), DB_STR(in->title),
                         DB_STR(in->department), DB_STR(in->role),
                         DB_STR(in->channel), DB_STR(in->focus),
                         DB_STR(in->phone), DB_STR(in->email),
                         date_or_null(in->birthday), DB_I64(cx->tenant_id),
                         DB_I64(id), DB_I64(version)),
                 &affected, NULL);
    if (rc != APP_OK)
        return rc;
    if (affected != 1)
        return APP_ECONFLICT;
    return customers_refresh_contacts_text(cx, c.customer_id);
}

enum app_err
contacts_deactivate(struct ctx *cx, int64_t id)
{
    struct contact c;
    enum app_err rc = contacts_get(cx, id, &c);

    if (rc == APP_OK)
        rc = customers_lock(cx, c.customer_id);
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_DEACTIVATE,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), NULL, NULL);
    if (rc == APP_OK)
        rc = customers_refresh_contacts_text(cx, c.customer_id);
    return rc;
}

enum app_err
contacts_add_event(struct ctx *cx, const struct contact *c, const char *kind,
                   const char *on, struct str text, struct str consensus)
{
    struct db_res cnt;
    enum app_err rc;

    /* A meeting is an activity with this contact: the one record of an
     * action (activities.h), which moves "last met" and the consensus. */
    if (strcmp(kind, "met") == 0) {
        struct activity_input in;
        int64_t id;
        bool created;

        memset(&in, 0, sizeof(in));
        in.kind = "meeting";
        in.customer_id = c->customer_id;
        in.at = arena_printf(cx->a, "%s 04:00:00", on); /* noon in China */
        in.content = arena_str(cx->a, text).p;
        in.ncontacts = 1;
        in.contacts[0] = c->id;
        in.consensus[0] = arena_str(cx->a, consensus).p;
        if (in.at == NULL || in.content == NULL || in.consensus[0] == NULL)
            return APP_ENOMEM;
        return activities_record(cx, &in, &id, &created);
    }
    rc = customers_lock(cx, c->customer_id);

    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_EVENT_COUNT,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c->id)), 1, &cnt);
    if (rc != APP_OK)
        return rc;
    if (db_int(&cnt, 0, 0, 0) >= CONTACT_EVENTS_MAX) {
        cx->err_detail = "contact.too_many_events";
        return APP_ETOOBIG;
    }
    rc = db_exec(cx->db, SQL_EVENT,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c->customer_id),
                         DB_I64(c->id), DB_CSTR(kind), DB_CSTR(on),
                         DB_STR(text), DB_STR(consensus), DB_I64(cx->user_id)),
                 NULL, NULL);

    if (rc == APP_OK && strcmp(kind, "met") == 0)
        rc = db_exec(cx->db, SQL_MET,
                     DB_ARGS(DB_CSTR(on), DB_CSTR(on), DB_I64(cx->tenant_id),
                             DB_I64(c->id)),
                     NULL, NULL);
    if (rc == APP_OK && consensus.len > 0)
        rc = db_exec(cx->db, SQL_CONSENSUS,
                     DB_ARGS(DB_STR(consensus), DB_CSTR(on),
                             DB_I64(cx->tenant_id), DB_I64(c->id), DB_CSTR(on)),
                     NULL, NULL);
    return rc;
}

enum app_err
contacts_met(struct ctx *cx, int64_t contact_id, const char *on,
             struct str consensus)
{
    enum app_err rc =
        db_exec(cx->db, SQL_MET,
                DB_ARGS(DB_CSTR(on), DB_CSTR(on), DB_I64(cx->tenant_id),
                        DB_I64(contact_id)),
                NULL, NULL);

    if (rc == APP_OK && consensus.len > 0)
        rc = db_exec(cx->db, SQL_CONSENSUS,
                     DB_ARGS(DB_STR(consensus), DB_CSTR(on),
                             DB_I64(cx->tenant_id), DB_I64(contact_id),
                             DB_CSTR(on)),
                     NULL, NULL);
    return rc;
}

enum app_err
contacts_events(struct ctx *cx, int64_t contact_id, size_t max,
                struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_EVENTS,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(contact_id),
                            DB_I64(cx->tenant_id), DB_I64(contact_id),
                            DB_I64(max)),
                    max, out);
}

static const struct field_spec contact_spec[] = {
    { "name", V_LINE, true, 1, 100, NULL },
    { "title", V_LINE, false, 0, 100, NULL },
    { "department", V_LINE, false, 0, 100, NULL },
    { "role", V_LINE, true, 1, 32, NULL }, /* a key or a name */
    { "channel", V_ENUM, false, 0, 0, contact_channels },
    { "focus", V_TEXT, false, 0, 500, NULL },
    { "phone", V_LINE, false, 0, 50, NULL },
    { "email", V_LINE, false, 0, 200, NULL },
    { "birthday", V_LINE, false, 0, 10, NULL },
    { "version", V_INT, false, 1, INT64_MAX, NULL },
};
#define NSPEC (sizeof(contact_spec) / sizeof(contact_spec[0]))

/* --- checking a contact's fields -------------------------------------- */

APP_MUST_USE static enum app_err
check_input(struct ctx *cx, const struct ruledesc *rd, struct field_val *v,
            struct contact_input *in, cJSON *errors)
{
    enum app_err rc = APP_OK;
    char today[11];
    int y, mo, d;

    memset(in, 0, sizeof(*in));
    in->name = v[0].present ? v[0].s : STR_LIT("");
    in->title = v[1].present ? v[1].s : STR_LIT("");
    in->department = v[2].present ? v[2].s : STR_LIT("");
    in->role = v[3].present ? v[3].s : STR_LIT("");
    in->channel = v[4].present ? str_c(contact_channels[v[4].i]) : STR_LIT("");
    in->focus = v[5].present ? v[5].s : STR_LIT("");
    in->phone = v[6].present ? v[6].s : STR_LIT("");
    in->email = v[7].present ? v[7].s : STR_LIT("");
    in->birthday = v[8].present ? v[8].s : STR_LIT("");
    if (in->role.len > 0) {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(
            ruledesc_find(rd, "decision_roles", arena_str(cx->a, in->role).p),
            "key"));

        if (key == NULL) {
            cJSON_AddStringToObject(errors, "role", "contact.bad_role");
            rc = APP_EVALIDATION;
        } else {
            in->role = str_c(key);
        }
    }
    if (in->email.len > 0 && str_find_byte(in->email, '@') <= 0) {
        cJSON_AddStringToObject(errors, "email", "contact.bad_email");
        rc = APP_EVALIDATION;
    }
    tz_today(cx->tenant_tz, today, sizeof(today));
    if (in->birthday.len > 0 &&
        (!parse_date(in->birthday, &y, &mo, &d) ||
         strcmp(arena_str(cx->a, in->birthday).p, today) > 0)) {
        cJSON_AddStringToObject(errors, "birthday", "evidence.bad_date");
        rc = APP_EVALIDATION;
    }
    return rc;
}

enum app_err
contact_input_check(struct ctx *cx, const struct ruledesc *rd,
                    const struct kvlist *fields, struct contact_input *in,
                    int64_t *version, cJSON *errors)
{
    struct field_val *v = arena_calloc(cx->a, NSPEC, sizeof(*v));
    enum app_err rc;

    if (v == NULL)
        return APP_ENOMEM;
    rc = validate_fields(&cx->err_detail, fields, contact_spec, NSPEC, v,
                         errors);
    if (check_input(cx, rd, v, in, errors) != APP_OK)
        rc = APP_EVALIDATION;
    *version = v[9].present ? v[9].i : 0;
    return rc;
}

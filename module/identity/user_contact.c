/*
 * user_contact.c -- contact details and notification preferences
 * (user_contact.h).
 */
#include "identity/user_contact.h"

#include <string.h>

#include "base/buf.h"
#include "base/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "identity/role.h"

const char *const user_notify_kinds[] = { "task", "reminder", "alert", "system",
                                          NULL };
const char *const user_notify_channels[] = { "wecom", "email", NULL };

static const char SQL_GET[] =
    "SELECT id, display_name, email, mobile, wecom_id, notify_off, role, "
    "team_robot_url FROM users WHERE tenant_id = ? AND id = ?";
static const char SQL_SET[] =
    "UPDATE users SET email = ?, mobile = ?, wecom_id = ?, notify_off = ?, "
    "team_robot_url = ? WHERE tenant_id = ? AND id = ?";

bool
user_email_ok(struct str s)
{
    size_t i, at = 0, n_at = 0;

    if (s.len < 3 || s.len > USER_EMAIL_MAX)
        return false;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];

        if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == ',' ||
            c == ';' || c == '"' || c == '\\' || c == '(' || c == ')')
            return false;
        if (c == '@') {
            at = i;
            n_at++;
        }
    }
    /* local@domain.tld: one @, something before it, and a domain of
     * non-empty labels with at least one dot. */
    if (n_at != 1 || at == 0 || at + 1 >= s.len || s.p[at + 1] == '.' ||
        s.p[s.len - 1] == '.')
        return false;
    {
        bool dot = false;

        for (i = at + 1; i < s.len; i++) {
            if (s.p[i] == '.' && s.p[i - 1] == '.')
                return false;
            dot = dot || s.p[i] == '.';
        }
        return dot;
    }
}

bool
user_mobile_ok(struct str s)
{
    size_t i, digits = 0, start = 0;

    if (s.len == 0 || s.len > USER_MOBILE_MAX)
        return false;
    if (s.p[0] == '+')
        start = 1;
    for (i = start; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        digits++;
    }
    if (start == 0) /* a mainland mobile: 1[3-9] and 9 more digits */
        return digits == 11 && s.p[0] == '1' && s.p[1] >= '3' && s.p[1] <= '9';
    return digits >= 6 && digits <= 15 && s.p[1] != '0';
}

bool
user_wecom_ok(struct str s)
{
    size_t i;

    if (s.len == 0 || s.len > USER_WECOM_MAX)
        return false;
    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
              c == '@'))
            return false;
    }
    return true;
}

enum app_err
user_contact_get(struct ctx *cx, int64_t user_id, struct user_contact *out)
{
    struct db_res r;
    enum app_err rc;

    memset(out, 0, sizeof(*out));
    if (user_id != cx->user_id && !(cx->role & ROLE_ADMIN))
        return APP_ENOTFOUND;
    rc = db_query(cx->db, cx->a, SQL_GET,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(user_id)), 1, &r);
    if (rc == APP_OK && r.nrows == 0)
        rc = APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    out->user_id = user_id;
    out->name = db_text(&r, 0, 1);
    out->email = db_text(&r, 0, 2);
    out->mobile = db_text(&r, 0, 3);
    out->wecom_id = db_text(&r, 0, 4);
    out->notify_off = db_text(&r, 0, 5);
    out->leads_team = (role_from_name(db_cell(&r, 0, 6)) &
                       (ROLE_MANAGER | ROLE_SUPERVISOR)) != 0;
    out->team_robot_url = db_text(&r, 0, 7);
    return APP_OK;
}

/* Whether the form turned kind:channel on. */
static bool
pair_on(const struct kvlist *f, const char *pair)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        if (str_eq_c(f->v[i].key, "notify") && str_eq_c(f->v[i].val, pair))
            return true;
    }
    return false;
}

/* The pairs the form leaves off, as stored ("" when all are on). */
APP_MUST_USE static enum app_err
off_pairs(struct ctx *cx, const struct kvlist *f, const char *old,
          const char **out)
{
    struct buf b;
    int k, c;
    bool shown = false;
    size_t i;

    for (i = 0; i < f->n; i++)
        shown = shown || str_eq_c(f->v[i].key, "notify_shown");
    if (!shown) { /* the form did not show them: keep what was */
        *out = old;
        return APP_OK;
    }
    buf_init(&b, cx->a, 512);
    for (k = 0; user_notify_kinds[k] != NULL; k++) {
        for (c = 0; user_notify_channels[c] != NULL; c++) {
            const char *pair = arena_printf(
                cx->a, "%s:%s", user_notify_kinds[k], user_notify_channels[c]);

            if (pair == NULL)
                return APP_ENOMEM;
            if (pair_on(f, pair))
                continue;
            if ((b.len > 0 && buf_putc(&b, ',') != APP_OK) ||
                buf_puts(&b, pair) != APP_OK)
                return APP_ENOMEM;
        }
    }
    *out = b.len > 0 ? arena_strndup(cx->a, b.p, b.len) : "";
    return *out != NULL ? APP_OK : APP_ENOMEM;
}

enum app_err
user_contact_save(struct ctx *cx, int64_t user_id, const struct kvlist *f,
                  cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "email", V_LINE, false, 0, USER_EMAIL_MAX, NULL },
        { "mobile", V_LINE, false, 0, USER_MOBILE_MAX, NULL },
        { "wecom_id", V_LINE, false, 0, USER_WECOM_MAX, NULL },
        { "team_robot_url", V_LINE, false, 0, 500, NULL },
    };
    struct field_val v[4];
    struct user_contact cur;
    struct db_tx tx = DB_TX_INIT;
    static const char *const web[] = { "https://", "http://", NULL };
    struct str email, mobile, wecom, robot;
    const char *off;
    cJSON *d;
    enum app_err rc = user_contact_get(cx, user_id, &cur);

    if (rc == APP_OK)
        rc = validate_fields(&cx->err_detail, f, spec, 4, v, errors);
    if (rc != APP_OK)
        return rc;
    email = v[0].present ? v[0].s : STR_LIT("");
    mobile = v[1].present ? v[1].s : STR_LIT("");
    wecom = v[2].present ? v[2].s : STR_LIT("");
    if (email.len > 0 && !user_email_ok(email))
        cJSON_AddStringToObject(errors, "email", "user.bad_email");
    if (mobile.len > 0 && !user_mobile_ok(mobile))
        cJSON_AddStringToObject(errors, "mobile", "user.bad_mobile");
    if (wecom.len > 0 && !user_wecom_ok(wecom))
        cJSON_AddStringToObject(errors, "wecom_id", "user.bad_wecom");
    /* A manager's (or supervisor's) team robot; others have none. */
    robot = v[3].present && cur.leads_team ? v[3].s : str_c(cur.team_robot_url);
    if (robot.len > 0 && !validate_url(robot, 500, web))
        cJSON_AddStringToObject(errors, "team_robot_url", "channels.bad_url");
    if (cJSON_GetArraySize(errors) > 0) {
        cx->err_detail = "validate.failed";
        return APP_EVALIDATION;
    }
    rc = off_pairs(cx, f, cur.notify_off, &off);
    if (rc != APP_OK)
        return rc;
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", cur.name);
    cJSON_AddStringToObject(d, "notify_off", off);
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_SET,
                     DB_ARGS(DB_STR(email), DB_STR(mobile), DB_STR(wecom),
                             DB_CSTR(off), DB_STR(robot), DB_I64(cx->tenant_id),
                             DB_I64(user_id)),
                     NULL, NULL);
        if (rc == APP_OK)
            rc = audit_write(cx, cx->tenant_id, cx->user_id, user_id,
                             "user.contact", d);
    }
    cJSON_Delete(d);
    return rc;
}

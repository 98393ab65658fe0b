/*
 * channels.c -- a company's notification channels (channels.h).
 */
#include "work/channels.h"

#include <string.h>

#include <sodium.h>

#include "base/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "identity/seal.h"
#include "identity/user_contact.h"

static const char SQL_GET[] =
    "SELECT wecom_robot_url, webhook_url, webhook_secret <> '', smtp_url, "
    "smtp_user, smtp_password <> '', smtp_from FROM tenants WHERE id = ?";
static const char SQL_SET[] =
    "UPDATE tenants SET wecom_robot_url = ?, webhook_url = ?, smtp_url = ?, "
    "smtp_user = ?, smtp_from = ? WHERE id = ?";
static const char SQL_SMTP_PASSWORD[] =
    "UPDATE tenants SET smtp_password = ? WHERE id = ?";
static const char SQL_SECRET[] =
    "UPDATE tenants SET webhook_secret = ? WHERE id = ?";

bool
channels_url_ok(struct str url, size_t max)
{
    static const char *const web[] = { "https://", "http://", NULL };

    return validate_url(url, max, web);
}

enum app_err
channels_get(struct ctx *cx, struct channels *out)
{
    struct db_res r;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_GET, DB_ARGS(DB_I64(cx->tenant_id)), 1, &r);

    memset(out, 0, sizeof(*out));
    if (rc == APP_OK && r.nrows == 0)
        rc = APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    out->wecom_robot_url = db_text(&r, 0, 0);
    out->webhook_url = db_text(&r, 0, 1);
    out->has_secret = db_int(&r, 0, 2, 0) != 0;
    out->smtp_url = db_text(&r, 0, 3);
    out->smtp_user = db_text(&r, 0, 4);
    out->has_smtp_password = db_int(&r, 0, 5, 0) != 0;
    out->smtp_from = db_text(&r, 0, 6);
    return APP_OK;
}

/* The SMTP password, sealed into the row. */
APP_MUST_USE static enum app_err
smtp_password(struct ctx *cx, struct str pw)
{
    char sealed[SEAL_HEX_MAX];
    enum app_err rc = seal(cx->conf, (const uint8_t *)pw.p, pw.len, sealed);

    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_SMTP_PASSWORD,
                     DB_ARGS(DB_CSTR(sealed), DB_I64(cx->tenant_id)), NULL,
                     NULL);
    return rc;
}

/* A fresh secret, sealed into the row (in the caller's transaction). */
APP_MUST_USE static enum app_err
new_secret(struct ctx *cx, const char **hex)
{
    uint8_t key[CHANNEL_SECRET_BYTES];
    char sealed[SEAL_HEX_MAX], *text;
    enum app_err rc;

    randombytes_buf(key, sizeof(key));
    rc = seal(cx->conf, key, sizeof(key), sealed);
    text = arena_alloc(cx->a, CHANNEL_SECRET_BYTES * 2 + 1);
    if (rc == APP_OK && text == NULL)
        rc = APP_ENOMEM;
    if (rc == APP_OK) {
        sodium_bin2hex(text, CHANNEL_SECRET_BYTES * 2 + 1, key, sizeof(key));
        rc = db_exec(cx->db, SQL_SECRET,
                     DB_ARGS(DB_CSTR(sealed), DB_I64(cx->tenant_id)), NULL,
                     NULL);
    }
    sodium_memzero(key, sizeof(key));
    *hex = text;
    return rc;
}

enum app_err
channels_save(struct ctx *cx, const struct kvlist *f, cJSON *errors,
              const char **secret_hex)
{
    static const struct field_spec spec[] = {
        { "wecom_robot_url", V_LINE, false, 0, CHANNEL_URL_MAX, NULL },
        { "webhook_url", V_LINE, false, 0, CHANNEL_URL_MAX, NULL },
        { "smtp_url", V_LINE, false, 0, 300, NULL },
        { "smtp_user", V_LINE, false, 0, 200, NULL },
        { "smtp_password", V_SECRET, false, 0, SEAL_MAX_PLAIN, NULL },
        { "smtp_from", V_LINE, false, 0, 254, NULL },
    };
    static const char *const mail[] = { "smtps://", "smtp://", NULL };
    struct field_val v[6];
    struct str smtp, user, from;
    struct channels cur;
    struct db_tx tx = DB_TX_INIT;
    const char *robot, *hook;
    cJSON *d;
    enum app_err rc = validate_fields(&cx->err_detail, f, spec, 6, v, errors);

    *secret_hex = NULL;
    if (rc != APP_OK)
        return rc;
    robot = v[0].present ? arena_str(cx->a, v[0].s).p : "";
    hook = v[1].present ? arena_str(cx->a, v[1].s).p : "";
    if (robot[0] != '\0' && !channels_url_ok(str_c(robot), CHANNEL_URL_MAX))
        cJSON_AddStringToObject(errors, "wecom_robot_url", "channels.bad_url");
    if (hook[0] != '\0' && !channels_url_ok(str_c(hook), CHANNEL_URL_MAX))
        cJSON_AddStringToObject(errors, "webhook_url", "channels.bad_url");
    smtp = v[2].present ? v[2].s : STR_LIT("");
    user = v[3].present ? v[3].s : STR_LIT("");
    from = v[5].present ? v[5].s : STR_LIT("");
    if (smtp.len > 0 && !validate_url(smtp, 300, mail))
        cJSON_AddStringToObject(errors, "smtp_url", "channels.bad_smtp");
    if ((smtp.len > 0 || from.len > 0) && !user_email_ok(from))
        cJSON_AddStringToObject(errors, "smtp_from", "user.bad_email");
    if (cJSON_GetArraySize(errors) > 0) {
        cx->err_detail = "validate.failed";
        return APP_EVALIDATION;
    }
    rc = channels_get(cx, &cur);
    if (rc != APP_OK)
        return rc;
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "wecom_robot_url", robot);
    cJSON_AddStringToObject(d, "webhook_url", hook);
    cJSON_AddStringToObject(d, "smtp_url", arena_str(cx->a, smtp).p);
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_SET,
                     DB_ARGS(DB_CSTR(robot), DB_CSTR(hook), DB_STR(smtp),
                             DB_STR(user), DB_STR(from), DB_I64(cx->tenant_id)),
                     NULL, NULL);
        /* A password typed replaces the one kept; none keeps it -- for
         * the same server and user only: another server never gets the
         * kept password. */
        if (rc == APP_OK && v[4].present && v[4].s.len > 0)
            rc = smtp_password(cx, v[4].s);
        else if (rc == APP_OK && (!str_eq_c(smtp, cur.smtp_url) ||
                                  !str_eq_c(user, cur.smtp_user)))
            rc = db_exec(cx->db, SQL_SMTP_PASSWORD,
                         DB_ARGS(DB_CSTR(""), DB_I64(cx->tenant_id)), NULL,
                         NULL);
        if (rc == APP_OK && hook[0] != '\0' && !cur.has_secret)
            rc = new_secret(cx, secret_hex);
        if (rc == APP_OK)
            rc = audit_write(cx, cx->tenant_id, cx->user_id, 0,
                             "tenant.channels", d);
    }
    cJSON_Delete(d);
    return rc;
}

enum app_err
channels_rotate_secret(struct ctx *cx, const char **secret_hex)
{
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc;

    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = new_secret(cx, secret_hex);
        if (rc == APP_OK)
            rc = audit_write(cx, cx->tenant_id, cx->user_id, 0,
                             "tenant.webhook_secret", NULL);
    }
    return rc;
}

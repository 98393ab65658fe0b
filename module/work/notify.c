/*
 * notify.c -- notifications and their deliveries (notify.h).
 */
#include "work/notify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <sodium.h>

#include "base/conf.h"
#include "base/tz.h"
#include "sales/audits.h"

const char *const notify_kinds[] = { "task", "alert", "reminder", "system",
                                     NULL };
const char *const notify_channels[] = { "wecom", "email", NULL };

static const char SQL_ADD[] =
    "INSERT INTO notifications (tenant_id, user_id, kind, title, body, "
    "object_kind, object_id, dedup_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";
/* The recipient, the robot of the nearest team up the chain (the person's
 * own counts for a manager), and the company's channels. */
static const char SQL_RECIPIENT[] =
    "SELECT u.active, u.login, u.display_name, u.email, u.mobile, "
    "u.notify_off, COALESCE((SELECT m.team_robot_url FROM user_tree t "
    "JOIN users m ON m.id = t.ancestor_id AND m.tenant_id = t.tenant_id "
    "WHERE t.tenant_id = u.tenant_id AND t.descendant_id = u.id AND "
    "m.team_robot_url <> '' ORDER BY t.depth LIMIT 1), ''), "
    "tn.wecom_robot_url, tn.webhook_url, tn.smtp_url, tn.smtp_from, tn.slug "
    "FROM users u JOIN tenants tn ON tn.id = u.tenant_id "
    "WHERE u.tenant_id = ? AND u.id = ?";
static const char SQL_DELIVERY[] =
    "INSERT INTO deliveries (tenant_id, notification_id, channel, target, "
    "body, dedup_key, next_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = id";
static const char SQL_WEBHOOK_URL[] =
    "SELECT webhook_url, slug FROM tenants WHERE id = ?";
static const char SQL_LIST[] =
    "SELECT id, kind, title, body, COALESCE(object_kind, ''), "
    "COALESCE(object_id, 0), COALESCE(read_at, ''), created_at "
    "FROM notifications WHERE tenant_id = ? AND user_id = ? "
    "AND (? = 0 OR read_at IS NULL) AND (? = 0 OR id < ?) "
    "ORDER BY id DESC LIMIT ?";
static const char SQL_READ[] =
    "UPDATE notifications SET read_at = COALESCE(read_at, ?) "
    "WHERE tenant_id = ? AND user_id = ? AND id = ?";
static const char SQL_READ_ALL[] =
    "UPDATE notifications SET read_at = ? WHERE tenant_id = ? AND "
    "user_id = ? AND read_at IS NULL";
static const char SQL_UNREAD[] =
    "SELECT COUNT(*) FROM notifications WHERE tenant_id = ? AND "
    "user_id = ? AND read_at IS NULL";

enum {
    R_ACTIVE,
    R_LOGIN,
    R_NAME,
    R_EMAIL,
    R_MOBILE,
    R_OFF,
    R_TEAM_ROBOT,
    R_ROBOT,
    R_WEBHOOK,
    R_SMTP,
    R_SMTP_FROM,
    R_SLUG
};

static const char *
now_text(struct ctx *cx)
{
    char buf[32];

    return arena_strdup(cx->a, tz_utc_text(time(NULL), buf, sizeof(buf)));
}

/* Whether the person turned kind off on channel ("task:wecom,..."). */
static bool
turned_off(const char *off, const char *kind, const char *channel)
{
    size_t kl = strlen(kind), cl = strlen(channel);
    const char *p = off;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

        if (n == kl + 1 + cl && strncmp(p, kind, kl) == 0 && p[kl] == ':' &&
            strncmp(p + kl + 1, channel, cl) == 0)
            return true;
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

/* Where the object of a notification is, as a path ("" when none). */
static const char *
object_path(struct ctx *cx, const struct notice *n)
{
    if (n->object_kind == NULL || n->object_id <= 0)
        return "";
    if (strcmp(n->object_kind, "task") == 0)
        return arena_printf(cx->a, "/tasks/%lld", (long long)n->object_id);
    if (strcmp(n->object_kind, "customer") == 0)
        return arena_printf(cx->a, "/customers/%lld", (long long)n->object_id);
    if (strcmp(n->object_kind, SHELF_AUDIT_OBJECT) == 0)
        return arena_printf(cx->a, "/audits/%lld", (long long)n->object_id);
    return "";
}

static const char *
print_json(struct ctx *cx, cJSON *o)
{
    char *text = cJSON_PrintUnformatted(o);
    const char *out = text != NULL ? arena_strdup(cx->a, text) : NULL;

    cJSON_free(text);
    cJSON_Delete(o);
    return out;
}

/* Text people wrote, made inert in the robot's markdown: brackets and
 * angle brackets become their full-width forms, so no link, mention or
 * tag can be smuggled into the company's group as the company's robot. */
static const char *
md_inert(struct ctx *cx, const char *s)
{
    static const struct {
        char c;
        const char *wide;
    } map[] = { { '[', "\xef\xbc\xbb" },
                { ']', "\xef\xbc\xbd" },
                { '<', "\xef\xbc\x9c" },
                { '>', "\xef\xbc\x9e" },
                { '`', "\xef\xbd\x80" } };
    size_t n = strlen(s), i, o = 0, k;
    char *out = arena_alloc(cx->a, n * 3 + 1);

    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        for (k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
            if (s[i] == map[k].c)
                break;
        }
        if (k < sizeof(map) / sizeof(map[0])) {
            memcpy(out + o, map[k].wide, 3);
            o += 3;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* The robot's markdown message. */
static const char *
wecom_body(struct ctx *cx, const struct notice *n, const struct db_res *r,
           const char *link)
{
    cJSON *o, *md, *mentions;
    const char *body = md_inert(cx, n->body != NULL ? n->body : "");
    const char *title = md_inert(cx, n->title);
    char *text = body == NULL || title == NULL
                     ? NULL
                     : arena_printf(cx->a, "**%s**\n%s%s%s%s%s%s", title, body,
                                    body[0] != '\0' ? "\n" : "",
                                    link[0] != '\0' ? "[" : "", link,
                                    link[0] != '\0' ? "](" : "",
                                    link[0] != '\0' ? link : "");
    size_t len;

    if (text == NULL)
        return NULL;
    if (link[0] != '\0') {
        text = arena_printf(cx->a, "%s)", text);
        if (text == NULL)
            return NULL;
    }
    o = cJSON_CreateObject();
    len = utf8_cut(text, strlen(text), NOTIFY_WECOM_MAX);
    cJSON_AddStringToObject(o, "msgtype", "markdown");
    md = cJSON_AddObjectToObject(o, "markdown");
    cJSON_AddStringToObject(md, "content", arena_strndup(cx->a, text, len));
    if (db_text(r, 0, R_MOBILE)[0] != '\0') {
        mentions = cJSON_AddArrayToObject(md, "mentioned_mobile_list");
        cJSON_AddItemToArray(mentions,
                             cJSON_CreateString(db_text(r, 0, R_MOBILE)));
    }
    return print_json(cx, o);
}

/* The webhook's JSON: the event and its data. */
static const char *
webhook_body(struct ctx *cx, const char *event, const char *slug,
             const char *key, cJSON *data)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "event", event);
    cJSON_AddStringToObject(o, "id", key);
    cJSON_AddStringToObject(o, "company", slug);
    cJSON_AddStringToObject(o, "created_at", now_text(cx));
    cJSON_AddItemToObject(o, "data", data);
    return print_json(cx, o);
}

/* Lines ended with CRLF, as SMTP wants (a bare LF is refused by some
 * servers). */
static const char *
crlf(struct ctx *cx, const char *s)
{
    size_t n = strlen(s), i, o = 0;
    char *out = arena_alloc(cx->a, n * 2 + 1);

    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

/* An e-mail message (RFC 5322, UTF-8, the subject encoded). */
static const char *
email_body(struct ctx *cx, const struct notice *n, const struct db_res *r,
           const char *link)
{
    char date[64];
    time_t t = time(NULL);
    struct tm tm;
    size_t slen = strlen(n->title);
    size_t elen =
        sodium_base64_ENCODED_LEN(slen, sodium_base64_VARIANT_ORIGINAL);
    char *enc = arena_alloc(cx->a, elen);
    const char *body = crlf(cx, n->body != NULL ? n->body : "");

    if (enc == NULL || body == NULL)
        return NULL;
    sodium_bin2base64(enc, elen, (const unsigned char *)n->title, slen,
                      sodium_base64_VARIANT_ORIGINAL);
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return arena_printf(
        cx->a,
        "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n\r\n%s\r\n",
        date, db_text(r, 0, R_SMTP_FROM), db_text(r, 0, R_EMAIL), enc, body,
        link);
}

APP_MUST_USE static enum app_err
queue(struct ctx *cx, int64_t nid, const char *channel, const char *target,
      const char *body, const char *key)
{
    if (body == NULL)
        return APP_ENOMEM;
    return db_exec(cx->db, SQL_DELIVERY,
                   DB_ARGS(DB_I64(cx->tenant_id),
                           nid > 0 ? DB_I64(nid) : DB_NULL, DB_CSTR(channel),
                           DB_CSTR(target), DB_CSTR(body), DB_CSTR(key),
                           DB_CSTR(now_text(cx))),
                   NULL, NULL);
}

/* The deliveries of notification nid on the recipient's channels. */
APP_MUST_USE static enum app_err
fan_out(struct ctx *cx, const struct notice *n, int64_t nid,
        const struct db_res *r)
{
    const char *off = db_text(r, 0, R_OFF), *path = object_path(cx, n);
    const char *robot = db_text(r, 0, R_TEAM_ROBOT);
    const char *link =
        path[0] != '\0' && cx->conf->public_origin[0] != '\0'
            ? arena_printf(cx->a, "%s%s", cx->conf->public_origin, path)
            : path;
    enum app_err rc = APP_OK;

    if (robot[0] == '\0')
        robot = db_text(r, 0, R_ROBOT);
    if (robot[0] != '\0' && !turned_off(off, n->kind, "wecom"))
        rc = queue(cx, nid, "wecom", robot, wecom_body(cx, n, r, link),
                   arena_printf(cx->a, "n:%lld:wecom", (long long)nid));
    if (rc == APP_OK && db_text(r, 0, R_EMAIL)[0] != '\0' &&
        db_text(r, 0, R_SMTP)[0] != '\0' && !turned_off(off, n->kind, "email"))
        rc = queue(cx, nid, "email", db_text(r, 0, R_EMAIL),
                   email_body(cx, n, r, link),
                   arena_printf(cx->a, "n:%lld:email", (long long)nid));
    if (rc == APP_OK && db_text(r, 0, R_WEBHOOK)[0] != '\0') {
        const char *key = arena_printf(cx->a, "n:%lld:webhook", (long long)nid);
        cJSON *d = cJSON_CreateObject();

        cJSON_AddNumberToObject(d, "notification", (double)nid);
        cJSON_AddStringToObject(d, "kind", n->kind);
        cJSON_AddStringToObject(d, "recipient", db_text(r, 0, R_LOGIN));
        cJSON_AddStringToObject(d, "title", n->title);
        cJSON_AddStringToObject(d, "body", n->body != NULL ? n->body : "");
        cJSON_AddStringToObject(d, "link", link);
        rc = queue(
            cx, nid, "webhook", db_text(r, 0, R_WEBHOOK),
            webhook_body(cx, "notification", db_text(r, 0, R_SLUG), key, d),
            key);
    }
    return rc;
}

enum app_err
notify(struct ctx *cx, const struct notice *n, int64_t *id, bool *created)
{
    struct db_res r;
    uint64_t last = 0, affected = 0;
    enum app_err rc;

    *id = 0;
    *created = false;
    rc = db_query(cx->db, cx->a, SQL_RECIPIENT,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(n->user_id)), 1, &r);
    if (rc != APP_OK || r.nrows == 0 || db_int(&r, 0, R_ACTIVE, 0) == 0)
        return rc;
    rc = db_exec(
        cx->db, SQL_ADD,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(n->user_id), DB_CSTR(n->kind),
                DB_CSTR(n->title), DB_CSTR(n->body != NULL ? n->body : ""),
                n->object_kind != NULL ? DB_CSTR(n->object_kind) : DB_NULL,
                n->object_id > 0 ? DB_I64(n->object_id) : DB_NULL,
                n->dedup_key != NULL ? DB_CSTR(n->dedup_key) : DB_NULL),
        &affected, &last);
    if (rc != APP_OK)
        return rc;
    *id = (int64_t)last;
    /* ON DUPLICATE KEY ... LAST_INSERT_ID(id): 1 row for an insert, 2 for
     * the update of the row that was already there. */
    *created = affected == 1;
    if (!*created)
        return APP_OK;
    return fan_out(cx, n, *id, &r);
}

enum app_err
notify_webhook(struct ctx *cx, const char *event, const char *json_data,
               const char *dedup_key)
{
    struct db_res r;
    cJSON *d;
    enum app_err rc = db_query(cx->db, cx->a, SQL_WEBHOOK_URL,
                               DB_ARGS(DB_I64(cx->tenant_id)), 1, &r);

    if (rc != APP_OK || r.nrows == 0 || db_text(&r, 0, 0)[0] == '\0')
        return rc;
    d = cJSON_Parse(json_data);
    if (d == NULL)
        return APP_EINVAL;
    return queue(cx, 0, "webhook", db_text(&r, 0, 0),
                 webhook_body(cx, event, db_text(&r, 0, 1), dedup_key, d),
                 dedup_key);
}

enum app_err
notify_list(struct ctx *cx, bool unread, int64_t before_id, size_t max,
            struct db_res *out)
{
    if (max > NOTIFY_LIST_MAX)
        max = NOTIFY_LIST_MAX;
    return db_query(cx->db, cx->a, SQL_LIST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id),
                            DB_I64(unread), DB_I64(before_id > 0),
                            DB_I64(before_id), DB_I64((int64_t)max)),
                    max, out);
}

enum app_err
notify_read(struct ctx *cx, int64_t id)
{
    struct db_res r;
    enum app_err rc;

    /* The row first: reading twice is no error, another's is not found. */
    rc = db_query(
        cx->db, cx->a,
        "SELECT id FROM notifications WHERE tenant_id = ? AND "
        "user_id = ? AND id = ?",
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_I64(id)), 1, &r);
    if (rc == APP_OK && r.nrows == 0)
        return APP_ENOTFOUND;
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_READ,
                     DB_ARGS(DB_CSTR(now_text(cx)), DB_I64(cx->tenant_id),
                             DB_I64(cx->user_id), DB_I64(id)),
                     NULL, NULL);
    return rc;
}

enum app_err
notify_read_all(struct ctx *cx, int64_t *n)
{
    uint64_t affected = 0;
    enum app_err rc =
        db_exec(cx->db, SQL_READ_ALL,
                DB_ARGS(DB_CSTR(now_text(cx)), DB_I64(cx->tenant_id),
                        DB_I64(cx->user_id)),
                &affected, NULL);

    *n = (int64_t)affected;
    return rc;
}

enum app_err
notify_unread(struct ctx *cx, int64_t *n)
{
    struct db_res r;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_UNREAD,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id)), 1, &r);

    *n = rc == APP_OK && r.nrows == 1 ? db_int(&r, 0, 0, 0) : 0;
    return rc;
}

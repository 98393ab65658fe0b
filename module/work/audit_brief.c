/*
 * audit_brief.c -- the comparison brief of a shelf audit (audit_brief.h).
 */
#include "work/audit_brief.h"

#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "sales/audits.h"
#include "work/notice_text.h"
#include "work/notify.h"

#define BRIEF_MAX 3500             /* bytes of a body: fits a WeCom message */
#define BRIEF_LINKS 600            /* kept for the two links at the end */
#define BRIEF_LINE_MAX (64 * 1024) /* one line before the cut */
#define BRIEF_ITEMS 8              /* products named per list */

static const char SQL_MANAGER[] =
    "SELECT COALESCE(m.id, 0), COALESCE(m.locale, t.locale) FROM users u "
    "JOIN tenants t ON t.id = u.tenant_id LEFT JOIN users m ON "
    "m.id = u.manager_id AND m.tenant_id = u.tenant_id AND m.active = 1 "
    "WHERE u.tenant_id = ? AND u.id = ?";
static const char SQL_ADMINS[] =
    "SELECT u.id, COALESCE(u.locale, t.locale) FROM users u JOIN tenants t "
    "ON t.id = u.tenant_id WHERE u.tenant_id = ? AND u.role = 'admin' AND "
    "u.active = 1 AND u.id <> ? ORDER BY u.id LIMIT 20";

static const char *
text(struct ctx *cx, const char *lang, const char *key)
{
    return notice_text(cx, lang, key);
}

/* Room for a whole line of many products: the body as a whole is cut to
 * BRIEF_MAX after a whole character (body_of), not a value dropped here. */
static const char *
fill(struct ctx *cx, const char *tmpl, const char *const *pairs)
{
    return notice_fill(cx, tmpl, pairs, BRIEF_LINE_MAX);
}

static const char *
num(struct ctx *cx, const cJSON *o, const char *key)
{
    return arena_printf(cx->a, "%g",
                        cJSON_GetNumberValue(cJSON_GetObjectItem(o, key)));
}

static const char *
yuan(struct ctx *cx, const cJSON *o, const char *key)
{
    double fen = cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));

    return arena_printf(cx->a, "%.2f", fen / 100.0);
}

/* "a, b, c" of up to BRIEF_ITEMS items, each fmt filled from the item. */
static const char *
list_of(struct ctx *cx, const char *lang, const cJSON *items, const char *key)
{
    const cJSON *it;
    const char *out = "";
    int n = 0;

    cJSON_ArrayForEach(it, items)
    {
        const char *delta = num(cx, it, "delta");
        const char *pairs[] = {
            "sku",
            cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku")),
            "name",
            cJSON_GetStringValue(cJSON_GetObjectItem(it, "name")),
            "brand",
            cJSON_GetStringValue(cJSON_GetObjectItem(it, "brand")),
            "pct",
            num(cx, it, "pct"),
            "before",
            num(cx, it, "before"),
            "after",
            num(cx, it, "after"),
            "delta",
            delta[0] == '-' ? delta : arena_printf(cx->a, "+%s", delta),
            "before_price",
            yuan(cx, it, "before_fen"),
            "after_price",
            yuan(cx, it, "after_fen"),
            NULL
        };

        if (n >= BRIEF_ITEMS)
            break;
        if (strcmp(key, "shelf.brief_product") == 0 &&
            cJSON_GetNumberValue(cJSON_GetObjectItem(it, "delta")) == 0)
            continue; /* unchanged */
        for (size_t i = 1; pairs[i - 1] != NULL; i += 2)
            if (pairs[i] == NULL)
                pairs[i] = "";
        out = arena_printf(cx->a, "%s%s%s", out,
                           n > 0 ? text(cx, lang, "shelf.brief_sep") : "",
                           fill(cx, text(cx, lang, key), pairs));
        n++;
    }
    return out;
}

/* Append line key (filled from pairs) to out when cond. */
static const char *
add_line(struct ctx *cx, const char *out, const char *lang, const char *key,
         const char *const *pairs, bool cond)
{
    if (!cond)
        return out;
    return arena_printf(cx->a, "%s%s%s", out, out[0] != '\0' ? "\n" : "",
                        fill(cx, text(cx, lang, key), pairs));
}

/* The body: share, brands, change, links. */
static const char *
body_of(struct ctx *cx, const char *lang, const cJSON *s)
{
    const cJSON *share = cJSON_GetObjectItem(s, "share");
    const cJSON *ch = cJSON_GetObjectItem(s, "change");
    bool changed = cJSON_IsObject(ch);
    const char *origin = cx->conf->public_origin;
    double fid = cJSON_GetNumberValue(cJSON_GetObjectItem(s, "photo_file_id"));
    const char *delta = changed ? num(cx, ch, "own_pct_delta") : "";
    const char *products =
        changed ? list_of(cx, lang, cJSON_GetObjectItem(ch, "products"),
                          "shelf.brief_product")
                : "";
    const char *added = changed
                            ? list_of(cx, lang, cJSON_GetObjectItem(ch, "new"),
                                      "shelf.brief_name")
                            : "";
    const char *gone = changed
                           ? list_of(cx, lang, cJSON_GetObjectItem(ch, "gone"),
                                     "shelf.brief_name")
                           : "";
    const char *prices =
        changed ? list_of(cx, lang, cJSON_GetObjectItem(ch, "prices"),
                          "shelf.brief_price")
                : "";
    const char *pairs[] = {
        "own_pct",
        num(cx, share, "own_pct"),
        "comp_pct",
        num(cx, share, "competitor_pct"),
        "own",
        num(cx, share, "own_facings"),
        "total",
        num(cx, share, "total_facings"),
        "brands",
        list_of(cx, lang, cJSON_GetObjectItem(share, "brands"),
                "shelf.brief_brand"),
        "delta",
        delta[0] == '-' ? delta : arena_printf(cx->a, "+%s", delta),
        "products",
        products,
        "new",
        added,
        "gone",
        gone,
        "prices",
        prices,
        "audit",
        arena_printf(cx->a, "%s/audits/%.0f", origin,
                     cJSON_GetNumberValue(cJSON_GetObjectItem(s, "id"))),
        "photo",
        fid > 0 ? arena_printf(cx->a, "%s/files/%.0f", origin, fid) : "",
        NULL
    };
    const char *out = "";

    out = add_line(cx, out, lang, "shelf.brief_share", pairs, true);
    out = add_line(cx, out, lang, "shelf.brief_brands", pairs, true);
    out = add_line(cx, out, lang, "shelf.brief_first", pairs, !changed);
    out = add_line(cx, out, lang, "shelf.brief_change", pairs, changed);
    out = add_line(cx, out, lang, "shelf.brief_products", pairs,
                   products[0] != '\0');
    out = add_line(cx, out, lang, "shelf.brief_new", pairs, added[0] != '\0');
    out = add_line(cx, out, lang, "shelf.brief_gone", pairs, gone[0] != '\0');
    out =
        add_line(cx, out, lang, "shelf.brief_prices", pairs, prices[0] != '\0');
    /* The figures within the body's limit (cut after a whole character),
     * the links always after them. */
    if (strlen(out) > BRIEF_MAX - BRIEF_LINKS) {
        size_t keep = utf8_cut(out, strlen(out), BRIEF_MAX - BRIEF_LINKS - 4);

        out = arena_printf(cx->a, "%.*s…\n", (int)keep, out);
        if (out == NULL)
            out = "";
    }
    out = add_line(cx, out, lang, "shelf.brief_link", pairs, true);
    return add_line(cx, out, lang, "shelf.brief_photo", pairs, fid > 0);
}

/* One recipient's notification in their language. */
APP_MUST_USE static enum app_err
send_to(struct ctx *cx, int64_t user, const char *locale, const cJSON *s)
{
    const char *lang = i18n_lang(str_c(locale));
    const char *pairs[] = {
        "customer",
        cJSON_GetStringValue(cJSON_GetObjectItem(s, "customer_name")), "rep",
        cJSON_GetStringValue(cJSON_GetObjectItem(s, "rep_name")), NULL
    };
    struct notice n;
    int64_t id;
    bool created;

    if (lang == NULL)
        lang = I18N_DEFAULT;
    memset(&n, 0, sizeof(n));
    n.user_id = user;
    n.kind = "alert";
    n.title = fill(cx, text(cx, lang, "shelf.brief_title"), pairs);
    n.body = body_of(cx, lang, s);
    n.object_kind = SHELF_AUDIT_OBJECT;
    n.object_id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(s, "id"));
    return notify(cx, &n, &id, &created);
}

enum app_err
audit_brief_event(struct ctx *cx, const char *event, const char *object_kind,
                  int64_t object_id)
{
    struct db_res m;
    cJSON *s = NULL;
    int64_t who;
    size_t i;
    enum app_err rc;

    (void)object_kind;
    if (event == NULL || strcmp(event, SHELF_AUDIT_EVENT) != 0)
        return APP_OK;
    rc = audits_summary(cx, object_id, &s);
    /* Whoever saved these lines (a rep, or a manager on the team's visit);
     * without a person (a job), the one who began the audit. */
    who = cx->user_id;
    if (rc == APP_OK && who <= 0)
        who = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(s, "rep_id"));
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_MANAGER,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(who)), 1, &m);
    if (rc == APP_OK && (m.nrows == 0 || db_int(&m, 0, 0, 0) == 0))
        rc = db_query(cx->db, cx->a, SQL_ADMINS,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(who)), 20, &m);
    for (i = 0; rc == APP_OK && i < m.nrows; i++)
        if (db_int(&m, i, 0, 0) > 0)
            rc = send_to(cx, db_int(&m, i, 0, 0), db_text(&m, i, 1), s);
    cJSON_Delete(s);
    return rc;
}

/*
 * notice_text.c -- catalog text for stored notifications (notice_text.h).
 */
#include "work/notice_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/conf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "db/db.h"

static const char SQL_TENANT_LOCALE[] =
    "SELECT locale FROM tenants WHERE id = ?";
static const char SQL_USER_LOCALE[] =
    "SELECT COALESCE(u.locale, t.locale) FROM users u JOIN tenants t ON "
    "t.id = u.tenant_id WHERE u.tenant_id = ? AND u.id = ?";

/* The catalogs, loaded once per process on first use. */
static struct i18n *catalogs;
static bool catalogs_tried;

const char *
notice_text(struct ctx *cx, const char *lang, const char *key)
{
    const char *code = lang != NULL ? i18n_lang(str_c(lang)) : NULL;
    const char *t;

    if (!catalogs_tried) {
        char dir[CONF_STR_MAX + 8], err[256];

        catalogs_tried = true;
        snprintf(dir, sizeof(dir), "%s/i18n", cx->conf->templates_dir);
        if (i18n_load(dir, &catalogs, err, sizeof(err)) != APP_OK)
            log_warn("notice_text.catalogs", "error=%s", log_q(err));
    }
    t = catalogs != NULL
            ? i18n_text(catalogs, code != NULL ? code : I18N_DEFAULT, key)
            : NULL;
    return t != NULL ? t : key;
}

const char *
notice_fill(struct ctx *cx, const char *tmpl, const char *const *pairs,
            size_t max)
{
    struct buf b;
    const char *p = tmpl;

    buf_init(&b, cx->a, max);
    while (*p != '\0') {
        size_t i;
        bool done = false;

        for (i = 0; *p == '{' && pairs[i] != NULL && !done; i += 2) {
            size_t n = strlen(pairs[i]);

            if (strncmp(p + 1, pairs[i], n) == 0 && p[n + 1] == '}') {
                app_ignore(
                    buf_puts(&b, pairs[i + 1] != NULL ? pairs[i + 1] : ""),
                    "a text cut at its limit is still a text");
                p += n + 2;
                done = true;
            }
        }
        if (!done)
            app_ignore(buf_putc(&b, *p++), "cut at the limit");
    }
    return arena_strndup(cx->a, b.p != NULL ? b.p : "", b.len);
}

const char *
notice_locale(struct ctx *cx, int64_t user_id)
{
    struct db_res r;
    enum app_err rc =
        user_id > 0
            ? db_query(cx->db, cx->a, SQL_USER_LOCALE,
                       DB_ARGS(DB_I64(cx->tenant_id), DB_I64(user_id)), 1, &r)
            : db_query(cx->db, cx->a, SQL_TENANT_LOCALE,
                       DB_ARGS(DB_I64(cx->tenant_id)), 1, &r);

    return rc == APP_OK && r.nrows > 0 ? db_text(&r, 0, 0) : NULL;
}

/*
 * privacy_pages.c -- data protection for one contact person (admins):
 * everything held about them as a JSON download (also the API), and
 * their erasure after a typed confirmation; everything held about the
 * whole company as a tar download; the erasure of the whole company,
 * asked by one admin and confirmed by another (sales/privacy.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/log.h"
#include "base/tz.h"
#include "db/db.h"
#include "http/app.h"
#include "http/router.h"
#include "sales/contacts.h"
#include "sales/privacy.h"
#include "web/api_json.h"
#include "web/auth.h"
#include "web/handlers/privacy_pages.h"
#include "web/view.h"

enum app_err
contact_export(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    cJSON *o = NULL;
    enum app_err rc;

    rc = privacy_contact_export(&r->cx, id, &o);
    if (rc != APP_OK)
        return rc;
    if (r->route != NULL && (r->route->flags & RF_API) != 0)
        return api_send(r, 200, o);
    rc = http_header(r, "Content-Disposition",
                     arena_printf(r->a,
                                  "attachment; filename=\"contact-%lld"
                                  ".json\"",
                                  (long long)id));
    if (rc == APP_OK)
        rc = http_json(r, 200, o);
    cJSON_Delete(o);
    return rc;
}

enum app_err
contact_erase(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    const struct str *typed = http_form(r, "typed_id");
    char want[24];
    struct contact k;
    enum app_err rc = contacts_get(&r->cx, id, &k);

    if (rc != APP_OK)
        return rc;
    snprintf(want, sizeof(want), "%lld", (long long)id);
    /* The admin types the contact's number: a slip of the mouse cannot
     * erase a person. */
    if (typed == NULL || !str_eq_c(*typed, want)) {
        r->cx.err_detail = "privacy.erase_typed";
        return APP_EVALIDATION;
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);)
        rc = privacy_contact_erase(&r->cx, id);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, arena_printf(r->a, "/customers/%lld#chain",
                                         (long long)k.customer_id));
}

enum app_err
admin_privacy(struct req *r)
{
    struct privacy_erase_req p;
    cJSON *m = view_new(r), *o;
    enum app_err rc =
        m != NULL ? privacy_tenant_erase_pending(&r->cx, &p) : APP_ENOMEM;

    if (rc != APP_OK)
        return rc;
    if (p.id != 0) {
        o = cJSON_AddObjectToObject(m, "pending");
        if (o == NULL ||
            !view_add_str(o, "requested_login", p.requested_login) ||
            !view_add_str(o, "requested_at", p.requested_at) ||
            cJSON_AddBoolToObject(o, "mine", p.requested_by == r->cx.user_id) ==
                NULL)
            return APP_ENOMEM;
    }
    return view_page(r, 200, "pages/admin_privacy", m);
}

/* An anonymous temporary file in tmp_dir: created, then unlinked at
 * once, so that nothing of the archive stays behind whatever happens to
 * the worker.  NULL (logged) when it cannot be made. */
static FILE *
anonymous_tmp(struct req *r)
{
    char *path =
        arena_printf(r->a, "%s/privacy-export-XXXXXX", r->app->conf.tmp_dir);
    int fd = path != NULL ? mkstemp(path) : -1;
    FILE *f;

    if (fd < 0) {
        log_error("privacy.export_tmp", "dir=%s errno=%d",
                  log_q(r->app->conf.tmp_dir), errno);
        return NULL;
    }
    unlink(path);
    f = fdopen(fd, "w+b");
    if (f == NULL)
        close(fd);
    return f;
}

/* The archive is written whole to the temporary file in a transaction
 * that commits its audit entry (privacy.tenant_export) -- and reads every
 * table in one snapshot -- before a byte is sent: a download that was
 * sent is audited.  A failed export rolls its entry back and answers an
 * error page.  Then the file is streamed, never held in memory. */
enum app_err
admin_privacy_export(struct req *r)
{
    FILE *f = anonymous_tmp(r);
    uint64_t rows = 0;
    long size = -1;
    char day[16];
    struct tm tm;
    enum app_err rc = f != NULL ? APP_OK : APP_EIO;

    for (struct db_tx tx = DB_TX_INIT;
         f != NULL && db_tx_next(r->app->db, &tx, &rc);) {
        /* A retried transaction starts the archive over. */
        rewind(f);
        rc = ftruncate(fileno(f), 0) == 0
                 ? privacy_export_tenant(&r->cx, f, &rows)
                 : APP_EIO;
    }
    if (rc == APP_OK &&
        (fflush(f) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0))
        rc = APP_EIO;
    tz_local(r->cx.tenant_tz, time(NULL), &tm);
    strftime(day, sizeof(day), "%Y%m%d", &tm);
    if (rc == APP_OK)
        rc = http_header(
            r, "Content-Disposition",
            arena_printf(r->a,
                         "attachment; filename=\"proofline-%s-"
                         "%s.tar\"",
                         r->auth != NULL ? r->auth->tenant_slug : "company",
                         day));
    if (rc == APP_OK) {
        r->status = 200;
        r->content_type = "application/x-tar";
        rc = http_send_file(r, f, (uint64_t)size);
        if (rc != APP_OK && r->sent) {
            /* Too late for an error page: the client gets a short body. */
            log_warn("privacy.export_send", "rows=%llu bytes=%ld error=%s",
                     (unsigned long long)rows, size, app_strerror(rc));
            rc = APP_OK;
        }
    }
    if (f != NULL)
        fclose(f);
    return rc;
}

enum app_err
admin_privacy_erase(struct req *r)
{
    enum app_err rc;

    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);)
        rc = privacy_tenant_erase_request(&r->cx);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/admin/privacy#erase");
}

enum app_err
admin_privacy_erase_confirm(struct req *r)
{
    const struct str *typed = http_form(r, "typed_slug");
    size_t files = 0;
    enum app_err rc;

    /* The second admin types the company code. */
    if (typed == NULL || r->auth == NULL ||
        !str_eq_c(*typed, r->auth->tenant_slug)) {
        r->cx.err_detail = "privacy.slug_typed";
        return APP_EVALIDATION;
    }
    rc = privacy_tenant_erase_confirm(&r->cx, r->auth->login, false, &files);
    if (rc == APP_EFORBIDDEN)
        r->cx.err_detail = "privacy.same_admin";
    if (rc == APP_ETIMEOUT) {
        r->cx.err_detail = "privacy.expired";
        rc = APP_ECONFLICT;
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/login");
}

/*
 * activity_audio.c -- recordings attached to an activity
 * (activity_audio.h).
 */
#include "sales/activity_audio.h"

#include <string.h>

#include "identity/role.h"
#include "sales/activities.h"
#include "sales/customers.h"
#include "sales/files.h"

static const char SQL_ADD[] =
    "INSERT INTO activity_audio (tenant_id, activity_id, file_id, "
    "uploaded_by) VALUES (?, ?, ?, ?)";
static const char SQL_LIST[] =
    "SELECT a.id, a.file_id, f.mime, a.uploaded_at, COALESCE(u.display_name, "
    "'') "
    "FROM activity_audio a JOIN files f ON f.id = a.file_id AND "
    "f.tenant_id = a.tenant_id LEFT JOIN users u ON u.id = a.uploaded_by AND "
    "u.tenant_id = a.tenant_id WHERE a.tenant_id = ? AND a.activity_id = ? "
    "ORDER BY a.id";

enum app_err
activity_audio_list(struct ctx *cx, int64_t activity_id, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_LIST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(activity_id)),
                    ACT_AUDIO_MAX + 1, out);
}

/* Who may still add a recording: the rep who did it, or a lead (a
 * manager on a joint visit) -- not another rep who merely sees it -- and
 * only until a manager reviewed it (evidence does not grow after it was
 * judged).  In the caller's transaction, under the customer's lock. */
APP_MUST_USE static enum app_err
may_add(struct ctx *cx, int64_t activity_id)
{
    struct db_res act, have;
    enum app_err rc = activities_get(cx, activity_id, &act);

    if (rc == APP_OK)
        rc = customers_lock(cx, db_int(&act, 0, AC_CUSTOMER_ID, 0));
    if (rc == APP_OK)
        rc = activities_get(cx, activity_id, &act);
    if (rc != APP_OK)
        return rc;
    if (db_int(&act, 0, AC_REP_ID, 0) != cx->user_id &&
        !role_can_manage(cx->role)) {
        cx->err_detail = "activity.not_yours";
        return APP_EFORBIDDEN;
    }
    if (db_text(&act, 0, AC_REVIEWED_AT)[0] != '\0') {
        cx->err_detail = "activity.reviewed";
        return APP_ECONFLICT;
    }
    rc = activity_audio_list(cx, activity_id, &have);
    if (rc == APP_OK && have.nrows >= ACT_AUDIO_MAX) {
        cx->err_detail = "activity.too_many_audio";
        rc = APP_ETOOBIG;
    }
    return rc;
}

enum app_err
activity_audio_add(struct ctx *cx, int64_t activity_id, const struct upload *u,
                   int64_t *id)
{
    struct db_res act;
    struct db_tx tx = DB_TX_INIT;
    const char *mime;
    uint64_t last = 0;
    int64_t file_id = 0;
    enum app_err rc = activities_get(cx, activity_id, &act);

    *id = 0;
    if (rc != APP_OK)
        return rc;
    if (u == NULL) {
        cx->err_detail = "activity.no_audio_file";
        return APP_EVALIDATION;
    }
    if (!files_is_audio(files_sniff_upload(u))) {
        cx->err_detail = "activity.not_audio";
        return APP_EVALIDATION;
    }
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc = may_add(cx, activity_id);
        if (rc == APP_OK)
            rc = files_store(cx, u, db_int(&act, 0, AC_CUSTOMER_ID, 0),
                             &file_id, &mime);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_ADD,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_I64(activity_id),
                                 DB_I64(file_id), DB_I64(cx->user_id)),
                         NULL, &last);
    }
    *id = (int64_t)last;
    return rc;
}

/*
 * loss_focus.c -- the stage under loss focus, one row per company.
 */
#include "sales/loss_focus.h"

#include <stdio.h>
#include <string.h>

#include "db/db.h"

static const char SQL_GET[] =
    "SELECT stage, losses, DATE_FORMAT(since, '%Y-%m-%d %H:%i:%s') "
    "FROM loss_focus WHERE tenant_id = ?";

/* `since` is assigned before `stage` changes (MariaDB applies the
 * assignments left to right). */
static const char SQL_SET[] =
    "INSERT INTO loss_focus (tenant_id, stage, losses, since, checked_at) "
    "VALUES (?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3)) "
    "ON DUPLICATE KEY UPDATE "
    "since = IF(stage = VALUES(stage), since, VALUES(since)), "
    "stage = VALUES(stage), losses = VALUES(losses), "
    "checked_at = VALUES(checked_at)";

static const char SQL_CLEAR[] = "DELETE FROM loss_focus WHERE tenant_id = ?";

enum app_err
loss_focus_get(struct ctx *cx, const struct ruledesc *rd,
               struct loss_focus *out)
{
    struct db_res res;
    enum app_err rc;

    memset(out, 0, sizeof(*out));
    out->since = "";
    if (!ruledesc_focus_adds(rd))
        return APP_OK;
    rc = db_query(cx->db, cx->a, SQL_GET, DB_ARGS(DB_I64(cx->tenant_id)), 1,
                  &res);
    if (rc != APP_OK || res.nrows == 0)
        return rc;
    snprintf(out->stage, sizeof(out->stage), "%s", db_text(&res, 0, 0));
    out->losses = db_int(&res, 0, 1, 0);
    out->since = db_text(&res, 0, 2);
    return APP_OK;
}

enum app_err
loss_focus_stage(struct ctx *cx, const struct ruledesc *rd, const char **stage)
{
    struct loss_focus f;
    enum app_err rc = loss_focus_get(cx, rd, &f);

    *stage = NULL;
    if (rc == APP_OK && f.stage[0] != '\0') {
        *stage = arena_strndup(cx->a, f.stage, strlen(f.stage));
        if (*stage == NULL)
            rc = APP_ENOMEM;
    }
    return rc;
}

const char *
loss_focus_of(const struct ruledesc *rd, const struct customer *c)
{
    return c->loss_focus != NULL && c->loss_focus[0] != '\0' &&
                   ruledesc_focus_adds(rd)
               ? c->loss_focus
               : NULL;
}

enum app_err
loss_focus_set(struct ctx *cx, const char *stage, int64_t losses)
{
    if (stage == NULL || stage[0] == '\0')
        return db_exec(cx->db, SQL_CLEAR, DB_ARGS(DB_I64(cx->tenant_id)), NULL,
                       NULL);
    if (strlen(stage) >= LOSS_FOCUS_STAGE_MAX)
        return APP_EINVAL;
    return db_exec(
        cx->db, SQL_SET,
        DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(stage), DB_I64(losses)), NULL,
        NULL);
}

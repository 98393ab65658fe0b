/*
 * metrics_api.c -- the live metrics as JSON (metrics_api.h).
 */
#include "web/handlers/metrics_api.h"

#include <string.h>

#include "db/db.h"
#include "http/router.h"
#include "metrics/metrics.h"
#include "web/api_json.h"
#include "web/metrics_view.h"
#include "web/view.h"

typedef enum app_err (*metric_fn)(struct ctx *cx, const struct metrics_query *q,
                                  cJSON **out);

APP_MUST_USE static enum app_err
answer(struct req *r, metric_fn fn)
{
    struct metrics_query q;
    cJSON *doc = NULL;
    enum app_err rc = metrics_view_query(r, &q);

    if (rc == APP_OK)
        rc = fn(&r->cx, &q, &doc);
    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, doc);
}

enum app_err
api_metrics_stage_health(struct req *r)
{
    return answer(r, metrics_stage_health);
}

enum app_err
api_metrics_funnel(struct req *r)
{
    return answer(r, metrics_funnel);
}

enum app_err
api_metrics_consistency(struct req *r)
{
    return answer(r, metrics_consistency);
}

enum app_err
api_metrics_heatmap(struct req *r)
{
    return answer(r, metrics_heatmap);
}

enum app_err
api_metrics_losses(struct req *r)
{
    return answer(r, metrics_losses);
}

/* The reason a list item gives for the customer, or NULL. */
static const char *
reason_of(const cJSON *list, int64_t id)
{
    const cJSON *o;

    cJSON_ArrayForEach(o, list)
    {
        if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "id")) == id)
            return cJSON_GetStringValue(cJSON_GetObjectItem(o, "reason"));
    }
    return NULL;
}

enum app_err
api_metrics_customers(struct req *r)
{
    struct metrics_query q;
    struct metrics_list_req lr;
    struct db_res res;
    cJSON *list = NULL, *doc, *rows;
    size_t total = 0, i;
    enum app_err rc = metrics_view_query(r, &q);

    if (rc == APP_OK)
        rc = metrics_view_list(r, &lr);
    if (rc == APP_OK)
        rc = metrics_list(&r->cx, &q, &lr, &list, &total);
    if (rc == APP_OK)
        rc = metrics_list_rows(&r->cx, list, &res);
    if (rc != APP_OK) {
        cJSON_Delete(list);
        return rc;
    }
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "which", lr.which);
    cJSON_AddNumberToObject(doc, "total", (double)total);
    rows = cJSON_AddArrayToObject(doc, "customers");
    for (i = 0; i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        const char *why = reason_of(list, db_int(&res, i, 0, 0));

        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "name", db_text(&res, i, 1));
        view_add_str(o, "stage", db_text(&res, i, 2));
        cJSON_AddNumberToObject(o, "owner_id", (double)db_int(&res, i, 3, 0));
        view_add_str(o, "owner_name", db_text(&res, i, 4));
        view_add_str(o, "last_activity_at", db_text(&res, i, 5));
        if (why != NULL)
            view_add_str(o, "reason", why);
        cJSON_AddItemToArray(rows, o);
    }
    cJSON_Delete(list);
    return api_send(r, 200, doc);
}

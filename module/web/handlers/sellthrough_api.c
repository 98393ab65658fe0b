/*
 * sellthrough_api.c -- the sell-through metrics as JSON
 * (sellthrough_api.h).
 */
#include "web/handlers/sellthrough_api.h"

#include "http/router.h"
#include "metrics/sellthrough.h"
#include "web/api_json.h"
#include "web/sellthrough_view.h"

enum app_err
api_sellthrough(struct req *r)
{
    struct sellthrough st;
    int64_t campaign = 0;
    const char *as_of;
    cJSON *doc = NULL;
    enum app_err rc = st_view_args(r, &campaign, &as_of);

    if (rc == APP_OK)
        rc = sellthrough_get(&r->cx, campaign, as_of, &st);
    if (rc == APP_OK)
        rc = sellthrough_doc(&st, true, &doc);
    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, doc);
}

typedef enum app_err (*store_fn)(struct ctx *cx, int64_t campaign,
                                 const char *as_of, int64_t store, cJSON **out);

APP_MUST_USE static enum app_err
store_answer(struct req *r, store_fn fn)
{
    int64_t campaign = 0;
    const char *as_of;
    cJSON *doc = NULL;
    enum app_err rc = st_view_args(r, &campaign, &as_of);

    if (rc == APP_OK)
        rc = fn(&r->cx, campaign, as_of, router_param_int(r, "id"), &doc);
    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, doc);
}

enum app_err
api_store_peers(struct req *r)
{
    return store_answer(r, sellthrough_store);
}

enum app_err
api_store_profile(struct req *r)
{
    return store_answer(r, sellthrough_profile);
}

/*
 * shipping.c -- the shipment countdown's reminders and freezes
 * (shipping.h).
 */
#include "work/shipping.h"

#include <stdio.h>
#include <string.h>

#include "base/tz.h"
#include "identity/role.h"
#include "rules/ruledesc.h"
#include "sales/contracts.h"
#include "sales/shipments.h"
#include "work/alerts.h"

#define SHIP_LEADS_MAX 8

static const char SQL_FROZEN_NOW[] =
    "SELECT s.id, s.contract_id, c.name, c.owner_id, s.planned_at, s.goods "
    "FROM shipments s JOIN customers c ON c.id = s.customer_id AND "
    "c.tenant_id = s.tenant_id WHERE s.tenant_id = ? AND s.status = "
    "'planned' AND s.form_file_id IS NULL AND s.frozen_at IS NOT NULL "
    "LIMIT 5000";

static const cJSON *
contract_rules(const struct ruledesc *rd)
{
    return cJSON_GetObjectItemCaseSensitive(rd->d, "contract_rules");
}

static int
doc_hours(const struct ruledesc *rd)
{
    const cJSON *v =
        cJSON_GetObjectItemCaseSensitive(contract_rules(rd), "ship_doc_hours");

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 8760
               ? (int)v->valuedouble
               : 48;
}

/* remind_hours, largest first. */
static size_t
leads(const struct ruledesc *rd, int *h)
{
    const cJSON *v;
    size_t n = 0, i, j;

    cJSON_ArrayForEach(
        v, cJSON_GetObjectItemCaseSensitive(contract_rules(rd), "remind_hours"))
    {
        if (n < SHIP_LEADS_MAX && cJSON_IsNumber(v) && v->valuedouble > 0 &&
            v->valuedouble <= 8760)
            h[n++] = (int)v->valuedouble;
    }
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && h[j - 1] < h[j]; j--) {
            int t = h[j];

            h[j] = h[j - 1];
            h[j - 1] = t;
        }
    return n;
}

static cJSON *
breach(cJSON *out, const char *key, const char *metric, const struct db_res *r,
       size_t i, struct ctx *cx)
{
    cJSON *b = cJSON_CreateObject();
    char local[40];

    if (b == NULL || !cJSON_AddItemToArray(out, b)) {
        cJSON_Delete(b);
        return NULL;
    }
    cJSON_AddStringToObject(b, "key", key);
    cJSON_AddStringToObject(b, "metric", metric);
    cJSON_AddStringToObject(b, "status", metric);
    cJSON_AddStringToObject(b, "period", "once");
    cJSON_AddStringToObject(b, "number",
                            contracts_number(cx, db_int(r, i, 1, 0)));
    cJSON_AddStringToObject(
        b, "planned_at",
        tz_format(cx->tenant_tz, db_text(r, i, 5), local, sizeof(local)));
    return b;
}

APP_MUST_USE static enum app_err
form_breaches(struct ctx *cx, const struct ruledesc *rd, time_t now, cJSON *out)
{
    struct db_res r;
    int h[SHIP_LEADS_MAX], hours = doc_hours(rd);
    size_t n = leads(rd, h), i, k;
    enum app_err rc;

    if (n == 0)
        return APP_OK;
    rc = shipments_due_forms(cx, hours, now, h[0], &r);
    for (i = 0; rc == APP_OK && i < r.nrows; i++) {
        time_t left = tz_parse_utc(db_text(&r, i, 5)) - now;
        const char *key;
        cJSON *b;

        for (k = n; k > 0 && (time_t)h[k - 1] * 3600 < left; k--)
            ;
        if (k == 0)
            continue;
        key = arena_printf(cx->a, "ship_form:%lld:%d",
                           (long long)db_int(&r, i, 0, 0), h[k - 1]);
        b = key != NULL ? breach(out, key, "ship_form", &r, i, cx) : NULL;
        if (b == NULL)
            return APP_ENOMEM;
        cJSON_AddNumberToObject(b, "hours", h[k - 1]);
        cJSON_AddNumberToObject(b, "deadline_hours", hours);
        cJSON_AddNumberToObject(b, "owner_id", (double)db_int(&r, i, 4, 0));
        cJSON_AddStringToObject(b, "customer_name", db_text(&r, i, 3));
        cJSON_AddStringToObject(b, "goods", db_text(&r, i, 6));
    }
    return rc;
}

APP_MUST_USE static enum app_err
ship_breaches(struct ctx *cx, const cJSON *thresholds, const cJSON *payload,
              time_t now, cJSON *out)
{
    struct ruledesc rd;
    struct db_res r;
    size_t i, fresh = 0;
    unsigned role = cx->role;
    enum app_err rc = ruledesc_get(cx, &rd);

    (void)thresholds, (void)payload;
    cx->role = ROLE_ADMIN; /* the job sees every customer of the company */
    if (rc == APP_OK)
        rc = shipments_record_freezes(cx, doc_hours(&rd), now, &fresh);
    if (rc == APP_OK)
        rc = form_breaches(cx, &rd, now, out);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_FROZEN_NOW,
                      DB_ARGS(DB_I64(cx->tenant_id)), 5000, &r);
    for (i = 0; rc == APP_OK && i < r.nrows; i++) {
        const char *key = arena_printf(cx->a, "ship_frozen:%lld",
                                       (long long)db_int(&r, i, 0, 0));
        /* columns as SQL_DUE_FORMS: id, contract, name, owner, planned */
        cJSON *b = key != NULL ? cJSON_CreateObject() : NULL;
        char local[40];

        if (b == NULL || !cJSON_AddItemToArray(out, b)) {
            cJSON_Delete(b);
            rc = APP_ENOMEM;
            break;
        }
        cJSON_AddStringToObject(b, "key", key);
        cJSON_AddStringToObject(b, "metric", "ship_frozen");
        cJSON_AddStringToObject(b, "status", "frozen");
        cJSON_AddStringToObject(b, "period", "once");
        cJSON_AddStringToObject(b, "number",
                                contracts_number(cx, db_int(&r, i, 1, 0)));
        cJSON_AddStringToObject(b, "customer_name", db_text(&r, i, 2));
        cJSON_AddNumberToObject(b, "owner_id", (double)db_int(&r, i, 3, 0));
        cJSON_AddStringToObject(
            b, "planned_at",
            tz_format(cx->tenant_tz, db_text(&r, i, 4), local, sizeof(local)));
        cJSON_AddStringToObject(b, "goods", db_text(&r, i, 5));
    }
    cx->role = role;
    return rc;
}

static const struct alert_metric ship_metric = { "shipments", ship_breaches };

void
shipping_init(void)
{
    alerts_register(&ship_metric);
}

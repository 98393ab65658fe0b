/*
 * exports.c -- the customer list as CSV, with the list's filters, labels
 * in the reader's language and times in the company's zone: UTF-8 with
 * a byte order mark (Excel), formula-looking cells neutralised (csv.c).
 */
#include "web/handlers/exports.h"

#include <stdio.h>
#include <string.h>

#include "base/csv.h"
#include "base/tz.h"
#include "http/app.h"
#include "rules/ruledesc.h"
#include "sales/customer_input.h"
#include "sales/customers.h"
#include "identity/settings.h"
#include "web/auth.h"
#include "web/view.h"

#define EXPORT_MAX_ROWS 100000
#define EXPORT_BATCH 5000

static void
body_free(void *p)
{
    buf_free(p);
}

static void
batch_free(void *p)
{
    arena_free(p);
}

/* Rows are read EXPORT_BATCH at a time into an arena of their own, reset
 * between batches; the CSV grows on the heap (freed with the request), so
 * memory stays near the size of the output. */
enum app_err
customers_export(struct req *r)
{
    static const char *const keys[] = {
        "export.id",
        "customer.name",
        "customer.kind",
        "customer.stage",
        "customer.owner",
        "customer.city",
        "customer.address",
        "customer.phone",
        "customer.amount",
        "customer.health_label",
        "customer.last_activity",
        "export.created",
    };
    struct customer_filter f;
    struct ruledesc rd;
    struct db_res res;
    struct csv_writer w;
    struct arena *batch;
    struct str head[12];
    size_t i, offset = 0;
    bool may = false;
    enum app_err rc =
        customer_filter_check(&r->cx, &r->query_args, &f, NULL, NULL);

    /* Which roles may take the list away is the company's choice. */
    if (rc == APP_OK)
        rc = settings_may_export(&r->cx, &may);
    if (rc == APP_OK && !may) {
        r->cx.err_detail = "settings.export_forbidden";
        rc = APP_EFORBIDDEN;
    }
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    batch = arena_new(256 * 1024, 64u << 20);
    if (batch == NULL || arena_cleanup_add(r->a, batch_free, batch) != 0) {
        arena_free(batch);
        return APP_ENOMEM;
    }
    rc = view_csv_begin(r, "customers.csv", 0);
    if (rc != APP_OK)
        return rc;
    buf_init(&r->body, NULL, (size_t)r->app->conf.limits.arena_max);
    if (arena_cleanup_add(r->a, body_free, &r->body) != 0)
        return APP_ENOMEM;
    csv_writer_init(&w, &r->body, ',');
    rc = csv_write_bom(&w);
    for (i = 0; i < 12; i++)
        head[i] = str_c(http_t(r, keys[i]));
    if (rc == APP_OK)
        rc = csv_write_record(&w, head, 12);
    while (rc == APP_OK && offset < EXPORT_MAX_ROWS) {
        arena_reset(batch);
        rc = customers_list_in(&r->cx, batch, &rd, &f, EXPORT_BATCH, offset,
                               &res, NULL, NULL);
        for (i = 0; rc == APP_OK && i < res.nrows; i++) {
            char health[64], last[64], created[64];
            struct str cells[12];
            size_t k;

            snprintf(health, sizeof(health), "customer.health.%s",
                     db_text(&res, i, CL_HEALTH));
            cells[0] = db_cell(&res, i, CL_ID);
            cells[1] = db_cell(&res, i, CL_NAME);
            cells[2] = str_c(ruledesc_label(&r->cx, &rd, "customer_kinds",
                                            db_text(&res, i, CL_KIND)));
            cells[3] = str_c(ruledesc_label(&r->cx, &rd, "stages",
                                            db_text(&res, i, CL_STAGE)));
            cells[4] = db_cell(&res, i, CL_OWNER_NAME);
            cells[5] = db_cell(&res, i, CL_CITY);
            cells[6] = db_cell(&res, i, CL_ADDRESS);
            cells[7] = db_cell(&res, i, CL_PHONE);
            cells[8] = db_cell(&res, i, CL_AMOUNT);
            cells[9] = str_c(http_t(r, health));
            cells[10] = str_c(tz_format(r->auth->tenant_tz,
                                        db_text(&res, i, CL_LAST_ACTIVITY),
                                        last, sizeof(last)));
            cells[11] = str_c(tz_format(r->auth->tenant_tz,
                                        db_text(&res, i, CL_CREATED), created,
                                        sizeof(created)));
            for (k = 0; k < 12; k++) {
                if (cells[k].p == NULL)
                    cells[k] = STR_LIT("");
            }
            rc = csv_write_record(&w, cells, 12);
        }
        if (res.nrows < EXPORT_BATCH)
            break;
        offset += EXPORT_BATCH;
    }
    return rc;
}

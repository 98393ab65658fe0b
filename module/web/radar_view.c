/*
 * radar_view.c -- the customer health radar (radar_view.h).
 */
#include "web/radar_view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/svgtext.h"
#include "rules/rules.h"
#include "web/customer_view.h"
#include "web/view.h"

#define RADAR_DIMS 5
#define RADAR_SIZE 240 /* viewBox side */
#define RADAR_R 80     /* radius of a full score */

static const char *const dims[RADAR_DIMS] = { "coverage", "recency", "evidence",
                                              "velocity", "engagement" };

/* The facts the rules score: from the page's model and the customer (no
 * query of its own). */
APP_MUST_USE static enum app_err
facts_of(const struct customer *c, const cJSON *m, cJSON *f)
{
    const cJSON *chain = cJSON_GetObjectItem(m, "chain"), *it;
    long since = cview_days_since(c->last_activity_at);
    double done = 0, need = 0, recent = 0;

    cJSON_AddNumberToObject(
        f, "penetration",
        cJSON_GetNumberValue(cJSON_GetObjectItem(chain, "percent")) / 100.0);
    cJSON_AddBoolToObject(
        f, "penetration_applicable",
        cJSON_IsTrue(cJSON_GetObjectItem(chain, "applicable")));
    if (since >= 0)
        cJSON_AddNumberToObject(f, "days_since_activity", (double)since);
    cJSON_ArrayForEach(
        it, cJSON_GetObjectItem(cJSON_GetObjectItem(m, "next"), "items"))
    {
        need += 1;
        done += cJSON_IsTrue(cJSON_GetObjectItem(it, "done"));
    }
    cJSON_AddNumberToObject(f, "evidence_done", done);
    cJSON_AddNumberToObject(f, "evidence_required", need);
    since = cview_days_since(c->stage_since);
    cJSON_AddNumberToObject(f, "days_in_stage", since >= 0 ? (double)since : 0);
    /* Activities of the last 30 days among the timeline's newest events
     * (enough: engagement is full long before the timeline is). */
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(m, "timeline"))
    {
        double age = cJSON_GetNumberValue(cJSON_GetObjectItem(it, "age_days"));

        recent += cJSON_IsTrue(cJSON_GetObjectItem(it, "activity")) &&
                  age >= 0 && age < 30;
    }
    cJSON_AddNumberToObject(f, "activities_30d", recent);
    return APP_OK;
}

static void
point(double score, int i, double *x, double *y)
{
    double a = -M_PI / 2 + 2 * M_PI * i / RADAR_DIMS;

    *x = RADAR_SIZE / 2.0 + cos(a) * RADAR_R * score;
    *y = RADAR_SIZE / 2.0 + sin(a) * RADAR_R * score;
}

/* The pentagon: the grid at 50% and 100%, the scores, the labels. */
APP_MUST_USE static enum app_err
draw(struct buf *b, const double *s, const char *const *labels,
     const char *title)
{
    enum app_err rc =
        buf_printf(b,
                   "<svg class=\"radar\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
                   "role=\"img\" aria-label=\"",
                   RADAR_SIZE, RADAR_SIZE);
    int i, g;

    if (rc == APP_OK)
        rc = svgtext_out(b, str_c(title), 40);
    if (rc == APP_OK)
        rc = buf_puts(b, "\"><title>");
    if (rc == APP_OK)
        rc = svgtext_out(b, str_c(title), 40);
    if (rc == APP_OK)
        rc = buf_puts(b, "</title>");
    for (g = 1; rc == APP_OK && g <= 2; g++) {
        rc = buf_puts(b, "<polygon fill=\"none\" stroke=\"#c8ccd4\" points=\"");
        for (i = 0; rc == APP_OK && i < RADAR_DIMS; i++) {
            double x, y;

            point(g / 2.0, i, &x, &y);
            rc = buf_printf(b, "%.1f,%.1f ", x, y);
        }
        if (rc == APP_OK)
            rc = buf_puts(b, "\"/>");
    }
    if (rc == APP_OK)
        rc = buf_puts(b, "<polygon fill=\"#2563eb\" fill-opacity=\"0.25\" "
                         "stroke=\"#1d4ed8\" stroke-width=\"2\" points=\"");
    for (i = 0; rc == APP_OK && i < RADAR_DIMS; i++) {
        double x, y;

        point(s[i] < 0.02 ? 0.02 : s[i], i, &x, &y);
        rc = buf_printf(b, "%.1f,%.1f ", x, y);
    }
    if (rc == APP_OK)
        rc = buf_puts(b, "\"/>");
    for (i = 0; rc == APP_OK && i < RADAR_DIMS; i++) {
        double x, y;

        point(1.3, i, &x, &y);
        rc = buf_printf(b,
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
                        "text-anchor=\"middle\" dominant-baseline=\"middle\">",
                        x, y);
        if (rc == APP_OK)
            rc = svgtext_out(b, str_c(labels[i]), 10);
        if (rc == APP_OK)
            rc = buf_printf(b, " %.0f%%</text>", s[i] * 100);
    }
    return rc == APP_OK ? buf_puts(b, "</svg>") : rc;
}

enum app_err
radar_model(struct req *r, const struct customer *c, cJSON *m)
{
    cJSON *f = cJSON_CreateObject(), *args = cJSON_CreateArray(), *out = NULL;
    cJSON *o, *rows;
    const char *labels[RADAR_DIMS];
    double s[RADAR_DIMS];
    struct buf b;
    enum app_err rc =
        f != NULL && args != NULL ? facts_of(c, m, f) : APP_ENOMEM;
    int i;

    if (rc == APP_OK && cJSON_AddItemToArray(args, f)) {
        f = NULL;
        rc = rules_json(&r->cx, "health_radar", args, &out);
    }
    cJSON_Delete(f);
    cJSON_Delete(args);
    if (rc != APP_OK)
        return rc;
    o = cJSON_AddObjectToObject(m, "radar");
    rows = o != NULL ? cJSON_AddArrayToObject(o, "rows") : NULL;
    for (i = 0; rows != NULL && i < RADAR_DIMS; i++) {
        cJSON *row = cJSON_CreateObject();
        const char *l = i18n_lookup(
            r->catalog, arena_printf(r->a, "customer.radar.%s", dims[i]));

        s[i] = cJSON_GetNumberValue(cJSON_GetObjectItem(out, dims[i]));
        s[i] = isnan(s[i]) ? 0 : s[i] < 0 ? 0 : s[i] > 1 ? 1 : s[i];
        labels[i] = l != NULL ? l : dims[i];
        cJSON_AddItemToArray(rows, row);
        view_add_str(row, "dim", dims[i]);
        view_add_str(row, "label", labels[i]);
        cJSON_AddNumberToObject(row, "score", round(s[i] * 10000) / 10000);
        view_add_str(row, "pct", arena_printf(r->a, "%.0f%%", s[i] * 100));
    }
    cJSON_Delete(out);
    if (rows == NULL)
        return APP_ENOMEM;
    buf_init(&b, r->a, 16384);
    rc = draw(&b, s, labels,
              i18n_lookup(r->catalog, "customer.radar.title") != NULL
                  ? i18n_lookup(r->catalog, "customer.radar.title")
                  : "");
    if (rc == APP_OK)
        view_add_str(o, "svg", arena_strndup(r->a, b.p ? b.p : "", b.len));
    return rc;
}

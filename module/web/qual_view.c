/*
 * qual_view.c -- qualification documents for display (qual_view.h).
 */
#include "web/qual_view.h"

#include <string.h>

#include "web/view.h"

/* Days left at which an approved document shows as expiring. */
#define QUAL_EXPIRING_DAYS 30

cJSON *
qual_view_doc(struct req *r, const struct qual_doc *d)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)d->id);
    view_add_str(o, "type", d->type);
    view_add_str(o, "number", d->number);
    view_add_str(o, "holder", d->holder);
    view_add_str(o, "issued_on", d->issued_on);
    view_add_str(o, "expires_on", d->expires_on);
    cJSON_AddBoolToObject(o, "long_term", d->expires_on[0] == '\0');
    view_add_str(o, "status", d->status);
    view_add_str(o, "status_label",
                 http_t(r, arena_printf(r->a, "qual.status.%s", d->status)));
    cJSON_AddBoolToObject(o, "pending", strcmp(d->status, "pending") == 0);
    view_add_str(o, "review_note", d->review_note);
    view_add_str(o, "reviewed_by", d->reviewed_by);
    view_add_str(o, "reviewed_at",
                 d->reviewed_at[0] != '\0' ? view_local(r, d->reviewed_at)
                                           : "");
    view_add_str(o, "submitted_by", d->submitted_by);
    view_add_str(o, "submitted_at", view_local(r, d->submitted_at));
    view_add_str(o, "qr_text", d->qr_text);
    view_add_str(o, "verify", d->verify);
    view_add_str(o, "verify_note", d->verify_note);
    if (d->file_id > 0) {
        view_add_str(o, "file_url",
                     arena_printf(r->a, "/files/%lld", (long long)d->file_id));
        cJSON_AddBoolToObject(o, "image",
                              strncmp(d->file_mime, "image/", 6) == 0);
    }
    return o;
}

static cJSON *
item_model(struct req *r, int64_t customer_id, const struct qual_item *it)
{
    cJSON *o = cJSON_CreateObject();
    const char *state = qual_state_name(it->state);
    bool failed = it->doc != NULL && strcmp(it->doc->verify, "failed") == 0;

    if (o == NULL)
        return NULL;
    view_add_str(o, "type", it->type);
    view_add_str(o, "name", ruledesc_name(&r->cx, it->def));
    view_add_str(o, "state", state);
    view_add_str(o, "state_label",
                 http_t(r, arena_printf(r->a, "qual.state.%s", state)));
    cJSON_AddBoolToObject(o, "red",
                          it->state == QS_MISSING || it->state == QS_REJECTED ||
                              it->state == QS_EXPIRED || failed);
    cJSON_AddBoolToObject(o, "pending", it->state == QS_PENDING && !failed);
    cJSON_AddBoolToObject(o, "ok", it->state == QS_APPROVED);
    if (it->days_left != QUAL_NO_EXPIRY) {
        cJSON_AddNumberToObject(o, "days_left", it->days_left);
        cJSON_AddBoolToObject(o, "expiring",
                              it->state == QS_APPROVED &&
                                  it->days_left <= QUAL_EXPIRING_DAYS);
    }
    view_add_str(o, "submit_url",
                 arena_printf(r->a, "/customers/%lld/qualifications/%s",
                              (long long)customer_id, it->type));
    if (it->doc != NULL)
        cJSON_AddItemToObject(o, "doc", qual_view_doc(r, it->doc));
    return o;
}

cJSON *
qual_view_status(struct req *r, const struct ruledesc *rd, int64_t customer_id,
                 const struct qual_status *st)
{
    cJSON *o = cJSON_CreateObject(), *items;
    size_t i;

    (void)rd;
    if (o == NULL)
        return NULL;
    cJSON_AddBoolToObject(o, "qualified", st->qualified);
    cJSON_AddBoolToObject(o, "complete", st->complete);
    cJSON_AddBoolToObject(o, "needs", st->needs);
    view_add_str(o, "today", st->today);
    view_add_str(o, "url",
                 arena_printf(r->a, "/customers/%lld/qualifications",
                              (long long)customer_id));
    items = cJSON_AddArrayToObject(o, "items");
    for (i = 0; items != NULL && i < st->n; i++)
        cJSON_AddItemToArray(items, item_model(r, customer_id, &st->item[i]));
    return o;
}

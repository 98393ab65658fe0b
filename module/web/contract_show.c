/*
 * contract_show.c -- contracts and shipments for display
 * (contract_show.h).
 */
#include "web/contract_show.h"

#include <math.h>
#include <string.h>

#include "base/tz.h"
#include "web/view.h"

int
contract_show_doc_hours(const struct ruledesc *rd)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rd->d, "contract_rules"),
        "ship_doc_hours");

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 8760
               ? (int)v->valuedouble
               : 48;
}

static void
add_label(struct req *r, cJSON *o, const char *key, const char *family,
          const char *value)
{
    view_add_str(o, key, value);
    view_add_str(o, arena_printf(r->a, "%s_label", key),
                 http_t(r, arena_printf(r->a, "%s%s", family, value)));
}

cJSON *
contract_show(struct req *r, const struct contract *c)
{
    cJSON *o = cJSON_CreateObject(), *d = cJSON_Parse(c->decision);
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(d, "decision"), "message");

    if (o == NULL) {
        cJSON_Delete(d);
        return NULL;
    }
    cJSON_AddNumberToObject(o, "id", (double)c->id);
    view_add_str(o, "number", contracts_number(&r->cx, c->id));
    add_label(r, o, "status", "contracts.status.", c->status);
    add_label(r, o, "approval", "contracts.approval.", c->approval);
    cJSON_AddBoolToObject(o, "draft", strcmp(c->status, "draft") == 0);
    cJSON_AddBoolToObject(o, "signed", strcmp(c->status, "signed") == 0);
    cJSON_AddBoolToObject(o, "waiting",
                          strcmp(c->approval, "required") == 0 &&
                              strcmp(c->status, "draft") == 0);
    view_add_str(o, "approval_note", c->approval_note);
    view_add_str(o, "approved_by", c->approved_by);
    view_add_str(o, "approved_at",
                 c->approved_at[0] ? view_local(r, c->approved_at) : "");
    cJSON_AddNumberToObject(o, "customer_id", (double)c->customer_id);
    view_add_str(o, "customer", c->customer_name);
    view_add_str(o, "amount", view_money(r, c->amount));
    view_add_str(o, "amount_plain", c->amount);
    cJSON_AddNumberToObject(o, "payment_term_days", c->payment_term_days);
    view_add_str(o, "prepay_pct", view_number(r, c->prepay_pct));
    cJSON_AddNumberToObject(o, "delivery_days", c->delivery_days);
    cJSON_AddNumberToObject(o, "warranty_months", c->warranty_months);
    view_add_str(o, "penalty_pct", view_number(r, c->penalty_pct));
    view_add_str(o, "body", c->body);
    cJSON_AddItemToObject(o, "clauses", cJSON_Parse(c->clause_versions));
    view_add_str(o, "template", c->template_name);
    cJSON_AddNumberToObject(o, "template_version", c->template_version);
    view_add_str(o, "rule_message",
                 cJSON_IsString(msg) ? msg->valuestring : "");
    view_add_str(o, "created_by", c->created_by);
    view_add_str(o, "created_at", view_local(r, c->created_at));
    view_add_str(o, "signed_by", c->signed_by);
    view_add_str(o, "signed_at",
                 c->signed_at[0] ? view_local(r, c->signed_at) : "");
    cJSON_Delete(d);
    return o;
}

cJSON *
contract_show_shipment(struct req *r, const struct shipment *s)
{
    cJSON *o = cJSON_CreateObject();
    char local[40], utc[32];

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)s->id);
    cJSON_AddNumberToObject(o, "contract_id", (double)s->contract_id);
    view_add_str(o, "planned_at", view_local(r, s->planned_at));
    view_add_str(o, "planned_at_utc", s->planned_at);
    view_add_str(o, "goods", s->goods);
    cJSON_AddNumberToObject(o, "quantity", (double)s->quantity);
    add_label(r, o, "status", "shipments.status.", s->status);
    cJSON_AddBoolToObject(o, "planned", strcmp(s->status, "planned") == 0);
    tz_utc_text(s->deadline, utc, sizeof(utc));
    view_add_str(o, "deadline",
                 tz_format(r->cx.tenant_tz, utc, local, sizeof(local)));
    cJSON_AddBoolToObject(o, "frozen", s->frozen);
    cJSON_AddBoolToObject(o, "has_form", s->form_file_id > 0);
    if (s->form_file_id > 0)
        view_add_str(
            o, "form_url",
            arena_printf(r->a, "/files/%lld", (long long)s->form_file_id));
    view_add_str(o, "released_at",
                 s->released_at[0] ? view_local(r, s->released_at) : "");
    return o;
}

cJSON *
contract_show_blocks(struct req *r, const struct contract_blocks *b)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && i < b->n; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(a, o)) {
            cJSON_Delete(o);
            break;
        }
        view_add_str(o, "key", b->item[i].key);
        if (b->item[i].name != NULL) {
            view_add_str(o, "text", b->item[i].name);
            view_add_str(o, "state", b->item[i].state);
            view_add_str(o, "state_label",
                         http_t(r, arena_printf(r->a, "qual.state.%s",
                                                b->item[i].state)));
        } else {
            view_add_str(o, "text", http_t(r, b->item[i].key));
        }
    }
    return a;
}

cJSON *
contract_show_decision(const struct contract_decision *d)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddBoolToObject(o, "approval", d->approval);
    cJSON_AddNumberToObject(o, "prepay_pct", round(d->prepay * 10000) / 100);
    cJSON_AddStringToObject(o, "kind", d->kind != NULL ? d->kind : "");
    cJSON_AddStringToObject(o, "message", d->message != NULL ? d->message : "");
    return o;
}

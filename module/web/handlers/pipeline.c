/*
 * pipeline.c -- the pipeline board: a column per stage with its count and
 * the customers in scope (longest in stage first, with age and health);
 * moving a card goes through the same gate as every other path.  On a
 * phone the columns become a stage selector (one column at a time).
 */
#include <stdio.h>
#include <string.h>

#include "http/app.h"
#include "web/auth.h"
#include "web/customer_view.h"
#include "sales/customer_input.h"
#include "sales/customers.h"
#include "sales/loss_focus.h"
#include "sales/evidence.h"
#include "web/handlers/pipeline.h"
#include "sales/stage.h"
#include "base/num.h"
#include "base/validate.h"
#include "web/view.h"

#define CARDS_PER_STAGE 30

/* After a move (?moved=id): "X moved from A to B" and a form that moves
 * it back, confirmed in advance.  Nothing when the last change of the
 * customer is not a move the acting user may see. */
APP_MUST_USE static enum app_err
moved_notice(struct req *r, const struct ruledesc *rd, cJSON *m,
             const char *back)
{
    const struct str *arg = http_query_arg(r, "moved");
    struct customer c;
    struct db_res h;
    int64_t id;
    cJSON *o;

    if (arg == NULL || !parse_i64(*arg, 1, INT64_MAX, &id) ||
        customers_get(&r->cx, id, false, &c) != APP_OK ||
        stage_history(&r->cx, id, 1000, &h) != APP_OK || h.nrows == 0 ||
        db_text(&h, h.nrows - 1, 1)[0] == '\0')
        return APP_OK;
    o = cJSON_AddObjectToObject(m, "moved");
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)id);
    view_add_str(o, "name", c.name);
    view_add_str(o, "from_key", db_text(&h, h.nrows - 1, 1));
    view_add_str(
        o, "from",
        ruledesc_label(&r->cx, rd, "stages", db_text(&h, h.nrows - 1, 1)));
    view_add_str(o, "to", ruledesc_label(&r->cx, rd, "stages", c.stage));
    view_add_str(o, "back", back);
    return APP_OK;
}

/* One customer's card: name, owner, amount, days in the stage, health,
 * and where it may move (the next stage first). */
static cJSON *
card(struct req *r, const struct ruledesc *rd, const char *stage,
     const struct db_res *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, CL_ID, 0));
    view_add_str(o, "name", db_text(res, i, CL_NAME));
    view_add_str(o, "owner", db_text(res, i, CL_OWNER_NAME));
    view_add_str(o, "amount", view_money(r, db_text(res, i, CL_AMOUNT)));
    cJSON_AddNumberToObject(
        o, "days", (double)cview_days_since(db_text(res, i, CL_STAGE_SINCE)));
    view_add_str(o, "health", db_text(res, i, CL_HEALTH));
    view_add_str(o, "health_label",
                 http_t(r, arena_printf(r->a, "customer.health.%s",
                                        db_text(res, i, CL_HEALTH))));
    cJSON_AddItemToObject(o, "targets", cview_stage_targets(r, rd, stage));
    return o;
}

/* "证据 1/3" on each card: of the evidence the next stage requires, how
 * many items the customer holds (evidence_have / evidence_need).  Nothing
 * when the next stage requires none. */
APP_MUST_USE static enum app_err
cards_evidence(struct req *r, const struct ruledesc *rd, const char *stage,
               const char *focus, const struct db_res *res, cJSON *cards)
{
    const cJSON *next = cview_next_stage(rd, stage);
    cJSON *req = next != NULL ? ruledesc_requires(rd, next, focus) : NULL;
    int need;
    struct db_res held;
    cJSON *card;
    char *ids, *p;
    size_t i, cap;
    enum app_err rc;

    if (next != NULL && req == NULL)
        return APP_ENOMEM;
    /* Evidence only: the qualification documents have their own page. */
    for (need = cJSON_GetArraySize(req) - 1; need >= 0; need--)
        if (cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(req, need),
                                             "qualification")))
            cJSON_DeleteItemFromArray(req, need);
    need = cJSON_GetArraySize(req);
    if (need <= 0 || res->nrows == 0) {
        cJSON_Delete(req);
        return APP_OK;
    }
    cap = res->nrows * 22 + 3;
    p = ids = arena_alloc(r->a, cap);
    if (ids == NULL) {
        cJSON_Delete(req);
        return APP_ENOMEM;
    }
    *p++ = '[';
    for (i = 0; i < res->nrows; i++)
        p += snprintf(p, cap - (size_t)(p - ids) - 2, "%s%lld",
                      i > 0 ? "," : "", (long long)db_int(res, i, CL_ID, 0));
    *p++ = ']';
    *p = '\0';
    rc = evidence_keys_of(&r->cx, ids, &held);
    if (rc != APP_OK) {
        cJSON_Delete(req);
        return rc;
    }
    cJSON_ArrayForEach(card, cards)
    {
        int64_t id =
            (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(card, "id"));
        const cJSON *k;
        cJSON *ev;
        int have = 0;

        cJSON_ArrayForEach(k, req)
        {
            const char *key =
                cJSON_GetStringValue(cJSON_GetObjectItem(k, "key"));

            for (i = 0; key != NULL && i < held.nrows; i++) {
                if (db_int(&held, i, 0, 0) == id &&
                    strcmp(db_text(&held, i, 1), key) == 0) {
                    have++;
                    break;
                }
            }
        }
        ev = cJSON_AddObjectToObject(card, "evidence");
        if (ev == NULL) {
            cJSON_Delete(req);
            return APP_ENOMEM;
        }
        cJSON_AddNumberToObject(ev, "have", have);
        cJSON_AddNumberToObject(ev, "need", need);
        cJSON_AddBoolToObject(ev, "ready", have == need);
    }
    cJSON_Delete(req);
    return APP_OK;
}

/* The list's filters for the board: search, kind, owner, team. */
APP_MUST_USE static enum app_err
board_filter(struct req *r, const struct ruledesc *rd,
             const struct customer_filter *f, cJSON *m)
{
    cJSON *filter = cJSON_AddObjectToObject(m, "filter");

    if (filter == NULL)
        return APP_ENOMEM;
    view_add_str(filter, "q", f->q.p != NULL ? f->q.p : "");
    view_add_str(filter, "stage", f->stage);
    cJSON_AddItemToObject(
        filter, "kinds",
        ruledesc_options(&r->cx, rd, "customer_kinds", f->kind));
    return cview_people(r, filter, f->owner, f->team);
}

APP_MUST_USE static enum app_err
board(struct req *r, int status, cJSON *refusal)
{
    struct customer_filter f;
    struct ruledesc rd;
    const char *qs = "", *active, *focus = NULL;
    const cJSON *s;
    cJSON *m, *cols, *tabs;
    /* GET parses the query (RF_QUERY); after a POST it is empty. */
    enum app_err rc =
        customer_filter_check(&r->cx, &r->query_args, &f, NULL, NULL);

    if (rc == APP_OK && (qs = cview_filter_qs(r, &f)) == NULL)
        rc = APP_ENOMEM;
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = loss_focus_stage(&r->cx, &rd, &focus);
    if (rc != APP_OK)
        return rc;
    active = f.stage[0] != '\0' ? f.stage : ruledesc_first_stage(&rd);
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    cols = cJSON_AddArrayToObject(m, "columns");
    tabs = cJSON_AddArrayToObject(m, "tabs");
    if (cols == NULL || tabs == NULL)
        return APP_ENOMEM;
    cJSON_ArrayForEach(s, ruledesc_stages(&rd))
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(s, "key"));
        struct customer_filter cf = f;
        struct db_res res;
        int64_t total = 0;
        cJSON *col, *cards, *tab;
        const char *sum = NULL;
        size_t i;

        if (key == NULL)
            continue;
        cf.stage = key;
        cf.pipeline = true; /* a store's customer is not a deal */
        cf.sort = CS_STAGE_SINCE;
        cf.desc = false;
        rc = customers_list(&r->cx, &rd, &cf, CARDS_PER_STAGE, 0, &res, &total,
                            &sum);
        if (rc != APP_OK)
            return rc;
        col = cJSON_CreateObject();
        tab = cJSON_CreateObject();
        if (col == NULL || tab == NULL) {
            cJSON_Delete(col);
            cJSON_Delete(tab);
            return APP_ENOMEM;
        }
        cJSON_AddItemToArray(cols, col);
        cJSON_AddItemToArray(tabs, tab);
        view_add_str(col, "key", key);
        view_add_str(col, "label", ruledesc_name(&r->cx, s));
        cJSON_AddNumberToObject(col, "count", (double)total);
        view_add_str(col, "amount", view_money(r, sum));
        cJSON_AddBoolToObject(col, "active",
                              active != NULL && strcmp(active, key) == 0);
        cJSON_AddBoolToObject(col, "more", total > CARDS_PER_STAGE);
        view_add_str(col, "list_url",
                     arena_printf(r->a, "/customers?stage=%s", key));
        view_add_str(tab, "label", ruledesc_name(&r->cx, s));
        cJSON_AddNumberToObject(tab, "count", (double)total);
        cJSON_AddBoolToObject(tab, "active",
                              active != NULL && strcmp(active, key) == 0);
        view_add_str(tab, "url", arena_printf(r->a, "/pipeline?stage=%s", key));
        cards = cJSON_AddArrayToObject(col, "cards");
        for (i = 0; cards != NULL && i < res.nrows; i++) {
            cJSON *o = card(r, &rd, key, &res, i);

            if (o == NULL || !cJSON_AddItemToArray(cards, o))
                return APP_ENOMEM;
        }
        if (cards == NULL)
            return APP_ENOMEM;
        rc = cards_evidence(r, &rd, key, focus, &res, cards);
        if (rc != APP_OK)
            return rc;
    }
    cJSON_AddItemToObject(m, "lost_reasons",
                          ruledesc_options(&r->cx, &rd, "lost_reasons", NULL));
    rc = board_filter(r, &rd, &f, m);
    if (rc != APP_OK)
        return rc;
    view_add_str(
        m, "back",
        arena_printf(r->a, "/pipeline%s%s", qs[0] != '\0' ? "?" : "", qs));
    if (refusal != NULL)
        cJSON_AddItemToObject(m, "refusal", refusal);
    else if ((rc = moved_notice(r, &rd, m,
                                cJSON_GetStringValue(
                                    cJSON_GetObjectItem(m, "back")))) != APP_OK)
        return rc;
    return view_page(r, status, "pages/pipeline", m);
}

enum app_err
pipeline_board(struct req *r)
{
    return board(r, 200, NULL);
}

enum app_err
pipeline_move(struct req *r)
{
    static const struct field_spec spec[] = {
        { "id", V_INT, true, 1, INT64_MAX, NULL },
        { "to", V_SLUG, true, 1, 64, NULL },
        { "lost_reason", V_SLUG, false, 1, 64, NULL },
        { "back", V_LOCAL_PATH, false, 1, 2000, NULL },
    };
    struct field_val v[4];
    struct stage_request sr;
    struct rule_verdict verdict;
    struct ruledesc rd;
    struct customer cur;
    const char *back;
    int64_t event = 0;
    bool asked = false;
    enum app_err rc;

    if (validate_fields(&r->cx.err_detail, &r->form, spec, 4, v, NULL) !=
        APP_OK)
        return APP_EVALIDATION;
    back = v[3].present ? arena_str(r->a, v[3].s).p : "/pipeline";
    /* A move back or to lost is asked first, whatever the page sent. */
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, v[0].i, false, &cur);
    if (rc == APP_OK)
        rc = cview_move_confirm(r, &rd, &cur, arena_str(r->a, v[1].s).p, back,
                                &asked);
    if (rc != APP_OK || asked)
        return rc;
    memset(&sr, 0, sizeof(sr));
    sr.customer_id = v[0].i;
    sr.to = arena_str(r->a, v[1].s).p;
    sr.lost_reason = v[2].present ? arena_str(r->a, v[2].s).p : NULL;
    sr.via = "board";
    rc = stage_change(&r->cx, &sr, &verdict, &event);
    if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
        struct customer c;
        cJSON *refusal = cview_refusal(r, &verdict, v[0].i);

        r->cx.err_detail = NULL;
        if (refusal != NULL &&
            customers_get(&r->cx, v[0].i, false, &c) == APP_OK) {
            view_add_str(refusal, "name", c.name);
            cJSON_AddNumberToObject(refusal, "id", (double)c.id);
        }
        return board(r, rc == APP_ECONFLICT ? 409 : 422, refusal);
    }
    if (rc != APP_OK)
        return rc;
    /* Say what happened, with a way back (board(): "moved"). */
    return http_redirect(r, arena_printf(r->a, "%s%smoved=%lld", back,
                                         strchr(back, '?') != NULL ? "&" : "?",
                                         (long long)sr.customer_id));
}

/*
 * stage.c -- evidence-gated stage changes.
 */
#include "sales/stage.h"
#include "sales/loss_focus.h"
#include "sales/qual_docs.h"

#include "base/buf.h"

#include <stdio.h>
#include <string.h>

#include "sales/customers.h"
#include "db/db.h"
#include "sales/evidence.h"
#include "base/num.h"
#include "rules/ruledesc.h"

static const char SQL_HISTORY[] =
    "SELECT s.id, COALESCE(s.from_stage, ''), s.to_stage, s.code, s.at, "
    "COALESCE(s.by_user, 0), COALESCE(u.display_name, ''), s.evidence_ids, "
    "s.rule_version, COALESCE(s.lost_reason, ''), s.note, s.via "
    "FROM stage_events s LEFT JOIN users u ON u.id = s.by_user "
    "AND u.tenant_id = s.tenant_id WHERE s.tenant_id = ? "
    "AND s.customer_id = ? ORDER BY s.id LIMIT ?";

static const char SQL_EVENT[] =
    "INSERT INTO stage_events (tenant_id, customer_id, from_stage, to_stage, "
    "by_user, code, evidence_ids, rule_version, lost_reason, note, via) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_MOVE[] =
    "UPDATE customers SET stage = ?, stage_since = UTC_TIMESTAMP(3), "
    "lost_reason = ?, version = version + 1, updated_at = UTC_TIMESTAMP(3), "
    "updated_by = ? WHERE tenant_id = ? AND id = ?";

#define MAX_USED 64

/* The customer's facts the rules see (can_enter's `customer`). */
cJSON *
stage_facts(const struct customer *c)
{
    cJSON *o = cJSON_CreateObject();
    double amount;

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)c->id);
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "kind", c->kind);
    cJSON_AddStringToObject(o, "stage", c->stage);
    cJSON_AddStringToObject(o, "city", c->city);
    cJSON_AddNumberToObject(o, "owner_id", (double)c->owner_id);
    if (parse_decimal(str_c(c->amount), 12, 2, &amount))
        cJSON_AddNumberToObject(o, "amount", amount);
    return o;
}

/* The evidence that satisfied the gate: the current items of every key
 * the stages entered require. */
static size_t
used_items(const struct ruledesc *rd, const struct evidence_set *set,
           const char *from, const char *to, const char *focus, int64_t *ids)
{
    int fi = -1, ti = -1, i = 0, first;
    const cJSON *s, *req;
    size_t n = 0;

    if (ruledesc_stage(rd, from, &fi) == NULL ||
        ruledesc_stage_flag(rd, from, "lost"))
        fi = -1;
    if (ruledesc_stage(rd, to, &ti) == NULL)
        return 0;
    first = fi + 1;
    cJSON_ArrayForEach(s, ruledesc_stages(rd))
    {
        cJSON *reqs =
            i >= first && i <= ti ? ruledesc_requires(rd, s, focus) : NULL;

        if (reqs != NULL) {
            cJSON_ArrayForEach(req, reqs)
            {
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(req, "key");
                const struct evidence_item *e =
                    cJSON_IsString(k) ? evidence_find(set, k->valuestring)
                                      : NULL;

                if (e != NULL && n < MAX_USED)
                    ids[n++] = e->id;
            }
            cJSON_Delete(reqs);
        }
        i++;
    }
    return n;
}

const char *
stage_ids_json(struct arena *a, const int64_t *ids, size_t n)
{
    struct buf b;
    size_t i;

    enum app_err rc;

    buf_init(&b, a, 2000);
    rc = buf_putc(&b, '[');
    for (i = 0; rc == APP_OK && i < n; i++)
        rc = buf_printf(&b, "%s%lld", i > 0 ? "," : "", (long long)ids[i]);
    if (rc == APP_OK)
        rc = buf_putc(&b, ']');
    return rc == APP_OK ? b.p : NULL;
}

/* What the rules decide on for customer c (loaded in scope): its evidence
 * (*set), the keys it holds with "qualified" when its qualification
 * documents are approved and valid (*have), and its facts with the stage
 * under loss focus (*facts).  The caller deletes *have and *facts. */
APP_MUST_USE static enum app_err
gate_inputs(struct ctx *cx, const struct ruledesc *rd, const struct customer *c,
            struct evidence_set *set, cJSON **facts, cJSON **have)
{
    const char *focus = loss_focus_of(rd, c);
    bool qualified = false;
    enum app_err rc = evidence_current(cx, c->id, set);

    *facts = *have = NULL;
    if (rc == APP_OK)
        rc = qual_qualified(cx, rd, c, &qualified);
    if (rc != APP_OK)
        return rc;
    *have = evidence_have(set);
    *facts = stage_facts(c);
    if ((*have != NULL && qualified &&
         cJSON_AddTrueToObject(*have, QUAL_EVIDENCE_KEY) == NULL) ||
        (*facts != NULL && focus != NULL &&
         cJSON_AddStringToObject(*facts, "loss_focus", focus) == NULL) ||
        *have == NULL || *facts == NULL) {
        cJSON_Delete(*have);
        cJSON_Delete(*facts);
        *facts = *have = NULL;
        return APP_ENOMEM;
    }
    return APP_OK;
}

enum app_err
stage_change_locked(struct ctx *cx, const struct stage_request *sr,
                    struct rule_verdict *v, int64_t *event_id)
{
    struct ruledesc rd;
    struct customer c;
    struct evidence_set *set;
    int64_t used[MAX_USED];
    size_t nused = 0;
    uint64_t last = 0;
    cJSON *have, *cf;
    const char *lost_key = NULL, *used_json;
    bool lost;
    enum app_err rc;

    memset(v, 0, sizeof(*v));
    *event_id = 0;
    rc = ruledesc_get(cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(cx, sr->customer_id, true, &c);
    if (rc != APP_OK)
        return rc;
    /* A store is not a deal: whoever asks (page, board, bulk, API,
     * import, a job), its customer stays where the store put it. */
    if (customers_is_store(&c)) {
        v->code = "store_no_stage";
        return APP_ECONFLICT;
    }
    if (sr->expected_version > 0 && sr->expected_version != c.version) {
        v->code = "stale";
        return APP_ECONFLICT;
    }
    lost = ruledesc_stage_flag(&rd, sr->to, "lost");
    if (lost && (sr->lost_reason == NULL || sr->lost_reason[0] == '\0')) {
        v->code = "lost_reason_required";
        return APP_EVALIDATION;
    }
    if (lost) {
        /* Stored by key, whichever name the caller used. */
        lost_key = cJSON_GetStringValue(cJSON_GetObjectItem(
            ruledesc_find(&rd, "lost_reasons", sr->lost_reason), "key"));
        if (lost_key == NULL) {
            v->code = "bad_lost_reason";
            return APP_EVALIDATION;
        }
    }
    set = arena_alloc(cx->a, sizeof(*set));
    if (set == NULL)
        return APP_ENOMEM;
    rc = gate_inputs(cx, &rd, &c, set, &cf, &have);
    if (rc != APP_OK)
        return rc;
    rc = rules_check_transition(cx, cf, c.stage, sr->to, have, v);
    cJSON_Delete(have);
    cJSON_Delete(cf);
    if (rc != APP_OK)
        return rc;
    if (!v->ok) {
        rc = qual_expand_missing(cx, &rd, &c, v);
        return rc == APP_OK ? APP_ECONFLICT : rc;
    }
    if (v->code != NULL && strcmp(v->code, "ok") == 0)
        nused =
            used_items(&rd, set, c.stage, sr->to, loss_focus_of(&rd, &c), used);
    used_json = stage_ids_json(cx->a, used, nused);
    if (used_json == NULL)
        return APP_ENOMEM;
    rc = db_exec(cx->db, SQL_EVENT,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c.id), DB_CSTR(c.stage),
                         DB_CSTR(sr->to), DB_I64(cx->user_id),
                         DB_CSTR(v->code != NULL ? v->code : "ok"),
                         DB_CSTR(used_json), DB_I64(v->version),
                         lost ? DB_CSTR(sr->lost_reason) : DB_NULL,
                         DB_CSTR(sr->note != NULL ? sr->note : ""),
                         DB_CSTR(sr->via != NULL ? sr->via : "page")),
                 NULL, &last);
    if (rc != APP_OK)
        return rc;
    *event_id = (int64_t)last;
    rc = db_exec(cx->db, SQL_MOVE,
                 DB_ARGS(DB_CSTR(sr->to), lost ? DB_CSTR(lost_key) : DB_NULL,
                         DB_I64(cx->user_id), DB_I64(cx->tenant_id),
                         DB_I64(c.id)),
                 NULL, NULL);
    if (rc == APP_OK)
        rc = evidence_mark_used(cx, used, nused, *event_id);
    if (rc == APP_OK)
        rc = ctx_emit(cx, arena_printf(cx->a, STAGE_EVENT_FMT, sr->to),
                      "customer", c.id);
    return rc;
}

enum app_err
stage_change(struct ctx *cx, const struct stage_request *sr,
             struct rule_verdict *v, int64_t *event_id)
{
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc;

    while (db_tx_next(cx->db, &tx, &rc))
        rc = stage_change_locked(cx, sr, v, event_id);
    return rc;
}

enum app_err
stage_inputs(struct ctx *cx, int64_t customer_id, struct customer *c,
             cJSON **facts, cJSON **have)
{
    struct evidence_set *set = arena_alloc(cx->a, sizeof(*set));
    struct ruledesc rd;
    enum app_err rc;

    *facts = *have = NULL;
    if (set == NULL)
        return APP_ENOMEM;
    rc = customers_get(cx, customer_id, false, c);
    if (rc == APP_OK)
        rc = ruledesc_get(cx, &rd);
    return rc == APP_OK ? gate_inputs(cx, &rd, c, set, facts, have) : rc;
}

enum app_err
stage_history(struct ctx *cx, int64_t customer_id, size_t max,
              struct db_res *res)
{
    return db_query(cx->db, cx->a, SQL_HISTORY,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id),
                            DB_I64((int64_t)max)),
                    max, res);
}

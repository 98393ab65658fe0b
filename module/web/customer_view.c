/*
 * customer_view.c -- view models of customers for pages and the API.
 */
#include "web/customer_view.h"
#include "identity/role.h"
#include "identity/users.h"
#include "identity/access.h"

#include "base/wire.h"
#include "sales/customer_input.h"
#include "sales/files.h"
#include "sales/qual_docs.h"

#include <string.h>
#include <time.h>

#include "http/app.h"
#include "web/auth.h"
#include "db/db.h"
#include "base/num.h"
#include "base/tz.h"
#include "web/view.h"

long
cview_days_since(const char *utc)
{
    time_t t;

    if (utc == NULL || utc[0] == '\0')
        return -1;
    t = tz_parse_utc(utc);
    if (t <= 0)
        return -1;
    return (long)((time(NULL) - t) / 86400);
}

cJSON *
cview_customer(struct req *r, const struct ruledesc *rd,
               const struct customer *c)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)c->id);
    cJSON_AddNumberToObject(o, "version", (double)c->version);
    view_add_str(o, "name", c->name);
    view_add_str(o, "kind", c->kind);
    view_add_str(o, "kind_label",
                 ruledesc_label(&r->cx, rd, "customer_kinds", c->kind));
    view_add_str(o, "stage", c->stage);
    view_add_str(o, "stage_label",
                 ruledesc_label(&r->cx, rd, "stages", c->stage));
    view_add_str(o, "stage_since", view_local(r, c->stage_since));
    cJSON_AddNumberToObject(o, "days_in_stage",
                            (double)cview_days_since(c->stage_since));
    if (c->lost_reason[0] != '\0')
        view_add_str(
            o, "lost_reason",
            ruledesc_label(&r->cx, rd, "lost_reasons", c->lost_reason));
    view_add_str(o, "city", c->city);
    view_add_str(o, "address", c->address);
    view_add_str(o, "phone", c->phone);
    view_add_str(o, "amount", c->amount);
    view_add_str(o, "amount_shown", view_money(r, c->amount));
    view_add_str(o, "note", c->note);
    cJSON_AddNumberToObject(o, "owner_id", (double)c->owner_id);
    view_add_str(o, "owner", c->owner_name);
    view_add_str(o, "last_activity", view_local(r, c->last_activity_at));
    view_add_str(o, "updated_at", view_local(r, c->updated_at));
    view_add_str(o, "updated_by", c->updated_by_name);
    view_add_str(o, "created_at", view_local(r, c->created_at));
    view_add_str(o, "health",
                 customers_health(rd, c->stage, c->last_activity_at));
    view_add_str(
        o, "health_text",
        http_t(r, arena_printf(
                      r->a, "customer.health.%s",
                      customers_health(rd, c->stage, c->last_activity_at))));
    return o;
}

cJSON *
cview_customer_api(const struct customer *c)
{
    cJSON *o = cJSON_CreateObject();
    double amount;

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)c->id);
    cJSON_AddNumberToObject(o, "version", (double)c->version);
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "kind", c->kind);
    cJSON_AddStringToObject(o, "stage", c->stage);
    cJSON_AddStringToObject(o, "stage_since", c->stage_since);
    if (c->lost_reason[0] != '\0')
        cJSON_AddStringToObject(o, "lost_reason", c->lost_reason);
    else
        cJSON_AddNullToObject(o, "lost_reason");
    cJSON_AddNumberToObject(o, "owner_id", (double)c->owner_id);
    cJSON_AddStringToObject(o, "owner", c->owner_name);
    cJSON_AddStringToObject(o, "city", c->city);
    cJSON_AddStringToObject(o, "address", c->address);
    cJSON_AddStringToObject(o, "phone", c->phone);
    if (parse_decimal(str_c(c->amount), 12, 2, &amount))
        cJSON_AddNumberToObject(o, "amount", amount);
    else
        cJSON_AddNullToObject(o, "amount");
    cJSON_AddStringToObject(o, "note", c->note);
    if (c->last_activity_at[0] != '\0')
        cJSON_AddStringToObject(o, "last_activity_at", c->last_activity_at);
    else
        cJSON_AddNullToObject(o, "last_activity_at");
    cJSON_AddStringToObject(o, "created_at", c->created_at);
    cJSON_AddStringToObject(o, "updated_at", c->updated_at);
    return o;
}

cJSON *
cview_path(struct req *r, const struct ruledesc *rd, const char *current)
{
    cJSON *a = cJSON_CreateArray();
    const cJSON *s;
    int ci = -1, i = 0;

    ruledesc_stage(rd, current, &ci);
    if (ruledesc_stage_flag(rd, current, "lost"))
        ci = -1;
    cJSON_ArrayForEach(s, ruledesc_stages(rd))
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(s, "key");
        bool lost = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "lost"));
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || a == NULL || !cJSON_IsString(k)) {
            cJSON_Delete(o);
            i++;
            continue;
        }
        view_add_str(o, "key", k->valuestring);
        view_add_str(o, "label", ruledesc_name(&r->cx, s));
        cJSON_AddBoolToObject(o, "current",
                              current != NULL &&
                                  strcmp(current, k->valuestring) == 0);
        cJSON_AddBoolToObject(o, "passed", !lost && ci >= 0 && i < ci);
        cJSON_AddBoolToObject(o, "lost", lost);
        cJSON_AddItemToArray(a, o);
        i++;
    }
    return a;
}

const cJSON *
cview_next_stage(const struct ruledesc *rd, const char *current)
{
    const cJSON *s;
    int ci = -1, i = 0;

    if (ruledesc_stage(rd, current, &ci) == NULL ||
        ruledesc_stage_flag(rd, current, "lost") ||
        ruledesc_stage_flag(rd, current, "won"))
        return NULL;
    cJSON_ArrayForEach(s, ruledesc_stages(rd))
    {
        if (i > ci &&
            !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "lost")))
            return s;
        i++;
    }
    return NULL;
}

enum app_err
cview_move_confirm(struct req *r, const struct ruledesc *rd,
                   const struct customer *c, const char *to, const char *back,
                   bool *asked)
{
    /* A store's customer is not asked about: the move is refused
     * (sales/stage.h) whatever the answer. */
    int asks = customers_is_store(c) ? 0 : cview_move_asks(rd, c->stage, to);

    *asked = asks != 0 && !view_confirmed(r);
    if (!*asked)
        return APP_OK;
    return view_confirm_page(
        r, http_t(r, asks == 1 ? "pipeline.back_title" : "pipeline.lost_title"),
        arena_printf(r->a, "%s: %s \xe2\x86\x92 %s. %s", c->name,
                     ruledesc_label(&r->cx, rd, "stages", c->stage),
                     ruledesc_label(&r->cx, rd, "stages", to),
                     http_t(r, asks == 1 ? "pipeline.back" : "pipeline.lost")),
        back);
}

int
cview_move_asks(const struct ruledesc *rd, const char *from, const char *to)
{
    const cJSON *s;
    int i = 0, fi = -1, ti = -1;

    if (ruledesc_stage_flag(rd, to, "lost"))
        return 2;
    /* Reopening a lost customer is not a step back: it is what the rules'
     * reopen_to allows. */
    if (from == NULL || ruledesc_stage_flag(rd, from, "lost"))
        return 0;
    cJSON_ArrayForEach(s, ruledesc_stages(rd))
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(s, "key"));

        if (k != NULL && from != NULL && strcmp(k, from) == 0)
            fi = i;
        if (k != NULL && strcmp(k, to) == 0)
            ti = i;
        i++;
    }
    return fi >= 0 && ti >= 0 && ti < fi ? 1 : 0;
}

cJSON *
cview_stage_targets(struct req *r, const struct ruledesc *rd,
                    const char *current)
{
    cJSON *opts = ruledesc_options(&r->cx, rd, "stages", NULL);
    cJSON *x = opts != NULL ? opts->child : NULL;
    const char *next = cJSON_GetStringValue(
        cJSON_GetObjectItem(cview_next_stage(rd, current), "key"));

    while (x != NULL) {
        cJSON *nx = x->next;
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(x, "value"));

        if (k != NULL && current != NULL && strcmp(k, current) == 0) {
            cJSON_Delete(cJSON_DetachItemViaPointer(opts, x));
        } else if (k != NULL) {
            int asks = cview_move_asks(rd, current, k);

            if (next != NULL && strcmp(k, next) == 0)
                cJSON_ReplaceItemInObject(x, "selected", cJSON_CreateBool(1));
            cJSON_AddBoolToObject(x, "back", asks == 1);
            cJSON_AddBoolToObject(x, "lost", asks == 2);
        }
        x = nx;
    }
    return opts;
}

/* The form data of an item as [{label, value}] rows, by the rules'
 * field definitions. */
static cJSON *
data_rows(struct req *r, const cJSON *def, const char *json)
{
    cJSON *rows = cJSON_CreateArray(), *data;
    const cJSON *f;

    if (rows == NULL || json == NULL || json[0] == '\0')
        return rows;
    data = cJSON_Parse(json);
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(def, "fields"))
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(f, "key");
        const cJSON *v =
            cJSON_IsString(k)
                ? cJSON_GetObjectItemCaseSensitive(data, k->valuestring)
                : NULL;
        cJSON *row;
        char *text = NULL;

        if (v == NULL)
            continue;
        row = cJSON_CreateObject();
        if (row == NULL)
            break;
        view_add_str(row, "label", ruledesc_name(&r->cx, f));
        if (cJSON_IsString(v)) {
            view_add_str(row, "value", v->valuestring);
        } else if (cJSON_IsArray(v)) {
            const cJSON *x;
            struct buf b;

            buf_init(&b, r->a, 8192);
            cJSON_ArrayForEach(x, v)
            {
                /* Display only: a list longer than the buffer shows what
                 * fits. */
                if (cJSON_IsString(x) &&
                    ((b.len > 0 && buf_puts(&b, "；") != APP_OK) ||
                     buf_puts(&b, x->valuestring) != APP_OK))
                    break;
            }
            view_add_str(row, "value", b.p != NULL ? b.p : "");
        } else {
            text = cJSON_PrintUnformatted(v);
            view_add_str(row, "value",
                         cJSON_IsNumber(v) ? view_number(r, text)
                         : text != NULL    ? text
                                           : "");
            cJSON_free(text);
        }
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_Delete(data);
    return rows;
}

cJSON *
cview_evidence_item(struct req *r, const struct ruledesc *rd,
                    const struct evidence_item *e)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *def = ruledesc_evidence(rd, e->key);

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)e->id);
    view_add_str(o, "key", e->key);
    view_add_str(o, "name", def != NULL ? ruledesc_name(&r->cx, def) : e->key);
    view_add_str(o, "kind", e->kind);
    view_add_str(o, "by", e->by_name);
    view_add_str(o, "when", view_local(r, e->created_at));
    view_add_str(o, "note", e->note);
    cJSON_AddBoolToObject(o, "used", e->used_in != 0);
    if (e->file_id > 0) {
        view_add_str(o, "file_url",
                     arena_printf(r->a, "/files/%lld", (long long)e->file_id));
        view_add_str(o, "file_name",
                     e->file_name[0] != '\0' ? e->file_name : "file");
        cJSON_AddBoolToObject(o, "image",
                              strncmp(e->file_mime, "image/", 6) == 0);
        cJSON_AddBoolToObject(o, "audio", files_is_audio(e->file_mime));
    }
    cJSON_AddItemToObject(o, "rows", data_rows(r, def, e->data));
    return o;
}

/* The checklist's item for the pseudo-evidence "qualified": done when
 * the customer's documents are approved and valid, supplied on the
 * qualifications page. */
static cJSON *
qualified_item(struct req *r, const cJSON *req, int64_t customer_id,
               bool qualified)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    view_add_str(o, "key", QUAL_EVIDENCE_KEY);
    view_add_str(o, "name", ruledesc_name(&r->cx, req));
    cJSON_AddBoolToObject(o, "done", qualified);
    cJSON_AddBoolToObject(o, "qualification", true);
    view_add_str(o, "kind_label", http_t(r, "qual.kind"));
    view_add_str(o, "supply_url",
                 arena_printf(r->a, "/customers/%lld/qualifications",
                              (long long)customer_id));
    return o;
}

cJSON *
cview_checklist(struct req *r, const struct ruledesc *rd, const cJSON *stage,
                const char *focus, int64_t customer_id,
                const struct evidence_set *set, bool qualified)
{
    cJSON *a = cJSON_CreateArray(), *reqs = ruledesc_requires(rd, stage, focus);
    const cJSON *req;

    if (reqs == NULL) {
        cJSON_Delete(a);
        return NULL;
    }
    cJSON_ArrayForEach(req, reqs)
    {
        if (cJSON_IsTrue(
                cJSON_GetObjectItemCaseSensitive(req, "qualification"))) {
            cJSON_AddItemToArray(
                a, qualified_item(r, req, customer_id, qualified));
            continue;
        }
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(req, "key");
        const struct evidence_item *e;
        const cJSON *def;
        const char *kind, *hint;
        cJSON *o;

        if (!cJSON_IsString(k) || a == NULL)
            continue;
        e = evidence_find(set, k->valuestring);
        def = ruledesc_evidence(rd, k->valuestring);
        o = e != NULL ? cview_evidence_item(r, rd, e) : cJSON_CreateObject();
        if (o == NULL)
            break;
        if (e == NULL) {
            view_add_str(o, "key", k->valuestring);
            view_add_str(o, "name", ruledesc_name(&r->cx, req));
        }
        cJSON_AddBoolToObject(o, "done", e != NULL);
        cJSON_AddBoolToObject(
            o, "focus",
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "focus")));
        kind = cJSON_GetStringValue(cJSON_GetObjectItem(def, "kind"));
        view_add_str(o, "kind_label",
                     http_t(r, arena_printf(r->a, "evidence.kind.%s",
                                            kind != NULL ? kind : "form")));
        hint = cJSON_GetStringValue(cJSON_GetObjectItem(
            def, strcmp(r->cx.lang, "en") == 0 ? "hint_en" : "hint"));
        if (hint == NULL)
            hint = cJSON_GetStringValue(cJSON_GetObjectItem(def, "hint"));
        if (hint != NULL)
            view_add_str(o, "hint", hint);
        view_add_str(o, "supply_url",
                     arena_printf(r->a, "/customers/%lld/evidence/%s",
                                  (long long)customer_id, k->valuestring));
        cJSON_AddItemToArray(a, o);
    }
    cJSON_Delete(reqs);
    return a;
}

/* An activity in the timeline: its kind, whether it counts, a link. */
static void
timeline_activity(struct req *r, const struct db_res *res, size_t i, cJSON *o)
{
    const char *state = db_text(res, i, 3);

    view_add_str(
        o, "kind_label",
        http_t(r, arena_printf(r->a, "activity.kind_%s", db_text(res, i, 2))));
    view_add_str(o, "state_label",
                 http_t(r, arena_printf(r->a, "timeline.activity_%s", state)));
    cJSON_AddBoolToObject(o, "counts", strcmp(state, "effective") == 0);
    if (db_text(res, i, 5)[0] != '\0')
        view_add_str(o, "href",
                     arena_printf(r->a, "/visits/%lld",
                                  (long long)db_int(res, i, 7, 0)));
}

enum app_err
cview_timeline(struct req *r, const struct ruledesc *rd, int64_t customer_id,
               size_t max, cJSON **out)
{
    struct db_res res;
    cJSON *a;
    size_t i;
    enum app_err rc = customers_timeline(&r->cx, customer_id, max, &res);

    *out = NULL;
    if (rc != APP_OK)
        return rc;
    a = cJSON_CreateArray();
    for (i = 0; a != NULL && i < res.nrows; i++) {
        const char *t = db_text(&res, i, 0);
        cJSON *o = cJSON_CreateObject();

        if (o == NULL)
            break;
        cJSON_AddItemToArray(a, o);
        view_add_str(o, "when", view_local(r, db_text(&res, i, 1)));
        cJSON_AddNumberToObject(o, "age_days",
                                (double)cview_days_since(db_text(&res, i, 1)));
        view_add_str(o, "who", db_text(&res, i, 6));
        /* Every item names all three kinds, so a section never falls
         * through to the page's own "evidence" list. */
        cJSON_AddBoolToObject(o, "stage", strcmp(t, "stage") == 0);
        cJSON_AddBoolToObject(o, "evidence", strcmp(t, "evidence") == 0);
        cJSON_AddBoolToObject(o, "contact", strcmp(t, "contact") == 0);
        cJSON_AddBoolToObject(o, "contact_added",
                              strcmp(t, "contact_added") == 0);
        cJSON_AddBoolToObject(o, "activity", strcmp(t, "activity") == 0);
        view_add_str(o, "note", db_text(&res, i, 9));
        if (strcmp(t, "activity") == 0) {
            timeline_activity(r, &res, i, o);
        } else if (strcmp(t, "contact_added") == 0) {
            view_add_str(o, "name", db_text(&res, i, 2));
            view_add_str(o, "role_label",
                         ruledesc_label(&r->cx, rd, "decision_roles",
                                        db_text(&res, i, 3)));
            view_add_str(o, "title", db_text(&res, i, 4));
        } else if (strcmp(t, "stage") == 0) {
            const char *from = db_text(&res, i, 2);

            view_add_str(o, "from",
                         from[0] != '\0'
                             ? ruledesc_label(&r->cx, rd, "stages", from)
                             : "");
            view_add_str(
                o, "to",
                ruledesc_label(&r->cx, rd, "stages", db_text(&res, i, 3)));
            view_add_str(o, "code_label",
                         http_t(r, arena_printf(r->a, "stage.code.%s",
                                                db_text(&res, i, 4))));
            if (db_text(&res, i, 5)[0] != '\0')
                view_add_str(o, "lost_reason",
                             ruledesc_label(&r->cx, rd, "lost_reasons",
                                            db_text(&res, i, 5)));
            cJSON_AddNumberToObject(o, "rule_version",
                                    (double)db_int(&res, i, 8, 0));
        } else if (strcmp(t, "evidence") == 0) {
            const cJSON *def = ruledesc_evidence(rd, db_text(&res, i, 2));

            view_add_str(o, "name",
                         def != NULL ? ruledesc_name(&r->cx, def)
                                     : db_text(&res, i, 2));
            if (db_int(&res, i, 4, 0) > 0)
                view_add_str(o, "file_url",
                             arena_printf(r->a, "/files/%lld",
                                          (long long)db_int(&res, i, 4, 0)));
            cJSON_AddBoolToObject(o, "removed", db_text(&res, i, 5)[0] != 0);
            cJSON_AddBoolToObject(o, "used", db_int(&res, i, 8, 0) != 0);
        } else {
            view_add_str(o, "name", db_text(&res, i, 2));
            cJSON_AddBoolToObject(o, "met",
                                  strcmp(db_text(&res, i, 3), "met") == 0);
            view_add_str(o, "text", db_text(&res, i, 4));
            view_add_str(o, "consensus", db_text(&res, i, 5));
            /* a date, not a time */
            view_add_str(o, "when",
                         arena_strndup(r->a, db_text(&res, i, 1), 10));
        }
    }
    *out = a;
    return a != NULL ? APP_OK : APP_ENOMEM;
}

cJSON *
cview_refusal(struct req *r, const struct rule_verdict *v, int64_t customer_id)
{
    cJSON *o = cJSON_CreateObject(), *missing;
    const char *code =
        v->code != NULL && v->code[0] != '\0' ? v->code : "refused";
    size_t i;

    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "error", code);
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(
        o, "message", http_t(r, arena_printf(r->a, "stage.refused.%s", code)));
    if (v->message != NULL)
        cJSON_AddStringToObject(o, "rule_message", v->message);
    cJSON_AddNumberToObject(o, "rule_version", v->version);
    missing = cJSON_AddArrayToObject(o, "missing");
    for (i = 0; missing != NULL && i < v->nmissing; i++) {
        cJSON *m = cJSON_CreateObject();

        if (m == NULL)
            break;
        cJSON_AddStringToObject(m, "key", v->missing[i].key);
        cJSON_AddStringToObject(m, "name", v->missing[i].name);
        if (v->missing[i].state != NULL) { /* a qualification document */
            cJSON_AddStringToObject(m, "state", v->missing[i].state);
            cJSON_AddStringToObject(
                m, "state_label",
                http_t(r, arena_printf(r->a, "qual.state.%s",
                                       v->missing[i].state)));
        }
        if (customer_id > 0)
            cJSON_AddStringToObject(
                m, "url",
                v->missing[i].state != NULL ||
                        strcmp(v->missing[i].key, QUAL_EVIDENCE_KEY) == 0
                    ? arena_printf(r->a, "/customers/%lld/qualifications",
                                   (long long)customer_id)
                    : arena_printf(r->a, "/customers/%lld/evidence/%s",
                                   (long long)customer_id, v->missing[i].key));
        cJSON_AddItemToArray(missing, m);
    }
    return o;
}

/* Append name=value to a query string, percent-encoding the value;
 * nothing when value is empty or an earlier append failed (*rc). */
static void
qs_add(struct buf *b, enum app_err *rc, const char *name, const char *value)
{
    if (*rc != APP_OK || value == NULL || value[0] == '\0')
        return;
    *rc = buf_printf(b, "%s%s=", b->len > 0 ? "&" : "", name);
    if (*rc == APP_OK)
        *rc = wire_pct_encode(b, value, strlen(value));
}

const char *
cview_filter_qs(struct req *r, const struct customer_filter *f)
{
    enum app_err rc = APP_OK;
    struct buf b;

    buf_init(&b, r->a, 4096);
    qs_add(&b, &rc, "stage", f->stage);
    if (f->owner > 0)
        qs_add(&b, &rc, "owner",
               arena_printf(r->a, "%lld", (long long)f->owner));
    if (f->team > 0)
        qs_add(&b, &rc, "team", arena_printf(r->a, "%lld", (long long)f->team));
    qs_add(&b, &rc, "health", f->health);
    qs_add(&b, &rc, "kind", f->kind);
    if (f->stale_days > 0)
        qs_add(&b, &rc, "stale",
               arena_printf(r->a, "%lld", (long long)f->stale_days));
    qs_add(&b, &rc, "q", f->q.p);
    if (f->sort_given)
        qs_add(&b, &rc, "sort", customer_sort_values[f->sort]);
    if (f->dir_given)
        qs_add(&b, &rc, "dir", customer_dir_values[f->desc ? 1 : 0]);
    if (rc != APP_OK)
        return NULL;
    return b.p != NULL ? b.p : "";
}

/* People the user may pick as owner or team: the users in scope. */
enum app_err
cview_people(struct req *r, cJSON *m, int64_t owner_sel, int64_t team_sel)
{
    struct user *users;
    size_t n, i;
    int64_t root, all;
    cJSON *owners = cJSON_AddArrayToObject(m, "owners");
    cJSON *teams = cJSON_AddArrayToObject(m, "teams");
    enum app_err rc;

    access_scope(&r->cx, &root, &all);
    rc = users_list_scope(r->app->db, r->a, r->auth->tenant_id, all, root, 5000,
                          &users, &n);
    if (rc != APP_OK)
        return rc;
    for (i = 0; owners != NULL && teams != NULL && i < n; i++) {
        cJSON *o;

        if (!users[i].active)
            continue;
        o = cJSON_CreateObject();
        if (o == NULL)
            return APP_ENOMEM;
        cJSON_AddNumberToObject(o, "id", (double)users[i].id);
        view_add_str(o, "label", users[i].display_name);
        cJSON_AddBoolToObject(o, "selected", users[i].id == owner_sel);
        cJSON_AddItemToArray(owners, o);
        if (users[i].role & (ROLE_MANAGER | ROLE_SUPERVISOR | ROLE_ADMIN)) {
            o = cJSON_CreateObject();
            if (o == NULL)
                return APP_ENOMEM;
            cJSON_AddNumberToObject(o, "id", (double)users[i].id);
            view_add_str(o, "label", users[i].display_name);
            cJSON_AddBoolToObject(o, "selected", users[i].id == team_sel);
            cJSON_AddItemToArray(teams, o);
        }
    }
    return APP_OK;
}

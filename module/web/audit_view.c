/*
 * audit_view.c -- an audit entry as a sentence with links (audit_view.h).
 */
#include "web/audit_view.h"

#include "sales/qual_docs.h"

#include <string.h>

#include "db/audit.h"
#include "web/view.h"

/* What one entry offers its sentence. */
struct entry {
    struct req *r;
    const struct ruledesc *rd;
    const struct db_res *res;
    size_t i;
    const cJSON *d; /* the detail */
};

static const char *
detail_text(const struct entry *e, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e->d, k);

    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v))
        return arena_printf(e->r->a, "%lld", (long long)v->valuedouble);
    return NULL;
}

/* A user or customer named by the detail: its name, a link to it. */
static const char *
object(const struct entry *e, const char *k, const char *path, size_t col,
       const char **href)
{
    const char *id = detail_text(e, k), *name = db_text(e->res, e->i, col);

    if (id == NULL)
        return NULL;
    *href = arena_printf(e->r->a, "%s%s", path, id);
    return name[0] != '\0' ? name : arena_printf(e->r->a, "#%s", id);
}

/* A key the detail holds, shown by its catalog label (prefix "audit.via."
 * and "api"). */
static const char *
label(const struct entry *e, const char *k, const char *prefix)
{
    const char *v = detail_text(e, k);

    return v != NULL ? http_t(e->r, arena_printf(e->r->a, "%s%s", prefix, v))
                     : NULL;
}

/* "admin,manager" as role labels ("管理员、销售经理"). */
static const char *
role_list(const struct entry *e, const char *csv)
{
    const char *out = "", *p = csv;

    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        int n = comma != NULL ? (int)(comma - p) : (int)strlen(p);
        const char *label =
            http_t(e->r, arena_printf(e->r->a, "role.%.*s", n, p));

        out = arena_printf(e->r->a, "%s%s%s", out,
                           out[0] != '\0' ? http_t(e->r, "audit.list_sep") : "",
                           label);
        p = comma != NULL ? comma + 1 : NULL;
    }
    return csv != NULL ? out : NULL;
}

/* The text of placeholder name (and its link, if any); NULL: unknown. */
static const char *
value(const struct entry *e, const char *name, const char **href)
{
    *href = NULL;
    if (strcmp(name, "subject") == 0) {
        int64_t id = db_int(e->res, e->i, AUDIT_SUBJECT_ID, 0);

        if (id == 0)
            return NULL;
        *href = arena_printf(e->r->a, "/admin/users/%lld", (long long)id);
        return db_text(e->res, e->i, AUDIT_SUBJECT_NAME);
    }
    if (strcmp(name, "customer") == 0)
        return object(e, "customer", "/customers/", AUDIT_CUSTOMER_NAME, href);
    if (strcmp(name, "from_user") == 0)
        return object(e, "from", "/admin/users/", AUDIT_FROM_NAME, href);
    if (strcmp(name, "to_user") == 0)
        return object(e, "to", "/admin/users/", AUDIT_TO_NAME, href);
    if (strcmp(name, "owner") == 0)
        return object(e, "owner", "/admin/users/", AUDIT_OWNER_NAME, href);
    if (strcmp(name, "from_role") == 0)
        return label(e, "from", "role.");
    if (strcmp(name, "to_role") == 0)
        return label(e, "to", "role.");
    if (strcmp(name, "role") == 0)
        return label(e, "role", "role.");
    if (strcmp(name, "reason") == 0)
        return label(e, "reason", "audit.reason.");
    if (strcmp(name, "via") == 0)
        return label(e, "via", "audit.via.");
    if (strcmp(name, "duplicates") == 0)
        return label(e, "duplicates", "audit.dup.");
    if (strcmp(name, "evidence") == 0) {
        const char *k = detail_text(e, "key");
        const cJSON *def = k != NULL ? ruledesc_evidence(e->rd, k) : NULL;

        return def != NULL ? ruledesc_name(&e->r->cx, def) : k;
    }
    if (strcmp(name, "qualification") == 0) {
        const char *k = detail_text(e, "type");
        const cJSON *def = k != NULL ? qual_type_def(e->rd, k) : NULL;

        return def != NULL ? ruledesc_name(&e->r->cx, def) : k;
    }
    if (strcmp(name, "decision") == 0)
        return label(e, "decision", "qual.status.");
    if (strcmp(name, "number") == 0 && detail_text(e, "contract") != NULL) {
        *href =
            arena_printf(e->r->a, "/contracts/%s", detail_text(e, "contract"));
        return detail_text(e, "number");
    }
    if (strcmp(name, "event") == 0)
        return db_text(e->res, e->i, AUDIT_EVENT);
    if (strcmp(name, "export_roles") == 0)
        return role_list(e, detail_text(e, "export_roles"));
    return detail_text(e, name);
}

APP_MUST_USE static enum app_err
segment(struct entry *e, cJSON *out, const char *text, size_t len,
        const char *href)
{
    cJSON *o;

    if (len == 0)
        return APP_OK;
    o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(out, o))
        return APP_ENOMEM;
    view_add_str(o, "text", arena_strndup(e->r->a, text, len));
    if (href != NULL)
        view_add_str(o, "href", href);
    return APP_OK;
}

/* The sentence template t with its {names} filled (a missing value reads
 * as a dash). */
APP_MUST_USE static enum app_err
fill(struct entry *e, const char *t, cJSON *out)
{
    while (*t != '\0') {
        const char *open = strchr(t, '{');
        const char *close = open != NULL ? strchr(open, '}') : NULL;
        const char *href, *v;
        char name[32];
        enum app_err rc;

        if (open == NULL || close == NULL ||
            (size_t)(close - open) > sizeof(name))
            return segment(e, out, t, strlen(t), NULL);
        rc = segment(e, out, t, (size_t)(open - t), NULL);
        if (rc != APP_OK)
            return rc;
        memcpy(name, open + 1, (size_t)(close - open - 1));
        name[close - open - 1] = '\0';
        v = value(e, name, &href);
        if (v == NULL || v[0] == '\0')
            v = "—";
        rc = segment(e, out, v, strlen(v), href);
        if (rc != APP_OK)
            return rc;
        t = close + 1;
    }
    return APP_OK;
}

cJSON *
audit_view_sentence(struct req *r, const struct ruledesc *rd,
                    const struct db_res *res, size_t i)
{
    const char *event = db_text(res, i, AUDIT_EVENT);
    const char *key = arena_printf(r->a, "audit.e.%s", event);
    const char *t = key != NULL ? http_t(r, key) : NULL;
    struct entry e = { r, rd, res, i, NULL };
    cJSON *o = cJSON_CreateObject(), *d, *out;
    bool unknown = t == NULL || strcmp(t, key) == 0;

    if (o == NULL)
        return NULL;
    d = cJSON_Parse(db_text(res, i, AUDIT_DETAIL));
    e.d = d;
    out = cJSON_AddArrayToObject(o, "sentence");
    cJSON_AddBoolToObject(o, "unknown", unknown);
    if (out == NULL ||
        fill(&e, unknown ? http_t(r, "audit.e.unknown") : t, out) != APP_OK) {
        cJSON_Delete(d);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_Delete(d);
    return o;
}

/*
 * stores_input.c -- the one check of a store's fields (stores.h,
 * stores_check), for the pages, the API and the CSV import.
 */
#include "sales/stores.h"
#include "sales/stores_impl.h"

#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "identity/role.h"

static const char SQL_PEOPLE[] =
    "SELECT u.id, u.login, u.role, u.active, (? = 1 OR u.id IN (SELECT "
    "descendant_id FROM user_tree WHERE tenant_id = ? AND ancestor_id = ?)) "
    "FROM users u WHERE u.tenant_id = ? ORDER BY u.id LIMIT ?";

/* The store's format as people write it. */
static const struct {
    const char *key;
    const char *names[5];
} FORMATS[] = {
    { "direct", { "direct", "直营", "直营店", "自营", NULL } },
    { "franchise", { "franchise", "加盟", "加盟店", NULL } },
};

static bool
code_ok(struct str s)
{
    size_t i;

    if (s.len == 0 || s.len > STORE_CODE_MAX)
        return false;
    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

enum app_err
stores_people_load(struct ctx *cx, struct store_people *p)
{
    struct db_res res;
    /* Admins and work without a user (0) give stores to anyone; a manager to
     * the people of their team. */
    int64_t all = (cx->role & ROLE_ADMIN) || cx->user_id == 0 ? 1 : 0;
    int64_t root = cx->user_id;
    enum app_err rc;

    rc = db_query(cx->db, cx->a, SQL_PEOPLE,
                  DB_ARGS(DB_I64(all), DB_I64(cx->tenant_id), DB_I64(root),
                          DB_I64(cx->tenant_id), DB_I64(STORES_PEOPLE_MAX)),
                  STORES_PEOPLE_MAX, &res);
    if (rc != APP_OK)
        return rc;
    p->res = res;
    p->loaded = true;
    return APP_OK;
}

/* The row of the user named by s (an id or a login), or -1. */
static long
person_of(const struct store_people *p, struct str s)
{
    int64_t id = 0;
    size_t i;
    bool by_id = parse_i64(s, 1, INT64_MAX, &id);

    for (i = 0; i < p->res.nrows; i++) {
        if (by_id ? db_int(&p->res, i, 0, 0) == id
                  : str_eq_nocase(s, str_c(db_text(&p->res, i, 1))))
            return (long)i;
    }
    return -1;
}

/* The supervisor field: empty, or an active supervisor or manager the
 * actor may give stores to. */
static const char *
check_supervisor(const struct ctx *cx, const struct store_people *p,
                 struct str s, int64_t *out)
{
    long i;
    const char *role;

    *out = 0;
    if (s.len == 0)
        return (cx->role & ROLE_ADMIN) || cx->user_id == 0
                   ? NULL
                   : "store.supervisor_required";
    i = person_of(p, s);
    if (i < 0)
        return "store.bad_supervisor";
    role = db_text(&p->res, (size_t)i, 2);
    if (db_int(&p->res, (size_t)i, 3, 0) != 1 ||
        (strcmp(role, "supervisor") != 0 && strcmp(role, "manager") != 0) ||
        (cx->user_id != 0 && db_int(&p->res, (size_t)i, 4, 0) != 1))
        return "store.bad_supervisor";
    *out = db_int(&p->res, (size_t)i, 0, 0);
    return NULL;
}

/* The next name of a list of logins ("a, b；c、d e"). */
static bool
next_name(struct str *rest, struct str *name)
{
    static const char *const seps[] = { ",",  ";",  " ",  "\t",
                                        "，", "；", "、", NULL };
    size_t i, k;

    for (;;) {
        bool sep = false;

        for (k = 0; seps[k] != NULL && rest->len > 0; k++) {
            size_t n = strlen(seps[k]);

            if (rest->len >= n && memcmp(rest->p, seps[k], n) == 0) {
                rest->p += n;
                rest->len -= n;
                sep = true;
                break;
            }
        }
        if (!sep)
            break;
    }
    if (rest->len == 0)
        return false;
    for (i = 0; i < rest->len; i++) {
        bool at_sep = false;

        for (k = 0; seps[k] != NULL && !at_sep; k++) {
            size_t n = strlen(seps[k]);

            at_sep = rest->len - i >= n && memcmp(rest->p + i, seps[k], n) == 0;
        }
        if (at_sep)
            break;
    }
    *name = (struct str){ rest->p, i };
    rest->p += i;
    rest->len -= i;
    return true;
}

/* The managers field: logins (or ids) of active store managers. */
APP_MUST_USE static enum app_err
check_managers(struct ctx *cx, const struct store_people *p, struct str s,
               struct store_input *in, cJSON *errors)
{
    struct str rest = s, name;

    while (next_name(&rest, &name)) {
        long i = person_of(p, name);
        int64_t id;
        size_t k;

        if (i < 0 || db_int(&p->res, (size_t)i, 3, 0) != 1 ||
            strcmp(db_text(&p->res, (size_t)i, 2), "store_manager") != 0) {
            cJSON *e = cJSON_AddObjectToObject(errors, "managers");

            cJSON_AddStringToObject(e, "key", "store.bad_manager");
            cJSON_AddStringToObject(e, "name", arena_str(cx->a, name).p);
            return APP_EVALIDATION;
        }
        id = db_int(&p->res, (size_t)i, 0, 0);
        for (k = 0; k < in->nmanagers && in->managers[k] != id; k++)
            ;
        if (k < in->nmanagers)
            continue; /* named twice */
        if (in->nmanagers == STORE_MANAGERS_MAX) {
            cJSON *e = cJSON_AddObjectToObject(errors, "managers");

            cJSON_AddStringToObject(e, "key", "store.too_many_managers");
            cJSON_AddNumberToObject(e, "n", STORE_MANAGERS_MAX);
            return APP_EVALIDATION;
        }
        in->managers[in->nmanagers++] = id;
    }
    return APP_OK;
}

/* lat and lng: both or neither, in range. */
static bool
check_position(const struct field_val *lat, const struct field_val *lng,
               struct store_input *in, cJSON *errors)
{
    bool ok = true;

    in->has_pos = false;
    if (lat->s.len == 0 && lng->s.len == 0)
        return true;
    if (!parse_decimal(lat->s, 3, 8, &in->lat) || in->lat < -90 ||
        in->lat > 90) {
        cJSON_AddStringToObject(errors, "lat", "store.bad_lat");
        ok = false;
    }
    if (!parse_decimal(lng->s, 3, 8, &in->lng) || in->lng < -180 ||
        in->lng > 180) {
        cJSON_AddStringToObject(errors, "lng", "store.bad_lng");
        ok = false;
    }
    in->has_pos = ok;
    return ok;
}

/* A day field: "" or "YYYY-MM-DD" (also "YYYY/MM/DD", as spreadsheets
 * write it), stored as "YYYY-MM-DD". */
static bool
check_day(struct ctx *cx, const char *name, struct str s, const char **out,
          cJSON *errors)
{
    int y, m, d;
    char *t;

    *out = "";
    if (s.len == 0)
        return true;
    t = arena_strndup(cx->a, s.p, s.len);
    if (t == NULL)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (t[i] == '/')
            t[i] = '-';
    if (!parse_date(str_c(t), &y, &m, &d)) {
        cJSON_AddStringToObject(errors, name, "store.bad_day");
        return false;
    }
    *out = arena_printf(cx->a, "%04d-%02d-%02d", y, m, d);
    return *out != NULL;
}

enum app_err
stores_check_with(struct ctx *cx, struct store_people *people,
                  const struct kvlist *f, struct store_input *in, cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "code", V_LINE, true, 1, STORE_CODE_MAX, NULL },
        { "name", V_LINE, true, 1, STORE_NAME_MAX, NULL },
        { "address", V_LINE, false, 0, STORE_ADDRESS_MAX, NULL },
        { "lat", V_LINE, false, 0, 16, NULL },
        { "lng", V_LINE, false, 0, 16, NULL },
        { "region", V_LINE, false, 0, STORE_REGION_MAX, NULL },
        { "supervisor", V_LINE, false, 0, 64, NULL },
        { "format", V_LINE, false, 0, 16, NULL },
        { "opened_on", V_LINE, false, 0, 10, NULL },
        { "closed_on", V_LINE, false, 0, 10, NULL },
        { "managers", V_LINE, false, 0, 1000, NULL },
    };
    struct field_val v[11];
    const char *problem;
    size_t k, j;
    enum app_err rc = validate_fields(&cx->err_detail, f, spec, 11, v, errors);
    bool ok = rc == APP_OK;

    if (rc != APP_OK && rc != APP_EVALIDATION)
        return rc;
    memset(in, 0, sizeof(*in));
    for (k = 0; k < 11; k++)
        if (!v[k].present)
            v[k].s = STR_LIT("");
    in->code = arena_str(cx->a, v[0].s).p;
    in->name = arena_str(cx->a, v[1].s).p;
    in->address = arena_str(cx->a, v[2].s).p;
    in->region = arena_str(cx->a, v[5].s).p;
    if (v[0].present && !code_ok(v[0].s)) {
        cJSON_AddStringToObject(errors, "code", "store.bad_code");
        ok = false;
    }
    if (!cJSON_HasObjectItem(errors, "lat") &&
        !cJSON_HasObjectItem(errors, "lng"))
        ok = check_position(&v[3], &v[4], in, errors) && ok;
    in->format = v[7].s.len == 0 ? "direct" : NULL;
    for (k = 0; in->format == NULL && k < 2; k++)
        for (j = 0; FORMATS[k].names[j] != NULL; j++)
            if (str_eq_nocase(v[7].s, str_c(FORMATS[k].names[j])))
                in->format = FORMATS[k].key;
    if (in->format == NULL) {
        cJSON_AddStringToObject(errors, "format", "store.bad_format");
        in->format = "direct";
        ok = false;
    }
    ok = check_day(cx, "opened_on", v[8].s, &in->opened_on, errors) && ok;
    ok = check_day(cx, "closed_on", v[9].s, &in->closed_on, errors) && ok;
    if (in->opened_on[0] != '\0' && in->closed_on[0] != '\0' &&
        strcmp(in->closed_on, in->opened_on) <= 0) {
        cJSON_AddStringToObject(errors, "closed_on", "store.closed_early");
        ok = false;
    }
    if (!people->loaded) {
        rc = stores_people_load(cx, people);
        if (rc != APP_OK)
            return rc;
    }
    problem = check_supervisor(cx, people, v[6].s, &in->supervisor_id);
    if (problem != NULL) {
        cJSON_AddStringToObject(errors, "supervisor", problem);
        ok = false;
    }
    rc = check_managers(cx, people, v[10].s, in, errors);
    if (rc == APP_EVALIDATION)
        ok = false;
    else if (rc != APP_OK)
        return rc;
    if (!ok)
        cx->err_detail = "validate.failed";
    return ok ? APP_OK : APP_EVALIDATION;
}

enum app_err
stores_check(struct ctx *cx, const struct kvlist *f, struct store_input *in,
             cJSON *errors)
{
    struct store_people people = { 0 };

    return stores_check_with(cx, &people, f, in, errors);
}

/*
 * team.c -- the team page: the manager hierarchy as a tree.  Admins see the
 * whole tenant; managers and supervisors see their subtree.
 */
#include <stdlib.h>
#include <string.h>

#include "identity/access.h"
#include "http/app.h"
#include "db/db.h"
#include "web/auth.h"
#include "identity/user_admin.h"
#include "web/handlers/team.h"
#include "http/router.h"
#include "identity/users.h"
#include "web/view.h"

#define TEAM_MAX 20000

struct item {
    int64_t id, manager;
    size_t row; /* row in the result: login order */
};

static int
by_manager(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    if (x->manager != y->manager)
        return x->manager < y->manager ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* First index in v (sorted by manager) whose manager is >= m. */
static size_t
lower_bound(const struct item *v, size_t n, int64_t m)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid].manager < m)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

struct frame {
    size_t item; /* index into v */
    size_t next; /* next child index into v */
    size_t end;  /* end of its children range */
    size_t depth;
};

APP_MUST_USE static enum app_err
emit(struct req *r, cJSON *list, const struct db_res *res,
     const struct item *it, size_t depth)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL || !cJSON_AddItemToArray(list, o))
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)it->id);
    cJSON_AddNumberToObject(o, "depth", (double)depth);
    view_add_str(o, "indent",
                 arena_printf(r->a, "d%zu", depth > 8 ? (size_t)8 : depth));
    view_add_str(o, "login", db_text(res, it->row, 2));
    view_add_str(o, "name", db_text(res, it->row, 3));
    view_add_str(
        o, "role",
        http_t(r, arena_printf(r->a, "role.%s", db_text(res, it->row, 4))));
    view_add_str(o, "region", db_text(res, it->row, 5));
    cJSON_AddBoolToObject(o, "active", db_int(res, it->row, 6, 0) != 0);
    return APP_OK;
}

enum app_err
team_show(struct req *r)
{
    struct db_res res;
    struct item *v;
    int64_t *ids;
    struct frame *stack;
    size_t n, i, sp = 0;
    int64_t root, all;
    cJSON *m, *list;
    enum app_err rc;

    access_scope(&r->cx, &root, &all);
    rc = users_team(&r->cx, TEAM_MAX, &res);
    if (rc != APP_OK)
        return rc;
    n = res.nrows;
    v = arena_calloc(r->a, n + 1, sizeof(*v));
    ids = arena_calloc(r->a, n + 1, sizeof(*ids));
    stack = arena_calloc(r->a, n + 1, sizeof(*stack));
    m = view_new(r);
    if (v == NULL || ids == NULL || stack == NULL || m == NULL)
        return APP_ENOMEM;
    list = cJSON_AddArrayToObject(m, "members");
    if (list == NULL)
        return APP_ENOMEM;
    for (i = 0; i < n; i++)
        ids[i] = db_int(&res, i, 0, 0);
    qsort(ids, n, sizeof(*ids), cmp_i64);
    for (i = 0; i < n; i++) {
        v[i].id = db_int(&res, i, 0, 0);
        v[i].row = i;
        /* A manager outside the result makes its report a root here. */
        v[i].manager = db_int(&res, i, 1, 0);
        if (v[i].manager != 0 &&
            ((v[i].id == root && !all) ||
             bsearch(&v[i].manager, ids, n, sizeof(*ids), cmp_i64) == NULL))
            v[i].manager = 0;
    }
    qsort(v, n, sizeof(*v), by_manager);
    /* Roots are the items whose manager is 0; walk depth-first with an
     * explicit stack (no recursion on data depth). */
    {
        size_t rb = lower_bound(v, n, 0), re = lower_bound(v, n, 1);

        for (i = rb; i < re; i++) {
            size_t depth0 = 0;

            rc = emit(r, list, &res, &v[i], depth0);
            if (rc != APP_OK)
                return rc;
            stack[0].item = i;
            stack[0].next = lower_bound(v, n, v[i].id);
            stack[0].end = lower_bound(v, n, v[i].id + 1);
            stack[0].depth = 0;
            sp = 1;
            while (sp > 0) {
                struct frame *f = &stack[sp - 1];
                size_t c;

                if (f->next >= f->end || v[f->next].manager != v[f->item].id) {
                    sp--;
                    continue;
                }
                c = f->next++;
                rc = emit(r, list, &res, &v[c], f->depth + 1);
                if (rc != APP_OK)
                    return rc;
                if (sp < n) {
                    stack[sp].item = c;
                    stack[sp].next = lower_bound(v, n, v[c].id);
                    stack[sp].end = lower_bound(v, n, v[c].id + 1);
                    stack[sp].depth = f->depth + 1;
                    sp++;
                }
            }
        }
    }
    cJSON_AddBoolToObject(m, "is_admin", all == 1);
    return view_page(r, 200, "pages/team", m);
}

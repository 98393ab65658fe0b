/*
 * chain.c -- decision chain penetration: which required roles a customer's
 * contacts cover (see chain.h).  The picture is web/chain_svg.c.
 */
#include "sales/chain.h"

#include <limits.h>
#include <string.h>

/* --- the model --------------------------------------------------------- */

static bool
str_ok(struct str s)
{
    return s.p != NULL || s.len == 0;
}

int
chain_window(const struct chain *c)
{
    return c->window_days == 0 ? CHAIN_WINDOW_DAYS : c->window_days;
}

bool
chain_met(int window, const struct chain_contact *k)
{
    return k->days_since_met >= 0 && k->days_since_met <= window;
}

bool
chain_contact_covers(const struct chain *c, const struct chain_contact *k)
{
    if (c == NULL || k == NULL)
        return false;
    return k->consensus && chain_met(chain_window(c), k);
}

APP_MUST_USE static enum app_err
chain_check(const struct chain *c)
{
    size_t i, j;

    if (c == NULL || !str_ok(c->customer))
        return APP_EINVAL;
    if ((c->roles == NULL && c->nroles > 0) ||
        (c->contacts == NULL && c->ncontacts > 0))
        return APP_EINVAL;
    if (c->window_days < 0 || c->window_days > CHAIN_WINDOW_MAX)
        return APP_EINVAL;
    if (c->nroles > CHAIN_MAX_ROLES)
        return APP_ETOOBIG;
    for (i = 0; i < c->nroles; i++) {
        const struct chain_role *r = &c->roles[i];

        if (r->key.len == 0 || r->key.p == NULL || !str_ok(r->label))
            return APP_EINVAL;
        for (j = 0; j < i; j++)
            if (str_eq(c->roles[j].key, r->key))
                return APP_EINVAL;
    }
    for (i = 0; i < c->ncontacts; i++) {
        const struct chain_contact *k = &c->contacts[i];

        if (!str_ok(k->name) || !str_ok(k->title) || !str_ok(k->dept) ||
            !str_ok(k->role))
            return APP_EINVAL;
    }
    return APP_OK;
}

size_t
chain_role_of(const struct chain *c, const struct chain_contact *k)
{
    size_t i;

    for (i = 0; i < c->nroles; i++)
        if (str_eq(c->roles[i].key, k->role))
            return i;
    return SIZE_MAX;
}

/* Per role (in c->roles order): number of contacts and whether one covers
 * it.  c has been checked, so nroles <= CHAIN_MAX_ROLES. */
static void
chain_scan(const struct chain *c, size_t *count, bool *covered)
{
    int window = chain_window(c);
    size_t i, r;

    for (r = 0; r < c->nroles; r++) {
        count[r] = 0;
        covered[r] = false;
    }
    for (i = 0; i < c->ncontacts; i++) {
        const struct chain_contact *k = &c->contacts[i];

        r = chain_role_of(c, k);
        if (r == SIZE_MAX)
            continue;
        count[r]++;
        if (k->consensus && chain_met(window, k))
            covered[r] = true;
    }
}

static void
cover_of(const struct chain *c, const bool *covered, struct chain_cover *out)
{
    size_t r;

    out->required = 0;
    out->covered = 0;
    for (r = 0; r < c->nroles; r++) {
        if (!c->roles[r].required)
            continue;
        out->required++;
        if (covered[r])
            out->covered++;
    }
    out->applicable = out->required > 0;
    if (!out->applicable) {
        out->ratio = 1.0;
        out->percent = 100;
        return;
    }
    out->ratio = (double)out->covered / (double)out->required;
    /* Rounded half up, in integers; required <= CHAIN_MAX_ROLES. */
    out->percent =
        (unsigned)((out->covered * 200 + out->required) / (2 * out->required));
    if (out->covered < out->required && out->percent > 99)
        out->percent = 99;
    if (out->covered > 0 && out->percent < 1)
        out->percent = 1;
}

enum app_err
chain_penetration(const struct chain *c, struct chain_cover *out,
                  bool *role_covered, size_t n_role_covered)
{
    size_t count[CHAIN_MAX_ROLES];
    bool covered[CHAIN_MAX_ROLES];
    enum app_err rc;

    if (out == NULL)
        return APP_EINVAL;
    rc = chain_check(c);
    if (rc != APP_OK)
        return rc;
    if (role_covered != NULL && n_role_covered < c->nroles)
        return APP_EINVAL;
    chain_scan(c, count, covered);
    cover_of(c, covered, out);
    if (role_covered != NULL && c->nroles > 0)
        memcpy(role_covered, covered, c->nroles * sizeof(bool));
    return APP_OK;
}

enum app_err
chain_analyse(const struct chain *c, size_t *count, bool *covered,
              struct chain_cover *cover)
{
    enum app_err rc = chain_check(c);

    if (rc != APP_OK)
        return rc;
    chain_scan(c, count, covered);
    cover_of(c, covered, cover);
    return APP_OK;
}

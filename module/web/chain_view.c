/*
 * chain_view.c -- the decision chain on the customer page: the contacts,
 * the penetration and the picture, labels in the reader's language.
 */
#include "web/chain_view.h"

#include <string.h>

#include "base/jsonmem.h"
#include "sales/chain.h"
#include "sales/contacts.h"
#include "web/chain_svg.h"
#include "web/view.h"

static struct str
label(struct req *r, const char *key)
{
    return str_c(http_t(r, key));
}

/* The decision roles of the rules, labelled in the reader's language. */
static size_t
roles_of(struct req *r, const struct ruledesc *rd,
         struct chain_role roles[CHAIN_MAX_ROLES])
{
    const cJSON *role;
    size_t n = 0;

    cJSON_ArrayForEach(role, cJSON_GetObjectItem(rd->d, "decision_roles"))
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(role, "key"));

        if (k == NULL || n == CHAIN_MAX_ROLES)
            continue;
        roles[n].key = str_c(k);
        roles[n].label = str_c(ruledesc_name(&r->cx, role));
        roles[n].required = cJSON_IsTrue(cJSON_GetObjectItem(role, "required"));
        n++;
    }
    return n;
}

/* The picture's texts from the catalog. */
static void
labels_of(struct req *r, struct chain_labels *lab)
{
    memset(lab, 0, sizeof(*lab));
    lab->title = label(r, "chain.title");
    lab->met = str_c(arena_printf(r->a, "%s", http_t(r, "chain.met")));
    lab->not_met = label(r, "chain.not_met");
    lab->consensus = label(r, "chain.consensus");
    lab->required = label(r, "chain.required");
    lab->uncovered = label(r, "chain.uncovered");
    lab->penetration = label(r, "chain.penetration");
}

/* The picture twice: every role in one row for a wide screen, two roles
 * per row for a phone, where the one-row picture would shrink its text to
 * a few pixels (the page's CSS shows one of them). */
APP_MUST_USE static enum app_err
add_pictures(struct req *r, cJSON *o, const struct chain *ch,
             const struct chain_labels *lab)
{
    static const struct {
        const char *key;
        unsigned per_row;
    } pics[] = { { "svg", 0 }, { "svg_narrow", 2 } };
    struct buf svg;
    enum app_err rc;
    size_t i;

    for (i = 0; i < sizeof(pics) / sizeof(pics[0]); i++) {
        buf_init(&svg, r->a, 256 * 1024);
        rc = chain_svg_rows(ch, lab, pics[i].per_row, &svg);
        if (rc != APP_OK)
            return rc;
        view_add_str(o, pics[i].key, svg.p != NULL ? svg.p : "");
    }
    return APP_OK;
}

enum app_err
chain_model(struct req *r, const struct ruledesc *rd, const struct customer *c,
            cJSON *m)
{
    struct contact *list = arena_calloc(r->a, CONTACTS_MAX, sizeof(*list));
    struct chain_role roles[CHAIN_MAX_ROLES];
    struct chain_contact *ck;
    struct chain_labels lab;
    struct chain_cover cover;
    struct chain ch;
    cJSON *o, *people;
    size_t n = 0, nroles, i;
    int window = ruledesc_health(rd, "chain_recent_days", CHAIN_WINDOW_DAYS);
    enum app_err rc;

    if (window > CHAIN_WINDOW_MAX) /* the rules may say more; a year it is */
        window = CHAIN_WINDOW_MAX;

    if (list == NULL)
        return APP_ENOMEM;
    rc = contacts_list(&r->cx, c->id, list, CONTACTS_MAX, &n);
    if (rc != APP_OK)
        return rc;
    nroles = roles_of(r, rd, roles);
    ck = arena_calloc(r->a, n > 0 ? n : 1, sizeof(*ck));
    if (ck == NULL)
        return APP_ENOMEM;
    o = cJSON_AddObjectToObject(m, "chain");
    people = o != NULL ? cJSON_AddArrayToObject(o, "contacts") : NULL;
    if (people == NULL)
        return APP_ENOMEM;
    for (i = 0; i < n; i++) {
        cJSON *p = cJSON_CreateObject();

        ck[i].id = list[i].id;
        ck[i].name = str_c(list[i].name);
        ck[i].title = str_c(list[i].title);
        ck[i].dept = str_c(list[i].department);
        ck[i].role = str_c(list[i].role);
        ck[i].days_since_met = (int)list[i].met_days_ago;
        ck[i].consensus = list[i].consensus_days_ago >= 0 &&
                          list[i].consensus_days_ago <= window;
        if (p == NULL)
            return APP_ENOMEM;
        cJSON_AddItemToArray(people, p);
        cJSON_AddNumberToObject(p, "id", (double)list[i].id);
        view_add_str(p, "name", list[i].name);
        view_add_str(p, "title", list[i].title);
        view_add_str(p, "department", list[i].department);
        view_add_str(
            p, "role_label",
            ruledesc_label(&r->cx, rd, "decision_roles", list[i].role));
        if (list[i].channel[0] != '\0')
            view_add_str(p, "channel_label",
                         http_t(r, arena_printf(r->a, "contact.channel.%s",
                                                list[i].channel)));
        view_add_str(p, "focus", list[i].focus);
        view_add_str(p, "last_met", list[i].last_met_on);
        view_add_str(p, "consensus", list[i].consensus);
        view_add_str(p, "birthday", list[i].birthday);
        cJSON_AddBoolToObject(p, "recent",
                              list[i].met_days_ago >= 0 &&
                                  list[i].met_days_ago <= window);
    }
    memset(&ch, 0, sizeof(ch));
    ch.customer = str_c(c->name);
    ch.roles = roles;
    ch.nroles = nroles;
    ch.contacts = ck;
    ch.ncontacts = n;
    ch.window_days = window;
    labels_of(r, &lab);
    rc = chain_penetration(&ch, &cover, NULL, 0);
    if (rc != APP_OK)
        return rc;
    rc = add_pictures(r, o, &ch, &lab);
    if (rc != APP_OK)
        return rc;
    cJSON_AddNumberToObject(o, "percent", cover.percent);
    cJSON_AddNumberToObject(o, "covered", (double)cover.covered);
    cJSON_AddNumberToObject(o, "required", (double)cover.required);
    cJSON_AddBoolToObject(o, "applicable", cover.applicable);
    cJSON_AddNumberToObject(o, "window", window);
    return APP_OK;
}

/*
 * contacts.h -- a customer's decision chain: contacts by their role in the
 * decision, with channel preference, focus, birthday, and dated events
 * (meetings with the consensus reached, or anything worth remembering).
 * A contact is reachable only through its customer, so it follows the
 * customer's scope.
 */
#ifndef PROOFLINE_CONTACTS_H
#define PROOFLINE_CONTACTS_H

#include <stdint.h>

#include <cJSON.h>

#include "db/db.h"
#include "base/err.h"
#include "rules/ruledesc.h"
#include "db/ctx.h"
#include "base/kv.h"

/* Channels a contact prefers (keys; labels are in the catalogs as
 * contact.channel.<key>). */
extern const char *const contact_channels[];

struct contact {
    int64_t id;
    int64_t customer_id;
    int64_t version;
    const char *name;
    const char *title;
    const char *department;
    const char *role;
    const char *channel;
    const char *focus;
    const char *phone;
    const char *email;
    const char *birthday;       /* "YYYY-MM-DD" or "" */
    const char *last_met_on;    /* "YYYY-MM-DD" or "" */
    const char *consensus;      /* latest consensus point or "" */
    const char *consensus_on;   /* "YYYY-MM-DD" or "" */
    int64_t met_days_ago;       /* -1: never met */
    int64_t consensus_days_ago; /* -1: none */
};

struct contact_input {
    struct str name, title, department, role, channel, focus, phone, email,
        birthday;
};

/* Validate a contact's fields (the form's names; role by key or name)
 * into in; *version gets "version" (0 when absent).  APP_EVALIDATION with
 * one catalog key per field in errors.  The one check of a contact's
 * fields: the pages, the API and any import call it. */
APP_MUST_USE enum app_err contact_input_check(struct ctx *cx,
                                              const struct ruledesc *rd,
                                              const struct kvlist *fields,
                                              struct contact_input *in,
                                              int64_t *version, cJSON *errors);

#define CONTACTS_MAX 200
#define CONTACT_EVENTS_MAX 2000 /* dated events kept for one contact */

/* The active contacts of a customer (already checked to be in scope). */
APP_MUST_USE enum app_err contacts_list(struct ctx *cx, int64_t customer_id,
                                        struct contact *out, size_t max,
                                        size_t *n);
/* Its read (the customer page prefetches it with others, db_prefetch):
 * "SELECT " CONTACTS_SQL_COLS " " CONTACTS_SQL_LIST_REST. */
#define CONTACTS_SQL_COLS                                                      \
    "k.id, k.customer_id, k.version, k.name, k.title, k.department, k.role, "  \
    "k.channel, k.focus, k.phone, k.email, COALESCE(k.birthday, ''), "         \
    "COALESCE(k.last_met_on, ''), k.consensus, "                               \
    "COALESCE(k.consensus_on, ''), "                                           \
    "COALESCE(DATEDIFF(UTC_DATE(), k.last_met_on), -1), "                      \
    "COALESCE(DATEDIFF(UTC_DATE(), k.consensus_on), -1)"
#define CONTACTS_SQL_NCOLS 17
#define CONTACTS_SQL_LIST_REST                                                 \
    "FROM contacts k WHERE k.tenant_id = ? "                                   \
    "AND k.customer_id = ? AND k.active = 1 ORDER BY k.role, k.name, k.id "    \
    "LIMIT ?"
void contacts_list_part(struct ctx *cx, int64_t customer_id, size_t max,
                        struct db_part *p);

/* One contact whose customer is in r's scope. */
APP_MUST_USE enum app_err contacts_get(struct ctx *cx, int64_t id,
                                       struct contact *c);

APP_MUST_USE enum app_err contacts_create(struct ctx *cx, int64_t customer_id,
                                          const struct contact_input *in,
                                          int64_t *id);

/* APP_ECONFLICT when version is stale. */
APP_MUST_USE enum app_err contacts_update(struct ctx *cx, int64_t id,
                                          int64_t version,
                                          const struct contact_input *in);

APP_MUST_USE enum app_err contacts_deactivate(struct ctx *cx, int64_t id);

/* Record a meeting (kind "met", with an optional consensus point) or an
 * event on date `on` ("YYYY-MM-DD"). */
APP_MUST_USE enum app_err
contacts_add_event(struct ctx *cx, const struct contact *c, const char *kind,
                   const char *on, struct str text, struct str consensus);

/* The contact was met on `on` ("YYYY-MM-DD") with an optional consensus
 * point (the latest kept): the decision chain's "last met" and consensus
 * (called by activities, in their transaction). */
APP_MUST_USE enum app_err contacts_met(struct ctx *cx, int64_t contact_id,
                                       const char *on, struct str consensus);

/* Recent events of a contact: happened_on, kind, text, consensus, by. */
APP_MUST_USE enum app_err contacts_events(struct ctx *cx, int64_t contact_id,
                                          size_t max, struct db_res *out);

#endif

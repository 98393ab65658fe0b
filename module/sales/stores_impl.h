/*
 * stores_impl.h -- what stores.c, stores_input.c and stores_import.c
 * share (not for other modules).
 */
#ifndef PROOFLINE_STORES_IMPL_H
#define PROOFLINE_STORES_IMPL_H

#include "rules/ruledesc.h"
#include "sales/stores.h"

#define STORES_PEOPLE_MAX 50000

/* The company's users as the checks look them up (id, login, role,
 * active, may be given stores by the actor), read once per check or
 * import. */
struct store_people {
    struct db_res res;
    bool loaded;
};

APP_MUST_USE enum app_err stores_people_load(struct ctx *cx,
                                             struct store_people *p);

/* stores_check with the users read already (loaded when not yet). */
APP_MUST_USE enum app_err stores_check_with(struct ctx *cx,
                                            struct store_people *people,
                                            const struct kvlist *f,
                                            struct store_input *in,
                                            cJSON *errors);

/* Admins and managers write stores. */
bool stores_may_write(const struct ctx *cx);

/* Inside the caller's transaction: insert (id 0) or update store id,
 * bring its customer (customer_id, 0: none yet) in step and set its
 * managers; audited (store.create / store.update) when audited.  *out
 * (may be NULL) gets the id. */
APP_MUST_USE enum app_err stores_write(struct ctx *cx,
                                       const struct ruledesc *rd, int64_t id,
                                       int64_t customer_id,
                                       const struct store_input *in,
                                       bool audited, int64_t *out);

/* How many stores the company has. */
APP_MUST_USE enum app_err stores_count(struct ctx *cx, int64_t *n);

#endif

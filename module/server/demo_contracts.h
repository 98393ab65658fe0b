/*
 * demo_contracts.h -- the demo company's clause library and contract
 * template (see demo.c).
 */
#ifndef PROOFLINE_DEMO_CONTRACTS_H
#define PROOFLINE_DEMO_CONTRACTS_H

#include <stdint.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "db/db.h"

/* Five clauses (payment, delivery, warranty, penalty, amount) and the
 * template 设备销售合同 built from them, written by legal_id through the
 * library's own functions (sales/clauses.h), inside the caller's
 * transaction. */
APP_MUST_USE enum app_err demo_contracts(struct db *db, struct arena *a,
                                         const struct conf *c, int64_t tenant,
                                         int64_t legal_id);

#endif

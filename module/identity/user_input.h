/*
 * user_input.h -- adding a user: the one check of a new user's fields and
 * the one write, for the admin page and `proofline user add` alike.
 */
#ifndef PROOFLINE_USER_INPUT_H
#define PROOFLINE_USER_INPUT_H

#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "db/ctx.h"

#define USER_TEMP_PASSWORD 17 /* a generated password and its NUL */

/* The locales a user may choose ("" for the company's default). */
extern const char *const user_locales[];

/* Add a user from the fields login, name (default: the login), role (a
 * role name), manager (a user id), region, locale and password (empty:
 * one is generated into generated[USER_TEMP_PASSWORD], else generated is
 * ""), checked as every path checks them (the password policy included),
 * created with its place in the manager tree and audited as done by
 * cx->user_id, in one transaction.  APP_EVALIDATION with one catalog key
 * per field in errors (login taken: "admin.login_taken"; a manager who
 * may not manage: "admin.bad_manager"); nothing is written then.
 * temporary: the user must change the password at the first sign-in (a
 * generated password always is). */
APP_MUST_USE enum app_err user_add(struct ctx *cx, const struct kvlist *fields,
                                   bool temporary, cJSON *errors,
                                   char *generated, int64_t *id);

#endif

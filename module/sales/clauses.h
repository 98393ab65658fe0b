/*
 * clauses.h -- the clause library, contract templates assembled from
 * clauses, and the one function that turns a template with chosen terms
 * into a contract's text.
 *
 * Both are versioned: saving a clause or a template adds a version (a
 * new row), never edits one, so a template names exactly the clause
 * versions it was saved with and a contract the ones it used; editing a
 * clause later changes no saved template's text.  A template pins each
 * of its clauses to the clause's latest version when it is saved.
 *
 * Legal and admins write (others APP_EFORBIDDEN); everyone in the company
 * reads (reps choose templates for their contracts).  Field problems are
 * catalog keys per field, or {"key", "name"} naming what is wrong.
 */
#ifndef PROOFLINE_CLAUSES_H
#define PROOFLINE_CLAUSES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/str.h"
#include "db/ctx.h"
#include "db/db.h"

#define CLAUSE_KEY_MAX 64     /* [a-z0-9_], like rule keys */
#define CLAUSE_TITLE_MAX 200  /* characters */
#define CLAUSE_BODY_MAX 20000 /* characters */
#define TEMPLATE_CLAUSES_MAX 40
#define TEMPLATE_OPTIONS_MAX 20 /* values offered for one term */
#define CONTRACT_TEXT_MAX (256 * 1024)
#define CLAUSES_LIST_MAX 500     /* clause keys (and template keys) listed */
#define CLAUSES_HISTORY_MAX 5000 /* versions listed */
#define CONTRACT_AMOUNT_MAX 1e12

/* The variables a clause may use as {name}, NULL-terminated: customer,
 * amount, amount_words (the amount in Chinese capitals, 壹拾贰万元整),
 * payment_term_days, prepay_pct, prepay_amount, delivery_days,
 * warranty_months, penalty_pct, date, number. */
extern const char *const contract_vars[];

/* The terms a template offers options for, NULL-terminated, in the order
 * of struct contract_terms: payment_term_days, prepay_pct, delivery_days,
 * warranty_months, penalty_pct. */
extern const char *const contract_terms_names[];

struct contract_terms {
    double amount; /* > 0, at most CONTRACT_AMOUNT_MAX; cents kept */
    int payment_term_days;
    double prepay_pct; /* 0..100 */
    int delivery_days;
    int warranty_months;
    double penalty_pct; /* 0..100 */
};

struct contract_template {
    int64_t id;
    const char *key;
    int version;
    const char *name;
    /* [{"key", "version", "id", "title"}] in the template's order, and
     * {"payment_term_days": [30, 60, 90], "prepay_pct": [0, 30, 50],
     * "delivery_days": [...], "warranty_months": [...], "penalty_pct":
     * [...]}: both parsed into cx->a's lifetime (freed with the arena by
     * a cleanup); the caller must not free them. */
    const cJSON *clauses;
    const cJSON *options;
    bool active;
    const char *created_at; /* UTC */
};

struct contract_text {
    const char *body;            /* in cx->a */
    const char *clause_versions; /* JSON text [{"key","version","id"}] */
};

/* Columns of a clause row (clauses_latest, clauses_history, clauses_get;
 * CLA_BODY is "" but in clauses_get). */
enum {
    CLA_ID,
    CLA_KEY,
    CLA_VERSION,
    CLA_TITLE,
    CLA_CREATED_AT,
    CLA_AUTHOR,
    CLA_BODY,
    CLA_COUNT
};

/* Save a clause: a new version (1 for a new key).  Legal and admins only
 * (APP_EFORBIDDEN).  Checks the key ([a-z0-9_], 1..CLAUSE_KEY_MAX, not
 * "new": it names a page), title (one line, 1..CLAUSE_TITLE_MAX
 * characters) and body (1..CLAUSE_BODY_MAX characters of UTF-8 text; CR
 * dropped), that braces balance (errors.body "clauses.unbalanced") and
 * that every {name} in the body is one of contract_vars (errors.body
 * {"key": "clauses.unknown_var", "name": the first unknown}):
 * APP_EVALIDATION with errors per field.  Audited "clause.save".
 * *id and *version: the new row. */
APP_MUST_USE enum app_err clauses_save(struct ctx *cx, struct str key,
                                       struct str title, struct str body,
                                       cJSON *errors, int64_t *id,
                                       int *version);

/* The latest version of every clause, by key (CL_* columns, no body), at
 * most CLAUSES_LIST_MAX. */
APP_MUST_USE enum app_err clauses_latest(struct ctx *cx, struct db_res *out);

/* Every version of the clause key (NULL: of every clause), by key then
 * newest first (CL_* columns, no body), at most CLAUSES_HISTORY_MAX. */
APP_MUST_USE enum app_err clauses_history(struct ctx *cx, const char *key,
                                          struct db_res *out);

/* One version of clause key (0: the latest), with its body (CLA_BODY).
 * APP_ENOTFOUND when there is none. */
APP_MUST_USE enum app_err clauses_get(struct ctx *cx, const char *key,
                                      int version, struct db_res *out);

/* Save a template: a new version (1 for a new key).  key as for clauses;
 * name one line, 1..CLAUSE_TITLE_MAX characters; clause_keys an array of
 * clause keys (strings), in order, 1..TEMPLATE_CLAUSES_MAX of them, each
 * once, each pinned to its latest version now (errors.clauses
 * "clauses.no_clauses", "clauses.too_many", {"key":
 * "clauses.unknown_clause" or "clauses.repeated", "name"}); options an
 * object giving each of contract_terms_names a non-empty list (at most
 * TEMPLATE_OPTIONS_MAX) of allowed values: an array of numbers, or a
 * string of them separated by commas or spaces ("30, 60, 90"); days and
 * months whole numbers 0..3650 and 0..600, percentages 0..100 with at
 * most two decimals (errors.<term> "clauses.bad_options").  Legal and
 * admins only.  Audited "contract_template.save". */
APP_MUST_USE enum app_err templates_save(struct ctx *cx, struct str key,
                                         struct str name,
                                         const cJSON *clause_keys,
                                         const cJSON *options, cJSON *errors,
                                         int64_t *id, int *version);

/* Columns of a template row (templates_list, templates_history). */
enum { TP_ID, TP_KEY, TP_VERSION, TP_NAME, TP_CREATED_AT, TP_AUTHOR, TP_COUNT };

/* The active templates' latest versions, by name (for everyone: reps
 * choose from them), at most CLAUSES_LIST_MAX. */
APP_MUST_USE enum app_err templates_list(struct ctx *cx, struct db_res *out);

/* Every version of every template, by key then newest first (TP_*
 * columns), at most CLAUSES_HISTORY_MAX: the admin page's history. */
APP_MUST_USE enum app_err templates_history(struct ctx *cx, struct db_res *out);

/* One template version by id, its clauses with their titles (APP_ENOTFOUND
 * for none or another company's). */
APP_MUST_USE enum app_err templates_get(struct ctx *cx, int64_t id,
                                        struct contract_template *out);

/* Are the terms among the template's options?  errors gets
 * "contracts.not_an_option" for each term (named as in
 * contract_terms_names) that is not, and "contracts.bad_amount" for an
 * amount that is not positive or over CONTRACT_AMOUNT_MAX: then
 * APP_EVALIDATION. */
APP_MUST_USE enum app_err
templates_check_terms(const struct contract_template *t,
                      const struct contract_terms *terms, cJSON *errors);

/* The contract's text: each clause of the template (its pinned version)
 * as "第N条 title\n\nbody", clauses numbered 第一条, 第二条, ... and
 * separated by a blank line, with the body's {variables} replaced:
 * customer (customer_name), amount with thousands separators and 2
 * decimals ("120,000.00"), amount_words in Chinese capitals, prepay_amount
 * = amount * prepay_pct / 100 (rounded to the fen, written as amount),
 * percentages and whole numbers as plain numbers ("30", "0.5"), date the
 * company's today ("YYYY-MM-DD"), number as given (NULL: "").  The terms
 * are not checked against the options here (templates_check_terms does).
 * At most CONTRACT_TEXT_MAX bytes (APP_ETOOBIG); APP_ENOTFOUND when a
 * pinned clause is gone; APP_EINVAL for an amount outside (0, 1e12]. */
APP_MUST_USE enum app_err
contract_resolve(struct ctx *cx, const struct contract_template *t,
                 const struct contract_terms *terms, const char *customer_name,
                 const char *number, struct contract_text *out);

#endif

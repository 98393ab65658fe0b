/*
 * rules_edit.h -- what the rule editor's code view and the rules form
 * share: checking a rule set (compile and self-tests, for the page) and
 * saving one script as a draft (checked, kept even when it fails,
 * audited).  One write path for drafts, whichever page made them.
 */
#ifndef PROOFLINE_RULES_EDIT_H
#define PROOFLINE_RULES_EDIT_H

#include <stdbool.h>

#include <cJSON.h>

#include "base/err.h"
#include "http/http.h"
#include "rules/rulesets.h"

/* Build and test set: the model m gets "check" {ok, error, error_line,
 * error_script, tests: [...], failed, total}; *ok when all pass. */
APP_MUST_USE enum app_err
rules_edit_check(struct req *r, const struct rule_set *set, cJSON *m, bool *ok);

/* Set script idx of work to source, check the whole set into m, and save
 * it as the company's draft of that script with its audit entry
 * ("rules.draft_save", passing or not), in one transaction. */
APP_MUST_USE enum app_err rules_edit_save(struct req *r, struct rule_set *work,
                                          int idx, struct str source, cJSON *m,
                                          bool *ok);

#endif

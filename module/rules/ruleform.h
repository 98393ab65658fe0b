/*
 * ruleform.h -- the declarative parts of a rule script as form fields.
 *
 * The rules form lets a manager change numbers and lists without writing
 * Lua, and writes the same Lua the code view shows: it edits the script's
 * text in place, so comments, layout and the rest of the tenant's code
 * stay as they are.  A field is editable only where the script has the
 * shape the form knows, found exactly once (a number on its table's line:
 * `stage_health = { healthy = 0.85, ... }`; a list in an entry:
 * `{ key = "intent", ... requires = { "need_confirmed" } }`,
 * `store_visit = { ..., photos = { "storefront" } }`); anywhere else the
 * form says "custom code: use the code view" and writes nothing.  What the
 * form writes is checked and saved like any edit (drafts, self-tests,
 * history, audit).
 */
#ifndef PROOFLINE_RULEFORM_H
#define PROOFLINE_RULEFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/str.h"

#define RULEFORM_LIST_MAX 32

/* The number `key = N` on the line of `table = {` in script, as written
 * ("0.85"), into out[n]; false when not exactly one such place. */
bool ruleform_number(struct str script, const char *table, const char *key,
                     char *out, size_t n);

/* script with that number replaced by value (a plain number); NULL when
 * the place is not there exactly once. */
const char *ruleform_set_number(struct arena *a, struct str script,
                                const char *table, const char *key,
                                const char *value);

/* An entry of a list: by its key (`key = "intent"`, entry_is_key) or by
 * its name (`store_visit = {`).  The quoted items of its `field = { ... }`
 * into items (in a), *n of them (0 when the entry has no such field);
 * false when the entry is not there exactly once or the list is not a
 * plain list of strings. */
bool ruleform_list(struct arena *a, struct str script, const char *entry,
                   bool entry_is_key, const char *field, const char **items,
                   size_t *n);

/* script with that list set to items (the field added to the entry when
 * it had none); NULL when not editable. */
const char *ruleform_set_list(struct arena *a, struct str script,
                              const char *entry, bool entry_is_key,
                              const char *field, const char *const *items,
                              size_t n);

#endif

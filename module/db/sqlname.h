/*
 * sqlname.h -- the one way a table or column name enters SQL text.
 *
 * Names cannot be bound as parameters.  The statements that work over
 * the tables information_schema lists (backup, restore, the privacy
 * export and erasures) put them into their text only through here: a
 * name must match [a-z0-9_]{1,64} and is quoted in backticks; every value
 * is still bound.
 */
#ifndef PROOFLINE_SQLNAME_H
#define PROOFLINE_SQLNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

#define DB_NAME_MAX 64

/* True when s is a name this module puts into SQL. */
bool db_name_ok(const char *s);

/* parts[0] `parts[1]` parts[2] `parts[3]` ...: the even parts are fixed
 * SQL text, the odd ones names (checked by db_name_ok, quoted).  The
 * statement in a's memory, or NULL when a name is refused or memory runs
 * out. */
const char *db_sql_names(struct arena *a, const char *const *parts, size_t n);

#endif

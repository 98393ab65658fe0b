/*
 * num.h -- bounded number parsing (STYLE §10: no atoi, no unchecked strtol).
 */
#ifndef PROOFLINE_NUM_H
#define PROOFLINE_NUM_H

#include <stdbool.h>
#include <stdint.h>

#include "str.h"

/* Parse a base-10 integer (optional leading '-') that must fill all of s
 * and lie in [min, max].  No spaces, no '+', no leading zeros beyond "0"
 * itself are accepted on the wire form.  Returns true on success. */
bool parse_i64(struct str s, int64_t min, int64_t max, int64_t *out);

/* Same with base 8 digits only (for file modes such as 0660). */
bool parse_octal(struct str s, int64_t max, int64_t *out);

/* "1", "true", "yes", "on" / "0", "false", "no", "off" (ASCII case
 * insensitive). */
bool parse_bool(struct str s, bool *out);

#endif

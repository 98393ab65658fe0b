/*
 * num.h -- bounded number parsing (STYLE §10: no atoi, no unchecked strtol).
 */
#ifndef PROOFLINE_NUM_H
#define PROOFLINE_NUM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"

/* Parse a base-10 integer (optional leading '-') that must fill all of s
 * and lie in [min, max].  No spaces, no '+', no leading zeros beyond "0"
 * itself are accepted on the wire form.  Returns true on success. */
bool parse_i64(struct str s, int64_t min, int64_t max, int64_t *out);

/* Same with base 8 digits only (for file modes such as 0660). */
bool parse_octal(struct str s, int64_t max, int64_t *out);

/* "1", "true", "yes", "on" / "0", "false", "no", "off" (ASCII case
 * insensitive). */
bool parse_bool(struct str s, bool *out);

/* A decimal number: optional '-', 1 to int_digits digits, optionally '.'
 * and 1 to frac_digits digits ("12", "-3.5", "0.25"; not ".5", "1.",
 * "1e3", "+1", spaces).  *out gets its value. */
bool parse_decimal(struct str s, int int_digits, int frac_digits, double *out);

/* A calendar date "YYYY-MM-DD" between 1900-01-01 and 2199-12-31 that
 * exists (leap years included). */
bool parse_date(struct str s, int *year, int *month, int *day);

#endif

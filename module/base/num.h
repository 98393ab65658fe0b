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

/* A number as people and spreadsheets write it, made plain: full-width
 * digits and signs, an optional currency sign before it ("¥", "￥", "RMB",
 * "CNY") or "元" after it, and thousands separators ("," "，" " " or a
 * no-break or thin space) that must sit between groups of three digits
 * ("1,200,000", "1 200 000", "¥1,200,000.00"; "1,20,000" and "1,5" are
 * refused, the second being a decimal comma).  out (cap bytes) gets the
 * plain "-?[0-9]+(.[0-9]+)?", which parse_decimal reads.  False when s is
 * not such a number or does not fit. */
bool parse_human_number(struct str s, char *out, size_t cap);

/* A calendar date "YYYY-MM-DD" between 1900-01-01 and 2199-12-31 that
 * exists (leap years included). */
bool parse_date(struct str s, int *year, int *month, int *day);

/* A plain number ("1200000.5", as parse_human_number gives or MariaDB
 * returns a DECIMAL) written for people: thousands grouped with ",", and
 * exactly `decimals` (0..4) decimals, rounded half up on the digits
 * ("1,200,000.50").  False when plain is not such a number or out (cap
 * bytes) is too small. */
bool format_grouped(const char *plain, int decimals, char *out, size_t cap);

#endif

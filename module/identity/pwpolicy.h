/*
 * pwpolicy.h -- what a new password must be (OWASP ASVS 5.0 §6.2):
 * 10 to 256 characters, not one of the most common passwords, not the
 * login or company code, not a single repeated character or a straight
 * keyboard/number run.  No composition rules (they do not help).
 */
#ifndef PROOFLINE_PWPOLICY_H
#define PROOFLINE_PWPOLICY_H

#include "base/str.h"

#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_CHARS 256

/* NULL when the password is acceptable, else the message-catalog key of
 * the reason ("password.too_short", "password.too_long",
 * "password.common", "password.contains_login", "password.bad_text").
 * login and tenant may be empty. */
const char *pwpolicy_check(struct str password, struct str login,
                           struct str tenant);

#endif

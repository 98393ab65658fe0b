/*
 * mfa.h -- the second factor: TOTP enrolment, verification, recovery codes.
 */
#ifndef PROOFLINE_MFA_H
#define PROOFLINE_MFA_H

#include <stdint.h>

#include "db/db.h"
#include "base/err.h"

#define MFA_RECOVERY_CODES 10

/* Remove a user's second factor (secret, recovery codes).  The caller
 * audits and ends the sessions. */
APP_MUST_USE enum app_err mfa_clear(struct db *db, int64_t tenant,
                                    int64_t user);

#endif

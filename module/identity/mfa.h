/*
 * mfa.h -- the acting user's second factor (TOTP, RFC 6238) and recovery
 * codes.  Every function acts on cx->user_id in cx->tenant_id; the caller
 * (the MFA pages) decides what the session may do next.
 */
#ifndef PROOFLINE_MFA_H
#define PROOFLINE_MFA_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "db/ctx.h"
#include "db/db.h"

#define MFA_RECOVERY_CODES 10

struct mfa_status {
    bool enabled;    /* confirmed and in force */
    bool pending;    /* a secret made, waiting for its first code */
    long codes_left; /* unused recovery codes (when enabled) */
};

APP_MUST_USE enum app_err mfa_status(struct ctx *cx, struct mfa_status *out);

/* Sign-in: a TOTP code (accepted once), else a recovery code (used up).
 * *ok tells; the attempt is audited either way. */
APP_MUST_USE enum app_err mfa_check(struct ctx *cx, struct str code,
                                    struct str recovery, bool *ok);

/* Enrolment: make a new pending secret (replacing an unconfirmed one;
 * nothing when enabled). */
APP_MUST_USE enum app_err mfa_enrol_start(struct ctx *cx);

/* The pending secret as an otpauth:// URI for `account` into uri, and in
 * base32 into b32[b32cap >= 128].  APP_ENOTFOUND without one. */
APP_MUST_USE enum app_err mfa_enrol_uri(struct ctx *cx, const char *account,
                                        struct buf *uri, char *b32,
                                        size_t b32cap);

/* Confirm the pending secret with its first code: enable it and append
 * MFA_RECOVERY_CODES fresh codes (shown once) to the array codes.  *ok
 * false: the code was wrong, nothing changed.  APP_ECONFLICT when already
 * enabled. */
APP_MUST_USE enum app_err mfa_enrol_confirm(struct ctx *cx, struct str code,
                                            cJSON *codes, bool *ok);

/* Replace the recovery codes, confirmed by a current code; as above.
 * APP_ECONFLICT when the factor is not enabled. */
APP_MUST_USE enum app_err mfa_codes_renew(struct ctx *cx, struct str code,
                                          cJSON *codes, bool *ok);

/* Turn the factor off, confirmed by the password; refused for the roles
 * that require it (APP_EFORBIDDEN), a wrong password is APP_EVALIDATION
 * (err_detail says which). */
APP_MUST_USE enum app_err mfa_turn_off(struct ctx *cx, struct str password);

/* Remove a user's second factor (secret, recovery codes), as an admin's
 * reset does.  The caller audits and ends the sessions. */
APP_MUST_USE enum app_err mfa_clear(struct db *db, int64_t tenant,
                                    int64_t user);

#endif

/*
 * throttle.h -- sign-in throttling kept in MariaDB, so it holds across
 * workers and hosts.
 *
 * Failures are counted per account (tenant code + login, whether or not
 * such an account exists, so throttling reveals nothing) and per client
 * address over login_window seconds, since the account's last success.
 * After login_delay_after failures each further attempt must wait 2^k
 * seconds after the previous failure (k = failures beyond the threshold),
 * up to login_delay_max; at login_max_failures the account is locked for
 * the rest of the window.  The same holds per address with its own
 * thresholds.  Refused attempts are not verified and not counted, so an
 * attacker cannot extend a lock by hammering it.
 */
#ifndef PROOFLINE_THROTTLE_H
#define PROOFLINE_THROTTLE_H

#include <stdbool.h>

#include "base/err.h"
#include "http/http.h"

struct throttle_policy {
    long window;       /* seconds */
    long delay_after;  /* failures before delays start */
    long delay_max;    /* seconds */
    long max_failures; /* per window: locked past it */
};

/* The decision for `failures` recent failures, the last `since_last`
 * seconds ago: 0 = go ahead, otherwise the seconds to wait; *locked is set
 * when the cap is reached (wait is then the window). */
long throttle_wait(const struct throttle_policy *p, long failures,
                   long since_last, bool *locked);

/* A key for a bucket of attempts: hex SHA-256 of scope, NUL, name (ASCII
 * letters lower-cased).  For buckets keyed by ids ("mfa:<tenant>:<user>"). */
void throttle_account_key(struct str scope, struct str name, char *out);

/* The key of a sign-in attempt's account, whatever the spelling of the
 * login: the account the database resolved (user_id > 0), else the login
 * in the canonical form of the users.login collation (what that collation
 * considers equal -- full-width letters, accents, superscript digits,
 * trailing spaces and whatever else it weighs as a space, such as U+00A0
 * and U+3000 -- has one form), within the company the database
 * resolved (tenant > 0) or the code typed.  Runs the same one query
 * either way, so the key reveals nothing by its timing. */
APP_MUST_USE enum app_err throttle_login_key(struct req *r, int64_t tenant,
                                             struct str slug, int64_t user_id,
                                             struct str login, char *out);

/* May this attempt go ahead?  *wait_s is 0 when it may; *locked tells a
 * lock (for the audit log) from a delay. */
APP_MUST_USE enum app_err throttle_check(struct req *r, const char *account_key,
                                         long *wait_s, bool *locked);

/* Record the outcome of a verified attempt. */
APP_MUST_USE enum app_err throttle_record(struct req *r,
                                          const char *account_key, bool ok);

#endif

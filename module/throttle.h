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

#include "err.h"
#include "http.h"

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

/* The account key: hex SHA-256 of tenant code, NUL, lower-cased login. */
void throttle_account_key(struct str tenant, struct str login, char *out);

/* May this attempt go ahead?  *wait_s is 0 when it may; *locked tells a
 * lock (for the audit log) from a delay. */
enum app_err throttle_check(struct req *r, const char *account_key,
                            long *wait_s, bool *locked);

/* Record the outcome of a verified attempt. */
enum app_err throttle_record(struct req *r, const char *account_key, bool ok);

#endif

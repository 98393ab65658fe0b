/*
 * sched.h -- readable schedules and their next run in a time zone.
 *
 * Rules say when something happens the way people do: "weekdays 16:00",
 * "daily 09:30", "mon,wed,fri 08:00", "sat-sun 10:00", "工作日 16:00",
 * "每天 09:30", "周一,周三 08:00"; or a period: "1h", "15m", "2d".  A time
 * of day is wall-clock time in the tenant's zone, whatever its offset that
 * day: on a daylight-saving change a time that does not exist runs at the
 * first instant after the gap, a time that exists twice runs once.  A
 * period is counted in real time from the epoch, so every scheduler agrees
 * on the slots.
 */
#ifndef PROOFLINE_SCHED_H
#define PROOFLINE_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "base/str.h"

#define SCHED_MIN_PERIOD 60           /* seconds */
#define SCHED_MAX_PERIOD (31 * 86400) /* seconds */

enum sched_kind { SCHED_AT, SCHED_EVERY };

struct sched {
    enum sched_kind kind;
    unsigned days;  /* SCHED_AT: bit d for weekday d (0 = Sunday) */
    int minute;     /* SCHED_AT: minutes after local midnight */
    int64_t period; /* SCHED_EVERY: seconds */
};

/* Parse a schedule.  False with *err a catalog key ("sched.bad_time",
 * "sched.bad_days", "sched.bad_period", "sched.empty") when malformed. */
bool sched_parse(struct str s, struct sched *out, const char **err);

/* The first run strictly after `after` in zone tz (an IANA name). */
time_t sched_next(const struct sched *s, const char *tz, time_t after);

#endif

/*
 * tz.h -- showing UTC times in a tenant's time zone.
 *
 * Times are stored in UTC; pages show them in the tenant's zone (default
 * Asia/Shanghai) using the system's zoneinfo.  Workers are single-threaded,
 * so switching TZ per call is safe; glibc keeps the zone loaded while it
 * does not change.
 */
#ifndef PROOFLINE_TZ_H
#define PROOFLINE_TZ_H

/* A company that has not chosen its zone. */
#define TZ_DEFAULT "Asia/Shanghai"

#include <stddef.h>
#include <time.h>

/* Make tz (an IANA name; NULL or unsafe means UTC) the zone of the C
 * library's local-time functions (used by rules' os.date). */
void tz_set(const char *tz);

/* Format a UTC "YYYY-MM-DD HH:MM:SS[.fff]" as local "YYYY-MM-DD HH:MM" in
 * zone tz (an IANA name; NULL or unknown means UTC).  Empty input gives
 * "".  Returns out. */
char *tz_format(const char *tz, const char *utc, char *out, size_t n);

/* Parse "YYYY-MM-DD HH:MM:SS" (fractions ignored) as UTC; -1 when
 * malformed. */
time_t tz_parse_utc(const char *s);

/* t as UTC "YYYY-MM-DD HH:MM:SS" into out[n >= 20] (how the database
 * stores times).  Returns out. */
char *tz_utc_text(time_t t, char *out, size_t n);

/* Set *tm to the local time of t in tz. */
void tz_local(const char *tz, time_t t, struct tm *tm);

/* The UTC instant of a local date and time in tz (for "a day" boundaries);
 * handles DST by asking mktime. */
time_t tz_mktime(const char *tz, struct tm *local);

/* Today in zone as "YYYY-MM-DD" into out[n >= 11]. */
void tz_today(const char *zone, char *out, size_t n);

#endif

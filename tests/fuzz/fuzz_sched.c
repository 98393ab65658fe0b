/*
 * fuzz_sched.c -- libFuzzer target for sched_parse() and sched_next().
 *
 * The input is copied to a buffer of exactly its size.  A schedule that
 * parses has a sane shape, and its next run after a fixed instant is
 * later than it, within a period or 8 days, at the schedule's wall-clock
 * time on one of its days (checked in UTC and Shanghai, no DST).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sched.h"
#include "base/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const zones[] = { "UTC", "Asia/Shanghai" };
    char *copy = malloc(size > 0 ? size : 1);
    struct sched s;
    const char *err = NULL;
    time_t after = 1772784000; /* 2026-03-06 08:00 UTC */
    size_t z;

    if (copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    if (!sched_parse((struct str){ copy, size }, &s, &err)) {
        if (err == NULL || strncmp(err, "sched.", 6) != 0)
            abort();
        free(copy);
        return 0;
    }
    for (z = 0; z < 2; z++) {
        time_t t = sched_next(&s, zones[z], after);
        struct tm tm;

        if (t <= after)
            abort();
        if (s.kind == SCHED_EVERY) {
            if (s.period < SCHED_MIN_PERIOD || s.period > SCHED_MAX_PERIOD ||
                t - after > s.period || t % s.period != 0)
                abort();
            continue;
        }
        if (s.days == 0 || s.days > 0x7f || s.minute < 0 || s.minute >= 1440 ||
            t - after > 8 * 86400)
            abort();
        tz_local(zones[z], t, &tm);
        if (tm.tm_hour * 60 + tm.tm_min != s.minute || tm.tm_sec != 0 ||
            !(s.days & (1u << tm.tm_wday)))
            abort();
    }
    free(copy);
    return 0;
}

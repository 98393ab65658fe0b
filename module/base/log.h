/*
 * log.h -- one line per event on stderr.
 *
 * Line format (logfmt, so that grep and log shippers both cope):
 *   2026-11-28T04:30:00.123Z level=info pid=123 rid=4f2a... event=request \
 *   method=GET path=/ status=200 ms=1.20
 * Each line is written with a single write(2) so lines from several worker
 * processes sharing stderr never interleave (lines are capped below
 * PIPE_BUF).
 */
#ifndef PROOFLINE_LOG_H
#define PROOFLINE_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Set the minimum level written ("debug", "info", "warn", "error").
 * Returns 0, or -1 for an unknown name (the level is left unchanged). */
int log_set_level_name(const char *name);
void log_set_level(enum log_level level);

/* The request id printed on each line until cleared (NULL clears).  The
 * string is copied. */
void log_set_rid(const char *rid);

/* "text" (the default: `ts level=.. pid=.. rid=.. event=.. key=value...`)
 * or "json" (one object per line: ts, level, pid, rid, event and each
 * key=value of the message as a member, for log shippers).  Returns 0, or
 * -1 for another name (the format is unchanged). */
int log_set_format_name(const char *name);

/* The JSON form of one event, exposed for the unit tests: writes into out
 * (at most cap bytes, NUL-terminated, no newline) an object with the
 * members ts, level, pid, rid, event, then one member per `key=value`
 * word of fields (a value is a log_q() quoted string, or a bare word; a
 * bare decimal number becomes a JSON number, anything else a string;
 * text that is not key=value goes to "msg"; a key that would repeat one
 * of the five is suffixed with "_").  Members that do not fit are left
 * out and "truncated":true is added, so the line is always one valid
 * object.  cap must be at least 64.  Returns the length written. */
size_t log_json_line(char *out, size_t cap, const char *ts, const char *level,
                     long pid, const char *rid, const char *event,
                     const char *fields);

/* Write one event.  fmt formats the rest of the line, by convention as
 * key=value pairs; values with spaces should be quoted with log_q(). */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Quote a value for a log line: printable ASCII is kept, other bytes are
 * escaped, at most 200 bytes are kept.  Returns a pointer to one of a small
 * ring of static buffers (valid for the next few calls). */
const char *log_q(const char *s);

#define log_debug(ev, ...) log_event(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...) log_event(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...) log_event(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_event(LOG_ERROR, ev, __VA_ARGS__)

#endif

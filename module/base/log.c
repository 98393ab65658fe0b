/*
 * log.c -- one line per event on stderr.
 */
#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/str.h"

#define LOG_LINE_MAX 4000 /* below PIPE_BUF (4096) for atomic writes */

static enum log_level min_level = LOG_INFO;
static char cur_rid[40] = "-";

static const char *const level_names[] = { "debug", "info", "warn", "error" };

int
log_set_level_name(const char *name)
{
    int i;

    for (i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            min_level = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void
log_set_level(enum log_level level)
{
    min_level = level;
}

void
log_set_rid(const char *rid)
{
    size_t n;

    if (rid == NULL || rid[0] == '\0') {
        cur_rid[0] = '-';
        cur_rid[1] = '\0';
        return;
    }
    n = strnlen(rid, sizeof(cur_rid) - 1);
    memcpy(cur_rid, rid, n);
    cur_rid[n] = '\0';
}

const char *
log_q(const char *s)
{
    static char ring[4][256];
    static unsigned slot;
    char *o = ring[slot++ & 3];
    size_t j = 0, i, n;

    if (s == NULL)
        s = "";
    n = strlen(s);
    o[j++] = '"';
    /* Whatever the bytes, the line stays one line of valid UTF-8: quotes
     * and backslashes escaped, control bytes and bytes that are not part
     * of a well-formed UTF-8 character as \xNN, and a cut only between
     * characters. */
    for (i = 0; i < n && i < 200 && j < 244;) {
        unsigned char c = (unsigned char)s[i];
        struct utf8_char ch;

        if (c == '"' || c == '\\') {
            o[j++] = '\\';
            o[j++] = (char)c;
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            j += (size_t)snprintf(o + j, 256 - j, "\\x%02x", c);
            i++;
        } else if (c < 0x80) {
            o[j++] = (char)c;
            i++;
        } else {
            ch = utf8_next((const unsigned char *)s + i, n - i);
            if (ch.ok) {
                memcpy(o + j, s + i, ch.len);
                j += ch.len;
                i += ch.len;
            } else {
                j += (size_t)snprintf(o + j, 256 - j, "\\x%02x", c);
                i++;
            }
        }
    }
    if (i < n && j < 251) {
        o[j++] = '.';
        o[j++] = '.';
        o[j++] = '.';
    }
    o[j++] = '"';
    o[j] = '\0';
    return o;
}

void
log_event(enum log_level level, const char *event, const char *fmt, ...)
{
    char line[LOG_LINE_MAX + 2];
    struct timespec ts;
    struct tm tm;
    size_t n;
    int k;
    va_list ap;
    int saved = errno;

    if (level < min_level)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(line + n, sizeof(line) - n,
                 ".%03ldZ level=%s pid=%ld rid=%s event=%s ",
                 ts.tv_nsec / 1000000L, level_names[level], (long)getpid(),
                 cur_rid, event);
    if (k > 0)
        n += (size_t)k;
    if (n < LOG_LINE_MAX && fmt != NULL) {
        va_start(ap, fmt);
        k = vsnprintf(line + n, LOG_LINE_MAX - n, fmt, ap);
        va_end(ap);
        if (k > 0)
            n +=
                (size_t)k < LOG_LINE_MAX - n ? (size_t)k : LOG_LINE_MAX - n - 1;
    }
    while (n > 0 && line[n - 1] == ' ')
        n--;
    /* Newlines inside a message would split the event: flatten them. */
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    }
    line[n++] = '\n';
    /* Best effort: nothing sensible to do if stderr is gone. */
    if (write(STDERR_FILENO, line, n) < 0)
        errno = saved;
    errno = saved;
}

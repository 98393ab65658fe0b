/*
 * log.c -- one line per event on stderr.
 */
#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/str.h"

#define LOG_LINE_MAX 4000 /* below PIPE_BUF (4096) for atomic writes */

static enum log_level min_level = LOG_INFO;
static char cur_rid[40] = "-";
static bool json_lines;

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

int
log_set_format_name(const char *name)
{
    if (strcmp(name, "text") == 0 || strcmp(name, "json") == 0) {
        json_lines = name[0] == 'j';
        return 0;
    }
    return -1;
}

/* A bounded output: what does not fit is dropped and remembered. */
struct jout {
    char *p;
    size_t n, cap;
    bool full;
};

static void
jput(struct jout *o, const char *s, size_t len)
{
    if (o->full || len > o->cap - o->n) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->n, s, len);
    o->n += len;
}

/* s[0..len) as the inside of a JSON string: quotes, backslashes and
 * control bytes escaped, bytes that are not well-formed UTF-8 written as
 * the text \xNN (as the text format does). */
static void
jstr_body(struct jout *o, const char *s, size_t len)
{
    size_t i = 0;
    char esc[8];

    while (i < len) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            jput(o, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            jput(o, esc, 6);
            i++;
        } else if (c < 0x80) {
            jput(o, s + i, 1);
            i++;
        } else {
            struct utf8_char ch =
                utf8_next((const unsigned char *)s + i, len - i);

            if (ch.ok) {
                jput(o, s + i, ch.len);
                i += ch.len;
            } else {
                snprintf(esc, sizeof(esc), "\\\\x%02x", c);
                jput(o, esc, 5);
                i++;
            }
        }
    }
}

static void
jstr(struct jout *o, const char *s, size_t len)
{
    jput(o, "\"", 1);
    jstr_body(o, s, len);
    jput(o, "\"", 1);
}

/* A bare word that JSON reads as the same number: -?digits(.digits)?
 * without leading zeros. */
static bool
is_number(const char *s, size_t len)
{
    size_t i = 0, d;

    if (i < len && s[i] == '-')
        i++;
    d = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == d || (s[d] == '0' && i - d > 1))
        return false;
    if (i < len && s[i] == '.') {
        size_t f = ++i;

        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f)
            return false;
    }
    return i == len;
}

static bool
is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool
reserved_key(const char *k, size_t len)
{
    static const char *const names[] = { "ts",    "level", "pid",      "rid",
                                         "event", "msg",   "truncated" };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i]) == len && memcmp(names[i], k, len) == 0)
            return true;
    }
    return false;
}

/* One member at o (",\"key\":value"), all or nothing. */
static void
jmember(struct jout *o, const char *k, size_t klen, const char *v, size_t vlen,
        bool quoted)
{
    struct jout t = *o;

    jput(&t, ",\"", 2);
    jstr_body(&t, k, klen);
    if (reserved_key(k, klen))
        jput(&t, "_", 1);
    jput(&t, "\":", 2);
    if (quoted) {
        /* log_q's escapes: \" and \\ stand for the character, \xNN
         * stays as text. */
        jput(&t, "\"", 1);
        size_t run = 0; /* start of the bytes not yet written */

        for (size_t i = 0; i < vlen; i++) {
            if (v[i] == '\\' && i + 1 < vlen &&
                (v[i + 1] == '"' || v[i + 1] == '\\')) {
                /* Whole runs, so that a character is never cut. */
                jstr_body(&t, v + run, i - run);
                jstr_body(&t, v + i + 1, 1);
                run = i + 2;
                i++;
            }
        }
        jstr_body(&t, v + run, vlen - run);
        jput(&t, "\"", 1);
    } else if (is_number(v, vlen)) {
        jput(&t, v, vlen);
    } else {
        jstr(&t, v, vlen);
    }
    if (t.full)
        o->full = true;
    else
        o->n = t.n;
}

/* The end of a value starting at s[i]: a quoted one ends after its
 * closing quote (backslash escapes skipped), a bare one at a space. */
static size_t
value_end(const char *s, size_t len, size_t i, bool *quoted)
{
    *quoted = i < len && s[i] == '"';
    if (!*quoted) {
        while (i < len && s[i] != ' ')
            i++;
        return i;
    }
    for (i++; i < len && s[i] != '"'; i++) {
        if (s[i] == '\\' && i + 1 < len)
            i++;
    }
    return i < len ? i + 1 : len;
}

static void
json_fields(struct jout *o, struct jout *msg, const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t k = i, ve;
        bool quoted;

        while (i < len && s[i] == ' ')
            i++;
        k = i;
        while (i < len && is_key_char(s[i]))
            i++;
        if (i > k && i < len && s[i] == '=') {
            size_t klen = i - k, v = i + 1;

            ve = value_end(s, len, v, &quoted);
            if (quoted && (ve - v < 2 || s[ve - 1] != '"'))
                quoted = false; /* unterminated: kept as it is */
            if (quoted)
                jmember(o, s + k, klen, s + v + 1, ve - v - 2, true);
            else
                jmember(o, s + k, klen, s + v, ve - v, false);
            i = ve;
            continue;
        }
        /* Free text: up to the next space, into msg. */
        i = value_end(s, len, k, &quoted);
        if (i == k)
            i++;
        if (msg->n > 0)
            jput(msg, " ", 1);
        jput(msg, s + k, i - k);
    }
}

size_t
log_json_line(char *out, size_t cap, const char *ts, const char *level,
              long pid, const char *rid, const char *event, const char *fields)
{
    /* 32 bytes kept back for `,"truncated":true}` and the NUL. */
    struct jout o = { out, 0, cap - 32, false };
    char num[24], msgbuf[512];
    struct jout msg = { msgbuf, 0, sizeof(msgbuf), false };
    int k;

    jput(&o, "{\"ts\":", 6);
    jstr(&o, ts, strlen(ts));
    jput(&o, ",\"level\":", 9);
    jstr(&o, level, strlen(level));
    k = snprintf(num, sizeof(num), ",\"pid\":%ld", pid);
    jput(&o, num, (size_t)k);
    jput(&o, ",\"rid\":", 7);
    jstr(&o, rid, strlen(rid));
    jput(&o, ",\"event\":", 9);
    jstr(&o, event, strlen(event));
    if (fields != NULL)
        json_fields(&o, &msg, fields, strlen(fields));
    if (msg.n > 0) {
        struct jout t = o;

        jput(&t, ",\"msg\":", 7);
        jstr(&t, msg.p, msg.n);
        if (t.full)
            o.full = true;
        else
            o.n = t.n;
    }
    o.cap = cap - 1;
    if (o.full) {
        o.full = false;
        jput(&o, ",\"truncated\":true", 17);
    }
    jput(&o, "}", 1);
    out[o.n] = '\0';
    return o.n;
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

static size_t
json_event(char *line, size_t cap, const struct timespec *ts,
           const struct tm *tm, enum log_level level, const char *event,
           const char *fmt, va_list ap)
{
    char when[40], fields[LOG_LINE_MAX];
    size_t n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", tm);

    snprintf(when + n, sizeof(when) - n, ".%03ldZ", ts->tv_nsec / 1000000L);
    fields[0] = '\0';
    if (fmt != NULL)
        vsnprintf(fields, sizeof(fields), fmt, ap);
    return log_json_line(line, cap > LOG_LINE_MAX ? LOG_LINE_MAX : cap, when,
                         level_names[level], (long)getpid(), cur_rid, event,
                         fields);
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
    if (json_lines) {
        va_start(ap, fmt);
        n = json_event(line, sizeof(line) - 1, &ts, &tm, level, event, fmt, ap);
        va_end(ap);
        line[n++] = '\n';
        if (write(STDERR_FILENO, line, n) < 0)
            errno = saved;
        errno = saved;
        return;
    }
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

/*
 * wire.h -- the encodings of untrusted text, one implementation each:
 * percent-coding (RFC 3986), HTTP tokens, whitespace and quoted strings
 * (RFC 9110 §5.6), SQL LIKE patterns, and the URL-safe base64 charset of
 * the random tokens Proofline hands out.  Parsers (query strings, forms,
 * paths, Content-Type, multipart headers), the router, the pages and the
 * services call these; nothing else decodes these encodings by hand.
 *
 * Every function reads only the bytes it is given (struct str or pointer
 * and length) and allocates, when it does, from the caller's arena.
 */
#ifndef PROOFLINE_WIRE_H
#define PROOFLINE_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

/* --- percent-coding --------------------------------------------------------
 */

/* The value of a hex digit, -1 for anything else. */
int wire_hexval(char c);

/* Whether every '%' in s starts a valid escape; *decoded (may be NULL)
 * gets the length s decodes to. */
bool wire_pct_valid(struct str s, size_t *decoded);

/* Decode s, which wire_pct_valid() accepted, into dst (room for the
 * decoded length plus a NUL, which is written); '+' becomes a space when
 * plus_space (application/x-www-form-urlencoded).  Returns the length. */
size_t wire_pct_decode(struct str s, bool plus_space, char *dst);

/* Append p[0..n) percent-encoded: every byte but the RFC 3986 unreserved
 * ones (A-Z a-z 0-9 - . _ ~) becomes %XX.  Safe in a query string, a path
 * segment and an RFC 5987 header value.  APP_ETOOBIG or APP_ENOMEM from
 * the buffer. */
APP_MUST_USE enum app_err wire_pct_encode(struct buf *b, const char *p,
                                          size_t n);

/* --- HTTP tokens and quoted strings (RFC 9110 §5.6) --------------------- */

/* tchar: ALPHA / DIGIT / one of !#$%&'*+-.^_`|~ */
bool wire_tchar(char c);

/* The length of the token starting at s.p[i] (0 when none). */
size_t wire_token_len(struct str s, size_t i);

/* The index of the first byte at or after i that is not SP or HTAB. */
size_t wire_skip_ows(struct str s, size_t i);

enum wire_quoting {
    /* RFC 9110: qdtext is HTAB, SP, VCHAR or obs-text; a backslash escapes
     * any such byte; a control byte is an error. */
    WIRE_QUOTED_STRICT,
    /* What browsers send in multipart headers: no backslash escaping (a
     * quote arrives as %22) and Windows paths with bare backslashes, so a
     * backslash escapes only '"' or '\\' and is otherwise literal. */
    WIRE_QUOTED_BROWSER,
};

/* The quoted string opening at s.p[*i] (which must be '"'): APP_EINVAL
 * when it is malformed or unterminated, APP_ENOMEM when the arena is
 * exhausted.  On APP_OK *i is past the closing quote and, when out is not
 * NULL, out holds the unquoted text in the arena (NUL-terminated). */
APP_MUST_USE enum app_err wire_quoted(struct arena *a, struct str s, size_t *i,
                                      enum wire_quoting how, struct str *out);

/* --- SQL LIKE ---------------------------------------------------------------
 */

/* "%text%" in the arena with LIKE's wildcards and escape character
 * (% _ \) escaped, for `LIKE ?` with MariaDB's default escape '\\'.  NULL
 * when out of memory. */
const char *wire_like_contains(struct arena *a, struct str text);

/* --- token charsets --------------------------------------------------------
 */

/* Whether s[0..n) is exactly len bytes of the URL-safe base64 alphabet
 * (A-Z a-z 0-9 - _), the form of every random token Proofline issues
 * (sessions, CSRF, API tokens).  s may be NULL (then false). */
bool wire_b64url_token(const char *s, size_t n, size_t len);

/* A safe local redirect target: starts with one '/', no "//" or "/\\"
 * (another host), no controls, spaces or backslashes, at most
 * WIRE_LOCAL_PATH_MAX bytes. */
#define WIRE_LOCAL_PATH_MAX 2048
bool wire_local_path(const char *p, size_t n);

#endif

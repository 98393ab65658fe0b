/*
 * parse.h -- the parsers for untrusted request bytes that are not
 * multipart: query strings, application/x-www-form-urlencoded bodies,
 * Cookie headers, Content-Type values and JSON bodies.
 *
 * Every parser takes its limits as arguments, allocates only from the given
 * arena, and on failure returns APP_EINVAL (malformed) or APP_ETOOBIG (over
 * a limit) and sets *detail to a message-catalog key naming the problem
 * (e.g. "parse.too_many_fields"), so the user is told what was wrong in
 * their language.  On failure the output list is left in an unspecified
 * but valid state (the caller discards it).
 */
#ifndef PROOFLINE_PARSE_H
#define PROOFLINE_PARSE_H

#include <stddef.h>

#include <cJSON.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/kv.h"
#include "base/str.h"

/* Parse "a=1&b=%E4%B8%AD+x" (query strings and urlencoded bodies): '+' is
 * a space, %XX is decoded (malformed escapes are APP_EINVAL), empty pairs
 * ("a=1&&b=2") are skipped, a pair without '=' has an empty value.  Keys
 * and values must be valid UTF-8 after decoding and must not contain NUL
 * (APP_EINVAL).  At most max_fields pairs (APP_ETOOBIG past it) and each
 * decoded value at most max_field bytes (APP_ETOOBIG). */
APP_MUST_USE enum app_err parse_urlencoded(struct arena *a, struct str in,
                                           size_t max_fields, size_t max_field,
                                           struct kvlist *out,
                                           const char **detail);

/* Parse a Cookie header ("a=1; b=2") per RFC 6265 §4.2.1, leniently:
 * surrounding spaces are trimmed, values in double quotes are unquoted, no
 * percent-decoding is done, pairs without '=' are skipped.  At most
 * max_cookies pairs and max_bytes of header (APP_ETOOBIG). */
APP_MUST_USE enum app_err parse_cookies(struct arena *a, struct str header,
                                        size_t max_cookies, size_t max_bytes,
                                        struct kvlist *out,
                                        const char **detail);

/* Split a Content-Type value such as
 * `multipart/form-data; boundary="abc"; charset=utf-8` into its lower-cased
 * media type ("multipart/form-data") and parameters (names lower-cased,
 * quoted values unquoted with backslash escapes resolved).  At most 16
 * parameters. */
APP_MUST_USE enum app_err parse_content_type(struct arena *a, struct str value,
                                             struct str *media_type,
                                             struct kvlist *params,
                                             const char **detail);

/* Parse a JSON document of at most max_bytes whose nesting (arrays and
 * objects) is at most max_depth deep.  The depth is checked by a scan
 * before cJSON sees the input, so a hostile document cannot make cJSON
 * recurse.  Trailing bytes other than whitespace are APP_EINVAL.  On
 * success *out is a tree the caller frees with cJSON_Delete() (the caller
 * usually registers that on the arena). */
APP_MUST_USE enum app_err parse_json(struct str in, size_t max_bytes,
                                     size_t max_depth, cJSON **out,
                                     const char **detail);

#endif

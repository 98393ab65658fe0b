/*
 * validate.h -- declarative validation of form and query input (STYLE §10).
 *
 * A handler lists its inputs as a table of struct field_spec; one call
 * checks them all and gives back typed values, or APP_EVALIDATION with a
 * message per offending field (in the request's language) so the form can
 * be shown again with every problem at once.
 */
#ifndef PROOFLINE_VALIDATE_H
#define PROOFLINE_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"

enum vtype {
    V_TEXT,       /* UTF-8 text, length in characters within [min, max],
                     no control characters except tab/newline */
    V_LINE,       /* one line of text: like V_TEXT without newlines */
    V_INT,        /* integer within [min, max] */
    V_SLUG,       /* [a-z0-9_-], length within [min, max] */
    V_ENUM,       /* one of choices[] */
    V_BOOL,       /* "1"/"0"/"on"/"true"... ; absent = false */
    V_LOCAL_PATH, /* a safe local redirect target */
    V_SECRET,     /* like V_LINE but never echoed back into forms */
    V_LOGIN       /* a user login: [A-Za-z0-9._@-], starting with a letter
                     or digit, length within [min, max] */
};

struct field_spec {
    const char *name;
    enum vtype type;
    bool required;
    int64_t min, max;
    const char *const *choices; /* V_ENUM: NULL-terminated */
};

struct field_val {
    bool present;
    struct str s; /* trimmed text (V_TEXT/V_LINE/V_SLUG/V_ENUM/paths) */
    int64_t i;    /* V_INT value, V_BOOL 0/1, V_ENUM index */
};

/* Check src against spec (n rows) into out[n].  Unknown fields are
 * ignored (never bound to anything).  On APP_EVALIDATION, *detail is
 * "validate.failed" and errors (when not NULL) gets one "name": "key"
 * entry per bad field: the catalog key of the problem, translated where
 * it is shown (view_field_errors, the API's error answer). */
APP_MUST_USE enum app_err validate_fields(const char **detail,
                                          const struct kvlist *src,
                                          const struct field_spec *spec,
                                          size_t n, struct field_val *out,
                                          cJSON *errors);

/* Count UTF-8 characters (the input must be valid UTF-8). */
size_t utf8_chars(const char *p, size_t n);

/* url is scheme://host... with one of schemes ("https://", NULL-ended),
 * at most max bytes, a host, no spaces, control characters, quotes, angle
 * brackets or backslashes, and no user:password part. */
bool validate_url(struct str url, size_t max, const char *const *schemes);

#endif

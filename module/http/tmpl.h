/*
 * tmpl.h -- a Mustache template engine rendering cJSON data.
 *
 * Supports the Mustache spec's comments, delimiters, interpolation,
 * inverted, partials, sections and ~inheritance suites: escaped variables
 * ({{name}}, escaping & < > " '), raw ones ({{{name}}} and {{& name}}),
 * dotted names, the implicit iterator {{.}}, sections over lists, objects
 * and truthy values, inverted sections, comments, partials ({{> name}},
 * with standalone indentation), set-delimiter ({{=<% %>=}}) and template
 * inheritance (parents {{< name}} ... {{/name}} and blocks {{$ name}} ...
 * {{/name}}).  Lambdas are not supported (data is JSON).
 *
 * Falsy values: missing, null, false, an empty array, "" and 0 (as in
 * mustache.js); everything else is truthy.  Numbers print as integers when
 * integral, otherwise in the shortest form that round-trips ("1.21").
 *
 * Templates are compiled once into a set (at start and on SIGHUP); partials
 * and parents are looked up in the same set by name at render time -- never
 * read from disk while rendering.  Rendering is bounded: the output may not
 * exceed limits->max_output (APP_ETOOBIG) and section/partial/parent
 * nesting may not exceed limits->max_depth (APP_ETOOBIG), so a recursive
 * partial ends with an error instead of a stack overflow.
 */
#ifndef PROOFLINE_TMPL_H
#define PROOFLINE_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/err.h"

struct tmpl_set;

struct tmpl_limits {
    size_t max_output; /* bytes appended to out by one render */
    size_t max_depth;  /* nesting of sections, partials and parents */
};

/* A new empty set; NULL when out of memory.  Free with tmpl_set_free(). */
struct tmpl_set *tmpl_set_new(void);

void tmpl_set_free(struct tmpl_set *set);

/* Compile src (len bytes) and store it under name, replacing a template of
 * the same name.  On a syntax error (unclosed tag or section, mismatched
 * section end, bad delimiter change) returns APP_EINVAL with a message in
 * err naming the template, line and problem. */
APP_MUST_USE enum app_err tmpl_set_add(struct tmpl_set *set, const char *name,
                                       const char *src, size_t len, char *err,
                                       size_t errlen);

/* Compile every *.mustache file under dir (recursively; names are the
 * relative path without the extension, e.g. "pages/home"), skipping the
 * directories "static" and "i18n".  Stops at the first error (APP_EINVAL
 * or APP_EIO) with a message in err.  Files are limited to 1 MiB each. */
APP_MUST_USE enum app_err tmpl_set_load_dir(struct tmpl_set *set,
                                            const char *dir, char *err,
                                            size_t errlen);

/* True when the set holds a template of that name. */
bool tmpl_set_has(const struct tmpl_set *set, const char *name);

/* How many compiled templates the set holds (0 for NULL). */
size_t tmpl_set_count(const struct tmpl_set *set);

/* Check that every partial and parent referenced by the set's templates
 * exists in the set.  APP_ENOTFOUND with the first missing name in err.
 * (The spec renders a missing partial as ""; our own templates should
 * never rely on that, so start-up and the tests call this.) */
APP_MUST_USE enum app_err tmpl_set_check(const struct tmpl_set *set, char *err,
                                         size_t errlen);

/* Render the template called name with data as the root context, appending
 * to out.  APP_ENOTFOUND when there is no such template; APP_ETOOBIG when
 * a limit is hit (out may then hold partial output, which the caller
 * discards); errors from out (APP_ENOMEM, APP_ETOOBIG).  err gets a
 * message on failure. */
APP_MUST_USE enum app_err tmpl_render(const struct tmpl_set *set,
                                      const char *name, const cJSON *data,
                                      const struct tmpl_limits *limits,
                                      struct buf *out, char *err,
                                      size_t errlen);

#endif

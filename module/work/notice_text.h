/*
 * notice_text.h -- the words of a notification or task a job or a service
 * writes for a person: the message catalog's text in the recipient's
 * language, with "{name}" placeholders filled in.  Pages get their words
 * from the same catalogs through templates; this is for text stored in a
 * task or an inbox message, written once in its recipient's language.
 */
#ifndef PROOFLINE_NOTICE_TEXT_H
#define PROOFLINE_NOTICE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "db/ctx.h"

/* The text of a dotted catalog key in lang (a locale such as "en-US" or
 * "zh-CN"; anything else: the default), or the key itself when the
 * catalogs or the key are missing.  Catalogs are loaded once per process
 * from the templates directory. */
const char *notice_text(struct ctx *cx, const char *lang, const char *key);

/* The locale a text for the company (a role's task) or for one person
 * (user_id: their own, else the company's) is written in; NULL when it
 * cannot be read, which notice_text takes as the default. */
const char *notice_locale(struct ctx *cx, int64_t user_id);

/* tmpl with each "{name}" replaced by its value (pairs: name, value, ...,
 * NULL), at most max bytes (cut at the limit), in cx's arena. */
const char *notice_fill(struct ctx *cx, const char *tmpl,
                        const char *const *pairs, size_t max);

#endif

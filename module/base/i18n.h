/*
 * i18n.h -- message catalogs and language negotiation.
 *
 * Catalogs are templates/i18n/zh-CN.json (the default) and en.json: nested
 * JSON objects of strings, addressed by dotted keys ("error.404.title").
 * Templates see the whole catalog of the request's language as `t`
 * ({{t.login.title}}); C code asks i18n_text().  A key missing from en
 * falls back to zh-CN (the unit tests keep the two key sets identical).
 */
#ifndef PROOFLINE_I18N_H
#define PROOFLINE_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/str.h"

#define I18N_DEFAULT "zh-CN"

struct i18n;

/* Load dir/zh-CN.json and dir/en.json (each at most 4 MiB, must be JSON
 * objects).  APP_EIO / APP_EINVAL with a message in err. */
APP_MUST_USE enum app_err i18n_load(const char *dir, struct i18n **out,
                                    char *err, size_t errlen);

void i18n_free(struct i18n *i);

/* The canonical language code for a supported language ("zh-CN", "en"),
 * or NULL.  Accepts "zh", "zh-cn", "zh-Hans", "en-US" and the like. */
const char *i18n_lang(struct str tag);

/* The catalog of lang (a canonical code); the default catalog for
 * anything else. */
const cJSON *i18n_catalog(const struct i18n *i, const char *lang);

/* The text of a dotted key in lang, falling back to the default
 * language; NULL when absent from both. */
const char *i18n_text(const struct i18n *i, const char *lang, const char *key);

/* Choose the language of a response: the user's saved setting, then the
 * language cookie, then the best supported entry of Accept-Language (by
 * q-value, ties in order), then def.  Empty strs mean "not given".
 * Returns a canonical code. */
const char *i18n_negotiate(struct str user_setting, struct str cookie,
                           struct str accept_language, const char *def);

/* Walk a catalog for a dotted key; NULL when absent or not a string. */
const char *i18n_lookup(const cJSON *catalog, const char *key);

#endif

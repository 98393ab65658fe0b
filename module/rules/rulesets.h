/*
 * rulesets.h -- tenant rule sets in MariaDB: published versions, drafts,
 * history; and rule sets read from a directory (the defaults, the CLI).
 *
 * A rule set is RULES_NSCRIPTS named scripts, loaded in the order of
 * rules_script_names.  A tenant without a version gets the defaults from
 * lua_dir/default as version 1.
 */
#ifndef PROOFLINE_RULESETS_H
#define PROOFLINE_RULESETS_H

#include <stdint.h>

#include <cJSON.h>

#include "base/arena.h"
#include "db/db.h"
#include "base/err.h"
#include "base/str.h"

#define RULES_NSCRIPTS 9
#define RULES_SCRIPT_MAX (256u * 1024u) /* bytes of one script */

extern const char *const rules_script_names[RULES_NSCRIPTS];

/* The index of a script name, or -1. */
int rules_script_index(struct str name);

/* The comment of the version a company starts with (pages translate it). */
#define RULESETS_DEFAULT_COMMENT "default rules (lua/default)"

struct rule_set {
    int64_t version_id; /* 0 when not stored */
    int version;        /* per-tenant number, 0 when not stored */
    struct str scripts[RULES_NSCRIPTS];
};

/* Read dir/NAME.lua for every script (a missing file is an empty script).
 * APP_EIO / APP_ETOOBIG with a message. */
APP_MUST_USE enum app_err rulesets_from_dir(struct arena *a, const char *dir,
                                            struct rule_set *out, char *err,
                                            size_t errlen);

/* Write every script to dir/NAME.lua. */
APP_MUST_USE enum app_err rulesets_to_dir(const struct rule_set *set,
                                          const char *dir, char *err,
                                          size_t errlen);

/* The id of the version the tenant runs; 0 when it has none. */
APP_MUST_USE enum app_err rulesets_published_id(struct db *db, struct arena *a,
                                                int64_t tenant,
                                                int64_t *version_id);

/* A stored version by id (of this tenant), or by number (version_id 0). */
APP_MUST_USE enum app_err rulesets_get(struct db *db, struct arena *a,
                                       int64_t tenant, int64_t version_id,
                                       int version, struct rule_set *out);

/* Store set as the tenant's next version and make it the published one
 * (inside the caller's transaction).  Fills set->version_id/version. */
APP_MUST_USE enum app_err rulesets_publish(struct db *db, struct arena *a,
                                           int64_t tenant, struct rule_set *set,
                                           int64_t author, struct str comment);

/* Give a tenant without rules the defaults as version 1 (idempotent: a
 * tenant that has a version keeps it).  Runs its own transaction. */
APP_MUST_USE enum app_err rulesets_bootstrap(struct db *db, struct arena *a,
                                             int64_t tenant,
                                             const char *lua_dir, char *err,
                                             size_t errlen);

/* Drafts: the tenant's unpublished edits, by script. */
APP_MUST_USE enum app_err rulesets_draft_get(struct db *db, struct arena *a,
                                             int64_t tenant, int idx,
                                             struct str *source, bool *found);
APP_MUST_USE enum app_err rulesets_draft_put(struct db *db, int64_t tenant,
                                             int idx, struct str source,
                                             int64_t author);
APP_MUST_USE enum app_err rulesets_drafts_clear(struct db *db, int64_t tenant);

/* The published set with drafts applied (what "publish" would store). */
APP_MUST_USE enum app_err rulesets_working(struct db *db, struct arena *a,
                                           int64_t tenant, struct rule_set *out,
                                           bool *has_drafts);

/* Versions, newest first: [{id, version, author, comment, created_at,
 * published}], at most max. */
APP_MUST_USE enum app_err rulesets_history(struct db *db, struct arena *a,
                                           int64_t tenant, size_t max,
                                           cJSON *out);

#endif

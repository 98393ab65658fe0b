/*
 * rulesets.c -- rule sets in MariaDB and on disk.
 */
#include "rules/rulesets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/fileio.h"
#include "base/log.h"

const char *const rules_script_names[RULES_NSCRIPTS] = {
    "stages", "evidence",  "visits", "activity",  "thresholds",
    "alerts", "contracts", "notes",  "schedules",
};

static const char SQL_PUBLISHED[] =
    "SELECT version_id FROM tenant_rules WHERE tenant_id = ?";
static const char SQL_VERSION_BY_ID[] =
    "SELECT id, version FROM rule_versions WHERE tenant_id = ? AND id = ?";
static const char SQL_VERSION_BY_NUM[] =
    "SELECT id, version FROM rule_versions WHERE tenant_id = ? AND "
    "version = ?";
static const char SQL_SOURCES[] =
    "SELECT name, source FROM rule_sources WHERE tenant_id = ? AND "
    "version_id = ?";
static const char SQL_NEXT_VERSION[] =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM rule_versions "
    "WHERE tenant_id = ? FOR UPDATE";
static const char SQL_VERSION_ADD[] =
    "INSERT INTO rule_versions (tenant_id, version, author_id, comment) "
    "VALUES (?, ?, ?, ?)";
static const char SQL_SOURCE_ADD[] =
    "INSERT INTO rule_sources (tenant_id, version_id, name, source, sha256) "
    "VALUES (?, ?, ?, ?, ?)";
static const char SQL_PUBLISH[] =
    "INSERT INTO tenant_rules (tenant_id, version_id) VALUES (?, ?) "
    "ON DUPLICATE KEY UPDATE version_id = VALUES(version_id), "
    "published_at = UTC_TIMESTAMP(3)";
static const char SQL_LOCK_TENANT[] =
    "SELECT id FROM tenants WHERE id = ? FOR UPDATE";
static const char SQL_DRAFT_GET[] =
    "SELECT source FROM rule_drafts WHERE tenant_id = ? AND name = ?";
static const char SQL_DRAFT_PUT[] =
    "INSERT INTO rule_drafts (tenant_id, name, source, updated_by) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE source = VALUES(source), "
    "updated_by = VALUES(updated_by)";
static const char SQL_DRAFTS_CLEAR[] =
    "DELETE FROM rule_drafts WHERE tenant_id = ?";
static const char SQL_DRAFTS_ALL[] =
    "SELECT name, source FROM rule_drafts WHERE tenant_id = ?";
static const char SQL_HISTORY[] =
    "SELECT v.id, v.version, COALESCE(u.login, ''), v.comment, "
    "v.created_at, v.id = COALESCE(t.version_id, 0) "
    "FROM rule_versions v LEFT JOIN users u ON u.id = v.author_id "
    "AND u.tenant_id = v.tenant_id "
    "LEFT JOIN tenant_rules t ON t.tenant_id = v.tenant_id "
    "WHERE v.tenant_id = ? ORDER BY v.version DESC LIMIT ?";

int
rules_script_index(struct str name)
{
    int i;

    for (i = 0; i < RULES_NSCRIPTS; i++) {
        if (str_eq_c(name, rules_script_names[i]))
            return i;
    }
    return -1;
}

enum app_err
rulesets_from_dir(struct arena *a, const char *dir, struct rule_set *out,
                  char *err, size_t errlen)
{
    int i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < RULES_NSCRIPTS; i++) {
        char path[1024];
        char *buf;
        size_t n;
        enum app_err rc;

        snprintf(path, sizeof(path), "%s/%s.lua", dir, rules_script_names[i]);
        rc = file_read(path, RULES_SCRIPT_MAX, a, &buf, &n);
        if (rc == APP_EIO && errno == ENOENT) {
            out->scripts[i] = STR_LIT("");
            continue;
        }
        if (rc == APP_EIO)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        else if (rc == APP_ETOOBIG)
            snprintf(err, errlen, "%s: larger than %u bytes", path,
                     RULES_SCRIPT_MAX);
        if (rc != APP_OK)
            return rc;
        out->scripts[i].p = buf;
        out->scripts[i].len = n;
    }
    return APP_OK;
}

enum app_err
rulesets_to_dir(const struct rule_set *set, const char *dir, char *err,
                size_t errlen)
{
    int i;

    for (i = 0; i < RULES_NSCRIPTS; i++) {
        char path[1024];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s.lua", dir, rules_script_names[i]);
        f = fopen(path, "wb");
        if (f == NULL || fwrite(set->scripts[i].p, 1, set->scripts[i].len, f) !=
                             set->scripts[i].len) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            if (f != NULL)
                fclose(f);
            return APP_EIO;
        }
        if (fclose(f) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return APP_EIO;
        }
    }
    return APP_OK;
}

enum app_err
rulesets_published_id(struct db *db, struct arena *a, int64_t tenant,
                      int64_t *version_id)
{
    struct db_res res;
    enum app_err rc =
        db_query(db, a, SQL_PUBLISHED, DB_ARGS(DB_I64(tenant)), 1, &res);

    *version_id = 0;
    if (rc == APP_OK && res.nrows > 0)
        *version_id = db_int(&res, 0, 0, 0);
    return rc;
}

enum app_err
rulesets_get(struct db *db, struct arena *a, int64_t tenant, int64_t version_id,
             int version, struct rule_set *out)
{
    struct db_res res;
    size_t r;
    int i;
    enum app_err rc;

    memset(out, 0, sizeof(*out));
    if (version_id > 0)
        rc = db_query(db, a, SQL_VERSION_BY_ID,
                      DB_ARGS(DB_I64(tenant), DB_I64(version_id)), 1, &res);
    else
        rc = db_query(db, a, SQL_VERSION_BY_NUM,
                      DB_ARGS(DB_I64(tenant), DB_I64(version)), 1, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    out->version_id = db_int(&res, 0, 0, 0);
    out->version = (int)db_int(&res, 0, 1, 0);
    for (i = 0; i < RULES_NSCRIPTS; i++)
        out->scripts[i] = STR_LIT("");
    rc = db_query(db, a, SQL_SOURCES,
                  DB_ARGS(DB_I64(tenant), DB_I64(out->version_id)),
                  RULES_NSCRIPTS, &res);
    if (rc != APP_OK)
        return rc;
    for (r = 0; r < res.nrows; r++) {
        i = rules_script_index(db_cell(&res, r, 0));
        if (i >= 0)
            out->scripts[i] = db_cell(&res, r, 1);
    }
    return APP_OK;
}

enum app_err
rulesets_publish(struct db *db, struct arena *a, int64_t tenant,
                 struct rule_set *set, int64_t author, struct str comment)
{
    struct db_res res;
    uint64_t vid = 0;
    int64_t version;
    int i;
    enum app_err rc;

    /* Serialise publishers of one tenant: the version numbers stay dense
     * and the published pointer moves in order. */
    rc = db_query(db, a, SQL_LOCK_TENANT, DB_ARGS(DB_I64(tenant)), 1, &res);
    if (rc == APP_OK)
        rc =
            db_query(db, a, SQL_NEXT_VERSION, DB_ARGS(DB_I64(tenant)), 1, &res);
    if (rc != APP_OK)
        return rc;
    version = db_int(&res, 0, 0, 1);
    rc =
        db_exec(db, SQL_VERSION_ADD,
                DB_ARGS(DB_I64(tenant), DB_I64(version),
                        author > 0 ? DB_I64(author) : DB_NULL, DB_STR(comment)),
                NULL, &vid);
    for (i = 0; rc == APP_OK && i < RULES_NSCRIPTS; i++) {
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[65];

        crypto_hash_sha256(h, (const unsigned char *)set->scripts[i].p,
                           set->scripts[i].len);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        rc = db_exec(db, SQL_SOURCE_ADD,
                     DB_ARGS(DB_I64(tenant), DB_I64(vid),
                             DB_CSTR(rules_script_names[i]),
                             DB_STR(set->scripts[i]), DB_CSTR(hex)),
                     NULL, NULL);
    }
    if (rc == APP_OK)
        rc = db_exec(db, SQL_PUBLISH, DB_ARGS(DB_I64(tenant), DB_I64(vid)),
                     NULL, NULL);
    if (rc == APP_OK) {
        set->version_id = (int64_t)vid;
        set->version = (int)version;
    }
    return rc;
}

enum app_err
rulesets_bootstrap(struct db *db, struct arena *a, int64_t tenant,
                   const char *lua_dir, char *err, size_t errlen)
{
    struct rule_set set;
    int64_t vid = 0;
    char dir[1100];
    enum app_err rc;

    rc = rulesets_published_id(db, a, tenant, &vid);
    if (rc != APP_OK || vid > 0)
        return rc;
    snprintf(dir, sizeof(dir), "%s/default", lua_dir);
    rc = rulesets_from_dir(a, dir, &set, err, errlen);
    if (rc != APP_OK)
        return rc;
    rc = db_begin(db);
    if (rc != APP_OK)
        return rc;
    /* Another worker may have done it meanwhile: check under the lock. */
    rc = rulesets_published_id(db, a, tenant, &vid);
    if (rc == APP_OK && vid == 0)
        rc = rulesets_publish(db, a, tenant, &set, 0,
                              STR_LIT(RULESETS_DEFAULT_COMMENT));
    if (rc == APP_OK)
        rc = db_commit(db);
    else
        db_rollback(db);
    if (rc == APP_OK && vid == 0)
        log_info("rules.bootstrap", "tenant=%lld version=%d", (long long)tenant,
                 set.version);
    return rc;
}

enum app_err
rulesets_draft_get(struct db *db, struct arena *a, int64_t tenant, int idx,
                   struct str *source, bool *found)
{
    struct db_res res;
    enum app_err rc = db_query(
        db, a, SQL_DRAFT_GET,
        DB_ARGS(DB_I64(tenant), DB_CSTR(rules_script_names[idx])), 1, &res);

    *found = rc == APP_OK && res.nrows > 0;
    if (*found)
        *source = db_cell(&res, 0, 0);
    return rc;
}

enum app_err
rulesets_draft_put(struct db *db, int64_t tenant, int idx, struct str source,
                   int64_t author)
{
    return db_exec(db, SQL_DRAFT_PUT,
                   DB_ARGS(DB_I64(tenant), DB_CSTR(rules_script_names[idx]),
                           DB_STR(source),
                           author > 0 ? DB_I64(author) : DB_NULL),
                   NULL, NULL);
}

enum app_err
rulesets_drafts_clear(struct db *db, int64_t tenant)
{
    return db_exec(db, SQL_DRAFTS_CLEAR, DB_ARGS(DB_I64(tenant)), NULL, NULL);
}

enum app_err
rulesets_working(struct db *db, struct arena *a, int64_t tenant,
                 struct rule_set *out, bool *has_drafts)
{
    struct db_res res;
    int64_t vid = 0;
    size_t r;
    enum app_err rc = rulesets_published_id(db, a, tenant, &vid);

    *has_drafts = false;
    if (rc != APP_OK)
        return rc;
    rc = rulesets_get(db, a, tenant, vid, 0, out);
    if (rc != APP_OK)
        return rc;
    rc = db_query(db, a, SQL_DRAFTS_ALL, DB_ARGS(DB_I64(tenant)),
                  RULES_NSCRIPTS, &res);
    if (rc != APP_OK)
        return rc;
    for (r = 0; r < res.nrows; r++) {
        int i = rules_script_index(db_cell(&res, r, 0));

        if (i >= 0) {
            out->scripts[i] = db_cell(&res, r, 1);
            *has_drafts = true;
        }
    }
    return APP_OK;
}

enum app_err
rulesets_history(struct db *db, struct arena *a, int64_t tenant, size_t max,
                 cJSON *out)
{
    struct db_res res;
    size_t r;
    enum app_err rc =
        db_query(db, a, SQL_HISTORY,
                 DB_ARGS(DB_I64(tenant), DB_I64((int64_t)max)), max, &res);

    if (rc != APP_OK)
        return rc;
    for (r = 0; r < res.nrows; r++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(out, o))
            return APP_ENOMEM;
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, r, 0, 0));
        cJSON_AddNumberToObject(o, "version", (double)db_int(&res, r, 1, 0));
        cJSON_AddStringToObject(o, "author", db_text(&res, r, 2));
        cJSON_AddStringToObject(o, "comment", db_text(&res, r, 3));
        cJSON_AddStringToObject(o, "created_at", db_text(&res, r, 4));
        cJSON_AddBoolToObject(o, "published", db_int(&res, r, 5, 0) == 1);
    }
    return APP_OK;
}

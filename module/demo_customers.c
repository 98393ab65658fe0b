/*
 * demo_customers.c -- customers for the demo tenant: every stage, stage
 * histories that follow the tenant's rules (each advance preceded by the
 * evidence its stage requires, recorded as used), contacts in every
 * decision role with meetings and consensus points, and partial evidence
 * for the next stage so checklists show both states.
 *
 * Deterministic for a seed: the rng is the caller's.  Rows are inserted
 * directly (no request): this runs from the CLI inside the caller's
 * transaction.
 */
#include "demo_customers.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "customers.h"
#include "rules.h"
#include "rulesets.h"

static const char *const cities[] = { "上海", "杭州", "南京", "苏州", "广州",
                                      "深圳", "北京", "成都", "武汉", "宁波" };
static const char *const hospital_kinds[] = {
    "市第一人民医院", "市中心医院", "中医院",   "妇幼保健院",
    "第二人民医院",   "肿瘤医院",   "儿童医院", "协和医院",
};
static const char *const firm_words[] = { "仁和", "康泰", "华辰", "瑞达",
                                          "博远", "鼎盛", "恒信", "嘉禾",
                                          "安泰", "新源", "晨光", "同舟" };
static const char *const firm_kinds[] = { "医疗器械有限公司", "医药连锁",
                                          "商贸有限公司", "科技有限公司",
                                          "大药房" };
static const char *const titles[] = { "设备科科长", "院长",     "科室主任",
                                      "采购经理",   "财务总监", "护士长",
                                      "信息科主任", "总经理" };
static const char *const needs[] = { "CT 球管更换预算", "新院区设备配置",
                                     "耗材成本下降 10%", "检验科扩容",
                                     "门店新品铺货" };
static const char *const channels[] = { "wechat_voice", "wechat_text", "phone",
                                        "face" };
static const char *const surnames[] = { "王", "李", "张", "刘",
                                        "陈", "杨", "赵", "周" };
static const char *const honorifics[] = { "主任", "科长", "经理", "老师",
                                          "总" };
static const char *const consensus_points[] = {
    "同意安排试用", "认可技术方案", "预算已报批",
    "同意三方比价", "确认安装位置",
};

/* A 1x1 PNG: the demo's photos and documents. */
static const unsigned char PNG[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
    0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
    0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static const char SQL_CUSTOMER[] =
    "INSERT INTO customers (tenant_id, name, name_key, kind, owner_id, stage, "
    "stage_since, lost_reason, city, address, phone, amount, note, "
    "last_activity_at, created_by, updated_by, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, '', ?, ?, ?, ?, ?)";
static const char SQL_EVENT[] =
    "INSERT INTO stage_events (tenant_id, customer_id, from_stage, to_stage, "
    "by_user, at, code, evidence_ids, rule_version, lost_reason, via) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'demo')";
static const char SQL_EVIDENCE[] =
    "INSERT INTO evidence (tenant_id, customer_id, ev_key, kind, file_id, "
    "data, created_by, created_at, used_in) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_USED[] =
    "UPDATE evidence SET used_in = ? WHERE tenant_id = ? AND id = ? "
    "AND used_in IS NULL";
static const char SQL_FILE[] =
    "INSERT INTO files (tenant_id, sha256, size, mime, name, customer_id, "
    "created_by, created_at) VALUES (?, ?, ?, 'image/png', ?, ?, ?, ?)";
static const char SQL_CONTACT[] =
    "INSERT INTO contacts (tenant_id, customer_id, name, title, department, "
    "role, channel, focus, phone, last_met_on, consensus, consensus_on) "
    "VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_CONTACT_EVENT[] =
    "INSERT INTO contact_events (tenant_id, customer_id, contact_id, kind, "
    "happened_on, text, consensus, created_by, created_at) "
    "VALUES (?, ?, ?, 'met', ?, ?, ?, ?, ?)";
static const char SQL_CONTACTS_TEXT[] =
    "UPDATE customers SET contacts_text = (SELECT LEFT(COALESCE("
    "GROUP_CONCAT(CONCAT(name, ' ', phone) SEPARATOR ' '), ''), 2000) "
    "FROM contacts WHERE tenant_id = ? AND customer_id = ?) "
    "WHERE tenant_id = ? AND id = ?";

#define PICK(g, list) (list)[rng_below((g), sizeof(list) / sizeof((list)[0]))]

struct gen {
    struct db *db;
    struct arena *a;
    struct rng *rng;
    int64_t tenant;
    int version;
    const cJSON *d; /* described rules */
    time_t now;
    char sha[65];
};

static const char *
ts(struct gen *g, time_t t)
{
    struct tm tm;
    char buf[32];

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    return arena_strdup(g->a, buf);
}

static const char *
day(struct gen *g, time_t t)
{
    return arena_strndup(g->a, ts(g, t), 10);
}

/* Store the demo picture once under files_dir. */
static enum app_err
picture(struct gen *g, const char *files_dir)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    char path[1200];
    FILE *f;
    size_t i;

    crypto_hash_sha256(d, PNG, sizeof(PNG));
    for (i = 0; i < sizeof(d); i++)
        snprintf(g->sha + 2 * i, 3, "%02x", d[i]);
    snprintf(path, sizeof(path), "%s/%.2s", files_dir, g->sha);
    mkdir(path, 0750);
    snprintf(path, sizeof(path), "%s/%.2s/%.2s", files_dir, g->sha, g->sha + 2);
    mkdir(path, 0750);
    snprintf(path, sizeof(path), "%s/%.2s/%.2s/%s", files_dir, g->sha,
             g->sha + 2, g->sha);
    f = fopen(path, "wb");
    if (f == NULL)
        return APP_EIO;
    if (fwrite(PNG, 1, sizeof(PNG), f) != sizeof(PNG)) {
        fclose(f);
        return APP_EIO;
    }
    return fclose(f) == 0 ? APP_OK : APP_EIO;
}

/* Form data that satisfies an evidence definition's fields. */
static char *
form_data(struct gen *g, const cJSON *def, time_t t)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *f;
    char *s;

    cJSON_ArrayForEach(f, cJSON_GetObjectItem(def, "fields"))
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(f, "key"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(f, "type"));
        const cJSON *min = cJSON_GetObjectItem(f, "min");

        if (k == NULL)
            continue;
        if (type == NULL || strcmp(type, "text") == 0) {
            cJSON_AddStringToObject(o, k, PICK(g->rng, needs));
        } else if (strcmp(type, "number") == 0) {
            cJSON_AddNumberToObject(
                o, k, (double)(50000 + rng_below(g->rng, 40) * 25000));
        } else if (strcmp(type, "date") == 0) {
            cJSON_AddStringToObject(o, k, day(g, t + 14 * 86400));
        } else if (strcmp(type, "choice") == 0) {
            const cJSON *opt =
                cJSON_GetArrayItem(cJSON_GetObjectItem(f, "options"), 0);

            cJSON_AddStringToObject(
                o, k, cJSON_IsString(opt) ? opt->valuestring : "");
        } else if (strcmp(type, "list") == 0) {
            cJSON *a = cJSON_AddArrayToObject(o, k);
            int n = cJSON_IsNumber(min) ? (int)min->valuedouble : 1, i;

            for (i = 0; i < n && i < 10; i++)
                cJSON_AddItemToArray(a, cJSON_CreateString(arena_printf(
                                            g->a, "%s%s", PICK(g->rng, cities),
                                            PICK(g->rng, hospital_kinds))));
        }
    }
    s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* Insert the evidence for stage s (all of it, or one item when partial);
 * ids gets the new rows. */
static enum app_err
stage_evidence(struct gen *g, int64_t customer, int64_t by, const cJSON *s,
               time_t t, int64_t used_in, bool partial, int64_t *ids, size_t *n)
{
    const cJSON *req;
    enum app_err rc = APP_OK;

    *n = 0;
    cJSON_ArrayForEach(req, cJSON_GetObjectItem(s, "requires"))
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(req, "key"));
        const cJSON *def = cJSON_GetObjectItem(
            cJSON_GetObjectItem(g->d, "evidence"), key != NULL ? key : "");
        const char *kind =
            cJSON_GetStringValue(cJSON_GetObjectItem(def, "kind"));
        int64_t file_id = 0;
        uint64_t last = 0;
        char *data = NULL;

        if (key == NULL || rc != APP_OK || (partial && *n > 0) || *n >= 16)
            continue;
        if (kind == NULL)
            kind = "form";
        if (strcmp(kind, "photo") == 0 || strcmp(kind, "document") == 0) {
            rc = db_exec(
                g->db, SQL_FILE,
                DB_ARGS(DB_I64(g->tenant), DB_CSTR(g->sha), DB_I64(sizeof(PNG)),
                        DB_CSTR(arena_printf(g->a, "%s.png", key)),
                        DB_I64(customer), DB_I64(by), DB_CSTR(ts(g, t))),
                NULL, &last);
            file_id = (int64_t)last;
        } else {
            data = form_data(g, def, t);
        }
        if (rc == APP_OK)
            rc = db_exec(g->db, SQL_EVIDENCE,
                         DB_ARGS(DB_I64(g->tenant), DB_I64(customer),
                                 DB_CSTR(key), DB_CSTR(kind),
                                 file_id > 0 ? DB_I64(file_id) : DB_NULL,
                                 data != NULL ? DB_CSTR(data) : DB_NULL,
                                 DB_I64(by), DB_CSTR(ts(g, t)),
                                 used_in > 0 ? DB_I64(used_in) : DB_NULL),
                         NULL, &last);
        cJSON_free(data);
        ids[(*n)++] = (int64_t)last;
    }
    return rc;
}

static const char *
ids_json(struct gen *g, const int64_t *ids, size_t n)
{
    struct buf b;
    size_t i;

    buf_init(&b, g->a, 1024);
    buf_putc(&b, '[');
    for (i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i > 0 ? "," : "", (long long)ids[i]);
    buf_putc(&b, ']');
    return b.p;
}

static enum app_err
contacts(struct gen *g, int64_t customer, int64_t by)
{
    const cJSON *roles = cJSON_GetObjectItem(g->d, "decision_roles");
    int n = 2 + (int)rng_below(g->rng, 3), i;
    enum app_err rc = APP_OK;

    for (i = 0; rc == APP_OK && i < n; i++) {
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(
            cJSON_GetArrayItem(
                roles,
                i < 3 ? i
                      : (int)rng_below(g->rng,
                                       (uint64_t)cJSON_GetArraySize(roles))),
            "key"));
        /* About half were met within the month; most of those agreed on
         * something. */
        int met = (int)rng_below(g->rng, 60) - 5;
        bool agreed = met >= 0 && rng_below(g->rng, 4) != 0;
        time_t when = g->now - (time_t)(met < 0 ? 90 : met) * 86400;
        const char *point = agreed ? PICK(g->rng, consensus_points) : "";
        char name[32];
        uint64_t kid = 0;

        snprintf(name, sizeof(name), "%s%s", PICK(g->rng, surnames),
                 PICK(g->rng, honorifics));
        rc = db_exec(g->db, SQL_CONTACT,
                     DB_ARGS(DB_I64(g->tenant), DB_I64(customer), DB_CSTR(name),
                             DB_CSTR(PICK(g->rng, titles)),
                             DB_CSTR(role != NULL ? role : "other"),
                             DB_CSTR(PICK(g->rng, channels)),
                             DB_CSTR(PICK(g->rng, needs)),
                             DB_CSTR(arena_printf(g->a, "13%09llu",
                                                  (unsigned long long)rng_below(
                                                      g->rng, 1000000000))),
                             DB_CSTR(day(g, when)), DB_CSTR(point),
                             agreed ? DB_CSTR(day(g, when)) : DB_NULL),
                     NULL, &kid);
        if (rc == APP_OK)
            rc = db_exec(g->db, SQL_CONTACT_EVENT,
                         DB_ARGS(DB_I64(g->tenant), DB_I64(customer),
                                 DB_I64(kid), DB_CSTR(day(g, when)),
                                 DB_CSTR(PICK(g->rng, needs)), DB_CSTR(point),
                                 DB_I64(by), DB_CSTR(ts(g, when))),
                         NULL, NULL);
    }
    if (rc == APP_OK)
        rc = db_exec(g->db, SQL_CONTACTS_TEXT,
                     DB_ARGS(DB_I64(g->tenant), DB_I64(customer),
                             DB_I64(g->tenant), DB_I64(customer)),
                     NULL, NULL);
    return rc;
}

static enum app_err
one(struct gen *g, int64_t owner)
{
    const cJSON *stages = cJSON_GetObjectItem(g->d, "stages"), *s;
    const cJSON *open[32];
    const char *lost_key = NULL, *kind, *name, *lost_reason = NULL;
    char key[CUSTOMER_KEY_MAX * 4 + 1];
    int64_t ids[16], customer, event;
    size_t n = 0, nopen = 0, i, k, target;
    uint64_t last = 0;
    time_t t, created;
    double u = rng_unit(g->rng);
    bool lost;
    enum app_err rc;

    cJSON_ArrayForEach(s, stages)
    {
        if (cJSON_IsTrue(cJSON_GetObjectItem(s, "lost")))
            lost_key = cJSON_GetStringValue(cJSON_GetObjectItem(s, "key"));
        else if (nopen < 32)
            open[nopen++] = s;
    }
    if (nopen == 0)
        return APP_EINTERNAL;
    /* A funnel: most customers early, few won, some lost. */
    target = u < 0.30 ? 0 : u < 0.55 ? 1 : u < 0.73 ? 2 : u < 0.85 ? 3 : 4;
    if (target >= nopen)
        target = nopen - 1;
    lost = lost_key != NULL && rng_below(g->rng, 100) < 10;
    if (rng_below(g->rng, 2) == 0) {
        kind = "hospital";
        name = arena_printf(g->a, "%s%s", PICK(g->rng, cities),
                            PICK(g->rng, hospital_kinds));
    } else {
        static const char *const kinds[] = { "dealer", "store", "enterprise" };

        kind = PICK(g->rng, kinds);
        name = arena_printf(g->a, "%s%s%s", PICK(g->rng, cities),
                            PICK(g->rng, firm_words), PICK(g->rng, firm_kinds));
    }
    created = g->now - (time_t)(20 + rng_below(g->rng, 200)) * 86400 -
              (time_t)rng_below(g->rng, 86400);
    t = created;
    customers_name_key(str_c(name), key, sizeof(key));
    if (lost)
        lost_reason = cJSON_GetStringValue(cJSON_GetObjectItem(
            cJSON_GetArrayItem(
                cJSON_GetObjectItem(g->d, "lost_reasons"),
                (int)rng_below(g->rng,
                               (uint64_t)cJSON_GetArraySize(
                                   cJSON_GetObjectItem(g->d, "lost_reasons")))),
            "key"));
    rc = db_exec(
        g->db, SQL_CUSTOMER,
        DB_ARGS(
            DB_I64(g->tenant), DB_CSTR(name), DB_CSTR(key), DB_CSTR(kind),
            DB_I64(owner),
            DB_CSTR(cJSON_GetStringValue(cJSON_GetObjectItem(open[0], "key"))),
            DB_CSTR(ts(g, created)), DB_NULL, DB_CSTR(PICK(g->rng, cities)),
            DB_CSTR(
                arena_printf(g->a, "0571-8%07llu",
                             (unsigned long long)rng_below(g->rng, 10000000))),
            DB_CSTR(arena_printf(
                g->a, "%llu.00",
                (unsigned long long)(100000 + rng_below(g->rng, 90) * 50000))),
            DB_CSTR(ts(g, created)), DB_I64(owner), DB_I64(owner),
            DB_CSTR(ts(g, created)), DB_CSTR(ts(g, created))),
        NULL, &last);
    customer = (int64_t)last;
    if (rc == APP_OK)
        rc = db_exec(g->db, SQL_EVENT,
                     DB_ARGS(DB_I64(g->tenant), DB_I64(customer), DB_NULL,
                             DB_CSTR(cJSON_GetStringValue(
                                 cJSON_GetObjectItem(open[0], "key"))),
                             DB_I64(owner), DB_CSTR(ts(g, created)),
                             DB_CSTR("created"), DB_CSTR("[]"),
                             DB_I64(g->version), DB_NULL),
                     NULL, NULL);
    /* Each advance: its evidence first, then the change that used it. */
    for (i = 1; rc == APP_OK && i <= target; i++) {
        time_t step = (time_t)(3 + rng_below(g->rng, 18)) * 86400;

        if (t + step > g->now - 86400)
            step = (g->now - 86400 - t) / 2;
        t += step;
        /* The evidence first, then the change that used it (its ids in
         * the history), then the evidence marked used: the same order as
         * stage.c. */
        rc = stage_evidence(g, customer, owner, open[i], t - 3600, 0, false,
                            ids, &n);
        if (rc == APP_OK)
            rc = db_exec(g->db, SQL_EVENT,
                         DB_ARGS(DB_I64(g->tenant), DB_I64(customer),
                                 DB_CSTR(cJSON_GetStringValue(
                                     cJSON_GetObjectItem(open[i - 1], "key"))),
                                 DB_CSTR(cJSON_GetStringValue(
                                     cJSON_GetObjectItem(open[i], "key"))),
                                 DB_I64(owner), DB_CSTR(ts(g, t)),
                                 DB_CSTR("ok"), DB_CSTR(ids_json(g, ids, n)),
                                 DB_I64(g->version), DB_NULL),
                         NULL, &last);
        event = (int64_t)last;
        for (k = 0; rc == APP_OK && k < n; k++)
            rc = db_exec(
                g->db, SQL_USED,
                DB_ARGS(DB_I64(event), DB_I64(g->tenant), DB_I64(ids[k])), NULL,
                NULL);
    }
    if (rc == APP_OK && lost) {
        t += (time_t)(2 + rng_below(g->rng, 10)) * 86400;
        if (t > g->now)
            t = g->now - 3600;
        rc = db_exec(g->db, SQL_EVENT,
                     DB_ARGS(DB_I64(g->tenant), DB_I64(customer),
                             DB_CSTR(cJSON_GetStringValue(
                                 cJSON_GetObjectItem(open[target], "key"))),
                             DB_CSTR(lost_key), DB_I64(owner),
                             DB_CSTR(ts(g, t)), DB_CSTR("lost"), DB_CSTR("[]"),
                             DB_I64(g->version), DB_CSTR(lost_reason)),
                     NULL, NULL);
    } else if (rc == APP_OK && target + 1 < nopen &&
               rng_below(g->rng, 2) == 0) {
        /* Part of the next stage's chain already supplied. */
        rc = stage_evidence(g, customer, owner, open[target + 1],
                            g->now - (time_t)rng_below(g->rng, 5) * 86400, 0,
                            true, ids, &n);
    }
    if (rc == APP_OK) {
        static const char SQL_FINAL[] =
            "UPDATE customers SET stage = ?, stage_since = ?, lost_reason = "
            "?, last_activity_at = ? WHERE tenant_id = ? AND id = ?";
        time_t act = g->now - (time_t)rng_below(g->rng, 45) * 86400 -
                     (time_t)rng_below(g->rng, 86400);

        if (act < t)
            act = t;
        rc = db_exec(
            g->db, SQL_FINAL,
            DB_ARGS(DB_CSTR(lost ? lost_key
                                 : cJSON_GetStringValue(cJSON_GetObjectItem(
                                       open[target], "key"))),
                    DB_CSTR(ts(g, t)), lost ? DB_CSTR(lost_reason) : DB_NULL,
                    DB_CSTR(ts(g, act)), DB_I64(g->tenant), DB_I64(customer)),
            NULL, NULL);
    }
    if (rc == APP_OK)
        rc = contacts(g, customer, owner);
    return rc;
}

enum app_err
demo_customers(struct db *db, struct arena *a, struct rng *rng,
               const struct conf *c, int64_t tenant, const int64_t *reps,
               size_t nreps, int per_rep, char *err, size_t errlen)
{
    struct rule_set set;
    struct sbx *s = NULL;
    cJSON *described = NULL;
    char path[CONF_STR_MAX + 16], *engine = NULL;
    size_t elen, i;
    int k;
    struct gen g;
    enum app_err rc;

    memset(&g, 0, sizeof(g));
    g.db = db;
    g.a = a;
    g.rng = rng;
    g.tenant = tenant;
    g.version = 1;
    g.now = time(NULL);
    snprintf(path, sizeof(path), "%s/default", c->lua_dir);
    rc = rules_load_engine(c->lua_dir, &engine, &elen, err, errlen);
    if (rc == APP_OK)
        rc = rulesets_from_dir(a, path, &set, err, errlen);
    if (rc == APP_OK)
        rc =
            rules_build(c, (struct str){ engine, elen }, &set, &s, err, errlen);
    if (rc == APP_OK)
        rc = rules_call_json(s, "describe", NULL, &described, err, errlen);
    sbx_free(s);
    free(engine);
    if (rc != APP_OK)
        return rc;
    g.d = described;
    rc = picture(&g, c->files_dir);
    if (rc != APP_OK)
        snprintf(err, errlen, "cannot write the demo picture under %s",
                 c->files_dir);
    for (i = 0; rc == APP_OK && i < nreps; i++) {
        for (k = 0; rc == APP_OK && k < per_rep; k++)
            rc = one(&g, reps[i]);
        if (rc != APP_OK)
            snprintf(err, errlen, "customers: %s", db_error(db));
    }
    cJSON_Delete(described);
    return rc;
}

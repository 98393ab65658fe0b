/*
 * demo_customers.c -- customers for the demo tenant: every stage, stage
 * histories that follow the tenant's rules (each advance preceded by the
 * evidence its stage requires, recorded as used), contacts in every
 * decision role, partial evidence for the next stage so checklists show
 * both states, and the customer's activities (demo_activities.c): the
 * contacts' "last met" and consensus and the customer's last_activity_at
 * come from them, and each stage change follows one of them.
 *
 * Deterministic for a seed: the rng is the caller's.  Rows are inserted
 * directly (no request), in bulk and with back-dated histories, which no
 * service writes; but every customer and contact first passes the same
 * field checks as the pages, the API and the import (customer_input_check,
 * contact_input_check), so the demo never holds what a user could not
 * have entered.  This runs from the CLI inside the caller's transaction.
 */
#include "server/demo_customers.h"
#include "server/demo_activities.h"
#include "server/demo_pictures.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tz.h"
#include "identity/role.h"
#include "sales/contacts.h"
#include "sales/customer_input.h"
#include "sales/customers.h"
#include "rules/rules.h"
#include "rules/rulesets.h"
#include "sales/stage.h"

static const char *const cities[] = { "上海", "杭州", "南京", "苏州", "广州",
                                      "深圳", "北京", "成都", "武汉", "宁波" };
/* Each city's telephone area code and its centre, in the order of
 * cities[]: a customer's phone belongs to its city, and so does its
 * place. */
static const char *const area_codes[] = {
    "021", "0571", "025", "0512", "020", "0755", "010", "028", "027", "0574"
};
static const double centres[][2] = {
    { 31.2304, 121.4737 }, { 30.2741, 120.1551 }, { 32.0603, 118.7969 },
    { 31.2989, 120.5853 }, { 23.1291, 113.2644 }, { 22.5431, 114.0579 },
    { 39.9042, 116.4074 }, { 30.5728, 104.0668 }, { 30.5928, 114.3055 },
    { 29.8683, 121.5440 },
};

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
/* Titles that fit a contact's role in the decision, in a hospital and in
 * a company (NULL-terminated). */
static const struct {
    const char *role;
    const char *hospital[5];
    const char *company[5];
} titles[] = {
    { "budget",
      { "院长", "副院长", "采购处处长", "财务处处长", NULL },
      { "总经理", "财务总监", "采购总监", NULL } },
    { "acceptance",
      { "设备科科长", "设备科主任", "医学工程处处长", NULL },
      { "运营总监", "质量经理", "仓储经理", NULL } },
    { "influencer",
      { "科室主任", "主任医师", "护士长", "副主任医师", NULL },
      { "区域经理", "门店店长", "产品经理", NULL } },
    { "user",
      { "主治医师", "技师", "护士", NULL },
      { "店员", "业务员", "仓管员", NULL } },
    { "other",
      { "办公室主任", "信息科主任", NULL },
      { "行政主管", "前台", NULL } },
};

/* A title for role at a hospital or a company. */
static const char *
title_for(struct rng *rng, const char *role, bool hospital)
{
    size_t i, n;

    for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
        const char *const *list;

        if (role == NULL || strcmp(titles[i].role, role) != 0)
            continue;
        list = hospital ? titles[i].hospital : titles[i].company;
        for (n = 0; list[n] != NULL; n++)
            ;
        return list[rng_below(rng, n)];
    }
    return hospital ? "办公室主任" : "行政主管";
}
static const char *const needs[] = { "CT 球管更换预算", "新院区设备配置",
                                     "耗材成本下降 10%", "检验科扩容",
                                     "门店新品铺货" };
static const char *const channels[] = { "wechat_voice", "wechat_text", "phone",
                                        "face" };
static const char *const surnames[] = { "王", "李", "张", "刘",
                                        "陈", "杨", "赵", "周" };
static const char *const honorifics[] = { "主任", "科长", "经理", "老师",
                                          "总" };

/* Rows carry explicit ids (taken above the tables' current maximum) so
 * that a customer, its history and its evidence can refer to each other
 * before anything is written, and every table is filled by bulk inserts
 * (db_exec_bulk): 50k customers take seconds, not minutes. */
static const char SQL_MAX_IDS[] =
    "SELECT (SELECT COALESCE(MAX(id), 0) FROM customers), "
    "(SELECT COALESCE(MAX(id), 0) FROM stage_events), "
    "(SELECT COALESCE(MAX(id), 0) FROM evidence), "
    "(SELECT COALESCE(MAX(id), 0) FROM files), "
    "(SELECT COALESCE(MAX(id), 0) FROM contacts)";
static const char SQL_CUSTOMER[] =
    "INSERT INTO customers (id, tenant_id, name, name_key, kind, owner_id, "
    "stage, stage_since, lost_reason, city, address, phone, amount, note, "
    "contacts_text, last_activity_at, created_by, updated_by, created_at, "
    "updated_at, lat, lng) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, '', "
    "?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_EVENT[] =
    "INSERT INTO stage_events (id, tenant_id, customer_id, from_stage, "
    "to_stage, by_user, at, code, evidence_ids, rule_version, lost_reason, "
    "via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'demo')";
static const char SQL_EVIDENCE[] =
    "INSERT INTO evidence (id, tenant_id, customer_id, ev_key, kind, file_id, "
    "data, created_by, created_at, used_in) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_FILE[] =
    "INSERT INTO files (id, tenant_id, sha256, size, mime, name, customer_id, "
    "created_by, created_at) VALUES (?, ?, ?, ?, 'image/png', ?, ?, ?, ?)";
static const char SQL_CONTACT[] =
    "INSERT INTO contacts (id, tenant_id, customer_id, name, title, "
    "department, role, channel, focus, phone, last_met_on, consensus, "
    "consensus_on) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)";
#define PICK(g, list) (list)[rng_below((g), sizeof(list) / sizeof((list)[0]))]

#define BATCH_ROWS 500  /* rows per bulk insert */
#define CHECKPOINT 1000 /* customers between flushes (arena reset) */
/* From this many customers a second process writes the activities. */
#define SPLIT_MIN 2000

enum { T_CUSTOMER, T_EVENT, T_EVIDENCE, T_FILE, T_CONTACT, NT };

static const struct {
    const char *sql;
    size_t ncols;
} tables[NT] = {
    [T_CUSTOMER] = { SQL_CUSTOMER, 20 }, [T_EVENT] = { SQL_EVENT, 11 },
    [T_EVIDENCE] = { SQL_EVIDENCE, 10 }, [T_FILE] = { SQL_FILE, 8 },
    [T_CONTACT] = { SQL_CONTACT, 12 },
};

struct batch {
    size_t n;
    struct db_val *v; /* BATCH_ROWS * ncols */
};

struct gen {
    struct db *db;
    struct arena *a; /* values of the rows not yet written */
    struct rng *rng;
    int64_t tenant;
    int version;
    int days;
    const cJSON *d; /* described rules */
    struct ruledesc rd;
    const struct conf *conf;
    time_t now;
    char sha[PIC_COUNT][65]; /* the demo's pictures, stored once each */
    int64_t size[PIC_COUNT];
    uint64_t *names;  /* folded names used so far (hashes; 0: free) */
    size_t names_cap; /* a power of two */
    int64_t next[NT]; /* the next id of each table */
    struct batch b[NT];
    size_t nreps;
    struct demo_acts *acts;
    bool writer; /* the activities' writer: generates, writes none of ours */
};

APP_MUST_USE static enum app_err
flush(struct gen *g, int t)
{
    enum app_err rc = g->writer ? APP_OK
                                : db_exec_bulk(g->db, tables[t].sql, g->b[t].v,
                                               tables[t].ncols, g->b[t].n);

    g->b[t].n = 0;
    return rc;
}

/* Queue one row of table t (values in column order); writes a full batch. */
APP_MUST_USE static enum app_err
put(struct gen *g, int t, const struct db_val *v, size_t n)
{
    struct batch *b = &g->b[t];

    if (n != tables[t].ncols)
        return APP_EINTERNAL;
    memcpy(b->v + b->n * n, v, n * sizeof(*v));
    if (++b->n == BATCH_ROWS)
        return flush(g, t);
    return APP_OK;
}

#define PUT(g, t, ...) put((g), (t), DB_ARGS(__VA_ARGS__))

static const char *
ts(struct gen *g, time_t t)
{
    char buf[32];

    return arena_strdup(g->a, tz_utc_text(t, buf, sizeof(buf)));
}

static const char *
day(struct gen *g, time_t t)
{
    return arena_strndup(g->a, ts(g, t), 10);
}

static const char *
key_of(const cJSON *o)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, "key"));
}

/* Store one picture (content-addressed) under files_dir: its hash into
 * sha. */
APP_MUST_USE static enum app_err
store_picture(const char *files_dir, const unsigned char *png, size_t len,
              char *sha)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    char path[1200];
    FILE *f;
    size_t i;

    crypto_hash_sha256(d, png, len);
    for (i = 0; i < sizeof(d); i++)
        snprintf(sha + 2 * i, 3, "%02x", d[i]);
    snprintf(path, sizeof(path), "%s/%.2s", files_dir, sha);
    mkdir(path, 0750);
    snprintf(path, sizeof(path), "%s/%.2s/%.2s", files_dir, sha, sha + 2);
    mkdir(path, 0750);
    snprintf(path, sizeof(path), "%s/%.2s/%.2s/%s", files_dir, sha, sha + 2,
             sha);
    f = fopen(path, "wb");
    if (f == NULL)
        return APP_EIO;
    if (fwrite(png, 1, len, f) != len) {
        fclose(f);
        return APP_EIO;
    }
    return fclose(f) == 0 ? APP_OK : APP_EIO;
}

/* Draw the demo's pictures (a receipt, a contract page, a shelf, a form)
 * and store each once. */
APP_MUST_USE static enum app_err
picture(struct gen *g, const char *files_dir)
{
    enum app_err rc = APP_OK;
    int k;

    for (k = 0; rc == APP_OK && k < PIC_COUNT; k++) {
        unsigned char *png = NULL;
        size_t len = 0;

        rc = demo_picture_png((enum demo_picture)k, (uint64_t)g->tenant, &png,
                              &len);
        if (rc == APP_OK)
            rc = store_picture(files_dir, png, len, g->sha[k]);
        g->size[k] = (int64_t)len;
        free(png);
    }
    return rc;
}

/* Form data that satisfies an evidence definition's fields (in g->a). */
static const char *
form_data(struct gen *g, const cJSON *def, time_t t)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *f;
    const char *out;
    char *s;

    cJSON_ArrayForEach(f, cJSON_GetObjectItem(def, "fields"))
    {
        const char *k = key_of(f);
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
    out = s != NULL ? arena_strdup(g->a, s) : NULL;
    cJSON_free(s);
    return out;
}

/* The evidence for stage s (all of it, or one item when partial), marked
 * used by stage event used_in (0: not used); ids gets the new rows. */
APP_MUST_USE static enum app_err
stage_evidence(struct gen *g, int64_t customer, int64_t by, const cJSON *s,
               time_t t, int64_t used_in, bool partial, int64_t *ids, size_t *n)
{
    const cJSON *req;
    enum app_err rc = APP_OK;

    *n = 0;
    cJSON_ArrayForEach(req, cJSON_GetObjectItem(s, "requires"))
    {
        const char *key = key_of(req);
        const cJSON *def = cJSON_GetObjectItem(
            cJSON_GetObjectItem(g->d, "evidence"), key != NULL ? key : "");
        const char *kind =
            cJSON_GetStringValue(cJSON_GetObjectItem(def, "kind"));
        const char *data = NULL;
        int64_t file_id = 0, id;

        if (key == NULL || rc != APP_OK || (partial && *n > 0) || *n >= 16)
            continue;
        if (kind == NULL)
            kind = "form";
        if (strcmp(kind, "photo") == 0 || strcmp(kind, "document") == 0) {
            enum demo_picture pic = demo_picture_for(key);

            file_id = g->next[T_FILE]++;
            rc = PUT(g, T_FILE, DB_I64(file_id), DB_I64(g->tenant),
                     DB_CSTR(g->sha[pic]), DB_I64(g->size[pic]),
                     DB_CSTR(arena_printf(g->a, "%s.png", key)),
                     DB_I64(customer), DB_I64(by), DB_CSTR(ts(g, t)));
        } else {
            data = form_data(g, def, t);
        }
        id = g->next[T_EVIDENCE]++;
        if (rc == APP_OK)
            rc =
                PUT(g, T_EVIDENCE, DB_I64(id), DB_I64(g->tenant),
                    DB_I64(customer), DB_CSTR(key), DB_CSTR(kind),
                    file_id > 0 ? DB_I64(file_id) : DB_NULL,
                    data != NULL ? DB_CSTR(data) : DB_NULL, DB_I64(by),
                    DB_CSTR(ts(g, t)), used_in > 0 ? DB_I64(used_in) : DB_NULL);
        ids[(*n)++] = id;
    }
    return rc;
}

/* The same field checks as every other write path, acting as `owner`:
 * the demo's generator must never produce what a user could not enter. */
APP_MUST_USE static enum app_err
check_customer(struct gen *g, int64_t owner, const char *const *kv, size_t n,
               struct customer_input *in)
{
    struct customer_form cf;
    struct kvlist fields = { 0 };
    struct ctx cx;
    cJSON *errors = cJSON_CreateObject();
    enum app_err rc =
        errors != NULL ? kv_add_pairs(g->a, &fields, kv, n) : APP_ENOMEM;

    memset(&cf, 0, sizeof(cf));
    ctx_init(&cx, g->a, g->db, g->conf, NULL, g->tenant, owner, ROLE_REP);
    if (rc == APP_OK)
        rc = customer_input_check(&cx, &g->rd, &fields, false, "owner", &cf,
                                  errors);
    if (rc == APP_EVALIDATION)
        log_error("demo.invalid", "customer=%s", kv[1]);
    cJSON_Delete(errors);
    *in = cf.in;
    return rc;
}

APP_MUST_USE static enum app_err
check_contact(struct gen *g, int64_t by, const char *const *kv, size_t n)
{
    struct contact_input in;
    struct kvlist fields = { 0 };
    struct ctx cx;
    int64_t version;
    cJSON *errors;
    enum app_err rc;

    if (g->writer)
        return APP_OK; /* the caller checks (on its connection) */
    errors = cJSON_CreateObject();
    rc = errors != NULL ? kv_add_pairs(g->a, &fields, kv, n) : APP_ENOMEM;

    ctx_init(&cx, g->a, g->db, g->conf, NULL, g->tenant, by, ROLE_REP);
    if (rc == APP_OK)
        rc = contact_input_check(&cx, &g->rd, &fields, &in, &version, errors);
    if (rc == APP_EVALIDATION)
        log_error("demo.invalid", "contact=%s", kv[1]);
    cJSON_Delete(errors);
    return rc;
}

/* Contacts in the decision roles (ids taken already in life), last met
 * and agreed with when the activities say; *text gets their names and
 * phones for the customer's search column. */
APP_MUST_USE static enum app_err
contacts(struct gen *g, const struct demo_life *life, int64_t by, bool hospital,
         const char **text)
{
    const cJSON *roles = cJSON_GetObjectItem(g->d, "decision_roles");
    size_t i;
    enum app_err rc = APP_OK;
    struct buf b;

    buf_init(&b, g->a, 256);
    for (i = 0; rc == APP_OK && i < life->ncontacts; i++) {
        const char *role = key_of(cJSON_GetArrayItem(
            roles, i < 3 ? (int)i
                         : (int)rng_below(
                               g->rng, (uint64_t)cJSON_GetArraySize(roles))));
        const char *point = life->consensus[i];
        const char *name = arena_printf(g->a, "%s%s", PICK(g->rng, surnames),
                                        PICK(g->rng, honorifics));
        const char *title = title_for(g->rng, role, hospital);
        const char *channel = PICK(g->rng, channels);
        const char *focus = PICK(g->rng, needs);
        const char *phone =
            arena_printf(g->a, "13%09llu",
                         (unsigned long long)rng_below(g->rng, 1000000000));
        const char *const kv[] = {
            "name",    name,    "title",
            title,     "role",  role != NULL ? role : "other",
            "channel", channel, "focus",
            focus,     "phone", phone,
        };

        rc = check_contact(g, by, kv, sizeof(kv) / sizeof(kv[0]));
        if (rc == APP_OK)
            rc = buf_printf(&b, "%s%s %s", i > 0 ? " " : "", name, phone);
        if (rc == APP_OK)
            rc = PUT(g, T_CONTACT, DB_I64(life->contacts[i]), DB_I64(g->tenant),
                     DB_I64(life->customer), DB_CSTR(name), DB_CSTR(title),
                     DB_CSTR(role != NULL ? role : "other"), DB_CSTR(channel),
                     DB_CSTR(focus), DB_CSTR(phone),
                     life->met[i] > 0 ? DB_CSTR(day(g, life->met[i])) : DB_NULL,
                     DB_CSTR(point),
                     point[0] != '\0' ? DB_CSTR(day(g, life->consensus_at[i]))
                                      : DB_NULL);
    }
    *text = b.p != NULL ? b.p : "";
    return rc;
}

APP_MUST_USE static enum app_err
stage_event(struct gen *g, int64_t id, int64_t customer, const char *from,
            const char *to, int64_t by, time_t at, const char *code,
            const char *evidence, const char *lost_reason)
{
    return PUT(g, T_EVENT, DB_I64(id), DB_I64(g->tenant), DB_I64(customer),
               from != NULL ? DB_CSTR(from) : DB_NULL, DB_CSTR(to), DB_I64(by),
               DB_CSTR(ts(g, at)), DB_CSTR(code), DB_CSTR(evidence),
               DB_I64(g->version),
               lost_reason != NULL ? DB_CSTR(lost_reason) : DB_NULL);
}

/* The customer's own row, its fields checked as any other write path's
 * (city, phone and the amount drawn here). */
APP_MUST_USE static enum app_err
customer_row(struct gen *g, int64_t customer, int64_t owner, const char *name,
             const char *kind, const char *key, const char *stage, time_t since,
             const char *lost_reason, const char *text,
             const struct demo_life *life, size_t ci)
{
    const char *city = cities[ci];
    const char *phone =
        arena_printf(g->a, "%s-8%07llu", area_codes[ci],
                     (unsigned long long)rng_below(g->rng, 10000000));
    const char *amount = arena_printf(
        g->a, "%llu.00",
        (unsigned long long)(100000 + rng_below(g->rng, 90) * 50000));
    const char *const kv[] = { "name", name,    "kind", kind,     "city",
                               city,   "phone", phone,  "amount", amount };
    struct customer_input in;
    enum app_err rc;

    if (g->writer)
        return APP_OK; /* the same draws, none of the writing */
    rc = check_customer(g, owner, kv, sizeof(kv) / sizeof(kv[0]), &in);
    if (rc != APP_OK)
        return rc;
    return PUT(
        g, T_CUSTOMER, DB_I64(customer), DB_I64(g->tenant), DB_CSTR(name),
        DB_CSTR(arena_strdup(g->a, key)), DB_CSTR(arena_str(g->a, in.kind).p),
        DB_I64(owner), DB_CSTR(stage), DB_CSTR(ts(g, since)),
        lost_reason != NULL ? DB_CSTR(lost_reason) : DB_NULL, DB_CSTR(city),
        DB_CSTR(phone), DB_CSTR(amount), DB_CSTR(text),
        life->last > 0 ? DB_CSTR(ts(g, life->last)) : DB_NULL, DB_I64(owner),
        DB_I64(owner), DB_CSTR(ts(g, life->created)),
        DB_CSTR(ts(g, life->created)), DB_DBL(life->lat), DB_DBL(life->lng));
}

/* Claim a folded name; false when the company has it already. */
static bool
claim_name(struct gen *g, const char *key)
{
    uint64_t h = 1469598103934665603ull;
    size_t i;

    for (i = 0; key[i] != '\0'; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    if (h == 0)
        h = 1;
    for (i = (size_t)h & (g->names_cap - 1);;
         i = (i + 1) & (g->names_cap - 1)) {
        if (g->names[i] == h)
            return false;
        if (g->names[i] == 0) {
            g->names[i] = h;
            return true;
        }
    }
}

/* No two of the company's customers share a name (so no rep owns two of
 * the same name): a name already given gets a branch ("（东院区）",
 * "（3号）").  key gets the folded name. */
static const char *
unique_name(struct gen *g, const char *name, char *key, size_t keylen)
{
    static const char *const branches[] = { "东院区", "西院区", "南院区",
                                            "北院区", "新院区" };
    const char *out = name;
    int n;

    for (n = 0;; n++) {
        customers_name_key(str_c(out), key, keylen);
        if (claim_name(g, key))
            return out;
        out = n < 5 ? arena_printf(g->a, "%s（%s）", name, branches[n])
                    : arena_printf(g->a, "%s（%d号）", name, n - 3);
    }
}

/* The customer's activities (demo_activities.c): its life from its
 * creation through its stage changes to now or its loss, its place in
 * its city, its contacts' ids (taken here, written after, with the days
 * the activities met them). */
APP_MUST_USE static enum app_err
live(struct gen *g, struct demo_life *life, size_t rep, time_t end, bool won,
     bool hospital, size_t ci)
{
    size_t i;

    life->rep = rep;
    life->end = end;
    life->won = won;
    life->hospital = hospital;
    life->lat = centres[ci][0] + (rng_unit(g->rng) - 0.5) * 0.12;
    life->lng = centres[ci][1] + (rng_unit(g->rng) - 0.5) * 0.14;
    life->ncontacts = 2 + (size_t)rng_below(g->rng, 3);
    for (i = 0; i < life->ncontacts; i++)
        life->contacts[i] = g->next[T_CONTACT]++;
    return demo_acts_customer(g->acts, life);
}

/* A customer's kind and name; the city a customer is in is the one its
 * name says (its index returned). */
static size_t
name_of(struct gen *g, const char **kind, const char **name)
{
    size_t ci = (size_t)rng_below(g->rng, sizeof(cities) / sizeof(cities[0]));

    if (rng_below(g->rng, 2) == 0) {
        *kind = "hospital";
        *name = arena_printf(g->a, "%s%s", cities[ci],
                             PICK(g->rng, hospital_kinds));
    } else {
        /* Not "store": the store network's customers are not deals. */
        static const char *const kinds[] = { "dealer", "other", "enterprise" };

        *kind = PICK(g->rng, kinds);
        *name =
            arena_printf(g->a, "%s%s%s", cities[ci], PICK(g->rng, firm_words),
                         PICK(g->rng, firm_kinds));
    }
    return ci;
}

APP_MUST_USE static enum app_err
one(struct gen *g, int64_t owner, size_t rep)
{
    const cJSON *stages = cJSON_GetObjectItem(g->d, "stages"), *s;
    const cJSON *reasons = cJSON_GetObjectItem(g->d, "lost_reasons");
    const cJSON *open[32];
    const char *lost_key = NULL, *kind, *name, *lost_reason = NULL, *text = "";
    char key[CUSTOMER_KEY_MAX * 4 + 1];
    int64_t ids[16], customer = g->next[T_CUSTOMER]++, event;
    size_t n = 0, nopen = 0, i, target, ci;
    time_t t, created;
    double u = rng_unit(g->rng);
    bool lost;
    struct demo_life life;
    int young = g->days < 40 ? g->days / 2 : 20;
    enum app_err rc;

    cJSON_ArrayForEach(s, stages)
    {
        if (cJSON_IsTrue(cJSON_GetObjectItem(s, "lost")))
            lost_key = key_of(s);
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
    ci = name_of(g, &kind, &name);
    /* Created within the last `days` days, at least `young` days ago. */
    created = g->now -
              ((time_t)young +
               (time_t)rng_below(g->rng, (uint64_t)(g->days - young + 1))) *
                  86400 -
              (time_t)rng_below(g->rng, 86400);
    t = created;
    memset(&life, 0, sizeof(life));
    life.customer = customer;
    life.created = created;
    name = unique_name(g, name, key, sizeof(key));
    if (lost)
        lost_reason = key_of(cJSON_GetArrayItem(
            reasons,
            (int)rng_below(g->rng, (uint64_t)cJSON_GetArraySize(reasons))));
    rc = stage_event(g, g->next[T_EVENT]++, customer, NULL, key_of(open[0]),
                     owner, created, "created", "[]", NULL);
    /* Each advance: its evidence first, marked used by the change that
     * follows it (its ids in the history): what stage.c records. */
    for (i = 1; rc == APP_OK && i <= target; i++) {
        time_t step = (time_t)(3 + rng_below(g->rng, 18)) * 86400;

        if (t + step > g->now - 86400)
            step = (g->now - 86400 - t) / 2;
        t += step;
        event = g->next[T_EVENT]++;
        rc = stage_evidence(g, customer, owner, open[i], t - 3600, event, false,
                            ids, &n);
        if (rc == APP_OK && stage_ids_json(g->a, ids, n) == NULL)
            rc = APP_ENOMEM;
        if (rc == APP_OK)
            rc = stage_event(g, event, customer, key_of(open[i - 1]),
                             key_of(open[i]), owner, t, "ok",
                             stage_ids_json(g->a, ids, n), NULL);
        life.steps[life.nsteps++] = t;
    }
    if (rc == APP_OK && lost) {
        t += (time_t)(2 + rng_below(g->rng, 10)) * 86400;
        if (t > g->now)
            t = g->now - 3600;
        rc = stage_event(g, g->next[T_EVENT]++, customer, key_of(open[target]),
                         lost_key, owner, t, "lost", "[]", lost_reason);
        life.steps[life.nsteps++] = t;
    } else if (rc == APP_OK && target + 1 < nopen &&
               rng_below(g->rng, 2) == 0) {
        /* Part of the next stage's chain already supplied. */
        rc = stage_evidence(g, customer, owner, open[target + 1],
                            g->now - (time_t)rng_below(g->rng, 5) * 86400, 0,
                            true, ids, &n);
    }
    if (rc == APP_OK)
        rc =
            live(g, &life, rep, lost ? t : g->now, !lost && target + 1 == nopen,
                 strcmp(kind, "hospital") == 0, ci);
    if (rc == APP_OK)
        rc = contacts(g, &life, owner, strcmp(kind, "hospital") == 0, &text);
    if (rc == APP_OK)
        rc = customer_row(g, customer, owner, name, kind, key,
                          lost ? lost_key : key_of(open[target]), t,
                          lost ? lost_reason : NULL, text, &life, ci);
    return rc;
}

/* Write every queued row; the arena holding their values starts over. */
APP_MUST_USE static enum app_err
checkpoint(struct gen *g)
{
    enum app_err rc = APP_OK;
    int t;

    for (t = 0; t < NT && rc == APP_OK; t++)
        rc = flush(g, t);
    if (rc == APP_OK)
        rc = demo_acts_flush(g->acts);
    arena_reset(g->a);
    return rc;
}

static void
progress(int64_t done, int64_t total, int64_t acts, bool tty)
{
    if (total < 5000)
        return;
    if (tty)
        fprintf(stderr, "\rdemo: %lld/%lld customers, %lld activities",
                (long long)done, (long long)total, (long long)acts);
    else if (done % (total / 10 > 0 ? total / 10 : 1) == 0 || done == total)
        fprintf(stderr, "demo: %lld/%lld customers, %lld activities\n",
                (long long)done, (long long)total, (long long)acts);
    if (tty && done == total)
        fputc('\n', stderr);
}

/* The default rules, built once: described for the generator, and kept
 * (*s) to classify the activities. */
APP_MUST_USE static enum app_err
default_rules(struct gen *g, const struct conf *c, struct sbx **s,
              cJSON **described, char *err, size_t errlen)
{
    struct rule_set set;
    char path[CONF_STR_MAX + 16], *engine = NULL;
    size_t elen;
    enum app_err rc;

    snprintf(path, sizeof(path), "%s/default", c->lua_dir);
    rc = rules_load_engine(c->lua_dir, &engine, &elen, err, errlen);
    if (rc == APP_OK)
        rc = rulesets_from_dir(g->a, path, &set, err, errlen);
    if (rc == APP_OK)
        rc = rules_build(c, (struct str){ engine, elen }, &set, s, err, errlen);
    if (rc == APP_OK)
        rc = rules_call_json(*s, "describe", NULL, described, err, errlen);
    free(engine);
    g->d = *described;
    g->rd.d = *described;
    g->rd.version = 1;
    g->conf = c;
    return rc;
}

APP_MUST_USE static enum app_err
acts_new(struct gen *g, const struct demo_spec *spec, struct sbx *s, char *err,
         size_t errlen)
{
    struct demo_acts_spec as;

    memset(&as, 0, sizeof(as));
    as.db = g->db;
    as.a = g->a;
    as.rng = g->rng;
    as.tenant = g->tenant;
    as.reps = spec->reps;
    as.nreps = spec->nreps;
    as.days = spec->days;
    as.now = spec->now;
    as.version = g->version;
    as.d = g->d;
    as.rules = s;
    as.next_file = &g->next[T_FILE];
    as.sha = (const char(*)[65])g->sha;
    as.size = g->size;
    return demo_acts_new(&as, &g->acts, err, errlen);
}

APP_MUST_USE static enum app_err
start_ids(struct gen *g)
{
    struct db_res res;
    enum app_err rc = db_query(g->db, g->a, SQL_MAX_IDS, DB_NOARGS, 1, &res);
    int t;

    if (rc != APP_OK)
        return rc;
    if (res.nrows != 1)
        return APP_EINTERNAL;
    for (t = 0; t < NT; t++)
        g->next[t] = db_int(&res, 0, (size_t)t, 0) + 1;
    return APP_OK;
}

enum app_err
demo_customers(struct db *db, struct rng *rng, const struct conf *c,
               const struct demo_spec *spec, char *err, size_t errlen)
{
    struct sbx *s = NULL;
    cJSON *described = NULL;
    int64_t k;
    int t;
    bool tty = isatty(STDERR_FILENO) == 1;
    struct gen g;
    enum app_err rc = APP_ENOMEM;

    memset(&g, 0, sizeof(g));
    g.db = db;
    g.rng = rng;
    g.tenant = spec->tenant;
    g.version = 1;
    g.days = spec->days;
    g.now = spec->now;
    g.a = arena_new(256 * 1024, 256u << 20);
    for (g.names_cap = 64; g.names_cap < (size_t)spec->customers * 2 + 64;)
        g.names_cap *= 2;
    g.names = calloc(g.names_cap, sizeof(*g.names));
    if (g.names == NULL)
        goto out;
    for (t = 0; t < NT; t++) {
        g.b[t].v = calloc(BATCH_ROWS * tables[t].ncols, sizeof(struct db_val));
        if (g.b[t].v == NULL)
            goto out;
    }
    if (g.a == NULL)
        goto out;
    rc = default_rules(&g, c, &s, &described, err, errlen);
    if (rc == APP_OK)
        rc = picture(&g, c->files_dir);
    else
        goto out;
    if (rc != APP_OK) {
        snprintf(err, errlen, "cannot write the demo pictures under %s",
                 c->files_dir);
        goto out;
    }
    rc = start_ids(&g);
    if (rc == APP_OK)
        rc = acts_new(&g, spec, s, err, errlen);
    sbx_free(s);
    s = NULL;
    /* The rule set was read into g.a: it is not needed any more. */
    arena_reset(g.a);
    if (rc == APP_OK && spec->customers >= SPLIT_MIN)
        g.writer = !demo_acts_split(g.acts, c);
    for (k = 0; rc == APP_OK && k < spec->customers; k++) {
        rc = one(&g, spec->reps[(size_t)k % spec->nreps],
                 (size_t)k % spec->nreps);
        if (rc == APP_OK &&
            ((k + 1) % CHECKPOINT == 0 || k + 1 == spec->customers)) {
            rc = checkpoint(&g);
            if (!g.writer)
                progress(k + 1, spec->customers, demo_acts_count(g.acts), tty);
        }
    }
    if (g.writer)
        demo_acts_writer_end(g.acts, rc);
    rc = demo_acts_join(g.acts, rc);
    if (rc != APP_OK && err[0] == '\0' && db_error(db)[0] == '\0')
        snprintf(err, errlen, "activities: their writer failed");
    if (rc != APP_OK && err[0] == '\0')
        snprintf(err, errlen, "customers: %s", db_error(db));
out:
    sbx_free(s);
    demo_acts_free(g.acts);
    cJSON_Delete(described);
    for (t = 0; t < NT; t++)
        free(g.b[t].v);
    free(g.names);
    arena_free(g.a);
    return rc;
}

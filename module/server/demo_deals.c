/*
 * demo_deals.c -- admission and contract work in progress for the demo
 * (demo_deals.h).
 */
#include "server/demo_deals.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/log.h"
#include "base/tz.h"
#include "db/ctx.h"
#include "identity/role.h"
#include "rules/rules.h"
#include "sales/payments.h"
#include "sales/shipments.h"
#include "work/admission.h"
#include "work/contracting.h"

static const char SQL_REP[] =
    "SELECT id FROM users WHERE tenant_id = ? AND login = 'rep1'";
static const char SQL_PICK[] =
    "SELECT id, name FROM customers WHERE tenant_id = ? AND owner_id = ? "
    "AND kind = ? ORDER BY id LIMIT 1";
static const char SQL_TEMPLATE[] =
    "SELECT id FROM contract_templates WHERE tenant_id = ? ORDER BY id DESC "
    "LIMIT 1";

/* A 1x1 PNG: the scan of the demo's licence. */
static const unsigned char PNG[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
    0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
    0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82
};

/* The first customer of a kind in the rep's book: *id (0: none). */
APP_MUST_USE static enum app_err
pick(struct ctx *cx, const char *kind, int64_t *id, const char **name)
{
    struct db_res r;
    enum app_err rc = db_query(
        cx->db, cx->a, SQL_PICK,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_CSTR(kind)), 1,
        &r);

    *id = rc == APP_OK && r.nrows > 0 ? db_int(&r, 0, 0, 0) : 0;
    *name = *id > 0 ? db_text(&r, 0, 1) : "";
    return rc;
}

/* The dealer's business licence, waiting for legal. */
APP_MUST_USE static enum app_err
licence(struct ctx *cx, int64_t dealer, const char *name)
{
    char path[CONF_STR_MAX + 40];
    struct upload u;
    struct qual_input in;
    struct ruledesc rd;
    cJSON *errors = cJSON_CreateObject();
    int64_t id = 0;
    int fd;
    enum app_err rc = errors != NULL ? ruledesc_get(cx, &rd) : APP_ENOMEM;

    snprintf(path, sizeof(path), "%s/demo-licence-XXXXXX", cx->conf->tmp_dir);
    fd = rc == APP_OK ? mkstemp(path) : -1;
    if (fd < 0 || write(fd, PNG, sizeof(PNG)) != (ssize_t)sizeof(PNG))
        rc = rc == APP_OK ? APP_EIO : rc;
    if (fd >= 0)
        close(fd);
    memset(&u, 0, sizeof(u));
    u.field = STR_LIT("file");
    u.filename = str_c("营业执照.png");
    u.content_type = STR_LIT("image/png");
    u.path = path;
    u.size = sizeof(PNG);
    memset(&in, 0, sizeof(in));
    in.type = "business_licence";
    in.number = STR_LIT("91350100M000100Y43");
    in.holder = str_c(name);
    in.file = &u;
    if (rc == APP_OK)
        rc = admission_submit(cx, &rd, dealer, &in, errors, &id);
    if (fd >= 0)
        unlink(path);
    cJSON_Delete(errors);
    return rc;
}

/* Four payments of the last 90 days, three of them paid late. */
APP_MUST_USE static enum app_err
payments(struct ctx *cx, int64_t customer, time_t now)
{
    static const int due_ago[] = { 80, 60, 40, 20 }, late[] = { 12, 5, 9, 0 };
    cJSON *errors = cJSON_CreateObject();
    size_t i;
    enum app_err rc = errors != NULL ? APP_OK : APP_ENOMEM;

    for (i = 0; rc == APP_OK && i < 4; i++) {
        char due[32], paid[32], inv[48];
        struct payment_input in;
        int64_t id = 0;
        bool created = false;

        tz_utc_text(now - (time_t)due_ago[i] * 86400, due, sizeof(due));
        tz_utc_text(now - (time_t)(due_ago[i] - late[i]) * 86400, paid,
                    sizeof(paid));
        due[10] = paid[10] = '\0';
        snprintf(inv, sizeof(inv), "DEMO-%lld-%zu", (long long)customer, i);
        memset(&in, 0, sizeof(in));
        in.invoice_no = str_c(inv);
        in.amount = STR_LIT("48000.00");
        in.due_on = str_c(due);
        in.paid_on = str_c(paid);
        rc = payments_record(cx, customer, &in, errors, &id, &created);
    }
    cJSON_Delete(errors);
    return rc;
}

/* A contract of the customer with a term and a prepayment. */
APP_MUST_USE static enum app_err
contract(struct ctx *cx, int64_t customer, int64_t tpl, const char *term,
         const char *prepay, int64_t *id)
{
    struct contract_request rq;
    struct contract_decision d;
    cJSON *errors = cJSON_CreateObject();
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    memset(&rq, 0, sizeof(rq));
    rq.customer_id = customer;
    rq.template_id = tpl;
    rq.amount = STR_LIT("560000");
    rq.payment_term_days = str_c(term);
    rq.prepay_pct = str_c(prepay);
    rq.delivery_days = STR_LIT("30");
    rq.warranty_months = STR_LIT("24");
    rq.penalty_pct = STR_LIT("0.5");
    rc = contracting_draft(cx, &rq, errors, &d, id);
    cJSON_Delete(errors);
    return rc;
}

/* Shipments of the signed contract: one frozen, one in good time. */
APP_MUST_USE static enum app_err
shipments(struct ctx *cx, int64_t k, time_t now)
{
    static const int hours[] = { 30, 120 };
    static const char *const goods[] = { "CT 球管", "探测器" };
    cJSON *errors = cJSON_CreateObject();
    size_t i;
    enum app_err rc = errors != NULL ? APP_OK : APP_ENOMEM;

    for (i = 0; rc == APP_OK && i < 2; i++) {
        struct tm tm;
        char local[32];
        int64_t id = 0;

        tz_local(cx->tenant_tz, now + (time_t)hours[i] * 3600, &tm);
        strftime(local, sizeof(local), "%Y-%m-%d %H:%M", &tm);
        rc = shipments_add(cx, k, str_c(local), str_c(goods[i]), STR_LIT("1"),
                           errors, &id);
    }
    cJSON_Delete(errors);
    return rc;
}

APP_MUST_USE static enum app_err
deals(struct ctx *cx, time_t now)
{
    struct contract_blocks blocks;
    struct db_res r;
    const char *hname, *dname;
    int64_t hospital = 0, dealer = 0, tpl = 0, k = 0;
    enum app_err rc = db_query(cx->db, cx->a, SQL_TEMPLATE,
                               DB_ARGS(DB_I64(cx->tenant_id)), 1, &r);

    tpl = rc == APP_OK && r.nrows > 0 ? db_int(&r, 0, 0, 0) : 0;
    if (rc == APP_OK)
        rc = pick(cx, "hospital", &hospital, &hname);
    if (rc == APP_OK)
        rc = pick(cx, "dealer", &dealer, &dname);
    if (rc == APP_OK && dealer > 0)
        rc = licence(cx, dealer, dname);
    if (rc != APP_OK || hospital == 0 || tpl == 0)
        return rc;
    rc = payments(cx, hospital, now);
    if (rc == APP_OK) /* 3 late payments and 60 days: finance approves */
        rc = contract(cx, hospital, tpl, "60", "30", &k);
    if (rc == APP_OK)
        rc = contract(cx, hospital, tpl, "30", "30", &k);
    if (rc == APP_OK)
        rc = contracting_sign(cx, k, &blocks);
    if (rc == APP_OK)
        rc = shipments(cx, k, now);
    return rc;
}

enum app_err
demo_deals(struct db *db, struct arena *a, const struct conf *c, int64_t tenant,
           time_t now)
{
    char *engine = NULL, err[512];
    size_t len = 0;
    struct rules *rules;
    struct db_res r;
    struct ctx cx;
    enum app_err rc =
        rules_load_engine(c->lua_dir, &engine, &len, err, sizeof(err));

    if (rc != APP_OK) {
        fprintf(stderr, "proofline demo: %s\n", err);
        return rc;
    }
    rules = rules_new(c, (struct str){ engine, len });
    free(engine);
    if (rules == NULL)
        return APP_ENOMEM;
    ctx_init(&cx, a, db, c, rules, tenant, 0, ROLE_REP);
    rc = db_query(db, a, SQL_REP, DB_ARGS(DB_I64(tenant)), 1, &r);
    if (rc == APP_OK && r.nrows > 0) {
        cx.user_id = db_int(&r, 0, 0, 0);
        rc = deals(&cx, now);
    }
    if (rc != APP_OK)
        fprintf(stderr, "proofline demo: contracts and admission: %s %s\n",
                app_err_code(rc), cx.err_detail != NULL ? cx.err_detail : "");
    rules_free(rules);
    return rc;
}

/*
 * demo_contracts.c -- the demo's clause library (demo_contracts.h).
 */
#include "server/demo_contracts.h"

#include <stdio.h>

#include "db/ctx.h"
#include "identity/role.h"
#include "sales/clauses.h"

static const struct {
    const char *key, *title, *body;
} CLAUSES[] = {
    { "amount", "合同金额",
      "本合同总金额为人民币 {amount} 元（大写：{amount_words}），含税。" },
    { "payment", "付款条款",
      "买方应于合同签订后支付合同总金额的 {prepay_pct}% 作为预付款，即人民币 "
      "{prepay_amount} 元；余款于货物验收合格后 {payment_term_days} "
      "天内付清。" },
    { "delivery", "交货条款",
      "卖方应于收到预付款（无预付款的，自合同签订之日起）后 {delivery_days} "
      "天内将货物送达买方指定地点，并负责安装调试。" },
    { "warranty", "质保条款",
      "货物自验收合格之日起质保 {warranty_months} "
      "个月。质保期内非人为损坏的，卖方免费维修或更换。" },
    { "penalty", "违约条款",
      "任何一方逾期履行义务的，每逾期一日应按合同总金额的 {penalty_pct}% "
      "向对方支付违约金，违约金总额不超过合同总金额的百分之十。" },
};
#define NCLAUSES (sizeof(CLAUSES) / sizeof(CLAUSES[0]))

/* {"payment_term_days": [30, 60, 90], ...}: the template's options. */
static cJSON *
options(void)
{
    static const double pay[] = { 30, 60, 90 }, pre[] = { 0, 30, 50 },
                        del[] = { 15, 30 }, war[] = { 12, 24 },
                        pen[] = { 0.5, 1 };
    cJSON *o = cJSON_CreateObject();

    cJSON_AddItemToObject(o, "payment_term_days",
                          cJSON_CreateDoubleArray(pay, 3));
    cJSON_AddItemToObject(o, "prepay_pct", cJSON_CreateDoubleArray(pre, 3));
    cJSON_AddItemToObject(o, "delivery_days", cJSON_CreateDoubleArray(del, 2));
    cJSON_AddItemToObject(o, "warranty_months",
                          cJSON_CreateDoubleArray(war, 2));
    cJSON_AddItemToObject(o, "penalty_pct", cJSON_CreateDoubleArray(pen, 2));
    return o;
}

enum app_err
demo_contracts(struct db *db, struct arena *a, const struct conf *c,
               int64_t tenant, int64_t legal_id)
{
    struct ctx cx;
    cJSON *errors = cJSON_CreateObject(), *keys = cJSON_CreateArray(), *opts;
    int64_t id;
    int version;
    size_t i;
    enum app_err rc = errors != NULL && keys != NULL ? APP_OK : APP_ENOMEM;

    ctx_init(&cx, a, db, c, NULL, tenant, legal_id, ROLE_LEGAL);
    for (i = 0; rc == APP_OK && i < NCLAUSES; i++) {
        rc = clauses_save(&cx, str_c(CLAUSES[i].key), str_c(CLAUSES[i].title),
                          str_c(CLAUSES[i].body), errors, &id, &version);
        cJSON_AddItemToArray(keys, cJSON_CreateString(CLAUSES[i].key));
    }
    opts = options();
    if (rc == APP_OK)
        rc = templates_save(&cx, STR_LIT("equipment_sale"),
                            str_c("设备销售合同"), keys, opts, errors, &id,
                            &version);
    if (rc == APP_EVALIDATION) {
        char *e = cJSON_PrintUnformatted(errors);

        fprintf(stderr, "proofline demo: clause library: %s\n",
                e != NULL ? e : "invalid");
        cJSON_free(e);
    }
    cJSON_Delete(opts);
    cJSON_Delete(keys);
    cJSON_Delete(errors);
    return rc;
}

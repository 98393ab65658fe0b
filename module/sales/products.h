/*
 * products.h -- the company's product list: its own products and its
 * competitors', the vocabulary of shelf audits (audits.h).
 *
 * A product has a SKU (unique in the company), a name, a brand, whether it
 * is the company's own or a competitor's, a category, and is active until
 * deactivated (a deactivated product stays in old audits but cannot be
 * picked for new lines).  recognizer_label is left for a photo recogniser.
 *
 * Everyone in the company reads the list; admins and managers write it
 * (others APP_EFORBIDDEN).  Field problems are catalog keys per field.
 */
#ifndef PROOFLINE_PRODUCTS_H
#define PROOFLINE_PRODUCTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "base/upload.h"
#include "db/ctx.h"
#include "db/db.h"

#define PRODUCT_SKU_MAX 64
#define PRODUCT_NAME_MAX 200
#define PRODUCT_BRAND_MAX 100
#define PRODUCT_CATEGORY_MAX 100
#define PRODUCT_Q_MAX 100
#define PRODUCTS_LIST_MAX 1000
#define PRODUCTS_IMPORT_ROWS 5000               /* lines after the header */
#define PRODUCTS_IMPORT_BYTES (2 * 1024 * 1024) /* of the uploaded file */
#define PRODUCTS_IMPORT_ERRORS 100              /* problems reported */

struct product_input {
    const char *sku;
    const char *name;
    const char *brand;
    const char *category;
    bool own;
    const char *launch_on; /* "YYYY-MM-DD", "" when not a dated launch */
};

/* Check fields sku, name, brand, own ("own"/"competitor", "1"/"0",
 * "yes"/"no", 自有/竞品, 是/否), category and launch_on (optional,
 * "YYYY-MM-DD" or "YYYY/MM/DD") into in.  APP_EVALIDATION with
 * a catalog key per field in errors. */
APP_MUST_USE enum app_err products_check(struct ctx *cx, const struct kvlist *f,
                                         struct product_input *in,
                                         cJSON *errors);

/* A new product.  APP_ECONFLICT (err_detail "product.sku_taken") when the
 * SKU is in use; APP_EFORBIDDEN for a role that may not write. */
APP_MUST_USE enum app_err
products_create(struct ctx *cx, const struct product_input *in, int64_t *id);

/* Change every field of product id (APP_ENOTFOUND, APP_ECONFLICT for a
 * SKU in use by another). */
APP_MUST_USE enum app_err products_update(struct ctx *cx, int64_t id,
                                          const struct product_input *in);

/* Deactivate (active false) or bring back. */
APP_MUST_USE enum app_err products_set_active(struct ctx *cx, int64_t id,
                                              bool active);

/* Columns of a product row. */
enum {
    PR_ID,
    PR_SKU,
    PR_NAME,
    PR_BRAND,
    PR_OWN,
    PR_CATEGORY,
    PR_ACTIVE,
    PR_LAUNCH_ON, /* "" when none */
    PR_COUNT
};

APP_MUST_USE enum app_err products_get(struct ctx *cx, int64_t id,
                                       struct db_res *out);

/* The active product with this SKU, else the one active product with
 * this exact name (APP_ENOTFOUND for none, or a name several share). */
APP_MUST_USE enum app_err products_by_sku(struct ctx *cx, const char *sku,
                                          struct db_res *out);

/* By brand then name; q (NULL or "") matches SKU, name or brand; at most
 * max (<= PRODUCTS_LIST_MAX); inactive ones too when all. */
APP_MUST_USE enum app_err products_list(struct ctx *cx, const char *q, bool all,
                                        size_t max, struct db_res *out);

/* Import a CSV file (UTF-8 or GBK, a header row naming the columns sku,
 * name, brand, own, category and optionally launch_on -- or 编码, 名称,
 * 品牌, 自有, 类别, 上市日期): every
 * line is checked as products_check does, an SKU already in the list is
 * updated, and all of it is written in one transaction -- or nothing:
 * APP_EVALIDATION with problems, an array of {line, field, problem}
 * (line: the file's 1-based line; problem a catalog key or {key, n}).
 * APP_ETOOBIG (err_detail "product.import_too_big") over
 * PRODUCTS_IMPORT_BYTES or PRODUCTS_IMPORT_ROWS lines.  *n: lines written. */
APP_MUST_USE enum app_err products_import(struct ctx *cx,
                                          const struct upload *u, size_t *n,
                                          cJSON *problems);

#endif

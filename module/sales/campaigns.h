/*
 * campaigns.h -- new-product campaigns (新品上市): a product, the day it
 * launches, the stores it targets (every store, or a list) and the
 * talk-track pack marketing attaches for the supervisors.  The
 * sell-through metrics (metrics/sellthrough.h) measure a campaign.
 *
 * Admins, managers, marketing, supervisors and store managers read the
 * company's campaigns (others APP_ENOTFOUND); admins, managers and
 * marketing write them (others APP_EFORBIDDEN).  Targeted stores are
 * named by code and read and written in the actor's store scope
 * (stores.h): a manager's edit leaves the campaign's stores outside their
 * scope as they are.  Every change bumps pos_state.version, so cached
 * metrics are computed again.
 */
#ifndef PROOFLINE_CAMPAIGNS_H
#define PROOFLINE_CAMPAIGNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "base/upload.h"
#include "db/ctx.h"
#include "db/db.h"

#define CAMPAIGN_NAME_MAX 200
#define CAMPAIGN_NOTE_MAX 2000
#define CAMPAIGN_STORES_TEXT_MAX 400000 /* bytes of the list of codes */
#define CAMPAIGNS_LIST_MAX 1000
#define CAMPAIGN_FILES_MAX 20

struct campaign_input {
    int64_t product_id;
    const char *name;
    const char *launch_on; /* "YYYY-MM-DD" */
    bool all_stores;
    const char *note;
    bool active;
    size_t nstores;
    int64_t *stores; /* targeted store ids (in the actor's scope) */
};

/* Who may read and who may write. */
bool campaigns_may_read(unsigned role);
bool campaigns_may_write(unsigned role);

/* Check the fields product (an id or a SKU of the company's list), name,
 * launch_on (optional: the product's launch day when empty; one of the
 * two is needed), all_stores (absent: true when no stores are listed),
 * stores (store codes separated by spaces, commas or lines, each in the
 * actor's scope; needed unless all_stores), note and active (absent:
 * true) into in.  APP_EVALIDATION with a catalog key (or {key, name})
 * per field in errors. */
APP_MUST_USE enum app_err campaigns_check(struct ctx *cx,
                                          const struct kvlist *f,
                                          struct campaign_input *in,
                                          cJSON *errors);

/* A new campaign (audit campaign.create); the product's POS rollups are
 * built for it (pos_rollup_product) in the same transaction.
 * APP_ECONFLICT (err_detail "campaign.taken") when the product has a
 * campaign launching that day already. */
APP_MUST_USE enum app_err
campaigns_create(struct ctx *cx, const struct campaign_input *in, int64_t *id);

/* Change campaign id (audit campaign.update); the targeted stores in the
 * actor's scope become in's, the others stay. */
APP_MUST_USE enum app_err campaigns_update(struct ctx *cx, int64_t id,
                                           const struct campaign_input *in);

/* Columns of a campaign row. */
enum {
    CA_ID,
    CA_PRODUCT_ID,
    CA_SKU,
    CA_PRODUCT_NAME,
    CA_NAME,
    CA_LAUNCH_ON,
    CA_ALL_STORES,
    CA_NOTE,
    CA_ACTIVE,
    CA_NSTORES, /* targeted stores (all of them, whoever reads) */
    CA_NFILES,
    CA_COUNT
};

APP_MUST_USE enum app_err campaigns_get(struct ctx *cx, int64_t id,
                                        struct db_res *out);

/* Newest launch first, at most max (<= CAMPAIGNS_LIST_MAX); inactive
 * ones too when all. */
APP_MUST_USE enum app_err campaigns_list(struct ctx *cx, bool all, size_t max,
                                         struct db_res *out);

/* The targeted stores of campaign id in the actor's scope, by code:
 * id, code, name. */
APP_MUST_USE enum app_err campaigns_stores(struct ctx *cx, int64_t id,
                                           struct db_res *out);

/* The talk-track files of campaign id: file id, name, mime, size. */
APP_MUST_USE enum app_err campaigns_files(struct ctx *cx, int64_t id,
                                          struct db_res *out);

/* Attach an uploaded file (a document, image or recording; APP_EVALIDATION
 * "campaign.bad_file" otherwise, APP_ETOOBIG "campaign.too_many_files"
 * past CAMPAIGN_FILES_MAX) to campaign id (audit campaign.file_add);
 * *file_id gets the stored file.  Everyone who reads campaigns may
 * download it. */
APP_MUST_USE enum app_err campaigns_file_add(struct ctx *cx, int64_t id,
                                             const struct upload *u,
                                             int64_t *file_id);

/* Detach file_id from campaign id (audit campaign.file_remove;
 * APP_ENOTFOUND when it is not attached). */
APP_MUST_USE enum app_err campaigns_file_remove(struct ctx *cx, int64_t id,
                                                int64_t file_id);

#endif

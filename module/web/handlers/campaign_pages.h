/*
 * campaign_pages.h -- new-product campaigns: the list, the new and edit
 * forms (targeted stores as a list of codes, the talk-track files) and
 * the JSON API.  Readers and writers as sales/campaigns.h says; a
 * campaign's own page (/campaigns/{id}, its sell-through) is the
 * sell-through pages'.
 */
#ifndef PROOFLINE_CAMPAIGN_PAGES_H
#define PROOFLINE_CAMPAIGN_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err campaigns_index(struct req *r);
APP_MUST_USE enum app_err campaigns_new(struct req *r);
APP_MUST_USE enum app_err campaigns_create_page(struct req *r);
APP_MUST_USE enum app_err campaign_edit(struct req *r);
APP_MUST_USE enum app_err campaign_update_page(struct req *r);
APP_MUST_USE enum app_err campaign_file_page(struct req *r);
APP_MUST_USE enum app_err campaign_file_remove_page(struct req *r);

APP_MUST_USE enum app_err api_campaigns(struct req *r);
APP_MUST_USE enum app_err api_campaign(struct req *r);
APP_MUST_USE enum app_err api_campaign_create(struct req *r);

#endif

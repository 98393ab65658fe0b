/*
 * store_pages.h -- the store network's pages (list with filters, new and
 * edit forms, close and reopen, CSV import and export) and its JSON API.
 * Lists, exports and the API show the stores in the user's scope
 * (sales/stores.h); admins and managers write (the routes say so, and
 * sales/stores.c again).  A store's own page (/stores/{id}) is the
 * sell-through page's.
 */
#ifndef PROOFLINE_STORE_PAGES_H
#define PROOFLINE_STORE_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err stores_index(struct req *r);
APP_MUST_USE enum app_err stores_new(struct req *r);
APP_MUST_USE enum app_err stores_create_page(struct req *r);
APP_MUST_USE enum app_err store_edit(struct req *r);
APP_MUST_USE enum app_err store_update_page(struct req *r);
APP_MUST_USE enum app_err store_close_page(struct req *r);
APP_MUST_USE enum app_err store_reopen_page(struct req *r);
APP_MUST_USE enum app_err stores_import_form(struct req *r);
APP_MUST_USE enum app_err stores_import_page(struct req *r);
APP_MUST_USE enum app_err stores_export_csv(struct req *r);

APP_MUST_USE enum app_err api_stores(struct req *r);
APP_MUST_USE enum app_err api_store(struct req *r);
APP_MUST_USE enum app_err api_store_create(struct req *r);
APP_MUST_USE enum app_err api_store_update(struct req *r);

#endif

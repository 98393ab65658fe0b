/*
 * product_pages.h -- the product list: its page (search, a new product,
 * CSV import), a product's page and edit form, and the JSON API.
 * Everyone reads; admins and managers write (the routes say so, and
 * sales/products.c again).
 */
#ifndef PROOFLINE_PRODUCT_PAGES_H
#define PROOFLINE_PRODUCT_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err products_index(struct req *r);
APP_MUST_USE enum app_err products_create_page(struct req *r);
APP_MUST_USE enum app_err products_import_page(struct req *r);
APP_MUST_USE enum app_err product_show(struct req *r);
APP_MUST_USE enum app_err product_update_page(struct req *r);
APP_MUST_USE enum app_err product_deactivate_page(struct req *r);
APP_MUST_USE enum app_err product_activate_page(struct req *r);

APP_MUST_USE enum app_err api_products(struct req *r);
APP_MUST_USE enum app_err api_product(struct req *r);
APP_MUST_USE enum app_err api_product_create(struct req *r);
APP_MUST_USE enum app_err api_product_update(struct req *r);
APP_MUST_USE enum app_err api_products_import(struct req *r);

#endif

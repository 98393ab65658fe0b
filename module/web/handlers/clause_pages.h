/*
 * clause_pages.h -- the clause library and contract templates: their
 * admin pages (legal and admins: list, edit = a new version, templates
 * assembled from clauses, a printable preview) and the JSON API (everyone
 * reads, legal and admins write; the routes say so, and sales/clauses.c
 * again).
 */
#ifndef PROOFLINE_CLAUSE_PAGES_H
#define PROOFLINE_CLAUSE_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err clauses_index(struct req *r);
APP_MUST_USE enum app_err clause_new_form(struct req *r);
APP_MUST_USE enum app_err clause_create_page(struct req *r);
APP_MUST_USE enum app_err clause_edit(struct req *r);
APP_MUST_USE enum app_err clause_save_page(struct req *r);
APP_MUST_USE enum app_err templates_index(struct req *r);
APP_MUST_USE enum app_err template_save_page(struct req *r);
APP_MUST_USE enum app_err template_preview(struct req *r);

APP_MUST_USE enum app_err api_clauses(struct req *r);
APP_MUST_USE enum app_err api_clause_create(struct req *r);
APP_MUST_USE enum app_err api_templates(struct req *r);
APP_MUST_USE enum app_err api_template_create(struct req *r);
APP_MUST_USE enum app_err api_template(struct req *r);

#endif

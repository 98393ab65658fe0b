/*
 * evidence_pages.h -- the routes of evidence_pages.c (routes.c maps them;
 * nothing else calls them).
 */
#ifndef PROOFLINE_EVIDENCE_PAGES_H
#define PROOFLINE_EVIDENCE_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err evidence_form(struct req *r);
APP_MUST_USE enum app_err evidence_submit_page(struct req *r);
APP_MUST_USE enum app_err evidence_remove_page(struct req *r);

#endif

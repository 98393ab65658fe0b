/*
 * pos_pages.h -- POS sales imports: the page (list, upload, report) and
 * the API (POST a file, GET an import).  The upload is stored and queued;
 * the scheduler runs it (work/pos_jobs.h), the report page refreshes
 * itself until it is finished.
 */
#ifndef PROOFLINE_POS_PAGES_H
#define PROOFLINE_POS_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err pos_imports_page(struct req *r);
APP_MUST_USE enum app_err pos_imports_upload(struct req *r);
APP_MUST_USE enum app_err pos_import_page(struct req *r);
APP_MUST_USE enum app_err api_pos_import_create(struct req *r);
APP_MUST_USE enum app_err api_pos_import_get(struct req *r);

#endif

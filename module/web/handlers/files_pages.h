/*
 * files_pages.h -- the download route (routes.c).
 */
#ifndef PROOFLINE_FILES_PAGES_H
#define PROOFLINE_FILES_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err files_download(struct req *r);

#endif

/*
 * pipeline.h -- the routes of pipeline.c (routes.c maps them; nothing else
 * calls them).
 */
#ifndef PROOFLINE_PIPELINE_H
#define PROOFLINE_PIPELINE_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err pipeline_board(struct req *r);
APP_MUST_USE enum app_err pipeline_move(struct req *r);

#endif

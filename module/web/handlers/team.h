/*
 * team.h -- the routes of team.c (routes.c maps them; nothing else calls them).
 */
#ifndef PROOFLINE_TEAM_H
#define PROOFLINE_TEAM_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err team_show(struct req *r);

#endif

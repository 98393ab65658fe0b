/*
 * task_pages.h -- "My tasks", the team's tasks, a task's page, the new
 * task form and the task actions (claim, done, cancel, reopen).
 */
#ifndef PROOFLINE_TASK_PAGES_H
#define PROOFLINE_TASK_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err tasks_index(struct req *r);
APP_MUST_USE enum app_err tasks_new(struct req *r);
APP_MUST_USE enum app_err tasks_create_page(struct req *r);
APP_MUST_USE enum app_err task_show(struct req *r);
APP_MUST_USE enum app_err task_claim_page(struct req *r);
APP_MUST_USE enum app_err task_done_page(struct req *r);
APP_MUST_USE enum app_err task_cancel_page(struct req *r);
APP_MUST_USE enum app_err task_reopen_page(struct req *r);

#endif

/*
 * work_api.h -- tasks, notifications and (admins) deliveries as JSON.
 *
 *   GET  /api/v1/tasks?scope=mine|team&status=&overdue=1&customer=&limit=
 *   POST /api/v1/tasks            {title, body, kind, priority, due,
 *                                  assignee | assignee_role [+ team,
 *                                  region], customer}
 *   GET  /api/v1/tasks/{id}       the task and its history
 *   POST /api/v1/tasks/{id}/claim | done {note} | cancel {note} | reopen
 *   GET  /api/v1/notifications?unread=1&before=&limit=  (+ unread count)
 *   POST /api/v1/notifications/{id}/read, /api/v1/notifications/read-all
 *   GET  /api/v1/deliveries?status=failed   (admins)
 *   POST /api/v1/deliveries/{id}/retry      (admins)
 */
#ifndef PROOFLINE_WORK_API_H
#define PROOFLINE_WORK_API_H

#include "http/http.h"

APP_MUST_USE enum app_err api_tasks(struct req *r);
APP_MUST_USE enum app_err api_task_create(struct req *r);
APP_MUST_USE enum app_err api_task(struct req *r);
APP_MUST_USE enum app_err api_task_claim(struct req *r);
APP_MUST_USE enum app_err api_task_done(struct req *r);
APP_MUST_USE enum app_err api_task_cancel(struct req *r);
APP_MUST_USE enum app_err api_task_reopen(struct req *r);
APP_MUST_USE enum app_err api_notifications(struct req *r);
APP_MUST_USE enum app_err api_notification_read(struct req *r);
APP_MUST_USE enum app_err api_notifications_read_all(struct req *r);
APP_MUST_USE enum app_err api_deliveries(struct req *r);
APP_MUST_USE enum app_err api_delivery_retry(struct req *r);

#endif

/*
 * inbox.h -- the signed-in person's notifications; admins' deliveries and
 * jobs pages.
 */
#ifndef PROOFLINE_INBOX_H
#define PROOFLINE_INBOX_H

#include "http/http.h"

APP_MUST_USE enum app_err inbox_show(struct req *r);
APP_MUST_USE enum app_err inbox_read(struct req *r);
APP_MUST_USE enum app_err inbox_read_all(struct req *r);
APP_MUST_USE enum app_err admin_deliveries(struct req *r);
APP_MUST_USE enum app_err admin_delivery_retry(struct req *r);
APP_MUST_USE enum app_err admin_jobs(struct req *r);

#endif

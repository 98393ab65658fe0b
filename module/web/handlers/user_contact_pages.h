/*
 * user_contact_pages.h -- contact details and notification preferences:
 * the person's own (/account/contact) and, for admins, anyone's
 * (/admin/users/{id}/contact).
 */
#ifndef PROOFLINE_USER_CONTACT_PAGES_H
#define PROOFLINE_USER_CONTACT_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err account_contact(struct req *r);
APP_MUST_USE enum app_err account_contact_save(struct req *r);
APP_MUST_USE enum app_err admin_user_contact(struct req *r);
APP_MUST_USE enum app_err admin_user_contact_save(struct req *r);

#endif

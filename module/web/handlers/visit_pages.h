/*
 * visit_pages.h -- visits and other activities on a phone: start a visit
 * (customer, type, check-in with the browser's position), its photos and
 * content, completion; record a call or meeting; the list of a day's
 * visits (a rep's own, a manager's team per rep) with review.
 */
#ifndef PROOFLINE_VISIT_PAGES_H
#define PROOFLINE_VISIT_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err visits_index(struct req *r);
APP_MUST_USE enum app_err visits_new(struct req *r);
APP_MUST_USE enum app_err visits_create_page(struct req *r);
APP_MUST_USE enum app_err visit_show(struct req *r);
APP_MUST_USE enum app_err visit_photo_page(struct req *r);
APP_MUST_USE enum app_err visit_audio_page(struct req *r);
APP_MUST_USE enum app_err activity_check_page(struct req *r);
APP_MUST_USE enum app_err visit_contact_page(struct req *r);
APP_MUST_USE enum app_err visit_complete_page(struct req *r);
APP_MUST_USE enum app_err visit_review_page(struct req *r);
APP_MUST_USE enum app_err activities_new(struct req *r);
APP_MUST_USE enum app_err activities_create_page(struct req *r);
/* A quick note posted to the new forms (POST /activities/new, POST
 * /visits/new): the same form again, filled in with what the note says
 * (sales/notes.h); nothing is saved. */
APP_MUST_USE enum app_err activities_propose_page(struct req *r);
APP_MUST_USE enum app_err visits_propose_page(struct req *r);

#endif

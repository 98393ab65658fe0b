/*
 * activity_api.h -- activities and visits as JSON.
 *
 *   GET  /api/v1/activities?customer=&rep=&day=YYYY-MM-DD&kind=&limit=
 *   POST /api/v1/activities       {kind, customer, client_id, content,
 *                                  need, competitor, next_step, next_date,
 *                                  contacts: [{id, consensus}]}
 *   GET  /api/v1/activities/{id}  with contacts and photos
 *   POST /api/v1/visits           {customer, visit_type, client_id, lat,
 *                                  lng, accuracy}: check in
 *   POST /api/v1/visits/{id}/photos  multipart: key, file
 *   POST /api/v1/visits/{id}/complete  {content, need, ... contacts}:
 *        422 {"error": "photos_missing", "missing": [{key, name}]}
 *   POST /api/v1/notes/extract  {text, at: local "YYYY-MM-DDTHH:MM"}: a
 *        quick note read into a proposal (web/note_view.h); saves
 *        nothing; 413 for a text over 2000 characters
 */
#ifndef PROOFLINE_ACTIVITY_API_H
#define PROOFLINE_ACTIVITY_API_H

#include "http/http.h"

APP_MUST_USE enum app_err api_activities(struct req *r);
/* GET /api/v1/visits: a day's visits (day, default today in the company's
 * zone), a rep's own; team roles all in their scope or one rep's (rep). */
APP_MUST_USE enum app_err api_visits(struct req *r);
APP_MUST_USE enum app_err api_activity_create(struct req *r);
APP_MUST_USE enum app_err api_activity(struct req *r);
APP_MUST_USE enum app_err api_visit_checkin(struct req *r);
APP_MUST_USE enum app_err api_visit_photo(struct req *r);
APP_MUST_USE enum app_err api_activity_audio(struct req *r);
APP_MUST_USE enum app_err api_activity_check(struct req *r);
APP_MUST_USE enum app_err api_visit_complete(struct req *r);
APP_MUST_USE enum app_err api_notes_extract(struct req *r);

#endif

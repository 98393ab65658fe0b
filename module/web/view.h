/*
 * view.h -- view models shared by every page.
 *
 * Handlers build a cJSON model and render it (STYLE §4).  view_new() makes
 * the model with what the layout needs: the catalog `t` (a reference, not
 * a copy), `lang`, the CSRF token for forms, the signed-in user, the
 * current path (for the language switch) -- so a handler only adds its own
 * keys.  The model is freed by an arena cleanup.
 */
#ifndef PROOFLINE_VIEW_H
#define PROOFLINE_VIEW_H

#include <cJSON.h>

#include "base/err.h"
#include "http/http.h"

/* A new page model with the common keys; NULL when out of memory. */
cJSON *view_new(struct req *r);

/* Render a page: http_html with the layout's common keys present.  Every
 * non-empty array "x" in the model gets a sibling "has_x": true, so a
 * template tests "any?" with {{#has_x}} (a {{#x.0}} section would push the
 * first item, whose keys then shadow missing ones of later items). */
APP_MUST_USE enum app_err view_page(struct req *r, int status, const char *tmpl,
                                    cJSON *model);

/* An empty JSON object for per-field error messages, freed with the
 * request (NULL when out of memory). */
cJSON *view_errors(struct req *r);

/* [{value, label, selected}] for a <select>: one option per values[i]
 * (NULL-terminated; empty strings skipped), labelled by the catalog key
 * label_prefix + value; `selected` may be NULL. */
cJSON *view_options(struct req *r, const char *const *values,
                    const char *label_prefix, const char *selected);

/* A sortable column's header (partials/sort_th): {label, url, aria,
 * arrow}.  url is base + "?" + qs (the list's filters without its sort)
 * with sort=key and the direction a click should give: the other one when
 * the column is the sort, else first_desc's. */
cJSON *view_sort_th(struct req *r, const char *base, const char *qs,
                    const char *key, const char *label, bool active, bool desc,
                    bool first_desc);

/* Answer with the error page (HTML) or a JSON error body (API routes and
 * clients that accept only JSON) for e, in the request's language, using
 * r->cx.err_detail for the specific message when set.  Never fails: when the
 * page cannot be rendered, a plain-text body is sent instead. */
void view_error(struct req *r, enum app_err e);

/* Rewrite the UTC time fields (created_at, last_seen_at, expires_at,
 * last_used_at, at) of every object in list into the tenant's zone. */
void view_local_times(struct req *r, cJSON *list);

/* A UTC time ("YYYY-MM-DD HH:MM:SS[.fff]") as the company's local time
 * for people ("" for none). */
const char *view_local(struct req *r, const char *utc);

/* What a handler reads from a request, for the pages and the API alike:
 * a member of the JSON body as text (a JSON number as it reads, "%.15g"),
 * else the form field; STR_NULL when absent.  view_field_id: the same as
 * a positive id, 0 when absent or not one.  view_file: the uploaded part
 * of that field name with some bytes, or NULL. */
struct str view_field(struct req *r, const char *name);
int64_t view_field_id(struct req *r, const char *name);
const struct upload *view_file(const struct req *r, const char *name);

/* Add a string to an object; returns false when out of memory. */
bool view_add_str(cJSON *obj, const char *key, const char *val);

/* The page that shows a secret once (API token, temporary password), a
 * title from the catalog and a link back. */
APP_MUST_USE enum app_err view_secret_page(struct req *r, const char *title_key,
                                           const char *secret,
                                           const char *back);

/* The text of one field problem as the services report it: a catalog
 * key, or {"key": ..., "n": limit} for a message naming a number, or
 * {"key": ..., "name": what} for one naming a thing ("{foo}"). */
const char *view_error_text(struct req *r, const cJSON *problem);

/* The key of one field problem ("" when it has none). */
const char *view_error_key(const cJSON *problem);

/* Field problems {field: problem} as a page shows them: {field: {"field":
 * field, "text": ..., "key": ...}} (a new object; NULL when out of
 * memory), for templates/partials/field_error. */
cJSON *view_field_errors(struct req *r, const cJSON *errors);

/* Start a CSV download named filename (ASCII) of at most max bytes (0:
 * the caller sets the body's limit). */
APP_MUST_USE enum app_err view_csv_begin(struct req *r, const char *filename,
                                         size_t max);

/* Destructive or surprising actions ask first.  view_confirmed: the
 * form carries confirm=1.  view_confirm_page: the question (title,
 * message) with a form that posts the same fields again to the same path
 * with confirm=1, and a link back: the no-JavaScript way; app.js asks in
 * place with the form's data-confirm text and adds confirm=1 itself. */
bool view_confirmed(struct req *r);
APP_MUST_USE enum app_err view_confirm_page(struct req *r, const char *title,
                                            const char *message,
                                            const char *back);

/* After a redirect that says what was done (?done=key, one of keys): the
 * model's "notice", the catalog's text for family with "%s" replaced by
 * the key ("customers.done_%s").  A fixed list, so the parameter cannot
 * put text on the page. */
void view_done(struct req *r, cJSON *m, const char *family,
               const char *const *keys);

/* A plain number written for people: thousands grouped, its own decimals
 * (at most 4; otherwise as it is). */
const char *view_number(struct req *r, const char *plain);

/* An amount for people: "¥1,200,000.00" ("" for none or a bad one). */
const char *view_money(struct req *r, const char *plain);

#endif

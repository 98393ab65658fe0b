/*
 * testapp.h -- an in-process application for dispatch tests: the real
 * templates, catalogs and route table, a database handle that points at
 * nothing (so RF_DB routes answer 503), and requests built from a list of
 * FastCGI parameters instead of libfcgi.
 */
#ifndef PROOFLINE_TESTAPP_H
#define PROOFLINE_TESTAPP_H

#include "http/app.h"
#include "http/http.h"

/* The app, loaded from ./templates (tests run from the repository root). */
struct app *testapp_get(void);

/* A request: params are "NAME=value" strings, NULL-terminated.  The body
 * (may be NULL) is served as the request body. */
void testreq_init(struct req *r, struct arena *a, const char *method,
                  const char *uri, const char *body, const char *const *params);

/* Dispatch r and return its status; *head gets the formatted response
 * head (in the arena). */
int testreq_run(struct req *r, const char **head);

/* The value of a response header set by the handler, or NULL. */
const char *testreq_header(const struct req *r, const char *name);

#endif

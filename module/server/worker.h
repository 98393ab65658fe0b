/*
 * worker.h -- one worker process: accept, dispatch, answer, repeat.
 */
#ifndef PROOFLINE_WORKER_H
#define PROOFLINE_WORKER_H

#include "http/app.h"
#include "http/http.h"
#include "server/server.h"

/* Serve requests on listen_fd until told to stop (SIGTERM/SIGINT/SIGQUIT:
 * after the current request), max_requests is reached or the master is
 * gone.  Never returns. */
void worker_run(struct app *app, int listen_fd, struct slot *slot, pid_t master)
    __attribute__((noreturn));

/* Handle one request whose struct req has a, app and fcgi (or env) set:
 * route, check, parse, call the handler, build the response (the caller
 * sends it).  Exposed for the unit tests. */
void worker_dispatch(struct req *r, struct slot *slot);

#endif

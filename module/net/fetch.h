/*
 * fetch.h -- the one outgoing HTTP client, guarded against requests into
 * the server's own network (net/README.md).
 */
#ifndef PROOFLINE_FETCH_H
#define PROOFLINE_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/netaddr.h"

#define FETCH_TIMEOUT_MAX_MS 5000
#define FETCH_RESPONSE_MAX (64u * 1024u)
#define FETCH_HEADERS_MAX 16

/* Why a request did not get an answer (FETCH_OK: it did, whatever its
 * status). */
enum fetch_err {
    FETCH_OK,
    FETCH_BAD_URL, /* malformed, or a scheme other than https/http */
    FETCH_REFUSED, /* an address inside the network, or plain HTTP to a
                    * target not allow-listed */
    FETCH_TIMEOUT,
    FETCH_CONNECT, /* name not resolved, connection refused or reset */
    FETCH_TLS,
    FETCH_FAILED, /* anything else curl reports */
};

struct fetch_policy {
    const struct netaddr_cidr *allow; /* inside addresses an admin allowed */
    size_t nallow;
    long timeout_ms;     /* whole request; at most FETCH_TIMEOUT_MAX_MS */
    size_t max_response; /* bytes kept; at most FETCH_RESPONSE_MAX */
};

struct fetch_request {
    const char *url;
    const char *body; /* POSTed when not NULL */
    size_t body_len;
    const char *headers[FETCH_HEADERS_MAX]; /* "Name: value", NULL-ended */
};

struct fetch_result {
    enum fetch_err err;
    long status;      /* HTTP status; 0 without an answer */
    const char *body; /* the response (in the arena), NUL-terminated */
    size_t body_len;
    bool truncated;     /* longer than max_response */
    const char *detail; /* why, for people and logs ("127.0.0.1: loopback") */
};

/* Once per process, before any other thread exists (libcurl's global
 * state). */
APP_MUST_USE enum app_err fetch_init(void);

/* The stable name of err ("refused", "timeout" ...). */
const char *fetch_err_name(enum fetch_err err);

/* Make one request.  APP_OK whenever the outcome is in *out (a refusal or
 * a timeout included); APP_ENOMEM or APP_EINTERNAL otherwise. */
APP_MUST_USE enum app_err fetch(struct arena *a, const struct fetch_policy *p,
                                const struct fetch_request *rq,
                                struct fetch_result *out);

/* One e-mail over SMTP: url "smtps://host[:465]" or "smtp://host[:587]"
 * (STARTTLS required, unless the server is allow-listed), the envelope
 * from and to (one recipient), the message (RFC 5322, CRLF lines).  The
 * same address checks as fetch(); *out's status is the SMTP reply code. */
struct fetch_mail_request {
    const char *url;
    const char *user; /* NULL or "": no authentication */
    const char *password;
    const char *from;
    const char *to;
    const char *message;
    size_t message_len;
};

APP_MUST_USE enum app_err fetch_mail(struct arena *a,
                                     const struct fetch_policy *p,
                                     const struct fetch_mail_request *rq,
                                     struct fetch_result *out);

#endif

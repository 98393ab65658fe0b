/*
 * fetch.c -- the outgoing HTTP client (fetch.h) on libcurl.
 */
#include "net/fetch.h"

#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

/* What the callbacks share with fetch(). */
struct call {
    struct arena *a;
    const struct fetch_policy *p;
    bool plain_http;
    bool host_allowed;   /* the URL's host is an allow-listed address */
    const char *refused; /* set by the socket callback */
    char *body;
    size_t len, cap, max;
    bool truncated;
};

enum app_err
fetch_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? APP_OK
                                                             : APP_EINTERNAL;
}

const char *
fetch_err_name(enum fetch_err err)
{
    static const char *const names[] = {
        "ok", "bad_url", "refused", "timeout", "connect", "tls", "failed",
    };

    return (size_t)err < sizeof(names) / sizeof(names[0]) ? names[err]
                                                          : "failed";
}

static bool
allowed(const struct fetch_policy *p, const struct netaddr *a)
{
    size_t i;

    for (i = 0; i < p->nallow; i++) {
        if (netaddr_in(a, &p->allow[i]))
            return true;
    }
    return false;
}

/* Why connecting to a is refused, or NULL. */
static const char *
judge(struct call *c, const struct netaddr *a)
{
    const char *why = netaddr_forbidden(a);
    char text[64];

    if (allowed(c->p, a))
        return NULL;
    if (why == NULL && !c->plain_http)
        return NULL;
    netaddr_format(a, text, sizeof(text));
    return arena_printf(c->a, "%s: %s", text,
                        why != NULL ? why
                                    : "plain http needs an allow-listed "
                                      "target");
}

/* Every connection curl opens comes here with the address it will use. */
static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct call *c = clientp;
    struct netaddr a;

    if (purpose != CURLSOCKTYPE_IPCXN ||
        !netaddr_from_sockaddr(&addr->addr, addr->addrlen, &a)) {
        c->refused = "not an IP connection";
        return CURL_SOCKET_BAD;
    }
    c->refused = judge(c, &a);
    if (c->refused != NULL)
        return CURL_SOCKET_BAD;
    return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t
on_body(char *data, size_t size, size_t n, void *userp)
{
    struct call *c = userp;
    size_t len = size * n, room = c->max - c->len;

    if (len > room) {
        c->truncated = true;
        len = room;
    }
    if (len > 0) {
        memcpy(c->body + c->len, data, len);
        c->len += len;
    }
    return size * n; /* keep reading (and discarding) to the end */
}

/* The URL's scheme and host, checked before any connection: a host that
 * is an address literal is judged now (in any spelling). */
static enum fetch_err
check_url(struct call *c, const char *url, bool mail, const char **detail)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    enum fetch_err err = FETCH_BAD_URL;
    struct netaddr a;

    *detail = "malformed URL";
    if (u == NULL)
        return FETCH_FAILED;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        /* smtp:// is STARTTLS, encrypted like smtps://: judged as such. */
        c->plain_http = !mail && strcmp(scheme, "http") == 0;
        if (!c->plain_http && strcmp(scheme, mail ? "smtps" : "https") != 0 &&
            !(mail && strcmp(scheme, "smtp") == 0)) {
            *detail = mail ? "only smtps or smtp (with STARTTLS)"
                           : "only https (or http to an allow-listed target)";
        } else if (netaddr_parse(str_c(host), &a) &&
                   (*detail = judge(c, &a)) != NULL) {
            err = FETCH_REFUSED;
        } else if (netaddr_parse(str_c(host), &a) && allowed(c->p, &a)) {
            c->host_allowed = true;
            err = FETCH_OK;
            *detail = NULL;
        } else {
            err = FETCH_OK;
            *detail = NULL;
        }
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return err;
}

static enum fetch_err
classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return FETCH_OK;
    case CURLE_OPERATION_TIMEDOUT:
        return FETCH_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return FETCH_CONNECT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
        return FETCH_TLS;
    default:
        return FETCH_FAILED;
    }
}

/* The options every connection gets, web or mail: no proxy, no signals,
 * the time limit, the guarded socket. */
static bool
guarded(CURL *h, struct call *c, char *errbuf)
{
    long timeout =
        c->p->timeout_ms > 0 && c->p->timeout_ms < FETCH_TIMEOUT_MAX_MS
            ? c->p->timeout_ms
            : FETCH_TIMEOUT_MAX_MS;

    return curl_easy_setopt(h, CURLOPT_PROXY, "") == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_NOPROXY, "*") == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout) ==
               CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket) ==
               CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, c) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
}

/* The options every request gets. */
static bool
setup(CURL *h, struct call *c, const struct fetch_request *rq,
      struct curl_slist *hdrs, char *errbuf)
{
    return curl_easy_setopt(h, CURLOPT_URL, rq->url) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") ==
               CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
           guarded(h, c, errbuf) &&
           curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_WRITEDATA, c) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_USERAGENT, "Proofline") == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK &&
           (rq->body == NULL ||
            (curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body) == CURLE_OK &&
             curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                              (curl_off_t)rq->body_len) == CURLE_OK));
}

enum app_err
fetch(struct arena *a, const struct fetch_policy *p,
      const struct fetch_request *rq, struct fetch_result *out)
{
    struct call c;
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h;
    CURLcode rc;
    size_t i;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    c.a = a;
    c.p = p;
    c.max = p->max_response > 0 && p->max_response < FETCH_RESPONSE_MAX
                ? p->max_response
                : FETCH_RESPONSE_MAX;
    c.body = arena_alloc(a, c.max + 1);
    if (c.body == NULL)
        return APP_ENOMEM;
    out->body = c.body;
    c.body[0] = '\0';
    out->err = check_url(&c, rq->url, false, &out->detail);
    if (out->err != FETCH_OK)
        return APP_OK;
    for (i = 0; i < FETCH_HEADERS_MAX && rq->headers[i] != NULL; i++) {
        struct curl_slist *n = curl_slist_append(hdrs, rq->headers[i]);

        if (n == NULL) {
            curl_slist_free_all(hdrs);
            return APP_ENOMEM;
        }
        hdrs = n;
    }
    h = curl_easy_init();
    if (h == NULL || !setup(h, &c, rq, hdrs, errbuf)) {
        curl_easy_cleanup(h);
        curl_slist_free_all(hdrs);
        return APP_EINTERNAL;
    }
    rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    c.body[c.len] = '\0';
    out->body_len = c.len;
    out->truncated = c.truncated;
    out->err = c.refused != NULL ? FETCH_REFUSED : classify(rc);
    out->detail = c.refused != NULL   ? c.refused
                  : rc == CURLE_OK    ? NULL
                  : errbuf[0] != '\0' ? arena_strdup(a, errbuf)
                                      : curl_easy_strerror(rc);
    return APP_OK;
}

/* What curl reads as the message. */
struct upload {
    const char *p;
    size_t left;
};

static size_t
on_read(char *buf, size_t size, size_t n, void *userp)
{
    struct upload *u = userp;
    size_t len = size * n < u->left ? size * n : u->left;

    memcpy(buf, u->p, len);
    u->p += len;
    u->left -= len;
    return len;
}

/* The options of a mail: the guarded socket, TLS (STARTTLS on smtp://,
 * required unless the server is allow-listed), the envelope. */
static bool
mail_setup(CURL *h, struct call *c, const struct fetch_mail_request *rq,
           struct curl_slist *rcpt, struct upload *up, char *errbuf)
{
    return curl_easy_setopt(h, CURLOPT_URL, rq->url) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps") ==
               CURLE_OK &&
           /* TLS required (STARTTLS on smtp://), except to a server the
            * installation allow-lists by address (a relay next door). */
           curl_easy_setopt(h, CURLOPT_USE_SSL,
                            c->host_allowed ? CURLUSESSL_TRY
                                            : CURLUSESSL_ALL) == CURLE_OK &&
           guarded(h, c, errbuf) &&
           (rq->user == NULL || rq->user[0] == '\0' ||
            (curl_easy_setopt(h, CURLOPT_USERNAME, rq->user) == CURLE_OK &&
             curl_easy_setopt(h, CURLOPT_PASSWORD,
                              rq->password != NULL ? rq->password : "") ==
                 CURLE_OK)) &&
           curl_easy_setopt(h, CURLOPT_MAIL_FROM, rq->from) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_READDATA, up) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                            (curl_off_t)up->left) == CURLE_OK;
}

enum app_err
fetch_mail(struct arena *a, const struct fetch_policy *p,
           const struct fetch_mail_request *rq, struct fetch_result *out)
{
    struct call c;
    struct upload up = { rq->message, rq->message_len };
    struct curl_slist *rcpt = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h;
    CURLcode rc;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    c.a = a;
    c.p = p;
    out->body = "";
    out->err = check_url(&c, rq->url, true, &out->detail);
    if (out->err != FETCH_OK)
        return APP_OK;
    rcpt = curl_slist_append(NULL, rq->to);
    if (rcpt == NULL)
        return APP_ENOMEM;
    h = curl_easy_init();
    if (h == NULL || !mail_setup(h, &c, rq, rcpt, &up, errbuf)) {
        curl_easy_cleanup(h);
        curl_slist_free_all(rcpt);
        return APP_EINTERNAL;
    }
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
    out->err = c.refused != NULL ? FETCH_REFUSED : classify(rc);
    out->detail = c.refused != NULL   ? c.refused
                  : rc == CURLE_OK    ? NULL
                  : errbuf[0] != '\0' ? arena_strdup(a, errbuf)
                                      : curl_easy_strerror(rc);
    return APP_OK;
}

/*
 * fetch_test.c -- the outgoing HTTP client against a receiver on loopback
 * (the only address a test ever connects to): inside addresses refused in
 * every spelling before any connection, names that resolve inside refused
 * at connect, an allow-listed receiver reached; no redirects, capped
 * responses, timeouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "net/fetch.h"

/* The receiver: answers each connection with `reply` (or not at all when
 * `silent`), records the last request. */
struct receiver {
    int fd;
    int port;
    const char *reply;
    size_t reply_len;
    int silent;
    int connections;
    char request[4096];
    pthread_t thread;
    pthread_mutex_t mu;
};

static struct receiver rx;

static void *
serve(void *arg)
{
    struct receiver *r = arg;

    for (;;) {
        char buf[4096];
        size_t got = 0;
        int c = accept(r->fd, NULL, NULL);

        if (c < 0)
            return NULL;
        pthread_mutex_lock(&r->mu);
        r->connections++;
        pthread_mutex_unlock(&r->mu);
        /* Read the head and a short body (the tests send little). */
        while (got < sizeof(buf) - 1) {
            struct pollfd p = { c, POLLIN, 0 };
            ssize_t n;

            if (poll(&p, 1, 200) <= 0)
                break;
            n = read(c, buf + got, sizeof(buf) - 1 - got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        buf[got] = '\0';
        pthread_mutex_lock(&r->mu);
        memcpy(r->request, buf, got + 1);
        pthread_mutex_unlock(&r->mu);
        if (!r->silent) {
            size_t off = 0;

            while (off < r->reply_len) {
                ssize_t n = write(c, r->reply + off, r->reply_len - off);

                if (n <= 0)
                    break;
                off += (size_t)n;
            }
        } else {
            struct pollfd p = { c, POLLIN, 0 };

            poll(&p, 1, 8000); /* hold it until the client gives up */
        }
        close(c);
    }
}

static int
setup(void **state)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;

    (void)state;
    memset(&rx, 0, sizeof(rx));
    pthread_mutex_init(&rx.mu, NULL);
    rx.fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(rx.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(rx.fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(rx.fd, 16) != 0 ||
        getsockname(rx.fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    rx.port = ntohs(a.sin_port);
    if (fetch_init() != APP_OK)
        return -1;
    return pthread_create(&rx.thread, NULL, serve, &rx);
}

static int
connections(void)
{
    int n;

    pthread_mutex_lock(&rx.mu);
    n = rx.connections;
    pthread_mutex_unlock(&rx.mu);
    return n;
}

static void
reply(const char *text)
{
    rx.reply = text;
    rx.reply_len = strlen(text);
    rx.silent = 0;
}

static struct fetch_result
get(struct arena *a, const struct fetch_policy *p, const char *fmt)
{
    struct fetch_request rq;
    struct fetch_result out;
    char url[256];

    memset(&rq, 0, sizeof(rq));
    {
        /* fmt holds one "%d" for the port. */
        const char *at = strstr(fmt, "%d");

        assert_non_null(at);
        snprintf(url, sizeof(url), "%.*s%d%s", (int)(at - fmt), fmt, rx.port,
                 at + 2);
    }
    rq.url = url;
    rq.body = "{\"x\":1}";
    rq.body_len = 7;
    rq.headers[0] = "Content-Type: application/json";
    rq.headers[1] = "X-Test: yes";
    assert_int_equal(fetch(a, p, &rq, &out), APP_OK);
    return out;
}

/* Inside addresses in every spelling: refused, the receiver never sees a
 * connection. */
static void
test_refused_before_connecting(void **state)
{
    static const char *const urls[] = {
        "http://127.0.0.1:%d/",       "http://2130706433:%d/",
        "http://0x7f.1:%d/",          "http://017700000001:%d/",
        "http://127.1:%d/",           "https://127.0.0.1:%d/",
        "http://[::1]:%d/",           "http://[::ffff:127.0.0.1]:%d/",
        "http://[::ffff:7f00:1]:%d/",
    };
    struct arena *a = arena_new(64 * 1024, 1 << 20);
    struct fetch_policy p = { NULL, 0, 1000, 0 };
    size_t i;
    int before = connections();

    (void)state;
    reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        struct fetch_result r = get(a, &p, urls[i]);

        if (r.err != FETCH_REFUSED)
            fail_msg("%s: %s (%s)", urls[i], fetch_err_name(r.err),
                     r.detail ? r.detail : "");
        assert_non_null(strstr(r.detail, "loopback"));
    }
    assert_int_equal(connections(), before);
    arena_free(a);
}

/* A name that resolves to loopback is refused at connect. */
static void
test_name_resolving_inside(void **state)
{
    struct fetch_policy p = { NULL, 0, 1000, 0 };
    struct addrinfo *ai = NULL, hints;
    struct fetch_result r;
    struct arena *a;
    int before = connections();

    (void)state;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo("localhost", NULL, &hints, &ai) != 0) {
        skip(); /* no /etc/hosts on this machine: nothing resolves */
        return;
    }
    freeaddrinfo(ai);
    a = arena_new(64 * 1024, 1 << 20);
    r = get(a, &p, "http://localhost:%d/");
    assert_int_equal(r.err, FETCH_REFUSED);
    assert_non_null(strstr(r.detail, "loopback"));
    assert_int_equal(connections(), before);
    arena_free(a);
}

static void
test_allow_listed_receiver(void **state)
{
    struct arena *a = arena_new(64 * 1024, 1 << 20);
    struct netaddr_cidr allow;
    struct fetch_policy p = { &allow, 1, 2000, 0 };
    struct fetch_result r;

    (void)state;
    assert_true(netaddr_parse_cidr(str_c("127.0.0.1"), &allow));
    reply("HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello");
    r = get(a, &p, "http://127.0.0.1:%d/hook");
    assert_int_equal(r.err, FETCH_OK);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "hello");
    pthread_mutex_lock(&rx.mu);
    assert_non_null(strstr(rx.request, "POST /hook HTTP/1.1"));
    assert_non_null(strstr(rx.request, "X-Test: yes"));
    assert_non_null(strstr(rx.request, "{\"x\":1}"));
    pthread_mutex_unlock(&rx.mu);
    /* Another loopback address is still refused. */
    r = get(a, &p, "http://127.0.0.2:%d/");
    assert_int_equal(r.err, FETCH_REFUSED);
    arena_free(a);
}

static void
test_no_redirects_capped_and_timeouts(void **state)
{
    struct arena *a = arena_new(256 * 1024, 4 << 20);
    struct netaddr_cidr allow;
    struct fetch_policy p = { &allow, 1, 2000, 1000 };
    struct fetch_result r;
    char *big;
    int before;

    (void)state;
    assert_true(netaddr_parse_cidr(str_c("127.0.0.0/8"), &allow));
    /* A redirect is an answer, not followed. */
    reply("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\n"
          "Content-Length: 0\r\n\r\n");
    before = connections();
    r = get(a, &p, "http://127.0.0.1:%d/");
    assert_int_equal(r.err, FETCH_OK);
    assert_int_equal(r.status, 302);
    assert_int_equal(connections(), before + 1);
    /* A long answer is cut at the cap. */
    big = malloc(20000);
    assert_non_null(big);
    {
        static const char head[] =
            "HTTP/1.1 200 OK\r\nContent-Length: 19000\r\n\r\n";

        memcpy(big, head, sizeof(head) - 1);
        memset(big + sizeof(head) - 1, 'x', 19000);
        big[sizeof(head) - 1 + 19000] = '\0';
    }
    reply(big);
    r = get(a, &p, "http://127.0.0.1:%d/");
    if (r.status != 200)
        fail_msg("%s: %s", fetch_err_name(r.err), r.detail ? r.detail : "");
    assert_true(r.truncated);
    assert_int_equal(r.body_len, 1000);
    /* Silence: a timeout. */
    rx.silent = 1;
    p.timeout_ms = 300;
    r = get(a, &p, "http://127.0.0.1:%d/");
    assert_int_equal(r.err, FETCH_TIMEOUT);
    rx.silent = 0;
    /* Other schemes and junk. */
    r = get(a, &p, "ftp://127.0.0.1:%d/");
    assert_int_equal(r.err, FETCH_BAD_URL);
    r = get(a, &p, "not a url %d");
    assert_int_equal(r.err, FETCH_BAD_URL);
    free(big);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_before_connecting),
        cmocka_unit_test(test_name_resolving_inside),
        cmocka_unit_test(test_allow_listed_receiver),
        cmocka_unit_test(test_no_redirects_capped_and_timeouts),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}

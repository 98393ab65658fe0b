/*
 * netaddr_test.c -- the outgoing-request address check: every spelling of
 * an inside address is refused, public ones pass, CIDRs parse strictly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "base/netaddr.h"

struct judge_row {
    const char *in;
    const char *want; /* NULL: public; "-": not an address literal */
};

static const struct judge_row judge_rows[] = {
    /* loopback, in every spelling a resolver accepts */
    { "127.0.0.1", "loopback" },
    { "127.255.255.254", "loopback" },
    { "127.1", "loopback" },
    { "2130706433", "loopback" },
    { "0x7f.1", "loopback" },
    { "0x7F000001", "loopback" },
    { "017700000001", "loopback" },
    { "0177.0.0.1", "loopback" },
    { "127.0.1", "loopback" },
    { "::1", "loopback" },
    { "[::1]", "loopback" },
    { "::ffff:127.0.0.1", "loopback" },
    { "[::ffff:127.0.0.1]", "loopback" },
    { "::ffff:7f00:1", "loopback" },
    { "::127.0.0.1", "loopback" },
    { "64:ff9b::127.0.0.1", "loopback" },
    { "2002:7f00:1::", "loopback" },
    /* private, CGNAT, link-local, metadata */
    { "10.0.0.1", "private" },
    { "10.255.255.255", "private" },
    { "167772161", "private" },
    { "172.16.0.1", "private" },
    { "172.31.255.255", "private" },
    { "192.168.1.1", "private" },
    { "::ffff:192.168.0.1", "private" },
    { "fc00::1", "private" },
    { "fd12:3456::1", "private" },
    { "fec0::1", "private" },
    { "64:ff9b:1::1", "private" },
    { "100.64.0.1", "cgnat" },
    { "100.127.255.255", "cgnat" },
    { "169.254.0.1", "link_local" },
    { "fe80::1", "link_local" },
    { "fe80::1%eth0", "link_local" },
    { "[fe80::1%25eth0]", "link_local" },
    { "169.254.169.254", "metadata" },
    { "0xa9.0xfe.0xa9.0xfe", "metadata" },
    { "::ffff:169.254.169.254", "metadata" },
    { "100.100.100.200", "metadata" },
    { "fd00:ec2::254", "metadata" },
    /* the rest of the special blocks */
    { "0.0.0.0", "unspecified" },
    { "0", "unspecified" },
    { "0.1.2.3", "unspecified" },
    { "::", "unspecified" },
    { "224.0.0.1", "multicast" },
    { "239.255.255.250", "multicast" },
    { "ff02::1", "multicast" },
    { "255.255.255.255", "broadcast" },
    { "240.0.0.1", "reserved" },
    { "192.0.2.1", "reserved" },
    { "198.18.0.1", "reserved" },
    { "2001:db8::1", "reserved" },
    { "100::1", "reserved" },
    { "4000::1", "reserved" },
    /* public */
    { "8.8.8.8", NULL },
    { "1.1.1.1", NULL },
    { "172.32.0.1", NULL },
    { "172.15.255.255", NULL },
    { "100.63.255.255", NULL },
    { "100.128.0.1", NULL },
    { "169.253.255.255", NULL },
    { "192.169.0.1", NULL },
    { "223.255.255.255", NULL },
    { "134744072", NULL }, /* 8.8.8.8 */
    { "2606:4700:4700::1111", NULL },
    { "::ffff:8.8.8.8", NULL },
    { "2002:0808:0808::1", NULL },
    /* not address literals (host names, malformed) */
    { "", "-" },
    { "localhost", "-" },
    { "example.com", "-" },
    { "127.0.0.1.", "-" },
    { ".127.0.0.1", "-" },
    { "127..1", "-" },
    { "1.2.3.4.5", "-" },
    { "256.0.0.1", "-" },
    { "1.2.3.256", "-" },
    { "1.16777216", "-" },
    { "4294967296", "-" },
    { "0x", "-" },
    { "08", "-" },
    { "0x1g", "-" },
    { "1 2", "-" },
    { "-1", "-" },
    { "[::1", "-" },
    { "::1]", "-" },
    { "1:2:3:4:5:6:7:8:9", "-" },
    { "fe80::1%", "-" },
    { "gggg::1", "-" },
};

static void
test_judgement(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(judge_rows) / sizeof(judge_rows[0]); i++) {
        const struct judge_row *row = &judge_rows[i];
        struct netaddr a;
        bool ok = netaddr_parse(str_c(row->in), &a);

        if (row->want != NULL && strcmp(row->want, "-") == 0) {
            if (ok)
                fail_msg("%s: parsed, should not", row->in);
            continue;
        }
        if (!ok)
            fail_msg("%s: not parsed", row->in);
        if (row->want == NULL && netaddr_forbidden(&a) != NULL)
            fail_msg("%s: %s, should be public", row->in,
                     netaddr_forbidden(&a));
        if (row->want != NULL &&
            (netaddr_forbidden(&a) == NULL ||
             strcmp(netaddr_forbidden(&a), row->want) != 0))
            fail_msg("%s: %s, want %s", row->in,
                     netaddr_forbidden(&a) ? netaddr_forbidden(&a) : "public",
                     row->want);
    }
}

/* Every address of each inside block is refused, not only the examples:
 * walk the IPv4 blocks' edges and a stride through them. */
static void
test_whole_ranges(void **state)
{
    static const struct {
        uint32_t first, last;
    } inside[] = {
        { 0x00000000u, 0x00ffffffu }, { 0x0a000000u, 0x0affffffu },
        { 0x64400000u, 0x647fffffu }, { 0x7f000000u, 0x7fffffffu },
        { 0xa9fe0000u, 0xa9feffffu }, { 0xac100000u, 0xac1fffffu },
        { 0xc0a80000u, 0xc0a8ffffu }, { 0xe0000000u, 0xffffffffu },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
        uint64_t x;

        for (x = inside[i].first; x <= inside[i].last; x += 4093) {
            struct netaddr a = { .family = 4 };

            a.b[0] = (uint8_t)(x >> 24);
            a.b[1] = (uint8_t)(x >> 16);
            a.b[2] = (uint8_t)(x >> 8);
            a.b[3] = (uint8_t)x;
            assert_non_null(netaddr_forbidden(&a));
            /* And the same inside IPv4-mapped IPv6. */
            memmove(a.b + 12, a.b, 4);
            memset(a.b, 0, 10);
            a.b[10] = a.b[11] = 0xff;
            a.family = 6;
            assert_non_null(netaddr_forbidden(&a));
        }
        {
            struct netaddr a = { .family = 4 };

            a.b[0] = (uint8_t)(inside[i].last >> 24);
            a.b[1] = (uint8_t)(inside[i].last >> 16);
            a.b[2] = (uint8_t)(inside[i].last >> 8);
            a.b[3] = (uint8_t)inside[i].last;
            assert_non_null(netaddr_forbidden(&a));
        }
    }
}

static void
test_sockaddr(void **state)
{
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct netaddr a;

    (void)state;
    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(0x7f000001u);
    assert_true(netaddr_from_sockaddr((struct sockaddr *)&in, sizeof(in), &a));
    assert_string_equal(netaddr_forbidden(&a), "loopback");
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr), 1);
    assert_true(
        netaddr_from_sockaddr((struct sockaddr *)&in6, sizeof(in6), &a));
    assert_string_equal(netaddr_forbidden(&a), "private");
    assert_false(netaddr_from_sockaddr((struct sockaddr *)&in, 4, &a));
}

static void
test_cidr(void **state)
{
    struct netaddr_cidr c;
    struct netaddr a;
    char text[64];

    (void)state;
    assert_true(netaddr_parse_cidr(str_c("127.0.0.1"), &c));
    assert_int_equal(c.bits, 32);
    assert_true(netaddr_parse(str_c("127.0.0.1"), &a));
    assert_true(netaddr_in(&a, &c));
    assert_true(netaddr_parse(str_c("::ffff:127.0.0.1"), &a));
    assert_true(netaddr_in(&a, &c));
    assert_true(netaddr_parse(str_c("127.0.0.2"), &a));
    assert_false(netaddr_in(&a, &c));
    assert_true(netaddr_parse_cidr(str_c("10.1.0.0/16"), &c));
    assert_true(netaddr_parse(str_c("10.1.255.3"), &a));
    assert_true(netaddr_in(&a, &c));
    assert_true(netaddr_parse(str_c("10.2.0.1"), &a));
    assert_false(netaddr_in(&a, &c));
    assert_true(netaddr_parse_cidr(str_c("fd00::/8"), &c));
    assert_true(netaddr_parse(str_c("fd12::1"), &a));
    assert_true(netaddr_in(&a, &c));
    assert_true(netaddr_parse_cidr(str_c("0.0.0.0/0"), &c));
    /* Bits below the prefix, bad lengths, junk. */
    assert_false(netaddr_parse_cidr(str_c("10.1.0.1/16"), &c));
    assert_false(netaddr_parse_cidr(str_c("10.0.0.0/33"), &c));
    assert_false(netaddr_parse_cidr(str_c("10.0.0.0/"), &c));
    assert_false(netaddr_parse_cidr(str_c("10.0.0.0/08"), &c));
    assert_false(netaddr_parse_cidr(str_c("::/129"), &c));
    assert_false(netaddr_parse_cidr(str_c("host/8"), &c));
    netaddr_format(&c.net, text, sizeof(text));
    assert_true(netaddr_parse(str_c("::ffff:1.2.3.4"), &a));
    netaddr_format(&a, text, sizeof(text));
    assert_string_equal(text, "::ffff:1.2.3.4");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_judgement),
        cmocka_unit_test(test_whole_ranges),
        cmocka_unit_test(test_sockaddr),
        cmocka_unit_test(test_cidr),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

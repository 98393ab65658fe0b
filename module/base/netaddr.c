/*
 * netaddr.c -- parsing and judging IP addresses (netaddr.h).
 */
#include "base/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* One special-purpose block (RFC 6890 and the clouds' metadata
 * addresses); the first match wins, so narrow blocks come first. */
struct block {
    uint8_t net[16];
    unsigned bits;
    const char *what;
};

static const struct block V4[] = {
    { { 169, 254, 169, 254 }, 32, "metadata" }, /* AWS, GCP, Azure, ... */
    { { 100, 100, 100, 200 }, 32, "metadata" }, /* Alibaba Cloud */
    { { 255, 255, 255, 255 }, 32, "broadcast" },
    { { 0 }, 8, "unspecified" }, /* "this network" */
    { { 10 }, 8, "private" },
    { { 100, 64 }, 10, "cgnat" },
    { { 127 }, 8, "loopback" },
    { { 169, 254 }, 16, "link_local" },
    { { 172, 16 }, 12, "private" },
    { { 192, 0, 0 }, 24, "reserved" },   /* protocol assignments */
    { { 192, 0, 2 }, 24, "reserved" },   /* documentation */
    { { 192, 88, 99 }, 24, "reserved" }, /* 6to4 relay anycast */
    { { 192, 168 }, 16, "private" },
    { { 198, 18 }, 15, "reserved" },      /* benchmarking */
    { { 198, 51, 100 }, 24, "reserved" }, /* documentation */
    { { 203, 0, 113 }, 24, "reserved" },  /* documentation */
    { { 224 }, 4, "multicast" },
    { { 240 }, 4, "reserved" },
};

static const struct block V6[] = {
    { { 0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54 },
      128,
      "metadata" }, /* fd00:ec2::254 */
    { { 0 }, 128, "unspecified" },
    { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128, "loopback" },
    { { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, "private" }, /* NAT64 */
    { { 0x01, 0x00 }, 64, "reserved" },             /* discard-only */
    { { 0x20, 0x01, 0x0d, 0xb8 }, 32, "reserved" }, /* documentation */
    { { 0x20, 0x01 }, 23, "reserved" },             /* protocol assignments */
    { { 0xfc }, 7, "private" },                     /* unique local */
    { { 0xfe, 0x80 }, 10, "link_local" },
    { { 0xfe, 0xc0 }, 10, "private" }, /* site-local (old) */
    { { 0xff }, 8, "multicast" },
};

static bool
prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;

    if (memcmp(a, b, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* One part of an inet_aton address: decimal, 0-octal or 0x-hex. */
static bool
aton_part(const char *p, size_t n, uint32_t max, uint32_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    size_t i = 0;

    if (n == 0)
        return false;
    if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        i = 2;
        if (n == 2)
            return false;
    } else if (n >= 2 && p[0] == '0') {
        base = 8;
        i = 1;
    }
    for (; i < n; i++) {
        unsigned d;
        char c = p[i];

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (d >= base)
            return false;
        v = v * base + d;
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool
parse_v4(struct str s, struct netaddr *out)
{
    uint32_t part[4], v;
    size_t n = 0, start = 0, i;

    for (i = 0; i <= s.len; i++) {
        if (i < s.len && s.p[i] != '.')
            continue;
        if (n == 4 || !aton_part(s.p + start, i - start, UINT32_MAX, &part[n]))
            return false;
        n++;
        start = i + 1;
    }
    /* The last part fills the bits the others leave: a, a.b (8.24),
     * a.b.c (8.8.16), a.b.c.d. */
    for (i = 0; i + 1 < n; i++) {
        if (part[i] > 255)
            return false;
    }
    if (n == 2 && part[1] > 0xffffff)
        return false;
    if (n == 3 && part[2] > 0xffff)
        return false;
    if (n == 4 && part[3] > 255)
        return false;
    v = n == 1   ? part[0]
        : n == 2 ? (part[0] << 24) | part[1]
        : n == 3 ? (part[0] << 24) | (part[1] << 16) | part[2]
                 : (part[0] << 24) | (part[1] << 16) | (part[2] << 8) | part[3];
    memset(out, 0, sizeof(*out));
    out->family = 4;
    out->b[0] = (uint8_t)(v >> 24);
    out->b[1] = (uint8_t)(v >> 16);
    out->b[2] = (uint8_t)(v >> 8);
    out->b[3] = (uint8_t)v;
    return true;
}

static bool
parse_v6(struct str s, struct netaddr *out)
{
    char text[INET6_ADDRSTRLEN + 1];
    const char *zone;
    size_t n = s.len;

    if (n >= 2 && s.p[0] == '[' && s.p[n - 1] == ']') {
        s.p++;
        n -= 2;
    }
    zone = memchr(s.p, '%', n);
    if (zone != NULL) {
        if ((size_t)(zone - s.p) == n - 1)
            return false; /* an empty zone */
        n = (size_t)(zone - s.p);
    }
    if (n == 0 || n >= sizeof(text) || memchr(s.p, ':', n) == NULL)
        return false;
    memcpy(text, s.p, n);
    text[n] = '\0';
    memset(out, 0, sizeof(*out));
    out->family = 6;
    return inet_pton(AF_INET6, text, out->b) == 1;
}

bool
netaddr_parse(struct str s, struct netaddr *out)
{
    if (s.p == NULL || s.len == 0 || s.len > 64)
        return false;
    if (memchr(s.p, ':', s.len) != NULL)
        return parse_v6(s, out);
    return parse_v4(s, out);
}

bool
netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
                      struct netaddr *out)
{
    memset(out, 0, sizeof(*out));
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET &&
        len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in =
            (const struct sockaddr_in *)(const void *)sa;

        out->family = 4;
        memcpy(out->b, &in->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6 &&
        len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 =
            (const struct sockaddr_in6 *)(const void *)sa;

        out->family = 6;
        memcpy(out->b, &in6->sin6_addr, 16);
        return true;
    }
    return false;
}

static const char *
judge_v4(const uint8_t *b)
{
    size_t i;

    for (i = 0; i < sizeof(V4) / sizeof(V4[0]); i++) {
        if (prefix_eq(b, V4[i].net, V4[i].bits))
            return V4[i].what;
    }
    return NULL;
}

/* The IPv4 address an IPv6 address carries, if any: mapped
 * (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d),
 * 6to4 (2002:AABB:CCDD::). */
static const uint8_t *
embedded_v4(const uint8_t *b)
{
    static const uint8_t mapped[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };
    static const uint8_t compat[12] = { 0 };
    static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return b + 12;
    /* :: and ::1 are themselves, not 0.0.0.0 and 0.0.0.1. */
    if (memcmp(b, compat, 12) == 0 && (b[12] | b[13] | b[14]) != 0)
        return b + 12;
    if (b[0] == 0x20 && b[1] == 0x02)
        return b + 2;
    return NULL;
}

const char *
netaddr_forbidden(const struct netaddr *a)
{
    const uint8_t *v4;
    size_t i;

    if (a->family == 4)
        return judge_v4(a->b);
    if (a->family != 6)
        return "reserved";
    v4 = embedded_v4(a->b);
    if (v4 != NULL)
        return judge_v4(v4);
    for (i = 0; i < sizeof(V6) / sizeof(V6[0]); i++) {
        if (prefix_eq(a->b, V6[i].net, V6[i].bits))
            return V6[i].what;
    }
    /* Global unicast is 2000::/3; the rest is not assigned. */
    return (a->b[0] & 0xe0) == 0x20 ? NULL : "reserved";
}

bool
netaddr_parse_cidr(struct str s, struct netaddr_cidr *out)
{
    const char *slash = s.p != NULL ? memchr(s.p, '/', s.len) : NULL;
    struct str addr = s;
    uint32_t bits;
    unsigned max;
    size_t i;

    if (slash != NULL)
        addr.len = (size_t)(slash - s.p);
    if (!netaddr_parse(addr, &out->net))
        return false;
    max = out->net.family == 4 ? 32 : 128;
    bits = max;
    if (slash != NULL) {
        size_t n = s.len - addr.len - 1;

        if (n == 0 || n > 3 || (n > 1 && slash[1] == '0') ||
            !aton_part(slash + 1, n, max, &bits))
            return false;
    }
    out->bits = bits;
    /* No bits below the prefix. */
    for (i = 0; i < (max / 8); i++) {
        size_t at = i * 8;
        size_t keep = bits >= at + 8 ? 8 : bits > at ? bits - at : 0;
        uint8_t mask = (uint8_t)(keep == 8 ? 0xffu : 0xffu << (8 - keep));

        if ((out->net.b[i] & (uint8_t)~mask) != 0)
            return false;
    }
    return true;
}

bool
netaddr_in(const struct netaddr *a, const struct netaddr_cidr *c)
{
    const uint8_t *b = a->b;
    int family = a->family;

    if (family == 6 && c->net.family == 4) {
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff };

        if (memcmp(a->b, mapped, 12) != 0)
            return false;
        b = a->b + 12;
        family = 4;
    }
    return family == c->net.family && prefix_eq(b, c->net.b, c->bits);
}

void
netaddr_format(const struct netaddr *a, char *out, size_t cap)
{
    if (cap == 0)
        return;
    if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, out,
                  (socklen_t)cap) == NULL)
        out[0] = '\0';
}

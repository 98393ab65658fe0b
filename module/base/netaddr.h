/*
 * netaddr.h -- IP addresses as an outgoing request must judge them.
 *
 * Webhooks, chat robots and verifiers call URLs a tenant configures, so a
 * URL may point inside the server's network (server-side request
 * forgery).  Two checks, one judgement: a URL's host when it is an
 * address literal, in every spelling a resolver accepts ("127.1",
 * "2130706433", "0x7f.1", "[::ffff:127.0.0.1]"), and the address actually
 * connected to (a name that resolves inside is caught there, with no
 * window between check and use).
 *
 * netaddr_forbidden() names the class of a non-public address: loopback,
 * private, link-local, carrier-grade NAT, multicast, cloud metadata,
 * unspecified, broadcast or reserved (documentation, benchmarking,
 * protocol assignments, outside the global unicast space).  IPv6 that
 * carries an IPv4 address (mapped, compatible, NAT64, 6to4) is judged by
 * that IPv4 address.  Nothing here opens a connection or resolves a name.
 */
#ifndef PROOFLINE_NETADDR_H
#define PROOFLINE_NETADDR_H

#include <stdbool.h>
#include <stdint.h>

#include <sys/socket.h>

#include "base/str.h"

struct netaddr {
    int family;    /* 4 or 6 */
    uint8_t b[16]; /* network order; IPv4 in b[0..3] */
};

struct netaddr_cidr {
    struct netaddr net;
    unsigned bits; /* prefix length: 0..32 or 0..128 */
};

/* An address literal as a resolver reads it: IPv4 in inet_aton's forms
 * (one to four parts, each decimal, octal with a leading 0 or hex with
 * 0x), IPv6 with or without brackets (a zone "%eth0" is accepted and
 * ignored).  False for anything else, a host name included. */
bool netaddr_parse(struct str s, struct netaddr *out);

/* The address of a socket address (AF_INET, AF_INET6); false otherwise. */
bool netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
                           struct netaddr *out);

/* NULL for a public unicast address, else its class: "loopback",
 * "private", "link_local", "cgnat", "multicast", "metadata",
 * "unspecified", "broadcast", "reserved". */
const char *netaddr_forbidden(const struct netaddr *a);

/* "10.1.0.0/16", "fd00::/8", or one address (a /32 or /128); the bits
 * below the prefix must be zero.  False when malformed. */
bool netaddr_parse_cidr(struct str s, struct netaddr_cidr *out);

/* a is inside c (same family; an IPv4-mapped IPv6 address counts as its
 * IPv4 address). */
bool netaddr_in(const struct netaddr *a, const struct netaddr_cidr *c);

/* The address as text ("127.0.0.1", "::1") into out (at least 46 bytes). */
void netaddr_format(const struct netaddr *a, char *out, size_t cap);

#endif

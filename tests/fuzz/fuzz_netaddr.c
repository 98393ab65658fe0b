/*
 * fuzz_netaddr.c -- libFuzzer target for netaddr_parse(), the judgement
 * and CIDRs.
 *
 * The input is copied to a buffer of exactly its size.  An IPv4 literal
 * that parses must be what glibc's inet_aton() reads (the resolver's
 * reading, which the check must not under-read); any parsed address
 * formats and parses back to itself; an IPv4 address and its IPv4-mapped
 * IPv6 form get the same judgement; a CIDR contains its own network.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_parse(const char *in, size_t n)
{
    struct netaddr a, back, mapped;
    char text[64], z[80];
    struct in_addr ia;
    const char *j1, *j2;

    if (!netaddr_parse((struct str){ in, n }, &a))
        return;
    if (a.family == 4) {
        if (n >= sizeof(z) || memchr(in, '\0', n) != NULL)
            abort();
        memcpy(z, in, n);
        z[n] = '\0';
        if (inet_aton(z, &ia) == 0 || memcmp(&ia, a.b, 4) != 0)
            abort();
        memset(&mapped, 0, sizeof(mapped));
        mapped.family = 6;
        mapped.b[10] = mapped.b[11] = 0xff;
        memcpy(mapped.b + 12, a.b, 4);
        j1 = netaddr_forbidden(&a);
        j2 = netaddr_forbidden(&mapped);
        if ((j1 == NULL) != (j2 == NULL) || (j1 != NULL && strcmp(j1, j2) != 0))
            abort();
    } else if (a.family != 6) {
        abort();
    }
    netaddr_format(&a, text, sizeof(text));
    if (!netaddr_parse(str_c(text), &back) || back.family != a.family ||
        memcmp(back.b, a.b, 16) != 0)
        abort();
}

static void
check_cidr(const char *in, size_t n)
{
    struct netaddr_cidr c;

    if (!netaddr_parse_cidr((struct str){ in, n }, &c))
        return;
    if (c.bits > (c.net.family == 4 ? 32u : 128u) || !netaddr_in(&c.net, &c))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size > 0 ? size : 1);

    if (copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    check_parse(copy, size);
    check_cidr(copy, size);
    free(copy);
    return 0;
}

/*
 * fuzz_hanzi.c -- libFuzzer target for hanzi.c, what a dictated note and
 * customer names go through before matching.  Whatever the input: the
 * folded text is valid UTF-8 without ASCII punctuation or spaces and
 * within its buffer; the name's parts lie inside the folded name in
 * order; initials are lower-case letters and digits, or empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hanzi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct str in = { (const char *)data, size };
    char folded[512], ini[128];
    struct hanzi_name p;
    size_t n = hanzi_fold(in, folded, sizeof(folded)), i;
    struct str f = { folded, n };

    if (n >= sizeof(folded) || folded[n] != '\0' || !utf8_valid(folded, n))
        abort();
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)folded[i];

        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            abort();
    }
    hanzi_name_parts(f, &p);
    if (p.nocity.p < folded || p.nocity.p + p.nocity.len > folded + n ||
        p.core.p != p.nocity.p || p.core.len > p.nocity.len ||
        p.core.len + p.suffix.len != p.nocity.len ||
        (p.city.len > 0 && p.city.p + p.city.len > p.nocity.p))
        abort();
    (void)hanzi_suffix_start(f);
    if (hanzi_city_suffix_len(f) > n)
        abort();
    if (hanzi_initials(in, ini, sizeof(ini))) {
        for (i = 0; ini[i] != '\0'; i++)
            if (!((ini[i] >= 'a' && ini[i] <= 'z') ||
                  (ini[i] >= '0' && ini[i] <= '9')))
                abort();
    } else if (ini[0] != '\0') {
        abort();
    }
    return 0;
}

/*
 * fuzz_tmpl.c -- libFuzzer target for the Mustache engine (STYLE §18).
 *
 * Input: templates, then optionally a NUL byte and JSON data.  The template
 * part is split at \x01 bytes into up to four templates named "a" to "d",
 * so that partials, parents and blocks (including recursive ones) can refer
 * to each other.  Without valid JSON a fixed data object is used.  "a" is
 * rendered with small limits, so the output limit, out's own maximum and
 * the depth limit are all reached often; the set is also checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NTMPL 4

static const char default_json[] =
    "{\"a\":[1,2,{\"b\":\"x<y\"}],\"b\":true,\"c\":{\"d\":1.5,\"e\":\"\"},"
    "\"n\":{\"n\":{\"n\":0}},\"s\":\"'&\\\"\",\"z\":0,\"l\":[[1],[]]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[NTMPL] = { "a", "b", "c", "d" };
    const char *p = (const char *)data;
    const char *nul = memchr(p, '\0', size);
    size_t tlen = nul != NULL ? (size_t)(nul - p) : size;
    struct tmpl_limits lim = { size % 2 == 0 ? 2048 : 4096, 16 };
    struct tmpl_set *set = tmpl_set_new();
    cJSON *json = NULL;
    struct buf out;
    char err[256];
    size_t i, off = 0;

    if (set == NULL)
        return 0;
    if (nul != NULL)
        json = cJSON_ParseWithLength(nul + 1, size - tlen - 1);
    if (json == NULL)
        json = cJSON_Parse(default_json);
    for (i = 0; i < NTMPL && off <= tlen; i++) {
        const char *sep = memchr(p + off, '\x01', tlen - off);
        size_t n = sep != NULL ? (size_t)(sep - (p + off)) : tlen - off;

        app_ignore(tmpl_set_add(set, names[i], p + off, n, err, sizeof(err)),
                   "a fuzz input: any answer is fine, a crash is not");
        off += n + 1;
    }
    app_ignore(tmpl_set_check(set, err, sizeof(err)), "see above");
    /* out already holds a few bytes, and its own maximum is below the
     * render limit for odd sizes and above it for even ones, so both
     * limits are reached. */
    buf_init(&out, NULL, 3003);
    if (buf_append(&out, "pre", 3) != APP_OK)
        abort();
    app_ignore(tmpl_render(set, "a", json, &lim, &out, err, sizeof(err)),
               "see above");
    /* Whatever happened, the render stayed within its limit. */
    if (out.len < 3 || out.len - 3 > lim.max_output)
        abort();
    buf_free(&out);
    cJSON_Delete(json);
    tmpl_set_free(set);
    return 0;
}

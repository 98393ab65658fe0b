/*
 * fuzz_pos_line.c -- libFuzzer target for the POS import's header and
 * line parser (sales/pos_parse.h).
 *
 * The input's first line is the header; each later line is parsed as a
 * data line against two stores and two SKUs.  The input is copied to a
 * buffer of exactly its size so that ASan catches reads past it.  Checked:
 * a good line's receipt and member lie inside the line and are printable
 * ASCII of allowed length, its numbers are within the documented bounds,
 * its local day and time agree with the UTC instant; a problem is a
 * "pos." catalog key with a field name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sales/pos_import.h"
#include "sales/pos_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t
utc8(void *arg, int32_t day, int32_t secs)
{
    (void)arg;
    return (int64_t)day * 86400 + secs - 8 * 3600;
}

static void
check_span(const char *p, size_t n, const char *lo, const char *hi, size_t max)
{
    size_t i;

    if (n == 0 || n > max || p < lo || p + n > hi)
        abort();
    for (i = 0; i < n; i++)
        if (p[i] <= ' ' || p[i] > '~' || p[i] == '"')
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pos_dict *stores, *products;
    char *buf = malloc(size + 1);
    const char *p, *end, *key, *field;
    struct pos_header h;
    struct pos_parser ps = { &h, NULL, NULL, utc8, NULL };
    bool header = false;

    if (stores == NULL) {
        stores = pos_dict_new(4);
        products = pos_dict_new(4);
        if (stores == NULL || products == NULL ||
            pos_dict_put(stores, str_c("S1"), 1) != APP_OK ||
            pos_dict_put(stores, str_c("门店"), 2) != APP_OK ||
            pos_dict_put(products, str_c("P1"), 7) != APP_OK ||
            pos_dict_put(products, str_c("P\"2"), 8) != APP_OK)
            abort();
    }
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    ps.stores = stores;
    ps.products = products;
    p = buf;
    end = buf + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct str line = { p, (size_t)((nl != NULL ? nl : end) - p) };
        struct pos_line l;

        p = nl != NULL ? nl + 1 : end;
        if (!header) {
            header = true;
            key = pos_header_parse(line, 0, &h, &field);
            if (key != NULL) {
                if (strncmp(key, "pos.", 4) != 0 || field == NULL)
                    abort();
                break;
            }
            continue;
        }
        key = pos_parse_line(&ps, line, &l, &field);
        if (key != NULL) {
            if (strncmp(key, "pos.", 4) != 0 || field == NULL)
                abort();
            continue;
        }
        check_span(l.receipt, l.receipt_len, line.p, line.p + line.len,
                   POS_RECEIPT_MAX);
        if (l.member != NULL)
            check_span(l.member, l.member_len, line.p, line.p + line.len,
                       POS_MEMBER_MAX);
        if (l.store_ix > 1 || (l.product_id != 7 && l.product_id != 8) ||
            l.qty == 0 || l.qty > POS_QTY_MAX || l.qty < -POS_QTY_MAX ||
            l.amount_fen > POS_AMOUNT_FEN_MAX ||
            l.amount_fen < -POS_AMOUNT_FEN_MAX || l.line < 1 ||
            l.line > POS_LINE_NO_MAX || (l.at + 8 * 3600) / 86400 != l.day)
            abort();
    }
    free(buf);
    return 0;
}

/*
 * pos_parse.h -- the POS import's header and line parser (pos_import.h),
 * apart from the database so that the unit tests and the fuzz target
 * drive it directly.
 *
 * A record is one physical line: a quoted field may hold the separator
 * and "" but not a line break (POS systems do not write them, and the
 * import splits the file between two threads at line breaks).  Fields
 * are trimmed of spaces and tabs outside quotes.  Problems are catalog
 * keys ("pos.bad_time", ...) with the field they concern; the caller adds
 * the line number.  Nothing here allocates: a parsed line points into the
 * text it was parsed from, which must outlive it.
 */
#ifndef PROOFLINE_POS_PARSE_H
#define PROOFLINE_POS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

enum pos_col {
    POS_STORE,
    POS_TIME,
    POS_RECEIPT,
    POS_LINE,
    POS_SKU,
    POS_QTY,
    POS_AMOUNT,
    POS_MEMBER,
    POS_NCOLS
};

/* The most fields a line is read for, and the longest store code and SKU
 * looked up (the columns' sizes). */
#define POS_FIELDS_MAX 64
#define POS_STORE_CODE_MAX 32
#define POS_SKU_MAX 64
#define POS_LINE_NO_MAX 1000000

/* The file's column of each field (-1: absent; only member may be). */
struct pos_header {
    int col[POS_NCOLS];
    int ncols; /* fields a line must have: the last used column + 1 */
    char sep;
};

/* A map from a short string (a store code, a SKU) to a positive value,
 * open addressing; built once before parsing and then only read, so two
 * threads may read it at once.  Keys are copied. */
struct pos_dict;

/* NULL when out of memory; cap: the keys it will hold (at most 2^24). */
struct pos_dict *pos_dict_new(size_t cap);
void pos_dict_free(struct pos_dict *d);
/* Add key -> v (v > 0); a key added twice keeps its first value.
 * APP_ETOOBIG past the capacity given, APP_ENOMEM. */
APP_MUST_USE enum app_err pos_dict_put(struct pos_dict *d, struct str key,
                                       int64_t v);
/* The value of key, 0 when absent. */
int64_t pos_dict_get(const struct pos_dict *d, struct str key);

/* Local civil time -> UTC: the UTC seconds of the local time `secs`
 * seconds into local day `day` (days since 1970-01-01). */
typedef int64_t (*pos_utc_fn)(void *arg, int32_t day, int32_t secs);

struct pos_parser {
    const struct pos_header *h;
    const struct pos_dict *stores;   /* code -> store index + 1 */
    const struct pos_dict *products; /* sku -> product id */
    pos_utc_fn utc;
    void *utc_arg;
};

/* A good line.  receipt and member point into the parsed text. */
struct pos_line {
    const char *receipt;
    const char *member; /* NULL: none */
    int64_t at;         /* UTC seconds since the epoch */
    int64_t amount_fen;
    int64_t product_id;
    uint32_t store_ix; /* the stores dict's value - 1 */
    uint32_t line;     /* the line number on the receipt */
    uint32_t file_line;
    int32_t qty;
    int32_t day; /* local day, days since 1970-01-01 */
    uint8_t receipt_len, member_len;
    bool dup; /* set by the import: already stored or repeated */
};

/* Read the header line: which column is which (English or Chinese names,
 * ASCII case-insensitive, trimmed; unknown columns are ignored).  sep 0:
 * guess it from the line (',', ';' or TAB).  Returns NULL, or the catalog
 * key of the problem with *field the field concerned:
 * "pos.no_column" (a required column is missing), "pos.bad_quote". */
const char *pos_header_parse(struct str line, char sep, struct pos_header *h,
                             const char **field);

/* Parse and check one data line (without its line break) into *out
 * (file_line left to the caller).  Returns NULL, or the catalog key of
 * the problem with *field the field it is about:
 *   "pos.bad_quote"       unbalanced quotes, text after a closing quote
 *   "pos.missing_fields"  fewer fields than the header names
 *   "pos.required"        an empty required field
 *   "pos.unknown_store"   a store code the company does not have
 *   "pos.unknown_sku"     a SKU not among its products
 *   "pos.bad_time"        not a valid "YYYY-MM-DD HH:MM[:SS]" (or "/")
 *   "pos.bad_receipt"     over 64 characters or not printable ASCII
 *   "pos.bad_line"        not a whole number 1..1000000
 *   "pos.bad_qty"         not a whole number, 0, or over POS_QTY_MAX
 *   "pos.bad_amount"      not yuan with at most two decimals, or too big
 *   "pos.bad_member"      over 64 characters or not printable ASCII */
const char *pos_parse_line(const struct pos_parser *p, struct str line,
                           struct pos_line *out, const char **field);

/* Days since 1970-01-01 of a civil date, and back. */
int32_t pos_days_from_civil(int y, unsigned m, unsigned d);
void pos_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);

/* "YYYY-MM-DD" of a day into out[11]; "YYYY-MM-DD HH:MM:SS" of UTC
 * seconds into out[20].  Return the length written. */
size_t pos_day_text(int32_t day, char *out);
size_t pos_time_text(int64_t at, char *out);

/* The field names used in problems ("store", "time", ...). */
extern const char *const pos_field_names[POS_NCOLS];

#endif

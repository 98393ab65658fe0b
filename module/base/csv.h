/*
 * csv.h -- an RFC 4180 reader for uploaded files and a writer for exports.
 *
 * Reader.  Reads CSV from a buffer in memory (normally the UTF-8 text that
 * textenc_decode() produced) one record at a time.  Fields may be quoted
 * with double quotes, may then contain the separator, quotes written as
 * "" and line breaks; records end with CRLF, LF or a lone CR, and the last
 * one may lack its line break.  Completely empty lines are skipped (a line
 * of spaces, or of separators only, is a record).  A UTF-8 byte order mark
 * at the very start is skipped.  The reader is strict: a quote inside an
 * unquoted field, text after a closing quote, an unterminated quote or a
 * limit exceeded stops it with an error that names the record, the line,
 * the column and the field.  It never reads outside the buffer it is given
 * and does not check the bytes' encoding.
 *
 * Writer.  Appends fields to a struct buf, quoting a field when it holds
 * the separator, a quote, CR or LF, and neutralising spreadsheet formulas
 * (see csv_needs_neutralise()).  Records end with CRLF.  An optional UTF-8
 * byte order mark first makes Excel open UTF-8 correctly.
 *
 * Errors are message-catalog keys ("csv.unterminated_quote", ...) plus
 * numbers, so the caller tells the user in their language; the English
 * text in csv_error.msg is for logs and the API.
 */
#ifndef PROOFLINE_CSV_H
#define PROOFLINE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

/* Default limits. */
#define CSV_MAX_FIELDS 256
#define CSV_MAX_FIELD_BYTES (64u * 1024u)
#define CSV_MAX_RECORDS 200000
#define CSV_MAX_RECORD_BYTES (1024u * 1024u)

struct csv_limits {
    size_t max_fields;       /* fields in one record */
    size_t max_field_bytes;  /* bytes of one field after unquoting */
    size_t max_records;      /* records in the file, the header included */
    size_t max_record_bytes; /* raw bytes of one record, quotes and line
                                breaks inside quoted fields included, its
                                final line break excluded */
};

/* The defaults above. */
struct csv_limits csv_limits_default(void);

struct csv_record {
    struct str *fields; /* n fields, each NUL-terminated in the arena */
    size_t n;           /* 0 only at the end of the input */
    size_t number;      /* 1-based record number (blank lines not counted) */
    size_t line;        /* 1-based physical line where the record starts */
    size_t offset;      /* byte offset where the record starts */
};

struct csv_error {
    enum app_err rc;    /* APP_EINVAL, APP_ETOOBIG or APP_ENOMEM */
    const char *code;   /* message-catalog key, see csv_next() */
    size_t record;      /* 1-based number of the record in error */
    size_t record_line; /* 1-based line where that record starts */
    size_t line;        /* 1-based line of the problem */
    size_t column;      /* 1-based column of the problem on that line, in
                           characters (UTF-8 code points) */
    size_t field;       /* 1-based field of the problem; 0 for errors about
                           the whole record or file */
    size_t offset;      /* byte offset of the problem */
    char msg[256];      /* the same in English, one sentence */
};

/* The reader's state; read err after csv_next() fails, leave the rest. */
struct csv_reader {
    struct arena *arena;
    const char *p;
    size_t len;
    size_t pos;
    char sep;
    struct csv_limits lim;
    size_t records;    /* records returned so far */
    size_t line;       /* line at pos */
    size_t line_start; /* offset where that line starts */
    bool failed;
    struct csv_error err;
};

/* Guess the separator from the first non-empty line (the header): the most
 * frequent of ',', ';' and TAB outside quotes; ',' on a tie or when none
 * occurs. */
char csv_detect_sep(struct str in);

/* Start reading in with separator sep (',', ';' or '\t'; 0 means
 * csv_detect_sep()).  lim may be NULL for the defaults.  Records are
 * allocated from arena; in must stay alive while reading, the records need
 * only the arena.  A caller reading a large file may pass an arena of its
 * own and reset it between records (or batches) once it has used them.
 * APP_EINVAL for any other separator. */
APP_MUST_USE enum app_err csv_reader_init(struct csv_reader *r,
                                          struct arena *arena, struct str in,
                                          char sep,
                                          const struct csv_limits *lim);

/* The separator in use (after detection). */
char csv_reader_sep(const struct csv_reader *r);

/* Read the next record into *rec.  APP_OK with rec->n > 0, or APP_OK with
 * rec->n == 0 at the end of the input.  On failure r->err says why and
 * where, every later call fails the same way, and one of these returns:
 *
 *   APP_EINVAL  "csv.unterminated_quote"  a quoted field is never closed
 *                                         (position: its opening quote)
 *               "csv.bad_quote"           a quote inside an unquoted field
 *               "csv.text_after_quote"    something other than a separator
 *                                         or line break after the closing
 *                                         quote of a field
 *   APP_ETOOBIG "csv.too_many_fields"     more than max_fields
 *               "csv.field_too_large"     a field over max_field_bytes
 *                                         (position: the field's start)
 *               "csv.record_too_large"    a record over max_record_bytes
 *                                         (position: the record's start,
 *                                         field 0; but when the limit is
 *                                         passed inside a quoted field,
 *                                         that field and its opening quote,
 *                                         as a missing closing quote is the
 *                                         likely cause)
 *               "csv.too_many_records"    more than max_records
 *   APP_ENOMEM  "csv.no_memory"           the arena is exhausted
 *
 * A record is checked whole before any of it is allocated. */
APP_MUST_USE enum app_err csv_next(struct csv_reader *r,
                                   struct csv_record *rec);

/* True when a cell would be taken as a formula by a spreadsheet and the
 * writer therefore prefixes it with a single quote: it starts with '=',
 * '+', '-', '@', TAB or CR -- unless it is a plain number (below), which
 * cannot be a formula and must stay a number. */
bool csv_needs_neutralise(struct str cell);

/* True for a plain decimal number: an optional '+' or '-', then digits with
 * an optional '.' and fraction ("-5", "+3.25", "-.5", "7."), nothing else
 * (no spaces, exponent or thousands separators). */
bool csv_is_plain_number(struct str cell);

struct csv_writer {
    struct buf *b;
    char sep;
    size_t nfields;   /* fields in the current record */
    size_t rec_bytes; /* bytes written for the current record */
    bool started;     /* a field or record written */
    bool bom;         /* the byte order mark written */
};

/* Start writing records with separator sep (',', ';' or '\t'; anything
 * else means ',') into b.  b is the caller's, with its own maximum, and may
 * be flushed and cleared between records. */
void csv_writer_init(struct csv_writer *w, struct buf *b, char sep);

/* Write a UTF-8 byte order mark, so that Excel reads the export as UTF-8.
 * Optional; only before the first field (APP_EINVAL otherwise).
 * APP_ETOOBIG / APP_ENOMEM from the buf. */
APP_MUST_USE enum app_err csv_write_bom(struct csv_writer *w);

/* Append one field to the current record: the separator when it is not the
 * first, then the cell, with a leading ' when csv_needs_neutralise(), in
 * quotes (quotes doubled) when it holds the separator, a quote, CR or LF.
 * The first field of the output is also quoted when it begins with a byte
 * order mark, so that readers do not drop it.  APP_ETOOBIG / APP_ENOMEM
 * from the buf, which is then left as it was. */
APP_MUST_USE enum app_err csv_write_field(struct csv_writer *w,
                                          struct str cell);

/* End the current record with CRLF.  A record of no fields or of one empty
 * field is written as "" so that it is not read back as a blank line. */
APP_MUST_USE enum app_err csv_end_record(struct csv_writer *w);

/* csv_write_field() for each of n cells, then csv_end_record(). */
APP_MUST_USE enum app_err csv_write_record(struct csv_writer *w,
                                           const struct str *cells, size_t n);

#endif

/*
 * textenc.h -- turn the bytes of an uploaded text file (CSV) into UTF-8.
 *
 * Spreadsheets save CSV either as UTF-8 (often with a byte order mark) or,
 * in Chinese versions of Excel on Windows, in the legacy code page 936
 * (GBK).  GB18030 is a superset of GBK, so GBK is decoded as GB18030 with
 * glibc's iconv; the single byte 0x80, which code page 936 uses for the
 * euro sign and GB18030 leaves unassigned, is decoded as U+20AC so that
 * such files open too.
 *
 * Detection (TEXTENC_AUTO): a UTF-8 byte order mark, or bytes that are
 * valid UTF-8, mean UTF-8; otherwise GB18030 when the bytes decode cleanly;
 * otherwise an error.  Pure ASCII is UTF-8.  Text that is valid both ways
 * (rare for real Chinese text) is taken as UTF-8.
 *
 * Errors are reported as a message-catalog key (err->code, e.g.
 * "encoding.invalid") plus the byte offset and line number of the problem,
 * so the caller can tell the user in their language; err->msg has the same
 * in English for logs and the API.
 */
#ifndef PROOFLINE_TEXTENC_H
#define PROOFLINE_TEXTENC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

enum textenc {
    TEXTENC_AUTO = 0, /* as a request only: detect */
    TEXTENC_UTF8,
    TEXTENC_GBK,     /* as a request: the same as TEXTENC_GB18030 */
    TEXTENC_GB18030, /* as a result: GBK text that uses 4-byte sequences */
};

struct textenc_result {
    /* The text as UTF-8, without a byte order mark, not NUL-terminated.
     * For UTF-8 input it points into the input (nothing is copied); for
     * GBK/GB18030 input it is in the arena.  Either way it lives as long as
     * both the input and the arena. */
    struct str text;
    /* What the bytes were: TEXTENC_UTF8; TEXTENC_GBK when only 1- and
     * 2-byte sequences occurred; TEXTENC_GB18030 when 4-byte sequences did
     * too.  Independent of what was requested, so the UI can show
     * "detected GBK". */
    enum textenc enc;
    bool bom;      /* a UTF-8 byte order mark was removed */
    bool detected; /* the request was TEXTENC_AUTO */
};

struct textenc_error {
    enum app_err rc;  /* the return value */
    const char *code; /* message-catalog key, see textenc_decode() */
    enum textenc enc; /* the encoding that failed (for encoding.unknown the
                         attempt that got further); the request for
                         encoding.nul_byte and encoding.utf16 */
    size_t offset;    /* 0-based byte offset in the input */
    size_t line;      /* 1-based line of offset (LF, CRLF or CR end a line) */
    char msg[224];    /* the same in English, one sentence */
};

/* Parse an encoding name from a form: "auto", "utf-8" (or "utf8"), "gbk",
 * "gb18030", ASCII case-insensitive.  APP_EINVAL for anything else (message
 * key "encoding.unsupported"). */
APP_MUST_USE enum app_err textenc_parse(struct str name, enum textenc *out);

/* The lower-case name of an encoding: "auto", "utf-8", "gbk", "gb18030". */
const char *textenc_name(enum textenc e);

/* Decode in as the encoding want (TEXTENC_AUTO: detect) into UTF-8 of at
 * most max_out bytes.  Converted text is allocated from a.  On success
 * fills *out and returns APP_OK.  On failure returns one of these and, when
 * err is not NULL, fills *err (its rc and code as listed):
 *
 *   APP_EINVAL   "encoding.invalid"    a byte sequence that is not valid in
 *                                      the requested encoding
 *                "encoding.truncated"  the input ends inside a character
 *                                      (also in auto mode, when the attempt
 *                                      that got further ended so)
 *                "encoding.unknown"    (auto) neither UTF-8 nor GB18030;
 *                                      offset and line are those of the
 *                                      attempt that got further
 *                "encoding.nul_byte"   a NUL byte: binary data or UTF-16
 *                                      without a byte order mark
 *                "encoding.utf16"      a UTF-16/UTF-32 byte order mark
 *                "encoding.unsupported" want is not an enum textenc value
 *   APP_ETOOBIG  "encoding.too_big"    the UTF-8 text would exceed max_out
 *   APP_ENOMEM   "encoding.no_memory"  the arena is exhausted
 *   APP_EINTERNAL "encoding.unavailable" iconv cannot open GB18030
 *
 * Never reads outside in; *out is untouched on failure. */
APP_MUST_USE enum app_err textenc_decode(struct arena *a, struct str in,
                                         enum textenc want, size_t max_out,
                                         struct textenc_result *out,
                                         struct textenc_error *err);

#endif

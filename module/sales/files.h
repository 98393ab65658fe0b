/*
 * files.h -- uploaded files, stored once per content hash.
 *
 * The bytes live at files_dir/ab/cd/<sha256> (outside the web root, mode
 * 0640); a row in `files` records who uploaded what, under which name,
 * for which customer.  The type is sniffed from the content, never taken
 * from the client.  Downloads pass the access check here and are sent by
 * nginx (X-Accel-Redirect to the internal /_files/ location).
 */
#ifndef PROOFLINE_FILES_H
#define PROOFLINE_FILES_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/upload.h"
#include "db/ctx.h"

/* What a file's first bytes say it is: "image/jpeg", "image/png",
 * "image/gif", "image/webp", "image/heic", "application/pdf", audio
 * recordings ("audio/mpeg", "audio/aac", "audio/mp4", "audio/amr",
 * "audio/wav", "audio/ogg", "audio/webm"), office
 * documents (by their zip container and the name's extension),
 * "text/plain"/"text/csv" (valid UTF-8 or GB18030-looking text without
 * NUL), else "application/octet-stream". */
const char *files_sniff(const unsigned char *head, size_t n, const char *name);

bool files_is_image(const char *mime);

/* audio/...: what activity_audio.h accepts, played back inline. */
bool files_is_audio(const char *mime);

/* May a file of this type serve as evidence of this kind?  "photo":
 * images only; "audio": recordings only; "document": images, PDF, Office
 * documents, text. */
bool files_fits_kind(const char *kind, const char *mime);

/* The sniffed type of an uploaded part (before storing it). */
const char *files_sniff_upload(const struct upload *u);

/* The longest name a stored file keeps (the column's characters), and
 * the longest extension kept whole when a name is shortened. */
#define FILES_NAME_MAX 255
#define FILES_EXT_MAX 16

/* The most bytes of a name sent in Content-Disposition (percent-encoded,
 * up to three times as many). */
#define FILES_HEADER_NAME_MAX 500

/* name (valid UTF-8) cut to at most max_chars characters and max_bytes
 * bytes, after whole characters only, keeping its extension when the
 * extension fits; name itself when it fits, else a copy in the arena
 * (NULL when out of memory). */
const char *files_fit_name(struct arena *a, const char *name, size_t max_chars,
                           size_t max_bytes);

/* files_fit_name(a, name, FILES_NAME_MAX, no byte limit): every upload
 * path stores its name through this. */
const char *files_short_name(struct arena *a, const char *name);

/* The SHA-256 of an uploaded part in hex (out: FILES_SHA_HEX bytes), the
 * hash files_store keys its bytes by: a service can tell the same bytes
 * sent again (an offline replay) before storing anything.  APP_EIO when
 * the part cannot be read. */
#define FILES_SHA_HEX 65
APP_MUST_USE enum app_err files_hash_upload(const struct upload *u, char *out);

/* Store an uploaded part for customer_id (0: none), inside the caller's
 * transaction (APP_EINTERNAL outside one); *id gets the new files row,
 * *mime the sniffed type.  The bytes are put in place once per content
 * (files_dir/ab/cd/<sha256>, with a file_blobs row); if the transaction
 * does not commit, bytes this call put in place are removed again, so no
 * file stays on disk without its row. */
APP_MUST_USE enum app_err files_store(struct ctx *cx, const struct upload *u,
                                      int64_t customer_id, int64_t *id,
                                      const char **mime);

/* files_store for a part whose SHA-256 the caller took already with
 * files_hash_upload (the bytes are read once, not twice). */
APP_MUST_USE enum app_err
files_store_hashed(struct ctx *cx, const struct upload *u, const char *sha,
                   int64_t customer_id, int64_t *id, const char **mime);

/* Read a stored file the user may see into the arena (imports). */
/* A stored file the acting user may see (the customer's scope). */
struct file_ref {
    const char *sha;
    const char *mime;
    const char *name;
};
APP_MUST_USE enum app_err files_find(struct ctx *cx, int64_t id,
                                     struct file_ref *out);

APP_MUST_USE enum app_err files_read(struct ctx *cx, int64_t id, size_t max,
                                     struct str *out, const char **name);

#endif

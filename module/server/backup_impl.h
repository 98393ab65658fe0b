/*
 * backup_impl.h -- what `proofline backup` and `proofline restore` share
 * (cli_backup.c, cli_restore.c): the layout of a backup directory, file
 * copies that hash what they copy, and the manifest's own checksum.
 *
 * A backup directory DIR holds
 *   DIR/tables/NAME    every row of table NAME (db/dump.h's format);
 *   DIR/files/ab/cd/S  the stored files, laid out as in files_dir;
 *   DIR/MANIFEST       JSON: format, proofline version, created_at, the
 *                      schema's migrations (version, name, checksum),
 *                      per table its columns, rows, bytes and SHA-256,
 *                      per file its path, size and SHA-256, and last
 *                      "checksum": the SHA-256 of the unformatted JSON of
 *                      everything else.
 * MANIFEST is written under a temporary name and renamed last, so a
 * backup that stopped half way has none and is refused.
 */
#ifndef PROOFLINE_BACKUP_IMPL_H
#define PROOFLINE_BACKUP_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#define BK_FORMAT 1
#define BK_MANIFEST "MANIFEST"
#define BK_PATH_MAX 4096

/* s is 64 lower-case hex digits (a stored file's name). */
bool bk_is_sha(const char *s);
/* s is two lower-case hex digits (a level of files_dir). */
bool bk_is_hex2(const char *s);

/* Copy src to dst (created through dst + "-partial" and renamed, parent
 * directories made as needed), hashing the bytes: hex gets the SHA-256
 * (65 bytes), *size the length.  0, or -1 with errno set. */
int bk_copy(const char *src, const char *dst, char hex[65], uint64_t *size);

/* The SHA-256 (hex) and size of the file at path.  0, or -1 (errno). */
int bk_sha_file(const char *path, char hex[65], uint64_t *size);

/* The manifest's checksum: SHA-256 of the unformatted JSON of m without
 * its "checksum" member (m is left as it was).  0, or -1 when out of
 * memory. */
int bk_manifest_sum(cJSON *m, char hex[65]);

/* mkdir -p for the parents of path.  0, or -1 (errno). */
int bk_mkdirs_for(const char *path);

#endif

/*
 * files.c -- content-addressed file storage and access-checked downloads.
 */
#include "sales/files.h"
#include "sales/campaigns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "identity/access.h"
#include "identity/role.h"
#include "base/conf.h"
#include "db/db.h"
#include "base/log.h"
#include "base/str.h"
#include "base/wire.h"

static const char SQL_BLOB[] =
    "INSERT IGNORE INTO file_blobs (sha256, size) VALUES (?, ?)";
static const char SQL_INSERT[] =
    "INSERT INTO files (tenant_id, sha256, size, mime, name, customer_id, "
    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)";
/* A file of a customer follows the customer's scope; a file without one
 * (an import) is its uploader's, and admins'; the scan of a qualification
 * document is also legal's (its review queue), a campaign's talk-track
 * file everyone's who reads campaigns (campaigns.h). */
static const char SQL_VISIBLE[] =
    "SELECT f.sha256, f.mime, f.name, f.size FROM files f "
    "LEFT JOIN customers c ON c.id = f.customer_id "
    "AND c.tenant_id = f.tenant_id "
    "WHERE f.tenant_id = ? AND f.id = ? AND ("
    "(f.customer_id IS NULL AND (f.created_by = ? OR ? = 1)) OR "
    "(c.id IS NOT NULL AND (? = 1 OR c.owner_id IN (SELECT descendant_id "
    "FROM user_tree WHERE tenant_id = ? AND ancestor_id = ?))) OR "
    "(? = 1 AND EXISTS (SELECT 1 FROM qual_docs q WHERE q.tenant_id = "
    "f.tenant_id AND q.file_id = f.id)) OR "
    "(? = 1 AND EXISTS (SELECT 1 FROM campaign_files cf WHERE cf.tenant_id "
    "= f.tenant_id AND cf.file_id = f.id)))";

static bool
ends_with(const char *name, const char *ext)
{
    size_t n = name != NULL ? strlen(name) : 0, e = strlen(ext);

    return n > e && strcasecmp(name + n - e, ext) == 0;
}

static bool
text_like(const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] == 0 ||
            (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t'))
            return false;
    }
    return n > 0;
}

/* The recordings phones and browsers make: MP3 (an ID3 tag or a frame
 * header), AAC (ADTS), MP4/M4A/3GP audio (ftyp brands), AMR, WAV, Ogg
 * and WebM (what a browser's MediaRecorder writes). */
static const char *
audio_type(const unsigned char *h, size_t n)
{
    static const char *const mp4[] = { "M4A ", "M4B ", "mp41", "mp42",
                                       "isom", "iso2", "3gp4", "3gp5",
                                       "3gp6", "3ge6", "3gg6", "dash" };
    size_t i;

    if (n >= 3 && memcmp(h, "ID3", 3) == 0)
        return "audio/mpeg";
    if (n >= 2 && h[0] == 0xff && (h[1] & 0xf6) == 0xf0)
        return "audio/aac"; /* ADTS: sync, layer 0 */
    if (n >= 2 && h[0] == 0xff && (h[1] & 0xe0) == 0xe0 && (h[1] & 0x06) != 0)
        return "audio/mpeg"; /* an MPEG audio frame header */
    if (n >= 6 && memcmp(h, "#!AMR\n", 6) == 0)
        return "audio/amr";
    if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVE", 4) == 0)
        return "audio/wav";
    if (n >= 4 && memcmp(h, "OggS", 4) == 0)
        return "audio/ogg";
    if (n >= 4 && memcmp(h, "\x1a\x45\xdf\xa3", 4) == 0)
        return "audio/webm";
    for (i = 0; n >= 12 && memcmp(h + 4, "ftyp", 4) == 0 &&
                i < sizeof(mp4) / sizeof(mp4[0]);
         i++)
        if (memcmp(h + 8, mp4[i], 4) == 0)
            return "audio/mp4";
    return NULL;
}

const char *
files_sniff(const unsigned char *h, size_t n, const char *name)
{
    if (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff)
        return "image/jpeg";
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 6 && (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0))
        return "image/gif";
    if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0)
        return "image/webp";
    if (n >= 12 && memcmp(h + 4, "ftyp", 4) == 0 &&
        (memcmp(h + 8, "heic", 4) == 0 || memcmp(h + 8, "heix", 4) == 0 ||
         memcmp(h + 8, "mif1", 4) == 0 || memcmp(h + 8, "msf1", 4) == 0))
        return "image/heic";
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0)
        return "application/pdf";
    if (audio_type(h, n) != NULL)
        return audio_type(h, n);
    if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0) {
        if (ends_with(name, ".docx"))
            return "application/vnd.openxmlformats-officedocument."
                   "wordprocessingml.document";
        if (ends_with(name, ".xlsx"))
            return "application/vnd.openxmlformats-officedocument."
                   "spreadsheetml.sheet";
        if (ends_with(name, ".pptx"))
            return "application/vnd.openxmlformats-officedocument."
                   "presentationml.presentation";
        return "application/zip";
    }
    if (text_like(h, n))
        return ends_with(name, ".csv") ? "text/csv" : "text/plain";
    return "application/octet-stream";
}

bool
files_is_audio(const char *mime)
{
    return mime != NULL && strncmp(mime, "audio/", 6) == 0;
}

bool
files_is_image(const char *mime)
{
    return mime != NULL && strncmp(mime, "image/", 6) == 0;
}

bool
files_fits_kind(const char *kind, const char *mime)
{
    if (kind == NULL || mime == NULL)
        return false;
    if (strcmp(kind, "photo") == 0)
        return files_is_image(mime);
    if (strcmp(kind, "audio") == 0)
        return files_is_audio(mime);
    return files_is_image(mime) || strcmp(mime, "application/pdf") == 0 ||
           strncmp(mime, "application/vnd.openxmlformats", 30) == 0 ||
           strcmp(mime, "text/plain") == 0 || strcmp(mime, "text/csv") == 0;
}

const char *
files_sniff_upload(const struct upload *u)
{
    unsigned char head[512];
    ssize_t n;
    int fd = open(u->path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return "application/octet-stream";
    do
        n = read(fd, head, sizeof(head));
    while (n < 0 && errno == EINTR);
    close(fd);
    return files_sniff(head, n > 0 ? (size_t)n : 0, u->filename.p);
}

static void
hex(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

enum app_err
files_hash_upload(const struct upload *u, char *out)
{
    crypto_hash_sha256_state st;
    unsigned char buf[65536], digest[crypto_hash_sha256_BYTES];
    ssize_t n;
    int fd = open(u->path, O_RDONLY | O_CLOEXEC);

    out[0] = '\0';
    if (fd < 0)
        return APP_EIO;
    crypto_hash_sha256_init(&st);
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return APP_EIO;
        }
        crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
    }
    close(fd);
    crypto_hash_sha256_final(&st, digest);
    hex(digest, sizeof(digest), out);
    return APP_OK;
}

/* files_dir/ab/cd, created when missing; path gets files_dir/ab/cd/sha. */
APP_MUST_USE static enum app_err
place(struct ctx *cx, const char *sha, char *path, size_t len)
{
    const char *root = cx->conf->files_dir;
    char dir[1024];

    snprintf(dir, sizeof(dir), "%s/%.2s", root, sha);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return APP_EIO;
    snprintf(dir, sizeof(dir), "%s/%.2s/%.2s", root, sha, sha + 2);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return APP_EIO;
    if ((size_t)snprintf(path, len, "%s/%s", dir, sha) >= len)
        return APP_EIO;
    return APP_OK;
}

APP_MUST_USE static enum app_err
write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return APP_EIO;
        p += w;
        n -= (size_t)w;
    }
    return APP_OK;
}

/* Copy src to dst through a temporary name, then rename (atomic). */
APP_MUST_USE static enum app_err
copy_into(const char *src, const char *dst)
{
    char tmp[1100];
    unsigned char buf[65536];
    int in, out;
    ssize_t n;
    enum app_err rc = APP_OK;

    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", dst, (long)getpid());
    in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return APP_EIO;
    out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (out < 0) {
        close(in);
        return APP_EIO;
    }
    while (rc == APP_OK && (n = read(in, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno != EINTR)
                rc = APP_EIO;
            continue;
        }
        rc = write_all(out, buf, (size_t)n);
    }
    close(in);
    if (fsync(out) != 0)
        rc = APP_EIO;
    if (close(out) != 0)
        rc = APP_EIO;
    if (rc == APP_OK && rename(tmp, dst) != 0)
        rc = APP_EIO;
    if (rc != APP_OK)
        unlink(tmp);
    return rc;
}

const char *
files_fit_name(struct arena *a, const char *name, size_t max_chars,
               size_t max_bytes)
{
    size_t n = strlen(name), chars = 0, i, ext = n, keep, ext_chars = 0;
    struct utf8_char ch;
    char *out;

    for (i = 0; i < n; i += ch.len, chars++)
        ch = utf8_next((const unsigned char *)name + i, n - i);
    if (chars <= max_chars && n <= max_bytes)
        return name;
    /* The extension: from the last dot, when it is short and is not the
     * whole name; it is kept whole so the type still reads right. */
    {
        const char *dot = strrchr(name, '.');

        if (dot != NULL && dot != name) {
            size_t e = (size_t)(dot - name);

            for (i = e; i < n; i += ch.len, ext_chars++)
                ch = utf8_next((const unsigned char *)name + i, n - i);
            if (ext_chars <= FILES_EXT_MAX && ext_chars < max_chars &&
                n - e < max_bytes)
                ext = e;
            else
                ext_chars = 0;
        }
    }
    /* The stem, cut after whole characters only, within both budgets. */
    keep = 0;
    for (i = 0, chars = 0; i < ext && chars < max_chars - ext_chars; chars++) {
        ch = utf8_next((const unsigned char *)name + i, ext - i);
        if (i + ch.len + (n - ext) > max_bytes)
            break;
        i += ch.len;
        keep = i;
    }
    out = arena_alloc(a, keep + (n - ext) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, name, keep);
    memcpy(out + keep, name + ext, n - ext);
    out[keep + n - ext] = '\0';
    return out;
}

const char *
files_short_name(struct arena *a, const char *name)
{
    return files_fit_name(a, name, FILES_NAME_MAX, SIZE_MAX);
}

APP_MUST_USE static enum app_err
record(struct ctx *cx, const char *sha, size_t size, const char *mime,
       const char *name, int64_t customer_id, int64_t *id)
{
    uint64_t last = 0;
    const char *shown = files_short_name(cx->a, name != NULL ? name : "");
    enum app_err rc;

    if (shown == NULL)
        return APP_ENOMEM;
    rc = db_exec(cx->db, SQL_INSERT,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(sha), DB_I64(size),
                         DB_CSTR(mime), DB_CSTR(shown),
                         customer_id > 0 ? DB_I64(customer_id) : DB_NULL,
                         DB_I64(cx->user_id)),
                 NULL, &last);
    *id = (int64_t)last;
    return rc;
}

/* The undo of putting a file in place: the transaction that claimed its
 * blob row did not commit. */
static void
unplace(void *arg)
{
    const char *path = arg;

    if (unlink(path) != 0 && errno != ENOENT)
        log_error("files.unplace", "path=%s errno=%d", log_q(path), errno);
}

/* A linked file keeps the group it was created with; give it the group
 * of its folder, as a file created there gets it when the folder is
 * set-group-id (the package makes files_dir group www-data so that nginx
 * can send files: X-Accel-Redirect to /_files/).  Best effort: a group
 * the server is not a member of stays as it was. */
static void
take_folder_group(const char *path)
{
    char dir[1100];
    const char *slash = strrchr(path, '/');
    struct stat d, f;

    if (slash == NULL || (size_t)(slash - path) >= sizeof(dir))
        return;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if (stat(dir, &d) != 0 || !(d.st_mode & S_ISGID) || stat(path, &f) != 0 ||
        f.st_gid == d.st_gid)
        return;
    if (chown(path, (uid_t)-1, d.st_gid) != 0)
        log_warn("files.group", "path=%s errno=%d", log_q(path), errno);
}

/* Put the upload at path: a hard link when it is on the same file system,
 * else a copy.  Never a rename: a transaction that is run again after a
 * deadlock (db_tx_next) must still find its upload, which the request's
 * cleanup removes at the end. */
APP_MUST_USE static enum app_err
put_in_place(const char *src, const char *path)
{
    if (link(src, path) == 0) {
        chmod(path, 0640);
        take_folder_group(path);
        return APP_OK;
    }
    if (errno == EEXIST)
        return APP_OK; /* placed meanwhile: the same bytes */
    if (errno == EXDEV || errno == EPERM)
        return copy_into(src, path);
    return APP_EIO;
}

enum app_err
files_store(struct ctx *cx, const struct upload *u, int64_t customer_id,
            int64_t *id, const char **mime)
{
    char sha[FILES_SHA_HEX];
    enum app_err rc;

    /* The blob claim and its undo live in the caller's transaction. */
    if (!db_in_tx(cx->db))
        return APP_EINTERNAL;
    rc = files_hash_upload(u, sha);
    return rc != APP_OK ? rc
                        : files_store_hashed(cx, u, sha, customer_id, id, mime);
}

enum app_err
files_store_hashed(struct ctx *cx, const struct upload *u, const char *sha,
                   int64_t customer_id, int64_t *id, const char **mime)
{
    char path[1024];
    struct stat sb;
    uint64_t claimed = 0;
    enum app_err rc;

    if (!db_in_tx(cx->db))
        return APP_EINTERNAL;
    *mime = files_sniff_upload(u);
    rc = place(cx, sha, path, sizeof(path));
    if (rc != APP_OK)
        return rc;
    /* Claim the blob: a new row means this transaction puts the bytes in
     * place and takes them away again if it does not commit (its row lock
     * keeps a second upload of the same bytes waiting meanwhile).  An
     * existing row means they are there already: stored once. */
    rc = db_exec(cx->db, SQL_BLOB, DB_ARGS(DB_CSTR(sha), DB_I64(u->size)),
                 &claimed, NULL);
    if (rc != APP_OK)
        return rc;
    if (claimed > 0) {
        char *undo = arena_strdup(cx->a, path);

        if (undo == NULL)
            return APP_ENOMEM;
        rc = db_on_rollback(cx->db, unplace, undo);
        /* A crash after an earlier claim may have left the same bytes in
         * place: they are what this upload holds, keep them. */
        if (rc == APP_OK && stat(path, &sb) != 0)
            rc = put_in_place(u->path, path);
    } else if (stat(path, &sb) != 0) {
        /* The row is there but the bytes are not (removed by hand): put
         * them back. */
        log_warn("files.restored", "sha256=%s", sha);
        rc = put_in_place(u->path, path);
    }
    if (rc == APP_OK && ctx_fail_point(cx, "files.placed"))
        rc = APP_EIO;
    if (rc != APP_OK) {
        log_error("files.store", "sha256=%s errno=%d", sha, errno);
        return rc;
    }
    return record(cx, sha, u->size, *mime, u->filename.p, customer_id, id);
}

APP_MUST_USE static enum app_err
visible(struct ctx *cx, int64_t id, struct db_res *res)
{
    int64_t root, all;
    enum app_err rc;

    access_scope(cx, &root, &all);
    rc =
        db_query(cx->db, cx->a, SQL_VISIBLE,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(cx->user_id),
                         DB_I64(all), DB_I64(all), DB_I64(cx->tenant_id),
                         DB_I64(root), DB_I64((cx->role & ROLE_LEGAL) != 0),
                         DB_I64(campaigns_may_read(cx->role) ? 1 : 0)),
                 1, res);
    if (rc == APP_OK && res->nrows == 0)
        rc = APP_ENOTFOUND;
    return rc;
}

enum app_err
files_read(struct ctx *cx, int64_t id, size_t max, struct str *out,
           const char **name)
{
    struct db_res res;
    char path[1024];
    const char *sha;
    FILE *f;
    char *p;
    size_t n;
    enum app_err rc = visible(cx, id, &res);

    if (rc != APP_OK)
        return rc;
    sha = db_text(&res, 0, 0);
    if (db_int(&res, 0, 3, 0) < 0 || (size_t)db_int(&res, 0, 3, 0) > max)
        return APP_ETOOBIG;
    snprintf(path, sizeof(path), "%s/%.2s/%.2s/%s", cx->conf->files_dir, sha,
             sha + 2, sha);
    f = fopen(path, "rb");
    if (f == NULL)
        return APP_EIO;
    n = (size_t)db_int(&res, 0, 3, 0);
    p = arena_alloc(cx->a, n + 1);
    if (p == NULL) {
        fclose(f);
        return APP_ENOMEM;
    }
    if (fread(p, 1, n, f) != n) {
        fclose(f);
        return APP_EIO;
    }
    fclose(f);
    p[n] = '\0';
    *out = (struct str){ p, n };
    if (name != NULL)
        *name = db_text(&res, 0, 2);
    return APP_OK;
}

enum app_err
files_find(struct ctx *cx, int64_t id, struct file_ref *out)
{
    struct db_res res;
    enum app_err rc = visible(cx, id, &res);

    if (rc != APP_OK)
        return rc;
    out->sha = db_text(&res, 0, 0);
    out->mime = db_text(&res, 0, 1);
    out->name = db_text(&res, 0, 2);
    return APP_OK;
}

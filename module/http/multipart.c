/*
 * multipart.c -- streaming multipart/form-data parser (see multipart.h).
 *
 * The body is seen through a fixed window buf[start, end) refilled from the
 * read callback, so memory does not grow with the upload.  A virtual CRLF
 * is put in front of the body so that the first dash-boundary is found by
 * the same search as every later delimiter ("\r\n--" boundary), whether or
 * not a preamble precedes it (RFC 2046 §5.1.1).
 *
 *   MP_BODY     search for the delimiter; the bytes before it belong to the
 *               current sink (preamble: dropped, field, file, or an empty
 *               file input: dropped).  Without a match all but the last
 *               delimiter-length - 1 bytes are passed on, since those could
 *               begin a delimiter that the next read completes.
 *   MP_AFTER    after a delimiter: "--" closes the body; otherwise optional
 *               transport padding (SP / HT) and CRLF open a part.
 *   MP_HEADERS  collect the part's header block up to the empty line.
 *   MP_DONE     close delimiter seen; the epilogue is not even read.
 *
 * Bytes are handled in body order and a limit trips at the first byte that
 * breaks it, so the outcome does not depend on how the reads are chunked
 * (the unit tests and the fuzz target check this).
 */
#include "http/multipart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/wire.h"

#define MP_BUFSZ (64 * 1024)
#define MP_BOUNDARY_MAX 70
#define MP_DELIM_MAX (4 + MP_BOUNDARY_MAX) /* "\r\n--" boundary */
#define MP_MIN_CAP 4

enum mp_state { MP_BODY, MP_AFTER, MP_HEADERS, MP_DONE };
enum mp_sink { SINK_DROP, SINK_FIELD, SINK_FILE };
enum mp_after { AFTER_START, AFTER_DASH, AFTER_PAD, AFTER_CR };

/* A temporary file; the arena cleanup closes (if still open) and unlinks
 * it. */
struct mp_tmp {
    int fd;
    char *path;
};

struct mp {
    struct arena *a;
    const struct multipart_limits *lim;
    mp_read_fn read;
    void *ctx;
    const char *tmp_dir;
    struct kvlist *fields;
    struct upload_list *files;
    const char *detail;

    char *buf;
    size_t start, end;
    bool eof;
    size_t total; /* bytes obtained from the read callback */

    char delim[MP_DELIM_MAX];
    size_t dlen;

    enum mp_state state;
    enum mp_after after;
    struct buf hdr;
    size_t nparts, nfields;

    /* The current part. */
    bool in_part;
    enum mp_sink sink;
    struct str name;
    struct str filename;
    struct str ctype;
    struct buf field;
    struct mp_tmp *tmp;
    size_t size;
};

APP_MUST_USE static enum app_err
mp_fail(struct mp *m, enum app_err rc, const char *key)
{
    m->detail = key;
    return rc;
}

/* --- input ---------------------------------------------------------------
 */

/* Compact the window and read more.  Reads never take the total past
 * max_total; when the budget is spent a one-byte probe tells a body that
 * ends exactly at the limit from one that goes on. */
APP_MUST_USE static enum app_err
mp_fill(struct mp *m)
{
    size_t room, want;
    bool probe;
    long got;

    if (m->start > 0) {
        memmove(m->buf, m->buf + m->start, m->end - m->start);
        m->end -= m->start;
        m->start = 0;
    }
    want = MP_BUFSZ - m->end;
    if (want == 0 || m->eof) /* cannot happen: states consume input */
        return mp_fail(m, APP_EINTERNAL, "multipart.malformed");
    room = m->lim->max_total - m->total;
    probe = room == 0;
    if (probe)
        want = 1;
    else if (want > room)
        want = room;
    got = m->read(m->ctx, m->buf + m->end, want);
    if (got < 0 || (size_t)got > want)
        return mp_fail(m, APP_EIO, "multipart.read_error");
    if (got == 0) {
        m->eof = true;
        return APP_OK;
    }
    if (probe)
        return mp_fail(m, APP_ETOOBIG, "multipart.too_large");
    m->end += (size_t)got;
    m->total += (size_t)got;
    return APP_OK;
}

/* --- temporary files -----------------------------------------------------
 */

static void
mp_tmp_cleanup(void *arg)
{
    struct mp_tmp *t = arg;

    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    unlink(t->path);
}

APP_MUST_USE static enum app_err
mp_tmp_open(struct mp *m)
{
    struct mp_tmp *t = arena_alloc(m->a, sizeof(*t));

    if (t == NULL)
        return mp_fail(m, APP_ENOMEM, "parse.no_memory");
    if (m->tmp_dir == NULL)
        return mp_fail(m, APP_EIO, "multipart.io");
    t->path = arena_printf(m->a, "%s/proofline-upload-XXXXXX", m->tmp_dir);
    if (t->path == NULL)
        return mp_fail(m, APP_ENOMEM, "parse.no_memory");
    /* mkostemp creates the file with mode 0600 and O_EXCL. */
    t->fd = mkostemp(t->path, O_CLOEXEC);
    if (t->fd < 0)
        return mp_fail(m, APP_EIO, "multipart.io");
    /* On failure the cleanup has already run: no file is left behind. */
    if (arena_cleanup_add(m->a, mp_tmp_cleanup, t) != 0)
        return mp_fail(m, APP_ENOMEM, "parse.no_memory");
    m->tmp = t;
    return APP_OK;
}

APP_MUST_USE static enum app_err
mp_write(struct mp *m, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(m->tmp->fd, p, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return mp_fail(m, APP_EIO, "multipart.io");
        }
        p += w;
        n -= (size_t)w;
    }
    return APP_OK;
}

/* --- part bodies ---------------------------------------------------------
 */

/* Pass n body bytes to the current sink. */
APP_MUST_USE static enum app_err
mp_emit(struct mp *m, const char *p, size_t n)
{
    enum app_err rc;

    if (n == 0 || !m->in_part)
        return APP_OK; /* the preamble is dropped */
    switch (m->sink) {
    case SINK_FIELD:
        rc = buf_append(&m->field, p, n);
        if (rc == APP_ETOOBIG)
            return mp_fail(m, rc, "multipart.field_too_large");
        if (rc != APP_OK)
            return mp_fail(m, APP_ENOMEM, "parse.no_memory");
        return APP_OK;
    case SINK_FILE:
    case SINK_DROP:
        if (n > m->lim->max_file_size - m->size)
            return mp_fail(m, APP_ETOOBIG, "multipart.file_too_large");
        m->size += n;
        return m->sink == SINK_FILE ? mp_write(m, p, n) : APP_OK;
    }
    return APP_OK;
}

APP_MUST_USE static enum app_err
ul_add(struct arena *a, struct upload_list *l, const struct upload *u)
{
    void *v = l->v;
    enum app_err rc =
        arena_grow(a, &v, &l->cap, l->n, sizeof(*l->v), MP_MIN_CAP);

    if (rc != APP_OK)
        return rc;
    l->v = v;
    l->v[l->n++] = *u;
    return APP_OK;
}

/* The delimiter ending the current part has been seen. */
APP_MUST_USE static enum app_err
mp_part_end(struct mp *m)
{
    struct upload u;
    struct str v;

    if (!m->in_part)
        return APP_OK;
    m->in_part = false;
    switch (m->sink) {
    case SINK_FIELD:
        v = buf_str(&m->field);
        if (v.len > 0 && memchr(v.p, '\0', v.len) != NULL)
            return mp_fail(m, APP_EINVAL, "parse.nul_byte");
        if (!utf8_valid(v.p, v.len))
            return mp_fail(m, APP_EINVAL, "parse.bad_utf8");
        if (kv_add(m->a, m->fields, m->name, v) != APP_OK)
            return mp_fail(m, APP_ENOMEM, "parse.no_memory");
        return APP_OK;
    case SINK_FILE:
        /* Close now so that many files do not hold many descriptors; the
         * cleanup still unlinks. */
        if (close(m->tmp->fd) != 0) {
            m->tmp->fd = -1;
            return mp_fail(m, APP_EIO, "multipart.io");
        }
        m->tmp->fd = -1;
        u.field = m->name;
        u.filename = m->filename;
        u.content_type = m->ctype;
        u.path = m->tmp->path;
        u.size = m->size;
        if (ul_add(m->a, m->files, &u) != APP_OK)
            return mp_fail(m, APP_ENOMEM, "parse.no_memory");
        return APP_OK;
    case SINK_DROP:
        break;
    }
    return APP_OK;
}

APP_MUST_USE static enum app_err
mp_body(struct mp *m)
{
    size_t avail = m->end - m->start, keep = m->dlen - 1;
    const char *w = m->buf + m->start;
    const char *hit = memmem(w, avail, m->delim, m->dlen);
    enum app_err rc;

    if (hit != NULL) {
        size_t n = (size_t)(hit - w);

        rc = mp_emit(m, w, n);
        if (rc != APP_OK)
            return rc;
        m->start += n + m->dlen;
        rc = mp_part_end(m);
        if (rc != APP_OK)
            return rc;
        m->state = MP_AFTER;
        m->after = AFTER_START;
        return APP_OK;
    }
    if (avail > keep) {
        rc = mp_emit(m, w, avail - keep);
        if (rc != APP_OK)
            return rc;
        m->start = m->end - keep;
    }
    if (m->eof)
        return mp_fail(m, APP_EINVAL, "multipart.truncated");
    return mp_fill(m);
}

/* --- part headers --------------------------------------------------------
 */

/* A parameter value: a token, or a quoted-string as browsers write it
 * (wire.h, WIRE_QUOTED_BROWSER), unquoted into the arena. */
APP_MUST_USE static enum app_err
mp_param_value(struct arena *a, struct str v, size_t *i, struct str *out)
{
    size_t t;

    if (*i < v.len && v.p[*i] == '"')
        return wire_quoted(a, v, i, WIRE_QUOTED_BROWSER, out);
    t = wire_token_len(v, *i);
    if (t == 0)
        return APP_EINVAL;
    *out = arena_str(a, (struct str){ v.p + *i, t });
    if (out->p == NULL)
        return APP_ENOMEM;
    *i += t;
    return APP_OK;
}

/* Content-Disposition: form-data; name="x"; filename="y" (RFC 7578 §4.2).
 * filename*= and unknown parameters are ignored. */
APP_MUST_USE static enum app_err
mp_disposition(struct mp *m, struct str v, struct str *name,
               struct str *filename, bool *has_filename)
{
    struct str pname, val, file = STR_NULL;
    size_t i = 0, t = wire_token_len(v, 0), k;
    enum app_err rc;

    *name = STR_NULL;
    if (!str_eq_nocase((struct str){ v.p, t }, STR_LIT("form-data")))
        return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
    i = t;
    for (;;) {
        i = wire_skip_ows(v, i);
        if (i == v.len)
            break;
        if (v.p[i] != ';')
            return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
        i = wire_skip_ows(v, i + 1);
        if (i == v.len || v.p[i] == ';')
            continue;
        t = wire_token_len(v, i);
        if (t == 0 || i + t >= v.len || v.p[i + t] != '=')
            return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
        pname.p = v.p + i;
        pname.len = t;
        i += t + 1;
        rc = mp_param_value(m->a, v, &i, &val);
        if (rc != APP_OK)
            return mp_fail(m, rc,
                           rc == APP_ENOMEM ? "parse.no_memory"
                                            : "multipart.bad_part_header");
        if (str_eq_nocase(pname, STR_LIT("name"))) {
            if (name->p != NULL)
                return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
            *name = val;
        } else if (str_eq_nocase(pname, STR_LIT("filename"))) {
            if (file.p != NULL)
                return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
            file = val;
        }
    }
    if (name->p == NULL || name->len == 0)
        return mp_fail(m, APP_EINVAL, "multipart.no_name");
    *has_filename = file.p != NULL;
    if (*has_filename) {
        /* Keep only the last path component, for / and \ alike. */
        for (k = file.len; k > 0; k--) {
            if (file.p[k - 1] == '/' || file.p[k - 1] == '\\')
                break;
        }
        filename->p = file.p + k;
        filename->len = file.len - k;
    }
    return APP_OK;
}

/* Header values must be text: no control bytes but HTAB, valid UTF-8. */
static bool
mp_value_ok(struct str v)
{
    size_t i;

    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];

        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return false;
    }
    return utf8_valid(v.p, v.len) != 0;
}

/* The header block (without its final empty line) is complete: parse it
 * and set up the part's sink. */
APP_MUST_USE static enum app_err
mp_part_begin(struct mp *m)
{
    struct str block = { m->hdr.p, m->hdr.len - 2 };
    struct str disp = STR_NULL, ctype = STR_NULL, line, hname, hval;
    struct str name = STR_NULL, filename = STR_NULL;
    bool has_filename = false;
    size_t pos = 0, eol, colon;
    enum app_err rc;

    while (pos < block.len) {
        /* Lines end in CRLF; a lone CR or LF is malformed. */
        for (eol = pos; eol < block.len; eol++) {
            if (block.p[eol] == '\r' || block.p[eol] == '\n')
                break;
        }
        if (eol + 1 >= block.len || block.p[eol] != '\r' ||
            block.p[eol + 1] != '\n')
            return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
        line.p = block.p + pos;
        line.len = eol - pos;
        pos = eol + 2;
        /* Folding (obs-fold) is refused as in RFC 9112 §5.2. */
        if (line.len == 0 || line.p[0] == ' ' || line.p[0] == '\t')
            return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
        colon = wire_token_len(line, 0);
        if (colon == 0 || colon >= line.len || line.p[colon] != ':')
            return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
        hname.p = line.p;
        hname.len = colon;
        hval =
            str_trim((struct str){ line.p + colon + 1, line.len - colon - 1 });
        if (!mp_value_ok(hval))
            return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
        if (str_eq_nocase(hname, STR_LIT("content-disposition"))) {
            if (disp.p != NULL)
                return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
            disp = hval;
        } else if (str_eq_nocase(hname, STR_LIT("content-type"))) {
            if (ctype.p != NULL)
                return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
            ctype = hval;
        }
    }
    if (disp.p == NULL)
        return mp_fail(m, APP_EINVAL, "multipart.bad_part_header");
    rc = mp_disposition(m, disp, &name, &filename, &has_filename);
    if (rc != APP_OK)
        return rc;

    m->name = name;
    m->size = 0;
    m->tmp = NULL;
    if (!has_filename) {
        if (m->nfields >= m->lim->max_fields)
            return mp_fail(m, APP_ETOOBIG, "multipart.too_many_fields");
        m->nfields++;
        buf_init(&m->field, m->a, m->lim->max_field_size);
        m->sink = SINK_FIELD;
    } else if (filename.len == 0) {
        /* A file input left empty is sent as filename="": no upload. */
        m->sink = SINK_DROP;
    } else {
        m->filename = filename;
        m->ctype = ctype.p != NULL ? arena_str(m->a, ctype) : STR_LIT("");
        if (m->ctype.p == NULL)
            return mp_fail(m, APP_ENOMEM, "parse.no_memory");
        rc = mp_tmp_open(m);
        if (rc != APP_OK)
            return rc;
        m->sink = SINK_FILE;
    }
    m->in_part = true;
    return APP_OK;
}

APP_MUST_USE static enum app_err
mp_headers(struct mp *m)
{
    enum app_err rc;

    while (m->start < m->end) {
        size_t n;

        rc = buf_putc(&m->hdr, m->buf[m->start++]);
        if (rc == APP_ETOOBIG)
            return mp_fail(m, rc, "multipart.part_header_too_large");
        if (rc != APP_OK)
            return mp_fail(m, APP_ENOMEM, "parse.no_memory");
        n = m->hdr.len;
        if (m->hdr.p[n - 1] == '\n' &&
            ((n == 2 && memcmp(m->hdr.p, "\r\n", 2) == 0) ||
             (n >= 4 && memcmp(m->hdr.p + n - 4, "\r\n\r\n", 4) == 0))) {
            rc = mp_part_begin(m);
            if (rc != APP_OK)
                return rc;
            m->state = MP_BODY;
            return APP_OK;
        }
    }
    if (m->eof)
        return mp_fail(m, APP_EINVAL, "multipart.truncated");
    return mp_fill(m);
}

/* --- after a delimiter ---------------------------------------------------
 */

APP_MUST_USE static enum app_err
mp_after(struct mp *m)
{
    while (m->start < m->end) {
        char c = m->buf[m->start++];

        switch (m->after) {
        case AFTER_START:
        case AFTER_PAD:
            if (c == '-' && m->after == AFTER_START) {
                m->after = AFTER_DASH;
            } else if (c == ' ' || c == '\t') {
                m->after = AFTER_PAD;
            } else if (c == '\r') {
                m->after = AFTER_CR;
            } else {
                return mp_fail(m, APP_EINVAL, "multipart.malformed");
            }
            break;
        case AFTER_DASH:
            if (c != '-')
                return mp_fail(m, APP_EINVAL, "multipart.malformed");
            m->state = MP_DONE;
            return APP_OK;
        case AFTER_CR:
            if (c != '\n')
                return mp_fail(m, APP_EINVAL, "multipart.malformed");
            if (m->nparts >= m->lim->max_parts)
                return mp_fail(m, APP_ETOOBIG, "multipart.too_many_parts");
            m->nparts++;
            buf_clear(&m->hdr);
            m->state = MP_HEADERS;
            return APP_OK;
        }
    }
    if (m->eof)
        return mp_fail(m, APP_EINVAL, "multipart.truncated");
    return mp_fill(m);
}

/* --- entry point ---------------------------------------------------------
 */

/* RFC 2046 §5.1.1 bchars; the last one must not be a space. */
static bool
mp_boundary_ok(struct str b)
{
    size_t i;

    for (i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') ||
              (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL)))
            return false;
    }
    return b.p[b.len - 1] != ' ';
}

enum app_err
multipart_parse(struct arena *a, struct str boundary, mp_read_fn rd, void *ctx,
                const struct multipart_limits *lim, const char *tmp_dir,
                struct kvlist *fields, struct upload_list *files,
                const char **detail)
{
    struct mp m;
    size_t hmax;
    enum app_err rc = APP_OK;

    memset(&m, 0, sizeof(m));
    m.a = a;
    m.lim = lim;
    m.read = rd;
    m.ctx = ctx;
    m.tmp_dir = tmp_dir;
    m.fields = fields;
    m.files = files;

    if (boundary.p == NULL || boundary.len == 0) {
        rc = mp_fail(&m, APP_EINVAL, "multipart.no_boundary");
        goto out;
    }
    if (boundary.len > MP_BOUNDARY_MAX || !mp_boundary_ok(boundary)) {
        rc = mp_fail(&m, APP_EINVAL, "multipart.bad_boundary");
        goto out;
    }
    memcpy(m.delim, "\r\n--", 4);
    memcpy(m.delim + 4, boundary.p, boundary.len);
    m.dlen = 4 + boundary.len;

    /* The header buffer also holds the final empty line's CRLF. */
    if (__builtin_add_overflow(lim->max_part_header, (size_t)2, &hmax))
        hmax = SIZE_MAX;
    buf_init(&m.hdr, a, hmax);
    m.buf = arena_alloc(a, MP_BUFSZ);
    if (m.buf == NULL) {
        rc = mp_fail(&m, APP_ENOMEM, "parse.no_memory");
        goto out;
    }
    memcpy(m.buf, "\r\n", 2); /* the virtual CRLF before the body */
    m.end = 2;
    m.state = MP_BODY;

    while (rc == APP_OK && m.state != MP_DONE) {
        switch (m.state) {
        case MP_BODY:
            rc = mp_body(&m);
            break;
        case MP_AFTER:
            rc = mp_after(&m);
            break;
        case MP_HEADERS:
            rc = mp_headers(&m);
            break;
        case MP_DONE:
            break;
        }
    }
out:
    if (rc != APP_OK && detail != NULL)
        *detail = m.detail;
    return rc;
}

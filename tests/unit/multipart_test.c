/*
 * multipart_test.c -- table-driven tests of the streaming multipart parser
 * (STYLE §17).  Every row is parsed with one big read, with reads of 1..7
 * bytes, with a cycling pattern of read sizes and with the body split in
 * two at every position, and each way must give the same result; after each
 * run the arena is reset and the temporary directory must be empty again.
 * Malformed and boundary rows come first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A step of setting up a test that must not fail. */
#define MUST_OK(expr) assert_int_equal((expr), APP_OK)

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "http/multipart.h"

#define S(x)                                                                   \
    {                                                                          \
        (x), sizeof(x) - 1                                                     \
    }
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

#define B "AaB03x"
#define DELIM "--" B "\r\n"
#define END "--" B "--\r\n"
#define CD(n) "Content-Disposition: form-data; name=\"" n "\"\r\n"
#define FIELD(n, v) DELIM CD(n) "\r\n" v "\r\n"
#define FILEP(n, f, ct, v)                                                     \
    DELIM "Content-Disposition: form-data; name=\"" n "\"; filename=\"" f      \
          "\"\r\nContent-Type: " ct "\r\n\r\n" v "\r\n"
#define HDR(h) DELIM h "\r\n\r\nv\r\n" END

static char tmpdir[64];

static const struct multipart_limits lim_def = {
    .max_parts = 16,
    .max_part_header = 1024,
    .max_field_size = 1024,
    .max_file_size = 4096,
    .max_total = 1u << 20,
    .max_fields = 16,
};

/* --- plumbing ------------------------------------------------------------
 */

/* A memory-backed body.  Each read returns at most: what is left, n,
 * `split - pos` while before the split, `chunk`, and the next entry of
 * the pattern. */
struct src {
    const char *p;
    size_t len, pos;
    size_t split, chunk;
    const unsigned char *pat;
    size_t npat, ipat;
    long fail_at;  /* -1 when off: return -1 once pos reaches it */
    int overread;  /* claim one byte more than asked */
    unsigned seed; /* nonzero: random sizes 1..seed-driven */
};

static long
src_read(void *ctx, char *buf, size_t n)
{
    struct src *s = ctx;
    size_t k = s->len - s->pos;

    if (s->fail_at >= 0 && s->pos >= (size_t)s->fail_at)
        return -1;
    if (s->overread)
        return (long)n + 1;
    if (k > n)
        k = n;
    if (s->fail_at >= 0 && k > (size_t)s->fail_at - s->pos)
        k = (size_t)s->fail_at - s->pos;
    if (s->split > 0 && s->pos < s->split && k > s->split - s->pos)
        k = s->split - s->pos;
    if (s->chunk > 0 && k > s->chunk)
        k = s->chunk;
    if (s->npat > 0) {
        size_t c = s->pat[s->ipat++ % s->npat];

        if (k > c)
            k = c;
    }
    if (s->seed != 0) {
        size_t c;

        s->seed = s->seed * 1103515245u + 12345u;
        c = 1 + (s->seed >> 8) % 70000;
        if (k > c)
            k = c;
    }
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (long)k;
}

static struct src
src_new(struct str body)
{
    struct src s;

    memset(&s, 0, sizeof(s));
    s.p = body.p;
    s.len = body.len;
    s.fail_at = -1;
    return s;
}

static size_t
dir_entries(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

/* Append a file's bytes, checking its size, mode and place. */
static void
dump_file(struct buf *b, const struct upload *u)
{
    struct stat st;
    char chunk[4096];
    size_t total = 0;
    int fd;

    assert_int_equal(strncmp(u->path, tmpdir, strlen(tmpdir)), 0);
    assert_int_equal(stat(u->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal((size_t)st.st_size, u->size);
    fd = open(u->path, O_RDONLY);
    assert_true(fd >= 0);
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));

        assert_true(r >= 0);
        if (r == 0)
            break;
        assert_int_equal(buf_append(b, chunk, (size_t)r), APP_OK);
        total += (size_t)r;
    }
    close(fd);
    assert_int_equal(total, u->size);
}

/* "F[name]=[value]\n" per field, then "U[field][filename][type]=[bytes]\n"
 * per file. */
static void
dump_result(const struct kvlist *f, const struct upload_list *u, struct buf *b)
{
    size_t i;

    buf_init(b, NULL, 64u << 20);
    MUST_OK(buf_append(b, "", 0));
    for (i = 0; i < f->n; i++) {
        assert_int_equal(f->v[i].key.p[f->v[i].key.len], '\0');
        assert_int_equal(f->v[i].val.p[f->v[i].val.len], '\0');
        MUST_OK(buf_puts(b, "F["));
        MUST_OK(buf_put_str(b, f->v[i].key));
        MUST_OK(buf_puts(b, "]=["));
        MUST_OK(buf_put_str(b, f->v[i].val));
        MUST_OK(buf_puts(b, "]\n"));
    }
    for (i = 0; i < u->n; i++) {
        assert_int_equal(u->v[i].filename.p[u->v[i].filename.len], '\0');
        assert_non_null(u->v[i].content_type.p);
        MUST_OK(buf_puts(b, "U["));
        MUST_OK(buf_put_str(b, u->v[i].field));
        MUST_OK(buf_puts(b, "]["));
        MUST_OK(buf_put_str(b, u->v[i].filename));
        MUST_OK(buf_puts(b, "]["));
        MUST_OK(buf_put_str(b, u->v[i].content_type));
        MUST_OK(buf_puts(b, "]=["));
        dump_file(b, &u->v[i]);
        MUST_OK(buf_puts(b, "]\n"));
    }
}

struct outcome {
    enum app_err rc;
    const char *detail;
    struct buf dump; /* on success */
};

/* Parse once; the arena is reset afterwards and must leave no file. */
static void
run_once(struct arena *a, struct str boundary, struct src *s,
         const struct multipart_limits *lim, struct outcome *o)
{
    struct kvlist fields = { 0 };
    struct upload_list files = { 0 };

    o->detail = NULL;
    o->rc = multipart_parse(a, boundary, src_read, s, lim, tmpdir, &fields,
                            &files, &o->detail);
    buf_init(&o->dump, NULL, 1);
    if (o->rc == APP_OK)
        dump_result(&fields, &files, &o->dump);
    else
        assert_non_null(o->detail);
    arena_reset(a);
    assert_int_equal(dir_entries(), 0);
}

static void
expect(const char *what, const char *mode, size_t arg, const struct outcome *o,
       enum app_err rc, const char *detail, struct str want)
{
    if (o->rc != rc)
        fail_msg("%s [%s %zu]: rc %d (%s), want %d (%s)", what, mode, arg,
                 o->rc, o->detail ? o->detail : "-", rc, detail ? detail : "-");
    if (rc != APP_OK) {
        if (strcmp(o->detail, detail) != 0)
            fail_msg("%s [%s %zu]: detail %s, want %s", what, mode, arg,
                     o->detail, detail);
        return;
    }
    if (o->dump.len != want.len || memcmp(o->dump.p, want.p, want.len) != 0)
        fail_msg("%s [%s %zu]: got\n%.*s\nwant\n%.*s", what, mode, arg,
                 (int)o->dump.len, o->dump.p, (int)want.len, want.p);
}

static const unsigned char pattern[] = { 1, 2, 3, 5, 7, 4, 6, 1, 1, 7 };

/* Every way of chunking the body must give the expected outcome. */
static void
run_all_ways(struct arena *a, const char *what, struct str body,
             const struct multipart_limits *lim, enum app_err rc,
             const char *detail, struct str want)
{
    struct outcome o;
    struct src s;
    size_t k;

    s = src_new(body);
    run_once(a, STR_LIT(B), &s, lim, &o);
    expect(what, "one read", 0, &o, rc, detail, want);
    buf_free(&o.dump);
    for (k = 1; k <= 7; k++) {
        s = src_new(body);
        s.chunk = k;
        run_once(a, STR_LIT(B), &s, lim, &o);
        expect(what, "chunk", k, &o, rc, detail, want);
        buf_free(&o.dump);
    }
    s = src_new(body);
    s.pat = pattern;
    s.npat = sizeof(pattern);
    run_once(a, STR_LIT(B), &s, lim, &o);
    expect(what, "pattern", 0, &o, rc, detail, want);
    buf_free(&o.dump);
    for (k = 1; k < body.len; k++) {
        s = src_new(body);
        s.split = k;
        run_once(a, STR_LIT(B), &s, lim, &o);
        expect(what, "split at", k, &o, rc, detail, want);
        buf_free(&o.dump);
    }
}

static struct arena *
new_arena(void)
{
    struct arena *a = arena_new(8192, 64u << 20);

    assert_non_null(a);
    return a;
}

/* --- the table -----------------------------------------------------------
 */

static const struct multipart_limits lim_parts2 = {
    .max_parts = 2,
    .max_part_header = 1024,
    .max_field_size = 1024,
    .max_file_size = 4096,
    .max_total = 1u << 20,
    .max_fields = 16,
};
static const struct multipart_limits lim_parts0 = {
    .max_parts = 0,
    .max_part_header = 1024,
    .max_field_size = 1024,
    .max_file_size = 4096,
    .max_total = 1u << 20,
    .max_fields = 16,
};
static const struct multipart_limits lim_fields1 = {
    .max_parts = 16,
    .max_part_header = 1024,
    .max_field_size = 1024,
    .max_file_size = 4096,
    .max_total = 1u << 20,
    .max_fields = 1,
};
static const struct multipart_limits lim_field3 = {
    .max_parts = 16,
    .max_part_header = 1024,
    .max_field_size = 3,
    .max_file_size = 4096,
    .max_total = 1u << 20,
    .max_fields = 16,
};
static const struct multipart_limits lim_file3 = {
    .max_parts = 16,
    .max_part_header = 1024,
    .max_field_size = 1024,
    .max_file_size = 3,
    .max_total = 1u << 20,
    .max_fields = 16,
};

struct mp_row {
    const char *what;
    struct str body;
    const struct multipart_limits *lim; /* NULL: lim_def */
    enum app_err rc;
    const char *detail;
    struct str want;
};

#define BIN                                                                    \
    "\0\x01\xff\r\n\r\n--\r\n--AaB03\r\r\n\n--" B "\r--" B "--\r\n-" B         \
    "\r\n--AaB03y\r"

static const struct mp_row rows[] = {
    /* truncated bodies */
    { "empty body", S(""), NULL, APP_EINVAL, "multipart.truncated", S("") },
    { "no delimiter", S("hello world"), NULL, APP_EINVAL, "multipart.truncated",
      S("") },
    { "delimiter not at line start", S("x--" B "\r\n"), NULL, APP_EINVAL,
      "multipart.truncated", S("") },
    { "eof in headers", S(DELIM "Content-Disp"), NULL, APP_EINVAL,
      "multipart.truncated", S("") },
    { "eof in header CRLF", S(DELIM CD("a") "\r"), NULL, APP_EINVAL,
      "multipart.truncated", S("") },
    { "eof in body", S(DELIM CD("a") "\r\nvalue"), NULL, APP_EINVAL,
      "multipart.truncated", S("") },
    { "eof in partial delimiter", S(DELIM CD("a") "\r\nvalue\r\n--AaB0"), NULL,
      APP_EINVAL, "multipart.truncated", S("") },
    { "eof after delimiter", S(FIELD("a", "1") "--" B), NULL, APP_EINVAL,
      "multipart.truncated", S("") },
    { "eof after one dash", S(FIELD("a", "1") "--" B "-"), NULL, APP_EINVAL,
      "multipart.truncated", S("") },
    { "eof in padding", S(FIELD("a", "1") "--" B "  "), NULL, APP_EINVAL,
      "multipart.truncated", S("") },
    { "eof after CR", S("--" B "\r"), NULL, APP_EINVAL, "multipart.truncated",
      S("") },
    { "no CRLF before close (strict RFC 2046)", S(DELIM CD("a") "\r\n" END),
      NULL, APP_EINVAL, "multipart.truncated", S("") },
    { "no close delimiter after file", S(FILEP("f", "a", "t/p", "xyz")), NULL,
      APP_EINVAL, "multipart.truncated", S("") },
    /* malformed delimiter lines */
    { "junk after boundary", S("--" B "Z\r\n"), NULL, APP_EINVAL,
      "multipart.malformed", S("") },
    { "longer boundary", S("--" B "x\r\n" CD("a") "\r\n1\r\n--" B "x--"), NULL,
      APP_EINVAL, "multipart.malformed", S("") },
    { "single dash then junk", S("--" B "-x"), NULL, APP_EINVAL,
      "multipart.malformed", S("") },
    { "CR without LF", S("--" B "\rX"), NULL, APP_EINVAL, "multipart.malformed",
      S("") },
    { "LF line ends", S("--" B "\n" CD("a") "\n1\n--" B "--"), NULL, APP_EINVAL,
      "multipart.malformed", S("") },
    { "padding then junk", S("--" B " x\r\n"), NULL, APP_EINVAL,
      "multipart.malformed", S("") },
    { "padding then close", S("--" B " --"), NULL, APP_EINVAL,
      "multipart.malformed", S("") },
    { "junk after a part's delimiter", S(FIELD("a", "1") "--" B "junk"), NULL,
      APP_EINVAL, "multipart.malformed", S("") },
    /* part headers */
    { "no headers", S(DELIM "\r\nvalue\r\n" END), NULL, APP_EINVAL,
      "multipart.bad_part_header", S("") },
    { "no Content-Disposition", S(HDR("Content-Type: text/plain")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "folded header (space)",
      S(HDR("Content-Disposition: form-data;\r\n name=\"a\"")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "folded header (tab)",
      S(HDR("Content-Disposition: form-data;\r\n\tname=\"a\"")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "header without colon",
      S(HDR("Content-Disposition form-data; name=\"a\"")), NULL, APP_EINVAL,
      "multipart.bad_part_header", S("") },
    { "space before colon",
      S(HDR("Content-Disposition : form-data; name=\"a\"")), NULL, APP_EINVAL,
      "multipart.bad_part_header", S("") },
    { "empty header name", S(DELIM ": x\r\n" CD("a") "\r\nv\r\n" END), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "lone LF in header block",
      S(HDR("Content-Disposition: form-data; name=\"a\"\nX-A: b")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "lone CR in header block",
      S(HDR("Content-Disposition: form-data; name=\"a\"\rX-A: b")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "control byte in header",
      S(HDR("Content-Disposition: form-data; name=\"a\x01\"")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "NUL in header", S(HDR("Content-Disposition: form-data; name=\"a\0\"")),
      NULL, APP_EINVAL, "multipart.bad_part_header", S("") },
    { "bad UTF-8 in name",
      S(HDR("Content-Disposition: form-data; name=\"\xC0\xAF\"")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "bad UTF-8 in other header", S(HDR(CD("a") "X-A: \xFF")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "not form-data", S(HDR("Content-Disposition: attachment; name=\"a\"")),
      NULL, APP_EINVAL, "multipart.bad_part_header", S("") },
    { "form-datax", S(HDR("Content-Disposition: form-datax; name=\"a\"")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "junk after form-data",
      S(HDR("Content-Disposition: form-data x; name=\"a\"")), NULL, APP_EINVAL,
      "multipart.bad_part_header", S("") },
    { "parameter without =", S(HDR("Content-Disposition: form-data; name")),
      NULL, APP_EINVAL, "multipart.bad_part_header", S("") },
    { "parameter without value",
      S(HDR("Content-Disposition: form-data; name=")), NULL, APP_EINVAL,
      "multipart.bad_part_header", S("") },
    { "junk after quoted value",
      S(HDR("Content-Disposition: form-data; name=\"a\"b")), NULL, APP_EINVAL,
      "multipart.bad_part_header", S("") },
    { "unterminated quote", S(HDR("Content-Disposition: form-data; name=\"a")),
      NULL, APP_EINVAL, "multipart.bad_part_header", S("") },
    { "quote escaped at end",
      S(HDR("Content-Disposition: form-data; name=\"a\\\"")), NULL, APP_EINVAL,
      "multipart.bad_part_header", S("") },
    { "two Content-Disposition", S(HDR(CD("a") CD("b"))), NULL, APP_EINVAL,
      "multipart.bad_part_header", S("") },
    { "two Content-Type",
      S(HDR(CD("a") "Content-Type: a/b\r\ncontent-type: c/d")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "two name parameters",
      S(HDR("Content-Disposition: form-data; name=\"a\"; NAME=\"b\"")), NULL,
      APP_EINVAL, "multipart.bad_part_header", S("") },
    { "two filename parameters",
      S(HDR("Content-Disposition: form-data; name=\"a\"; filename=x; "
            "filename=y")),
      NULL, APP_EINVAL, "multipart.bad_part_header", S("") },
    { "no name", S(HDR("Content-Disposition: form-data; filename=\"x\"")), NULL,
      APP_EINVAL, "multipart.no_name", S("") },
    { "empty name", S(HDR("Content-Disposition: form-data; name=\"\"")), NULL,
      APP_EINVAL, "multipart.no_name", S("") },
    /* field values must be text */
    { "NUL in field", S(FIELD("a", "x\0y") END), NULL, APP_EINVAL,
      "parse.nul_byte", S("") },
    { "overlong in field", S(FIELD("a", "\xC0\xAF") END), NULL, APP_EINVAL,
      "parse.bad_utf8", S("") },
    { "surrogate in field", S(FIELD("a", "\xED\xA0\x80") END), NULL, APP_EINVAL,
      "parse.bad_utf8", S("") },
    { "sequence split across parts",
      S(FIELD("a", "\xE4\xB8") FIELD("b", "\xAD") END), NULL, APP_EINVAL,
      "parse.bad_utf8", S("") },
    /* limits: at the limit, one past */
    { "parts at limit", S(FIELD("a", "1") FIELD("b", "2") END), &lim_parts2,
      APP_OK, NULL, S("F[a]=[1]\nF[b]=[2]\n") },
    { "parts one past", S(FIELD("a", "1") FIELD("b", "2") FIELD("c", "3") END),
      &lim_parts2, APP_ETOOBIG, "multipart.too_many_parts", S("") },
    { "empty file inputs count as parts",
      S(FIELD("a", "1") FILEP("f", "", "application/octet-stream", "")
            FIELD("b", "2") END),
      &lim_parts2, APP_ETOOBIG, "multipart.too_many_parts", S("") },
    { "no parts allowed, none sent", S(END), &lim_parts0, APP_OK, NULL, S("") },
    { "no parts allowed, one sent", S(FIELD("a", "1") END), &lim_parts0,
      APP_ETOOBIG, "multipart.too_many_parts", S("") },
    { "fields at limit", S(FIELD("a", "1") FILEP("f", "x", "t/p", "y") END),
      &lim_fields1, APP_OK, NULL, S("F[a]=[1]\nU[f][x][t/p]=[y]\n") },
    { "fields one past", S(FIELD("a", "1") FIELD("b", "2") END), &lim_fields1,
      APP_ETOOBIG, "multipart.too_many_fields", S("") },
    { "field at limit", S(FIELD("a", "abc") FIELD("b", "") END), &lim_field3,
      APP_OK, NULL, S("F[a]=[abc]\nF[b]=[]\n") },
    { "field one past", S(FIELD("a", "abcd") END), &lim_field3, APP_ETOOBIG,
      "multipart.field_too_large", S("") },
    { "field of CRLFs one past", S(FIELD("a", "\r\n\r\n") END), &lim_field3,
      APP_ETOOBIG, "multipart.field_too_large", S("") },
    { "file at limit", S(FILEP("f", "a.txt", "t/p", "abc") END), &lim_file3,
      APP_OK, NULL, S("U[f][a.txt][t/p]=[abc]\n") },
    { "file one past", S(FILEP("f", "a.txt", "t/p", "abcd") END), &lim_file3,
      APP_ETOOBIG, "multipart.file_too_large", S("") },
    { "dropped file one past", S(FILEP("f", "", "t/p", "abcd") END), &lim_file3,
      APP_ETOOBIG, "multipart.file_too_large", S("") },
    /* well-formed */
    { "zero parts", S("--" B "--"), NULL, APP_OK, NULL, S("") },
    { "zero parts, epilogue", S(END "garbage\r\n" FIELD("a", "1") END), NULL,
      APP_OK, NULL, S("") },
    { "delimiter not at line start is preamble",
      S("x--" B "\r\n" CD("a") "\r\n1\r\n" END), NULL, APP_OK, NULL, S("") },
    { "preamble", S("preamble\r\nline --" B " inline\r\n" FIELD("a", "1") END),
      NULL, APP_OK, NULL, S("F[a]=[1]\n") },
    { "epilogue ignored",
      S(FIELD("a", "1") END "epilogue\r\n" FIELD("b", "2") END), NULL, APP_OK,
      NULL, S("F[a]=[1]\n") },
    { "close without CRLF", S(FIELD("a", "1") "--" B "--"), NULL, APP_OK, NULL,
      S("F[a]=[1]\n") },
    { "close then junk", S(FIELD("a", "1") "--" B "--junk"), NULL, APP_OK, NULL,
      S("F[a]=[1]\n") },
    { "transport padding",
      S("--" B " \t\r\n" CD("a") "\r\n1\r\n--" B
                                 "  \r\n" CD("b") "\r\n2\r\n" END),
      NULL, APP_OK, NULL, S("F[a]=[1]\nF[b]=[2]\n") },
    { "simple", S(FIELD("a", "1") END), NULL, APP_OK, NULL, S("F[a]=[1]\n") },
    { "empty value", S(FIELD("a", "") END), NULL, APP_OK, NULL,
      S("F[a]=[]\n") },
    { "same name twice", S(FIELD("a", "1") FIELD("a", "2") END), NULL, APP_OK,
      NULL, S("F[a]=[1]\nF[a]=[2]\n") },
    { "value with CRLFs", S(FIELD("a", "\r\nx\r\n\r\n") END), NULL, APP_OK,
      NULL, S("F[a]=[\r\nx\r\n\r\n]\n") },
    { "delimiter lookalikes in value",
      S(FIELD("a", "--" B " start\r\n-" B "\r\n--AaB03y\n--" B "\r--" B
                   " end\r\n--AaB03") END),
      NULL, APP_OK, NULL,
      S("F[a]=[--" B " start\r\n-" B "\r\n--AaB03y\n--" B "\r--" B
        " end\r\n--AaB03]\n") },
    { "UTF-8", S(FIELD("\xE5\x90\x8D", "\xE4\xB8\xAD\xE6\x96\x87") END), NULL,
      APP_OK, NULL, S("F[\xE5\x90\x8D]=[\xE4\xB8\xAD\xE6\x96\x87]\n") },
    { "case-insensitive names",
      S(DELIM "CONTENT-DISPOSITION: FORM-DATA; NAME=\"a\"\r\ncontent-TYPE: "
              "text/plain\r\n\r\n1\r\n" END),
      NULL, APP_OK, NULL, S("F[a]=[1]\n") },
    { "unquoted name", S(HDR("Content-Disposition: form-data; name=abc")), NULL,
      APP_OK, NULL, S("F[abc]=[v]\n") },
    { "loose spacing",
      S(HDR("Content-Disposition:form-data ;name=\"a\" ; ;  \t")), NULL, APP_OK,
      NULL, S("F[a]=[v]\n") },
    { "escaped quote",
      S(HDR("Content-Disposition: form-data; name=\"a\\\"b\"")), NULL, APP_OK,
      NULL, S("F[a\"b]=[v]\n") },
    { "escaped backslash",
      S(HDR("Content-Disposition: form-data; name=\"a\\\\b\"")), NULL, APP_OK,
      NULL, S("F[a\\b]=[v]\n") },
    { "bare backslash", S(HDR("Content-Disposition: form-data; name=\"a\\b\"")),
      NULL, APP_OK, NULL, S("F[a\\b]=[v]\n") },
    { "separators in quotes",
      S(HDR("Content-Disposition: form-data; name=\"a; b=c\"")), NULL, APP_OK,
      NULL, S("F[a; b=c]=[v]\n") },
    { "unknown headers and parameters",
      S(HDR("X-Foo: bar\r\nContent-Disposition: form-data; foo=bar; "
            "name=\"a\"; x=\"y\"\r\nContent-Transfer-Encoding: base64")),
      NULL, APP_OK, NULL, S("F[a]=[v]\n") },
    { "file", S(FILEP("f", "a.txt", "text/plain", "hello") END), NULL, APP_OK,
      NULL, S("U[f][a.txt][text/plain]=[hello]\n") },
    { "file without Content-Type",
      S(DELIM "Content-Disposition: form-data; name=\"f\"; "
              "filename=\"a.bin\"\r\n\r\nxyz\r\n" END),
      NULL, APP_OK, NULL, S("U[f][a.bin][]=[xyz]\n") },
    { "file type with parameters",
      S(FILEP("f", "a", "text/plain; charset=utf-8", "x") END), NULL, APP_OK,
      NULL, S("U[f][a][text/plain; charset=utf-8]=[x]\n") },
    { "windows path stripped",
      S(FILEP("f", "C:\\Users\\me\\a.txt", "t/p", "x") END), NULL, APP_OK, NULL,
      S("U[f][a.txt][t/p]=[x]\n") },
    { "unix path stripped", S(FILEP("f", "/etc/passwd", "t/p", "x") END), NULL,
      APP_OK, NULL, S("U[f][passwd][t/p]=[x]\n") },
    { "dot-dot stripped", S(FILEP("f", "../../x.sh", "t/p", "x") END), NULL,
      APP_OK, NULL, S("U[f][x.sh][t/p]=[x]\n") },
    { "mixed separators", S(FILEP("f", "a/b\\c.txt", "t/p", "x") END), NULL,
      APP_OK, NULL, S("U[f][c.txt][t/p]=[x]\n") },
    { "name only a directory: no upload",
      S(FILEP("f", "dir/", "t/p", "") FIELD("a", "1") END), NULL, APP_OK, NULL,
      S("F[a]=[1]\n") },
    { "empty file input: no upload",
      S(FILEP("f", "", "application/octet-stream", "") FIELD("a", "1") END),
      NULL, APP_OK, NULL, S("F[a]=[1]\n") },
    { "filename* ignored",
      S(DELIM "Content-Disposition: form-data; name=\"f\"; "
              "filename*=UTF-8''%e2%82%ac.txt; filename=\"euro.txt\"\r\n\r\n"
              "x\r\n" END),
      NULL, APP_OK, NULL, S("U[f][euro.txt][]=[x]\n") },
    { "only filename*: a field",
      S(DELIM "Content-Disposition: form-data; name=\"f\"; "
              "filename*=UTF-8''a.txt\r\n\r\nx\r\n" END),
      NULL, APP_OK, NULL, S("F[f]=[x]\n") },
    { "empty file", S(FILEP("f", "e.bin", "a/b", "") END), NULL, APP_OK, NULL,
      S("U[f][e.bin][a/b]=[]\n") },
    { "binary file", S(FILEP("f", "bin.dat", "a/b", BIN) END), NULL, APP_OK,
      NULL, S("U[f][bin.dat][a/b]=[" BIN "]\n") },
    { "file ending in CRLF", S(FILEP("f", "a", "t/p", "abc\r\n") END), NULL,
      APP_OK, NULL, S("U[f][a][t/p]=[abc\r\n]\n") },
    { "file starting with dash-boundary",
      S(FILEP("f", "a", "t/p", "--" B "\r\ndata") END), NULL, APP_OK, NULL,
      S("U[f][a][t/p]=[--" B "\r\ndata]\n") },
    { "fields and files in order",
      S(FIELD("a", "1") FILEP("f", "x.txt", "t/p", "X") FIELD("b", "2")
            FILEP("f", "y.txt", "t/q", "YY") END),
      NULL, APP_OK, NULL,
      S("F[a]=[1]\nF[b]=[2]\nU[f][x.txt][t/p]=[X]\nU[f][y.txt][t/q]=[YY]\n") },
};

static void
test_table(void **state)
{
    struct arena *a = new_arena();
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        const struct mp_row *r = &rows[i];

        run_all_ways(a, r->what, r->body, r->lim ? r->lim : &lim_def, r->rc,
                     r->detail, r->want);
    }
    arena_free(a);
}

/* --- limits computed from the body ---------------------------------------
 */

static void
test_part_header_limit(void **state)
{
    static const char hdr[] = "Content-Disposition: form-data; name=\"a\"\r\n"
                              "X-Pad: 0123456789\r\n";
    static const char body[] = DELIM "Content-Disposition: form-data; "
                                     "name=\"a\"\r\nX-Pad: 0123456789\r\n"
                                     "\r\nv\r\n" END;
    struct multipart_limits lim = lim_def;
    struct arena *a = new_arena();

    (void)state;
    lim.max_part_header = sizeof(hdr) - 1;
    run_all_ways(a, "header at limit", STR_LIT(body), &lim, APP_OK, NULL,
                 STR_LIT("F[a]=[v]\n"));
    lim.max_part_header--;
    run_all_ways(a, "header one past", STR_LIT(body), &lim, APP_ETOOBIG,
                 "multipart.part_header_too_large", STR_LIT(""));
    /* A header block that never ends stops at the limit, not at EOF. */
    lim.max_part_header = 16;
    run_all_ways(a, "endless header",
                 STR_LIT(DELIM "X-Pad: 0123456789012345678901234567890"), &lim,
                 APP_ETOOBIG, "multipart.part_header_too_large", STR_LIT(""));
    lim.max_part_header = 0;
    run_all_ways(a, "zero header bytes", STR_LIT(body), &lim, APP_ETOOBIG,
                 "multipart.part_header_too_large", STR_LIT(""));
    arena_free(a);
}

static void
test_total_limit(void **state)
{
    static const char body[] = FIELD("a", "1") "--" B "--";
    static const char with_epilogue[] =
        FIELD("a", "1") "--" B "--\r\nepilogue that is never read";
    struct multipart_limits lim = lim_def;
    struct arena *a = new_arena();

    (void)state;
    lim.max_total = sizeof(body) - 1;
    run_all_ways(a, "total at limit", STR_LIT(body), &lim, APP_OK, NULL,
                 STR_LIT("F[a]=[1]\n"));
    run_all_ways(a, "epilogue past the limit is not read",
                 STR_LIT(with_epilogue), &lim, APP_OK, NULL,
                 STR_LIT("F[a]=[1]\n"));
    lim.max_total--;
    run_all_ways(a, "total one past", STR_LIT(body), &lim, APP_ETOOBIG,
                 "multipart.too_large", STR_LIT(""));
    lim.max_total = 0;
    run_all_ways(a, "nothing allowed", STR_LIT(body), &lim, APP_ETOOBIG,
                 "multipart.too_large", STR_LIT(""));
    run_all_ways(a, "nothing allowed, nothing sent", STR_LIT(""), &lim,
                 APP_EINVAL, "multipart.truncated", STR_LIT(""));
    arena_free(a);
}

/* --- boundaries ----------------------------------------------------------
 */

struct boundary_row {
    const char *what;
    struct str boundary;
    enum app_err rc;
    const char *detail;
};

#define B70                                                                    \
    "0123456789012345678901234567890123456789012345678901234567890123456789"

static const struct boundary_row boundary_rows[] = {
    { "NULL", { NULL, 0 }, APP_EINVAL, "multipart.no_boundary" },
    { "empty", S(""), APP_EINVAL, "multipart.no_boundary" },
    { "71 bytes", S(B70 "x"), APP_EINVAL, "multipart.bad_boundary" },
    { "bad byte @", S("a@b"), APP_EINVAL, "multipart.bad_boundary" },
    { "bad byte CR", S("a\rb"), APP_EINVAL, "multipart.bad_boundary" },
    { "NUL", S("a\0b"), APP_EINVAL, "multipart.bad_boundary" },
    { "trailing space", S("ab "), APP_EINVAL, "multipart.bad_boundary" },
    { "only a space", S(" "), APP_EINVAL, "multipart.bad_boundary" },
    { "70 bytes", S(B70), APP_OK, NULL },
    { "1 byte", S("z"), APP_OK, NULL },
    { "inner space", S("a b"), APP_OK, NULL },
    { "all bchars", S("'()+_,-./:=?aZ9"), APP_OK, NULL },
    { "WebKit style", S("----WebKitFormBoundary7MA4YWxkTrZu0gW"), APP_OK,
      NULL },
};

static void
test_boundaries(void **state)
{
    struct arena *a = new_arena();
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(boundary_rows); i++) {
        const struct boundary_row *r = &boundary_rows[i];
        struct kvlist fields = { 0 };
        struct upload_list files = { 0 };
        const char *detail = NULL;
        struct buf body;
        struct src s;
        enum app_err rc;

        buf_init(&body, NULL, 4096);
        MUST_OK(buf_puts(&body, "--"));
        if (r->boundary.p != NULL)
            MUST_OK(buf_put_str(&body, r->boundary));
        MUST_OK(buf_puts(&body, "\r\n" CD("a") "\r\nx\r\n--"));
        if (r->boundary.p != NULL)
            MUST_OK(buf_put_str(&body, r->boundary));
        MUST_OK(buf_puts(&body, "--\r\n"));
        s = src_new(buf_str(&body));
        s.chunk = 3;
        rc = multipart_parse(a, r->boundary, src_read, &s, &lim_def, tmpdir,
                             &fields, &files, &detail);
        if (rc != r->rc)
            fail_msg("%s: rc %d, want %d", r->what, rc, r->rc);
        if (rc != APP_OK) {
            assert_string_equal(detail, r->detail);
        } else {
            assert_int_equal(fields.n, 1);
            assert_string_equal(fields.v[0].val.p, "x");
        }
        buf_free(&body);
        arena_reset(a);
    }
    arena_free(a);
}

/* --- big files, byte-exact -----------------------------------------------
 */

static void
test_large_file(void **state)
{
    const size_t n = 300000;
    struct multipart_limits lim = lim_def;
    struct arena *a = new_arena();
    struct buf body, want;
    unsigned x = 12345;
    char *content = malloc(n);
    size_t i, mode;

    (void)state;
    assert_non_null(content);
    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        content[i] = (char)(x >> 16);
    }
    /* Near-delimiters everywhere, and across the 64 KiB window edges. */
    for (i = 0; i + 16 < n; i += 997)
        memcpy(content + i, "\r\n--AaB03", 9);
    for (i = 65536 - 12; i < 65536 + 12; i += 11)
        memcpy(content + i, "\r\n--AaB03\r\n", 11);
    memcpy(content + n - 9, "\r\n--AaB03", 9);
    /* Random bytes must not complete a real delimiter. */
    for (i = 0; i + 10 <= n; i++) {
        if (memcmp(content + i, "\r\n--" B, 10) == 0)
            content[i + 9] = 'y';
    }

    buf_init(&body, NULL, 1u << 20);
    MUST_OK(buf_puts(&body, FIELD("before", "x")));
    MUST_OK(buf_puts(&body, DELIM "Content-Disposition: form-data; "
                                  "name=\"f\"; filename=\"big.bin\"\r\n\r\n"));
    MUST_OK(buf_append(&body, content, n));
    MUST_OK(buf_puts(&body, "\r\n" FIELD("after", "y") END));
    buf_init(&want, NULL, 1u << 20);
    MUST_OK(buf_puts(&want, "F[before]=[x]\nF[after]=[y]\nU[f][big.bin][]=["));
    MUST_OK(buf_append(&want, content, n));
    MUST_OK(buf_puts(&want, "]\n"));

    lim.max_file_size = n;
    for (mode = 0; mode < 6; mode++) {
        struct outcome o;
        struct src s = src_new(buf_str(&body));

        if (mode == 1)
            s.chunk = 1;
        else if (mode == 2) {
            s.pat = pattern;
            s.npat = sizeof(pattern);
        } else if (mode == 3)
            s.chunk = 4093;
        else if (mode == 4)
            s.seed = 99;
        else if (mode == 5)
            s.split = 65536 + 3;
        run_once(a, STR_LIT(B), &s, &lim, &o);
        expect("large file", "mode", mode, &o, APP_OK, NULL, buf_str(&want));
        buf_free(&o.dump);
    }
    lim.max_file_size = n - 1;
    {
        struct outcome o;
        struct src s = src_new(buf_str(&body));

        s.seed = 7;
        run_once(a, STR_LIT(B), &s, &lim, &o);
        expect("large file one past", "seed", 7, &o, APP_ETOOBIG,
               "multipart.file_too_large", STR_LIT(""));
    }
    buf_free(&body);
    buf_free(&want);
    free(content);
    arena_free(a);
}

/* --- temporary files -----------------------------------------------------
 */

static void
test_tmpfiles_removed(void **state)
{
    static const char body[] = FILEP("f", "a.txt", "t/p", "A")
        FILEP("g", "b.txt", "t/p", "BB") FILEP("h", "c.txt", "t/p", "CCC") END;
    struct arena *a = new_arena();
    struct kvlist fields = { 0 };
    struct upload_list files = { 0 };
    const char *detail = NULL;
    struct src s = src_new(STR_LIT(body));
    char paths[3][128];
    struct stat st;
    size_t i;

    (void)state;
    assert_int_equal(multipart_parse(a, STR_LIT(B), src_read, &s, &lim_def,
                                     tmpdir, &fields, &files, &detail),
                     APP_OK);
    assert_int_equal(files.n, 3);
    assert_int_equal(dir_entries(), 3);
    for (i = 0; i < 3; i++) {
        assert_int_equal(stat(files.v[i].path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal((size_t)st.st_size, i + 1);
        assert_int_equal(files.v[i].size, i + 1);
        snprintf(paths[i], sizeof(paths[i]), "%s", files.v[i].path);
    }
    assert_string_equal(files.v[1].field.p, "g");
    assert_string_equal(files.v[2].filename.p, "c.txt");
    arena_reset(a);
    for (i = 0; i < 3; i++) {
        assert_int_equal(stat(paths[i], &st), -1);
        assert_int_equal(errno, ENOENT);
    }
    assert_int_equal(dir_entries(), 0);
    arena_free(a);
}

static void
test_read_errors(void **state)
{
    static const char body[] =
        FIELD("a", "1") FILEP("f", "x", "t/p", "0123456789") END;
    struct arena *a = new_arena();
    struct outcome o;
    size_t at;

    (void)state;
    /* Every byte up to the close delimiter's "--" is needed. */
    for (at = 0; at < sizeof(body) - 3; at++) {
        struct src s = src_new(STR_LIT(body));

        s.fail_at = (long)at;
        s.chunk = 5;
        run_once(a, STR_LIT(B), &s, &lim_def, &o);
        expect("read error", "at", at, &o, APP_EIO, "multipart.read_error",
               STR_LIT(""));
    }
    {
        struct src s = src_new(STR_LIT(body));

        s.overread = 1;
        run_once(a, STR_LIT(B), &s, &lim_def, &o);
        expect("callback overreads", "", 0, &o, APP_EIO, "multipart.read_error",
               STR_LIT(""));
    }
    arena_free(a);
}

static void
test_bad_tmpdir(void **state)
{
    static const char body[] = FIELD("a", "1") FILEP("f", "x", "t/p", "y") END;
    static const char fields_only[] = FIELD("a", "1") END;
    struct arena *a = new_arena();
    struct kvlist fields = { 0 };
    struct upload_list files = { 0 };
    const char *detail = NULL;
    struct src s = src_new(STR_LIT(body));

    (void)state;
    assert_int_equal(multipart_parse(a, STR_LIT(B), src_read, &s, &lim_def,
                                     "/nonexistent-proofline-dir", &fields,
                                     &files, &detail),
                     APP_EIO);
    assert_string_equal(detail, "multipart.io");
    arena_reset(a);
    /* Without file parts the directory is never touched. */
    memset(&fields, 0, sizeof(fields));
    s = src_new(STR_LIT(fields_only));
    assert_int_equal(multipart_parse(a, STR_LIT(B), src_read, &s, &lim_def,
                                     "/nonexistent-proofline-dir", &fields,
                                     &files, &detail),
                     APP_OK);
    assert_int_equal(fields.n, 1);
    arena_free(a);
}

/* --- allocation failures (STYLE §21) -------------------------------------
 */

static void
test_alloc_failures(void **state)
{
    static const char body[] = FIELD("a", "1") FILEP("f", "x.txt", "t/p", "xyz")
        FIELD("b", "22") FIELD("c", "333") FILEP("g", "y.txt", "t/p", "")
            FIELD("d", "4") FIELD("e", "5") FIELD("f", "6") FIELD("g", "7") END;
    struct arena *a = new_arena();
    unsigned n, failures = 0;

    (void)state;
    for (n = 1; n < 1000; n++) {
        struct kvlist fields = { 0 };
        struct upload_list files = { 0 };
        const char *detail = NULL;
        struct src s = src_new(STR_LIT(body));
        enum app_err rc;

        s.chunk = 3;
        arena_fail_after(a, n);
        rc = multipart_parse(a, STR_LIT(B), src_read, &s, &lim_def, tmpdir,
                             &fields, &files, &detail);
        arena_fail_after(a, 0);
        arena_reset(a);
        assert_int_equal(dir_entries(), 0);
        if (rc == APP_OK) {
            assert_int_equal(fields.n, 7);
            assert_int_equal(files.n, 2);
            break;
        }
        assert_int_equal(rc, APP_ENOMEM);
        assert_string_equal(detail, "parse.no_memory");
        failures++;
    }
    assert_true(failures > 10);
    assert_true(n < 1000);
    arena_free(a);
}

/* --- main ----------------------------------------------------------------
 */

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/proofline-mp-test-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    return rmdir(tmpdir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_part_header_limit),
        cmocka_unit_test(test_total_limit),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_large_file),
        cmocka_unit_test(test_tmpfiles_removed),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_bad_tmpdir),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

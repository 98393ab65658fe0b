/*
 * files_pages.c -- downloading a stored file: the access check in the
 * files service, the bytes sent by nginx (X-Accel-Redirect).
 */
#include "web/handlers/files_pages.h"

#include <string.h>

#include "base/wire.h"
#include "http/router.h"
#include "sales/files.h"

/* filename*=UTF-8''... (RFC 5987): everything but unreserved bytes
 * percent-encoded, so no quote or CR/LF can reach the header. */
static const char *
disposition(struct req *r, const char *mime, const char *name)
{
    const char *shown;
    struct buf b;

    buf_init(&b, r->a, 2048);
    if (buf_puts(&b, files_is_image(mime) || files_is_audio(mime) ||
                             strcmp(mime, "application/pdf") == 0
                         ? "inline"
                         : "attachment") != APP_OK)
        return "attachment";
    /* At most 3 bytes out per byte in: a long name is cut to whole
     * characters (its extension kept) to stay well under nginx's header
     * buffers; cut at a byte count, a name of 255 Chinese characters would
     * end in half a character and lose its extension. */
    shown = files_fit_name(r->a, name, FILES_NAME_MAX, FILES_HEADER_NAME_MAX);
    if (shown == NULL)
        return "attachment"; /* out of memory: the bare disposition */
    if (shown[0] != '\0' &&
        (buf_puts(&b, "; filename*=UTF-8''") != APP_OK ||
         wire_pct_encode(&b, shown, strlen(shown)) != APP_OK))
        return "attachment";
    return b.p != NULL ? b.p : "attachment";
}

enum app_err
files_download(struct req *r)
{
    struct file_ref f;
    const char *sha, *mime;
    enum app_err rc = files_find(&r->cx, router_param_int(r, "id"), &f);

    if (rc != APP_OK)
        return rc;
    sha = f.sha;
    mime = f.mime;
    rc = http_header(
        r, "X-Accel-Redirect",
        arena_printf(r->a, "/_files/%.2s/%.2s/%s", sha, sha + 2, sha));
    if (rc == APP_OK)
        rc =
            http_header(r, "Content-Disposition", disposition(r, mime, f.name));
    if (rc != APP_OK)
        return rc;
    buf_clear(&r->body);
    r->status = 200;
    r->content_type = mime;
    return APP_OK;
}

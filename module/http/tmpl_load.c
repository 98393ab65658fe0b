/*
 * tmpl_load.c -- loading every *.mustache file under a directory into a
 * set, named by its relative path without the extension.
 */
#include "http/tmpl_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- loading a directory -------------------------------------------------- */

struct loader {
    struct tmpl_set *set;
    char path[PATH_MAX];
    size_t rootlen; /* bytes of "dir/" in path */
    char *err;
    size_t errlen;
};

/* scandir() helpers: no dot files (editor swap files, .git), and byte
 * order rather than the locale's, so loading is deterministic. */
static int
visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

static int
by_bytes(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

APP_MUST_USE static enum app_err
load_file(struct loader *ld, size_t len)
{
    size_t extlen = sizeof(MUSTACHE_EXT) - 1, n = 0, cap;
    char *buf = NULL, *name = NULL;
    struct stat st;
    enum app_err rc = APP_EIO;
    int fd = open(ld->path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0) {
        tmpl_err(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)TMPL_MAX_FILE) {
        tmpl_err(ld->err, ld->errlen, "%s: not a file of at most %u bytes",
                 ld->path, TMPL_MAX_FILE);
        rc = APP_EINVAL;
        goto out;
    }
    /* One byte more than fstat said, to notice a file that grew. */
    cap = (size_t)st.st_size + 1;
    buf = malloc(cap);
    name = strndup(ld->path + ld->rootlen, len - ld->rootlen - extlen);
    if (buf == NULL || name == NULL) {
        tmpl_err(ld->err, ld->errlen, "%s: out of memory", ld->path);
        rc = APP_ENOMEM;
        goto out;
    }
    while (n < cap) {
        ssize_t k = read(fd, buf + n, cap - n);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            tmpl_err(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
            goto out;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    if (n == cap) {
        tmpl_err(ld->err, ld->errlen, "%s: changed while read", ld->path);
        goto out;
    }
    rc = tmpl_set_add(ld->set, name, buf, n, ld->err, ld->errlen);
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(name);
    return rc;
}

static bool
has_ext(const char *name)
{
    size_t n = strlen(name), e = sizeof(MUSTACHE_EXT) - 1;

    return n > e && memcmp(name + n - e, MUSTACHE_EXT, e) == 0;
}

/* Load the tree at ld->path (len bytes long), depth levels below the
 * root; recursion is bounded by TMPL_MAX_DIR_DEPTH. */
APP_MUST_USE static enum app_err
load_tree(struct loader *ld, size_t len, unsigned depth)
{
    struct dirent **ents = NULL;
    int n = scandir(ld->path, &ents, visible, by_bytes), i;
    enum app_err rc = APP_OK;

    if (n < 0) {
        tmpl_err(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
        return APP_EIO;
    }
    for (i = 0; i < n && rc == APP_OK; i++) {
        const char *name = ents[i]->d_name;
        size_t k = strlen(name), sub;
        struct stat st;

        if (__builtin_add_overflow(len, k + 1, &sub) || sub >= PATH_MAX) {
            tmpl_err(ld->err, ld->errlen, "%s/%s: path too long", ld->path,
                     name);
            rc = APP_EINVAL;
            break;
        }
        ld->path[len] = '/';
        memcpy(ld->path + len + 1, name, k + 1);
        /* Symlinked files are read; symlinked directories are not
         * followed, so the walk cannot loop. */
        if (lstat(ld->path, &st) != 0) {
            tmpl_err(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
            rc = APP_EIO;
        } else if (S_ISDIR(st.st_mode)) {
            if (strcmp(name, "static") == 0 || strcmp(name, "i18n") == 0) {
                /* assets and message catalogs, not templates */
            } else if (depth + 1 >= TMPL_MAX_DIR_DEPTH) {
                tmpl_err(ld->err, ld->errlen, "%s: nested too deep", ld->path);
                rc = APP_EINVAL;
            } else {
                rc = load_tree(ld, sub, depth + 1);
            }
        } else if (has_ext(name) &&
                   (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
            rc = load_file(ld, sub);
        }
        ld->path[len] = '\0';
    }
    for (i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    return rc;
}

enum app_err
tmpl_set_load_dir(struct tmpl_set *set, const char *dir, char *err,
                  size_t errlen)
{
    struct loader *ld;
    size_t len;
    enum app_err rc;

    if (set == NULL || dir == NULL) {
        tmpl_err(err, errlen, "tmpl_set_load_dir: bad arguments");
        return APP_EINTERNAL;
    }
    len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (len == 0 || len >= PATH_MAX - 1) {
        tmpl_err(err, errlen, "%s: bad directory name", dir);
        return APP_EINVAL;
    }
    ld = calloc(1, sizeof(*ld));
    if (ld == NULL) {
        tmpl_err(err, errlen, "%s: out of memory", dir);
        return APP_ENOMEM;
    }
    ld->set = set;
    memcpy(ld->path, dir, len);
    ld->path[len] = '\0';
    ld->rootlen = len + 1;
    ld->err = err;
    ld->errlen = errlen;
    rc = load_tree(ld, len, 0);
    free(ld);
    return rc;
}

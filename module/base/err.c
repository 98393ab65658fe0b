/*
 * err.c -- descriptions and HTTP mapping of enum app_err.
 */
#include "base/err.h"

struct err_info {
    const char *text;
    int status;
    const char *msgkey;
    const char *code;
};

static const struct err_info err_table[APP_ERR_COUNT] = {
    [APP_OK] = { "ok", 200, "error.500", "ok" },
    [APP_ENOMEM] = { "out of memory", 500, "error.500", "internal" },
    [APP_EINVAL] = { "malformed input", 400, "error.400", "bad_request" },
    [APP_ETOOBIG] = { "input too large", 413, "error.413", "too_large" },
    [APP_ENOTFOUND] = { "not found", 404, "error.404", "not_found" },
    [APP_EMETHOD] = { "method not allowed", 405, "error.405",
                      "method_not_allowed" },
    [APP_EUNAUTH] = { "not authenticated", 401, "error.401",
                      "unauthenticated" },
    [APP_EFORBIDDEN] = { "forbidden", 403, "error.403", "forbidden" },
    [APP_ECONFLICT] = { "conflict", 409, "error.409", "conflict" },
    [APP_EMEDIA] = { "unsupported media type", 415, "error.415",
                     "unsupported_media_type" },
    [APP_EVALIDATION] = { "invalid field values", 422, "error.422",
                          "validation" },
    [APP_ETHROTTLED] = { "too many requests", 429, "error.429", "throttled" },
    [APP_EDB_DOWN] = { "database unavailable", 503, "error.503",
                       "unavailable" },
    [APP_EDB] = { "database error", 500, "error.500", "internal" },
    [APP_EIO] = { "i/o error", 500, "error.500", "internal" },
    [APP_ETIMEOUT] = { "deadline exceeded", 503, "error.503", "timeout" },
    [APP_ERULE] = { "rule error", 500, "error.rule", "rule_error" },
    [APP_EINTERNAL] = { "internal error", 500, "error.500", "internal" },
};

static const struct err_info *
info(enum app_err e)
{
    if ((unsigned)e >= APP_ERR_COUNT)
        e = APP_EINTERNAL;
    return &err_table[e];
}

const char *
app_strerror(enum app_err e)
{
    return info(e)->text;
}

int
app_err_status(enum app_err e)
{
    return info(e)->status;
}

const char *
app_err_msgkey(enum app_err e)
{
    return info(e)->msgkey;
}

const char *
app_err_code(enum app_err e)
{
    return info(e)->code;
}

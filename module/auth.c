/*
 * auth.c -- authentication of requests.
 */
#include "auth.h"

const char *
auth_csrf_token(const struct req *r)
{
    return r->auth != NULL ? r->auth->csrf : NULL;
}

/*
 * channels.h -- where a company's notifications go besides the inbox: the
 * WeCom group robot of the company, the webhook (with its signing
 * secret), and the WeCom robot a manager points at the team's group.
 * Changed by admins (the team robot also by the manager), audited.
 */
#ifndef PROOFLINE_CHANNELS_H
#define PROOFLINE_CHANNELS_H

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "db/ctx.h"

#define CHANNEL_URL_MAX 500
#define CHANNEL_SECRET_BYTES 32

struct channels {
    const char *wecom_robot_url;
    const char *webhook_url;
    bool has_secret;
    const char *smtp_url; /* "smtps://host:465" or "smtp://host:587" */
    const char *smtp_user;
    bool has_smtp_password;
    const char *smtp_from;
};

APP_MUST_USE enum app_err channels_get(struct ctx *cx, struct channels *out);

/* Save the form (wecom_robot_url, webhook_url: empty, or an https URL --
 * http only for an address the installation allow-lists; smtp_url,
 * smtp_user, smtp_password (empty keeps the one kept, sealed), smtp_from
 * for e-mail).  A webhook
 * without a secret gets one (*secret_hex: shown once; else NULL).
 * APP_EVALIDATION with "channels.bad_url" per field. */
APP_MUST_USE enum app_err channels_save(struct ctx *cx, const struct kvlist *f,
                                        cJSON *errors, const char **secret_hex);

/* A new webhook secret (hex, shown once); the old one stops working. */
APP_MUST_USE enum app_err channels_rotate_secret(struct ctx *cx,
                                                 const char **secret_hex);

/* A URL a channel may point at: http(s)://host[...], at most max bytes,
 * no spaces or control characters, no user:password part. */
bool channels_url_ok(struct str url, size_t max);

#endif

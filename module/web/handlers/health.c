/*
 * health.c -- liveness (/healthz: the worker answers) and readiness
 * (/readyz: the worker can reach the database).  Both are plain text and
 * cheap enough for a load balancer to poll every second.
 */
#include "web/handlers/health.h"

enum app_err
health_live(struct req *r)
{
    return http_text(r, 200, "ok\n");
}

enum app_err
health_ready(struct req *r)
{
    /* The dispatcher has already run db_ensure() for this RF_DB route and
     * answered 503 if it failed. */
    return http_text(r, 200, "ready\n");
}

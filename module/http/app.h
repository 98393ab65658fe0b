/*
 * app.h -- the process-lifetime context shared by the master and workers.
 *
 * The master fills conf, templates, catalogs and the router before forking
 * (so workers inherit them copy-on-write) and rebuilds them on SIGHUP for
 * the next generation of workers.  The database connection is opened by
 * each worker after the fork and belongs to that worker only.
 */
#ifndef PROOFLINE_APP_H
#define PROOFLINE_APP_H

#include <stdbool.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/str.h"

struct tmpl_set;
struct i18n;
struct router;
struct db;
struct rules;

struct app {
    struct conf conf;
    struct tmpl_set *tmpl;
    struct i18n *i18n;
    struct router *router;
    struct db *db;       /* worker only; NULL in the master */
    struct rules *rules; /* worker only: tenants' rule sandboxes */
    char *engine;        /* text of lua_dir/engine.lua */
    size_t engine_len;
    unsigned worker;      /* worker slot index */
    unsigned long served; /* requests served by this worker */
};

/* Load templates and catalogs from conf.templates_dir and compile the
 * route table into a (the conf must already be set).  On failure nothing
 * in a is changed and err says what failed.  Used at start and on reload:
 * on success the previous resources are freed. */
APP_MUST_USE enum app_err app_load_resources(struct app *a, char *err,
                                             size_t errlen);

/* Free everything app_load_resources() made, and the db if any. */
void app_free_resources(struct app *a);

/* The rule engine's text (lua_dir/engine.lua), loaded once per worker. */
static inline struct str
app_engine(const struct app *a)
{
    return (struct str){ a->engine, a->engine_len };
}

#endif

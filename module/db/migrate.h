/*
 * migrate.h -- numbered SQL migrations (sql/NNN_name.sql).
 *
 * Files are applied in order of their number, each once, each inside a
 * transaction where MariaDB allows (DDL commits implicitly, so migrations
 * are written to be re-runnable: CREATE TABLE IF NOT EXISTS, ...).  Every
 * applied file is recorded in schema_migrations with its SHA-256; a file
 * changed after it was applied is an error, never silently re-run.  A
 * named lock keeps two hosts from migrating at once.
 */
#ifndef PROOFLINE_MIGRATE_H
#define PROOFLINE_MIGRATE_H

#include <stdbool.h>

#include "base/conf.h"

/* Apply pending migrations from conf->sql_dir.  With dry_run, only list
 * what would be applied.  Returns 0, or 1 with the reason on stderr. */
int migrate_run(const struct conf *conf, bool dry_run, bool quiet);

/* The same, applying only files numbered up to upto (0: all): restore
 * builds the schema a backup was taken at, and the upgrade test the
 * schema of an older release. */
int migrate_run_to(const struct conf *conf, bool dry_run, bool quiet, int upto);

#endif

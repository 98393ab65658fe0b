/*
 * dump.h -- every table of the application's database, row by row, in the
 * format LOAD DATA reads back exactly (for `proofline backup` and
 * `proofline restore`, module/server/cli_backup.c).
 *
 * A row is one line; fields are separated by a tab; in a value, backslash,
 * tab, newline, carriage return and NUL are written \\ \t \n \r \0, and
 * SQL NULL is \N.  Values are the server's text form of each column
 * (binary columns byte for byte), read whole through a streaming result,
 * so a BLOB of any size and a row of any width survive.
 *
 * Table and column names cannot be bound as parameters: they come only
 * from information_schema of the connection's own database (DATABASE())
 * and must match [a-z0-9_]+ (db_name_ok, db/sqlname.h) before they are put,
 * quoted, into a statement.  That is the one way text reaches these statements;
 * no value ever does.
 */
#ifndef PROOFLINE_DUMP_H
#define PROOFLINE_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"
#include "db/sqlname.h"

#define DUMP_TABLES_MAX 512
/* The column list "`a`,`b`,..." of one table. */
#define DUMP_COLS_MAX 8192

/* Start the consistent snapshot the backup reads from: REPEATABLE READ
 * and START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY.  Everything
 * read on db until dump_end sees the database as of this point.
 * APP_OK, APP_EDB or APP_EDB_DOWN. */
APP_MUST_USE enum app_err dump_begin(struct db *db);

/* End the snapshot (a ROLLBACK: it wrote nothing). */
void dump_end(struct db *db);

/* The base tables of the connection's database, sorted, in a (*names[i]
 * each a NUL-terminated name that passed db_name_ok).  APP_EINVAL when
 * a name does not pass (said on stderr), APP_ETOOBIG past
 * DUMP_TABLES_MAX. */
APP_MUST_USE enum app_err dump_tables(struct db *db, struct arena *a,
                                      const char ***names, size_t *n);

/* The stored (not generated) columns of table, in order, as the list
 * "`a`,`b`" (in a).  APP_EINVAL for a bad name, APP_ENOTFOUND for a
 * table without columns. */
APP_MUST_USE enum app_err dump_columns(struct db *db, struct arena *a,
                                       const char *table, const char **cols);

/* Write every row of table (columns cols, from dump_columns) through out,
 * in pieces of up to 64 KiB; *rows: how many.  out returning non-APP_OK
 * stops and is returned. */
typedef enum app_err (*dump_out_fn)(void *arg, const char *p, size_t n);
APP_MUST_USE enum app_err dump_table(struct db *db, const char *table,
                                     const char *cols, dump_out_fn out,
                                     void *arg, uint64_t *rows);

/* *any: whether table has at least one row. */
APP_MUST_USE enum app_err dump_has_rows(struct db *db, const char *table,
                                        bool *any);

/* Prepare the connection for a load: foreign key and unique checks off
 * (rows arrive in table order, not in dependency order), and
 * @proofline_bulk set so the metric triggers write no fact_log rows of
 * their own (fact_log is restored as it was).  Then BEGIN. */
APP_MUST_USE enum app_err dump_load_begin(struct db *db);

/* Load table from data in the format above (fn gives the bytes, as for
 * db_load_local); *rows: rows stored.  Any warning fails it (db_load_local),
 * so a value that does not fit is never stored changed. */
APP_MUST_USE enum app_err dump_load(struct db *db, const char *table,
                                    const char *cols, db_fill_fn fn, void *arg,
                                    uint64_t *rows);

#endif

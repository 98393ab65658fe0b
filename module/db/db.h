/*
 * db.h -- MariaDB access through prepared statements only (STYLE §11).
 *
 * One connection per worker, opened after fork.  SQL text is always a
 * constant; values are bound as parameters (struct db_val).  Statements are
 * prepared once per connection and cached by the address of their SQL
 * constant, up to DB_STMT_MAX of them (then the least recently used one is
 * closed; a test keeps the code's statements below that number).  Results are
 * fetched whole into the caller's arena as text (the client library converts
 * numbers and dates), bounded by max_rows.
 *
 * Failure model: when the server is unreachable or the connection is lost,
 * calls return APP_EDB_DOWN (pages answer 503) and the connection is
 * dropped; the next db_ensure() reconnects, so workers recover by
 * themselves when MariaDB is back.  Other SQL errors return APP_EDB and are
 * logged with the server's message; duplicate keys return APP_ECONFLICT.
 */
#ifndef PROOFLINE_DB_H
#define PROOFLINE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/str.h"

/* Prepared statements kept per connection: more than the code has (the
 * e2e test test_db_statements.py counts them in the preprocessed
 * sources and fails when they outgrow half of this). */
#define DB_STMT_MAX 1024
/* Tries of one transaction that keeps losing deadlocks (db_tx_next), and
 * how long a statement waits for a row lock (seconds, well below the
 * request watchdog). */
#define DB_TX_TRIES 5
#define DB_LOCK_WAIT_S "5"
/* Undo actions one transaction may register (db_on_rollback). */
#define DB_TX_HOOKS 16

enum db_type { DBT_NULL, DBT_I64, DBT_DOUBLE, DBT_STR };

struct db_val {
    enum db_type t;
    int64_t i;
    double d;
    struct str s;
};

#define DB_I64(v) ((struct db_val){ .t = DBT_I64, .i = (int64_t)(v) })
#define DB_DBL(v) ((struct db_val){ .t = DBT_DOUBLE, .d = (v) })
#define DB_STR(v) ((struct db_val){ .t = DBT_STR, .s = (v) })
#define DB_CSTR(v) ((struct db_val){ .t = DBT_STR, .s = str_c(v) })
#define DB_NULL ((struct db_val){ .t = DBT_NULL })

/* Pass an argument list: db_query(db, a, SQL, DB_ARGS(DB_I64(t)), ...). */
#define DB_ARGS(...)                                                           \
    (const struct db_val[]){ __VA_ARGS__ },                                    \
        sizeof((const struct db_val[]){ __VA_ARGS__ }) / sizeof(struct db_val)
#define DB_NOARGS NULL, 0

struct db_res {
    size_t nrows;
    size_t ncols;
    struct str *cells; /* nrows * ncols; .p == NULL for SQL NULL */
};

struct db;

/* Make a connection handle for conf (not yet connected).  NULL when out
 * of memory.  mysql_library_init() must have run (db_library_init). */
struct db *db_new(const struct conf *conf);

/* Close and free. */
void db_free(struct db *db);

/* Call once in the master before forking. */
int db_library_init(void);

/* Connect if not connected or if the server closed the connection (a
 * poll, no round trip); over TCP also ping if the connection has been
 * idle for a while.  APP_OK or APP_EDB_DOWN.  After a failure, attempts within
 * the next 200 ms fail at once without touching the network, so a burst of
 * requests during an outage does not pile up connect attempts. */
APP_MUST_USE enum app_err db_ensure(struct db *db);

/* True when a connection is currently open. */
bool db_is_up(const struct db *db);

/* The statement cache of this connection, for the debug routes and the
 * tests: statements cached now, prepared since the worker started, and
 * closed to make room (0 unless the code outgrew DB_STMT_MAX). */
struct db_stats {
    size_t cached;
    uint64_t prepared;
    uint64_t evicted;
};
void db_stats(const struct db *db, struct db_stats *out);

/* Exchanges with the server (connect, ping, prepare, execute, commit,
 * rollback) since the last db_round_trips_reset.  The worker resets it
 * at the start of each request and, with debug_routes on, answers it as
 * the header X-DB-Round-Trips, so the tests hold the signed-in request
 * path to its budget.  With trace, each one is also logged at level
 * debug (event db.round_trip, naming its SQL). */
uint64_t db_round_trips(const struct db *db);
void db_round_trips_reset(struct db *db, bool trace);

/* Reads answered together (a page that needs several independent reads
 * pays one round trip instead of one each).  A part is one read exactly
 * as its service runs it through db_query: its SQL text, arguments,
 * max_rows, and the number of columns it returns.  db_prefetch runs sql,
 * a UNION ALL of the parts in the order given: every row's first column
 * is its part's index and the next columns are the parts' columns side by
 * side (part k's own columns at their place, NULL in the others' places,
 * so each column keeps its type and its text is the one db_query gives);
 * args are the parts' arguments, one part after the other.  Each part's
 * rows are kept, in the order of sql's rows, as the answer of the next
 * db_query with the same SQL text, arguments and max_rows (then
 * forgotten): the services that run these reads do not change, and a read
 * whose arguments differ simply goes to the server.  Everything kept is
 * forgotten at db_round_trips_reset (each request) and by any write,
 * transaction or statement other than db_query (db_exec, db_begin,
 * db_commit, db_rollback...), so a read is never answered from before a
 * change made by the same request.  Cells live in arena a. */
#define DB_PART_ARGS 16
#define DB_PREFETCH_MAX 8
struct db_part {
    const char *sql;
    struct db_val args[DB_PART_ARGS];
    size_t nargs;
    size_t max_rows;
    size_t ncols;
};
APP_MUST_USE enum app_err db_prefetch(struct db *db, struct arena *a,
                                      const char *sql,
                                      const struct db_part *parts,
                                      size_t nparts);

/* Run a statement returning rows into out (cells in arena a).  More than
 * max_rows rows is APP_ETOOBIG. */
APP_MUST_USE enum app_err db_query(struct db *db, struct arena *a,
                                   const char *sql, const struct db_val *args,
                                   size_t nargs, size_t max_rows,
                                   struct db_res *out);

/* Stream a large result without holding it: fn is called once per row
 * with the row's values as integers (ints[c]; 0 for NULL, nulls[c] set)
 * and, for text columns, as text (texts[c], at most DB_SCAN_TEXT bytes,
 * longer text is cut; NULL for SQL NULL).  A column is read as text when
 * bit c of text_cols is set.  Rows are fetched one at a time from the
 * server (no copy of the whole result), so a cold load of millions of
 * rows costs no memory but the caller's.  fn returning non-APP_OK stops
 * the scan (the rest of the result is drained) and is returned. */
#define DB_SCAN_COLS 16
#define DB_SCAN_TEXT 64
struct db_row {
    int64_t ints[DB_SCAN_COLS];
    bool nulls[DB_SCAN_COLS];
    const char *texts[DB_SCAN_COLS];
};
typedef enum app_err (*db_row_fn)(void *arg, const struct db_row *row);
APP_MUST_USE enum app_err db_scan(struct db *db, const char *sql,
                                  const struct db_val *args, size_t nargs,
                                  unsigned text_cols, db_row_fn fn, void *arg);

/* Stream every row of a statement built at run time (the privacy export
 * reads each table that has a tenant_id column; its name comes from
 * information_schema and must have been checked by the caller, values are
 * still bound).  The statement is prepared for this call only, not cached,
 * and closed at the end.  fn gets each row's cells whole (no cut, unlike
 * db_scan; .p NULL for SQL NULL) and the columns' names and kinds; the
 * cells live until fn returns.  Rows come one at a time from the server,
 * so fn must not use the connection.  A cell longer than max_cell bytes
 * stops the dump with APP_ETOOBIG.  fn returning non-APP_OK stops it and is
 * returned. */
struct db_dump_col {
    const char *name;
    bool binary;  /* BLOB/BINARY bytes, not text */
    bool numeric; /* a number type */
};
typedef enum app_err (*db_dump_fn)(void *arg, size_t ncols,
                                   const struct db_dump_col *cols,
                                   const struct str *cells);
APP_MUST_USE enum app_err db_dump(struct db *db, const char *sql,
                                  const struct db_val *args, size_t nargs,
                                  size_t max_cell, db_dump_fn fn, void *arg);

/* db_exec for a statement built at run time (the privacy erasure's
 * per-column updates over tables found in information_schema): prepared
 * for this call only, not cached.  The caller has checked every name in
 * it; values are bound. */
APP_MUST_USE enum app_err db_exec_once(struct db *db, const char *sql,
                                       const struct db_val *args, size_t nargs,
                                       uint64_t *affected);

/* Run a statement returning no rows.  affected/last_id may be NULL. */
APP_MUST_USE enum app_err db_exec(struct db *db, const char *sql,
                                  const struct db_val *args, size_t nargs,
                                  uint64_t *affected, uint64_t *last_id);

/* Run a one-row statement (usually an INSERT) for nrows rows in one round
 * trip: rows holds nrows * ncols values, row after row.  Each column keeps
 * one type (or NULL) across the rows.  sql must be used only through this
 * call (the array size stays set on its cached statement). */
APP_MUST_USE enum app_err db_exec_bulk(struct db *db, const char *sql,
                                       const struct db_val *rows, size_t ncols,
                                       size_t nrows);

/* LOAD DATA LOCAL INFILE with the "file" streamed from memory: sql is a
 * constant LOAD DATA LOCAL INFILE statement (LOAD DATA cannot be
 * prepared; the values travel as the file's data, never in the SQL text),
 * and fn fills buf[cap] with the next bytes of the data, setting *n (0 at
 * the end); fn returning non-APP_OK aborts the statement (APP_EINTERNAL).
 * *affected: rows stored.  Any warning the server reports (LOCAL turns
 * duplicate keys and bad values into warnings) fails the call with
 * APP_EDB, so rows are never dropped silently; use it inside a
 * transaction so such a failure stores nothing.  The connection refuses
 * the server's requests for local files at any other time. */
typedef enum app_err (*db_fill_fn)(void *arg, char *buf, size_t cap, size_t *n);
APP_MUST_USE enum app_err db_load_local(struct db *db, const char *sql,
                                        db_fill_fn fn, void *arg,
                                        uint64_t *affected);

/* Transactions.  db_rollback is safe to call when none is open. */
APP_MUST_USE enum app_err db_begin(struct db *db);
APP_MUST_USE enum app_err db_commit(struct db *db);
void db_rollback(struct db *db);
bool db_in_tx(const struct db *db);

/* Testing aid (STYLE §21): while on, the next db_commit() commits on the
 * server and then reports the connection lost, as when the answer to
 * COMMIT never arrives.  The worker turns it on for a request that asks
 * for the fail point "db.commit_lost" (debug_routes only) and off after
 * every request. */
void db_fail_commit_lost(struct db *db, bool on);

/* A transaction that is run again when the server aborts it as a
 * deadlock or lock-wait victim:
 *
 *     struct db_tx tx = DB_TX_INIT;
 *     enum app_err rc;
 *
 *     while (db_tx_next(db, &tx, &rc)) {
 *         rc = first_write(...);
 *         if (rc == APP_OK)
 *             rc = second_write(...);
 *     }
 *     // rc: APP_OK when committed
 *
 * The first call begins; each later call commits when the body left rc
 * APP_OK, else rolls back, and begins again (up to DB_TX_TRIES, with a
 * short random pause, logged as db.tx_retry) when the failure was a
 * deadlock or lock wait.  When every try lost, rc is APP_ETIMEOUT (503).
 * Inside a transaction already open, the body runs once as part of it
 * (nothing is committed or rolled back there): a service that keeps its
 * own writes atomic can be called from another's transaction.
 * The body must be safe to run again: database work, and work outside the
 * database only with an undo registered by db_on_rollback.
 *
 * Lock order (so that deadlocks stay rare): a write that touches a
 * customer locks the customer's row first (customers_lock), then its
 * children; writes to several customers lock them in ascending id order. */
struct db_tx {
    bool begun;
    int retries;
    bool joined; /* begun inside an open transaction: part of it */
};
#define DB_TX_INIT ((struct db_tx){ false, 0, false })
bool db_tx_next(struct db *db, struct db_tx *tx, enum app_err *rc);

/* Register fn(arg) to undo something the open transaction did outside the
 * database (a file put in place): it runs if the transaction does not
 * commit -- on db_rollback (before ROLLBACK, while the transaction's row
 * locks still hold), on a COMMIT the server refused, or when the
 * connection is lost before COMMIT -- and is forgotten on a successful
 * commit.  A COMMIT whose answer is lost (a connection error) may or may
 * not have committed: the undo is then forgotten too, so what it would
 * have removed stays (for a file, at worst one without a row, which
 * `proofline files check` reports) rather than rows losing what they
 * refer to.  arg must live until then.
 * APP_EINTERNAL outside a transaction, APP_ETOOBIG past DB_TX_HOOKS. */
APP_MUST_USE enum app_err db_on_rollback(struct db *db, void (*fn)(void *arg),
                                         void *arg);

/* A cell (STR_NULL-like {NULL,0} for SQL NULL). */
struct str db_cell(const struct db_res *res, size_t row, size_t col);

/* A cell as an integer; def when NULL or not an integer. */
int64_t db_int(const struct db_res *res, size_t row, size_t col, int64_t def);

/* A cell as a NUL-terminated string ("" for NULL). */
const char *db_text(const struct db_res *res, size_t row, size_t col);

/* The server's last error message (for logs). */
const char *db_error(const struct db *db);

/* The raw client handle, for migrate.c only (multi-statement DDL). */
struct st_mysql *db_handle(struct db *db);

/* Open a connection outside the worker model (CLI tools).  flags are
 * extra client flags (e.g. CLIENT_MULTI_STATEMENTS). */
APP_MUST_USE enum app_err db_connect_flags(struct db *db, unsigned long flags);

#endif

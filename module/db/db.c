/*
 * db.c -- MariaDB Connector/C behind prepared statements.
 */
#include "db/db.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <sodium.h>

#include "base/log.h"
#include "base/num.h"
#include "base/stats.h"

/* Open addressing at most half full: short probes. */
#define STMT_SLOTS (2 * DB_STMT_MAX)
#define CELL_INLINE 64     /* fetch buffer per column before a refetch */
#define PING_IDLE_MS 2000  /* ping before use after this much idle time */
#define RETRY_AFTER_MS 200 /* fail fast for this long after a failure */

struct cached_stmt {
    const char *sql; /* NULL: an empty slot */
    MYSQL_STMT *st;
    uint64_t used; /* tick of the last use, for evicting the oldest */
};

struct db {
    const struct conf *conf;
    MYSQL *conn;
    struct cached_stmt slot[STMT_SLOTS]; /* keyed by the SQL's address */
    size_t ncache;
    uint64_t tick;
    uint64_t prepared; /* statements prepared since the worker started */
    uint64_t evicted;  /* of them, closed to make room */
    uint64_t last_use_ms;
    uint64_t last_fail_ms;
    unsigned last_errno;
    char last_error[256];
    uint64_t round_trips;  /* with the server since db_round_trips_reset */
    bool connected_before; /* a connect after the first is a reconnect */
    bool trace_trips;      /* log each one (log level debug) */
    bool in_tx;
    bool victim;      /* the open transaction lost a deadlock or a lock wait */
    bool commit_lost; /* db_fail_commit_lost(): the next COMMIT's answer */
    struct tx_hook {
        void (*fn)(void *arg);
        void *arg;
    } undo[DB_TX_HOOKS]; /* run when the transaction does not commit */
    size_t nundo;
    /* db_load_local(): the rows to send while LOAD DATA LOCAL runs; NULL
     * otherwise, when any request for a local file is refused. */
    db_fill_fn infile_fn;
    void *infile_arg;
    bool infile_failed;
    /* db_prefetch(): answers kept for reads the request has not run yet. */
    struct kept {
        struct db_part part;
        struct db_res res;
    } kept[DB_PREFETCH_MAX];
    size_t nkept;
};

static uint64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One exchange with the server: a statement's prepare or execute, a
 * ping, a commit or rollback.  Counted so the test suite can hold the
 * signed-in request path to its budget (db_round_trips). */
static void
count_trip(struct db *db, const char *what)
{
    db->round_trips++;
    if (db->trace_trips)
        log_debug("db.round_trip", "n=%llu sql=%s",
                  (unsigned long long)db->round_trips, log_q(what));
}

uint64_t
db_round_trips(const struct db *db)
{
    return db->round_trips;
}

/* Answers kept by db_prefetch are forgotten by anything but a read. */
static void
forget_kept(struct db *db)
{
    db->nkept = 0;
}

void
db_round_trips_reset(struct db *db, bool trace)
{
    forget_kept(db);
    db->round_trips = 0;
    db->trace_trips = trace;
}

int
db_library_init(void)
{
    return mysql_library_init(0, NULL, NULL);
}

struct db *
db_new(const struct conf *conf)
{
    struct db *db = calloc(1, sizeof(*db));

    if (db != NULL)
        db->conf = conf;
    return db;
}

static void
drop_cache(struct db *db)
{
    size_t i;

    for (i = 0; i < STMT_SLOTS; i++) {
        if (db->slot[i].sql != NULL)
            mysql_stmt_close(db->slot[i].st);
        db->slot[i].sql = NULL;
        db->slot[i].st = NULL;
    }
    db->ncache = 0;
}

/* Undo what the transaction did outside the database, newest first, while
 * its locks are still held (before ROLLBACK) or after the server dropped
 * them with the connection. */
static void
run_undo(struct db *db)
{
    while (db->nundo > 0) {
        db->nundo--;
        db->undo[db->nundo].fn(db->undo[db->nundo].arg);
    }
}

static void
disconnect(struct db *db)
{
    if (db->in_tx)
        run_undo(db);
    db->nundo = 0;
    drop_cache(db);
    if (db->conn != NULL)
        mysql_close(db->conn);
    db->conn = NULL;
    db->in_tx = false;
}

void
db_free(struct db *db)
{
    if (db == NULL)
        return;
    disconnect(db);
    free(db);
}

bool
db_is_up(const struct db *db)
{
    return db->conn != NULL;
}

const char *
db_error(const struct db *db)
{
    return db->last_error;
}

struct st_mysql *
db_handle(struct db *db)
{
    return db->conn;
}

static bool
is_conn_error(unsigned e)
{
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
           e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
           e == CR_ERR_NET_READ || e == CR_ERR_NET_WRITE ||
           e == ER_SERVER_SHUTDOWN || e == ER_CONNECTION_KILLED ||
           e == 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */;
}

/* Record an error; for connection errors drop the connection so that the
 * next db_ensure() reconnects.  Returns the app error for it. */
APP_MUST_USE static enum app_err
fail(struct db *db, unsigned e, const char *msg, const char *sql)
{
    db->last_errno = e;
    snprintf(db->last_error, sizeof(db->last_error), "%s", msg);
    stats_add(STATS_DB_ERRORS, 1);
    if (is_conn_error(e)) {
        log_warn("db.down", "errno=%u error=%s", e, log_q(msg));
        disconnect(db);
        db->last_fail_ms = now_ms();
        return APP_EDB_DOWN;
    }
    if (e == ER_DUP_ENTRY)
        return APP_ECONFLICT;
    if (e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT) {
        /* The server chose this transaction as the victim: db_tx_next
         * runs it again. */
        db->victim = true;
        log_warn("db.victim", "errno=%u error=%s sql=%s", e, log_q(msg),
                 log_q(sql));
        return APP_EDB;
    }
    log_error("db.error", "errno=%u error=%s sql=%s", e, log_q(msg),
              log_q(sql));
    return APP_EDB;
}

/* The LOCAL INFILE callbacks (Connector/C): userdata is the db. */
static int
infile_init(void **ptr, const char *name, void *userdata)
{
    struct db *db = userdata;

    (void)name;
    *ptr = db;
    return db->infile_fn != NULL ? 0 : 1;
}

static int
infile_read(void *ptr, char *buf, unsigned int len)
{
    struct db *db = ptr;
    size_t n = 0;

    if (db->infile_fn == NULL ||
        db->infile_fn(db->infile_arg, buf, len, &n) != APP_OK || n > len) {
        db->infile_failed = true;
        return -1;
    }
    return (int)n;
}

static void
infile_end(void *ptr)
{
    (void)ptr;
}

static int
infile_error(void *ptr, char *msg, unsigned int len)
{
    struct db *db = ptr;

    snprintf(msg, len, "%s",
             db->infile_fn == NULL ? "local files are not served"
                                   : "the rows could not be produced");
    return CR_UNKNOWN_ERROR;
}

enum app_err
db_connect_flags(struct db *db, unsigned long flags)
{
    const struct conf *c = db->conf;
    unsigned int ct = (unsigned)c->db_connect_timeout;
    unsigned int rt = (unsigned)c->db_read_timeout;
    unsigned int wt = (unsigned)c->db_write_timeout;
    my_bool off = 0;
    unsigned int local_on = 1;
    const char *sock = c->db_socket[0] != '\0' ? c->db_socket : NULL;
    const char *host = sock != NULL ? "localhost" : c->db_host;

    disconnect(db);
    db->conn = mysql_init(NULL);
    if (db->conn == NULL)
        return APP_ENOMEM;
    /* LOAD DATA LOCAL is allowed, but its "file" is only ever what
     * db_load_local streams from memory: the handler refuses every other
     * request, so no file is read from disk whatever the server asks. */
    mysql_options(db->conn, MYSQL_OPT_LOCAL_INFILE, &local_on);
    mysql_set_local_infile_handler(db->conn, infile_init, infile_read,
                                   infile_end, infile_error, db);
    mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &rt);
    mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &wt);
    mysql_options(db->conn, MYSQL_OPT_RECONNECT, &off);
    mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* Times are stored in UTC; strict mode so bad data is an error rather
     * than a silent truncation. */
    mysql_options(db->conn, MYSQL_INIT_COMMAND,
                  "SET time_zone = '+00:00', sql_mode = "
                  "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
                  "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
                  "innodb_lock_wait_timeout = " DB_LOCK_WAIT_S);
    count_trip(db, "CONNECT");
    if (mysql_real_connect(db->conn, host, c->db_user, c->db_password,
                           c->db_name, (unsigned)c->db_port, sock,
                           flags) == NULL) {
        unsigned e = mysql_errno(db->conn);
        char msg[256];

        snprintf(msg, sizeof(msg), "%s", mysql_error(db->conn));
        mysql_close(db->conn);
        db->conn = NULL;
        db->last_fail_ms = now_ms();
        db->last_errno = e;
        snprintf(db->last_error, sizeof(db->last_error), "%s", msg);
        log_warn("db.connect_failed", "errno=%u error=%s", e, log_q(msg));
        stats_add(STATS_DB_CONNECT_FAILURES, 1);
        return APP_EDB_DOWN;
    }
    if (db->connected_before)
        stats_add(STATS_DB_RECONNECTS, 1);
    db->connected_before = true;
    db->last_use_ms = now_ms();
    return APP_OK;
}

enum app_err
db_ensure(struct db *db)
{
    uint64_t now = now_ms();

    if (db->conn != NULL) {
        /* An idle connection has nothing to read: if its socket is
         * readable or hung up, the server closed it (restart, kill,
         * timeout).  One poll(2) instead of a round trip per request. */
        struct pollfd pfd = { .fd = (int)mysql_get_socket(db->conn),
                              .events = POLLIN | POLLRDHUP };

        if (pfd.fd >= 0 && poll(&pfd, 1, 0) != 0) {
            log_warn("db.lost", "msg=\"server closed the connection\"");
            disconnect(db);
            db->last_fail_ms = 0;
            goto connect;
        }
        /* Over a unix socket that poll is the whole answer: a server that
         * stopped, restarted or dropped the connection closed its end.
         * Only TCP can lose a peer silently, so only TCP pays a ping (a
         * round trip before the request's first statement) after idle. */
        if (now - db->last_use_ms < PING_IDLE_MS ||
            db->conf->db_socket[0] != '\0')
            return APP_OK;
        count_trip(db, "PING");
        if (mysql_ping(db->conn) == 0) {
            db->last_use_ms = now;
            return APP_OK;
        }
        app_ignore(
            fail(db, mysql_errno(db->conn), mysql_error(db->conn), "PING"),
            "fail() logs and records it; the reconnect below decides");
        if (db->conn != NULL) /* a non-connection error: still drop it */
            disconnect(db);
    } else if (db->last_fail_ms != 0 &&
               now - db->last_fail_ms < RETRY_AFTER_MS) {
        return APP_EDB_DOWN;
    }
connect:
    if (db_connect_flags(db, 0) != APP_OK)
        return APP_EDB_DOWN;
    log_info("db.connected", "db=%s", log_q(db->conf->db_name));
    return APP_OK;
}

/* The home slot of a statement: its SQL constant's address, mixed. */
static size_t
home_of(const char *sql)
{
    uint64_t h = (uint64_t)(uintptr_t)sql;

    h ^= h >> 29;
    h *= 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 40) & (STMT_SLOTS - 1);
}

/* Close the least recently used statement and empty its slot, moving
 * later entries of its probe run back (linear probing needs no gaps
 * inside a run).  Only when DB_STMT_MAX distinct statements are in use,
 * which tests/e2e/test_db_statements.py keeps from happening. */
static void
evict_oldest(struct db *db)
{
    size_t i, j, k, oldest = STMT_SLOTS;

    for (i = 0; i < STMT_SLOTS; i++) {
        if (db->slot[i].sql != NULL &&
            (oldest == STMT_SLOTS || db->slot[i].used < db->slot[oldest].used))
            oldest = i;
    }
    if (oldest == STMT_SLOTS)
        return;
    log_warn("db.stmt_evicted", "cached=%zu max=%d", db->ncache, DB_STMT_MAX);
    mysql_stmt_close(db->slot[oldest].st);
    db->ncache--;
    db->evicted++;
    i = oldest;
    for (j = (i + 1) & (STMT_SLOTS - 1); db->slot[j].sql != NULL;
         j = (j + 1) & (STMT_SLOTS - 1)) {
        k = home_of(db->slot[j].sql);
        /* Move j into the hole at i unless its home lies cyclically in
         * (i, j]: then it is already reachable from its home. */
        if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        db->slot[i] = db->slot[j];
        i = j;
    }
    db->slot[i].sql = NULL;
    db->slot[i].st = NULL;
}

static MYSQL_STMT *
get_stmt(struct db *db, const char *sql, enum app_err *rc)
{
    size_t i = home_of(sql);
    MYSQL_STMT *st;

    for (; db->slot[i].sql != NULL; i = (i + 1) & (STMT_SLOTS - 1)) {
        if (db->slot[i].sql == sql) {
            db->slot[i].used = ++db->tick;
            return db->slot[i].st;
        }
    }
    if (db->conn == NULL) {
        *rc = APP_EDB_DOWN;
        return NULL;
    }
    st = mysql_stmt_init(db->conn);
    if (st == NULL) {
        *rc = APP_ENOMEM;
        return NULL;
    }
    count_trip(db, sql);
    if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
        *rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        mysql_stmt_close(st);
        return NULL;
    }
    db->prepared++;
    if (db->ncache == DB_STMT_MAX) {
        evict_oldest(db);
        /* The hole may have moved the run: find the free slot again. */
        for (i = home_of(sql); db->slot[i].sql != NULL;
             i = (i + 1) & (STMT_SLOTS - 1))
            ;
    }
    db->slot[i].sql = sql;
    db->slot[i].st = st;
    db->slot[i].used = ++db->tick;
    db->ncache++;
    return st;
}

void
db_stats(const struct db *db, struct db_stats *out)
{
    out->cached = db->ncache;
    out->prepared = db->prepared;
    out->evicted = db->evicted;
}

static MYSQL_STMT *bind_exec(struct db *db, MYSQL_STMT *st, const char *sql,
                             const struct db_val *args, size_t nargs,
                             enum app_err *rc);

/* Prepare (cached), bind and execute. */
static MYSQL_STMT *
run(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
    enum app_err *rc)
{
    MYSQL_STMT *st;

    if (nargs > 32) {
        *rc = APP_EINTERNAL;
        return NULL;
    }
    if (db->conn == NULL) {
        *rc = APP_EDB_DOWN;
        return NULL;
    }
    st = get_stmt(db, sql, rc);
    if (st == NULL)
        return NULL;
    return bind_exec(db, st, sql, args, nargs, rc);
}

/* Bind args to the prepared st and execute it. */
static MYSQL_STMT *
bind_exec(struct db *db, MYSQL_STMT *st, const char *sql,
          const struct db_val *args, size_t nargs, enum app_err *rc)
{
    MYSQL_BIND bind[32];
    unsigned long lens[32];
    size_t i;

    if (nargs > 32) {
        *rc = APP_EINTERNAL;
        return NULL;
    }
    if (mysql_stmt_param_count(st) != nargs) {
        log_error("db.bind", "expected=%lu given=%zu sql=%s",
                  mysql_stmt_param_count(st), nargs, log_q(sql));
        *rc = APP_EINTERNAL;
        return NULL;
    }
    memset(bind, 0, sizeof(bind));
    for (i = 0; i < nargs; i++) {
        switch (args[i].t) {
        case DBT_NULL:
            bind[i].buffer_type = MYSQL_TYPE_NULL;
            break;
        case DBT_I64:
            bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
            bind[i].buffer = (void *)&args[i].i;
            break;
        case DBT_DOUBLE:
            bind[i].buffer_type = MYSQL_TYPE_DOUBLE;
            bind[i].buffer = (void *)&args[i].d;
            break;
        case DBT_STR:
            bind[i].buffer_type = MYSQL_TYPE_STRING;
            bind[i].buffer = (void *)(args[i].s.p != NULL ? args[i].s.p : "");
            lens[i] = (unsigned long)args[i].s.len;
            bind[i].buffer_length = lens[i];
            bind[i].length = &lens[i];
            break;
        }
    }
    count_trip(db, sql);
    if ((nargs > 0 && mysql_stmt_bind_param(st, bind) != 0) ||
        mysql_stmt_execute(st) != 0) {
        *rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        return NULL;
    }
    db->last_use_ms = now_ms();
    *rc = APP_OK;
    return st;
}

enum app_err
db_exec(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
        uint64_t *affected, uint64_t *last_id)
{
    enum app_err rc;
    MYSQL_STMT *st;

    forget_kept(db);
    st = run(db, sql, args, nargs, &rc);
    if (st == NULL)
        return rc;
    if (affected != NULL)
        *affected = (uint64_t)mysql_stmt_affected_rows(st);
    if (last_id != NULL)
        *last_id = (uint64_t)mysql_stmt_insert_id(st);
    /* A statement that unexpectedly returned rows must not leave them
     * pending on the connection. */
    mysql_stmt_free_result(st);
    return APP_OK;
}

enum app_err
db_load_local(struct db *db, const char *sql, db_fill_fn fn, void *arg,
              uint64_t *affected)
{
    enum app_err rc = APP_OK;
    unsigned warnings;

    *affected = 0;
    forget_kept(db);
    if (db->conn == NULL)
        return APP_EDB_DOWN;
    db->infile_fn = fn;
    db->infile_arg = arg;
    db->infile_failed = false;
    count_trip(db, sql);
    /* LOAD DATA cannot be prepared; sql is the caller's constant. */
    if (mysql_real_query(db->conn, sql, strlen(sql)) != 0) /* lint:allow */
        rc = fail(db, mysql_errno(db->conn), mysql_error(db->conn), sql);
    db->infile_fn = NULL;
    db->infile_arg = NULL;
    if (rc == APP_OK && db->infile_failed)
        rc = APP_EINTERNAL;
    if (rc != APP_OK)
        return rc;
    *affected = (uint64_t)mysql_affected_rows(db->conn);
    warnings = mysql_warning_count(db->conn);
    if (warnings > 0) {
        /* LOCAL turns errors into warnings (duplicates skipped, values
         * cut): the caller's rows were not all stored as given. */
        log_error("db.load_warnings", "warnings=%u sql=%s", warnings,
                  log_q(sql));
        return APP_EDB;
    }
    db->last_use_ms = now_ms();
    return APP_OK;
}

/* Column-wise array binding (MariaDB Connector/C bulk execution): one
 * round trip for nrows rows.  A column's values must share one type or be
 * NULL. */
enum app_err
db_exec_bulk(struct db *db, const char *sql, const struct db_val *rows,
             size_t ncols, size_t nrows)
{
    MYSQL_BIND bind[32];
    MYSQL_STMT *st;
    unsigned int size = (unsigned int)nrows;
    size_t c, r, n;
    void **cols = NULL;
    unsigned long *lens = NULL;
    char *ind = NULL;
    enum app_err rc = APP_OK;

    forget_kept(db);
    if (nrows == 0)
        return APP_OK;
    if (ncols == 0 || ncols > 32 || nrows > 100000)
        return APP_EINTERNAL;
    if (db->conn == NULL)
        return APP_EDB_DOWN;
    st = get_stmt(db, sql, &rc);
    if (st == NULL)
        return rc;
    if (mysql_stmt_param_count(st) != ncols) {
        log_error("db.bind", "expected=%lu given=%zu sql=%s",
                  mysql_stmt_param_count(st), ncols, log_q(sql));
        return APP_EINTERNAL;
    }
    n = ncols * nrows;
    cols = calloc(n, sizeof(*cols) > sizeof(int64_t) ? sizeof(*cols)
                                                     : sizeof(int64_t));
    lens = calloc(n, sizeof(*lens));
    ind = calloc(n, 1);
    if (cols == NULL || lens == NULL || ind == NULL) {
        rc = APP_ENOMEM;
        goto out;
    }
    memset(bind, 0, sizeof(bind));
    for (c = 0; c < ncols && rc == APP_OK; c++) {
        enum db_type t = DBT_NULL;
        char *cind = ind + c * nrows;
        void **cp = cols + c * nrows;
        int64_t *ci = (int64_t *)(void *)cp;
        double *cd = (double *)(void *)cp;

        for (r = 0; r < nrows; r++) {
            const struct db_val *v = &rows[r * ncols + c];

            if (v->t == DBT_NULL) {
                cind[r] = STMT_INDICATOR_NULL;
                continue;
            }
            if (t != DBT_NULL && v->t != t) {
                rc = APP_EINTERNAL; /* mixed types in one column */
                break;
            }
            t = v->t;
            cind[r] = STMT_INDICATOR_NONE;
            if (t == DBT_I64) {
                ci[r] = v->i;
            } else if (t == DBT_DOUBLE) {
                cd[r] = v->d;
            } else {
                cp[r] = (void *)(v->s.p != NULL ? v->s.p : "");
                lens[c * nrows + r] = (unsigned long)v->s.len;
            }
        }
        bind[c].buffer_type = t == DBT_I64      ? MYSQL_TYPE_LONGLONG
                              : t == DBT_DOUBLE ? MYSQL_TYPE_DOUBLE
                              : t == DBT_STR    ? MYSQL_TYPE_STRING
                                                : MYSQL_TYPE_NULL;
        bind[c].buffer = cp;
        bind[c].length = t == DBT_STR ? lens + c * nrows : NULL;
        bind[c].u.indicator = cind;
    }
    if (rc != APP_OK)
        goto out;
    count_trip(db, sql);
    if (mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &size) != 0 ||
        mysql_stmt_bind_param(st, bind) != 0 || mysql_stmt_execute(st) != 0) {
        rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        goto out;
    }
    mysql_stmt_free_result(st);
    db->last_use_ms = now_ms();
out:
    free(cols);
    free(lens);
    free(ind);
    return rc;
}

/* Copy the row just fetched into cells[0..ncols) in the arena: short
 * values from their inline buffers, long ones fetched again whole. */
APP_MUST_USE static enum app_err
copy_row(struct db *db, MYSQL_STMT *st, struct arena *a, const char *sql,
         const char *bufs, const unsigned long *lens, const my_bool *nulls,
         size_t ncols, struct str *cells)
{
    size_t c;

    for (c = 0; c < ncols; c++) {
        struct str *cell = &cells[c];
        char *p;

        if (nulls[c]) {
            cell->p = NULL;
            cell->len = 0;
            continue;
        }
        p = arena_alloc(a, (size_t)lens[c] + 1);
        if (p == NULL)
            return APP_ENOMEM;
        if (lens[c] <= CELL_INLINE) {
            memcpy(p, bufs + c * CELL_INLINE, lens[c]);
        } else {
            MYSQL_BIND one;

            memset(&one, 0, sizeof(one));
            one.buffer_type = MYSQL_TYPE_STRING;
            one.buffer = p;
            one.buffer_length = lens[c];
            if (mysql_stmt_fetch_column(st, &one, (unsigned)c, 0) != 0)
                return fail(db, mysql_stmt_errno(st), mysql_stmt_error(st),
                            sql);
        }
        p[lens[c]] = '\0';
        cell->p = p;
        cell->len = (size_t)lens[c];
    }
    return APP_OK;
}

static bool
val_eq(const struct db_val *x, const struct db_val *y)
{
    if (x->t != y->t)
        return false;
    switch (x->t) {
    case DBT_NULL:
        return true;
    case DBT_I64:
        return x->i == y->i;
    case DBT_DOUBLE:
        return memcmp(&x->d, &y->d, sizeof(x->d)) == 0;
    case DBT_STR:
        return x->s.len == y->s.len && (x->s.p == NULL) == (y->s.p == NULL) &&
               (x->s.len == 0 || memcmp(x->s.p, y->s.p, x->s.len) == 0);
    }
    return false;
}

/* The answer db_prefetch kept for this very read, if any: taken (the
 * next same read goes to the server), with db_query's result. */
static bool
take_kept(struct db *db, const char *sql, const struct db_val *args,
          size_t nargs, size_t max_rows, struct db_res *out, enum app_err *rc)
{
    size_t i, j;

    for (i = 0; i < db->nkept; i++) {
        const struct db_part *p = &db->kept[i].part;

        if (p->nargs != nargs || p->max_rows != max_rows ||
            (p->sql != sql && strcmp(p->sql, sql) != 0))
            continue;
        for (j = 0; j < nargs && val_eq(&p->args[j], &args[j]); j++)
            ;
        if (j < nargs)
            continue;
        *out = db->kept[i].res;
        *rc = APP_OK;
        if (out->nrows > max_rows) {
            log_warn("db.too_many_rows", "rows=%zu max=%zu sql=%s", out->nrows,
                     max_rows, log_q(sql));
            memset(out, 0, sizeof(*out));
            *rc = APP_ETOOBIG;
        }
        db->kept[i] = db->kept[--db->nkept];
        return true;
    }
    return false;
}

/* Keep part i's rows of all (the rows whose first cell is i; its columns
 * start at column at). */
APP_MUST_USE static enum app_err
keep_part(struct db *db, struct arena *a, const struct db_res *all, size_t i,
          size_t at, const struct db_part *part)
{
    struct db_res *res = &db->kept[i].res;
    size_t r, k = 0, n = 0;

    for (r = 0; r < all->nrows; r++)
        n += db_int(all, r, 0, -1) == (int64_t)i;
    db->kept[i].part = *part;
    res->ncols = part->ncols;
    res->nrows = n;
    res->cells = arena_calloc(a, n * part->ncols + 1, sizeof(struct str));
    if (res->cells == NULL)
        return APP_ENOMEM;
    for (r = 0; r < all->nrows; r++)
        if (db_int(all, r, 0, -1) == (int64_t)i)
            memcpy(&res->cells[part->ncols * k++],
                   &all->cells[r * all->ncols + at],
                   part->ncols * sizeof(struct str));
    return APP_OK;
}

enum app_err
db_prefetch(struct db *db, struct arena *a, const char *sql,
            const struct db_part *parts, size_t nparts)
{
    struct db_val args[DB_PART_ARGS * DB_PREFETCH_MAX];
    struct db_res all;
    size_t n = 0, width = 1, max = 0, i;
    enum app_err rc;

    forget_kept(db);
    if (nparts > DB_PREFETCH_MAX)
        return APP_EINVAL;
    for (i = 0; i < nparts; i++) {
        if (parts[i].nargs > DB_PART_ARGS)
            return APP_EINVAL;
        memcpy(&args[n], parts[i].args, parts[i].nargs * sizeof(args[0]));
        n += parts[i].nargs;
        width += parts[i].ncols;
        max += parts[i].max_rows;
    }
    rc = db_query(db, a, sql, args, n, max, &all);
    if (rc != APP_OK)
        return rc;
    if (all.ncols != width) {
        log_error("db.prefetch_width", "columns=%zu expected=%zu sql=%s",
                  all.ncols, width, log_q(sql));
        return APP_EINTERNAL;
    }
    for (i = 0, width = 1; i < nparts && rc == APP_OK; i++) {
        rc = keep_part(db, a, &all, i, width, &parts[i]);
        width += parts[i].ncols;
    }
    db->nkept = rc == APP_OK ? nparts : 0;
    return rc;
}

enum app_err
db_query(struct db *db, struct arena *a, const char *sql,
         const struct db_val *args, size_t nargs, size_t max_rows,
         struct db_res *out)
{
    enum app_err rc;
    MYSQL_STMT *st;
    MYSQL_RES *meta = NULL;
    MYSQL_BIND *bind = NULL;
    unsigned long *lens = NULL;
    my_bool *nulls = NULL;
    char *bufs = NULL;
    size_t ncols, cap = 0, r, c;

    memset(out, 0, sizeof(*out));
    if (db->nkept > 0 && take_kept(db, sql, args, nargs, max_rows, out, &rc))
        return rc;
    st = run(db, sql, args, nargs, &rc);
    if (st == NULL)
        return rc;
    meta = mysql_stmt_result_metadata(st);
    if (meta == NULL) {
        rc = APP_EINTERNAL; /* not a query */
        goto out;
    }
    ncols = mysql_num_fields(meta);
    if (mysql_stmt_store_result(st) != 0) {
        rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        goto out;
    }
    if ((size_t)mysql_stmt_num_rows(st) > max_rows) {
        log_warn("db.too_many_rows", "rows=%llu max=%zu sql=%s",
                 (unsigned long long)mysql_stmt_num_rows(st), max_rows,
                 log_q(sql));
        rc = APP_ETOOBIG;
        goto out;
    }
    out->ncols = ncols;
    out->nrows = (size_t)mysql_stmt_num_rows(st);
    bind = arena_calloc(a, ncols ? ncols : 1, sizeof(*bind));
    lens = arena_calloc(a, ncols ? ncols : 1, sizeof(*lens));
    nulls = arena_calloc(a, ncols ? ncols : 1, sizeof(*nulls));
    bufs = arena_calloc(a, ncols ? ncols : 1, CELL_INLINE);
    if (out->nrows > 0 && !__builtin_mul_overflow(out->nrows, ncols, &cap))
        out->cells = arena_calloc(a, cap, sizeof(struct str));
    if (bind == NULL || lens == NULL || nulls == NULL || bufs == NULL ||
        (out->nrows > 0 && out->cells == NULL)) {
        rc = APP_ENOMEM;
        goto out;
    }
    for (c = 0; c < ncols; c++) {
        bind[c].buffer_type = MYSQL_TYPE_STRING;
        bind[c].buffer = bufs + c * CELL_INLINE;
        bind[c].buffer_length = CELL_INLINE;
        bind[c].length = &lens[c];
        bind[c].is_null = &nulls[c];
    }
    if (ncols > 0 && mysql_stmt_bind_result(st, bind) != 0) {
        rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        goto out;
    }
    for (r = 0; r < out->nrows; r++) {
        int f = mysql_stmt_fetch(st);

        if (f == MYSQL_NO_DATA)
            break;
        if (f == 1) {
            rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
            goto out;
        }
        rc = copy_row(db, st, a, sql, bufs, lens, nulls, ncols,
                      &out->cells[r * ncols]);
        if (rc != APP_OK)
            goto out;
    }
    rc = APP_OK;
out:
    if (meta != NULL)
        mysql_free_result(meta);
    if (db->conn != NULL)
        mysql_stmt_free_result(st);
    if (rc != APP_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}

/* The buffers db_scan binds a row into. */
struct scan_bufs {
    MYSQL_BIND bind[DB_SCAN_COLS];
    unsigned long lens[DB_SCAN_COLS];
    my_bool nulls[DB_SCAN_COLS];
    my_bool errs[DB_SCAN_COLS];
    char text[DB_SCAN_COLS][DB_SCAN_TEXT + 1];
    struct db_row row;
};

static void
scan_bind(struct scan_bufs *b, size_t ncols, unsigned text_cols)
{
    size_t c;

    memset(b, 0, sizeof(*b));
    for (c = 0; c < ncols; c++) {
        if (text_cols & (1u << c)) {
            b->bind[c].buffer_type = MYSQL_TYPE_STRING;
            b->bind[c].buffer = b->text[c];
            b->bind[c].buffer_length = DB_SCAN_TEXT;
        } else {
            b->bind[c].buffer_type = MYSQL_TYPE_LONGLONG;
            b->bind[c].buffer = &b->row.ints[c];
        }
        b->bind[c].length = &b->lens[c];
        b->bind[c].is_null = &b->nulls[c];
        b->bind[c].error = &b->errs[c];
    }
}

enum app_err
db_scan(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
        unsigned text_cols, db_row_fn fn, void *arg)
{
    struct scan_bufs *b = malloc(sizeof(*b));
    enum app_err rc = b != NULL ? APP_OK : APP_ENOMEM;
    MYSQL_STMT *st = rc == APP_OK ? run(db, sql, args, nargs, &rc) : NULL;
    MYSQL_RES *meta = st != NULL ? mysql_stmt_result_metadata(st) : NULL;
    size_t ncols = meta != NULL ? mysql_num_fields(meta) : 0, c;

    if (st != NULL && (meta == NULL || ncols > DB_SCAN_COLS))
        rc = APP_EINTERNAL;
    if (rc == APP_OK) {
        scan_bind(b, ncols, text_cols);
        if (ncols > 0 && mysql_stmt_bind_result(st, b->bind) != 0)
            rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
    }
    while (rc == APP_OK) {
        int f = mysql_stmt_fetch(st);

        if (f == MYSQL_NO_DATA)
            break;
        if (f == 1) {
            rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
            break;
        }
        for (c = 0; c < ncols; c++) {
            bool text = (text_cols & (1u << c)) != 0;

            b->row.nulls[c] = b->nulls[c] != 0;
            if (b->nulls[c] && !text)
                b->row.ints[c] = 0;
            b->text[c][b->lens[c] < DB_SCAN_TEXT ? b->lens[c] : DB_SCAN_TEXT] =
                '\0';
            b->row.texts[c] = text && !b->nulls[c] ? b->text[c] : NULL;
        }
        rc = fn(arg, &b->row);
    }
    if (st != NULL && meta != NULL && db->conn != NULL && rc != APP_OK) {
        int f; /* drain what a stop left unread */

        do
            f = mysql_stmt_fetch(st);
        while (f == 0 || f == MYSQL_DATA_TRUNCATED);
    }
    if (meta != NULL)
        mysql_free_result(meta);
    if (st != NULL && db->conn != NULL)
        mysql_stmt_free_result(st);
    free(b);
    return rc;
}

/* The columns of a dump's result (heap, freed by the caller; the names
 * belong to meta). */
static struct db_dump_col *
dump_cols(MYSQL_RES *meta, size_t ncols)
{
    struct db_dump_col *cols = calloc(ncols ? ncols : 1, sizeof(*cols));
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    size_t c;

    if (cols == NULL)
        return NULL;
    for (c = 0; c < ncols; c++) {
        cols[c].name = f[c].name;
        cols[c].binary =
            f[c].charsetnr == 63 && (f[c].type == MYSQL_TYPE_BLOB ||
                                     f[c].type == MYSQL_TYPE_TINY_BLOB ||
                                     f[c].type == MYSQL_TYPE_MEDIUM_BLOB ||
                                     f[c].type == MYSQL_TYPE_LONG_BLOB ||
                                     f[c].type == MYSQL_TYPE_STRING ||
                                     f[c].type == MYSQL_TYPE_VAR_STRING);
        cols[c].numeric = IS_NUM(f[c].type) != 0;
    }
    return cols;
}

/* Fetch the cells of the row just fetched whole into bufs (grown as
 * needed up to max_cell bytes each). */
APP_MUST_USE static enum app_err
dump_cells(struct db *db, MYSQL_STMT *st, const char *sql, size_t ncols,
           const unsigned long *lens, const my_bool *nulls, size_t max_cell,
           char **bufs, size_t *caps, struct str *cells)
{
    size_t c;

    for (c = 0; c < ncols; c++) {
        MYSQL_BIND one;

        cells[c].p = NULL;
        cells[c].len = 0;
        if (nulls[c])
            continue;
        if (lens[c] > max_cell)
            return APP_ETOOBIG;
        if (caps[c] < (size_t)lens[c] + 1) {
            char *p = realloc(bufs[c], (size_t)lens[c] + 1);

            if (p == NULL)
                return APP_ENOMEM;
            bufs[c] = p;
            caps[c] = (size_t)lens[c] + 1;
        }
        memset(&one, 0, sizeof(one));
        one.buffer_type = MYSQL_TYPE_STRING;
        one.buffer = bufs[c];
        one.buffer_length = lens[c] + 1;
        if (lens[c] > 0 &&
            mysql_stmt_fetch_column(st, &one, (unsigned)c, 0) != 0)
            return fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        bufs[c][lens[c]] = '\0';
        cells[c].p = bufs[c];
        cells[c].len = (size_t)lens[c];
    }
    return APP_OK;
}

/* The per-column state of a dump, on the heap. */
struct dump_bufs {
    MYSQL_BIND *bind;
    unsigned long *lens;
    my_bool *nulls;
    char **bufs;
    size_t *caps;
    struct str *cells;
};

static void
dump_bufs_free(struct dump_bufs *d, size_t ncols)
{
    size_t c;

    for (c = 0; d->bufs != NULL && c < ncols; c++)
        free(d->bufs[c]);
    free(d->bind);
    free(d->lens);
    free(d->nulls);
    free(d->bufs);
    free(d->caps);
    free(d->cells);
}

APP_MUST_USE static enum app_err
dump_rows(struct db *db, MYSQL_STMT *st, const char *sql, size_t ncols,
          const struct db_dump_col *cols, size_t max_cell, db_dump_fn fn,
          void *arg)
{
    struct dump_bufs d;
    size_t n = ncols ? ncols : 1, c;
    enum app_err rc = APP_OK;

    d.bind = calloc(n, sizeof(*d.bind));
    d.lens = calloc(n, sizeof(*d.lens));
    d.nulls = calloc(n, sizeof(*d.nulls));
    d.bufs = calloc(n, sizeof(*d.bufs));
    d.caps = calloc(n, sizeof(*d.caps));
    d.cells = calloc(n, sizeof(*d.cells));
    if (d.bind == NULL || d.lens == NULL || d.nulls == NULL || d.bufs == NULL ||
        d.caps == NULL || d.cells == NULL)
        rc = APP_ENOMEM;
    for (c = 0; rc == APP_OK && c < ncols; c++) {
        d.bind[c].buffer_type = MYSQL_TYPE_STRING;
        d.bind[c].buffer = NULL;
        d.bind[c].buffer_length = 0;
        d.bind[c].length = &d.lens[c];
        d.bind[c].is_null = &d.nulls[c];
    }
    if (rc == APP_OK && ncols > 0 && mysql_stmt_bind_result(st, d.bind) != 0)
        rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
    while (rc == APP_OK) {
        int f = mysql_stmt_fetch(st);

        if (f == MYSQL_NO_DATA)
            break;
        if (f == 1) {
            rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
            break;
        }
        rc = dump_cells(db, st, sql, ncols, d.lens, d.nulls, max_cell, d.bufs,
                        d.caps, d.cells);
        if (rc == APP_OK)
            rc = fn(arg, ncols, cols, d.cells);
    }
    dump_bufs_free(&d, ncols);
    return rc;
}

enum app_err
db_dump(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
        size_t max_cell, db_dump_fn fn, void *arg)
{
    enum app_err rc = APP_OK;
    MYSQL_STMT *st;
    MYSQL_RES *meta = NULL;
    struct db_dump_col *cols = NULL;
    size_t ncols;

    if (db->conn == NULL)
        return APP_EDB_DOWN;
    st = mysql_stmt_init(db->conn);
    if (st == NULL)
        return APP_ENOMEM;
    count_trip(db, sql);
    if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
        rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        goto out;
    }
    if (bind_exec(db, st, sql, args, nargs, &rc) == NULL)
        goto out;
    meta = mysql_stmt_result_metadata(st);
    if (meta == NULL) {
        rc = APP_EINTERNAL;
        goto out;
    }
    ncols = mysql_num_fields(meta);
    cols = dump_cols(meta, ncols);
    rc = cols != NULL ? dump_rows(db, st, sql, ncols, cols, max_cell, fn, arg)
                      : APP_ENOMEM;
out:
    free(cols);
    if (meta != NULL)
        mysql_free_result(meta);
    /* Also after a lost connection: Connector/C detached the statement,
     * closing it then only frees it; a stop before the last row makes the
     * close read the rest of the result. */
    mysql_stmt_close(st);
    return rc;
}

enum app_err
db_exec_once(struct db *db, const char *sql, const struct db_val *args,
             size_t nargs, uint64_t *affected)
{
    enum app_err rc = APP_OK;
    MYSQL_STMT *st;

    forget_kept(db);
    if (db->conn == NULL)
        return APP_EDB_DOWN;
    st = mysql_stmt_init(db->conn);
    if (st == NULL)
        return APP_ENOMEM;
    count_trip(db, sql);
    if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0)
        rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
    else if (bind_exec(db, st, sql, args, nargs, &rc) != NULL &&
             affected != NULL)
        *affected = (uint64_t)mysql_stmt_affected_rows(st);
    mysql_stmt_close(st);
    return rc;
}

static const char SQL_BEGIN[] = "START TRANSACTION";

enum app_err
db_begin(struct db *db)
{
    enum app_err rc;

    db->victim = false;
    rc = db_exec(db, SQL_BEGIN, DB_NOARGS, NULL, NULL);
    db->nundo = 0;
    if (rc == APP_OK)
        db->in_tx = true;
    return rc;
}

bool
db_tx_next(struct db *db, struct db_tx *tx, enum app_err *rc)
{
    if (!tx->begun) {
        tx->begun = true;
        /* Inside a transaction already: the body runs once as part of
         * it, and the outer one commits, rolls back or retries. */
        tx->joined = db->in_tx;
        if (tx->joined)
            return true;
        *rc = db_begin(db);
        return *rc == APP_OK;
    }
    if (tx->joined)
        return false;
    if (*rc == APP_OK)
        *rc = db_commit(db);
    if (*rc == APP_OK)
        return false;
    db_rollback(db);
    if (!db->victim)
        return false;
    if (++tx->retries >= DB_TX_TRIES) {
        log_error("db.tx_gave_up", "tries=%d", DB_TX_TRIES);
        *rc = APP_ETIMEOUT;
        return false;
    }
    /* Both sides of a deadlock retry: a short random pause, growing with
     * each try, keeps them from meeting again. */
    {
        uint32_t jitter;
        struct timespec ts;

        randombytes_buf(&jitter, sizeof(jitter));
        ts.tv_sec = 0;
        ts.tv_nsec = (long)((1u << tx->retries) * 1000000u +
                            jitter % (4000000u << tx->retries));
        nanosleep(&ts, NULL);
    }
    log_warn("db.tx_retry", "try=%d", tx->retries + 1);
    *rc = db_begin(db);
    return *rc == APP_OK;
}

bool
db_in_tx(const struct db *db)
{
    return db->in_tx;
}

enum app_err
db_on_rollback(struct db *db, void (*fn)(void *arg), void *arg)
{
    if (!db->in_tx)
        return APP_EINTERNAL;
    if (db->nundo == DB_TX_HOOKS)
        return APP_ETOOBIG;
    db->undo[db->nundo].fn = fn;
    db->undo[db->nundo].arg = arg;
    db->nundo++;
    return APP_OK;
}

void
db_fail_commit_lost(struct db *db, bool on)
{
    db->commit_lost = on;
}

enum app_err
db_commit(struct db *db)
{
    forget_kept(db);
    if (db->conn == NULL)
        return APP_EDB_DOWN;
    count_trip(db, "COMMIT");
    if (mysql_commit(db->conn) != 0 || db->commit_lost) {
        bool simulated = db->commit_lost;
        unsigned e = simulated ? CR_SERVER_LOST : mysql_errno(db->conn);

        db->commit_lost = false;
        /* A refused COMMIT was rolled back: undo.  A lost connection may
         * have committed first: keep what the undo would remove, at worst
         * an orphan, instead of committed rows without it. */
        if (is_conn_error(e))
            db->nundo = 0;
        else
            run_undo(db);
        db->in_tx = false;
        /* The fail point's connection is fine: no reconnect, no back-off
         * for the requests after it. */
        if (simulated) {
            log_warn("db.fail_point", "point=commit_lost");
            return APP_EDB_DOWN;
        }
        return fail(db, e, mysql_error(db->conn), "COMMIT");
    }
    db->in_tx = false;
    db->nundo = 0;
    return APP_OK;
}

void
db_rollback(struct db *db)
{
    forget_kept(db);
    if (db->conn == NULL || !db->in_tx)
        return;
    run_undo(db);
    db->in_tx = false;
    count_trip(db, "ROLLBACK");
    if (mysql_rollback(db->conn) != 0)
        app_ignore(
            fail(db, mysql_errno(db->conn), mysql_error(db->conn), "ROLLBACK"),
            "a failed rollback drops the connection: nothing stays");
}

struct str
db_cell(const struct db_res *res, size_t row, size_t col)
{
    if (row >= res->nrows || col >= res->ncols)
        return (struct str){ NULL, 0 };
    return res->cells[row * res->ncols + col];
}

int64_t
db_int(const struct db_res *res, size_t row, size_t col, int64_t def)
{
    struct str s = db_cell(res, row, col);
    int64_t v;

    if (s.p == NULL || !parse_i64(s, INT64_MIN, INT64_MAX, &v))
        return def;
    return v;
}

const char *
db_text(const struct db_res *res, size_t row, size_t col)
{
    struct str s = db_cell(res, row, col);

    return s.p != NULL ? s.p : "";
}

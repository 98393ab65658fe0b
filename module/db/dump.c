/*
 * dump.c -- tables out to LOAD DATA's text format and back (dump.h).
 *
 * The statements here name a table, which no placeholder can do, so they
 * go through the text protocol (lint:allow below): the names come from
 * information_schema of DATABASE() and pass db_name_ok first; no value
 * is ever put into the text.  Rows are read with mysql_use_result, one at
 * a time with their lengths, so values stay whole and binary-safe.
 */
#include "db/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "base/log.h"

#define OUT_CHUNK (64u * 1024)

static const char SQL_TABLES[] =
    "SELECT TABLE_NAME FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = ? "
    "ORDER BY TABLE_NAME";
static const char SQL_COLUMNS[] =
    "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? "
    "AND EXTRA NOT LIKE ? ORDER BY ORDINAL_POSITION";

/* A statement of fixed words and checked names, no values. */
APP_MUST_USE static enum app_err
raw(struct db *db, const char *sql, size_t len)
{
    MYSQL *conn = db_handle(db);

    if (conn == NULL)
        return APP_EDB_DOWN;
    if (mysql_real_query(conn, sql, (unsigned long)len) != 0) { /* lint:allow */
        log_error("db.dump", "errno=%u error=%s", mysql_errno(conn),
                  log_q(mysql_error(conn)));
        return APP_EDB;
    }
    return APP_OK;
}

APP_MUST_USE static enum app_err
raw_c(struct db *db, const char *sql)
{
    return raw(db, sql, strlen(sql));
}

enum app_err
dump_begin(struct db *db)
{
    enum app_err rc = db_ensure(db);

    if (rc == APP_OK)
        rc = raw_c(db, "SET SESSION TRANSACTION ISOLATION LEVEL "
                       "REPEATABLE READ");
    if (rc == APP_OK)
        rc = raw_c(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT, "
                       "READ ONLY");
    return rc;
}

void
dump_end(struct db *db)
{
    app_ignore(raw_c(db, "ROLLBACK"), "a read-only snapshot: nothing to keep");
}

enum app_err
dump_tables(struct db *db, struct arena *a, const char ***names, size_t *n)
{
    struct db_res res;
    const char **v;
    enum app_err rc;
    size_t i;

    rc = db_query(db, a, SQL_TABLES, DB_ARGS(DB_CSTR("BASE TABLE")),
                  DUMP_TABLES_MAX, &res);
    if (rc != APP_OK)
        return rc;
    v = arena_calloc(a, res.nrows + 1, sizeof(*v));
    if (v == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++) {
        v[i] = db_text(&res, i, 0);
        if (!db_name_ok(v[i])) {
            fprintf(stderr, "table name not handled: %s\n", v[i]);
            return APP_EINVAL;
        }
    }
    *names = v;
    *n = res.nrows;
    return APP_OK;
}

enum app_err
dump_columns(struct db *db, struct arena *a, const char *table,
             const char **cols)
{
    struct db_res res;
    enum app_err rc;
    char *out, *p;
    size_t i;

    if (!db_name_ok(table))
        return APP_EINVAL;
    rc = db_query(db, a, SQL_COLUMNS,
                  DB_ARGS(DB_CSTR(table), DB_CSTR("%GENERATED%")), 512, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    out = arena_alloc(a, res.nrows * (DB_NAME_MAX + 3) + 1);
    if (out == NULL)
        return APP_ENOMEM;
    p = out;
    for (i = 0; i < res.nrows; i++) {
        const char *c = db_text(&res, i, 0);
        size_t len = strlen(c);

        if (!db_name_ok(c))
            return APP_EINVAL;
        if (i > 0)
            *p++ = ',';
        *p++ = '`';
        memcpy(p, c, len);
        p += len;
        *p++ = '`';
    }
    *p = '\0';
    *cols = out;
    return APP_OK;
}

struct outbuf {
    char b[OUT_CHUNK];
    size_t n;
    dump_out_fn out;
    void *arg;
};

APP_MUST_USE static enum app_err
put(struct outbuf *o, const char *p, size_t n)
{
    enum app_err rc;

    while (n > 0) {
        size_t k = sizeof(o->b) - o->n < n ? sizeof(o->b) - o->n : n;

        memcpy(o->b + o->n, p, k);
        o->n += k;
        p += k;
        n -= k;
        if (o->n == sizeof(o->b)) {
            rc = o->out(o->arg, o->b, o->n);
            if (rc != APP_OK)
                return rc;
            o->n = 0;
        }
    }
    return APP_OK;
}

/* One value, escaped as LOAD DATA's default format expects. */
APP_MUST_USE static enum app_err
put_value(struct outbuf *o, const char *v, size_t len)
{
    size_t i, start = 0;
    enum app_err rc = APP_OK;

    if (v == NULL)
        return put(o, "\\N", 2);
    for (i = 0; i < len && rc == APP_OK; i++) {
        const char *esc = NULL;

        switch (v[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\0':
            esc = "\\0";
            break;
        default:
            continue;
        }
        rc = put(o, v + start, i - start);
        if (rc == APP_OK)
            rc = put(o, esc, 2);
        start = i + 1;
    }
    if (rc == APP_OK)
        rc = put(o, v + start, len - start);
    return rc;
}

APP_MUST_USE static enum app_err
stream_rows(MYSQL_RES *res, struct outbuf *o, uint64_t *rows)
{
    unsigned nf = mysql_num_fields(res), c;
    enum app_err rc = APP_OK;
    MYSQL_ROW row;

    while (rc == APP_OK && (row = mysql_fetch_row(res)) != NULL) {
        unsigned long *lens = mysql_fetch_lengths(res);

        for (c = 0; c < nf && rc == APP_OK; c++) {
            if (c > 0)
                rc = put(o, "\t", 1);
            if (rc == APP_OK)
                rc = put_value(o, row[c], lens[c]);
        }
        if (rc == APP_OK)
            rc = put(o, "\n", 1);
        (*rows)++;
    }
    return rc;
}

enum app_err
dump_table(struct db *db, const char *table, const char *cols, dump_out_fn out,
           void *arg, uint64_t *rows)
{
    char sql[DUMP_COLS_MAX + 2 * DB_NAME_MAX];
    struct outbuf *o;
    MYSQL_RES *res;
    MYSQL *conn = db_handle(db);
    enum app_err rc;
    int n;

    *rows = 0;
    if (!db_name_ok(table))
        return APP_EINVAL;
    /* Names only, each checked by db_name_ok (see the top). */
    n = snprintf(sql, sizeof(sql), "SELECT %s FROM `%s`", /* lint:allow */
                 cols, table);
    if (n < 0 || (size_t)n >= sizeof(sql))
        return APP_ETOOBIG;
    o = calloc(1, sizeof(*o));
    if (o == NULL)
        return APP_ENOMEM;
    o->out = out;
    o->arg = arg;
    rc = raw(db, sql, (size_t)n);
    if (rc != APP_OK)
        goto out;
    res = mysql_use_result(conn);
    if (res == NULL) {
        rc = APP_EDB;
        goto out;
    }
    rc = stream_rows(res, o, rows);
    /* Drain what a failed write left, so the connection stays usable. */
    while (mysql_fetch_row(res) != NULL)
        ;
    if (rc == APP_OK && mysql_errno(conn) != 0) {
        log_error("db.dump", "table=%s error=%s", table,
                  log_q(mysql_error(conn)));
        rc = APP_EDB;
    }
    mysql_free_result(res);
    if (rc == APP_OK && o->n > 0)
        rc = out(arg, o->b, o->n);
out:
    free(o);
    return rc;
}

enum app_err
dump_has_rows(struct db *db, const char *table, bool *any)
{
    char sql[2 * DB_NAME_MAX];
    MYSQL_RES *res;
    enum app_err rc;
    int n;

    *any = false;
    if (!db_name_ok(table))
        return APP_EINVAL;
    n = snprintf(sql, sizeof(sql),
                 "SELECT 1 FROM `%s` LIMIT 1", /* lint:allow */
                 table);
    if (n < 0 || (size_t)n >= sizeof(sql))
        return APP_ETOOBIG;
    rc = raw(db, sql, (size_t)n);
    if (rc != APP_OK)
        return rc;
    res = mysql_store_result(db_handle(db));
    if (res == NULL)
        return APP_EDB;
    *any = mysql_num_rows(res) > 0;
    mysql_free_result(res);
    return APP_OK;
}

enum app_err
dump_load_begin(struct db *db)
{
    enum app_err rc = db_ensure(db);

    if (rc == APP_OK)
        rc = raw_c(db, "SET FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0, "
                       "@proofline_bulk = 1");
    if (rc == APP_OK)
        rc = db_begin(db);
    return rc;
}

enum app_err
dump_load(struct db *db, const char *table, const char *cols, db_fill_fn fn,
          void *arg, uint64_t *rows)
{
    char sql[DUMP_COLS_MAX + 2 * DB_NAME_MAX + 128];
    int n;

    *rows = 0;
    if (!db_name_ok(table))
        return APP_EINVAL;
    /* The default FIELDS and LINES clauses are the format of dump.h;
     * CHARACTER SET binary: the bytes are stored as they were read. */
    n = snprintf(sql, sizeof(sql),
                 "LOAD DATA LOCAL INFILE 'backup' INTO TABLE `%s` "
                 "CHARACTER SET binary (%s)",
                 table, cols);
    if (n < 0 || (size_t)n >= sizeof(sql))
        return APP_ETOOBIG;
    return db_load_local(db, sql, fn, arg, rows);
}

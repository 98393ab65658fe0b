/*
 * privacy.c -- the company export: every tenant table, streamed into a tar.
 */
#include "sales/privacy.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <sodium.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/log.h"
#include "base/tar.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/sqlname.h"

/* clang-format off */
static const char SQL_TABLES[] =
    "SELECT c.table_name FROM information_schema.columns c"
    " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
    " AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'"
    " WHERE c.table_schema = DATABASE() AND c.column_name = 'tenant_id'"
    " ORDER BY c.table_name";
static const char SQL_FILE_SHAS[] =
    "SELECT DISTINCT sha256 FROM files WHERE tenant_id = ?";
/* clang-format on */

#define ROW_MAX (2u * PRIVACY_CELL_MAX + (1u << 20))

enum app_err
privacy_tables(struct ctx *cx, const char ***names, size_t *n)
{
    struct db_res res;
    enum app_err rc;
    size_t i;

    *names = NULL;
    *n = 0;
    rc = db_query(cx->db, cx->a, SQL_TABLES, DB_NOARGS, PRIVACY_TABLES_MAX,
                  &res);
    if (rc != APP_OK)
        return rc;
    *names = arena_calloc(cx->a, res.nrows ? res.nrows : 1, sizeof(char *));
    if (*names == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++) {
        const char *t = db_text(&res, i, 0);

        if (!db_name_ok(t)) {
            log_error("privacy.table_name", "table=%s", log_q(t));
            return APP_EINTERNAL;
        }
        (*names)[i] = t;
    }
    *n = res.nrows;
    return APP_OK;
}

/* One table's two temporary files while its rows stream in. */
struct table_out {
    FILE *json;
    FILE *csv;
    struct buf line;
    uint64_t rows;
    char *b64;
    size_t b64_cap;
};

/* cell as base64 in t->b64 (grown as needed). */
static const char *
base64(struct table_out *t, struct str cell)
{
    size_t need =
        sodium_base64_ENCODED_LEN(cell.len, sodium_base64_VARIANT_ORIGINAL);

    if (need > t->b64_cap) {
        char *p = realloc(t->b64, need);

        if (p == NULL)
            return NULL;
        t->b64 = p;
        t->b64_cap = need;
    }
    return sodium_bin2base64(t->b64, need, (const unsigned char *)cell.p,
                             cell.len, sodium_base64_VARIANT_ORIGINAL);
}

/* The cell as it is written: base64 for bytes, else as is. */
static struct str
cell_text(struct table_out *t, const struct db_dump_col *col, struct str cell,
          bool *ok)
{
    const char *b;

    *ok = true;
    if (cell.p == NULL || !col->binary)
        return cell;
    b = base64(t, cell);
    *ok = b != NULL;
    return b != NULL ? str_c(b) : cell;
}

APP_MUST_USE static enum app_err
write_json_row(struct table_out *t, size_t ncols,
               const struct db_dump_col *cols, const struct str *cells)
{
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    enum app_err rc = o != NULL ? APP_OK : APP_ENOMEM;
    size_t c;

    for (c = 0; rc == APP_OK && c < ncols; c++) {
        bool ok;
        struct str v = cell_text(t, &cols[c], cells[c], &ok);
        cJSON *item;

        if (!ok) {
            rc = APP_ENOMEM;
            break;
        }
        if (v.p == NULL)
            item = cJSON_CreateNull();
        else if (cols[c].numeric && csv_is_plain_number(v))
            item = cJSON_CreateRaw(v.p);
        else
            item = cJSON_CreateString(v.p);
        if (item == NULL || !cJSON_AddItemToObject(o, cols[c].name, item)) {
            cJSON_Delete(item);
            rc = APP_ENOMEM;
        }
    }
    text = rc == APP_OK ? cJSON_PrintUnformatted(o) : NULL;
    if (rc == APP_OK && text == NULL)
        rc = APP_ENOMEM;
    if (rc == APP_OK && (fputs(t->rows > 0 ? ",\n" : "[\n", t->json) == EOF ||
                         fputs(text, t->json) == EOF))
        rc = APP_EIO;
    cJSON_free(text);
    cJSON_Delete(o);
    return rc;
}

APP_MUST_USE static enum app_err
write_csv_row(struct table_out *t, size_t ncols, const struct db_dump_col *cols,
              const struct str *cells)
{
    struct csv_writer w;
    enum app_err rc = APP_OK;
    size_t c;

    buf_clear(&t->line);
    csv_writer_init(&w, &t->line, ',');
    if (t->rows == 0) {
        rc = csv_write_bom(&w);
        for (c = 0; rc == APP_OK && c < ncols; c++)
            rc = csv_write_field(&w, str_c(cols[c].name));
        if (rc == APP_OK)
            rc = csv_end_record(&w);
    }
    for (c = 0; rc == APP_OK && c < ncols; c++) {
        bool ok;
        struct str v = cell_text(t, &cols[c], cells[c], &ok);

        rc = ok ? csv_write_field(&w, v.p != NULL ? v : str_c("")) : APP_ENOMEM;
    }
    if (rc == APP_OK)
        rc = csv_end_record(&w);
    if (rc == APP_OK &&
        fwrite(t->line.p, 1, t->line.len, t->csv) != t->line.len)
        rc = APP_EIO;
    return rc;
}

APP_MUST_USE static enum app_err
on_row(void *arg, size_t ncols, const struct db_dump_col *cols,
       const struct str *cells)
{
    struct table_out *t = arg;
    enum app_err rc = write_json_row(t, ncols, cols, cells);

    if (rc == APP_OK)
        rc = write_csv_row(t, ncols, cols, cells);
    if (rc == APP_OK)
        t->rows++;
    return rc;
}

/* Add a temporary file's whole content as an entry. */
APP_MUST_USE static enum app_err
add_tmp(FILE *out, const char *name, FILE *tmp, time_t now)
{
    long size;

    if (fflush(tmp) != 0)
        return APP_EIO;
    size = ftell(tmp);
    if (size < 0 || fseek(tmp, 0, SEEK_SET) != 0)
        return APP_EIO;
    return tar_add_stream(out, name, tmp, (uint64_t)size, now);
}

/* The one statement built at run time: the rows of table name of one
 * company, whose id is bound.  NULL when the name is refused or out of
 * memory. */
static const char *
table_sql(struct arena *a, const char *name)
{
    const char *parts[] = { "SELECT * FROM ", name, " WHERE tenant_id = ?" };

    return db_sql_names(a, parts, 3);
}

/* One table: its rows of cx's company into tables/<name>.json and .csv. */
APP_MUST_USE static enum app_err
export_table(struct ctx *cx, FILE *out, const char *name, time_t now,
             uint64_t *rows)
{
    struct table_out t;
    enum app_err rc = APP_OK;
    const char *sql = table_sql(cx->a, name);

    memset(&t, 0, sizeof(t));
    buf_init(&t.line, NULL, ROW_MAX);
    t.json = tmpfile();
    t.csv = tmpfile();
    if (sql == NULL || t.json == NULL || t.csv == NULL)
        rc = t.json == NULL || t.csv == NULL ? APP_EIO : APP_ENOMEM;
    if (rc == APP_OK)
        rc = db_dump(cx->db, sql, DB_ARGS(DB_I64(cx->tenant_id)),
                     PRIVACY_CELL_MAX, on_row, &t);
    if (rc == APP_OK && fputs(t.rows > 0 ? "\n]\n" : "[]\n", t.json) == EOF)
        rc = APP_EIO;
    if (rc == APP_OK)
        rc = add_tmp(out, arena_printf(cx->a, "tables/%s.json", name), t.json,
                     now);
    if (rc == APP_OK)
        rc = add_tmp(out, arena_printf(cx->a, "tables/%s.csv", name), t.csv,
                     now);
    *rows = t.rows;
    if (t.json != NULL)
        fclose(t.json);
    if (t.csv != NULL)
        fclose(t.csv);
    buf_free(&t.line);
    free(t.b64);
    return rc;
}

struct files_out {
    struct ctx *cx;
    FILE *out;
    time_t now;
    size_t n;
};

APP_MUST_USE static enum app_err
on_file(void *arg, const struct db_row *row)
{
    struct files_out *f = arg;
    const char *sha = row->texts[0];
    char path[CONF_STR_MAX + 80], name[80];
    enum app_err rc;

    if (sha == NULL || strlen(sha) != 64)
        return APP_OK;
    snprintf(path, sizeof(path), "%s/%.2s/%.2s/%s", f->cx->conf->files_dir, sha,
             sha + 2, sha);
    snprintf(name, sizeof(name), "files/%s", sha);
    rc = tar_add_path(f->out, name, path, f->now);
    if (rc == APP_ENOTFOUND) {
        /* A row without its bytes (files check reports it): the row is in
         * the export, the bytes cannot be. */
        log_warn("privacy.file_missing", "tenant=%lld sha=%s",
                 (long long)f->cx->tenant_id, sha);
        return APP_OK;
    }
    if (rc == APP_OK)
        f->n++;
    return rc;
}

/* manifest.json: the company, the time, each table's rows. */
APP_MUST_USE static enum app_err
write_manifest(struct ctx *cx, FILE *out, cJSON *counts, size_t nfiles,
               time_t now)
{
    cJSON *m = cJSON_CreateObject();
    char *text;
    enum app_err rc;
    char when[32];
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (m == NULL) {
        cJSON_Delete(counts);
        return APP_ENOMEM;
    }
    cJSON_AddNumberToObject(m, "tenant_id", (double)cx->tenant_id);
    cJSON_AddStringToObject(m, "exported_at", when);
    cJSON_AddItemToObject(m, "tables", counts);
    cJSON_AddNumberToObject(m, "files", (double)nfiles);
    text = cJSON_Print(m);
    cJSON_Delete(m);
    if (text == NULL)
        return APP_ENOMEM;
    rc = tar_header(out, arena_printf(cx->a, "%s.json", "manifest"),
                    strlen(text), now);
    if (rc == APP_OK && fwrite(text, 1, strlen(text), out) != strlen(text))
        rc = APP_EIO;
    if (rc == APP_OK && strlen(text) % 512 != 0) {
        static const char zeros[512];
        size_t padn = 512 - strlen(text) % 512;

        if (fwrite(zeros, 1, padn, out) != padn)
            rc = APP_EIO;
    }
    cJSON_free(text);
    return rc;
}

enum app_err
privacy_export_tenant(struct ctx *cx, FILE *out, uint64_t *rows)
{
    const char **names = NULL;
    size_t n = 0, i;
    uint64_t total = 0, r = 0;
    time_t now = time(NULL);
    struct files_out fo = { cx, out, now, 0 };
    cJSON *counts = cJSON_CreateObject();
    cJSON *detail = NULL;
    enum app_err rc = counts != NULL ? APP_OK : APP_ENOMEM;

    if (rc == APP_OK)
        rc = privacy_tables(cx, &names, &n);
    for (i = 0; rc == APP_OK && i < n; i++) {
        rc = export_table(cx, out, names[i], now, &r);
        if (rc == APP_OK &&
            cJSON_AddNumberToObject(counts, names[i], (double)r) == NULL)
            rc = APP_ENOMEM;
        total += r;
    }
    if (rc == APP_OK)
        rc = db_scan(cx->db, SQL_FILE_SHAS, DB_ARGS(DB_I64(cx->tenant_id)), 1u,
                     on_file, &fo);
    if (rc == APP_OK) {
        rc = write_manifest(cx, out, counts, fo.n, now);
        counts = NULL;
    }
    if (rc == APP_OK)
        rc = tar_finish(out);
    if (rc == APP_OK && fflush(out) != 0)
        rc = APP_EIO;
    cJSON_Delete(counts);
    detail = cJSON_CreateObject();
    if (detail != NULL) {
        cJSON_AddNumberToObject(detail, "tables", (double)n);
        cJSON_AddNumberToObject(detail, "rows", (double)total);
        cJSON_AddNumberToObject(detail, "files", (double)fo.n);
        cJSON_AddBoolToObject(detail, "complete", rc == APP_OK);
    }
    if (audit_write(cx, cx->tenant_id, cx->user_id, 0, "privacy.tenant_export",
                    detail) != APP_OK &&
        rc == APP_OK)
        rc = APP_EDB;
    cJSON_Delete(detail);
    if (rows != NULL)
        *rows = total;
    return rc;
}

/*
 * sqlname.c -- names in SQL text, checked and quoted (sqlname.h).
 */
#include "db/sqlname.h"

#include <string.h>

bool
db_name_ok(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_'))
            return false;
    return i > 0 && i <= DB_NAME_MAX;
}

const char *
db_sql_names(struct arena *a, const char *const *parts, size_t n)
{
    size_t i, len = 1, at = 0;
    char *sql;

    for (i = 0; i < n; i++) {
        if (i % 2 == 1 && !db_name_ok(parts[i]))
            return NULL;
        len += strlen(parts[i]) + (i % 2 == 1 ? 2 : 0);
    }
    sql = arena_alloc(a, len);
    if (sql == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        size_t k = strlen(parts[i]);

        if (i % 2 == 1)
            sql[at++] = '`';
        memcpy(sql + at, parts[i], k);
        at += k;
        if (i % 2 == 1)
            sql[at++] = '`';
    }
    sql[at] = '\0';
    return sql;
}

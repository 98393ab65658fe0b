/*
 * ruleform.c -- editing the declarative parts of rule scripts in place
 * (ruleform.h).
 */
#include "rules/ruleform.h"

#include <stdio.h>
#include <string.h>

static bool
ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

static size_t
skip_space(struct str s, size_t i)
{
    while (i < s.len && (s.p[i] == ' ' || s.p[i] == '\t'))
        i++;
    return i;
}

/* Whether position i is inside a "--" comment on its line. */
static bool
in_comment(struct str s, size_t i)
{
    size_t j = i;

    while (j > 0 && s.p[j - 1] != '\n')
        j--;
    for (; j < i && j + 1 < s.len; j++) {
        if (s.p[j] == '-' && s.p[j + 1] == '-')
            return true;
    }
    return false;
}

/* word at i, as a whole word, then `=`: the index after the `=` (spaces
 * skipped), or 0. */
static size_t
assign_at(struct str s, size_t i, const char *word)
{
    size_t n = strlen(word), j;

    if (i + n > s.len || memcmp(s.p + i, word, n) != 0 ||
        (i > 0 && ident_char(s.p[i - 1])) ||
        (i + n < s.len && ident_char(s.p[i + n])))
        return 0;
    j = skip_space(s, i + n);
    if (j >= s.len || s.p[j] != '=' || (j + 1 < s.len && s.p[j + 1] == '='))
        return 0;
    return skip_space(s, j + 1);
}

/* The one place in [from, to) where `word = ` is followed by what (a
 * character, or 0 for anything): the index after the `=`; 0 when none
 * or several. */
static size_t
unique_assign(struct str s, size_t from, size_t to, const char *word, char what)
{
    size_t i, found = 0, count = 0;

    for (i = from; i < to; i++) {
        size_t v = assign_at(s, i, word);

        if (v == 0 || v >= to || in_comment(s, i))
            continue;
        if (what != 0 && s.p[v] != what)
            continue;
        found = v;
        count++;
    }
    return count == 1 ? found : 0;
}

/* The index of the '}' that closes the '{' at open (strings skipped), or
 * 0. */
static size_t
closing(struct str s, size_t open)
{
    int depth = 0;
    size_t i;

    for (i = open; i < s.len; i++) {
        char c = s.p[i];

        if (c == '"' || c == '\'') {
            for (i++; i < s.len && s.p[i] != c && s.p[i] != '\n'; i++)
                if (s.p[i] == '\\')
                    i++;
        } else if (c == '-' && i + 1 < s.len && s.p[i + 1] == '-') {
            while (i < s.len && s.p[i] != '\n')
                i++;
        } else if (c == '{') {
            depth++;
        } else if (c == '}' && --depth == 0) {
            return i;
        }
    }
    return 0;
}

static size_t
line_end(struct str s, size_t i)
{
    while (i < s.len && s.p[i] != '\n')
        i++;
    return i;
}

/* The number's span on the table's line: [*at, *end). */
static bool
number_span(struct str s, const char *table, const char *key, size_t *at,
            size_t *end)
{
    size_t open = unique_assign(s, 0, s.len, table, '{'), e;

    if (open == 0)
        return false;
    e = line_end(s, open);
    *at = unique_assign(s, open, e, key, 0);
    if (*at == 0)
        return false;
    for (*end = *at; *end < e && ((s.p[*end] >= '0' && s.p[*end] <= '9') ||
                                  s.p[*end] == '.' || s.p[*end] == '-');
         (*end)++)
        ;
    return *end > *at && *end - *at < 32;
}

bool
ruleform_number(struct str script, const char *table, const char *key,
                char *out, size_t n)
{
    size_t at, end;

    if (!number_span(script, table, key, &at, &end) || end - at >= n)
        return false;
    memcpy(out, script.p + at, end - at);
    out[end - at] = '\0';
    return true;
}

/* script with [at, end) replaced by text. */
static const char *
splice(struct arena *a, struct str s, size_t at, size_t end, const char *text)
{
    return arena_printf(a, "%.*s%s%.*s", (int)at, s.p, text, (int)(s.len - end),
                        s.p + end);
}

const char *
ruleform_set_number(struct arena *a, struct str script, const char *table,
                    const char *key, const char *value)
{
    size_t at, end;

    if (!number_span(script, table, key, &at, &end))
        return NULL;
    return splice(a, script, at, end, value);
}

/* The entry's braces [*open, *close]. */
static bool
entry_span(struct str s, const char *entry, bool by_key, size_t *open,
           size_t *close)
{
    if (by_key) {
        char quoted[80];
        size_t v, i, count = 0, found = 0;

        snprintf(quoted, sizeof(quoted), "\"%s\"", entry);
        for (i = 0; i < s.len; i++) {
            v = assign_at(s, i, "key");
            if (v == 0 || in_comment(s, i) || v + strlen(quoted) > s.len ||
                memcmp(s.p + v, quoted, strlen(quoted)) != 0)
                continue;
            found = i;
            count++;
        }
        if (count != 1)
            return false;
        /* The nearest '{' before it opens the entry. */
        for (i = found; i > 0 && s.p[i - 1] != '{'; i--)
            if (s.p[i - 1] == '}')
                return false;
        if (i == 0)
            return false;
        *open = i - 1;
    } else {
        *open = unique_assign(s, 0, s.len, entry, '{');
        if (*open == 0)
            return false;
    }
    *close = closing(s, *open);
    return *close > *open;
}

/* The field's list in the entry: [*lo, *hi] its braces; false when not
 * there exactly once (then *lo = 0). */
static bool
list_span(struct str s, size_t open, size_t close, const char *field,
          size_t *lo, size_t *hi)
{
    *lo = unique_assign(s, open + 1, close, field, '{');
    if (*lo == 0)
        return false;
    *hi = closing(s, *lo);
    return *hi > *lo && *hi < close;
}

bool
ruleform_list(struct arena *a, struct str s, const char *entry,
              bool entry_is_key, const char *field, const char **items,
              size_t *n)
{
    size_t open, close, lo, hi, i;

    *n = 0;
    if (!entry_span(s, entry, entry_is_key, &open, &close))
        return false;
    if (!list_span(s, open, close, field, &lo, &hi))
        return unique_assign(s, open + 1, close, field, 0) == 0;
    for (i = lo + 1; i < hi; i++) {
        char c = s.p[i];
        size_t start;

        if (c == ' ' || c == '\t' || c == '\n' || c == ',')
            continue;
        if (c != '"' || *n >= RULEFORM_LIST_MAX)
            return false;
        start = ++i;
        while (i < hi && ident_char(s.p[i]))
            i++;
        if (i >= hi || s.p[i] != '"' || i == start)
            return false;
        items[(*n)++] = arena_strndup(a, s.p + start, i - start);
    }
    return true;
}

const char *
ruleform_set_list(struct arena *a, struct str s, const char *entry,
                  bool entry_is_key, const char *field,
                  const char *const *items, size_t n)
{
    const char *found[RULEFORM_LIST_MAX], *text = "{";
    size_t open, close, lo, hi, k, had;

    if (!ruleform_list(a, s, entry, entry_is_key, field, found, &had) ||
        !entry_span(s, entry, entry_is_key, &open, &close) ||
        n > RULEFORM_LIST_MAX)
        return NULL;
    /* Items are keys: nothing that could end the Lua string. */
    for (k = 0; k < n; k++) {
        size_t i;

        for (i = 0; items[k][i] != '\0'; i++)
            if (!ident_char(items[k][i]))
                return NULL;
        if (i == 0)
            return NULL;
    }
    for (k = 0; k < n; k++)
        text =
            arena_printf(a, "%s%s\"%s\"", text, k > 0 ? ", " : " ", items[k]);
    text = arena_printf(a, "%s%s}", text, n > 0 ? " " : "");
    if (list_span(s, open, close, field, &lo, &hi))
        return splice(a, s, lo, hi + 1, text);
    /* No such field yet: add it before the entry closes. */
    for (k = close; k > open + 1 && (s.p[k - 1] == ' ' || s.p[k - 1] == '\n');
         k--)
        ;
    return splice(a, s, k, k,
                  arena_printf(a, "%s %s = %s", s.p[k - 1] == ',' ? "" : ",",
                               field, text));
}

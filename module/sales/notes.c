/*
 * notes.c -- quick notes read into a proposed activity (notes.h).
 */
#include "sales/notes.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/hanzi.h"
#include "base/num.h"
#include "base/tz.h"
#include "rules/rules.h"
#include "sales/activities.h"
#include "sales/contacts.h"

#define FOLD_MAX (NOTES_TEXT_MAX * 4 + 1)
#define NAME_MAX_BYTES 801
#define DATE_RANGE_DAYS 730

/* The customers a note can name: the rep's own. */
static const char SQL_OWN[] =
    "SELECT id, name, city FROM customers WHERE tenant_id = ? AND "
    "owner_id = ? ORDER BY id LIMIT ?";

/* Cores too general to name one place ("第一" of 第一人民医院). */
static const char *const generic_cores[] = {
    "人民", "中心", "中医", "妇幼", "儿童", "口腔", "肿瘤", "附属",
    "社区", "大学", "医科", "市立", "县",   "区",   NULL,
};

/* Two-letter words that are not a customer's initials. */
static const char *const not_initials[] = {
    "ct", "mr", "dr", "ms",  "pm",  "am",  "ok",  "ge",  "it",  "hr", "pr",
    "qa", "ai", "vp", "ceo", "cto", "cfo", "the", "and", "for", NULL,
};

long
notes_days(int y, int m, int d)
{
    long yy = m <= 2 ? y - 1 : y;
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;
    long mp = (m + 9) % 12;
    long doy = (153 * mp + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

int
notes_weekday(int y, int m, int d)
{
    long z = notes_days(y, m, d);

    /* 1970-01-01 was a Thursday (4). */
    return (int)(((z % 7) + 7 + 3) % 7) + 1;
}

/* One customer's best match in the folded text. */
struct cand {
    int64_t id;
    const char *name;
    int tier; /* 4 name, 3 without city or kind, 2 short form, 1 initials */
    size_t start, len;
};

/* What the matcher reads: the folded text, the raw text (for initials)
 * and whether it is the customer mention (short forms allowed). */
struct subject {
    struct str folded;
    struct str raw;
    bool mention;
    bool letters; /* raw has two ASCII letters in a row (initials) */
};

static bool
in_list(struct str s, const char *const *list)
{
    size_t i;

    for (i = 0; list[i] != NULL; i++) {
        if (str_eq_c(s, list[i]))
            return true;
    }
    return false;
}

/* Long enough to name one place: two characters of hanzi, or four
 * letters. */
static bool
key_ok(struct str k)
{
    size_t i;
    bool ascii = true;

    for (i = 0; i < k.len; i++)
        ascii = ascii && (unsigned char)k.p[i] < 0x80;
    return ascii ? k.len >= 4 : hanzi_chars(k) >= 2;
}

/* The text before pos names no city, or the customer's. */
static bool
city_ok(struct str f, size_t pos, struct str city)
{
    struct str before = { f.p, pos };
    size_t n = hanzi_city_suffix_len(before);
    struct str w;

    if (n == 0 || city.len == 0)
        return true;
    w = (struct str){ f.p + pos - n, n };
    if (w.len > 3 && (memcmp(w.p + w.len - 3, "市", 3) == 0 ||
                      memcmp(w.p + w.len - 3, "省", 3) == 0))
        w.len -= 3;
    return str_has_prefix(city, w) || str_has_prefix(w, city);
}

static const char *const legal_forms[] = {
    "股份有限公司", "有限责任公司", "有限公司", "公司", "集团",
    "coltd",        "ltd",          "inc",      NULL
};

/* A name without its legal form (仁和医院 of 仁和医院有限公司). */
static struct str
without_legal(struct str s)
{
    size_t i;
    bool again = true;

    while (again) {
        again = false;
        for (i = 0; legal_forms[i] != NULL; i++) {
            size_t n = strlen(legal_forms[i]);

            if (s.len > n && memcmp(s.p + s.len - n, legal_forms[i], n) == 0) {
                s.len -= n;
                again = true;
            }
        }
    }
    return s;
}

/* A kind of place right after the match is the one the name has there
 * (仁和 + 医院 for 仁和医院, not 仁和 + 药房), or a legal form. */
static bool
kind_ok(struct str f, size_t end, struct str name_rest)
{
    struct str after = { f.p + end, f.len - end };
    size_t n = hanzi_suffix_start(after);
    size_t i;

    if (n == 0)
        return true;
    for (i = 0; legal_forms[i] != NULL; i++) {
        if (n == strlen(legal_forms[i]) &&
            memcmp(after.p, legal_forms[i], n) == 0)
            return true;
    }
    return name_rest.len >= n && memcmp(name_rest.p, after.p, n) == 0;
}

/* Titles: a short name right before one is a person's (王明德主任), not
 * the customer 明德医院. */
static const char *const person_titles[] = {
    "主任",   "科长", "院长", "处长", "部长", "经理", "老师", "医生", "大夫",
    "护士长", "主管", "店长", "老板", "局长", "书记", "教授", "总监", NULL,
};

static bool
before_title(struct str f, size_t end)
{
    struct str after = { f.p + end, f.len - end };
    size_t i;

    for (i = 0; person_titles[i] != NULL; i++)
        if (str_has_prefix(after, str_c(person_titles[i])))
            return true;
    return false;
}

/* The first place key occurs in f with the checks passing; false when
 * none.  name_rest: what follows the key in the folded name (a core or
 * short form: then a title right after it is a person's name); NULL
 * for the whole name. */
static bool
find_key(struct str f, struct str key, struct str city, struct str name_rest,
         size_t *at)
{
    size_t from = 0;

    if (!key_ok(key))
        return false;
    while (from + key.len <= f.len) {
        const char *p = memmem(f.p + from, f.len - from, key.p, key.len);
        size_t pos;

        if (p == NULL)
            return false;
        pos = (size_t)(p - f.p);
        if (city_ok(f, pos, city) && kind_ok(f, pos + key.len, name_rest) &&
            (name_rest.p == NULL || !before_title(f, pos + key.len))) {
            *at = pos;
            return true;
        }
        from = pos + 1;
    }
    return false;
}

/* An ASCII word of raw that is one of the name's initials. */
static bool
initials_match(struct str raw, const char *const *forms, size_t nforms)
{
    size_t i = 0;

    while (i < raw.len) {
        size_t j = i, k, upper = 0;
        char word[16];

        while (j < raw.len && isalpha((unsigned char)raw.p[j])) {
            upper += isupper((unsigned char)raw.p[j]) ? 1 : 0;
            j++;
        }
        if (j - i >= 2 && j - i < sizeof(word) &&
            (i == 0 || !isalnum((unsigned char)raw.p[i - 1])) &&
            (j == raw.len || !isalnum((unsigned char)raw.p[j]))) {
            for (k = 0; k < j - i; k++)
                word[k] = (char)tolower((unsigned char)raw.p[i + k]);
            word[j - i] = '\0';
            /* "RH" counts only in capitals; "ct" and the like never. */
            if ((j - i > 2 || upper == 2) &&
                !in_list(str_c(word), not_initials))
                for (k = 0; k < nforms; k++)
                    if (forms[k][0] != '\0' && strcmp(forms[k], word) == 0)
                        return true;
        }
        i = j > i ? j : i + 1;
    }
    return false;
}

/* How well one customer matches the subject. */
static void
match_one(const struct subject *s, const char *name, const char *city_col,
          struct cand *c)
{
    char fname[NAME_MAX_BYTES], fcity[NAME_MAX_BYTES];
    char ini[4][NAME_MAX_BYTES / 2];
    const char *forms[4] = { ini[0], ini[1], ini[2], ini[3] };
    struct str n = { fname, hanzi_fold(str_c(name), fname, sizeof(fname)) };
    struct str city;
    struct hanzi_name p;
    size_t at, k;

    c->tier = 0;
    hanzi_name_parts(n, &p);
    city = p.city.len > 0
               ? p.city
               : (struct str){ fcity, hanzi_fold(str_c(city_col), fcity,
                                                 sizeof(fcity)) };
    if (find_key(s->folded, n, city, STR_NULL, &at)) {
        *c = (struct cand){ c->id, c->name, 4, at, n.len };
        return;
    }
    if (p.nocity.len < n.len &&
        find_key(s->folded, p.nocity, city, STR_NULL, &at)) {
        *c = (struct cand){ c->id, c->name, 3, at, p.nocity.len };
        return;
    }
    if (in_list(p.core, generic_cores) || str_has_prefix(p.core, STR_LIT("第")))
        return;
    if (p.core.len < p.nocity.len &&
        find_key(s->folded, p.core, city, p.suffix, &at)) {
        *c = (struct cand){ c->id, c->name, 3, at, p.core.len };
        return;
    }
    /* Short forms: a leading part of the core, in the mention only. */
    for (k = p.core.len; s->mention && k > 0; k--) {
        struct str pre = { p.core.p, k };
        struct str rest = { p.core.p + k, p.nocity.len - k };

        if (k == p.core.len ||
            (k < p.core.len && ((unsigned char)p.core.p[k] & 0xC0) == 0x80))
            continue;
        if (find_key(s->folded, pre, city, rest, &at)) {
            *c = (struct cand){ c->id, c->name, 2, at, k };
            return;
        }
    }
    if (!s->letters)
        return;
    hanzi_initials(n, ini[0], sizeof(ini[0]));
    hanzi_initials(p.nocity, ini[1], sizeof(ini[1]));
    hanzi_initials(p.core, ini[2], sizeof(ini[2]));
    hanzi_initials(without_legal(p.nocity), ini[3], sizeof(ini[3]));
    if (initials_match(s->raw, forms, 4))
        *c = (struct cand){ c->id, c->name, 1, 0, 0 };
}

/* The one best candidate: the highest tier, then the longest match; it
 * must hold every other candidate's match (仁和医院东院 over 仁和医院),
 * else none: a candidate elsewhere in the text, or an equal one, makes
 * the note ambiguous.  Initials lose to any name. */
static const struct cand *
best_of(const struct cand *list, size_t n)
{
    const struct cand *best = NULL;
    size_t i;

    for (i = 0; i < n; i++) {
        if (list[i].tier == 0)
            continue;
        if (best == NULL || list[i].tier > best->tier ||
            (list[i].tier == best->tier && list[i].len > best->len))
            best = &list[i];
    }
    for (i = 0; best != NULL && i < n; i++) {
        const struct cand *c = &list[i];

        if (c == best || c->tier == 0)
            continue;
        if (best->tier == 1 || c->tier == 1) {
            if (c->tier >= best->tier)
                return NULL;
            continue;
        }
        if (c->start < best->start ||
            c->start + c->len > best->start + best->len ||
            (c->len == best->len && c->tier >= best->tier))
            return NULL;
    }
    return best;
}

APP_MUST_USE static enum app_err
match_customer(struct ctx *cx, const struct subject *s,
               struct note_proposal *out)
{
    struct db_res r;
    struct cand *list;
    const struct cand *best;
    size_t i;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_OWN,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id),
                         DB_I64(NOTES_CUSTOMERS_MAX)),
                 NOTES_CUSTOMERS_MAX, &r);

    if (rc != APP_OK || r.nrows == 0)
        return rc;
    list = arena_calloc(cx->a, r.nrows, sizeof(*list));
    if (list == NULL)
        return APP_ENOMEM;
    for (i = 0; i < r.nrows; i++) {
        list[i].id = db_int(&r, i, 0, 0);
        list[i].name = db_text(&r, i, 1);
        match_one(s, list[i].name, db_text(&r, i, 2), &list[i]);
    }
    best = best_of(list, r.nrows);
    if (best != NULL) {
        out->customer_id = best->id;
        out->customer_name = best->name;
    }
    return APP_OK;
}

/* The contact's name split in words has w first or last (Latin names). */
static bool
latin_surname(const char *name, const char *w)
{
    size_t n = strlen(w), len = strlen(name);
    const char *sp = strchr(name, ' '), *last = strrchr(name, ' ');

    if (n == 0 || sp == NULL)
        return false;
    return ((size_t)(sp - name) == n && strncasecmp(name, w, n) == 0) ||
           (len - (size_t)(last + 1 - name) == n &&
            strcasecmp(last + 1, w) == 0);
}

/* Among the customer's contacts: the one whose full name is in the note,
 * else the one the surname and title (李主任) fit. */
APP_MUST_USE static enum app_err
match_contact(struct ctx *cx, struct str folded_text, const char *surname,
              const char *title, struct note_proposal *out)
{
    struct contact *list = arena_alloc(cx->a, CONTACTS_MAX * sizeof(*list));
    size_t n = 0, i, full = 0, fit = 0, titled = 0;
    const struct contact *by_name = NULL, *by_fit = NULL, *by_title = NULL;
    enum app_err rc;

    if (list == NULL)
        return APP_ENOMEM;
    rc = contacts_list(cx, out->customer_id, list, CONTACTS_MAX, &n);
    for (i = 0; rc == APP_OK && i < n; i++) {
        char f[NAME_MAX_BYTES];
        struct str k = { f, hanzi_fold(str_c(list[i].name), f, sizeof(f)) };
        bool hz = surname[0] != '\0' && (unsigned char)surname[0] >= 0x80;

        if (key_ok(k) && memmem(folded_text.p, folded_text.len, k.p, k.len)) {
            full++;
            by_name = &list[i];
        }
        if (surname[0] == '\0' || !(hz ? str_has_prefix(k, str_c(surname))
                                       : latin_surname(list[i].name, surname)))
            continue;
        if (title[0] != '\0' && list[i].title[0] != '\0' &&
            strstr(list[i].title, title) != NULL) {
            titled++;
            by_title = &list[i];
        } else if (title[0] != '\0' && list[i].title[0] != '\0') {
            continue; /* 李主任 is not 李护士长 */
        }
        fit++;
        by_fit = &list[i];
    }
    if (full == 1)
        by_fit = by_name;
    else if (full > 1)
        by_fit = NULL;
    else if (fit > 1)
        by_fit = titled == 1 ? by_title : NULL;
    if (rc == APP_OK && by_fit != NULL) {
        out->contact_id = by_fit->id;
        out->contact_name = by_fit->name;
    }
    return rc;
}

/* A field the rules returned, as the core accepts it. */
static bool
field_ok(const cJSON *v, long today)
{
    const char *k = v->string;
    size_t i, n = k != NULL ? strlen(k) : 0;
    int y, m, d;

    if (n == 0 || n > 32)
        return false;
    for (i = 0; i < n; i++)
        if (!(islower((unsigned char)k[i]) || isdigit((unsigned char)k[i]) ||
              k[i] == '_'))
            return false;
    if (cJSON_IsNumber(v))
        return isfinite(v->valuedouble);
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0' ||
        strlen(v->valuestring) > NOTES_FIELD_MAX ||
        !utf8_valid(v->valuestring, strlen(v->valuestring)))
        return false;
    if (strcmp(k, "next_date") == 0)
        return parse_date(str_c(v->valuestring), &y, &m, &d) &&
               labs(notes_days(y, m, d) - today) <= DATE_RANGE_DAYS;
    if (strcmp(k, "visit_type") == 0) {
        for (i = 0; v->valuestring[i] != '\0'; i++)
            if (i >= 32 || !(islower((unsigned char)v->valuestring[i]) ||
                             isdigit((unsigned char)v->valuestring[i]) ||
                             v->valuestring[i] == '_'))
                return false;
        return true;
    }
    if (strcmp(k, "kind") == 0) {
        for (i = 0; activity_kinds[i] != NULL; i++)
            if (strcmp(activity_kinds[i], v->valuestring) == 0)
                return true;
        return false;
    }
    return true;
}

static cJSON *
clean_fields(const cJSON *res, long today)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *v;
    int n = 0;

    cJSON_ArrayForEach(v, res)
    {
        if (out == NULL || n >= NOTES_FIELDS_MAX || !field_ok(v, today))
            continue;
        if (cJSON_AddItemToObject(out, v->string, cJSON_Duplicate(v, false)))
            n++;
    }
    return out;
}

/* "00".."max" (an hour or a minute). */
static bool
two_digits(const char *p, int max)
{
    return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
           (p[0] - '0') * 10 + (p[1] - '0') <= max;
}

/* The note's local day: from at, else today in the company's zone. */
APP_MUST_USE static enum app_err
note_day(struct ctx *cx, struct str at, char *day, size_t n, int *y, int *m,
         int *d)
{
    if (at.len == 0) {
        tz_today(cx->tenant_tz, day, n);
    } else {
        struct str time = { at.p + 10, at.len > 10 ? at.len - 10 : 0 };

        if (at.len < 10 || at.len >= n ||
            (at.len > 10 &&
             (at.len != 16 || (at.p[10] != 'T' && at.p[10] != ' ') ||
              time.p[3] != ':' || !two_digits(time.p + 1, 23) ||
              !two_digits(time.p + 4, 59)))) {
            cx->err_detail = "notes.bad_at";
            return APP_EVALIDATION;
        }
        memcpy(day, at.p, 10);
        day[10] = '\0';
    }
    if (!parse_date(str_c(day), y, m, d)) {
        cx->err_detail = "notes.bad_at";
        return APP_EVALIDATION;
    }
    return APP_OK;
}

APP_MUST_USE static enum app_err
check_text(struct ctx *cx, struct str text)
{
    size_t i;
    bool blank = true;

    if (!utf8_valid(text.p, text.len)) {
        cx->err_detail = "notes.bad_text";
        return APP_EVALIDATION;
    }
    if (hanzi_chars(text) > NOTES_TEXT_MAX) {
        cx->err_detail = "notes.too_long";
        return APP_ETOOBIG;
    }
    for (i = 0; i < text.len; i++)
        blank = blank && isspace((unsigned char)text.p[i]);
    if (blank) {
        cx->err_detail = "notes.empty";
        return APP_EVALIDATION;
    }
    return APP_OK;
}

/* The rules' reading of the note. */
APP_MUST_USE static enum app_err
read_rules(struct ctx *cx, struct str text, const char *day, int wd,
           struct note_proposal *out, cJSON **res)
{
    cJSON *args = cJSON_CreateArray(), *note = cJSON_CreateObject();
    struct sbx *s;
    enum app_err rc = rules_get(cx, &s, &out->rule_version);

    if (args == NULL || note == NULL) {
        cJSON_Delete(args);
        cJSON_Delete(note);
        return APP_ENOMEM;
    }
    cJSON_AddItemToArray(args, note);
    cJSON_AddStringToObject(note, "text", arena_str(cx->a, text).p);
    cJSON_AddStringToObject(note, "today", day);
    cJSON_AddNumberToObject(note, "weekday", wd);
    if (rc == APP_OK)
        rc = ctx_incomplete(cx, "note")
                 ? APP_ENOMEM
                 : rules_json(cx, "extract_notes", args, res);
    cJSON_Delete(args);
    return rc;
}

enum app_err
notes_extract(struct ctx *cx, struct str text, struct str at,
              struct note_proposal *out)
{
    char day[32], *folded = NULL, *fm;
    cJSON *res = NULL;
    const char *mention, *surname, *title;
    struct subject s;
    struct str full;
    int y, m, d;
    enum app_err rc = check_text(cx, text);

    memset(out, 0, sizeof(*out));
    if (rc == APP_OK)
        rc = note_day(cx, at, day, sizeof(day), &y, &m, &d);
    if (rc == APP_OK)
        rc = read_rules(cx, text, day, notes_weekday(y, m, d), out, &res);
    if (rc != APP_OK)
        return rc;
    out->today = arena_strdup(cx->a, day);
    out->fields = clean_fields(res, notes_days(y, m, d));
    cJSON_Delete(res);
    folded = arena_alloc(cx->a, FOLD_MAX);
    fm = arena_alloc(cx->a, FOLD_MAX);
    if (out->fields == NULL || folded == NULL || fm == NULL) {
        rc = APP_ENOMEM;
        goto fail;
    }
    mention = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(out->fields, "customer"));
    surname = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(out->fields, "contact_surname"));
    title = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(out->fields, "contact_title"));
    full = (struct str){ folded, hanzi_fold(text, folded, FOLD_MAX) };
    /* A mention the rules found is what names the customer; the whole
     * note only when they found none. */
    s.mention = mention != NULL;
    s.raw = s.mention ? str_c(mention) : text;
    s.folded =
        s.mention ? (struct str){ fm, hanzi_fold(s.raw, fm, FOLD_MAX) } : full;
    s.letters = false;
    for (size_t i = 1; i < s.raw.len; i++)
        s.letters = s.letters || (isalpha((unsigned char)s.raw.p[i - 1]) &&
                                  isalpha((unsigned char)s.raw.p[i]));
    rc = match_customer(cx, &s, out);
    if (rc == APP_OK && out->customer_id > 0)
        rc = match_contact(cx, full, surname != NULL ? surname : "",
                           title != NULL ? title : "", out);
    if (rc == APP_OK)
        return APP_OK;
fail:
    cJSON_Delete(out->fields);
    out->fields = NULL;
    return rc;
}

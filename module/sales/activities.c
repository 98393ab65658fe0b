/*
 * activities.c -- activities and visits (activities.h).
 */
#include "sales/activities.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "identity/access.h"
#include "identity/role.h"
#include "rules/ruledesc.h"
#include "rules/rules.h"
#include "sales/contacts.h"
#include "sales/customers.h"
#include "sales/files.h"
#include "sales/photo_exif.h"
#include "sales/photo_image.h"

const char *const activity_kinds[] = { "visit",   "call", "meeting",
                                       "message", "demo", "training",
                                       NULL };

/* Who sees an activity (args: all, tenant, root, tenant, root): the rep's
 * or the customer owner's managers, and admins. */
#define SCOPE                                                                  \
    "(? = 1 OR a.rep_id IN (SELECT descendant_id FROM user_tree WHERE "        \
    "tenant_id = ? AND ancestor_id = ?) OR c.owner_id IN (SELECT "             \
    "descendant_id FROM user_tree WHERE tenant_id = ? AND ancestor_id = ?))"
#define COLUMNS                                                                \
    "SELECT a.id, a.kind, a.status, a.customer_id, c.name, a.rep_id, "         \
    "COALESCE(u.display_name, ''), a.at, a.content, a.need, a.competitor, "    \
    "a.next_step, COALESCE(a.next_date, ''), a.effective, a.missing, "         \
    "a.reason, COALESCE(a.rule_version, 0), COALESCE(a.visit_type, ''), "      \
    "COALESCE(a.checkin_at, ''), COALESCE(a.checkin_lat, ''), "                \
    "COALESCE(a.checkin_lng, ''), COALESCE(a.checkin_accuracy, ''), "          \
    "COALESCE(a.distance_m, ''), a.location_flag, "                            \
    "COALESCE(a.checkout_at, ''), COALESCE(ur.display_name, ''), "             \
    "COALESCE(a.reviewed_at, ''), a.review_note, COALESCE(a.client_id, ''), "  \
    "COALESCE(a.device_at, ''), a.created_at "                                 \
    "FROM activities a JOIN customers c ON c.id = a.customer_id AND "          \
    "c.tenant_id = a.tenant_id LEFT JOIN users u ON u.id = a.rep_id AND "      \
    "u.tenant_id = a.tenant_id LEFT JOIN users ur ON ur.id = a.reviewed_by "   \
    "AND ur.tenant_id = a.tenant_id "

static const char SQL_GET[] = COLUMNS "WHERE a.tenant_id = ? AND a.id = ? "
                                      "AND " SCOPE;
/* Lists: the filters (customer, rep, kind, from, to) and the page.  The
 * time range is always bound (the whole calendar without a day), so that
 * it is a range of the (tenant, rep, at) and (tenant, at) indexes. */
#define LIST_FILTER                                                            \
    "AND (? = 0 OR a.customer_id = ?) AND (? = 0 OR a.rep_id = ?) "            \
    "AND (? = '' OR a.kind = ?) AND a.at >= ? AND a.at < ? "
#define LIST_PAGE "ORDER BY a.at DESC, a.id DESC LIMIT ?"
/* Everyone's (admins): one range of the (tenant, at) index. */
static const char SQL_LIST_ALL[] =
    COLUMNS "WHERE a.tenant_id = ? " LIST_FILTER LIST_PAGE;
/* A person's scope: the page of ids from the activities of the people
 * under them, and from those of the customers they own, each a semi-join
 * on an index (an OR of the two would read the company's every row);
 * then the columns of that page only. */
static const char SQL_LIST_SCOPED[] = COLUMNS
    "JOIN ((SELECT a.id FROM activities a WHERE a.tenant_id = ? AND "
    "a.rep_id IN (SELECT descendant_id FROM user_tree WHERE tenant_id = ? "
    "AND ancestor_id = ?) " LIST_FILTER LIST_PAGE ") UNION (SELECT a.id "
    "FROM activities a JOIN customers c ON c.id = a.customer_id AND "
    "c.tenant_id = a.tenant_id WHERE a.tenant_id = ? AND c.owner_id IN ("
    "SELECT descendant_id FROM user_tree WHERE tenant_id = ? AND "
    "ancestor_id = ?) " LIST_FILTER LIST_PAGE ")) p ON p.id = a.id "
    "WHERE a.tenant_id = ? " LIST_PAGE;
static const char SQL_BY_CLIENT[] =
    "SELECT id FROM activities WHERE tenant_id = ? AND client_id = ?";
static const char SQL_ADD[] =
    "INSERT INTO activities (tenant_id, customer_id, rep_id, kind, client_id, "
    "status, at, content, need, competitor, next_step, next_date, effective, "
    "missing, reason, rule_version, visit_type, checkin_at, checkin_lat, "
    "checkin_lng, checkin_accuracy, distance_m, location_flag, device_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?)";
static const char SQL_CONTACT[] =
    "INSERT INTO activity_contacts (tenant_id, activity_id, contact_id, "
    "consensus) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "consensus = VALUES(consensus)";
static const char SQL_TOUCH[] =
    "UPDATE customers SET last_activity_at = GREATEST(COALESCE("
    "last_activity_at, ?), ?) WHERE tenant_id = ? AND id = ?";
static const char SQL_COMPLETE[] =
    "UPDATE activities SET status = 'done', checkout_at = ?, content = ?, "
    "need = ?, competitor = ?, next_step = ?, next_date = ?, effective = ?, "
    "missing = ?, reason = ?, rule_version = ? WHERE tenant_id = ? AND id = ? "
    "AND status = 'open'";
static const char SQL_PHOTOS[] =
    "SELECT id, photo_key, file_id, uploaded_at, COALESCE(exif_at, ''), "
    "flags, COALESCE(thumb_file_id, 0) FROM activity_photos "
    "WHERE tenant_id = ? AND activity_id = ? ORDER BY id";
static const char SQL_PHOTO_ADD[] =
    "INSERT INTO activity_photos (tenant_id, activity_id, photo_key, file_id, "
    "sha256, exif_at, exif_lat, exif_lng, flags, thumb_file_id, width, "
    "height, phash, ph0, ph1, ph2, ph3) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* The same bytes already in this slot of this visit (an offline replay
 * whose answer was lost): that photo. */
static const char SQL_PHOTO_SAME[] =
    "SELECT id FROM activity_photos WHERE tenant_id = ? AND activity_id = ? "
    "AND photo_key = ? AND sha256 = ? ORDER BY id LIMIT 1";
static const char SQL_REUSED[] =
    "SELECT COUNT(*) FROM activity_photos WHERE tenant_id = ? AND "
    "sha256 = ? AND activity_id <> ?";
/* The same picture, not the same bytes: within PHOTO_HASH_NEAR bits,
 * found through the band that must match exactly (013_photo_thumbs). */
static const char SQL_SIMILAR[] =
    "SELECT COUNT(*) FROM activity_photos WHERE tenant_id = ? AND "
    "activity_id <> ? AND sha256 <> ? AND (ph0 = ? OR ph1 = ? OR ph2 = ? OR "
    "ph3 = ?) AND BIT_COUNT(phash ^ ?) <= ?";
static const char SQL_CONTACTS_OF[] =
    "SELECT k.id, k.name, k.role, ac.consensus FROM activity_contacts ac "
    "JOIN contacts k ON k.id = ac.contact_id AND k.tenant_id = ac.tenant_id "
    "WHERE ac.tenant_id = ? AND ac.activity_id = ? ORDER BY k.id";
static const char SQL_PLACE[] =
    "SELECT lat, lng FROM customers WHERE tenant_id = ? AND id = ? AND "
    "lat IS NOT NULL AND lng IS NOT NULL";
static const char SQL_SET_PLACE[] =
    "UPDATE customers SET lat = ?, lng = ?, location_source = "
    "'first_checkin' WHERE tenant_id = ? AND id = ? AND lat IS NULL";
static const char SQL_REVIEW[] =
    "UPDATE activities SET reviewed_by = ?, reviewed_at = ?, review_note = ? "
    "WHERE tenant_id = ? AND id = ?";

double
geo_distance_m(double lat1, double lng1, double lat2, double lng2)
{
    const double r = 6371008.8, rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlng = (lng2 - lng1) * rad;
    double h =
        sin(dlat / 2) * sin(dlat / 2) +
        cos(lat1 * rad) * cos(lat2 * rad) * sin(dlng / 2) * sin(dlng / 2);

    return 2 * r * asin(sqrt(h < 1 ? h : 1));
}

static const char *
now_text(struct ctx *cx)
{
    char buf[32];

    return arena_strdup(cx->a, tz_utc_text(time(NULL), buf, sizeof(buf)));
}

static struct db_val
text_or_empty(const char *s)
{
    return DB_CSTR(s != NULL ? s : "");
}

/* The scope arguments. */
struct scope {
    int64_t all, root;
};

static struct scope
scope_of(struct ctx *cx)
{
    struct scope s;

    access_scope(cx, &s.root, &s.all);
    return s;
}

enum {
    F_KIND,
    F_CUSTOMER,
    F_CLIENT,
    F_CONTENT,
    F_NEED,
    F_COMPETITOR,
    F_NEXT,
    F_NEXT_DATE,
    NF
};

/* The contacts met (repeated "contact") with their consensus
 * ("consensus_<id>"), each of the customer. */
static void
check_contacts(struct ctx *cx, const struct kvlist *f,
               struct activity_input *in, cJSON *errors)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        struct contact k;
        int64_t id;
        const char *key;
        size_t j;

        if (!str_eq_c(f->v[i].key, "contact"))
            continue;
        if (!parse_i64(f->v[i].val, 1, INT64_MAX, &id) ||
            in->ncontacts >= ACT_CONTACTS_MAX ||
            contacts_get(cx, id, &k) != APP_OK ||
            k.customer_id != in->customer_id) {
            cJSON_AddStringToObject(errors, "contact", "activity.bad_contact");
            return;
        }
        in->contacts[in->ncontacts] = id;
        in->consensus[in->ncontacts] = "";
        key = arena_printf(cx->a, "consensus_%lld", (long long)id);
        for (j = 0; key != NULL && j < f->n; j++) {
            if (str_eq_c(f->v[j].key, key)) {
                if (f->v[j].val.len > 500)
                    cJSON_AddStringToObject(errors, key,
                                            "activity.consensus_too_long");
                in->consensus[in->ncontacts] = arena_str(cx->a, f->v[j].val).p;
            }
        }
        in->ncontacts++;
    }
}

static bool
client_id_ok(struct str s)
{
    size_t i;

    if (s.len == 0 || s.len > ACT_CLIENT_ID_MAX)
        return false;
    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

enum app_err
activities_check(struct ctx *cx, const struct kvlist *f,
                 struct activity_input *in, cJSON *errors)
{
    static const struct field_spec spec[NF] = {
        [F_KIND] = { "kind", V_ENUM, false, 0, 0, activity_kinds },
        [F_CUSTOMER] = { "customer", V_INT, true, 1, INT64_MAX, NULL },
        [F_CLIENT] = { "client_id", V_LINE, false, 1, ACT_CLIENT_ID_MAX, NULL },
        [F_CONTENT] = { "content", V_TEXT, false, 0, ACT_TEXT_MAX, NULL },
        [F_NEED] = { "need", V_TEXT, false, 0, ACT_FIELD_MAX, NULL },
        [F_COMPETITOR] = { "competitor", V_TEXT, false, 0, ACT_FIELD_MAX,
                           NULL },
        [F_NEXT] = { "next_step", V_TEXT, false, 0, ACT_FIELD_MAX, NULL },
        [F_NEXT_DATE] = { "next_date", V_LINE, false, 0, 10, NULL },
    };
    struct field_val v[NF];
    struct customer c;
    enum app_err rc = validate_fields(&cx->err_detail, f, spec, NF, v, errors);
    int y, mo, d;

    memset(in, 0, sizeof(*in));
    in->kind = activity_kinds[v[F_KIND].present ? v[F_KIND].i : 2];
    in->customer_id = v[F_CUSTOMER].present ? v[F_CUSTOMER].i : 0;
    if (v[F_CLIENT].present) {
        if (!client_id_ok(v[F_CLIENT].s))
            cJSON_AddStringToObject(errors, "client_id",
                                    "activity.bad_client_id");
        in->client_id = arena_str(cx->a, v[F_CLIENT].s).p;
    }
#define TEXT(k) (v[k].present ? arena_str(cx->a, v[k].s).p : "")
    in->content = TEXT(F_CONTENT);
    in->need = TEXT(F_NEED);
    in->competitor = TEXT(F_COMPETITOR);
    in->next_step = TEXT(F_NEXT);
#undef TEXT
    if (v[F_NEXT_DATE].present && v[F_NEXT_DATE].s.len > 0) {
        if (!parse_date(v[F_NEXT_DATE].s, &y, &mo, &d))
            cJSON_AddStringToObject(errors, "next_date",
                                    "activity.bad_next_date");
        in->next_date = arena_str(cx->a, v[F_NEXT_DATE].s).p;
    }
    if (in->customer_id > 0 &&
        customers_get(cx, in->customer_id, false, &c) != APP_OK)
        cJSON_AddStringToObject(errors, "customer", "activity.bad_customer");
    else if (in->customer_id > 0)
        check_contacts(cx, f, in, errors);
    if (rc == APP_OK && cJSON_GetArraySize(errors) > 0) {
        cx->err_detail = "validate.failed";
        rc = APP_EVALIDATION;
    }
    return rc;
}

/* The rules' decision on the content: effective, what is missing, why. */
struct verdict_text {
    bool effective;
    const char *missing; /* keys, comma separated */
    const char *reason;
    int version;
};

enum app_err
activities_preview(struct ctx *cx, const struct activity_input *in,
                   struct rule_verdict *v)
{
    cJSON *o = cJSON_CreateObject();
    enum app_err rc;

    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddStringToObject(o, "kind", in->kind != NULL ? in->kind : "");
    cJSON_AddStringToObject(o, "need", in->need != NULL ? in->need : "");
    cJSON_AddStringToObject(o, "competitor",
                            in->competitor != NULL ? in->competitor : "");
    cJSON_AddStringToObject(o, "next_step",
                            in->next_step != NULL ? in->next_step : "");
    cJSON_AddStringToObject(o, "content",
                            in->content != NULL ? in->content : "");
    rc = ctx_incomplete(cx, "activity facts")
             ? APP_ENOMEM
             : rules_classify_activity(cx, o, v);
    cJSON_Delete(o);
    return rc;
}

APP_MUST_USE static enum app_err
classify(struct ctx *cx, const struct activity_input *in,
         struct verdict_text *out)
{
    struct rule_verdict v;
    char list[RULES_MAX_MISSING * 33];
    size_t i, used = 0;
    enum app_err rc = activities_preview(cx, in, &v);

    if (rc != APP_OK)
        return rc;
    list[0] = '\0';
    for (i = 0; i < v.nmissing && used + 34 < sizeof(list); i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%.32s",
                                 i > 0 ? "," : "", v.missing[i].key);
    out->effective = v.ok;
    out->missing = arena_strdup(cx->a, list);
    out->reason = v.message != NULL ? v.message : "";
    out->version = v.version;
    return out->missing != NULL ? APP_OK : APP_ENOMEM;
}

/* What an activity moves besides its row: the contacts met (last met,
 * consensus), the customer's last activity, and the event for the rest
 * (a next step's task). */
APP_MUST_USE static enum app_err
after_write(struct ctx *cx, int64_t id, const struct activity_input *in,
            int64_t customer_id, const char *at)
{
    char local[32], day[11];
    size_t i;
    enum app_err rc = APP_OK;

    /* "Last met" is a day in the company's zone, not UTC's (a meeting in
     * Shanghai at 07:30 is that day's, not the day before). */
    tz_format(cx->tenant_tz, at, local, sizeof(local));
    snprintf(day, sizeof(day), "%.10s", local);
    for (i = 0; rc == APP_OK && i < in->ncontacts; i++) {
        rc = db_exec(cx->db, SQL_CONTACT,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id),
                             DB_I64(in->contacts[i]),
                             text_or_empty(in->consensus[i])),
                     NULL, NULL);
        if (rc == APP_OK)
            rc = contacts_met(
                cx, in->contacts[i], day,
                str_c(in->consensus[i] != NULL ? in->consensus[i] : ""));
    }
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_TOUCH,
                     DB_ARGS(DB_CSTR(at), DB_CSTR(at), DB_I64(cx->tenant_id),
                             DB_I64(customer_id)),
                     NULL, NULL);
    if (rc == APP_OK)
        rc = ctx_emit(cx, ACTIVITY_EVENT, "activity", id);
    return rc;
}

/* The activity a client id names already (0: none). */
APP_MUST_USE static enum app_err
by_client(struct ctx *cx, const char *client_id, int64_t *id)
{
    struct db_res r;
    enum app_err rc = APP_OK;

    *id = 0;
    if (client_id != NULL && client_id[0] != '\0') {
        rc =
            db_query(cx->db, cx->a, SQL_BY_CLIENT,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(client_id)), 1, &r);
        if (rc == APP_OK && r.nrows == 1)
            *id = db_int(&r, 0, 0, 0);
    }
    return rc;
}

/* Sent twice at once: the loser of the unique key finds the winner. */
APP_MUST_USE static enum app_err
settle_race(struct ctx *cx, const char *client_id, enum app_err rc, int64_t *id,
            bool *created)
{
    int64_t other = 0;

    if (rc == APP_ECONFLICT && client_id != NULL &&
        by_client(cx, client_id, &other) == APP_OK && other > 0) {
        *id = other;
        *created = false;
        return APP_OK;
    }
    return rc;
}

enum app_err
activities_record(struct ctx *cx, const struct activity_input *in, int64_t *id,
                  bool *created)
{
    struct verdict_text vt;
    struct db_tx tx = DB_TX_INIT;
    const char *at = in->at != NULL ? in->at : now_text(cx);
    uint64_t last = 0;
    enum app_err rc = classify(cx, in, &vt);

    *id = 0;
    *created = false;
    if (rc != APP_OK)
        return rc;
    while (db_tx_next(cx->db, &tx, &rc)) {
        *created = false;
        rc = customers_lock(cx, in->customer_id);
        if (rc == APP_OK)
            rc = by_client(cx, in->client_id, id);
        if (rc != APP_OK || *id > 0)
            continue;
        rc = db_exec(
            cx->db, SQL_ADD,
            DB_ARGS(DB_I64(cx->tenant_id), DB_I64(in->customer_id),
                    DB_I64(cx->user_id), DB_CSTR(in->kind),
                    in->client_id != NULL ? DB_CSTR(in->client_id) : DB_NULL,
                    DB_CSTR("done"), DB_CSTR(at), text_or_empty(in->content),
                    text_or_empty(in->need), text_or_empty(in->competitor),
                    text_or_empty(in->next_step),
                    in->next_date != NULL ? DB_CSTR(in->next_date) : DB_NULL,
                    DB_I64(vt.effective), DB_CSTR(vt.missing),
                    DB_CSTR(vt.reason), DB_I64(vt.version), DB_NULL, DB_NULL,
                    DB_NULL, DB_NULL, DB_NULL, DB_NULL, DB_CSTR(""), DB_NULL),
            NULL, &last);
        *id = (int64_t)last;
        if (rc == APP_OK)
            rc = after_write(cx, *id, in, in->customer_id, at);
        *created = rc == APP_OK;
    }
    return settle_race(cx, in->client_id, rc, id, created);
}

/* A visit type's settings from the rules (NULL: unknown type). */
static const cJSON *
visit_type(struct ctx *cx, const char *key)
{
    const cJSON *d;
    int version;

    if (key == NULL || rules_describe(cx, &d, &version) != APP_OK)
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(d, "visit_types"), key);
}

/* Distance to the customer, and what the rules say about it:
 * flag "ok", "far", "first" (the customer took this place) or "none". */
APP_MUST_USE static enum app_err
place(struct ctx *cx, const struct checkin *in, const cJSON *vt, int *dist,
      const char **flag)
{
    struct db_res r;
    const char *far = cJSON_GetStringValue(cJSON_GetObjectItem(vt, "far"));
    double far_m = cJSON_GetNumberValue(cJSON_GetObjectItem(vt, "far_m"));
    enum app_err rc;

    *dist = -1;
    *flag = "none";
    if (!in->has_position)
        return APP_OK;
    rc = db_query(cx->db, cx->a, SQL_PLACE,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(in->customer_id)), 1,
                  &r);
    if (rc != APP_OK)
        return rc;
    if (r.nrows == 0) {
        *flag = "first";
        return db_exec(cx->db, SQL_SET_PLACE,
                       DB_ARGS(DB_DBL(in->lat), DB_DBL(in->lng),
                               DB_I64(cx->tenant_id), DB_I64(in->customer_id)),
                       NULL, NULL);
    }
    *dist = (int)lround(geo_distance_m(in->lat, in->lng,
                                       strtod(db_text(&r, 0, 0), NULL),
                                       strtod(db_text(&r, 0, 1), NULL)));
    if (isnan(far_m) || far_m <= 0)
        far_m = VISIT_FAR_DEFAULT_M;
    *flag = *dist > far_m ? "far" : "ok";
    if (strcmp(*flag, "far") == 0 && far != NULL &&
        strcmp(far, "refuse") == 0) {
        cx->err_detail = "visit.too_far";
        return APP_ECONFLICT;
    }
    if (strcmp(*flag, "far") == 0 && far != NULL && strcmp(far, "allow") == 0)
        *flag = "ok";
    return APP_OK;
}

enum app_err
visits_checkin(struct ctx *cx, const struct checkin *in, int64_t *id,
               bool *created)
{
    const cJSON *vt = visit_type(cx, in->visit_type);
    struct customer c;
    struct db_tx tx = DB_TX_INIT;
    const char *at = now_text(cx), *flag;
    uint64_t last = 0;
    int dist;
    enum app_err rc;

    *id = 0;
    *created = false;
    if (vt == NULL) {
        cx->err_detail = "visit.bad_type";
        return APP_EVALIDATION;
    }
    if (in->device_at != NULL) {
        /* The phone's clock, bounded by ours: an offline visit lands on
         * its own day, never in the future, never older than a few days. */
        time_t dev = tz_parse_utc(in->device_at), now = time(NULL);

        /* Only a queued visit (it has the phone's client id) says when. */
        if (in->client_id == NULL || dev <= 0 ||
            dev > now + VISIT_DEVICE_AHEAD_S ||
            dev < now - VISIT_DEVICE_BEHIND_S) {
            cx->err_detail = "visit.bad_device_time";
            return APP_EVALIDATION;
        }
        at = arena_alloc(cx->a, 32);
        if (at == NULL)
            return APP_ENOMEM;
        tz_utc_text(dev, (char *)at, 32);
    }
    if (in->has_position &&
        (in->lat < -90 || in->lat > 90 || in->lng < -180 || in->lng > 180 ||
         in->accuracy_m < 0 || in->accuracy_m > 100000)) {
        cx->err_detail = "visit.bad_position";
        return APP_EVALIDATION;
    }
    rc = customers_get(cx, in->customer_id, false, &c);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        *created = false;
        rc = customers_lock(cx, in->customer_id);
        if (rc == APP_OK)
            rc = by_client(cx, in->client_id, id);
        if (rc != APP_OK || *id > 0)
            continue;
        rc = place(cx, in, vt, &dist, &flag);
        if (rc == APP_OK)
            rc = db_exec(
                cx->db, SQL_ADD,
                DB_ARGS(
                    DB_I64(cx->tenant_id), DB_I64(in->customer_id),
                    DB_I64(cx->user_id), DB_CSTR("visit"),
                    in->client_id != NULL ? DB_CSTR(in->client_id) : DB_NULL,
                    DB_CSTR("open"), DB_CSTR(at), DB_CSTR(""), DB_CSTR(""),
                    DB_CSTR(""), DB_CSTR(""), DB_NULL, DB_I64(0), DB_CSTR(""),
                    DB_CSTR(""), DB_NULL, DB_CSTR(in->visit_type), DB_CSTR(at),
                    in->has_position ? DB_DBL(in->lat) : DB_NULL,
                    in->has_position ? DB_DBL(in->lng) : DB_NULL,
                    in->has_position ? DB_I64(in->accuracy_m) : DB_NULL,
                    dist >= 0 ? DB_I64(dist) : DB_NULL, DB_CSTR(flag),
                    in->device_at != NULL ? DB_CSTR(at) : DB_NULL),
                NULL, &last);
        *id = (int64_t)last;
        *created = rc == APP_OK;
    }
    return settle_race(cx, in->client_id, rc, id, created);
}

enum app_err
activities_get(struct ctx *cx, int64_t id, struct db_res *out)
{
    struct scope s = scope_of(cx);
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_GET,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(s.all),
                         DB_I64(cx->tenant_id), DB_I64(s.root),
                         DB_I64(cx->tenant_id), DB_I64(s.root)),
                 1, out);

    if (rc == APP_OK && out->nrows == 0)
        rc = APP_ENOTFOUND;
    return rc;
}

/* Append one flag to a comma-separated list. */
static size_t
flag(char *out, size_t cap, size_t used, const char *name)
{
    int n = snprintf(out + used, cap - used, "%s%s", used > 0 ? "," : "", name);

    return n > 0 && (size_t)n < cap - used ? used + (size_t)n : used;
}

/* The photo's trust flags: its own time and place against the
 * check-in's, EXIF missing, the same bytes in another visit. */
APP_MUST_USE static enum app_err
trust(struct ctx *cx, const struct db_res *v, const cJSON *vt,
      const struct photo_exif *ex, const struct photo_image *img,
      const char *sha, int64_t visit_id, const char **flags)
{
    struct db_res r;
    double minutes =
        cJSON_GetNumberValue(cJSON_GetObjectItem(vt, "photo_minutes"));
    double metres = cJSON_GetNumberValue(cJSON_GetObjectItem(vt, "photo_m"));
    char out[200] = "";
    size_t used = 0;
    enum app_err rc;

    if (!ex->has_time && !ex->has_gps)
        used = flag(out, sizeof(out), used, "exif_missing");
    if (ex->has_time) {
        struct tm tm = ex->taken;
        /* The camera's clock is local time without a zone: the company's. */
        time_t t = tz_mktime(cx->tenant_tz, &tm);
        time_t in = tz_parse_utc(db_text(v, 0, AC_CHECKIN_AT));

        if (in > 0 &&
            fabs(difftime(t, in)) > (isnan(minutes) ? 30 : minutes) * 60)
            used = flag(out, sizeof(out), used, "time_far");
    }
    if (ex->has_gps && db_text(v, 0, AC_LAT)[0] != '\0' &&
        geo_distance_m(ex->lat, ex->lng, strtod(db_text(v, 0, AC_LAT), NULL),
                       strtod(db_text(v, 0, AC_LNG), NULL)) >
            (isnan(metres) ? 500 : metres))
        used = flag(out, sizeof(out), used, "place_far");
    rc = db_query(
        cx->db, cx->a, SQL_REUSED,
        DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(sha), DB_I64(visit_id)), 1, &r);
    if (rc == APP_OK && db_int(&r, 0, 0, 0) > 0)
        used = flag(out, sizeof(out), used, "reused");
    if (rc == APP_OK && img->has_hash) {
        rc = db_query(cx->db, cx->a, SQL_SIMILAR,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(visit_id),
                              DB_CSTR(sha), DB_I64(img->hash >> 48),
                              DB_I64((img->hash >> 32) & 0xffff),
                              DB_I64((img->hash >> 16) & 0xffff),
                              DB_I64(img->hash & 0xffff), DB_I64(img->hash),
                              DB_I64(PHOTO_HASH_NEAR)),
                      1, &r);
        if (rc == APP_OK && db_int(&r, 0, 0, 0) > 0)
            used = flag(out, sizeof(out), used, "similar");
    }
    *flags = arena_strdup(cx->a, out);
    return rc;
}

/* The photo keys a visit type asks for and the ones it knows. */
static bool
key_known(const cJSON *vt, const char *key)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, cJSON_GetObjectItem(vt, "photos"))
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(p, "key"));

        if (k != NULL && strcmp(k, key) == 0)
            return true;
    }
    return false;
}

/* The EXIF claims of a decoded photo (libvips hands over the block;
 * some formats carry it without the "Exif" header libexif looks for). */
static void
exif_of(struct arena *a, const struct photo_image *img, struct photo_exif *ex)
{
    static const unsigned char hdr[6] = { 'E', 'x', 'i', 'f', 0, 0 };
    unsigned char *p;

    if (img->exif_len >= 4 &&
        (memcmp(img->exif, "II*", 4) == 0 ||
         memcmp(img->exif, "MM\0*", 4) == 0) &&
        (p = arena_alloc(a, img->exif_len + sizeof(hdr))) != NULL) {
        memcpy(p, hdr, sizeof(hdr));
        memcpy(p + sizeof(hdr), img->exif, img->exif_len);
        photo_exif_read(p, img->exif_len + sizeof(hdr), ex);
        return;
    }
    photo_exif_read(img->exif, img->exif_len, ex);
}

/* The thumbnail as a file of the same customer (served after the same
 * check as the original), in the caller's transaction. */
APP_MUST_USE static enum app_err
store_thumb(struct ctx *cx, const struct upload *u, int64_t customer_id,
            const struct photo_image *img, int64_t *file_id)
{
    struct upload t = { 0 };
    const char *mime;
    enum app_err rc;

    t.path = arena_printf(cx->a, "%s.thumb", u->path);
    t.filename = STR_LIT("photo-thumb.jpg");
    t.size = img->thumb_len;
    if (t.path == NULL)
        return APP_ENOMEM;
    rc = file_write_new(t.path, img->thumb, img->thumb_len);
    if (rc == APP_OK)
        rc = files_store(cx, &t, customer_id, file_id, &mime);
    unlink(t.path);
    return rc;
}

/* The photo row, in the caller's transaction (sha: the upload's, taken
 * once by the caller). */
APP_MUST_USE static enum app_err
store_photo(struct ctx *cx, const struct db_res *v, const cJSON *vt,
            int64_t visit_id, const char *key, const struct upload *u,
            const char *sha, const struct photo_image *img, int64_t *photo_id)
{
    struct photo_exif ex;
    const char *mime, *flags;
    char when[80] = "";
    uint64_t last = 0, h = img->hash;
    int64_t file_id, thumb_id = 0;
    enum app_err rc = files_store_hashed(
        cx, u, sha, db_int(v, 0, AC_CUSTOMER_ID, 0), &file_id, &mime);

    if (rc == APP_OK)
        rc =
            store_thumb(cx, u, db_int(v, 0, AC_CUSTOMER_ID, 0), img, &thumb_id);
    if (rc != APP_OK)
        return rc;
    exif_of(cx->a, img, &ex);
    rc = trust(cx, v, vt, &ex, img, sha, visit_id, &flags);
    if (ex.has_time)
        snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d:%02d",
                 ex.taken.tm_year + 1900, ex.taken.tm_mon + 1, ex.taken.tm_mday,
                 ex.taken.tm_hour, ex.taken.tm_min, ex.taken.tm_sec);
    if (rc == APP_OK)
        rc = db_exec(
            cx->db, SQL_PHOTO_ADD,
            DB_ARGS(DB_I64(cx->tenant_id), DB_I64(visit_id), DB_CSTR(key),
                    DB_I64(file_id), DB_CSTR(sha),
                    ex.has_time ? DB_CSTR(when) : DB_NULL,
                    ex.has_gps ? DB_DBL(ex.lat) : DB_NULL,
                    ex.has_gps ? DB_DBL(ex.lng) : DB_NULL,
                    DB_CSTR(flags != NULL ? flags : ""), DB_I64(thumb_id),
                    DB_I64(img->width), DB_I64(img->height),
                    img->has_hash ? DB_I64(h) : DB_NULL,
                    img->has_hash ? DB_I64(h >> 48) : DB_NULL,
                    img->has_hash ? DB_I64((h >> 32) & 0xffff) : DB_NULL,
                    img->has_hash ? DB_I64((h >> 16) & 0xffff) : DB_NULL,
                    img->has_hash ? DB_I64(h & 0xffff) : DB_NULL),
            NULL, &last);
    *photo_id = (int64_t)last;
    return rc;
}

/* The photo of this visit and slot with these bytes (*id 0: none). */
APP_MUST_USE static enum app_err
same_photo(struct ctx *cx, int64_t visit_id, const char *key, const char *sha,
           int64_t *id)
{
    struct db_res r;
    enum app_err rc = db_query(cx->db, cx->a, SQL_PHOTO_SAME,
                               DB_ARGS(DB_I64(cx->tenant_id), DB_I64(visit_id),
                                       DB_CSTR(key), DB_CSTR(sha)),
                               1, &r);

    *id = rc == APP_OK && r.nrows > 0 ? db_int(&r, 0, 0, 0) : 0;
    return rc;
}

/* Why a photo may not be added to an open visit (APP_OK: it may). */
APP_MUST_USE static enum app_err
photo_allowed(struct ctx *cx, const struct db_res *v, int64_t visit_id,
              const char *key, const struct upload *u, const cJSON **vt)
{
    struct db_res ph;
    const char *mime = files_sniff_upload(u);
    enum app_err rc;

    if (strcmp(db_text(v, 0, AC_STATUS), "open") != 0) {
        cx->err_detail = "visit.not_open";
        return APP_ECONFLICT;
    }
    *vt = visit_type(cx, db_text(v, 0, AC_VISIT_TYPE));
    if (*vt == NULL || !key_known(*vt, key)) {
        cx->err_detail = "visit.bad_photo_key";
        return APP_EVALIDATION;
    }
    if (strcmp(mime, "image/jpeg") != 0 && strcmp(mime, "image/png") != 0 &&
        strcmp(mime, "image/webp") != 0 && strcmp(mime, "image/heic") != 0) {
        cx->err_detail = "visit.not_image";
        return APP_EVALIDATION;
    }
    rc = visits_photos(cx, visit_id, &ph);
    if (rc == APP_OK && ph.nrows >= VISIT_PHOTOS_MAX) {
        cx->err_detail = "visit.too_many_photos";
        return APP_ETOOBIG;
    }
    return rc;
}

/* A photo is idempotent by its bytes within its visit and slot: a phone
 * that replays an upload whose answer it never got (offline queue) gets
 * the photo it already sent, also after the visit was completed, and ten
 * concurrent copies store one (they wait on the customer's lock, then
 * find the first).  The same bytes in another slot or visit are stored
 * and flagged "reused" as before. */
enum app_err
visits_add_photo(struct ctx *cx, int64_t visit_id, const char *key,
                 const struct upload *u, int64_t *photo_id)
{
    struct db_res v;
    struct db_tx tx = DB_TX_INIT;
    struct photo_image img;
    const cJSON *vt = NULL;
    char sha[FILES_SHA_HEX];
    enum app_err rc = activities_get(cx, visit_id, &v);

    *photo_id = 0;
    if (rc != APP_OK)
        return rc;
    if (strcmp(db_text(&v, 0, AC_KIND), "visit") != 0) {
        cx->err_detail = "visit.not_open";
        return APP_ECONFLICT;
    }
    rc = files_hash_upload(u, sha);
    if (rc == APP_OK)
        rc = same_photo(cx, visit_id, key, sha, photo_id);
    if (rc != APP_OK || *photo_id > 0)
        return rc;
    rc = photo_allowed(cx, &v, visit_id, key, u, &vt);
    /* Decoded before the transaction: the slow part holds no locks. */
    if (rc == APP_OK)
        rc = photo_image_read(cx->a, u->path, &img);
    if (rc == APP_EVALIDATION || rc == APP_ETOOBIG)
        cx->err_detail =
            rc == APP_ETOOBIG ? "visit.image_too_big" : "visit.broken_image";
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        struct db_res now;

        /* Completion takes the same lock: once held, the visit's status
         * cannot change under this photo. */
        rc = customers_lock(cx, db_int(&v, 0, AC_CUSTOMER_ID, 0));
        if (rc == APP_OK)
            rc = same_photo(cx, visit_id, key, sha, photo_id);
        if (rc != APP_OK || *photo_id > 0)
            continue;
        rc = activities_get(cx, visit_id, &now);
        if (rc == APP_OK && strcmp(db_text(&now, 0, AC_STATUS), "open") != 0) {
            cx->err_detail = "visit.not_open";
            rc = APP_ECONFLICT;
        }
        if (rc == APP_OK)
            rc = store_photo(cx, &v, vt, visit_id, key, u, sha, &img, photo_id);
    }
    return rc;
}

enum app_err
visits_photos(struct ctx *cx, int64_t visit_id, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_PHOTOS,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(visit_id)),
                    VISIT_PHOTOS_MAX + 1, out);
}

/* The photos a visit still lacks ({key, name} each; none: empty). */
APP_MUST_USE static enum app_err
missing_photos(struct ctx *cx, int64_t visit_id, const cJSON *vt,
               cJSON **missing)
{
    struct db_res ph;
    const cJSON *p;
    enum app_err rc = visits_photos(cx, visit_id, &ph);

    *missing = cJSON_CreateArray();
    if (*missing == NULL)
        return APP_ENOMEM;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(vt, "photos"))
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(p, "key"));
        bool have = false;
        size_t i;

        for (i = 0; rc == APP_OK && k != NULL && i < ph.nrows; i++)
            have = have || strcmp(db_text(&ph, i, 1), k) == 0;
        if (rc == APP_OK && k != NULL && !have) {
            cJSON *m = cJSON_CreateObject();

            cJSON_AddItemToArray(*missing, m);
            cJSON_AddStringToObject(m, "key", k);
            cJSON_AddStringToObject(m, "name", ruledesc_name(cx, p));
        }
    }
    return rc;
}

enum app_err
visits_complete(struct ctx *cx, int64_t visit_id,
                const struct activity_input *in, cJSON **missing)
{
    struct db_res v;
    struct verdict_text vt;
    struct db_tx tx = DB_TX_INIT;
    struct activity_input done = *in;
    const cJSON *type;
    const char *at = now_text(cx);
    uint64_t changed = 0;
    enum app_err rc = activities_get(cx, visit_id, &v);

    *missing = NULL;
    if (rc != APP_OK)
        return rc;
    if (strcmp(db_text(&v, 0, AC_KIND), "visit") != 0)
        return APP_ENOTFOUND;
    if (strcmp(db_text(&v, 0, AC_STATUS), "done") == 0)
        return APP_OK; /* sent again: it is done */
    type = visit_type(cx, db_text(&v, 0, AC_VISIT_TYPE));
    rc = missing_photos(cx, visit_id, type, missing);
    if (rc == APP_OK && cJSON_GetArraySize(*missing) > 0) {
        cx->err_detail = "visit.photos_missing";
        return APP_ECONFLICT;
    }
    cJSON_Delete(*missing);
    *missing = NULL;
    done.kind = "visit";
    if (rc == APP_OK)
        rc = classify(cx, &done, &vt);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc = customers_lock(cx, db_int(&v, 0, AC_CUSTOMER_ID, 0));
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_COMPLETE,
                         DB_ARGS(DB_CSTR(at), text_or_empty(in->content),
                                 text_or_empty(in->need),
                                 text_or_empty(in->competitor),
                                 text_or_empty(in->next_step),
                                 in->next_date != NULL ? DB_CSTR(in->next_date)
                                                       : DB_NULL,
                                 DB_I64(vt.effective), DB_CSTR(vt.missing),
                                 DB_CSTR(vt.reason), DB_I64(vt.version),
                                 DB_I64(cx->tenant_id), DB_I64(visit_id)),
                         &changed, NULL);
        if (rc == APP_OK && changed == 0)
            continue; /* completed by a request that came first */
        if (rc == APP_OK)
            rc = after_write(cx, visit_id, in, db_int(&v, 0, AC_CUSTOMER_ID, 0),
                             at);
    }
    return rc;
}

/* The UTC bounds of a local day (no day: all time). */
static void
day_bounds(struct ctx *cx, const char *day, char *from, char *to, size_t n)
{
    struct tm tm;
    int y, mo, d;

    snprintf(from, n, "1000-01-01 00:00:00");
    snprintf(to, n, "9999-12-31 00:00:00");
    if (day == NULL || !parse_date(str_c(day), &y, &mo, &d))
        return;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tz_utc_text(tz_mktime(cx->tenant_tz, &tm), from, n);
    tm.tm_mday++;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tz_utc_text(tz_mktime(cx->tenant_tz, &tm), to, n);
}

/* A team filter: the team's lead must be the user or under them (an
 * admin: anyone of the company); the list is then the lead's scope. */
static const char SQL_TEAM_IN_SCOPE[] =
    "SELECT 1 FROM user_tree WHERE tenant_id = ? AND descendant_id = ? AND "
    "(? = 1 OR ancestor_id = ?) LIMIT 1";

APP_MUST_USE static enum app_err
team_scope(struct ctx *cx, int64_t team, struct scope *s)
{
    struct db_res r;
    enum app_err rc = db_query(cx->db, cx->a, SQL_TEAM_IN_SCOPE,
                               DB_ARGS(DB_I64(cx->tenant_id), DB_I64(team),
                                       DB_I64(s->all), DB_I64(s->root)),
                               1, &r);

    if (rc == APP_OK && r.nrows == 0)
        rc = APP_ENOTFOUND;
    s->all = 0;
    s->root = team;
    return rc;
}

enum app_err
activities_list(struct ctx *cx, const struct activity_filter *f, size_t max,
                struct db_res *out)
{
    struct scope s = scope_of(cx);
    char from[32], to[32];
    const char *kind = f->kind != NULL ? f->kind : "";
    enum app_err rc = f->team_id > 0 ? team_scope(cx, f->team_id, &s) : APP_OK;

    if (rc != APP_OK)
        return rc;

#define FILTER_ARGS                                                            \
    DB_I64(f->customer_id), DB_I64(f->customer_id), DB_I64(f->rep_id),         \
        DB_I64(f->rep_id), DB_CSTR(kind), DB_CSTR(kind), DB_CSTR(from),        \
        DB_CSTR(to), DB_I64((int64_t)max)

    day_bounds(cx, f->day, from, to, sizeof(from));
    if (s.all)
        return db_query(cx->db, cx->a, SQL_LIST_ALL,
                        DB_ARGS(DB_I64(cx->tenant_id), FILTER_ARGS), max, out);
    return db_query(cx->db, cx->a, SQL_LIST_SCOPED,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->tenant_id),
                            DB_I64(s.root), FILTER_ARGS, DB_I64(cx->tenant_id),
                            DB_I64(cx->tenant_id), DB_I64(s.root), FILTER_ARGS,
                            DB_I64(cx->tenant_id), DB_I64((int64_t)max)),
                    max, out);
#undef FILTER_ARGS
}

enum app_err
activities_contacts(struct ctx *cx, int64_t id, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_CONTACTS_OF,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)),
                    ACT_CONTACTS_MAX, out);
}

enum app_err
activities_review(struct ctx *cx, int64_t id, const char *note)
{
    struct db_res v;
    enum app_err rc = activities_get(cx, id, &v);

    if (rc != APP_OK)
        return rc;
    /* A rep does not review their own work. */
    if (db_int(&v, 0, AC_REP_ID, 0) == cx->user_id ||
        !role_can_manage(cx->role))
        return APP_EFORBIDDEN;
    return db_exec(cx->db, SQL_REVIEW,
                   DB_ARGS(DB_I64(cx->user_id), DB_CSTR(now_text(cx)),
                           DB_CSTR(note != NULL ? note : ""),
                           DB_I64(cx->tenant_id), DB_I64(id)),
                   NULL, NULL);
}

/*
 * demo_stores.c -- the demo's retail chain and its POS sales
 * (demo_stores.h).
 */
#include "server/demo_stores.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/rng.h"
#include "base/tz.h"
#include "db/ctx.h"
#include "identity/role.h"
#include "rules/rules.h"
#include "sales/activities.h"
#include "sales/campaigns.h"
#include "sales/pos_import.h"
#include "sales/products.h"
#include "sales/stores.h"
#include "server/demo_pictures.h"

/* Cities by region, with a centre the stores scatter around. */
static const struct city {
    const char *region, *name;
    double lat, lng;
} cities[] = {
    { "华东", "上海", 31.230, 121.470 }, { "华东", "杭州", 30.270, 120.150 },
    { "华东", "南京", 32.060, 118.790 }, { "华南", "广州", 23.130, 113.260 },
    { "华南", "深圳", 22.540, 114.060 }, { "华北", "北京", 39.900, 116.400 },
    { "华北", "天津", 39.130, 117.200 }, { "西南", "成都", 30.660, 104.070 },
    { "西南", "重庆", 29.560, 106.550 }, { "华中", "武汉", 30.590, 114.300 },
};
#define NCITIES (sizeof(cities) / sizeof(cities[0]))

static const char *const streets[] = {
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "文化路",
    "胜利路", "长江路", "黄河路", "青年路", "光明路", "朝阳路", "滨江路",
};

/* The chain's menu: the new product first. */
static const struct item {
    const char *sku, *name;
    int price_fen;
} menu[] = {
    { "NP-2026-01", "桂花乌龙奶茶（新品）", 1800 },
    { "TEA-001", "珍珠奶茶", 1200 },
    { "TEA-002", "椰果奶茶", 1200 },
    { "TEA-003", "芋泥波波奶茶", 1500 },
    { "TEA-004", "杨枝甘露", 1600 },
    { "TEA-005", "满杯百香果", 1300 },
    { "TEA-006", "多肉葡萄", 1900 },
    { "TEA-007", "芝士莓莓", 1900 },
    { "TEA-008", "柠檬绿茶", 1000 },
    { "TEA-009", "四季春茶", 900 },
    { "TEA-010", "茉莉奶绿", 1300 },
    { "TEA-011", "黑糖鹿丸鲜奶", 1600 },
    { "TEA-012", "生椰拿铁", 1700 },
    { "TEA-013", "美式咖啡", 1100 },
    { "TEA-014", "冰淇淋红茶", 800 },
    { "TEA-015", "草莓奶昔", 1500 },
};
#define NMENU (sizeof(menu) / sizeof(menu[0]))

/* Sales by hour of the day (10:00 to 21:59), a lunch and an afternoon
 * peak. */
static const int hour_weight[12] = { 4, 7, 12, 11, 8, 9, 12, 13, 10, 7, 5, 3 };

#define MEMBERS_PER_STORE 120
#define PATROLS 12 /* stores the first supervisor visited today */

static const char SQL_PATROL[] =
    "SELECT id, customer_id, lat, lng FROM stores WHERE tenant_id = ? AND "
    "supervisor_id = ? AND customer_id IS NOT NULL AND lat IS NOT NULL "
    "ORDER BY code LIMIT 12";

struct store_plan {
    char code[16];
    double traffic;     /* receipts per day */
    int adopt_day;      /* days after the launch it starts selling it */
    double share;       /* chance a line is the new product */
    double fans;        /* share of its members who like the product */
    int opened, closed; /* day index of opening / closing (-1: none) */
};

/* "YYYY-MM-DD" of the day `days` after the day of t (UTC noon). */
static void
day_text(time_t t, int days, char *out, size_t n)
{
    struct tm tm;
    time_t x = t + (time_t)days * 86400;

    gmtime_r(&x, &tm);
    strftime(out, n, "%Y-%m-%d", &tm);
}

size_t
demo_chain_supervisors(int stores)
{
    return stores <= 0 ? 0
                       : (size_t)((stores + DEMO_STORES_PER_SUPERVISOR - 1) /
                                  DEMO_STORES_PER_SUPERVISOR);
}

size_t
demo_chain_managers(int stores)
{
    return stores <= 0
               ? 0
               : (size_t)(stores < DEMO_STORE_MANAGERS ? stores
                                                       : DEMO_STORE_MANAGERS);
}

/* The products of the menu; *newp the new product's id. */
APP_MUST_USE static enum app_err
products(struct ctx *cx, const char *launch, int64_t *newp)
{
    enum app_err rc = APP_OK;
    size_t i;

    for (i = 0; rc == APP_OK && i < NMENU; i++) {
        struct product_input in;
        int64_t id = 0;

        memset(&in, 0, sizeof(in));
        in.sku = menu[i].sku;
        in.name = menu[i].name;
        in.brand = "本品";
        in.category = i == 0 ? "新品" : "茶饮";
        in.own = true;
        in.launch_on = i == 0 ? launch : "";
        rc = products_create(cx, &in, &id);
        if (i == 0)
            *newp = id;
    }
    return rc;
}

/* One store, drawn and created. */
APP_MUST_USE static enum app_err
store(struct ctx *cx, struct rng *g, const struct demo_chain *ch, int i,
      struct store_plan *p)
{
    const struct city *c = &cities[rng_below(g, NCITIES)];
    const char *street =
        streets[rng_below(g, sizeof(streets) / sizeof(streets[0]))];
    struct store_input in;
    char name[128], address[200], opened[16], closed[16];
    int64_t id = 0;
    double u = rng_unit(g);

    snprintf(p->code, sizeof(p->code), "S%04d", i + 1);
    p->traffic = 14 + 22 * rng_unit(g);
    /* about one in eight stores is late with the new product, one in
     * four in 西南 */
    p->adopt_day = rng_unit(g) < (strcmp(c->region, "西南") == 0 ? 0.25 : 0.12)
                       ? 8 + (int)rng_below(g, 14)
                       : (int)rng_below(g, 3);
    p->share = 0.02 + 0.16 * rng_unit(g);
    p->fans = 0.04 + 0.36 * rng_unit(g);
    /* a few stores open or close while the sales run */
    p->opened = u < 0.02 ? (int)rng_below(g, (uint64_t)ch->pos_days) : -1;
    p->closed = u > 0.99 ? (int)rng_below(g, (uint64_t)ch->pos_days) : -1;
    snprintf(name, sizeof(name), "%s%s店 %s", c->name, street, p->code);
    snprintf(address, sizeof(address), "%s市%s %d 号", c->name, street,
             1 + (int)rng_below(g, 800));
    day_text(ch->now,
             p->opened >= 0 ? p->opened - ch->pos_days
                            : -365 - (int)rng_below(g, 2000),
             opened, sizeof(opened));
    day_text(ch->now, p->closed - ch->pos_days, closed, sizeof(closed));
    memset(&in, 0, sizeof(in));
    in.code = p->code;
    in.name = name;
    in.address = address;
    in.lat = c->lat + (rng_unit(g) - 0.5) * 0.3;
    in.lng = c->lng + (rng_unit(g) - 0.5) * 0.3;
    in.has_pos = true;
    in.region = c->region;
    in.supervisor_id = ch->supervisors[(size_t)i / DEMO_STORES_PER_SUPERVISOR];
    in.format = rng_unit(g) < 0.4 ? "franchise" : "direct";
    in.opened_on = opened;
    in.closed_on = p->closed >= 0 ? closed : "";
    if ((size_t)i < ch->nmanagers)
        in.managers[in.nmanagers++] = ch->managers[i];
    return stores_create(cx, &in, &id);
}

/* One receipt of store p on day `day` (index from the first day). */
static void
receipt(FILE *f, struct rng *g, const struct store_plan *p, const char *date,
        int seq, int since_launch, const bool *fan)
{
    int h = 0, w = (int)rng_below(g, 97),
        lines = 1 + (rng_unit(g) < 0.45) + (rng_unit(g) < 0.15);
    int member =
        rng_unit(g) < 0.35 ? 1 + (int)rng_below(g, MEMBERS_PER_STORE) : 0;
    bool stocked = since_launch >= p->adopt_day;
    int l;

    while (h < 11 && w >= hour_weight[h])
        w -= hour_weight[h++];
    for (l = 1; l <= lines; l++) {
        size_t item = 1 + rng_below(g, NMENU - 1);
        double chance =
            member != 0 && fan[member] ? 0.55 : (member != 0 ? 0.04 : p->share);
        int qty = 1 + (rng_unit(g) < 0.2);

        if (stocked && rng_unit(g) < chance)
            item = 0;
        fprintf(f, "%s,%s %02d:%02d:%02d,%s-%s-%04d,%d,%s,%d,%d.%02d,", p->code,
                date, 10 + h, (int)rng_below(g, 60), (int)rng_below(g, 60),
                p->code, date, seq, l, menu[item].sku, qty,
                qty * menu[item].price_fen / 100,
                qty * menu[item].price_fen % 100);
        if (member != 0)
            fprintf(f, "%s-M%03d", p->code, member);
        fputc('\n', f);
    }
}

/* The POS file: every open store, every day of the window. */
APP_MUST_USE static enum app_err
pos_file(FILE *f, struct rng *g, const struct demo_chain *ch,
         const struct store_plan *plan, int launch_day)
{
    bool fan[MEMBERS_PER_STORE + 1];
    int s, day, m;

    if (fputs("store,time,receipt,line,sku,qty,amount,member\n", f) < 0)
        return APP_EIO;
    for (s = 0; s < ch->stores; s++) {
        const struct store_plan *p = &plan[s];

        for (m = 0; m <= MEMBERS_PER_STORE; m++)
            fan[m] = rng_unit(g) < p->fans;
        for (day = 0; day < ch->pos_days; day++) {
            char date[16];
            int n, r;

            if ((p->opened >= 0 && day < p->opened) ||
                (p->closed >= 0 && day >= p->closed))
                continue;
            day_text(ch->now, day - ch->pos_days, date, sizeof(date));
            n = (int)(p->traffic * (0.8 + 0.4 * rng_unit(g)) *
                      ((day + 3) % 7 >= 5 ? 1.3 : 1.0));
            for (r = 1; r <= n; r++)
                receipt(f, g, p, date, r, day - launch_day, fan);
        }
    }
    return ferror(f) ? APP_EIO : APP_OK;
}

/* The campaign of the new product for every store, with its talk-track
 * pack. */
APP_MUST_USE static enum app_err
campaign(struct ctx *cx, int64_t product, const char *launch)
{
    static const char pack[] =
        "桂花乌龙奶茶 新品话术\n"
        "1. 开场：今天新上的桂花乌龙，秋天限定，很多老顾客回购。\n"
        "2. 试饮：主动递小杯试饮，强调乌龙茶底和桂花香。\n"
        "3. 搭配：推荐与芋泥波波同点，第二杯半价。\n";
    struct campaign_input in;
    struct upload u;
    char path[CONF_STR_MAX + 40];
    int64_t id = 0, file = 0;
    int fd;
    enum app_err rc;

    memset(&in, 0, sizeof(in));
    in.product_id = product;
    in.name = "秋季新品：桂花乌龙奶茶";
    in.launch_on = launch;
    in.all_stores = true;
    in.active = true;
    in.note = "首周全店铺货；督导按话术包培训店员。";
    rc = campaigns_create(cx, &in, &id);
    snprintf(path, sizeof(path), "%s/demo-pack-XXXXXX", cx->conf->tmp_dir);
    fd = rc == APP_OK ? mkstemp(path) : -1;
    if (rc == APP_OK && (fd < 0 || write(fd, pack, sizeof(pack) - 1) !=
                                       (ssize_t)sizeof(pack) - 1))
        rc = APP_EIO;
    if (fd >= 0)
        close(fd);
    memset(&u, 0, sizeof(u));
    u.field = STR_LIT("file");
    u.filename = str_c("新品话术包.txt");
    u.content_type = STR_LIT("text/plain");
    u.path = path;
    u.size = sizeof(pack) - 1;
    if (rc == APP_OK)
        rc = campaigns_file_add(cx, id, &u, &file);
    if (fd >= 0)
        unlink(path);
    return rc;
}

/* A picture as an upload (a temporary file the caller unlinks). */
APP_MUST_USE static enum app_err
picture(struct ctx *cx, enum demo_picture kind, uint64_t seed, struct upload *u,
        char *path, size_t n)
{
    unsigned char *png = NULL;
    size_t len = 0;
    int fd;
    enum app_err rc = demo_picture_png(kind, seed, &png, &len);

    snprintf(path, n, "%s/demo-shelf-XXXXXX", cx->conf->tmp_dir);
    fd = rc == APP_OK ? mkstemp(path) : -1;
    if (rc == APP_OK && (fd < 0 || write(fd, png, len) != (ssize_t)len))
        rc = APP_EIO;
    if (fd >= 0)
        close(fd);
    free(png);
    memset(u, 0, sizeof(*u));
    u->field = STR_LIT("photo");
    u->filename = str_c(kind == PIC_SHELF ? "货架.png" : "门头.png");
    u->content_type = STR_LIT("image/png");
    u->path = path;
    u->size = len;
    return rc;
}

/* Today's patrol of the first supervisor: a visit to each of the first
 * stores of the area with the storefront and the shelf, through the visit
 * services, so the store pages have display photos to compare. */
APP_MUST_USE static enum app_err
patrols(struct ctx *cx, int64_t supervisor)
{
    static const char *const keys[] = { "storefront", "shelf" };
    struct db_res r;
    size_t i, k;
    enum app_err rc = db_query(
        cx->db, cx->a, SQL_PATROL,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(supervisor)), PATROLS, &r);

    cx->user_id = supervisor;
    cx->role = ROLE_SUPERVISOR;
    for (i = 0; rc == APP_OK && i < r.nrows; i++) {
        struct checkin ci;
        struct activity_input in;
        cJSON *missing = NULL;
        int64_t visit = 0;
        bool created = false;

        cx->rules_deadline_ns = 0; /* each visit is a unit of work */
        memset(&ci, 0, sizeof(ci));
        ci.customer_id = db_int(&r, i, 1, 0);
        ci.visit_type = "store_patrol";
        ci.has_position = true;
        ci.lat = strtod(db_text(&r, i, 2), NULL);
        ci.lng = strtod(db_text(&r, i, 3), NULL);
        ci.accuracy_m = 15;
        rc = visits_checkin(cx, &ci, &visit, &created);
        for (k = 0; rc == APP_OK && k < 2; k++) {
            char path[CONF_STR_MAX + 40];
            struct upload u;
            int64_t photo = 0;

            rc = picture(cx, demo_picture_for(keys[k]),
                         (uint64_t)(i * 2 + k + 1), &u, path, sizeof(path));
            if (rc == APP_OK)
                rc = visits_add_photo(cx, visit, keys[k], &u, &photo);
            unlink(path);
        }
        memset(&in, 0, sizeof(in));
        in.kind = "visit";
        in.content = "巡店：新品陈列与试饮执行检查";
        in.need = "店长希望新品有更醒目的台卡";
        in.competitor = "隔壁竞品店同期推出季节限定";
        in.next_step = "下周复查新品陈列";
        if (rc == APP_OK)
            rc = visits_complete(cx, visit, &in, &missing);
        cJSON_Delete(missing);
    }
    return rc;
}

enum app_err
demo_stores(struct db *db, struct arena *a, const struct conf *c,
            const struct demo_chain *ch)
{
    struct ctx cx;
    struct rng g;
    struct store_plan *plan;
    struct pos_import_result res;
    char launch[16], path[CONF_STR_MAX + 40];
    int64_t product = 0;
    int i, launch_day, fd;
    char *engine = NULL, err[512];
    size_t len = 0;
    struct rules *rules;
    FILE *f = NULL;
    enum app_err rc = APP_OK;

    if (ch->stores <= 0)
        return APP_OK;
    if (rules_load_engine(c->lua_dir, &engine, &len, err, sizeof(err)) !=
        APP_OK) {
        fprintf(stderr, "proofline demo: %s\n", err);
        return APP_ERULE;
    }
    rules = rules_new(c, (struct str){ engine, len });
    free(engine);
    if (rules == NULL)
        return APP_ENOMEM;
    ctx_init(&cx, a, db, c, rules, ch->tenant, ch->admin, ROLE_ADMIN);
    cx.tenant_tz = TZ_DEFAULT;
    cx.lang = "zh-CN";
    cx.ip = "cli";
    rng_seed(&g, ch->seed * 7919 + 16);
    plan = calloc((size_t)ch->stores, sizeof(*plan));
    if (plan == NULL) {
        rules_free(rules);
        return APP_ENOMEM;
    }
    /* launched 32 days ago (the repurchase window has passed), or in the
     * middle of a short window */
    launch_day = ch->pos_days >= 40 ? ch->pos_days - 32 : ch->pos_days / 2;
    day_text(ch->now, launch_day - ch->pos_days, launch, sizeof(launch));
    rc = db_begin(db);
    if (rc == APP_OK)
        rc = products(&cx, launch, &product);
    for (i = 0; rc == APP_OK && i < ch->stores; i++) {
        cx.rules_deadline_ns = 0; /* each store is a unit of work */
        rc = store(&cx, &g, ch, i, &plan[i]);
    }
    if (rc == APP_OK)
        rc = campaign(&cx, product, launch);
    if (rc == APP_OK)
        rc = db_commit(db);
    else
        db_rollback(db);
    snprintf(path, sizeof(path), "%s/demo-pos-XXXXXX", c->tmp_dir);
    fd = rc == APP_OK ? mkstemp(path) : -1;
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (rc == APP_OK && f == NULL)
        rc = APP_EIO;
    if (rc == APP_OK) {
        rc = pos_file(f, &g, ch, plan, launch_day);
        if (fclose(f) != 0 && rc == APP_OK)
            rc = APP_EIO;
        f = NULL;
        if (rc == APP_OK)
            fprintf(stderr, "demo: importing the POS sales of %d stores\n",
                    ch->stores);
        memset(&res, 0, sizeof(res));
        if (rc == APP_OK)
            rc = pos_import_run(&cx, 0, "cli", path, "demo-pos.csv", false,
                                &res);
        if (rc == APP_OK)
            printf("demo: %d stores, %zu POS lines over %d days\n", ch->stores,
                   res.lines_added, ch->pos_days);
        cJSON_Delete(res.problems);
    } else if (f != NULL) {
        fclose(f);
    }
    if (fd >= 0)
        unlink(path);
    /* visits are recorded as of the server's clock: a demo of another
     * day (--today) has none */
    if (rc == APP_OK && llabs((long long)(time(NULL) - ch->now)) < 36 * 3600)
        rc = patrols(&cx, ch->supervisors[0]);
    if (rc != APP_OK)
        fprintf(stderr, "proofline demo: stores: %s %s\n", app_err_code(rc),
                cx.err_detail != NULL ? cx.err_detail : "");
    free(plan);
    rules_free(rules);
    return rc;
}

/*
 * hanzi.c -- folded names, name cores and pinyin initials (hanzi.h).
 */
#include "base/hanzi.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

/* Kinds of organisation a name ends with, longest first: taken off
 * repeatedly ("仁和医院有限公司" -> "仁和"). */
static const char *const suffixes[] = {
    "股份有限公司", "有限责任公司", "医疗器械", "有限公司",    "人民医院",
    "中医医院",     "卫生服务中心", "卫生院",   "大药房",      "连锁",
    "集团",         "公司",         "医院",     "诊所",        "药房",
    "药店",         "超市",         "门店",     "分店",        "商行",
    "中心",         "商场",         "便利店",   "店",          "coltd",
    "limited",      "ltd",          "inc",      "company",     "group",
    "hospital",     "pharmacy",     "clinic",   "supermarket", "store",
    "shop",         NULL,
};

/* Provinces and cities a name may start with ("北京市", "广东省"). */
static const char *const cities[] = {
    "黑龙江", "内蒙古", "乌鲁木齐", "呼和浩特", "石家庄", "哈尔滨", "北京",
    "上海",   "天津",   "重庆",     "广州",     "深圳",   "杭州",   "南京",
    "苏州",   "武汉",   "成都",     "西安",     "长沙",   "郑州",   "济南",
    "青岛",   "沈阳",   "大连",     "长春",     "太原",   "合肥",   "福州",
    "厦门",   "南昌",   "昆明",     "贵阳",     "南宁",   "海口",   "兰州",
    "西宁",   "银川",   "拉萨",     "宁波",     "无锡",   "佛山",   "东莞",
    "温州",   "烟台",   "珠海",     "常州",     "徐州",   "扬州",   "嘉兴",
    "绍兴",   "台州",   "泉州",     "洛阳",     "唐山",   "保定",   "广东",
    "浙江",   "江苏",   "山东",     "河南",     "河北",   "湖南",   "湖北",
    "四川",   "福建",   "安徽",     "江西",     "云南",   "贵州",   "广西",
    "山西",   "陕西",   "辽宁",     "吉林",     "甘肃",   "海南",   "新疆",
    "西藏",   "宁夏",   "青海",     "香港",     "澳门",   NULL,
};

/* The first GB2312 code of each initial's block of level-1 hanzi. */
static const struct {
    unsigned code;
    char letter;
} initials[] = {
    { 0xB0A1, 'a' }, { 0xB0C5, 'b' }, { 0xB2C1, 'c' }, { 0xB4EE, 'd' },
    { 0xB6EA, 'e' }, { 0xB7A2, 'f' }, { 0xB8C1, 'g' }, { 0xB9FE, 'h' },
    { 0xBBF7, 'j' }, { 0xBFA6, 'k' }, { 0xC0AC, 'l' }, { 0xC2E8, 'm' },
    { 0xC4C3, 'n' }, { 0xC5B6, 'o' }, { 0xC5BE, 'p' }, { 0xC6DA, 'q' },
    { 0xC8BB, 'r' }, { 0xC8F6, 's' }, { 0xCBFA, 't' }, { 0xCDDA, 'w' },
    { 0xCEF4, 'x' }, { 0xD1B9, 'y' }, { 0xD4D1, 'z' },
};
#define LEVEL1_END 0xD7F9 /* the last level-1 hanzi */

static bool
is_punct(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                 (cp >= '0' && cp <= '9'));
    return cp == 0x00B7 || (cp >= 0x2000 && cp <= 0x206F) ||
           (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
           (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
           (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0x00A0;
}

/* Full-width ASCII to ASCII, and ASCII letters to lower case. */
static uint32_t
fold_cp(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0;
    if (cp >= 'A' && cp <= 'Z')
        cp += 'a' - 'A';
    return cp;
}

size_t
hanzi_fold(struct str s, char *out, size_t cap)
{
    size_t i = 0, used = 0;

    if (cap == 0)
        return 0;
    while (i < s.len) {
        struct utf8_char c =
            utf8_next((const unsigned char *)s.p + i, s.len - i);
        char enc[4];
        size_t n;
        uint32_t cp = fold_cp(c.cp);

        i += c.len;
        if (!c.ok || is_punct(cp))
            continue;
        n = utf8_put(enc, cp);
        if (used + n + 1 > cap)
            break;
        memcpy(out + used, enc, n);
        used += n;
    }
    out[used] = '\0';
    return used;
}

size_t
hanzi_chars(struct str s)
{
    size_t i = 0, n = 0;

    while (i < s.len) {
        struct utf8_char c =
            utf8_next((const unsigned char *)s.p + i, s.len - i);

        i += c.len;
        n++;
    }
    return n;
}

static size_t
starts_with_any(struct str s, const char *const *words)
{
    size_t i;

    for (i = 0; words[i] != NULL; i++) {
        if (str_has_prefix(s, str_c(words[i])))
            return strlen(words[i]);
    }
    return 0;
}

static size_t
ends_with_any(struct str s, const char *const *words)
{
    size_t i;

    for (i = 0; words[i] != NULL; i++) {
        size_t n = strlen(words[i]);

        if (s.len >= n && memcmp(s.p + s.len - n, words[i], n) == 0)
            return n;
    }
    return 0;
}

size_t
hanzi_suffix_start(struct str s)
{
    size_t i;

    /* One-character kinds (店) start too many other words (店长). */
    for (i = 0; suffixes[i] != NULL; i++) {
        size_t n = strlen(suffixes[i]);

        if (n > 3 && str_has_prefix(s, str_c(suffixes[i])))
            return n;
    }
    return 0;
}

size_t
hanzi_city_suffix_len(struct str s)
{
    struct str t = s;
    size_t mark = 0, n;

    /* "北京市" ends with the city 北京 and its 市. */
    if (t.len >= 3 && (memcmp(t.p + t.len - 3, "市", 3) == 0 ||
                       memcmp(t.p + t.len - 3, "省", 3) == 0)) {
        t.len -= 3;
        mark = 3;
    }
    n = ends_with_any(t, cities);
    return n > 0 ? n + mark : 0;
}

/* Take a leading city (and its 省/市) off s; returns the city's name. */
static struct str
take_city(struct str *s)
{
    size_t n = starts_with_any(*s, cities);
    struct str city = { s->p, n };

    if (n == 0 || n == s->len)
        return STR_NULL;
    s->p += n;
    s->len -= n;
    if (s->len > 3 &&
        (memcmp(s->p, "市", 3) == 0 || memcmp(s->p, "省", 3) == 0)) {
        s->p += 3;
        s->len -= 3;
    }
    return city;
}

void
hanzi_name_parts(struct str folded, struct hanzi_name *out)
{
    struct str rest = folded, city, core;
    size_t n;
    int k;

    memset(out, 0, sizeof(*out));
    out->city = STR_NULL;
    for (k = 0; k < 2; k++) {
        struct str before = rest;

        city = take_city(&rest);
        if (city.len == 0)
            break;
        if (hanzi_chars(rest) < 2) {
            rest = before;
            break;
        }
        out->city = city;
    }
    out->nocity = rest;
    core = rest;
    while ((n = ends_with_any(core, suffixes)) > 0 && n < core.len) {
        struct str shorter = { core.p, core.len - n };

        if (hanzi_chars(shorter) < 2)
            break;
        core = shorter;
    }
    out->core = core;
    out->suffix = (struct str){ core.p + core.len, rest.len - core.len };
}

/* The GB2312 code of one hanzi (0 when it has none). */
static unsigned
gb_code(const char *p, size_t n)
{
    static iconv_t cd = (iconv_t)-1;
    char in[4], outb[4];
    char *ip = in, *op = outb;
    size_t il = n, ol = sizeof(outb);

    if (cd == (iconv_t)-1)
        cd = iconv_open("GB2312", "UTF-8");
    if (cd == (iconv_t)-1 || n > sizeof(in))
        return 0;
    memcpy(in, p, n);
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || op - outb != 2)
        return 0;
    return (unsigned)((unsigned char)outb[0] << 8 | (unsigned char)outb[1]);
}

static char
initial_of(unsigned code)
{
    size_t i, n = sizeof(initials) / sizeof(initials[0]);

    if (code < initials[0].code || code > LEVEL1_END)
        return '\0';
    for (i = n; i-- > 0;) {
        if (code >= initials[i].code)
            return initials[i].letter;
    }
    return '\0';
}

bool
hanzi_initials(struct str s, char *out, size_t cap)
{
    size_t i = 0, used = 0;

    if (cap == 0)
        return false;
    out[0] = '\0';
    while (i < s.len) {
        struct utf8_char c =
            utf8_next((const unsigned char *)s.p + i, s.len - i);
        uint32_t cp = fold_cp(c.cp);
        char letter;

        if (!c.ok)
            return (out[0] = '\0', false);
        if (cp < 0x80) {
            letter = is_punct(cp) ? '\0' : (char)cp;
        } else if (is_punct(cp)) {
            letter = '\0';
        } else {
            letter = initial_of(gb_code(s.p + i, c.len));
            if (letter == '\0')
                return (out[0] = '\0', false);
        }
        i += c.len;
        if (letter == '\0')
            continue;
        if (used + 2 > cap)
            return (out[0] = '\0', false);
        out[used++] = letter;
        out[used] = '\0';
    }
    return used > 0;
}

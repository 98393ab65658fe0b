/*
 * pwpolicy.c -- the password policy and its list of common passwords.
 *
 * The list holds passwords of at least PASSWORD_MIN_CHARS characters that
 * head public breach-frequency lists, Chinese ones included (pinyin,
 * 5201314-style numbers); shorter ones are refused by length anyway.
 * Comparison ignores ASCII case.
 */
#include "identity/pwpolicy.h"

#include <stdbool.h>
#include <string.h>

#include "base/validate.h"
#include "base/str.h"

static const char *const common[] = {
    "0000000000",   "0123456789",    "0987654321",     "1111111111",
    "1122334455",   "1212121212",    "123123123123",   "1234512345",
    "1234554321",   "1234567890",    "12345678900",    "12345678910",
    "123456789a",   "123456789abc",  "123456789q",     "123456789qq",
    "1234567890a",  "1234567890q",   "1234qwerasdf",   "123abc123abc",
    "123qweasdzxc", "1314520520",    "1314521521",     "147258369147",
    "1472583690",   "1q2w3e4r5t",    "1q2w3e4r5t6y",   "1qaz2wsx3edc",
    "1qazxsw23edc", "2222222222",    "3333333333",     "5201314520",
    "5201314521",   "5211314520",    "5555555555",     "6666666666",
    "7777777777",   "8888888888",    "9876543210",     "9999999999",
    "a123456789",   "a1b2c3d4e5",    "a1b2c3d4e5f6",   "aa123456789",
    "aaaaaaaaaa",   "abc1234567",    "abc123456789",   "abcd123456",
    "abcd1234abcd", "abcdefghij",    "abcdefghijk",    "asdfghjkl;",
    "asdfghjkl1",   "asdfghjkl123",  "baseball123",    "changeme123",
    "charlie123",   "computer123",   "dragon1234",     "football123",
    "iloveyou12",   "iloveyou123",   "iloveyou1314",   "letmein123",
    "linkedin123",  "liverpool1",    "michael123",     "monkey1234",
    "password00",   "password01",    "password1!",     "password11",
    "password12",   "password123",   "password1234",   "passw0rd123",
    "p@ssw0rd123",  "princess123",   "proofline-demo", "proofline123",
    "q1w2e3r4t5",   "q1w2e3r4t5y6",  "qazwsxedc123",   "qazwsxedcrfv",
    "qq123456789",  "qwe123qwe123",  "qweasdzxc123",   "qwert12345",
    "qwerty1234",   "qwerty12345",   "qwerty123456",   "qwertyuiop",
    "qwertyuiop1",  "qwertyuiop123", "shadow1234",     "starwars123",
    "sunshine123",  "superman123",   "welcome123",     "welcome1234",
    "woaini1314",   "woaini1314520", "woaini5201314",  "woaini520",
    "wodemima123",  "zaq12wsxcde3",  "zxcvbnm123",     "zxcvbnm1234",
    "zxcvbnmasdf",  "admin12345",    "admin123456",    "administrator",
    "qwerasdfzxcv", "1qaz!qaz2wsx",  "!qaz2wsx3edc",   "zhang123456",
    "wang123456",   "li123456789",   "a5201314520",    "aini1314520",
};

static int
lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static bool
eq_nocase(struct str a, const char *b)
{
    size_t i, n = strlen(b);

    if (a.len != n)
        return false;
    for (i = 0; i < n; i++) {
        if (lower((unsigned char)a.p[i]) != lower((unsigned char)b[i]))
            return false;
    }
    return true;
}

static bool
contains_nocase(struct str hay, struct str needle)
{
    size_t i, j;

    if (needle.len == 0 || needle.len > hay.len)
        return false;
    for (i = 0; i + needle.len <= hay.len; i++) {
        for (j = 0; j < needle.len; j++) {
            if (lower((unsigned char)hay.p[i + j]) !=
                lower((unsigned char)needle.p[j]))
                break;
        }
        if (j == needle.len)
            return true;
    }
    return false;
}

/* One repeated byte, or a run where each byte is the previous plus or
 * minus one ("0123456789", "hgfedcba"). */
static bool
trivial(struct str p)
{
    size_t i;
    bool same = true, up = true, down = true;

    for (i = 1; i < p.len; i++) {
        int d = (unsigned char)p.p[i] - (unsigned char)p.p[i - 1];

        same = same && d == 0;
        up = up && d == 1;
        down = down && d == -1;
    }
    return same || up || down;
}

const char *
pwpolicy_check(struct str password, struct str login, struct str tenant)
{
    size_t chars, i;

    if (!utf8_valid(password.p, password.len) ||
        memchr(password.p, '\0', password.len) != NULL)
        return "password.bad_text";
    chars = utf8_chars(password.p, password.len);
    if (chars < PASSWORD_MIN_CHARS)
        return "password.too_short";
    if (chars > PASSWORD_MAX_CHARS)
        return "password.too_long";
    if (trivial(password))
        return "password.common";
    for (i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
        if (eq_nocase(password, common[i]))
            return "password.common";
    }
    if ((login.len >= 3 && contains_nocase(password, login)) ||
        (tenant.len >= 3 && contains_nocase(password, tenant)))
        return "password.contains_login";
    return NULL;
}

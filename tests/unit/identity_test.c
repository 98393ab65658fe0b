/*
 * identity_test.c -- password policy, throttling policy, roles, sealing of
 * MFA secrets, time-zone formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/conf.h"
#include "identity/pwpolicy.h"
#include "http/router.h"
#include "identity/seal.h"
#include "web/throttle.h"
#include "base/tz.h"
#include "identity/users.h"

struct pw_row {
    const char *pw, *login, *tenant, *want; /* want NULL = accepted */
};

static const struct pw_row pw_rows[] = {
    /* refused first */
    { "", "", "", "password.too_short" },
    { "short", "", "", "password.too_short" },
    { "123456789", "", "", "password.too_short" },
    { "密码密码密码密码密", "", "", "password.too_short" }, /* 9 chars */
    { "1234567890", "", "", "password.common" },
    { "QWERTYUIOP", "", "", "password.common" },
    { "Password123", "", "", "password.common" },
    { "woaini1314", "", "", "password.common" },
    { "aaaaaaaaaaaa", "", "", "password.common" },
    { "abcdefghijklmn", "", "", "password.common" },
    { "zyxwvutsrqpo", "", "", "password.common" },
    { "proofline-demo", "", "", "password.common" },
    { "zhangsan-2026!", "zhangsan", "", "password.contains_login" },
    { "my-ACME-password", "x", "acme", "password.contains_login" },
    { "bad\xff\xfe-bytes-x", "", "", "password.bad_text" },
    /* accepted */
    { "correct horse battery", "zhangsan", "acme", NULL },
    { "我的密码很长很长很长", "", "", NULL }, /* 10 characters */
    { "Tr0ub4dor&3-x", "ab", "", NULL },      /* login too short to test */
};

static void
test_password_policy(void **state)
{
    size_t i;
    char longpw[300];

    (void)state;
    for (i = 0; i < sizeof(pw_rows) / sizeof(pw_rows[0]); i++) {
        const struct pw_row *r = &pw_rows[i];
        const char *got =
            pwpolicy_check(str_c(r->pw), str_c(r->login), str_c(r->tenant));

        if ((got == NULL) != (r->want == NULL) ||
            (got != NULL && strcmp(got, r->want) != 0))
            fail_msg("row %zu '%s': got %s, want %s", i, r->pw,
                     got ? got : "ok", r->want ? r->want : "ok");
    }
    memset(longpw, 'x', 257);
    longpw[0] = 'a';
    longpw[257] = '\0';
    assert_string_equal(pwpolicy_check(str_c(longpw), STR_NULL, STR_NULL),
                        "password.too_long");
    longpw[256] = '\0';
    assert_null(pwpolicy_check(str_c(longpw), STR_NULL, STR_NULL));
}

struct wait_row {
    long failures, since;
    long want;
    bool locked;
};

static void
test_throttle_policy(void **state)
{
    const struct throttle_policy p = {
        .window = 3600, .delay_after = 3, .delay_max = 60, .max_failures = 100
    };
    static const struct wait_row rows[] = {
        { 0, 0, 0, false },     { 2, 0, 0, false },
        { 3, 0, 1, false },     { 3, 1, 0, false },
        { 4, 0, 2, false },     { 4, 1, 1, false },
        { 5, 3, 1, false },     { 8, 0, 32, false },
        { 9, 10, 50, false },   { 40, 0, 60, false },
        { 40, 60, 0, false },   { 99, 59, 1, false },
        { 100, 0, 3600, true }, { 1000, 5000, 3600, true },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        bool locked = false;
        long w = throttle_wait(&p, rows[i].failures, rows[i].since, &locked);

        if (w != rows[i].want || locked != rows[i].locked)
            fail_msg("row %zu: %ld failures %lds ago -> wait %ld locked %d", i,
                     rows[i].failures, rows[i].since, w, locked);
    }
}

static void
test_account_key_ignores_login_case(void **state)
{
    char a[65], b[65], c[65], d[65];

    (void)state;
    throttle_account_key(STR_LIT("acme"), STR_LIT("ZhangSan"), a);
    throttle_account_key(STR_LIT("acme"), STR_LIT("zhangsan"), b);
    throttle_account_key(STR_LIT("acmez"), STR_LIT("hangsan"), c);
    throttle_account_key(STR_LIT("bravo"), STR_LIT("zhangsan"), d);
    assert_string_equal(a, b);
    assert_string_not_equal(b, c); /* the NUL separates tenant and login */
    assert_string_not_equal(b, d);
    assert_int_equal(strlen(a), 64);
}

static void
test_roles(void **state)
{
    unsigned i;

    (void)state;
    for (i = 0; i < ROLE_COUNT; i++) {
        unsigned r = role_from_name(str_c(role_name_at(i)));

        assert_int_equal(r, 1u << i);
        assert_string_equal(role_name(r), role_name_at(i));
    }
    assert_int_equal(role_from_name(STR_LIT("emperor")), 0);
    assert_int_equal(role_from_name(STR_LIT("Admin")), 0);
    assert_true(role_requires_mfa(ROLE_ADMIN));
    assert_true(role_requires_mfa(ROLE_FINANCE));
    assert_true(role_requires_mfa(ROLE_LEGAL));
    assert_false(role_requires_mfa(ROLE_REP));
    assert_false(role_requires_mfa(ROLE_MANAGER));
    assert_true(role_can_manage(ROLE_MANAGER));
    assert_false(role_can_manage(ROLE_REP));
}

static void
test_seal_roundtrip_and_tamper(void **state)
{
    struct conf c;
    uint8_t plain[20], back[64];
    char hex[SEAL_HEX_MAX], other[SEAL_HEX_MAX];
    size_t n = 0;

    (void)state;
    assert_true(sodium_init() >= 0);
    conf_defaults(&c);
    randombytes_buf(plain, sizeof(plain));
    /* No key configured: refuse rather than store in the clear. */
    assert_int_equal(seal(&c, plain, sizeof(plain), hex), APP_EINTERNAL);
    snprintf(c.secret_key, sizeof(c.secret_key), "%s",
             "000102030405060708090a0b0c0d0e0f"
             "101112131415161718191a1b1c1d1e1f");
    assert_int_equal(seal(&c, plain, sizeof(plain), hex), APP_OK);
    assert_int_equal(seal(&c, plain, sizeof(plain), other), APP_OK);
    assert_string_not_equal(hex, other); /* a fresh nonce each time */
    assert_int_equal(unseal(&c, hex, back, sizeof(back), &n), APP_OK);
    assert_int_equal(n, sizeof(plain));
    assert_memory_equal(back, plain, sizeof(plain));
    /* One flipped digit does not authenticate. */
    hex[60] = hex[60] == '0' ? '1' : '0';
    assert_int_equal(unseal(&c, hex, back, sizeof(back), &n), APP_EINVAL);
    assert_int_equal(unseal(&c, "zz", back, sizeof(back), &n), APP_EINVAL);
    assert_int_equal(unseal(&c, "", back, sizeof(back), &n), APP_EINVAL);
    /* Another key does not open it. */
    c.secret_key[0] = 'f';
    assert_int_equal(unseal(&c, other, back, sizeof(back), &n), APP_EINVAL);
}

static void
test_time_zones(void **state)
{
    char out[32];

    (void)state;
    assert_string_equal(
        tz_format("Asia/Shanghai", "2026-11-28 04:30:00.123", out, sizeof(out)),
        "2026-11-28 12:30");
    assert_string_equal(
        tz_format("Asia/Shanghai", "2026-12-31 20:00:00", out, sizeof(out)),
        "2027-01-01 04:00");
    assert_string_equal(
        tz_format("Europe/Berlin", "2026-07-01 10:00:00", out, sizeof(out)),
        "2026-07-01 12:00");
    assert_string_equal(
        tz_format(NULL, "2026-07-01 10:00:00", out, sizeof(out)),
        "2026-07-01 10:00");
    assert_string_equal(
        tz_format("../etc/passwd", "2026-07-01 10:00:00", out, sizeof(out)),
        "2026-07-01 10:00");
    assert_string_equal(tz_format("Asia/Shanghai", "", out, sizeof(out)), "");
    assert_string_equal(tz_format("Asia/Shanghai", "garbage", out, sizeof(out)),
                        "garbage");
    assert_int_equal(tz_parse_utc("2026-13-01 00:00:00"), -1);
    assert_int_equal(tz_parse_utc("1970-01-01 00:00:10"), 10);
    assert_int_equal(tz_parse_utc("2026-01-01T00:00:00"), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_throttle_policy),
        cmocka_unit_test(test_account_key_ignores_login_case),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_seal_roundtrip_and_tamper),
        cmocka_unit_test(test_time_zones),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

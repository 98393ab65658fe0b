/*
 * notify_test.c -- the pure parts of notifications: cutting a robot
 * message at a whole UTF-8 character, the webhook signature (checked
 * against RFC 4231's HMAC-SHA256 vectors and a body of our own), the
 * retry backoff, channel URLs and contact details.
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
#include "base/validate.h"
#include "identity/user_contact.h"
#include "work/channels.h"
#include "work/notify.h"
#include "work/outbox.h"

static void
test_cut_utf8(void **state)
{
    /* "中" is 3 bytes: a cut inside it backs off to its start. */
    const char *s = "ab\xe4\xb8\xad"
                    "cd";

    (void)state;
    assert_int_equal(utf8_cut(s, 7, 10), 7);
    assert_int_equal(utf8_cut(s, 7, 5), 5);
    assert_int_equal(utf8_cut(s, 7, 4), 2);
    assert_int_equal(utf8_cut(s, 7, 3), 2);
    assert_int_equal(utf8_cut(s, 7, 2), 2);
    assert_int_equal(utf8_cut(s, 7, 0), 0);
    {
        /* 4096 bytes of "中" (1365 of them, 4095 bytes) and one more. */
        char big[4100];
        size_t i;

        for (i = 0; i + 3 <= 4098; i += 3)
            memcpy(big + i, "\xe4\xb8\xad", 3);
        assert_int_equal(utf8_cut(big, 4098, NOTIFY_WECOM_MAX), 4095);
    }
}

/* The signature is HMAC-SHA256 over "<ts>.<body>": computed here the
 * long way (RFC 2104 with SHA-256) and compared. */
static void
test_signature(void **state)
{
    static const char body[] = "{\"event\":\"notification\"}";
    uint8_t key[32], ipad[64], opad[64], inner[32], mac[32];
    crypto_hash_sha256_state st;
    char want[80], got[80], msg[128];
    size_t i;
    int n;

    (void)state;
    for (i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(i * 7 + 1);
    for (i = 0; i < 64; i++) {
        ipad[i] = (uint8_t)((i < 32 ? key[i] : 0) ^ 0x36);
        opad[i] = (uint8_t)((i < 32 ? key[i] : 0) ^ 0x5c);
    }
    n = snprintf(msg, sizeof(msg), "1767225600.%s", body);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, ipad, 64);
    crypto_hash_sha256_update(&st, (const uint8_t *)msg, (unsigned long long)n);
    crypto_hash_sha256_final(&st, inner);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, opad, 64);
    crypto_hash_sha256_update(&st, inner, 32);
    crypto_hash_sha256_final(&st, mac);
    memcpy(want, "sha256=", 7);
    sodium_bin2hex(want + 7, 65, mac, 32);
    outbox_sign(key, sizeof(key), 1767225600LL, body, strlen(body), got);
    assert_string_equal(got, want);
    /* Another timestamp, another signature. */
    outbox_sign(key, sizeof(key), 1767225601LL, body, strlen(body), got);
    assert_string_not_equal(got, want);
}

static void
test_backoff(void **state)
{
    struct conf c;

    (void)state;
    conf_defaults(&c);
    c.delivery_backoff_s = 30;
    c.delivery_backoff_max_s = 3600;
    assert_int_equal(outbox_backoff_s(&c, 1), 30);
    assert_int_equal(outbox_backoff_s(&c, 2), 60);
    assert_int_equal(outbox_backoff_s(&c, 3), 120);
    assert_int_equal(outbox_backoff_s(&c, 7), 1920);
    assert_int_equal(outbox_backoff_s(&c, 8), 3600);
    assert_int_equal(outbox_backoff_s(&c, 50), 3600);
}

struct ok_row {
    const char *s;
    bool ok;
};

static void
test_channel_urls(void **state)
{
    static const struct ok_row rows[] = {
        { "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", true },
        { "http://10.1.2.3:8080/hook", true },
        { "https://example.com", true },
        { "ftp://example.com/x", false },
        { "https://", false },
        { "https:///path", false },
        { "https://user:pw@example.com/x", false },
        { "https://exa mple.com", false },
        { "javascript:alert(1)", false },
        { "https://example.com/\"><script>", false },
        { "", false },
    };
    size_t i;

    static const char *const mail[] = { "smtps://", "smtp://", NULL };

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_int_equal(channels_url_ok(str_c(rows[i].s), 500), rows[i].ok);
    assert_true(
        validate_url(str_c("smtps://smtp.exmail.qq.com:465"), 300, mail));
    assert_true(validate_url(str_c("smtp://10.0.0.5:587"), 300, mail));
    assert_false(validate_url(str_c("https://mail.example.com"), 300, mail));
    assert_false(validate_url(str_c("smtp://u:p@mail.example.com"), 300, mail));
}

static void
test_contact_details(void **state)
{
    static const struct ok_row mails[] = {
        { "a@b.cn", true },     { "zhang.san@example.com.cn", true },
        { "a@b", false },       { "@b.cn", false },
        { "a@@b.cn", false },   { "a b@c.cn", false },
        { "a@b..", false },     { "a@.cn", false },
        { "a<b>@c.cn", false }, { "", false },
    };
    static const struct ok_row mobiles[] = {
        { "13812345678", true },    { "19912345678", true },
        { "12812345678", false },   { "1381234567", false },
        { "+8613812345678", true }, { "+0123456", false },
        { "138-1234-5678", false }, { "+12345", false },
    };
    static const struct ok_row wecom[] = {
        { "zhangsan", true },
        { "Zhang.San_01@corp", true },
        { "张三", false },
        { "a b", false },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(mails) / sizeof(mails[0]); i++)
        assert_int_equal(user_email_ok(str_c(mails[i].s)), mails[i].ok);
    for (i = 0; i < sizeof(mobiles) / sizeof(mobiles[0]); i++)
        assert_int_equal(user_mobile_ok(str_c(mobiles[i].s)), mobiles[i].ok);
    for (i = 0; i < sizeof(wecom) / sizeof(wecom[0]); i++)
        assert_int_equal(user_wecom_ok(str_c(wecom[i].s)), wecom[i].ok);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_utf8),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_channel_urls),
        cmocka_unit_test(test_contact_details),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}

"""Pages, languages, security headers and error pages through nginx."""
import re

import pytest

SEC = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(r, dynamic=True):
    csp = r.headers.get("Content-Security-Policy", "")
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    for k, v in SEC.items():
        assert r.headers.get(k) == v, k
    if dynamic:
        assert r.headers.get("Cache-Control") == "no-store"
        assert re.fullmatch(r"[0-9a-f]{16,32}", r.headers["X-Request-Id"])


def test_login_page_defaults_to_chinese(stack, http):
    r = http.get(stack.url("/login"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert '<html lang="zh-CN">' in r.text
    assert "企业代码" in r.text and "密码" in r.text
    assert 'name="password"' in r.text
    assert_security_headers(r)
    # No inline script anywhere: scripts only from /static.
    assert re.search(r"<script(?![^>]*\bsrc=)", r.text) is None
    assert "style=" not in r.text


@pytest.mark.parametrize("accept,lang,word", [
    ("en-US,en;q=0.9", "en", "Company code"),
    ("zh-CN,zh;q=0.9", "zh-CN", "企业代码"),
    ("fr-FR", "zh-CN", "企业代码"),
])
def test_accept_language(stack, accept, lang, word):
    r = stack.session(accept).get(stack.url("/login"))
    assert f'<html lang="{lang}">' in r.text
    assert word in r.text


def test_home_page(stack, http):
    r = http.get(stack.url("/"))
    assert r.status_code == 200
    assert "最小证据链" in r.text
    assert_security_headers(r)


def test_head_has_no_body(stack, http):
    r = http.head(stack.url("/login"))
    assert r.status_code == 200
    assert r.content == b""
    assert int(r.headers["Content-Length"]) > 1000


def test_not_found_both_languages(stack):
    zh = stack.session().get(stack.url("/no/such/page"))
    en = stack.session("en").get(stack.url("/no/such/page"))
    assert zh.status_code == en.status_code == 404
    assert "页面不存在" in zh.text
    assert "Page not found" in en.text
    assert_security_headers(zh)


def test_method_not_allowed(stack, http):
    r = http.delete(stack.url("/healthz"))
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    assert "不支持" in r.text
    assert http.put(stack.url("/login")).headers["Allow"] == \
        "GET, HEAD, POST"
    r = http.request("BREW", stack.url("/login"))
    assert r.status_code in (400, 405)  # nginx or the app, never 5xx


@pytest.mark.parametrize("code,zh,en", [
    (400, "请求有误", "Bad request"),
    (403, "没有权限", "Not allowed"),
    (404, "页面不存在", "Page not found"),
    (405, "不支持的请求方式", "Method not allowed"),
    (413, "内容过大", "Too large"),
    (500, "服务器错误", "Server error"),
    (503, "服务暂时不可用", "Temporarily unavailable"),
])
def test_error_pages_both_languages(stack, code, zh, en):
    rz = stack.session().get(stack.url(f"/_debug/error/{code}"))
    re_ = stack.session("en").get(stack.url(f"/_debug/error/{code}"))
    assert rz.status_code == re_.status_code == code
    assert zh in rz.text and en in re_.text
    assert rz.headers["Content-Type"].startswith("text/html")
    assert_security_headers(rz)


def test_json_errors_for_json_clients(stack):
    r = stack.session("en").get(stack.url("/no/such"),
                                headers={"Accept": "application/json"})
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "not_found"
    assert body["message"]


def test_static_files_from_nginx(stack, http):
    r = http.get(stack.url("/static/app.css"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
    assert "X-Request-Id" not in r.headers  # nginx, not the application
    assert_security_headers(r, dynamic=False)
    assert http.get(stack.url("/static/nope.css")).status_code == 404
    assert http.get(stack.url("/static/../Makefile")).status_code in (400, 404)


def test_healthz_and_readyz(stack, http):
    assert http.get(stack.url("/healthz")).text == "ok\n"
    assert http.get(stack.url("/readyz")).text == "ready\n"


def test_language_switch_sets_cookie(stack):
    s = stack.session()
    token = stack.csrf(s)
    r = s.post(stack.url("/lang"), data={"_csrf": token, "lang": "en",
                                         "next": "/login"},
               headers={"Origin": stack.base}, allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/login"
    cookie = r.headers["Set-Cookie"]
    assert "pl_lang=en" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Sign in" in s.get(stack.url("/login")).text


@pytest.mark.parametrize("nxt", ["//evil.example/", "https://evil.example/",
                                 "/\\evil", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(stack, nxt):
    s = stack.session()
    token = stack.csrf(s)
    r = s.post(stack.url("/lang"), data={"_csrf": token, "lang": "en",
                                         "next": nxt},
               headers={"Origin": stack.base}, allow_redirects=False)
    # Either refused or sent home -- never to another site.
    assert r.status_code in (303, 400)
    if r.status_code == 303:
        assert r.headers["Location"] == "/"


def test_state_change_needs_csrf_token_and_origin(stack):
    s = stack.session()
    token = stack.csrf(s)
    cases = [
        ({"lang": "en"}, {"Origin": stack.base}),                # no token
        ({"lang": "en", "_csrf": "x" * 43}, {"Origin": stack.base}),
        ({"lang": "en", "_csrf": token}, {"Origin": "https://evil.example"}),
        ({"lang": "en", "_csrf": token}, {}),                    # no origin
        ({"lang": "en", "_csrf": token},
         {"Referer": "https://evil.example/x"}),
    ]
    for data, headers in cases:
        r = s.post(stack.url("/lang"), data=data, headers=headers,
                   allow_redirects=False)
        assert r.status_code == 403, (data, headers)
    # The right token from our own page works, with a Referer instead of
    # an Origin too.
    r = s.post(stack.url("/lang"), data={"lang": "en", "_csrf": token},
               headers={"Referer": stack.base + "/login"},
               allow_redirects=False)
    assert r.status_code == 303


def test_cookies_and_request_ids(stack, http):
    r = http.get(stack.url("/login"), headers={"Cookie": "a=" + "x" * 9000})
    # An oversized Cookie header is refused cleanly (nginx or the app).
    assert r.status_code in (400, 413)
    r1 = http.get(stack.url("/healthz"))
    r2 = http.get(stack.url("/healthz"))
    assert r1.headers["X-Request-Id"] != r2.headers["X-Request-Id"]

"""Request bodies through nginx: parsers, limits and clear 4xx answers."""
import json
import time

import pytest


def no_temp_files(stack, timeout=2.0):
    """Temporary upload files are removed when the request's arena is
    reset, just after the response is handed to nginx: allow a moment."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        # The password-hash slots keep their lock files there for good
        # (they exist once any earlier test signed in), and so does the
        # metrics engine its per-host snapshots (facts/, once an earlier
        # test ran the alerts job).
        left = [p for p in (stack.var / "tmp").iterdir()
                if not p.name.startswith(".pwhash-") and p.name != "facts"]
        if not left:
            return True
        time.sleep(0.02)
    return False


def echo(stack, lang="en", **kw):
    return stack.session(lang).post(stack.url("/_debug/echo"), **kw)


def test_urlencoded_roundtrip(stack):
    r = echo(stack, data={"name": "张三", "note": "a&b=c"})
    assert r.status_code == 200
    assert r.json()["fields"] == {"name": "张三", "note": "a&b=c"}


def test_multipart_with_file(stack):
    payload = bytes(range(256)) * 100 + b"\r\n--boundary-like\r\n"
    r = echo(stack, data={"kind": "photo"},
             files={"file": ("门头.jpg", payload, "image/jpeg")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["fields"] == {"kind": "photo"}
    assert body["files"] == [{"field": "file", "filename": "门头.jpg",
                              "size": len(payload)}]


def test_uploads_leave_no_temporary_files(stack):
    echo(stack, files={"f": ("a.bin", b"x" * 5000)})
    assert no_temp_files(stack)


def test_json_roundtrip(stack):
    r = echo(stack, json={"a": [1, 2, {"b": "中"}]})
    assert r.status_code == 200
    assert r.json()["json"] == {"a": [1, 2, {"b": "中"}]}


@pytest.mark.parametrize("body,ctype,status,words", [
    # malformed multipart
    (b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
     "multipart/form-data; boundary=xyz", 400, "multipart"),
    (b"garbage without any boundary", "multipart/form-data; boundary=xyz",
     400, "multipart"),
    (b"--xyz\r\n\r\n\r\n--xyz--\r\n", "multipart/form-data; boundary=xyz",
     400, "multipart"),
    (b"--x\r\n", "multipart/form-data", 400, "boundary"),
    # malformed urlencoded and JSON
    (b"a=%zz", "application/x-www-form-urlencoded", 400, None),
    (b"a=%C0%AF", "application/x-www-form-urlencoded", 400, None),
    (b'{"a": [1, 2', "application/json", 400, None),
    (b'{"a": 1} trailing', "application/json", 400, None),
    (b"[" * 200 + b"]" * 200, "application/json", 413, "deep"),
    # unsupported type
    (b"<xml/>", "application/xml", 415, None),
])
def test_malformed_bodies_are_4xx_with_a_message(stack, body, ctype, status,
                                                 words):
    r = echo(stack, data=body, headers={"Content-Type": ctype,
                                        "Accept": "application/json"})
    assert r.status_code == status, r.text
    j = r.json()
    assert j["message"] and j["error"]
    if words:
        assert words in (j["message"] + j.get("detail", "")).lower()


def test_too_many_fields_is_413(stack):
    body = "&".join(f"f{i}=1" for i in range(300))
    r = echo(stack, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def test_oversized_body_is_413_from_the_application(stack):
    # Over max_body (25 MiB) but under nginx's client_max_body_size, so the
    # application answers, in the user's language.
    big = b"x" * (25 * 1024 * 1024 + 10)
    r = stack.session("zh-CN").post(
        stack.url("/_debug/echo"), data=big,
        headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 413
    assert "内容过大" in r.text


def test_body_over_nginx_limit_gets_the_static_413_page(stack, http):
    big = b"x" * (27 * 1024 * 1024)
    r = http.post(stack.url("/_debug/echo"), data=big,
                  headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 413
    assert "Too large" in r.text and "内容过大" in r.text


def test_file_too_large_in_multipart(stack):
    r = echo(stack, files={"f": ("big.bin", b"x" * (21 * 1024 * 1024))})
    assert r.status_code == 413
    assert no_temp_files(stack)


def test_long_query_string_is_413(stack, http):
    r = http.get(stack.url("/login?next=/" + "a" * 9000))
    assert r.status_code in (413, 414)


def test_json_api_errors_are_json(stack):
    r = echo(stack, data=b"{", headers={"Content-Type": "application/json",
                                        "Accept": "application/json"})
    assert r.status_code == 400
    assert json.loads(r.text)["error"] == "bad_request"

"""The outbox (issue 12, item 4): a webhook to a local receiver (allow-
listed by the test stack: outbound_allow = 127.0.0.1/32) is delivered once
with its signature and idempotency key; a receiver that is down is retried
with backoff and gets it when it returns; one answering 500 forever marks
it failed, visible and retryable by the admin; a WeCom-shaped receiver
answering {"errcode":45009} is tried again later, {"errcode":0} delivers.
SSRF: a target that is not allow-listed -- loopback by address or by name
-- is refused and the receiver sees no connection.  Tests only ever connect
to loopback."""
import base64
import hashlib
import hmac
import http.server
import socketserver
import json
import re
import socket
import threading
import uuid

import pytest

from identity import Account, Client

PASSWORD = "Outbox-Test-Pass-2026"


class Receiver:
    """A local HTTP receiver on 127.0.0.1 that records what it gets and
    answers as told (status and body)."""

    def __init__(self, host="127.0.0.1"):
        self.got = []
        self.status, self.body = 200, b'{"ok":true}'
        self.connections = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                outer.got.append((self.path, dict(self.headers),
                                  self.rfile.read(n)))
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *a):
                pass

        class S(http.server.ThreadingHTTPServer):
            def get_request(self):
                outer.connections += 1
                return super().get_request()
        self.srv = S((host, 0), H)
        self.port = self.srv.server_address[1]
        self.t = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.t.start()

    def url(self, path="/hook"):
        host = self.srv.server_address[0]
        return f"http://{host}:{self.port}{path}"

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


COMPANY = []


@pytest.fixture(scope="module")
def co(stack):
    slug = "hook" + uuid.uuid4().hex[:6]
    COMPANY[:] = [slug]
    stack.cli("tenant", "create", slug, "Hook Co")
    for login, role in (("boss", "admin"), ("rep", "rep")):
        stack.cli("user", "add", "--tenant", slug, "--login", login, "--role",
                  role, "--password-stdin", input_text=PASSWORD + "\n")
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    boss = Client(stack, Account(slug, "boss", PASSWORD, "admin"))
    boss.sign_in()
    ids = {r[0]: int(r[1]) for r in stack.sql(
        f"SELECT login, id FROM users WHERE tenant_id = {tid}")}
    return {"slug": slug, "tid": tid, "boss": boss, "ids": ids}


def set_channels(co, robot="", hook=""):
    r = co["boss"].post("/admin/settings/channels",
                        {"wecom_robot_url": robot, "webhook_url": hook})
    assert r.status_code in (200, 303), r.text[:300]
    m = re.search(r'id="secret">([0-9a-f]{64})<', r.text)
    return m.group(1) if m else None


def give_task(co, title):
    r = co["boss"].post("/tasks", {"title": title,
                                   "assignee": str(co["ids"]["rep"])})
    assert r.status_code == 303, r.text[:300]
    return int(re.search(r"/tasks/(\d+)", r.headers["Location"]).group(1))


def deliveries(stack, co, channel):
    return stack.sql("SELECT d.id, d.status, d.attempts, d.last_error FROM "
                     "deliveries d JOIN notifications n ON "
                     "n.id = d.notification_id WHERE d.tenant_id = "
                     f"{co['tid']} AND d.channel = '{channel}' ORDER BY d.id")


def run(stack, now, env=None, slug=None):
    """A pass of the scheduler over the test company's work only."""
    return stack.cli("jobs", "run", "--now", now, "--tenant",
                     slug or COMPANY[0], env=env).stdout


def test_a_signed_webhook_is_delivered_once(stack, co):
    rx = Receiver()
    try:
        secret = set_channels(co, hook=rx.url())
        assert secret, "the secret is shown once when the webhook is set"
        title = "hook " + uuid.uuid4().hex[:6]
        give_task(co, title)
        out = run(stack, "2030-01-01 00:00:00")
        assert "delivered 1" in out, out
        run(stack, "2030-01-01 00:00:10")   # nothing left to send
        assert len(rx.got) == 1
        path, headers, body = rx.got[0]
        ts = headers["X-Proofline-Timestamp"]
        want = "sha256=" + hmac.new(bytes.fromhex(secret),
                                    f"{ts}.".encode() + body,
                                    hashlib.sha256).hexdigest()
        assert headers["X-Proofline-Signature"] == want
        assert headers["Idempotency-Key"].startswith(f"{co['tid']}-n:")
        doc = json.loads(body)
        assert doc["event"] == "notification" and \
            doc["data"]["title"] == title and doc["data"]["recipient"] == "rep"
        assert deliveries(stack, co, "webhook")[-1][1:3] == ["sent", "1"]
    finally:
        rx.close()


def test_down_then_back_is_retried_with_backoff(stack, co):
    port = free_port()
    set_channels(co, hook=f"http://127.0.0.1:{port}/hook")
    give_task(co, "down " + uuid.uuid4().hex[:6])
    run(stack, "2030-02-01 00:00:00")
    d = deliveries(stack, co, "webhook")[-1]
    assert d[1] == "pending" and d[2] == "1" and "connect" in d[3], d
    first = stack.sql(f"SELECT next_at FROM deliveries WHERE id = {d[0]}")
    # 30 s +-20%: not yet due 20 s later.
    run(stack, "2030-02-01 00:00:20")
    assert deliveries(stack, co, "webhook")[-1][2] == "1"
    assert first[0][0] >= "2030-02-01 00:00:24"
    rx = Receiver()
    try:
        rx.srv.server_close()
        rx = Receiver()
        stack.sql(f"UPDATE deliveries SET target = '{rx.url()}' "
                  f"WHERE id = {d[0]}")
        run(stack, "2030-02-01 00:01:00")
        assert deliveries(stack, co, "webhook")[-1][1:3] == ["sent", "2"]
        assert len(rx.got) == 1
        tries = stack.sql("SELECT ok FROM delivery_attempts WHERE "
                          f"delivery_id = {d[0]} ORDER BY id")
        assert tries == [["0"], ["1"]]
    finally:
        rx.close()


def test_500_forever_fails_and_the_admin_retries(stack, co):
    rx = Receiver()
    rx.status, rx.body = 500, b"{}"
    try:
        set_channels(co, hook=rx.url())
        give_task(co, "500 " + uuid.uuid4().hex[:6])
        # delivery_attempts = 6 tries, backoff 30 s doubling up to 1 h.
        t = 0
        for _ in range(12):
            run(stack, f"2030-03-01 {t // 3600:02d}:{t % 3600 // 60:02d}:"
                       f"{t % 60:02d}")
            t += 3000
        d = deliveries(stack, co, "webhook")[-1]
        assert d[1] == "failed" and d[2] == "6" and "HTTP 500" in d[3], d
        assert len(rx.got) == 6
        # One Idempotency-Key across the tries.
        assert len({h["Idempotency-Key"] for _, h, _ in rx.got}) == 1
        page = co["boss"].get("/admin/deliveries?status=failed").text
        assert f'data-delivery="{d[0]}"' in page and "HTTP 500" in page
        rx.status, rx.body = 200, b"{}"
        r = co["boss"].post(f"/admin/deliveries/{d[0]}/retry", {})
        assert r.status_code == 303
        stack.cli("jobs", "run", "--tenant", co["slug"])
        assert deliveries(stack, co, "webhook")[-1][1] == "sent"
        # Sent is sent: no retry of it.
        assert co["boss"].post(f"/admin/deliveries/{d[0]}/retry",
                               {}).status_code == 409
        rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
        rep.sign_in()
        assert rep.get("/admin/deliveries").status_code == 404
    finally:
        rx.close()


def test_wecom_rate_limit_waits_and_then_delivers(stack, co):
    rx = Receiver()
    rx.body = b'{"errcode":45009,"errmsg":"api freq out of limit"}'
    try:
        set_channels(co, robot=rx.url("/cgi-bin/webhook/send?key=k"))
        stack.sql(f"UPDATE users SET mobile = '13800000000' WHERE id = "
                  f"{co['ids']['rep']}")
        title = "企微 " + uuid.uuid4().hex[:6]
        give_task(co, title)
        run(stack, "2030-04-01 00:00:00")
        d = deliveries(stack, co, "wecom")[-1]
        assert d[1] == "pending" and d[2] == "0" and "45009" in d[3], d
        rx.body = b'{"errcode":0,"errmsg":"ok"}'
        run(stack, "2030-04-01 00:00:30")   # too early: waits a minute
        assert len(rx.got) == 1
        run(stack, "2030-04-01 00:02:00")
        assert deliveries(stack, co, "wecom")[-1][1] == "sent"
        doc = json.loads(rx.got[-1][2])
        assert doc["msgtype"] == "markdown"
        assert title in doc["markdown"]["content"]
        assert doc["markdown"]["mentioned_mobile_list"] == ["13800000000"]
    finally:
        rx.close()
        set_channels(co)


def test_ssrf_loopback_not_allow_listed_is_refused(stack, co):
    rx = Receiver()
    try:
        set_channels(co, hook=rx.url())
        give_task(co, "ssrf " + uuid.uuid4().hex[:6])
        env = dict(stack.env)
        env["PROOFLINE_OUTBOUND_ALLOW"] = ""
        env["PROOFLINE_CONF"] = stack.conf_path
        run(stack, "2030-05-01 00:00:00", env=env)
        d = deliveries(stack, co, "webhook")[-1]
        assert d[1] == "pending" and "refused" in d[3] and \
            "loopback" in d[3], d
        # By name: localhost resolves to loopback, refused at connect time.
        try:
            socket.getaddrinfo("localhost", 80)
        except socket.gaierror:
            pytest.skip("no name for loopback on this machine")
        stack.sql(f"UPDATE deliveries SET target = "
                  f"'https://localhost:{rx.port}/hook', next_at = "
                  f"'2030-05-01 00:00:00' WHERE id = {d[0]}")
        run(stack, "2030-05-01 00:10:00", env=env)
        d = deliveries(stack, co, "webhook")[-1]
        assert "refused" in d[3] and "loopback" in d[3], d
        assert rx.connections == 0 and rx.got == []
    finally:
        rx.close()
        set_channels(co)


class SmtpReceiver:
    """A minimal SMTP server on 127.0.0.1 (no TLS offered: the test stack
    allow-lists 127.0.0.1, so STARTTLS is not required there)."""

    def __init__(self):
        self.mails = []
        outer = self

        class H(socketserver.StreamRequestHandler):
            def handle(self):
                w = self.wfile.write
                w(b"220 test ESMTP\r\n")
                env = {"rcpt": []}
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode(errors="replace").strip()
                    up = cmd.upper()
                    if up.startswith(("EHLO", "HELO")):
                        w(b"250-test\r\n250 SIZE 1000000\r\n")
                    elif up.startswith("MAIL FROM:"):
                        env["from"] = cmd[10:].strip()
                        w(b"250 OK\r\n")
                    elif up.startswith("RCPT TO:"):
                        env["rcpt"].append(cmd[8:].strip())
                        w(b"250 OK\r\n")
                    elif up == "DATA":
                        w(b"354 go on\r\n")
                        data = b""
                        while not data.endswith(b"\r\n.\r\n"):
                            chunk = self.rfile.readline()
                            if not chunk:
                                return
                            data += chunk
                        outer.mails.append((env.get("from"), env["rcpt"],
                                            data))
                        w(b"250 queued\r\n")
                    elif up == "QUIT":
                        w(b"221 bye\r\n")
                        return
                    else:
                        w(b"250 OK\r\n")

        class S(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
        self.srv = S(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def test_email_goes_through_the_company_smtp(stack, co):
    rx = SmtpReceiver()
    try:
        r = co["boss"].post("/admin/settings/channels", {
            "smtp_url": f"smtp://127.0.0.1:{rx.port}",
            "smtp_user": "", "smtp_from": "noreply@example.com"})
        assert r.status_code in (200, 303), r.text[:300]
        # A bad server address is refused with its field named.
        r = co["boss"].post("/admin/settings/channels", {
            "smtp_url": "ftp://mail.example.com", "smtp_from": "x@y.cn"})
        assert r.status_code == 422 and 'data-field="smtp_url"' in r.text
        stack.sql(f"UPDATE users SET email = 'rep@example.com' WHERE id = "
                  f"{co['ids']['rep']}")
        title = "邮件 " + uuid.uuid4().hex[:6]
        give_task(co, title)
        run(stack, "2030-06-01 00:00:00")
        d = deliveries(stack, co, "email")[-1]
        assert d[1] == "sent", d
        assert len(rx.mails) == 1
        sender, rcpt, data = rx.mails[0]
        assert sender.split()[0] == "<noreply@example.com>"
        assert rcpt == ["<rep@example.com>"]
        text = data.decode()
        subject = re.search(r"Subject: =\?UTF-8\?B\?([^?]+)\?=", text)
        assert subject and base64.b64decode(subject.group(1)).decode() == \
            title
        assert "To: rep@example.com" in text
    finally:
        rx.close()
        co["boss"].post("/admin/settings/channels", {"smtp_url": "",
                                                     "smtp_from": ""})


def test_robot_markdown_carries_no_link_or_mention_from_people(stack, co):
    set_channels(co, robot="https://127.0.0.1:9/robot")
    try:
        title = "看这里 [点我](https://phish.example) <@all> " + \
            uuid.uuid4().hex[:6]
        give_task(co, title)
        content = stack.sql(
            "SELECT JSON_VALUE(d.body, '$.markdown.content') FROM deliveries d "
            "JOIN notifications n ON n.id = d.notification_id WHERE "
            "d.channel = 'wecom' AND n.title = '" + title.replace("'", "''")
            + "'")[0][0]
        # The mariadb client writes a newline in a value as backslash-n.
        first = content.split("\\n")[0]
        assert "](" not in first and "<@" not in first, content
        assert "点我" in first and "phish.example" in first
    finally:
        set_channels(co)


def test_the_smtp_password_stays_with_its_server(stack, co):
    def kept():
        return stack.sql("SELECT smtp_password <> '' FROM tenants WHERE "
                         f"id = {co['tid']}")[0][0]
    r = co["boss"].post("/admin/settings/channels", {
        "smtp_url": "smtps://smtp.example.com:465", "smtp_user": "u",
        "smtp_password": "s3cret", "smtp_from": "noreply@example.com"})
    assert r.status_code in (200, 303) and kept() == "1"
    # Saved again as it is: the password stays.
    co["boss"].post("/admin/settings/channels", {
        "smtp_url": "smtps://smtp.example.com:465", "smtp_user": "u",
        "smtp_from": "noreply@example.com"})
    assert kept() == "1"
    # Another server without a password typed: it does not get this one.
    co["boss"].post("/admin/settings/channels", {
        "smtp_url": "smtps://elsewhere.example.net:465", "smtp_user": "u",
        "smtp_from": "noreply@example.com"})
    assert kept() == "0"
    co["boss"].post("/admin/settings/channels", {"smtp_url": "",
                                                 "smtp_from": ""})

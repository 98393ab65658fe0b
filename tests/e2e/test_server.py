"""The process model: workers, respawn, watchdog, reload, drain, outage."""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import threading
import time
import uuid

import pytest
import requests

from stack import ROOT, Stack


LOAD_SECONDS = 10  # the issue's `wrk -t2 -c32 -d10s`


def run_wrk(url, seconds=LOAD_SECONDS, connections=32):
    return subprocess.Popen(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_errors(output):
    """What failed in a wrk run: non-2xx/3xx responses and every kind of
    socket error, timeouts included (a request that got no answer in
    wrk's 2 s failed for its user as surely as a 502)."""
    out = {"non2xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if m:
        out["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", output)
    if m:
        for k, v in zip(("connect", "read", "write", "timeout"), m.groups()):
            out[k] = int(v)
    elif "Socket errors" in output:
        raise AssertionError(f"unexpected wrk output:\n{output}")
    return out


def wrk_failures(output):
    return sum(wrk_errors(output).values())


def wrk_requests(output):
    m = re.search(r"(\d+) requests in", output)
    assert m, f"wrk did not finish:\n{output}"
    return int(m.group(1))


def test_wrk_failures_counts_timeouts_and_errors():
    out = ("  1000 requests in 10.00s, 1.00MB read\n"
           "  Socket errors: connect 1, read 2, write 3, timeout 4\n"
           "  Non-2xx or 3xx responses: 5\n")
    assert wrk_errors(out) == {"non2xx": 5, "connect": 1, "read": 2,
                               "write": 3, "timeout": 4}
    assert wrk_failures(out) == 15
    assert wrk_failures("  10 requests in 10.00s, 1.00MB read\n") == 0
    assert wrk_requests(out) == 1000


def test_socket_is_private(stack):
    mode = stat.S_IMODE(os.stat(stack.var / "run" / "proofline.sock").st_mode)
    assert mode & 0o007 == 0, oct(mode)  # nothing for others
    assert mode <= 0o660


def test_configured_worker_count(stack):
    assert len(stack.wait_workers(3)) == 3


def test_sigkill_under_load_replaced_within_1s(stack):
    stack.wait_workers(3)
    since = stack.log_size()
    wrk = run_wrk(stack.url("/healthz"))
    time.sleep(2)
    victim = stack.kill_worker(3)
    t0 = time.time()
    replaced = None
    while time.time() - t0 < 2:
        pids = stack.worker_pids()
        if len(pids) == 3 and victim not in pids:
            replaced = time.time() - t0
            break
        time.sleep(0.01)
    out = wrk.communicate(timeout=LOAD_SECONDS + 30)[0]
    assert replaced is not None and replaced <= 1.0, (replaced, out)
    assert wrk_requests(out) > 1000, out
    # At most the victim's in-flight request failed (timeouts count).
    assert wrk_failures(out) <= 1, (wrk_errors(out), out)
    assert stack.wait_log(rf"event=worker\.died worker_pid={victim} "
                          r"signal=9", since=since), stack.log_tail()
    assert requests.get(stack.url("/healthz")).status_code == 200


def test_sighup_under_load_fails_nothing(stack):
    before = set(stack.wait_workers(3))
    since = stack.log_size()
    wrk = run_wrk(stack.url("/login"))
    time.sleep(2)
    stack.signal_master(signal.SIGHUP)
    time.sleep(4)
    stack.signal_master(signal.SIGHUP)
    out = wrk.communicate(timeout=LOAD_SECONDS + 30)[0]
    assert wrk_requests(out) > 500, out
    # Not one request failed: no error status, no socket error, no
    # timeout.
    assert wrk_failures(out) == 0, (wrk_errors(out), out)
    assert stack.wait_log(r"event=reload\.done(?:.|\n)*event=reload\.done",
                          since=since), stack.log_tail()
    after = set(stack.wait_workers(3))
    assert not (before & after), "old workers should have been replaced"
    assert "event=worker.died" not in stack.log()[since:]


def test_watchdog_kills_stuck_worker_and_logs_route(stack):
    since = stack.log_size()
    t0 = time.time()
    r = requests.get(stack.url("/_debug/sleep?ms=20000"), timeout=30)
    elapsed = time.time() - t0
    assert r.status_code == 502  # nginx: the worker was killed
    assert 2.5 <= elapsed <= 5.5, elapsed  # request_timeout is 3 s
    m = stack.wait_log(r"event=worker\.timeout worker_pid=\d+ "
                       r"route=debug\.sleep", since=since)
    assert m, stack.log_tail()
    assert len(stack.wait_workers(3)) == 3
    assert requests.get(stack.url("/healthz")).status_code == 200


def test_sighup_reloads_configuration_and_recycles(stack):
    conf = stack.var / "proofline.conf"
    original = conf.read_text()
    since = stack.log_size()
    try:
        conf.write_text(original + "max_requests = 20\n")
        stack.signal_master(signal.SIGHUP)
        assert stack.wait_log(r"event=reload\.done", since=since)
        first = set(stack.wait_workers(3))
        # Six clients at once, so that every worker gets requests however
        # the kernel hands out connections, until each of the first
        # workers has served its 20 and been replaced (bounded).
        codes = []

        def client(stop):
            while time.time() < stop and (first & set(stack.worker_pids())):
                codes.append(requests.get(stack.url("/healthz")).status_code)

        stop = time.time() + 60
        threads = [threading.Thread(target=client, args=(stop,))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert codes and set(codes) == {200}, set(codes)
        assert stack.wait_log(r"event=worker\.recycle served=20",
                              since=since)
        assert not (first & set(stack.wait_workers(3)))
        # A broken configuration is refused and the old one kept.
        since = stack.log_size()
        conf.write_text(original + "workers = lots\n")
        stack.signal_master(signal.SIGHUP)
        assert stack.wait_log(r"event=reload\.failed", since=since)
        assert requests.get(stack.url("/healthz")).status_code == 200
    finally:
        conf.write_text(original)
        since = stack.log_size()
        stack.signal_master(signal.SIGHUP)
        assert stack.wait_log(r"event=reload\.done", since=since)
        stack.wait_workers(3)


def test_sighup_reloads_templates_under_load(stack, tmp_path):
    """The stack reads its templates from templates_dir (scripts/stack.sh
    writes it into proofline.conf): point it at a copy, change the login
    page there, and SIGHUP serves the new page within seconds while wrk
    loses no request.  A broken template is refused and the last good
    set serves on."""
    copy = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", copy)
    login = copy / "pages" / "login.mustache"
    en = copy / "i18n" / "en.json"
    marker = f"RELOADED-{uuid.uuid4().hex[:10]}"
    conf = stack.var / "proofline.conf"
    original = conf.read_text()

    def login_page():
        r = requests.get(stack.url("/login"),
                         headers={"Accept-Language": "en"}, timeout=10)
        assert r.status_code == 200
        return r.text

    try:
        since = stack.log_size()
        conf.write_text(original + f"templates_dir = {copy}\n")
        stack.signal_master(signal.SIGHUP)
        assert stack.wait_log(r"event=reload\.done", since=since)
        stack.wait_workers(3)
        assert "<h1>Sign in</h1>" in login_page()
        # Templates are read at start and on SIGHUP only.
        hint = '<p class="hint">{{t.login.hint}}</p>'
        assert hint in login.read_text()
        login.write_text(login.read_text().replace(
            hint, f'<p class="hint" id="marker">{marker} {{{{t.login.hint}}}}'
                  '</p>'))
        texts = json.loads(en.read_text())
        texts["login"]["title"] = f"Sign in {marker}"
        en.write_text(json.dumps(texts, ensure_ascii=False, indent=2))
        time.sleep(0.5)
        assert marker not in login_page()

        since = stack.log_size()
        wrk = run_wrk(stack.url("/login"))
        time.sleep(2)
        stack.signal_master(signal.SIGHUP)
        t0 = time.time()
        seen = None
        while time.time() - t0 < 5:
            page = login_page()
            if f'id="marker">{marker} ' in page:
                seen = time.time() - t0
                break
            time.sleep(0.05)
        out = wrk.communicate(timeout=LOAD_SECONDS + 30)[0]
        assert seen is not None and seen < 3.0, (seen, stack.log_tail())
        assert f"<h1>Sign in {marker}</h1>" in page  # the i18n file too
        assert stack.wait_log(r"event=reload\.done", since=since)
        assert wrk_requests(out) > 500, out
        assert wrk_failures(out) == 0, (wrk_errors(out), out)
        stack.wait_workers(3)
        for _ in range(9):
            assert marker in login_page()

        # A template that does not parse: refused, the old set serves on.
        since = stack.log_size()
        login.write_text("{{<layout}}{{$content}}{{#error}}<p>unclosed"
                         "{{/content}}{{/layout}}\n")
        stack.signal_master(signal.SIGHUP)
        assert stack.wait_log(r"event=reload\.failed error=\"pages/login:1:",
                              since=since), stack.log_tail()
        for _ in range(9):
            assert marker in login_page()
    finally:
        conf.write_text(original)
        since = stack.log_size()
        stack.signal_master(signal.SIGHUP)
        assert stack.wait_log(r"event=reload\.done", since=since)
        stack.wait_workers(3)
    assert marker not in login_page()


def test_crash_storm_is_throttled_then_recovers(stack):
    since = stack.log_size()
    for _ in range(12):
        requests.get(stack.url("/_debug/crash"), timeout=10)
    assert stack.wait_log(r"event=respawn\.throttled", since=since,
                          timeout=10), stack.log_tail()
    # Service comes back by itself once the storm is over.
    deadline = time.time() + 20
    while time.time() < deadline:
        if (len(stack.worker_pids()) == 3 and
                requests.get(stack.url("/healthz")).status_code == 200):
            break
        time.sleep(0.2)
    assert len(stack.worker_pids()) == 3
    assert requests.get(stack.url("/login")).status_code == 200


def test_database_outage_503_then_recovery(stack):
    stack.script("db-stop")
    try:
        t0 = time.time()
        r = requests.get(stack.url("/login"), headers={"Accept-Language": "en"},
                         timeout=10)
        assert time.time() - t0 < 2.0
        assert r.status_code == 503
        assert "database" in r.text.lower()
        assert r.headers.get("Retry-After") == "5"
        zh = requests.get(stack.url("/login"), timeout=10)
        assert zh.status_code == 503 and "数据库" in zh.text
        # Liveness does not depend on the database; readiness does.
        assert requests.get(stack.url("/healthz")).status_code == 200
        assert requests.get(stack.url("/readyz")).status_code == 503
    finally:
        stack.script("db-start")
    deadline = time.time() + 10
    codes = []
    while time.time() < deadline:
        codes = [requests.get(stack.url("/login")).status_code
                 for _ in range(6)]
        if codes == [200] * 6:
            break
        time.sleep(0.2)
    assert codes == [200] * 6, codes


def test_sigterm_drains_in_flight_requests():
    s = Stack().start()
    try:
        result = {}

        def slow():
            result["r"] = requests.get(s.url("/_debug/sleep?ms=1500"),
                                       timeout=20)

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.4)
        master = s.master_pid()
        os.kill(master, signal.SIGTERM)
        t.join(20)
        assert result["r"].status_code == 200
        assert result["r"].text == "slept\n"
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                os.kill(master, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail("master did not exit")
        assert not (s.var / "run" / "proofline.sock").exists()
        assert "event=serve.stopped" in s.log()
    finally:
        s.stop()


def fcgi_get(sock_path, uri):
    """One FastCGI GET (the records nginx would send) over a unix socket:
    the raw CGI response (headers and body)."""
    import socket
    import struct

    def record(kind, body):
        return struct.pack("!BBHHBx", 1, kind, 1, len(body), 0) + body

    def pair(k, v):
        k, v = k.encode(), v.encode()
        return bytes([len(k), len(v)]) + k + v

    params = b"".join(pair(k, v) for k, v in (
        ("REQUEST_METHOD", "GET"), ("REQUEST_URI", uri),
        ("DOCUMENT_URI", uri), ("QUERY_STRING", ""),
        ("SERVER_PROTOCOL", "HTTP/1.1"), ("REMOTE_ADDR", "127.0.0.1"),
        ("SERVER_NAME", "localhost"), ("SERVER_PORT", "80")))
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect(str(sock_path))
    c.sendall(record(1, struct.pack("!HB5x", 1, 0)) + record(4, params)
              + record(4, b"") + record(5, b""))
    data, out = b"", b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    c.close()
    while len(data) >= 8:
        _, kind, _, n, pad = struct.unpack("!BBHHB", data[:7])
        if kind == 6:
            out += data[8:8 + n]
        data = data[8 + n + pad:]
    return out.decode("utf-8", "replace")


def test_socket_activation_serves_on_the_passed_socket(stack, tmp_path):
    """Started the way systemd's proofline.socket starts it (LISTEN_FDS=1,
    LISTEN_PID = the server's pid, the socket as fd 3), the server serves
    on that socket and ignores its `listen` path; it neither creates that
    path nor removes the passed socket when it stops."""
    import socket

    path = tmp_path / "activated.sock"
    unused = tmp_path / "configured.sock"
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(str(path))
    ls.listen(16)
    env = dict(stack.env)
    env.update({"PROOFLINE_CONF": stack.conf_path,
                "PROOFLINE_LISTEN": str(unused),
                "PROOFLINE_WORKERS": "1",
                "PROOFLINE_STATS_FILE": str(tmp_path / "stats"),
                "PROOFLINE_PID_FILE": "", "LISTEN_FDS": "1"})
    fd = ls.fileno()
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
    p = subprocess.Popen(
        ["sh", "-c", 'LISTEN_PID=$$ exec "$0" serve',
         str(ROOT / "build" / "proofline")],
        env=env, stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=lambda: os.dup2(fd, 3), pass_fds=(fd, 3))
    try:
        deadline = time.time() + 20
        answer = ""
        while time.time() < deadline and "200" not in answer[:40]:
            answer = fcgi_get(path, "/healthz")
            if "200" not in answer[:40]:
                time.sleep(0.2)
        assert answer.startswith("Status: 200"), answer
        assert not unused.exists()
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(20)
        log.close()
    assert path.exists(), "the server removed the socket systemd owns"
    ls.close()

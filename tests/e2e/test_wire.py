"""What arrives on the wire that a browser would never send: bytes that
are not UTF-8 in the path reach the log escaped, and a client that stops
sending is cut off by nginx after the shipped timeouts (20 s without a
byte), while a slow but live one is served."""
import re
import socket
import threading
import time

import pytest

SHIPPED_TIMEOUT = 20  # client_header_timeout / client_body_timeout


def raw(stack, data, wait=60.0):
    """Send data, read until the server closes or answers; (seconds,
    bytes read)."""
    t0 = time.time()
    with socket.create_connection(("127.0.0.1", stack.port), timeout=wait) \
            as s:
        s.sendall(data)
        got = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return time.time() - t0, got


def test_path_bytes_that_are_not_utf8_are_escaped_in_the_log(stack):
    since = stack.log_size()
    took, got = raw(stack, b"GET /zz\xff\xfe\xc0\xaf/x?q=\xe4\xb8 HTTP/1.1\r\n"
                           b"Host: localhost\r\nConnection: close\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 404"), got[:200]
    stack.wait_log(r"path=\"/zz", since=since)
    log = (stack.var / "log" / "proofline.log").read_bytes()
    line = [ln for ln in log.split(b"\n") if b"path=\"/zz" in ln][0]
    line.decode("utf-8")  # one valid UTF-8 line
    assert b"path=\"/zz\\xff\\xfe\\xc0\\xaf/x" in line, line


def test_clients_that_stop_sending_are_cut_off_and_slow_ones_served(stack):
    results = {}

    def short_body():
        results["body"] = raw(stack, b"POST /_debug/echo HTTP/1.1\r\n"
                                     b"Host: localhost\r\n"
                                     b"Content-Type: application/json\r\n"
                                     b"Content-Length: 100\r\n\r\n{\"a\":")

    def unfinished_headers():
        results["headers"] = raw(stack, b"GET /healthz HTTP/1.1\r\n"
                                        b"Host: localhost\r\n")

    def slow_but_alive():
        t0 = time.time()
        body = b'{"slow": "' + b"x" * 30 + b'"}'
        with socket.create_connection(("127.0.0.1", stack.port),
                                      timeout=60) as s:
            s.sendall(b"POST /_debug/echo HTTP/1.1\r\nHost: localhost\r\n"
                      b"Content-Type: application/json\r\nConnection: close"
                      b"\r\nContent-Length: %d\r\n\r\n" % len(body))
            # Gaps well under the timeout, adding up to more than it.
            for i in range(0, len(body), len(body) // 3 + 1):
                time.sleep(8)
                s.sendall(body[i:i + len(body) // 3 + 1])
            got = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        results["slow"] = (time.time() - t0, got)

    threads = [threading.Thread(target=f) for f in
               (short_body, unfinished_headers, slow_but_alive)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    took, got = results["body"]
    # Cut off by the shipped timeout, not nginx's default of 60 s.
    assert SHIPPED_TIMEOUT - 2 <= took < SHIPPED_TIMEOUT + 15, took
    assert got == b"" or got.startswith(b"HTTP/1.1 408"), got[:200]
    took, got = results["headers"]
    assert SHIPPED_TIMEOUT - 2 <= took < SHIPPED_TIMEOUT + 15, took
    took, got = results["slow"]
    assert took > SHIPPED_TIMEOUT, took
    assert got.startswith(b"HTTP/1.1 200"), got[:300]
    assert b"slow" in got


def test_the_example_config_carries_the_timeouts():
    from stack import ROOT
    conf = (ROOT / "nginx.conf.example").read_text()
    for key in ("client_header_timeout", "client_body_timeout"):
        m = re.search(r"^\s*%s\s+(\d+)s;" % key, conf, re.M)
        assert m and int(m.group(1)) == SHIPPED_TIMEOUT, key

"""Monitoring: GET /_metrics (Prometheus text, loopback only through
nginx's marked location), `proofline status` and JSON log lines."""
import json
import math
import re
import time

import pytest
import requests

from stack import Stack

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(text):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError(f"not a float: {text!r}")
    return float(text)


def parse_labels(text, pos):
    """Labels from text[pos] == '{'; returns (dict, index after '}')."""
    assert text[pos] == "{"
    pos += 1
    labels = {}
    while True:
        if text[pos] == "}":
            return labels, pos + 1
        m = LABEL_NAME.match(text, pos)
        assert m, f"bad label name at {text[pos:]!r}"
        name = m.group(0)
        pos = m.end()
        assert text[pos:pos + 2] == '="', f"expected =\" in {text!r}"
        pos += 2
        value = []
        while text[pos] != '"':
            if text[pos] == "\\":
                assert text[pos + 1] in '\\"n', f"bad escape in {text!r}"
                value.append({"n": "\n"}.get(text[pos + 1], text[pos + 1]))
                pos += 2
            else:
                assert text[pos] != "\n"
                value.append(text[pos])
                pos += 1
        pos += 1
        assert name not in labels, f"label {name} twice in {text!r}"
        labels[name] = "".join(value)
        if text[pos] == ",":
            pos += 1
        else:
            assert text[pos] == "}", f"expected , or }} in {text!r}"


def parse_exposition(text):
    """A strict reader of the Prometheus text format (0.0.4).  Returns
    {family: {"type", "help", "samples": [(name, labels, value)]}}."""
    assert text.endswith("\n"), "the exposition ends with a newline"
    families = {}
    current = None
    for line in text.split("\n")[:-1]:
        assert line.strip() == line and line, f"blank or padded: {line!r}"
        if line.startswith("#"):
            parts = line.split(" ", 3)
            assert parts[0] == "#" and parts[1] in ("HELP", "TYPE"), line
            name = parts[2]
            assert NAME.match(name), line
            fam = families.setdefault(name, {"samples": []})
            if parts[1] == "TYPE":
                assert parts[3] in TYPES, line
                assert "type" not in fam, f"second TYPE: {line}"
                assert not fam["samples"], f"TYPE after samples: {line}"
                fam["type"] = parts[3]
            else:
                assert "help" not in fam, f"second HELP: {line}"
                fam["help"] = parts[3]
            current = name
            continue
        m = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line)
        assert m, f"bad metric name: {line!r}"
        name = m.group(0)
        pos = m.end()
        labels = {}
        if line[pos] == "{":
            labels, pos = parse_labels(line, pos)
        assert line[pos] == " ", f"expected a space: {line!r}"
        fields = line[pos + 1:].split(" ")
        assert 1 <= len(fields) <= 2, line
        value = parse_value(fields[0])
        if len(fields) == 2:
            assert re.fullmatch(r"-?\d+", fields[1]), line
        family = name
        if current is not None and families[current].get("type") in (
                "histogram", "summary"):
            for suffix in ("_bucket", "_sum", "_count"):
                if name == current + suffix:
                    family = current
        assert family == current, f"{name} outside its family {current}"
        families[family]["samples"].append((name, labels, value))
    for name, fam in families.items():
        assert "type" in fam, f"{name} has no TYPE"
        if fam["type"] == "histogram":
            check_histogram(name, fam["samples"])
        if fam["type"] == "counter":
            assert all(v >= 0 for _, _, v in fam["samples"]), name
    return families


def check_histogram(name, samples):
    series = {}
    for sname, labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        s = series.setdefault(key, {"buckets": []})
        if sname == name + "_bucket":
            s["buckets"].append((parse_value(labels["le"]), value))
        elif sname == name + "_sum":
            s["sum"] = value
        elif sname == name + "_count":
            s["count"] = value
        else:
            raise AssertionError(f"{sname} in histogram {name}")
    for key, s in series.items():
        les = [le for le, _ in s["buckets"]]
        assert les == sorted(les) and les[-1] == math.inf, (name, key, les)
        counts = [c for _, c in s["buckets"]]
        assert counts == sorted(counts), (name, key, counts)
        assert counts[-1] == s["count"], (name, key, counts, s)
        assert s["sum"] >= 0, (name, key)


def scrape(stack):
    r = requests.get(stack.url("/_metrics"), timeout=10)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_exposition(r.text)


def wait_alive(stack, n, timeout=30.0):
    """The scrape once n workers are alive again (a kill earlier in the
    file may have the master throttling respawns for a few seconds)."""
    deadline = time.time() + timeout
    while True:
        fam = scrape(stack)
        if value(fam, "proofline_workers_alive") == n or \
                time.time() > deadline:
            return fam
        time.sleep(0.2)


def value(families, name, **labels):
    fam_name = re.sub(r"_(bucket|sum|count)$", "", name)
    fam = families.get(fam_name) or families.get(name)
    if fam is None:
        return 0.0
    total = 0.0
    for sname, sl, v in fam["samples"]:
        if sname == name and all(sl.get(k) == w for k, w in labels.items()):
            total += v
    return total


def test_parser_refuses_what_prometheus_refuses():
    good = ("# HELP x_total A thing.\n# TYPE x_total counter\n"
            'x_total{a="b"} 3\n')
    assert parse_exposition(good)["x_total"]["samples"][0][2] == 3
    bad = [
        good.rstrip("\n"),                                 # no final newline
        good.replace("x_total{", "9x{"),                   # bad name
        good.replace('a="b"', "a=b"),                      # unquoted value
        good.replace(" 3\n", " three\n"),                  # not a float
        "# TYPE h histogram\n"                             # +Inf != count
        'h_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
        "# TYPE h histogram\n"                             # not monotone
        'h_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
        "y 1\n",                                           # no TYPE
    ]
    for text in bad:
        with pytest.raises((AssertionError, ValueError, IndexError)):
            parse_exposition(text)


def test_metrics_parse_and_count_traffic(stack):
    before = wait_alive(stack, 3)
    n = 25
    for _ in range(n):
        assert requests.get(stack.url("/login")).status_code == 200
    for _ in range(3):
        assert requests.get(
            stack.url("/no-such-page-here")).status_code == 404
    after = scrape(stack)
    assert (value(after, "proofline_http_requests_total", route="login.form",
                  status="2xx") -
            value(before, "proofline_http_requests_total",
                  route="login.form", status="2xx")) >= n
    hist = "proofline_http_request_duration_seconds_count"
    assert (value(after, hist, route="login.form") -
            value(before, hist, route="login.form")) >= n
    assert (value(after, "proofline_http_requests_total", status="4xx") -
            value(before, "proofline_http_requests_total", status="4xx")) >= 3
    assert value(after, "proofline_workers_alive") == 3
    assert value(after, "proofline_monitor_db_up") == 1
    assert value(after, "proofline_cache_entries",
                 cache="templates") > 0
    assert value(after, "proofline_cache_entries",
                 cache="db_statements") > 0
    for name in ("proofline_worker_restarts_total",
                 "proofline_watchdog_kills_total",
                 "proofline_db_errors_total", "proofline_db_reconnects_total",
                 "proofline_scheduler_lag_seconds",
                 "proofline_outbox_pending", "proofline_rule_errors_total",
                 "proofline_rule_timeouts_total", "proofline_cache_bytes"):
        assert name in after, name


def test_killed_worker_counts_as_restart(stack):
    before = value(scrape(stack), "proofline_worker_restarts_total")
    stack.kill_worker(3)
    deadline = time.time() + 10
    while time.time() < deadline:
        if (value(scrape(stack), "proofline_worker_restarts_total") >=
                before + 1):
            break
        time.sleep(0.1)
    assert value(scrape(stack), "proofline_worker_restarts_total") >= \
        before + 1


def test_watchdog_kill_is_counted(stack):
    before = value(scrape(stack), "proofline_watchdog_kills_total")
    r = requests.get(stack.url("/_debug/sleep?ms=20000"), timeout=30)
    assert r.status_code == 502  # the watchdog killed the worker
    assert value(scrape(stack), "proofline_watchdog_kills_total") >= \
        before + 1


def test_metrics_not_served_outside_the_marked_location(stack):
    # Through nginx's public location the path has no marker: the
    # application answers it like any unknown page.
    for path in ("/_metrics/", "/_metrics.txt", "/_metrics%2F",
                 "/_metricsx"):
        r = requests.get(stack.url(path), timeout=10)
        assert r.status_code == 404, (path, r.status_code)
        assert "proofline_" not in r.text, path
    # A client cannot forge the marker with a header.
    r = requests.get(stack.url("/_metrics/"),
                     headers={"Proofline-Monitor": "1"}, timeout=10)
    assert r.status_code == 404
    conf = (stack.var / "nginx" / "proofline.conf").read_text()
    block = conf[conf.index("location = /_metrics"):]
    block = block[:block.index("}")]
    assert "allow 127.0.0.1;" in block and "deny all;" in block
    assert "PROOFLINE_MONITOR 1" in block
    assert conf.count("fastcgi_param PROOFLINE_MONITOR") == 1


def test_status_prints_the_same_figures(stack):
    for _ in range(5):
        requests.get(stack.url("/login"))
    fam = wait_alive(stack, 3)
    assert value(fam, "proofline_workers_alive") == 3
    r = stack.cli("status")
    out = r.stdout
    alive = re.search(r"^workers alive\s+(\d+)$", out, re.M)
    assert alive and int(alive.group(1)) == 3, out
    restarts = re.search(r"^worker restarts\s+(\d+)$", out, re.M)
    assert restarts and int(restarts.group(1)) >= value(
        fam, "proofline_worker_restarts_total"), out
    route = re.search(r"^\s+login\.form\s+(\d+)\s+(\d+)", out, re.M)
    assert route and int(route.group(2)) >= value(
        fam, "proofline_http_requests_total", route="login.form",
        status="2xx"), out
    assert re.search(r"^outbox pending\s+\d+ \(due \d+", out, re.M), out
    assert re.search(r"^jobs due\s+\d+ \(lag ", out, re.M), out
    prom = stack.cli("status", "--prometheus").stdout
    families = parse_exposition(prom)
    assert value(families, "proofline_workers_alive") == 3


def test_status_without_a_server_says_so(stack, tmp_path):
    r = stack.cli("status", check=False,
                  env={"PROOFLINE_STATS_FILE": str(tmp_path / "none")})
    assert r.returncode == 1
    assert "is the server running" in r.stderr


def test_json_log_lines():
    s = Stack({"PROOFLINE_LOG_FORMAT": "json"}).start()
    try:
        s.wait_workers(3)
        requests.get(s.url("/login"))
        requests.get(s.url("/no-such-page-here"))
        assert s.wait_log(r'"event":"request"'), s.log_tail()
        lines = [ln for ln in s.log().splitlines() if ln.startswith("{")]
        assert len(lines) > 3, s.log_tail()
        seen = set()
        for ln in lines:
            obj = json.loads(ln)
            for k in ("ts", "level", "pid", "rid", "event"):
                assert k in obj, ln
            assert isinstance(obj["pid"], int)
            seen.add(obj["event"])
            if obj["event"] == "request" and obj.get("status") == 404:
                assert obj["path"] == "/no-such-page-here"
                assert obj["route"] == "-"
                seen.add("request404")
        assert "request404" in seen, seen
        assert "worker.start" in seen, seen
    finally:
        s.stop()

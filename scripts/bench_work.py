#!/usr/bin/env python3
"""bench_work.py -- tasks, the scheduler and the outbox (issue 12).

Run by scripts/bench.sh on its stack (VAR, PORT in the environment; the
stack's own scheduler is off so the passes measured here are the only
ones).  Three figures, each against its target and with a ratio to a
baseline measured in the same run:
  - the task list of a manager with BENCH_TASKS (10,000) open team tasks:
    median of sequential requests, page and API (target <= 20 ms), ratio
    to /healthz;
  - BENCH_JOBS (10,000) trivial due jobs claimed and run by two
    schedulers at once (`proofline jobs run`, target <= 10 s), ratio to
    the same number of single-row INSERTs through the mariadb client;
  - BENCH_DELIVERIES (3,000) webhook deliveries to a receiver on
    127.0.0.1 (target >= 500/s), ratio to the receiver's own rate for the
    same POSTs from one Python client.
"""
import http.server
import os
import pathlib
import statistics
import subprocess
import tempfile
import sys
import threading
import time

import requests

import benchlib  # noqa: E402
from benchlib import BASE, ROOT, VAR, Stack, sql  # noqa: E402
sys.path.insert(0, str(ROOT / "tests" / "lib"))  # identity, jpeg_exif
from identity import Account, Client  # noqa: E402

TASKS = int(os.environ.get("BENCH_TASKS", "10000"))
JOBS = int(os.environ.get("BENCH_JOBS", "10000"))
DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "3000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "21"))


def env():
    return dict(os.environ, PROOFLINE_CONF=f"{VAR}/proofline.conf",
                PROOFLINE_OUTBOUND_ALLOW="127.0.0.1/32")


def cli(*args):
    return benchlib.cli(*args, env=env())


def tenant():
    return int(sql("SELECT id FROM tenants WHERE slug = 'bench'"))


def seed_tasks(tid, manager):
    """TASKS open tasks spread over the manager's team, due around now."""
    have = int(sql(f"SELECT COUNT(*) FROM tasks WHERE tenant_id = {tid} AND "
                   "title LIKE 'bench task %' AND status = 'open'"))
    if have >= TASKS:
        return
    team = [r for r in sql(
        f"SELECT descendant_id FROM user_tree WHERE tenant_id = {tid} AND "
        f"ancestor_id = {manager} AND depth > 0").split()]
    rows = []
    for i in range(have, TASKS):
        who = team[i % len(team)]
        rows.append(f"({tid}, 'todo', 'bench task {i}', '', 2, "
                    f"UTC_TIMESTAMP() + INTERVAL {i % 200 - 100} HOUR, {who})")
        if len(rows) == 1000 or i == TASKS - 1:
            sql("INSERT INTO tasks (tenant_id, kind, title, body, priority, "
                "due_at, assignee_id) VALUES " + ",".join(rows) + ";")
            rows = []


def median_ms(fn, n=REPEAT):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = fn()
        out.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"bench: HTTP {r.status_code}")
    return statistics.median(out)


def bench_tasks(tid):
    manager = int(sql(f"SELECT id FROM users WHERE tenant_id = {tid} AND "
                      "login = 'manager1'"))
    seed_tasks(tid, manager)
    mgr = Client(Stack(), Account("bench", "manager1", "proofline-demo"))
    mgr.sign_in()
    token = cli("token", "create", "--tenant", "bench", "--user",
                "manager1").strip()
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    open_team = sql(f"SELECT COUNT(*) FROM tasks t JOIN user_tree u ON "
                    f"u.descendant_id = t.assignee_id AND u.tenant_id = "
                    f"t.tenant_id WHERE t.tenant_id = {tid} AND u.ancestor_id"
                    f" = {manager} AND t.status = 'open'")
    targets = [("/healthz (baseline)", lambda: api.get(BASE + "/healthz")),
               ("API team tasks, 100", lambda: api.get(
                   BASE + "/api/v1/tasks?scope=team&status=open")),
               ("API team overdue, 500", lambda: api.get(
                   BASE + "/api/v1/tasks?scope=team&overdue=1&limit=500")),
               ("page /tasks?view=team", lambda: mgr.get(
                   "/tasks?view=team")),
               ("page / (my day)", lambda: mgr.get("/"))]
    for _, fn in targets:
        fn()
    times = {name: [] for name, _ in targets}
    for _ in range(REPEAT):
        for name, fn in targets:
            times[name].append(median_ms(fn, 1))
    base = statistics.median(times[targets[0][0]])
    print(f"bench: tasks: manager1 with {open_team} open team tasks; median "
          f"of {REPEAT} sequential requests (target <= 20 ms)")
    for name, _ in targets:
        m = statistics.median(times[name])
        print(f"  {name:30s} {m:8.1f} ms  {m / base:7.1f}x")


def two_schedulers(owner, t0):
    """Two `jobs run` passes at once (two schedulers, owners owner0 and
    owner1); the seconds since t0 when both are done."""
    procs = [subprocess.Popen(
        [str(ROOT / "build" / "proofline"), "jobs", "run", "--tenant",
         "bench", "--owner", f"{owner}{k}"], env=env(),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for k in range(2)]
    for p in procs:
        p.communicate(timeout=600)
    return time.perf_counter() - t0


def bench_jobs(tid):
    tag = str(int(time.time()))
    values = ",".join(f"({tid}, 'noop', 'bench-{tag}-{i}', '', 'UTC', '{{}}',"
                      " '2026-01-01 00:00:00')" for i in range(JOBS))
    sql("INSERT INTO jobs (tenant_id, kind, job_key, spec, time_zone, "
        f"payload, next_at) VALUES {values};")
    t0 = time.perf_counter()
    took = two_schedulers("bench", t0)
    ran = int(sql("SELECT COUNT(*) FROM job_runs r JOIN jobs j ON "
                  f"j.id = r.job_id WHERE j.job_key LIKE 'bench-{tag}-%'"))
    twice = sql("SELECT COUNT(*) FROM (SELECT job_id FROM job_runs r JOIN "
                f"jobs j ON j.id = r.job_id WHERE j.job_key LIKE "
                f"'bench-{tag}-%' GROUP BY job_id HAVING COUNT(*) > 1) x")
    sql("CREATE TABLE IF NOT EXISTS bench_rows (id INT AUTO_INCREMENT "
        "PRIMARY KEY, v INT) ENGINE=InnoDB;")
    t1 = time.perf_counter()
    sql("SET autocommit = 1;" + "".join(
        f"INSERT INTO bench_rows (v) VALUES ({i});" for i in range(JOBS)))
    base = time.perf_counter() - t1
    sql("DROP TABLE bench_rows;")
    print(f"bench: scheduler: {JOBS} trivial due jobs, two schedulers: ran "
          f"{ran} ({twice} twice) in {took:.2f} s = {ran / took:.0f} jobs/s "
          f"(target <= 10 s); {took / base:.1f}x the time of {JOBS} "
          "autocommitted single-row INSERTs")


class Receiver:
    def __init__(self):
        self.n = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.n += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *a):
                pass
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()


def bench_outbox(tid):
    rx = Receiver()
    boss = Client(Stack(), Account("bench", "admin", "proofline-demo"))
    boss.sign_in()
    url = f"http://127.0.0.1:{rx.port}/hook"
    r = boss.post("/admin/settings/channels", {"webhook_url": url,
                                               "wecom_robot_url": ""})
    if r.status_code not in (200, 303):
        raise SystemExit(f"bench: channels: HTTP {r.status_code}")
    tag = str(int(time.time()))
    body = '{"event":"bench"}'
    for start in range(0, DELIVERIES, 1000):
        values = ",".join(
            f"({tid}, 'webhook', '{url}', '{body}', 'bench:{tag}:{i}', "
            "'2026-01-01 00:00:00')"
            for i in range(start, min(DELIVERIES, start + 1000)))
        sql("INSERT INTO deliveries (tenant_id, channel, target, body, "
            f"dedup_key, next_at) VALUES {values};")
    t0 = time.perf_counter()
    took = two_schedulers("deliver", t0)
    sent = int(sql("SELECT COUNT(*) FROM deliveries WHERE dedup_key LIKE "
                   f"'bench:{tag}:%' AND status = 'sent'"))
    # Baseline: the same receiver, one new connection per POST (what a
    # delivery does), sequentially from one Python client.
    t1 = time.perf_counter()
    for _ in range(300):
        requests.post(url, data=body)
    direct = 300 / (time.perf_counter() - t1)
    print(f"bench: outbox: {DELIVERIES} webhook deliveries to 127.0.0.1, two "
          f"schedulers: {sent} sent in {took:.2f} s = {sent / took:.0f}/s "
          f"(target >= 500/s); {sent / took / direct:.2f}x the rate of "
          f"sequential POSTs from Python to the same receiver "
          f"({direct:.0f}/s)")
    boss.post("/admin/settings/channels", {"webhook_url": "",
                                           "wecom_robot_url": ""})


def phone_photos(width, height):
    """Three photo-like JPEGs of width x height (tests/bench/photo_make:
    a gradient with camera-like grain, about as large as a phone's)."""
    out = []
    for seed in (1, 2, 3):
        path = pathlib.Path(tempfile.gettempdir()) / \
            f"proofline-bench-{width}x{height}-{seed}.jpg"
        if not path.exists():
            subprocess.run([str(ROOT / "build" / "bench" / "photo_make"),
                            str(path), str(width), str(height), str(seed)],
                           check=True)
        out.append(path.read_bytes())
    return out


def save_visits(api, cid, photos):
    """Check-in, three uploads, completion: the five requests' time per
    visit.  Two bytes after each JPEG's end make every upload new bytes
    (no "reused" short cut)."""
    totals = []
    for n in range(REPEAT):
        t0 = time.perf_counter()
        v = api.post(BASE + "/api/v1/visits", json={
            "customer": cid, "visit_type": "store_visit", "lat": 31.23,
            "lng": 121.47, "accuracy": 10})
        vid = v.json()["id"]
        for k, key in enumerate(("storefront", "shelf", "intent_page")):
            r = api.post(BASE + f"/api/v1/visits/{vid}/photos",
                         data={"key": key},
                         files={"file": ("p.jpg", photos[k] + bytes([n, k]),
                                         "image/jpeg")})
            if r.status_code != 201:
                raise SystemExit(f"bench: photo: HTTP {r.status_code} "
                                 f"{r.text[:200]}")
        r = api.post(BASE + f"/api/v1/visits/{vid}/complete", json={
            "need": "预算", "competitor": "竞品", "next_step": "再访"})
        if r.status_code != 200:
            raise SystemExit(f"bench: complete: HTTP {r.status_code}")
        totals.append((time.perf_counter() - t0) * 1000)
    return statistics.median(totals)


def bench_visits(tid):
    """A store visit with three photos saved through the API (check-in,
    three uploads with thumbnails and hashes, completion), with photos
    the size phones send (12 MP) and the size messaging apps and most
    "compress before upload" settings send (1600x1200); and the rep's
    activity list."""
    token = cli("token", "create", "--tenant", "bench", "--user",
                "rep1").strip()
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    cid = api.get(BASE + "/api/v1/customers?per_page=1").json()[
        "customers"][0]["id"]
    base = median_ms(lambda: api.get(BASE + "/healthz"))
    for w, h in ((4032, 3024), (1600, 1200)):
        photos = phone_photos(w, h)
        kb = sum(len(p) for p in photos) // 3 // 1024
        med = save_visits(api, cid, photos)
        print(f"bench: visits: a store visit with 3 photos of {w}x{h} "
              f"(~{kb} KB each; 5 requests, thumbnails included): median "
              f"{med:.1f} ms over {REPEAT} visits (target <= 150 ms), "
              f"{med / base:.0f}x /healthz")
    day = median_ms(lambda: api.get(BASE + "/api/v1/activities?limit=100"))
    count = sql(f"SELECT COUNT(*) FROM activities WHERE tenant_id = {tid}")
    print(f"bench: visits: the rep's activity list at {count} activities: "
          f"{day:.1f} ms (at 2M activities: bench_activities.py)")


def main():
    tid = tenant()
    bench_visits(tid)
    bench_tasks(tid)
    bench_jobs(tid)
    bench_outbox(tid)


if __name__ == "__main__":
    main()

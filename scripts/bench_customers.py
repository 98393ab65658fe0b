#!/usr/bin/env python3
"""bench_customers.py -- the customer pages and API on a large tenant.

Run by scripts/bench.sh on its stack (VAR, PORT in the environment).
Creates the demo tenant "bench" with BENCH_CUSTOMERS customers (default
50000, in 100 reps' books) unless it exists, then times sequential requests
(median of BENCH_REPEAT, default 21) and prints each median with its ratio
to /healthz measured in the same run, interleaved so machine noise hits
all targets alike.  Also times one CSV export of the whole tenant and one
10,000-row CSV import (upload, preview, commit).
"""
import os
import re
import statistics
import sys
import time

import requests

from benchlib import BASE, ROOT, Stack, cli, sql  # noqa: E402
sys.path.insert(0, str(ROOT / "tests" / "lib"))
from identity import Account, Client  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "50000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "21"))
REPS = 100


def setup():
    have = sql("SELECT COUNT(*) FROM customers c JOIN tenants t "
               "ON t.id = c.tenant_id WHERE t.slug = 'bench'")
    if int(have or 0) < CUSTOMERS:
        t0 = time.time()
        cli("demo", "--tenant", "bench", "--reps", str(REPS), "--customers",
            str(CUSTOMERS))
        print(f"bench: demo tenant with {CUSTOMERS} customers created in "
              f"{time.time() - t0:.0f} s")
    token = cli("token", "create", "--tenant", "bench", "--user",
                "admin").strip()
    mgr = Client(Stack(), Account("bench", "manager1", "proofline-demo"))
    mgr.sign_in()
    return token, mgr


def main():
    token, mgr = setup()
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    some = api.get(BASE + "/api/v1/customers?stage=intent&per_page=1").json()
    cid = some["customers"][0]["id"]
    page_of_mgr = re.findall(r'href="/customers/(\d+)"',
                             mgr.get("/customers").text)[0]
    targets = [
        ("/healthz (baseline)", lambda: api.get(BASE + "/healthz")),
        ("API list, page 1 + count", lambda: api.get(
            BASE + "/api/v1/customers")),
        ("API list, page 500", lambda: api.get(
            BASE + "/api/v1/customers?page=500")),
        ("API search q=协和", lambda: api.get(
            BASE + "/api/v1/customers?q=%E5%8D%8F%E5%92%8C")),
        ("API stage + sort by age", lambda: api.get(
            BASE + "/api/v1/customers?stage=advancing&sort=stage_since")),
        ("API health=red, hospitals", lambda: api.get(
            BASE + "/api/v1/customers?health=red&kind=hospital")),
        ("API customer", lambda: api.get(BASE + f"/api/v1/customers/{cid}")),
        ("API stage change refused", lambda: api.post(
            BASE + f"/api/v1/customers/{cid}/stage",
            json={"to": "advancing"})),
        ("page /customers (manager)", lambda: mgr.get("/customers")),
        ("page /pipeline (manager)", lambda: mgr.get("/pipeline")),
        ("page /customers/{id}", lambda: mgr.get(
            f"/customers/{page_of_mgr}")),
    ]
    times = {name: [] for name, _ in targets}
    for name, fn in targets:  # warm up
        fn()
    for _ in range(REPEAT):
        for name, fn in targets:
            t0 = time.perf_counter()
            r = fn()
            dt = time.perf_counter() - t0
            if r.status_code not in (200, 409):
                raise SystemExit(f"bench: {name}: HTTP {r.status_code}")
            times[name].append(dt * 1000)
    base = statistics.median(times[targets[0][0]])
    print(f"bench: customers at {CUSTOMERS} in one tenant; median of "
          f"{REPEAT} sequential requests, ratio to /healthz")
    for name, _ in targets:
        m = statistics.median(times[name])
        print(f"  {name:30s} {m:8.1f} ms  {m / base:7.1f}x")
    t0 = time.perf_counter()
    r = mgr.get("/customers/export.csv")
    print(f"  {'CSV export (manager scope)':30s} "
          f"{(time.perf_counter() - t0) * 1000:8.1f} ms  "
          f"({len(r.content) // 1024} KiB)")
    rows = ["客户名称,类型,城市,联系人,决策角色"]
    tag = str(int(time.time()))
    rows += [f"导入{tag}-{i},医院,上海,联系人{i},验收" for i in range(10000)]
    data = ("\r\n".join(rows) + "\r\n").encode()
    t0 = time.perf_counter()
    r = mgr.post("/customers/import", {"encoding": "auto"},
                 files={"file": ("bench.csv", data, "text/csv")})
    where = r.headers["Location"]
    mgr.get(where)
    r = mgr.post(where + "/commit", {"mode": "all"})
    if r.status_code != 303:
        raise SystemExit(f"bench: import commit: HTTP {r.status_code}")
    print(f"  {'CSV import 10k rows (all)':30s} "
          f"{(time.perf_counter() - t0) * 1000:8.1f} ms  "
          "(upload + preview + commit)")


if __name__ == "__main__":
    main()

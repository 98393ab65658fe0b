#!/usr/bin/env python3
"""bench_activities.py -- the visit lists at two million activities
(issue 13).

Run by scripts/bench.sh on its stack (VAR, PORT in the environment).
Creates the demo tenant "acts" with `proofline demo --customers
BENCH_ACT_CUSTOMERS (50000) --reps 500 --days 365` unless it exists
(about 2 million activities; the time it took is printed against the
60 s target), then times sequential requests, interleaved over
BENCH_REPEAT (21) rounds so machine noise hits every target alike, and
prints each median with its ratio to /healthz measured in the same run
(target <= 20 ms for the rep's visit list and the manager's day view):
  - a rep's visits of a day: GET /api/v1/visits?day=D and the /visits
    page;
  - a manager's day view of the team (/visits?day=D, every rep under
    them, and one rep of the team) and its API twin;
  - for comparison, a rep's newest 100 visits over all days
    (/api/v1/activities?kind=visit).
D is the last weekday before the demo's today, a full working day.
"""
import datetime
import os
import statistics
import sys
import time

import requests

from benchlib import BASE, ROOT, Stack, cli, sql  # noqa: E402
sys.path.insert(0, str(ROOT / "tests" / "lib"))
from identity import Account, Client  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_ACT_CUSTOMERS", "50000"))
REPS = int(os.environ.get("BENCH_ACT_REPS", "500"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "21"))
SLUG = "acts"


def setup():
    have = sql(f"SELECT COUNT(*) FROM tenants WHERE slug = '{SLUG}'")
    if have == "0":
        t0 = time.perf_counter()
        cli("demo", "--tenant", SLUG, "--reps", str(REPS), "--customers",
            str(CUSTOMERS), "--days", "365")
        took = time.perf_counter() - t0
        n = int(sql("SELECT COUNT(*) FROM activities a JOIN tenants t ON "
                    f"t.id = a.tenant_id WHERE t.slug = '{SLUG}'"))
        print(f"bench: demo --customers {CUSTOMERS} --reps {REPS} --days 365:"
              f" {n} activities in {took:.1f} s = {n / took:.0f}/s "
              "(target <= 60 s for ~2M)")
    tid = int(sql(f"SELECT id FROM tenants WHERE slug = '{SLUG}'"))
    return tid


def working_day():
    """The last weekday before today in the company's zone (UTC+8)."""
    d = (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()
    d -= datetime.timedelta(days=1)
    while d.weekday() >= 5:
        d -= datetime.timedelta(days=1)
    return d.isoformat()


def api(login):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + cli(
        "token", "create", "--tenant", SLUG, "--user", login).strip()
    return s


def main():
    tid = setup()
    day = working_day()
    manager = int(sql(f"SELECT id FROM users WHERE tenant_id = {tid} AND "
                      "login = 'manager1'"))
    rep = int(sql(f"SELECT descendant_id FROM user_tree WHERE tenant_id = "
                  f"{tid} AND ancestor_id = {manager} AND depth = 1 "
                  "ORDER BY descendant_id LIMIT 1"))
    login = sql(f"SELECT login FROM users WHERE id = {rep}")
    rep_api, mgr_api = api(login), api("manager1")
    rep_page = Client(Stack(), Account(SLUG, login, "proofline-demo"))
    mgr_page = Client(Stack(), Account(SLUG, "manager1", "proofline-demo"))
    rep_page.sign_in()
    mgr_page.sign_in()
    total = sql(f"SELECT COUNT(*) FROM activities WHERE tenant_id = {tid}")
    team_day = sql(
        f"SELECT COUNT(*) FROM activities a JOIN user_tree u ON u.tenant_id ="
        f" a.tenant_id AND u.descendant_id = a.rep_id WHERE a.tenant_id = "
        f"{tid} AND u.ancestor_id = {manager} AND a.at >= '{day}' - INTERVAL "
        f"8 HOUR AND a.at < '{day}' + INTERVAL 16 HOUR")
    targets = [
        ("/healthz (baseline)", lambda: rep_api.get(BASE + "/healthz")),
        ("rep: API /api/v1/visits?day", lambda: rep_api.get(
            BASE + f"/api/v1/visits?day={day}")),
        ("rep: page /visits?day", lambda: rep_page.get(
            f"/visits?day={day}")),
        ("manager: page /visits?day", lambda: mgr_page.get(
            f"/visits?day={day}")),
        ("manager: page, one rep", lambda: mgr_page.get(
            f"/visits?day={day}&rep={rep}")),
        ("manager: API /api/v1/visits", lambda: mgr_api.get(
            BASE + f"/api/v1/visits?day={day}")),
        ("rep: newest 100 visits, API", lambda: rep_api.get(
            BASE + "/api/v1/activities?kind=visit")),
    ]
    for name, fn in targets:  # warm up (and check)
        r = fn()
        if r.status_code != 200:
            raise SystemExit(f"bench: {name}: HTTP {r.status_code}")
    if not rep_api.get(BASE + f"/api/v1/visits?day={day}").json()["visits"]:
        raise SystemExit(f"bench: no visits of {login} on {day}")
    times = {name: [] for name, _ in targets}
    for _ in range(REPEAT):
        for name, fn in targets:
            t0 = time.perf_counter()
            r = fn()
            times[name].append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"bench: {name}: HTTP {r.status_code}")
    base = statistics.median(times[targets[0][0]])
    print(f"bench: activities: {total} in the tenant; {day}: {team_day} of "
          f"manager1's team; median of {REPEAT} sequential requests "
          "(target <= 20 ms), ratio to /healthz")
    for name, _ in targets:
        m = statistics.median(times[name])
        print(f"  {name:32s} {m:8.1f} ms  {m / base:7.1f}x")


if __name__ == "__main__":
    main()

"""Sell-through health (issue 16, items 3 and 4): the three metrics of a
new-product campaign, their pages and their pushes, through the public
paths only -- stores and campaigns through their API, POS lines through
the POS import API, shelf photos through visits.

A company of six stores, all targeted, with a fixed daily pattern from
three days before the launch L (a Monday) to L+35, so every weekly window
has the same ratio:

    store  area  pos (lat)  units/day new/other  ratio   first week
    A1     sup1  31.200     1 / 30               0.032   sold
    A2     sup1  31.210     2 / 8 (+20 members)  0.2     sold
    A3     sup1  31.230     1 / 9                0.1     sold
    A4     sup1  31.220     0 / 10               0       missing
    B1     sup2  31.260     5 / 5                0.5     sold
    B2     sup2  (none)     3 / 7                0.3     sold

sup1's area misses A4 (3/4 < 0.85); A1 (sm1) is below 0.05 and its
nearest stores at or above it are A2, A3, B1 (A4 is nearer than A3 but
below); A2 has 20 member buyers of whom 2 came back (0.1 < 0.22).
"""
import datetime as dt
import re
import time
import uuid
from collections import Counter, defaultdict

import pytest
import requests

from identity import Account, Client

PASSWORD = "Sell-Through-Pass-2026"
PEOPLE = [("boss", "admin", None), ("mgr", "manager", None),
          ("sup1", "supervisor", "mgr"), ("sup2", "supervisor", None),
          ("sm1", "store_manager", "sup1"), ("sm2", "store_manager", "sup1"),
          ("sm3", "store_manager", "sup2"), ("mkt", "marketing", None),
          ("rep", "rep", "mgr")]
L = dt.date(2027, 3, 1)  # a Monday: ISO week 2027-W09
# code suffix: (supervisor, managers, region, lat, lng, new/day, other/day)
STORES = {
    "A1": ("sup1", "sm1", "华东", "31.200", "121.400", 1, 30),
    "A2": ("sup1", "sm2", "华东", "31.210", "121.400", 2, 8),
    "A3": ("sup1", "", "华东", "31.230", "121.400", 1, 9),
    "A4": ("sup1", "", "华东", "31.220", "121.400", 0, 10),
    "B1": ("sup2", "sm3", "华南", "31.260", "121.400", 5, 5),
    "B2": ("sup2", "", "华南", "", "", 3, 7),
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")


def day(n):
    return (L + dt.timedelta(days=n)).isoformat()


def lines_of(t):
    """The POS lines: (store, local time, receipt, line, sku, qty, fen,
    member)."""
    out = []
    for sfx, (_, _, _, _, _, new, other) in STORES.items():
        code = f"{t}{sfx}"
        for d in range(-3, 36):
            when = L + dt.timedelta(days=d)
            rec = 0

            def add(hour, items, member=""):
                nonlocal rec
                rec += 1
                r = f"{code}-{when:%m%d}-{rec}"
                for i, (sku, qty, fen) in enumerate(items, 1):
                    out.append((code, f"{when} {hour:02d}:{(rec * 7) % 60:02d}"
                                f":00", r, i, sku, qty, fen * qty, member))
            add(10, [(f"O1{t}", other, 500)])
            if d < 0 or new == 0:
                continue
            if sfx == "A2":
                # one new member buyer a day for 20 days, with O2 in the
                # receipt; M0 and M1 come back on L+5; the rest anonymous
                if d < 20:
                    add(18, [(f"N{t}", 1, 1290), (f"O2{t}", 1, 300)],
                        f"M{d}")
                    add(12, [(f"N{t}", new - 1, 1290)])
                else:
                    add(12, [(f"N{t}", new, 1290)])
                if d == 5:
                    add(19, [(f"N{t}", 1, 1290)], "M0")
                    add(20, [(f"N{t}", 1, 1290), (f"O2{t}", 2, 300)], "M1")
            else:
                add(15, [(f"N{t}", new, 1290)], f"X{sfx}{d % 3}")
    return out


def csv_of(lines):
    rows = ["store,time,receipt,line,sku,qty,amount,member"]
    for (s, at, r, i, sku, q, fen, m) in lines:
        rows.append(f"{s},{at},{r},{i},{sku},{q},{fen / 100:.2f},{m}")
    return "\r\n".join(rows) + "\r\n"


@pytest.fixture(scope="module")
def co(stack):
    t = "T" + uuid.uuid4().hex[:4].upper()
    slug = "sell" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Sell Co")
    for login, role, mgr in PEOPLE:
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--name", f"{login} 名", "--password-stdin"]
        if mgr:
            args += ["--manager", mgr]
        stack.cli(*args, input_text=PASSWORD + "\n")
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    c = {"t": t, "slug": slug, "tid": tid, "api": {}, "ids": {}, "web": {},
         "stores": {}}
    for login, _, _ in PEOPLE:
        tok = stack.cli("token", "create", "--tenant", slug, "--user",
                        login).stdout.strip()
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {tok}"
        s.headers["Accept-Language"] = "zh-CN"
        c["api"][login] = s
        c["ids"][login] = int(stack.sql(
            f"SELECT id FROM users WHERE tenant_id = {tid} AND "
            f"login = '{login}'")[0][0])
    boss = c["api"]["boss"]
    for sku, name in ((f"N{t}", "新品"), (f"O1{t}", "老品一"),
                      (f"O2{t}", "老品二")):
        r = boss.post(stack.url("/api/v1/products"), json={
            "sku": sku, "name": f"{name} {t}", "own": True})
        assert r.status_code == 201, r.text
    for sfx, (sup, mgrs, region, lat, lng, _, _) in STORES.items():
        body = {"code": f"{t}{sfx}", "name": f"门店{sfx}", "supervisor": sup,
                "managers": mgrs, "region": region, "lat": lat, "lng": lng,
                "opened_on": "2026-01-01"}
        r = boss.post(stack.url("/api/v1/stores"), json=body)
        assert r.status_code == 201, r.text
        c["stores"][sfx] = r.json()["id"]
    r = c["api"]["mkt"].post(stack.url("/api/v1/campaigns"), json={
        "product": f"N{t}", "name": f"春季新品 {t}",
        "launch_on": L.isoformat()})
    assert r.status_code == 201, r.text
    c["campaign"] = r.json()["id"]
    # The talk-track pack.
    mk = web(stack, c, "mkt")
    r = mk.post(f"/campaigns/{c['campaign']}/files", {}, files={
        "file": (f"话术 {t}.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n",
                 "application/pdf")})
    assert r.status_code == 303, r.text[:500]
    c["file"] = int(stack.sql(
        f"SELECT file_id FROM campaign_files WHERE tenant_id = {tid}")[0][0])
    # The POS lines through the import API.
    c["lines"] = lines_of(t)
    pos_import(stack, c, csv_of(c["lines"]))
    # A shelf photo of A2 (a visit by its supervisor to its customer).
    cust = int(stack.sql(f"SELECT customer_id FROM stores WHERE id = "
                         f"{c['stores']['A2']}")[0][0])
    sup = c["api"]["sup1"]
    r = sup.post(stack.url("/api/v1/visits"), json={
        "customer": cust, "visit_type": "store_visit", "lat": 31.21,
        "lng": 121.4, "accuracy": 10})
    assert r.status_code == 201, r.text
    r = sup.post(stack.url(f"/api/v1/visits/{r.json()['id']}/photos"),
                 data={"key": "shelf"},
                 files={"file": ("shelf.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    c["photo"] = int(stack.sql(
        "SELECT p.file_id FROM activity_photos p JOIN activities a ON "
        "a.id = p.activity_id WHERE a.customer_id = "
        f"{cust} AND p.photo_key = 'shelf'")[0][0])
    return c


def pos_import(stack, c, text):
    s = c["api"]["boss"]
    r = s.post(stack.url("/api/v1/pos/imports"), data=text.encode(),
               headers={"Content-Type": "text/csv"})
    assert r.status_code == 202, r.text
    iid = r.json()["id"]
    for _ in range(120):
        got = s.get(stack.url(f"/api/v1/pos/imports/{iid}")).json()
        if got["status"] in ("done", "refused", "failed"):
            break
        stack.cli("jobs", "run", "--tenant", c["slug"])
        time.sleep(0.5)
    assert got["status"] == "done", got
    assert got["lines_added"] == len(c["lines"]), got


def web(stack, c, login):
    if login not in c["web"]:
        role = dict((p[0], p[1]) for p in PEOPLE)[login]
        w = Client(stack, Account(c["slug"], login, PASSWORD, role))
        w.sign_in()
        c["web"][login] = w
    return c["web"][login]


def api(stack, c, login, path, expect=200):
    r = c["api"][login].get(stack.url(path))
    assert r.status_code == expect, (login, path, r.status_code, r.text[:400])
    return r.json()


def metrics(stack, c, login, as_of):
    return api(stack, c, login, "/api/v1/metrics/sell-through?campaign="
               f"{c['campaign']}&as_of={as_of}")


# --- the numbers -----------------------------------------------------------

def expected_store(c, sfx, as_of):
    """A store's components computed here from the lines."""
    t = c["t"]
    code = f"{t}{sfx}"
    T = dt.date.fromisoformat(as_of)
    wf = max(L, T - dt.timedelta(days=6))
    fw_to = min(L + dt.timedelta(days=6), T)
    new = all_ = fw = 0
    first = {}
    again = {}
    for (s, at, r, _, sku, q, _, m) in sorted(c["lines"], key=lambda x: x[1]):
        if s != code:
            continue
        d = dt.date.fromisoformat(at[:10])
        if wf <= d <= T:
            all_ += q
            new += q if sku == f"N{t}" else 0
        if sku == f"N{t}" and L <= d <= fw_to:
            fw += q
        if sku == f"N{t}" and m:
            if m not in first:
                first[m] = (d, r)
            elif m not in again and r != first[m][1]:
                again[m] = d
    buyers = [m for m, (d, _) in first.items() if L <= d <= T]
    rep = [m for m in buyers if m in again and again[m] <= T
           and (again[m] - first[m][0]).days <= 30]
    return {"sold": fw > 0, "new": new, "all": all_, "buyers": len(buyers),
            "repeaters": len(rep)}


def test_the_api_gives_the_numbers_of_the_lines(stack, co):
    as_of = day(6)
    d = metrics(stack, co, "mkt", as_of)
    assert d["campaign"]["id"] == co["campaign"]
    assert d["campaign"]["sku"] == f"N{co['t']}"
    assert d["campaign"]["launch_on"] == L.isoformat()
    assert d["as_of"] == as_of and d["week_from"] == L.isoformat()
    got = {s["code"][len(co["t"]):]: s for s in d["stores"]}
    assert sorted(got) == sorted(STORES)
    for sfx in STORES:
        want = expected_store(co, sfx, as_of)
        s = got[sfx]
        assert s["distribution"] == {"eligible": True, "sold": want["sold"]}
        assert s["sku_ratio"]["units_new"] == want["new"], sfx
        assert s["sku_ratio"]["units_all"] == want["all"], sfx
        assert s["repurchase"]["buyers"] == want["buyers"], sfx
    tot = d["total"]
    assert tot["distribution"] == {"eligible": 6, "sold": 5, "rate": 5 / 6}
    n = sum(expected_store(co, s, as_of)["new"] for s in STORES)
    a = sum(expected_store(co, s, as_of)["all"] for s in STORES)
    assert tot["sku_ratio"]["units_new"] == n
    assert tot["sku_ratio"]["ratio"] == pytest.approx(n / a)
    regions = {r["region"]: r for r in d["regions"]}
    assert regions["华东"]["distribution"]["rate"] == 0.75
    sups = {s["supervisor_id"]: s for s in d["supervisors"]}
    assert sups[co["ids"]["sup1"]]["distribution"]["sold"] == 3
    # 30 days on: A2's 20 buyers, 2 back.
    d = metrics(stack, co, "mkt", day(30))
    a2 = [s for s in d["stores"] if s["code"] == f"{co['t']}A2"][0]
    assert a2["repurchase"] == {"buyers": 20, "repeaters": 2, "rate": 0.1}
    # Before the launch: no rates; a bad day 400; another campaign 404.
    d = metrics(stack, co, "mkt", day(-1))
    assert d["total"]["distribution"]["rate"] is None
    assert d["total"]["sku_ratio"]["ratio"] is None
    r = co["api"]["mkt"].get(stack.url(
        f"/api/v1/metrics/sell-through?campaign={co['campaign']}"
        "&as_of=2027-02-30"))
    assert r.status_code == 400 and "error" in r.json()
    api(stack, co, "mkt", "/api/v1/metrics/sell-through?campaign=999999999",
        404)


@pytest.mark.parametrize("login,sees", [
    ("sm1", {"A1"}), ("sm3", {"B1"}), ("sup1", {"A1", "A2", "A3", "A4"}),
    ("sup2", {"B1", "B2"}), ("mgr", {"A1", "A2", "A3", "A4"}),
    ("mkt", set(STORES)), ("boss", set(STORES))])
def test_each_role_sees_its_scope(stack, co, login, sees):
    d = metrics(stack, co, login, day(6))
    assert {s["code"][len(co["t"]):] for s in d["stores"]} == sees
    assert d["total"]["distribution"]["eligible"] == len(sees)
    page = web(stack, co, login).get(
        f"/sell-through?campaign={co['campaign']}&as_of={day(6)}")
    assert page.status_code == 200
    shown = set(re.findall(r'data-store="' + co["t"] + r'([A-Z0-9]+)"',
                           page.text))
    assert shown == sees
    for sfx in STORES:
        want = 200 if sfx in sees else 404
        assert web(stack, co, login).get(
            f"/stores/{co['stores'][sfx]}").status_code == want, sfx


def test_a_rep_has_no_sell_through(stack, co):
    assert web(stack, co, "rep").get("/sell-through").status_code == 404
    api(stack, co, "rep", "/api/v1/metrics/sell-through", 404)


@pytest.mark.parametrize("sort,direction,order", [
    ("ratio", "desc", ["B1", "B2", "A2", "A3", "A1", "A4"]),
    ("ratio", "asc", ["A4", "A1", "A3", "A2", "B2", "B1"]),
    ("code", "asc", ["A1", "A2", "A3", "A4", "B1", "B2"]),
    ("code", "desc", ["B2", "B1", "A4", "A3", "A2", "A1"]),
])
def test_the_dashboard_sorts(stack, co, sort, direction, order):
    page = web(stack, co, "mkt").get(
        f"/sell-through?campaign={co['campaign']}&as_of={day(6)}"
        f"&sort={sort}&dir={direction}").text
    got = re.findall(r'data-store="' + co["t"] + r'([A-Z0-9]+)"', page)
    assert got == order
    assert page.count("<svg") >= 3
    # A4 (missing, ratio 0) is a laggard
    assert re.search(r'class="st-laggard" data-store="' + co["t"] + 'A4"',
                     page)


def test_the_store_page_compares_with_the_nearest_peers(stack, co):
    sm1 = web(stack, co, "sm1")
    a1 = co["stores"]["A1"]
    page = sm1.get(f"/stores/{a1}?campaign={co['campaign']}&as_of={day(6)}")
    assert page.status_code == 200
    peers = re.findall(r'class="st-peer" data-store="' + co["t"] +
                       r'([A-Z0-9]+)"', page.text)
    assert peers == ["A2", "A4", "A3", "B1"]  # by distance; B2 has no place
    # A2's shelf photo through the page's own link, not /files
    link = f"/stores/{a1}/photos/{co['photo']}"
    assert link in page.text
    assert sm1.get(link).status_code == 200
    assert sm1.get(f"/files/{co['photo']}").status_code == 404
    assert sm1.get(f"/stores/{co['stores']['A2']}/photos/"
                   f"{co['photo']}").status_code == 404
    assert sm1.get(f"/stores/{a1}/photos/{co['file']}").status_code == 404
    d = api(stack, co, "sm1", f"/api/v1/stores/{a1}/peers?campaign="
            f"{co['campaign']}&as_of={day(6)}")
    assert [p["code"][len(co["t"]):] for p in d["peers"]] == peers
    kms = [p["km"] for p in d["peers"]]
    assert kms == sorted(kms) and kms[0] == pytest.approx(1.11, abs=0.01)
    assert d["peers"][0]["photo"]["file_id"] == co["photo"]
    # best-selling times: units by local hour over 28 days
    hours = d["store"]["hours"]
    assert hours[10] > 0 and hours[15] > 0 and sum(hours[:9]) == 0
    api(stack, co, "sm1", f"/api/v1/stores/{co['stores']['A2']}/peers", 404)


def test_the_profile_report_matches_the_lines(stack, co):
    t, a2, as_of = co["t"], co["stores"]["A2"], day(30)
    d = api(stack, co, "mkt", f"/api/v1/stores/{a2}/profile?campaign="
            f"{co['campaign']}&as_of={as_of}")
    T = dt.date.fromisoformat(as_of)
    rec = defaultdict(list)
    for ln in co["lines"]:
        if ln[0] == f"{t}A2" and L <= dt.date.fromisoformat(ln[1][:10]) <= T:
            rec[ln[2]].append(ln)
    with_p = {r: ls for r, ls in rec.items()
              if any(x[4] == f"N{t}" for x in ls)}
    without = {r: ls for r, ls in rec.items() if r not in with_p}
    per = Counter()
    for r, ls in with_p.items():
        for x in ls:
            if x[4] == f"N{t}" and x[7]:
                per[x[7]] += 1
    freq = Counter(min(n, 4) for n in per.values())
    assert [f["members"] for f in d["frequency"]] == [freq[1], freq[2],
                                                      freq[3], freq[4]]
    for side, group in (("with", with_p), ("without", without)):
        b = d["basket"][side]
        units = sum(x[5] for ls in group.values() for x in ls)
        fen = sum(x[6] for ls in group.values() for x in ls)
        assert b["receipts"] == len(group)
        assert b["mean_units"] == pytest.approx(units / len(group), abs=0.005)
        assert b["mean_amount"] == pytest.approx(fen / 100 / len(group),
                                                 abs=0.005)
    hours = Counter(int(ls[0][1][11:13]) for ls in with_p.values())
    assert [h["receipts"] for h in d["hours"]] == [hours[h] for h in
                                                    range(24)]
    others = Counter()
    for ls in with_p.values():
        for sku in {x[4] for x in ls if x[4] != f"N{t}"}:
            others[sku] += 1
    assert [(o["sku"], o["receipts"]) for o in d["others"]] == \
        sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    page = web(stack, co, "mkt").get(
        f"/stores/{a2}/profile?campaign={co['campaign']}&as_of={as_of}")
    assert page.status_code == 200 and f"O2{t}" in page.text
    assert web(stack, co, "sm1").get(f"/stores/{a2}/profile").status_code \
        == 404


def test_the_campaign_page(stack, co):
    page = web(stack, co, "mkt").get(
        f"/campaigns/{co['campaign']}?as_of={day(6)}")
    assert page.status_code == 200
    lag = re.search(r'id="lag-distribution">(.*?)</ul>', page.text, re.S)
    assert f"{co['t']}A4" in lag.group(1) and f"{co['t']}A1" not in \
        lag.group(1)
    lag = re.search(r'id="lag-ratio">(.*?)</ul>', page.text, re.S)
    assert f"{co['t']}A1" in lag.group(1) and f"{co['t']}A2" not in \
        lag.group(1)
    assert f"话术 {co['t']}.pdf" in page.text
    assert f"/stores/{co['stores']['B1']}/profile?" in page.text


# --- the pushes ------------------------------------------------------------

def run(stack, c, at):
    """The alerts job at UTC time `at`: the first run moves the job's slot
    past `at` (slots are on a quarter-hour grid), the second runs it."""
    for t in (at, at + dt.timedelta(minutes=16)):
        stack.cli("jobs", "run", "--now", t.strftime("%Y-%m-%d %H:%M:%S"),
                  "--tenant", c["slug"])


def set_managers(stack, c, sfx, managers):
    sup, _, region, lat, lng, _, _ = STORES[sfx]
    r = c["api"]["boss"].put(stack.url(f"/api/v1/stores/{c['stores'][sfx]}"),
                             json={"code": f"{c['t']}{sfx}",
                                   "name": f"门店{sfx}", "supervisor": sup,
                                   "managers": managers, "region": region,
                                   "lat": lat, "lng": lng,
                                   "opened_on": "2026-01-01"})
    assert r.status_code == 200, r.text


def notices(stack, c, like):
    return stack.sql(
        "SELECT user_id, title, body FROM notifications WHERE tenant_id = "
        f"{c['tid']} AND kind = 'alert' AND title LIKE '%{like}%' ORDER BY id")


def test_each_push_once_per_store_and_period(stack, co):
    t = co["t"]
    # L+6 (Sunday, W09), 10:00 local: the ratio push, not yet the first
    # week's.
    at = dt.datetime(L.year, L.month, L.day, 2) + dt.timedelta(days=6)
    run(stack, co, at)
    got = notices(stack, co, "动销比")
    assert len(got) == 1, got
    user, title, body = got[0]
    assert int(user) == co["ids"]["sm1"]
    assert f"门店A1" in title
    codes = re.findall(t + r"([A-Z0-9]+) ", body)
    assert codes == ["A2", "A3", "B1"], body  # nearest at or above 5%
    assert f"/stores/{co['stores']['A1']}/photos/{co['photo']}" in body
    assert "km" in body
    assert notices(stack, co, "铺货率") == []
    # The same week again: nothing new.
    run(stack, co, at + dt.timedelta(minutes=31))
    assert len(notices(stack, co, "动销比")) == 1
    # Cleared (A1 loses its manager) and back inside the week: still
    # nothing new -- once per store and week.
    key = f"sku_ratio:{co['campaign']}:{co['stores']['A1']}:{co['ids']['sm1']}"

    def state():
        return stack.sql("SELECT active, period FROM alert_states WHERE "
                         f"tenant_id = {co['tid']} AND alert_key = '{key}'")
    assert state() == [["1", "2027-W09"]]
    set_managers(stack, co, "A1", "")
    run(stack, co, at + dt.timedelta(hours=1))
    assert state() == [["0", "2027-W09"]]
    set_managers(stack, co, "A1", "sm1")
    run(stack, co, at + dt.timedelta(hours=2))
    assert state() == [["1", "2027-W09"]]
    assert len(notices(stack, co, "动销比")) == 1
    # L+7, the next week: the ratio again, and sup1's first week.
    at += dt.timedelta(days=1)
    run(stack, co, at)
    assert len(notices(stack, co, "动销比")) == 2
    got = notices(stack, co, "铺货率")
    assert len(got) == 1, got
    user, title, body = got[0]
    assert int(user) == co["ids"]["sup1"]
    assert f"{t}A4" in body and f"{t}A1" not in body
    assert f"/files/{co['file']}" in body
    run(stack, co, at + dt.timedelta(days=1))
    assert len(notices(stack, co, "铺货率")) == 1   # once
    assert notices(stack, co, "复购") == []           # not before L+30
    # L+30 (March): marketing gets A2's profile report, once this month.
    at = dt.datetime(L.year, L.month, L.day, 2) + dt.timedelta(days=30)
    run(stack, co, at)
    got = notices(stack, co, "复购")
    assert {int(u) for u, _, _ in got} == {co["ids"]["mkt"]}, got
    assert f"/stores/{co['stores']['A2']}/profile?campaign=" \
        f"{co['campaign']}" in got[0][2]
    run(stack, co, at + dt.timedelta(hours=3))
    assert len(notices(stack, co, "复购")) == 1
    # April: again.
    run(stack, co, at + dt.timedelta(days=1))
    assert len(notices(stack, co, "复购")) == 2
    # The store managers of the stores doing well got nothing.
    assert {int(u) for u, _, _ in notices(stack, co, "动销比")} == \
        {co["ids"]["sm1"]}


@pytest.mark.parametrize("login,budget", [("mkt", 4), ("sup1", 5)])
def test_the_dashboard_reads_the_cache(stack, co, login, budget):
    """A warm dashboard asks the session, the campaign with its cached
    row, the campaign picker and -- for a caller who does not see every
    store -- the ids of theirs: no statement per store."""
    c = web(stack, co, login)
    path = f"/sell-through?campaign={co['campaign']}&as_of={day(9)}"
    trips = []
    for _ in range(8):  # a warm worker among them: statements prepared
        r = c.get(path)
        assert r.status_code == 200
        trips.append(int(r.headers["X-DB-Round-Trips"]))
    assert min(trips) <= budget, trips
    got = stack.sql("SELECT COUNT(*) FROM sellthrough_cache WHERE tenant_id "
                    f"= {co['tid']} AND as_of = '{day(9)}'")
    assert got == [["1"]]


def test_the_cache_keeps_only_the_current_pos_version(stack, co):
    """A computation takes away the cached rows of older POS versions
    (they can never be read again): after the version moves, the rows of
    the days looked at before are gone and only the new one stays."""
    c = web(stack, co, "mkt")
    tid = co["tid"]
    for n in (8, 9):
        r = c.get(f"/sell-through?campaign={co['campaign']}&as_of={day(n)}")
        assert r.status_code == 200
    old = stack.sql("SELECT version FROM pos_state WHERE tenant_id = "
                    f"{tid}")[0][0]
    assert stack.sql("SELECT COUNT(*) FROM sellthrough_cache WHERE "
                     f"tenant_id = {tid} AND version = {old} AND as_of IN "
                     f"('{day(8)}', '{day(9)}')") == [["2"]]
    # What an import does to the version, without changing the lines.
    stack.sql(f"UPDATE pos_state SET version = version + 1 WHERE tenant_id "
              f"= {tid}")
    r = c.get(f"/sell-through?campaign={co['campaign']}&as_of={day(9)}")
    assert r.status_code == 200
    rows = stack.sql("SELECT as_of, version FROM sellthrough_cache WHERE "
                     f"tenant_id = {tid} ORDER BY as_of")
    assert rows == [[day(9), str(int(old) + 1)]], rows

"""The three sell-through metrics (issue 16, item 3; DESIGN §7 and
metrics/sellthrough.h) against an independent computation in this file
over generated POS lines: stores that open or close inside the first week
and the weekly window, a product launched on a Wednesday, members whose
second purchase is exactly 30 and 31 days after the first, sales a few
seconds either side of local midnight (Asia/Shanghai, eight hours ahead
of UTC, so the UTC date differs), a store not targeted, one without a
position, returns.  Everything goes in through the public paths: the
products and stores API, the campaigns API, and `proofline pos import`."""
import datetime
import random
import uuid

import pytest

from company import Company

L = datetime.date(2026, 10, 14)  # a Wednesday: launched mid-week
assert L.weekday() == 2
FIRST = L - datetime.timedelta(days=10)
LAST = L + datetime.timedelta(days=45)
PASSWORD = "Sell-through-9"


def d(n):
    return L + datetime.timedelta(days=n)


# code, region, supervisor, opened_on, closed_on, targeted, position
STORES = [
    ("S01", "华东", "sup1", None, None, True, (31.23, 121.47)),
    ("S02", "华东", "sup1", d(-200), None, True, (31.25, 121.50)),
    ("S03", "华东", "sup1", None, None, True, (31.20, 121.40)),
    ("S04", "华东", "sup1", d(3), None, True, (31.30, 121.55)),    # opens
    ("S05", "华东", "sup1", d(-90), d(4), True, (31.10, 121.30)),  # closes
    ("S06", "华南", "sup1", None, None, True, (23.13, 113.26)),
    ("S07", "华南", "sup2", None, None, True, (23.10, 113.30)),
    ("S08", "华南", "sup2", None, None, True, (23.20, 113.20)),
    ("S09", "华南", "sup2", d(-30), d(20), True, (23.00, 113.10)),
    ("S10", "华北", "sup2", None, None, True, (39.90, 116.40)),
    ("S11", "华北", "sup2", None, None, True, None),
    ("S12", "华北", "sup2", None, None, False, (39.95, 116.45)),
]
NEW, OTHERS = "NEW-TEA", ["OLD-A", "OLD-B", "OLD-C"]


def open_on(store, day):
    _, _, _, opened, closed, _, _ = store
    return (opened is None or opened <= day) and (closed is None or
                                                  closed > day)


def generate():
    """POS lines as dicts (local time), deterministic."""
    rng = random.Random(16)
    lines = []
    seq = {}

    def receipt(code, when, items, member=None):
        key = (code, when.date())
        seq[key] = seq.get(key, 0) + 1
        rid = f"{code}-{when:%Y%m%d}-{seq[key]:04d}"
        for n, (sku, qty) in enumerate(items, start=1):
            lines.append({"store": code, "time": when, "receipt": rid,
                          "line": n, "sku": sku, "qty": qty,
                          "amount": f"{qty * 12.5:.2f}", "member": member})

    day = FIRST
    while day <= LAST:
        for st in STORES:
            code = st[0]
            if not open_on(st, day):
                continue
            for _ in range(rng.randint(2, 6)):
                when = datetime.datetime.combine(day, datetime.time(
                    rng.randint(8, 21), rng.randint(0, 59), rng.randint(0, 59)))
                items = []
                for _ in range(rng.randint(1, 3)):
                    sku = rng.choice(OTHERS)
                    # the new product: from the launch on, never at S03
                    # before L+6 (its edge is below) nor at S08 in the
                    # first week
                    if day >= L and rng.random() < 0.3 and not (
                            code == "S03" and day <= d(6)) and not (
                            code == "S08" and day <= d(7)):
                        sku = NEW
                    items.append((sku, rng.randint(1, 3)))
                member = (f"m-{code}-{rng.randint(1, 12)}"
                          if rng.random() < 0.6 else None)
                receipt(code, when, items, member)
        day += datetime.timedelta(days=1)

    def at(n, h, m, s):
        return datetime.datetime.combine(d(n), datetime.time(h, m, s))

    # S03's first sale of the new product: the last seconds of the first
    # week (local), 15:59:50 UTC of the same day
    receipt("S03", at(6, 23, 59, 50), [(NEW, 1)])
    # S08's: the first seconds after it -- UTC still says day L+6
    receipt("S08", at(7, 0, 0, 10), [(NEW, 2)])
    # exactly 30 local days apart, at the day's two edges: a repeater
    receipt("S01", at(1, 0, 0, 10), [(NEW, 1)], "edge-30")
    receipt("S01", at(31, 23, 59, 50), [(NEW, 1)], "edge-30")
    # 31 days apart: not within 30 days
    receipt("S01", at(1, 12, 0, 0), [(NEW, 1)], "edge-31")
    receipt("S01", at(32, 0, 0, 5), [(NEW, 1)], "edge-31")
    # twice in one receipt: one purchase, not a repeat
    receipt("S02", at(2, 10, 0, 0), [(NEW, 1), ("OLD-A", 1), (NEW, 2)],
            "same-receipt")
    # bought elsewhere first: a buyer in each store, a repeater in neither
    receipt("S06", at(3, 9, 0, 0), [(NEW, 1)], "two-stores")
    receipt("S07", at(5, 9, 0, 0), [(NEW, 1)], "two-stores")
    # a return of an old product (negative units) the same week
    receipt("S10", at(9, 18, 0, 0), [("OLD-B", -2)])
    return lines


def csv_text(lines):
    out = ["store,time,receipt,line,sku,qty,amount,member"]
    for x in lines:
        out.append(",".join([x["store"], x["time"].strftime("%Y-%m-%d %H:%M:%S"),
                             x["receipt"], str(x["line"]), x["sku"],
                             str(x["qty"]), x["amount"], x["member"] or ""]))
    return "\n".join(out) + "\n"


def expected(lines, stores_by_code, t):
    """The metrics as of local day t, computed here from the lines."""
    targeted = [s for s in STORES if s[5]]
    week_from = max(L, t - datetime.timedelta(days=6))
    per = {}
    # members: first purchase and the next one on another receipt
    buys = {}
    for x in lines:
        if x["sku"] == NEW and x["member"] and x["qty"] > 0:
            buys.setdefault((x["store"], x["member"]), []).append(
                (x["time"], x["receipt"]))
    for st in targeted:
        code, region, sup, opened, closed = st[:5]
        elig = (opened is None or opened <= L) and (closed is None or
                                                    closed > d(6))
        fw_end = min(d(6), t)
        new_fw = sum(x["qty"] for x in lines if x["store"] == code and
                     x["sku"] == NEW and L <= x["time"].date() <= fw_end)
        week_open = open_on(st, t)
        in_week = [x for x in lines if x["store"] == code and
                   week_from <= x["time"].date() <= t]
        units_new = sum(x["qty"] for x in in_week if x["sku"] == NEW)
        units_all = sum(x["qty"] for x in in_week)
        buyers = repeaters = 0
        for (scode, _), purchases in buys.items():
            if scode != code:
                continue
            purchases.sort()
            first_t, first_r = purchases[0]
            if not (L <= first_t.date() <= t):
                continue
            buyers += 1
            again = [p for p in purchases if p[1] != first_r]
            if again:
                again_t = again[0][0]
                if (again_t.date() <= t and
                        (again_t.date() - first_t.date()).days <= 30):
                    repeaters += 1
        per[code] = {
            "region": region, "sup": sup, "elig": elig,
            "sold": elig and t >= L and new_fw > 0,
            "open": week_open,
            "units_new": units_new if t >= L else 0,
            "units_all": units_all if t >= L else 0,
            "buyers": buyers, "repeaters": repeaters}
    return week_from, per


def sums(rows, t):
    e = sum(1 for r in rows if r["elig"])
    s = sum(1 for r in rows if r["sold"])
    un = sum(r["units_new"] for r in rows if r["open"])
    ua = sum(r["units_all"] for r in rows if r["open"])
    b = sum(r["buyers"] for r in rows)
    rp = sum(r["repeaters"] for r in rows)
    return {"eligible": e, "sold": s,
            "rate": s / e if e and t >= L else None,
            "units_new": un, "units_all": ua,
            "ratio": un / ua if ua else None,
            "buyers": b, "repeaters": rp, "rep_rate": rp / b if b else None}


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-9


def check_sum(got, want, where):
    dist, ratio, rep = got["distribution"], got["sku_ratio"], got["repurchase"]
    assert (dist["eligible"], dist["sold"]) == (want["eligible"],
                                                want["sold"]), where
    assert close(dist["rate"], want["rate"]), (where, dist, want)
    assert (ratio["units_new"], ratio["units_all"]) == (
        want["units_new"], want["units_all"]), (where, ratio, want)
    assert close(ratio["ratio"], want["ratio"]), (where, ratio, want)
    assert (rep["buyers"], rep["repeaters"]) == (
        want["buyers"], want["repeaters"]), (where, rep, want)
    assert close(rep["rate"], want["rep_rate"]), (where, rep, want)


@pytest.fixture(scope="module")
def chain(stack, tmp_path_factory):
    co = Company(stack, "sell", [("boss", "admin", None),
                                 ("mgr", "manager", None),
                                 ("sup1", "supervisor", "mgr"),
                                 ("sup2", "supervisor", "mgr"),
                                 ("mkt", "marketing", None)], PASSWORD)
    for sku in [NEW] + OTHERS:
        r = co.api("boss", "POST", "/api/v1/products", json={
            "sku": sku, "name": f"茶饮 {sku}", "brand": "本品", "own": "1",
            "category": "茶饮"})
        assert r.status_code == 201, r.text
    for code, region, sup, opened, closed, _, pos in STORES:
        body = {"code": code, "name": f"{region}{code}店", "region": region,
                "supervisor": sup, "format": "direct",
                "address": f"{region}路 {code} 号",
                "opened_on": opened.isoformat() if opened else "",
                "closed_on": closed.isoformat() if closed else ""}
        if pos:
            body["lat"], body["lng"] = str(pos[0]), str(pos[1])
        r = co.api("boss", "POST", "/api/v1/stores", json=body)
        assert r.status_code == 201, r.text
    ids = {c: int(i) for c, i in stack.sql(
        f"SELECT code, id FROM stores WHERE tenant_id = {co.tid}")}
    r = co.api("mkt", "POST", "/api/v1/campaigns", json={
        "product": NEW, "name": "秋季新品", "launch_on": L.isoformat(),
        "all_stores": False,
        "stores": "\n".join(s[0] for s in STORES if s[5])})
    assert r.status_code == 201, r.text
    campaign = r.json()["id"]
    lines = generate()
    rng = random.Random(7)
    shuffled = lines[:]
    rng.shuffle(shuffled)  # POS files are not in key order
    path = tmp_path_factory.mktemp("pos") / f"pos-{uuid.uuid4().hex[:6]}.csv"
    path.write_text(csv_text(shuffled), encoding="utf-8")
    out = stack.cli("pos", "import", str(path), "--tenant", co.slug)
    assert str(len(lines)) in out.stdout, out.stdout
    return co, campaign, lines, ids


AS_OF = [-1, 0, 2, 5, 6, 7, 8, 12, 19, 20, 25, 31, 32, 40]


@pytest.mark.parametrize("offset", AS_OF)
def test_metrics_equal_an_independent_computation(chain, offset):
    co, campaign, lines, ids = chain
    t = d(offset)
    r = co.api("boss", "GET", f"/api/v1/metrics/sell-through?campaign="
               f"{campaign}&as_of={t.isoformat()}")
    assert r.status_code == 200, r.text
    got = r.json()
    week_from, per = expected(lines, ids, t)
    assert got["as_of"] == t.isoformat()
    assert got["campaign"]["id"] == campaign
    assert got["campaign"]["launch_on"] == L.isoformat()
    if offset >= 0:
        assert got["week_from"] == week_from.isoformat()
    stores = {s["code"]: s for s in got["stores"]}
    for code, want in per.items():
        s = stores[code]
        assert s["distribution"]["eligible"] == want["elig"], code
        assert s["distribution"]["sold"] == want["sold"], code
        assert s["sku_ratio"]["open"] == want["open"], code
        if want["open"]:
            assert (s["sku_ratio"]["units_new"], s["sku_ratio"]["units_all"]) \
                == (want["units_new"], want["units_all"]), code
            assert close(s["sku_ratio"]["ratio"],
                         want["units_new"] / want["units_all"]
                         if want["units_all"] else None), code
        assert (s["repurchase"]["buyers"], s["repurchase"]["repeaters"]) == (
            want["buyers"], want["repeaters"]), code
    total = sums(list(per.values()), t)
    check_sum(got["total"], total, "total")
    if offset < 0:
        assert got["total"]["distribution"]["rate"] is None
        assert got["total"]["sku_ratio"]["ratio"] is None
    regions = {g["region"]: g for g in got["regions"]}
    for region in {w["region"] for w in per.values()}:
        check_sum(regions[region], sums([w for w in per.values()
                                         if w["region"] == region], t), region)
    sups = {g["supervisor_id"]: g for g in got["supervisors"]}
    for sup in ("sup1", "sup2"):
        check_sum(sups[co.ids[sup]], sums([w for w in per.values()
                                           if w["sup"] == sup], t), sup)


def test_the_edges_are_where_the_definitions_put_them(chain):
    """The data's own edge cases, checked by name so that a wrong
    definition cannot hide in a sum."""
    co, campaign, lines, ids = chain

    def store(t, code):
        r = co.api("boss", "GET", f"/api/v1/metrics/sell-through?campaign="
                   f"{campaign}&as_of={t.isoformat()}")
        assert r.status_code == 200, r.text
        return {s["code"]: s for s in r.json()["stores"]}[code]

    # the last second of the first week counts, the first after it not
    assert store(d(10), "S03")["distribution"]["sold"] is True
    assert store(d(10), "S08")["distribution"]["sold"] is False
    # a store opening or closing inside the first week is not eligible
    assert store(d(10), "S04")["distribution"]["eligible"] is False
    assert store(d(10), "S05")["distribution"]["eligible"] is False
    assert store(d(10), "S05")["sku_ratio"]["open"] is False
    # S09 closes on L+20: open on L+19, not on L+20
    assert store(d(19), "S09")["sku_ratio"]["open"] is True
    assert store(d(20), "S09")["sku_ratio"]["open"] is False
    # edge-30 repeats on L+31 (30 local days after its first purchase),
    # edge-31 never: the change from L+30 to L+31 is what the definition
    # says, and without edge-30's lines it would be one less
    before, after = store(d(30), "S01"), store(d(31), "S01")
    want = (expected(lines, ids, d(31))[1]["S01"]["repeaters"] -
            expected(lines, ids, d(30))[1]["S01"]["repeaters"])
    assert after["repurchase"]["repeaters"] - \
        before["repurchase"]["repeaters"] == want
    rest = [x for x in lines if x["member"] != "edge-30"]
    assert (expected(rest, ids, d(31))[1]["S01"]["repeaters"] -
            expected(rest, ids, d(30))[1]["S01"]["repeaters"]) == want - 1
    edge31 = [x for x in lines if x["member"] != "edge-31"]
    assert expected(edge31, ids, d(40))[1]["S01"]["repeaters"] == \
        store(d(40), "S01")["repurchase"]["repeaters"]


def test_another_company_cannot_read_the_campaign(chain, world):
    co, campaign, _, _ = chain
    other = Company(co.stack, "selx", [("boss", "admin", None)], PASSWORD)
    r = other.api("boss", "GET",
                  f"/api/v1/metrics/sell-through?campaign={campaign}")
    assert r.status_code == 404, r.text

"""The metrics API (issue 14) against an independent reference.

Every number of GET /api/v1/metrics/{stage-health,funnel,consistency,
heatmap,losses} must equal what the contract (the metrics API notes) says,
computed here in Python straight from its definitions over data this test
writes with SQL (rows written by any path count): a company in Shanghai
(the machine runs in UTC) with two managers one under the other, six reps
(one without customers, one inactive), ~80 customers whose histories go
forward, back, skip stages, get lost and reopened, tie on the same
millisecond, were written out of order or name a stage the rules do not
know, and activities of every kind placed on the local midnights around
every window's edges.  Each metric is asked for the whole company, both
teams, single reps, a manager's and a rep's own scope, at fixed days and
at "now".  Also: who may ask for what (404), bad dates (400), the
consistency sample (same within an ISO week, different across weeks and
across the turn of an ISO year, by SHA-256 as specified, in a company of
12 sampled reps), a company in New York across the end of summer time,
moves ordered by their milliseconds, changed thresholds apply on the next
request, a new effective activity shows on the very next request whichever
worker answers, rows changed or deleted by SQL show at once, and rows of a
transaction that commits after a later one count from its commit on."""
import concurrent.futures
import datetime as dt
import hashlib
import math
import os
import random
import re
import shutil
import subprocess
import tempfile
import uuid
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import requests

from identity import Account, Client

PASSWORD = "Metrics-Test-Pass-2026"
ZONE_NAME = "Asia/Shanghai"
ZONE = ZoneInfo(ZONE_NAME)
UTC = dt.timezone.utc
AS_OF = dt.date(2026, 11, 30)
MS = dt.timedelta(milliseconds=1)
DAY = dt.timedelta(days=1)

# stages.lua (defaults), in rule order.
ORDER = ["lead", "intent", "advancing", "quote", "contract", "lost"]
OPEN = ["lead", "intent", "advancing", "quote"]
LOST = {"lost"}
STAGE_NAMES = {"lead": "线索", "intent": "意向", "advancing": "推进中",
               "quote": "报价", "contract": "合同", "lost": "丢单"}
REASONS = {"price": "价格", "competitor": "选择竞品", "budget": "预算取消",
           "no_decision": "迟迟不决策", "other": "其他"}
KINDS = ["visit", "call", "meeting", "message", "demo", "training"]
# thresholds.lua (defaults), as exact decimals.
TH = {"healthy": Fraction("0.85"), "warning": Fraction("0.70"),
      "window_days": 7, "deviation": Fraction("0.15"),
      "sample": Fraction("0.10"), "dormant_days": 90,
      "loss": Fraction("0.5"), "rise": Fraction("0.15")}

# login, role, manager, display name, active.  Created in this order so that
# ids do not follow names; r2 and r3 share a name (sorted by id then).
PEOPLE = [
    ("boss", "admin", None, "Boss Admin", True),
    ("m1", "manager", None, "Mgr One", True),
    ("r4", "rep", "m1", "Rep Delta", True),      # owns nothing
    ("m2", "manager", "m1", "Mgr Two", True),
    ("r3", "rep", "m2", "Rep Bravo", True),
    ("r1", "rep", "m1", "Rep Alpha", True),
    ("r2", "rep", "m2", "Rep Bravo", True),
    ("r5", "rep", "m2", "Rep Echo", False),      # inactive, owns customers
    ("r6", "rep", "m1", "Rep Foxtrot", True),    # a funnel change of 0.15
]


# -- time ------------------------------------------------------------------
def L(y, mo, d, h=0, mi=0, s=0, ms=0, zone=None, fold=0):
    """A wall-clock time of the zone (Shanghai) as a naive UTC datetime."""
    t = dt.datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=zone or ZONE,
                    fold=fold)
    return t.astimezone(UTC).replace(tzinfo=None)


def midnight(day, zone=None):
    return L(day.year, day.month, day.day, zone=zone)


def local_day(at, zone=None):
    return at.replace(tzinfo=UTC).astimezone(zone or ZONE).date()


def sqlt(at):
    return at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"


def parse_t(s):
    """The API's "t" (UTC, ISO 8601 with Z, maybe milliseconds)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", s or "")
    assert m, f"bad t {s!r}"
    t = dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    if m.group(2):
        t += dt.timedelta(milliseconds=int((m.group(2)[1:] + "000")[:3]))
    return t


def iso_t(at):
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{at.microsecond // 1000:03d}Z"


def parse_now(got):
    """T of an answer without as_of: its "t" (to the second, T lies within
    that second), or the machine's clock when the answer has no "t"."""
    if not isinstance(got, dict) or "t" not in got:
        return dt.datetime.now(UTC).replace(tzinfo=None)
    t = parse_t(got["t"])
    return t + dt.timedelta(milliseconds=999) if "." not in got["t"] else t


class TAt:
    """A "t": this instant, written with or without milliseconds."""

    def __init__(self, at):
        self.at = at

    def ok(self, got):
        try:
            return parse_t(got) == self.at
        except AssertionError:
            return False

    def __repr__(self):
        return self.at.strftime("%Y-%m-%dT%H:%M:%SZ")


def tinc_of_as_of(day, zone=None):
    """T for as_of: the last millisecond of that local day (DATETIME(3)):
    `at <= T` is `at < next local midnight`."""
    return midnight(day + DAY, zone) - MS


# -- exact rounding --------------------------------------------------------
def round4(x, half_even=False):
    if x is None:
        return None
    x = Fraction(x)
    q = x * 10000
    f = math.floor(q)
    rest = q - f
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and
                                 (not half_even or f % 2 == 1)):
        f += 1
    return Fraction(f, 10000)


class Rate:
    """An exact rate the API rounds to 4 decimals (either half rule)."""

    def __init__(self, x):
        self.x = Fraction(x)

    def ok(self, got):
        return isinstance(got, (int, float)) and not isinstance(got, bool) \
            and any(abs(Fraction(got) - r) < Fraction(1, 10**9)
                    for r in (round4(self.x), round4(self.x, True)))

    def __repr__(self):
        return f"{float(round4(self.x))} (={self.x})"


class Approx:
    """An exact value the contract does not say how to round: equal to 4
    decimals."""

    def __init__(self, x):
        self.x = Fraction(x)

    def ok(self, got):
        return isinstance(got, (int, float)) and not isinstance(got, bool) \
            and abs(Fraction(got) - self.x) <= Fraction(1, 20000) + \
            Fraction(1, 10**9)

    def __repr__(self):
        return f"~{float(self.x)} (={self.x})"


class Either:
    """Where the contract reads two ways: any of these."""

    def __init__(self, *vals):
        self.vals = vals

    def __repr__(self):
        return " or ".join(repr(v) for v in self.vals)


def compare(path, want, got, errs):
    if isinstance(want, Either):
        for v in want.vals:
            e = []
            compare(path, v, got, e)
            if not e:
                return
        errs.append(f"{path}: expected {want!r}, got {got!r}")
    elif hasattr(want, "ok"):
        if not want.ok(got):
            errs.append(f"{path}: expected {want!r}, got {got!r}")
    elif isinstance(want, dict):
        if not isinstance(got, dict):
            errs.append(f"{path}: expected an object, got {got!r}"[:300])
            return
        for k, v in want.items():
            if k not in got:
                errs.append(f"{path}.{k}: missing (expected {v!r})"[:300])
            else:
                compare(f"{path}.{k}", v, got[k], errs)
    elif isinstance(want, list):
        if not isinstance(got, list):
            errs.append(f"{path}: expected a list, got {got!r}"[:300])
            return
        if len(want) != len(got):
            errs.append(f"{path}: expected {len(want)} items, got "
                        f"{len(got)}: want {want!r} got {got!r}"[:1500])
        for i, (w, g) in enumerate(zip(want, got)):
            label = ""
            if isinstance(w, dict):
                label = "".join(f"[{k}={w[k]}]" for k in ("stage", "rep",
                                                           "reason")
                                if k in w)
            compare(f"{path}[{i}]{label}", w, g, errs)
    elif isinstance(want, bool) or want is None:
        if got is not want:
            errs.append(f"{path}: expected {want!r}, got {got!r}")
    elif isinstance(want, int):
        if isinstance(got, bool) or not isinstance(got, (int, float)) or \
                got != want:
            errs.append(f"{path}: expected {want!r}, got {got!r}")
    else:
        if got != want:
            errs.append(f"{path}: expected {want!r}, got {got!r}")


# -- the reference ---------------------------------------------------------
class Data:
    """What the company holds, as written (ids read back)."""

    def __init__(self, zone=None):
        self.zone = zone or ZONE
        self.tenant_id = 0
        self.users = {}        # id -> dict(login, role, name, active, mgr)
        self.ids = {}          # login -> id
        self.customers = {}    # id -> dict(owner, name)
        self.events = []       # dict(id, cid, frm, to, at, reason)
        self.acts = []         # dict(id, cid, rep, kind, at, eff)

    def subtree(self, uid):
        out, todo = set(), [uid]
        while todo:
            u = todo.pop()
            out.add(u)
            todo += [k for k, v in self.users.items() if v["mgr"] == u]
        return out

    def scope_users(self, scope, sid):
        if scope == "tenant":
            return set(self.users)
        if scope == "team":
            return self.subtree(sid)
        return {sid}

    def evs(self, cid):
        return sorted((e for e in self.events if e["cid"] == cid),
                      key=lambda e: (e["at"], e["id"]))

    def stage_at(self, cid, tinc):
        last = None
        for e in self.evs(cid):
            if e["at"] <= tinc:
                last = e
        return last["to"] if last else None

    def custs_in(self, users):
        return sorted(c for c, v in self.customers.items()
                      if v["owner"] in users)


def status_of(h, th):
    if h is None:
        return None
    if h >= th["healthy"]:
        return "healthy"
    if h >= th["warning"]:
        return "warning"
    return "zombie"


def ref_stage_health(d, scope, sid, tinc, as_of, th=TH):
    users = d.scope_users(scope, sid)
    custs = d.custs_in(users)
    lo = tinc - dt.timedelta(days=th["window_days"])
    active = {a["cid"] for a in d.acts
              if a["eff"] and lo < a["at"] <= tinc}
    stage = {c: d.stage_at(c, tinc) for c in custs}
    out = []
    for s in OPEN:
        members = [c for c in custs if stage[c] == s]

        def cell(cs):
            n = len(cs)
            a = sum(1 for c in cs if c in active)
            h = round4(Fraction(a, n)) if n else None
            return {"n": n, "active": a,
                    "health": Rate(Fraction(a, n)) if n else None,
                    "status": status_of(h, th)}
        row = {"stage": s, "name": STAGE_NAMES[s], **cell(members)}
        reps = []
        for rep in sorted({d.customers[c]["owner"] for c in members}):
            reps.append({"rep": rep, "name": d.users[rep]["name"],
                         **cell([c for c in members
                                 if d.customers[c]["owner"] == rep])})
        row["reps"] = reps
        out.append(row)
    return {"scope": scope, "as_of": as_of and as_of.isoformat(),
            "t": TAt(tinc + MS) if as_of else None,
            "window_days": th["window_days"],
            "thresholds": {"healthy": Approx(th["healthy"]),
                           "warning": Approx(th["warning"])},
            "stages": out}


def funnel_rows(d, custs, tinc, f_utc, t_utc):
    out = {}
    for s in OPEN:
        entered = advanced = lost = 0
        for c in custs:
            evs = d.evs(c)
            first = next((i for i, e in enumerate(evs) if e["to"] == s and
                          f_utc <= e["at"] < t_utc), None)
            if first is None:
                continue
            entered += 1
            after = [e for e in evs[first + 1:] if e["at"] <= tinc]
            # a stage the rules do not know is not "later in rule order"
            if any(e["to"] not in LOST and e["to"] in ORDER and
                   ORDER.index(e["to"]) > ORDER.index(s) for e in after):
                advanced += 1
            elif after and after[0]["to"] in LOST:
                lost += 1
        out[s] = (entered, advanced, lost)
    return out


def ref_funnel(d, scope, sid, tinc, as_of, frm=None, to=None, th=TH):
    if to is None:
        to = local_day(tinc, d.zone) + DAY
        frm = to - 30 * DAY
    ln = to - frm
    pf, pt = frm - ln, frm
    custs = d.custs_in(d.scope_users(scope, sid))
    z = d.zone
    cur = funnel_rows(d, custs, tinc, midnight(frm, z), midnight(to, z))
    prev = funnel_rows(d, custs, tinc, midnight(pf, z), midnight(pt, z))
    stages = []
    for i, s in enumerate(OPEN):
        e, a, lo = cur[s]
        pe, pa, _ = prev[s]
        lr = Fraction(1) - Fraction(a, e) if e else None
        plr = Fraction(1) - Fraction(pa, pe) if pe else None
        if lr is not None and plr is not None:
            # change of the rounded rates, or the rounded change of exact
            # ones: the contract allows either reading.
            ch1 = round4(lr) - round4(plr)
            ch2 = round4(lr - plr)
            change = Either(Rate(ch1), Rate(ch2)) if ch1 != ch2 else Rate(ch1)
            brk = {round4(lr) >= th["loss"] or c >= th["rise"]
                   for c in (ch1, ch2)}
        else:
            change = None
            brk = {lr is not None and round4(lr) >= th["loss"]}
        nxt = OPEN[i + 1] if i + 1 < len(OPEN) else None
        row = {"stage": s, "name": STAGE_NAMES[s],
               "next": nxt if nxt else Either(None, "contract"),
               "next_name": STAGE_NAMES[nxt] if nxt else
               Either(None, STAGE_NAMES["contract"]),
               "entered": e, "advanced": a, "lost": lo,
               "stalled": e - a - lo,
               "loss_rate": Rate(lr) if lr is not None else None,
               "prev_entered": pe,
               "prev_loss_rate": Rate(plr) if plr is not None else None,
               "change": change,
               "break": brk.pop() if len(brk) == 1 else Either(True, False)}
        stages.append(row)
    return {"scope": scope, "as_of": as_of and as_of.isoformat(),
            **({"t": TAt(tinc + MS)} if as_of else {}),
            "from": frm.isoformat(), "to": to.isoformat(),
            "prev_from": pf.isoformat(), "prev_to": pt.isoformat(),
            "thresholds": {"loss": Approx(th["loss"]),
                           "rise": Approx(th["rise"])},
            "stages": stages}


def iso_week(day):
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def pools(d, tinc, reps, th=TH):
    lo = tinc - dt.timedelta(days=th["dormant_days"])
    touched = {a["cid"] for a in d.acts if lo < a["at"] <= tinc}
    out = {}
    for r in reps:
        pool = [c for c, v in d.customers.items() if v["owner"] == r and
                d.stage_at(c, tinc) in OPEN]
        out[r] = (len(pool), sum(1 for c in pool if c not in touched))
    return out


def ref_sample(d, tinc, day, th=TH):
    """The tenant's sample: ids of the reps drawn, in draw order."""
    reps = [u for u, v in d.users.items() if v["role"] == "rep" and
            v["active"]]
    p = pools(d, tinc, reps, th)
    cand = [r for r in reps if p[r][0] > 0]
    week = iso_week(day)
    cand.sort(key=lambda r: hashlib.sha256(
        f"{d.tenant_id}:{week}:{r}".encode()).hexdigest())
    if not cand:
        return [], p
    k = max(1, math.ceil(th["sample"] * len(cand)))
    return cand[:k], p


def ref_consistency(d, scope, sid, tinc, as_of, th=TH):
    day = as_of if as_of else local_day(tinc, d.zone)
    sample, _ = ref_sample(d, tinc, day, th)
    users = d.scope_users(scope, sid)
    listed = sorted(u for u in users if d.users[u]["role"] == "rep" and
                    d.users[u]["active"])
    p = pools(d, tinc, set(listed) | set(sample), th)
    share = {r: Fraction(p[r][1], p[r][0]) if p[r][0] else None
             for r in p}
    mean = (sum(share[r] for r in sample) / len(sample)) if sample else None
    reps = {}
    for r in listed:
        sh = share[r]
        reps[r] = {"rep": r, "name": d.users[r]["name"], "pool": p[r][0],
                   "dormant": p[r][1],
                   "share": Approx(sh) if sh is not None else None,
                   "sampled": r in sample,
                   "flagged": sh is not None and mean is not None and
                   abs(sh - mean) > th["deviation"]}
    return {"scope": scope, "as_of": as_of and as_of.isoformat(),
            **({"t": TAt(tinc + MS)} if as_of else {}),
            "week": iso_week(day), "dormant_days": th["dormant_days"],
            "deviation": Approx(th["deviation"]),
            "sample": Approx(th["sample"]),
            "mean": Approx(mean) if mean is not None else None,
            "sample_size": len(sample), "reps": reps}, sample


def ref_heatmap(d, scope, sid, tinc, frm=None, to=None):
    if to is None:
        to = local_day(tinc, d.zone)
        frm = to - 29 * DAY
    days = [frm + i * DAY for i in range((to - frm).days + 1)]
    idx = {day: i for i, day in enumerate(days)}
    users = d.scope_users(scope, sid)
    rows = {u: {"all": [0] * len(days), "effective": [0] * len(days)}
            for u in users if d.users[u]["role"] == "rep" and
            d.users[u]["active"]}
    for a in d.acts:
        if a["rep"] not in users:
            continue
        i = idx.get(local_day(a["at"], d.zone))
        if i is None:
            continue
        r = rows.setdefault(a["rep"], {"all": [0] * len(days),
                                       "effective": [0] * len(days)})
        r["all"][i] += 1
        r["effective"][i] += 1 if a["eff"] else 0
    reps = [{"rep": u, "name": d.users[u]["name"], **rows[u]}
            for u in sorted(rows, key=lambda u: (d.users[u]["name"], u))]
    return {"scope": scope, "from": frm.isoformat(), "to": to.isoformat(),
            "days": [x.isoformat() for x in days], "reps": reps,
            "max": max((x for r in reps for x in r["all"]), default=0)}


def ref_losses(d, scope, sid, tinc, frm=None, to=None):
    if to is None:
        to = local_day(tinc, d.zone) + DAY
        frm = to - 30 * DAY
    custs = set(d.custs_in(d.scope_users(scope, sid)))
    f_utc, t_utc = midnight(frm, d.zone), midnight(to, d.zone)
    rows = [e for e in d.events if e["cid"] in custs and e["to"] in LOST and
            f_utc <= e["at"] < t_utc]
    by = {}
    for e in rows:
        by.setdefault(e["frm"], []).append(e)
    out = []
    for s in sorted(by, key=lambda s: (-len(by[s]), ORDER.index(s)
                                       if s in ORDER else len(ORDER))):
        rs = {}
        for e in by[s]:
            k = e["reason"] or ""
            rs[k] = rs.get(k, 0) + 1
        reasons = []
        for k in sorted(rs, key=lambda k: (-rs[k], k)):
            item = {"reason": k, "count": rs[k]}
            if k in REASONS:
                item["name"] = REASONS[k]
            reasons.append(item)
        out.append({"stage": s, "name": STAGE_NAMES[s], "count": len(by[s]),
                    "reasons": reasons})
    return {"scope": scope, "from": frm.isoformat(), "to": to.isoformat(),
            "total": len(rows), "by_stage": out,
            "top_stage": out[0]["stage"] if out else None}


# -- the company -----------------------------------------------------------
def sql_chunks(stack, head, rows, n=150):
    for i in range(0, len(rows), n):
        stack.sql(head + ",\n".join(rows[i:i + n]))


def q(s):
    return "NULL" if s is None else "'" + str(s).replace("'", "''") + "'"


def make_company(stack, people, slug_prefix, zone_name=ZONE_NAME):
    slug = slug_prefix + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Metrics " + slug, "--tz", zone_name)
    d = Data(ZoneInfo(zone_name))
    for login, role, mgr, name, _ in people:
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--name", name, "--password-stdin"]
        if mgr:
            args += ["--manager", mgr]
        r = stack.cli(*args, input_text=PASSWORD + "\n")
        assert "created" in r.stdout, r.stderr
    d.tenant_id = int(stack.sql(
        f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    for row in stack.sql("SELECT login, id FROM users WHERE tenant_id = "
                         f"{d.tenant_id}"):
        d.ids[row[0]] = int(row[1])
    for login, role, mgr, name, active in people:
        d.users[d.ids[login]] = {"login": login, "role": role, "name": name,
                                 "active": active,
                                 "mgr": d.ids[mgr] if mgr else None}
        if not active:
            stack.sql(f"UPDATE users SET active = 0 WHERE id = "
                      f"{d.ids[login]}")
    return slug, d


def write_data(stack, d, customers):
    """customers: list of (name, owner login, [(at, to, reason)...] in
    insertion order, [(at, rep login, kind, eff)...])."""
    tid = d.tenant_id
    rows = []
    for name, owner, evs, acts in customers:
        last = max(((at, i) for i, (at, _, _) in enumerate(evs)),
                   default=None)
        st = evs[last[1]][1] if last else "lead"
        since = evs[last[1]][0] if last else L(2026, 1, 1)
        reason = evs[last[1]][2] if last else None
        acts_at = [a[0] for a in acts]
        rows.append(f"({tid}, {q(name)}, {q(name.lower())}, 'hospital', "
                    f"{d.ids[owner]}, {q(st)}, '{sqlt(since)}', {q(reason)}, "
                    f"'', {q(sqlt(max(acts_at))) if acts_at else 'NULL'}, "
                    f"{d.ids[owner]}, '{sqlt(min([e[0] for e in evs]))}')")
    sql_chunks(stack, "INSERT INTO customers (tenant_id, name, name_key, "
               "kind, owner_id, stage, stage_since, lost_reason, note, "
               "last_activity_at, created_by, created_at) VALUES ", rows)
    cid = {r[0]: int(r[1]) for r in stack.sql(
        f"SELECT name, id FROM customers WHERE tenant_id = {tid}")}
    ev_rows, want_ev, act_rows, want_act = [], [], [], []
    for name, owner, evs, acts in customers:
        c = cid[name]
        d.customers[c] = {"owner": d.ids[owner], "name": name}
        prev = None
        for at, to, reason in evs:
            code = "created" if prev is None else "lost" if to in LOST \
                else "ok"
            ev_rows.append(
                f"({tid}, {c}, {q(prev)}, {q(to)}, {d.ids[owner]}, "
                f"'{sqlt(at)}', {q(code)}, {q(reason)}, 'api')")
            want_ev.append({"cid": c, "frm": prev, "to": to, "at": at,
                            "reason": reason})
            prev = to
        for at, rep, kind, eff in acts:
            act_rows.append(f"({tid}, {c}, {d.ids[rep]}, {q(kind)}, 'done', "
                            f"'{sqlt(at)}', 'metrics test', "
                            f"{'1' if eff else '0'})")
            want_act.append({"cid": c, "rep": d.ids[rep], "kind": kind,
                             "at": at, "eff": eff})
    sql_chunks(stack, "INSERT INTO stage_events (tenant_id, customer_id, "
               "from_stage, to_stage, by_user, at, code, lost_reason, via) "
               "VALUES ", ev_rows)
    sql_chunks(stack, "INSERT INTO activities (tenant_id, customer_id, "
               "rep_id, kind, status, at, content, effective) VALUES ",
               act_rows)
    # Read the rows back: ids in insertion order, times to the millisecond.
    got = stack.sql("SELECT id, customer_id, IFNULL(from_stage, '~'), "
                    "to_stage, at, IFNULL(lost_reason, '~') FROM stage_events "
                    f"WHERE tenant_id = {tid} ORDER BY id")
    assert len(got) == len(want_ev)
    for g, w in zip(got, want_ev):
        assert [int(g[1]), g[2], g[3], g[4], g[5]] == [
            w["cid"], w["frm"] or "~", w["to"], sqlt(w["at"]),
            w["reason"] or "~"], (g, w)
        d.events.append({**w, "id": int(g[0])})
    got = stack.sql("SELECT id, customer_id, rep_id, kind, at, effective "
                    f"FROM activities WHERE tenant_id = {tid} ORDER BY id")
    assert len(got) == len(want_act)
    for g, w in zip(got, want_act):
        assert [int(g[1]), int(g[2]), g[3], g[4], g[5]] == [
            w["cid"], w["rep"], w["kind"], sqlt(w["at"]),
            "1" if w["eff"] else "0"], (g, w)
        d.acts.append({**w, "id": int(g[0])})


M = midnight(AS_OF + DAY)              # 2026-12-01 00:00 Shanghai
W7 = M - 7 * DAY                       # stage health window start
D90 = M - 90 * DAY                     # dormancy window start
F = midnight(dt.date(2026, 11, 1))     # default funnel window start
P = midnight(dt.date(2026, 10, 2))     # its previous window start


def edge_customers():
    """Customers whose answers are known by construction (see
    test_the_reference_knows_the_edges)."""
    t0 = L(2026, 10, 1, 9)
    return [
        # name, owner, events (at, to, reason) in insertion order, acts
        ("E01 active at W7", "r1", [(t0, "lead", None)],
         [(W7, "r1", "visit", True)]),
        ("E02 one ms early", "r1", [(t0, "lead", None)],
         [(W7 - MS, "r1", "call", True), (L(2026, 11, 28, 10), "r1",
                                           "call", False)]),
        ("E03 last ms of T", "r1", [(t0, "lead", None),
                                    (L(2026, 10, 9), "intent", None)],
         [(M - MS, "r1", "meeting", True)]),
        ("E04 at next midnight", "r1", [(t0, "lead", None),
                                        (L(2026, 10, 9), "intent", None)],
         [(M, "r1", "demo", True)]),
        ("E05 moves at M", "r2", [(t0, "lead", None), (M, "intent", None)],
         []),
        ("E06 tie forward", "r2", [(t0, "lead", None),
                                   (L(2026, 11, 3, 10), "intent", None),
                                   (L(2026, 11, 3, 10), "advancing", None)],
         [(L(2026, 11, 29, 23, 59, 59, 999), "m2", "message", True)]),
        ("E07 tie back", "r2", [(t0, "lead", None),
                                (L(2026, 11, 4, 11), "intent", None),
                                (L(2026, 11, 4, 11), "lead", None)], []),
        ("E08 written late", "r2", [(t0, "lead", None),
                                    (L(2026, 11, 20, 8), "intent", None),
                                    (L(2026, 11, 10, 8), "advancing", None)],
         [(L(2026, 11, 27), "r1", "training", True)]),
        ("E09 born after T", "r3", [(L(2026, 12, 2, 9), "lead", None)],
         [(L(2026, 12, 2, 10), "r3", "visit", True)]),
        ("E10 won", "r3", [(t0, "lead", None), (L(2026, 10, 3), "intent",
                                                 None),
                           (L(2026, 10, 5), "advancing", None),
                           (L(2026, 10, 8), "quote", None),
                           (L(2026, 11, 5), "contract", None)],
         [(L(2026, 11, 29, 12), "r3", "visit", True)]),
        ("E11 lost", "r3", [(t0, "lead", None),
                            (L(2026, 11, 15), "lost", "price")], []),
        ("E12 lost reopened", "r3", [(L(2026, 10, 5), "lead", None),
                                     (L(2026, 11, 3), "lost", "competitor"),
                                     (L(2026, 11, 12), "intent", None)],
         [(L(2026, 11, 25), "r3", "call", True)]),
        ("E13 inactive owner", "r5", [(t0, "lead", None),
                                      (L(2026, 10, 2), "intent", None),
                                      (L(2026, 10, 4), "advancing", None)],
         [(L(2026, 11, 26), "r5", "visit", True)]),
        ("E14 others act", "r2", [(t0, "lead", None)],
         [(L(2026, 11, 28), "m2", "meeting", True),
          (L(2026, 11, 29), "r1", "call", False)]),
        ("E15 act after T", "r1", [(t0, "lead", None),
                                   (L(2026, 10, 2), "intent", None),
                                   (L(2026, 10, 3), "advancing", None),
                                   (L(2026, 10, 4), "quote", None)],
         [(L(2026, 12, 2), "r1", "visit", True)]),
        ("E16 enters at F", "r1", [(F, "lead", None),
                                   (L(2026, 11, 20), "intent", None)], []),
        ("E17 enters 1ms before F", "r1", [(F - MS, "lead", None),
                                           (L(2026, 11, 20), "intent",
                                            None)], []),
        ("E18 advances at M", "r2", [(L(2026, 10, 20), "lead", None),
                                     (M - MS, "intent", None),
                                     (M, "advancing", None)], []),
        ("E19 enters twice", "r2", [(L(2026, 10, 20), "lead", None),
                                    (L(2026, 11, 5), "intent", None),
                                    (L(2026, 11, 8), "lead", None),
                                    (L(2026, 11, 15), "intent", None),
                                    (L(2026, 11, 20), "advancing", None)],
         []),
        ("E20 lost reopened advanced", "r3",
         [(L(2026, 10, 20), "lead", None), (L(2026, 10, 21), "intent", None),
          (L(2026, 11, 6), "advancing", None),
          (L(2026, 11, 9), "lost", "budget"), (L(2026, 11, 12), "lead", None),
          (L(2026, 11, 14), "intent", None),
          (L(2026, 11, 16), "advancing", None),
          (L(2026, 11, 18), "quote", None)], []),
        ("E21 back then lost", "r3",
         [(L(2026, 10, 1), "lead", None), (L(2026, 10, 2), "intent", None),
          (L(2026, 10, 3), "advancing", None),
          (L(2026, 11, 10), "quote", None),
          (L(2026, 11, 12), "advancing", None),
          (L(2026, 11, 14), "lost", "no_decision")], []),
        ("E22 skips", "r1", [(L(2026, 11, 2), "lead", None),
                             (L(2026, 11, 4), "quote", None)], []),
        ("E23 lost no reason", "r1", [(L(2026, 11, 2), "lead", None),
                                      (L(2026, 11, 7), "lost", None)], []),
        ("E24 dormant edge in", "r3", [(L(2026, 7, 1), "lead", None),
                                       (L(2026, 7, 2), "intent", None)],
         [(D90, "r3", "message", False)]),
        ("E25 dormant edge out", "r3", [(L(2026, 7, 1), "lead", None),
                                        (L(2026, 7, 2), "intent", None)],
         [(D90 - MS, "r3", "message", True)]),
        ("E26 dormant act after T", "r3", [(L(2026, 7, 1), "lead", None)],
         [(M, "r3", "visit", True)]),
        ("E27 future", "r2", [(L(2026, 7, 1), "lead", None),
                              (L(2027, 3, 1), "intent", None)],
         [(L(2027, 3, 1), "r2", "visit", True)]),
        ("E28 live", "r1", [(L(2026, 9, 1), "lead", None)], []),
        ("E29 heatmap edges", "r2", [(L(2026, 9, 1), "lead", None)],
         [(F - MS, "r4", "call", True), (F, "r4", "call", True),
          (F, "r4", "visit", False), (M - MS, "r4", "call", False),
          (M, "r4", "call", True), (L(2026, 11, 15, 12), "boss", "meeting",
                                    True),
          (L(2026, 11, 30, 23, 59, 59, 999), "r5", "visit", True)]),
        ("E30 lost at F", "r2", [(L(2026, 10, 1), "lead", None),
                                 (F, "lost", "price"),
                                 (M - MS, "lead", None),
                                 (M, "lost", "price")], []),
        # A stage the rules do not know (an old rule version's): not open,
        # not later in rule order.
        ("E32 unknown stage", "r3", [(L(2026, 11, 2), "lead", None),
                                     (L(2026, 11, 6), "archived", None)],
         [(L(2026, 11, 27), "r3", "call", True)]),
    ]


def rise_customers():
    """r6's leads: 4 in the previous window, 3 advanced (loss 0.25); 5 in
    the window, 3 advanced (loss 0.4): a change of exactly 0.15 = rise, so
    a break although 0.4 < loss."""
    out = []
    for i in range(4):
        evs = [(L(2026, 10, 10 + i, 10), "lead", None)]
        if i < 3:
            evs.append((L(2026, 10, 20 + i, 10), "intent", None))
        out.append((f"F{i} previous", "r6", evs,
                    [(L(2026, 11, 27, 9), "r6", "visit", i % 2 == 0)]))
    for i in range(5):
        evs = [(L(2026, 11, 5 + i, 10), "lead", None)]
        if i < 3:
            evs.append((L(2026, 11, 15 + i, 10), "intent", None))
        out.append((f"F{i} current", "r6", evs,
                    [(L(2026, 11, 28, 9), "r6", "call", i % 3 != 0)]))
    return out


def same_second_customers():
    """Stage moves whose order is in their milliseconds: the later one
    written first (a lower id).  Ties are on the millisecond only."""
    return [
        # Two moves in one second, the later one (by milliseconds) written
        # first: ordered by at, not by id (ties are on the millisecond).
        ("E31 same second", "x1", [(L(2026, 10, 1), "lead", None),
                                   (L(2026, 11, 10, 10, 0, 0, 900), "intent",
                                    None),
                                   (L(2026, 11, 10, 10, 0, 0, 100), "lost",
                                    "budget")],
         [(L(2026, 11, 29), "x1", "visit", True)]),
        ("E33 lost within a second", "x1",
         [(L(2026, 10, 1), "lead", None),
          (L(2026, 11, 12, 9, 30, 0, 800), "intent", None),
          (L(2026, 11, 12, 9, 30, 0, 700), "lead", None),
          (L(2026, 11, 20, 9, 30, 0, 999), "lost", "price"),
          (L(2026, 11, 20, 9, 30, 0, 5), "advancing", None)],
         [(L(2026, 11, 28), "x1", "call", False)]),
    ]


NY = ZoneInfo("America/New_York")
AS_NY = dt.date(2026, 11, 5)   # the Thursday after summer time ended


def N(*a, **k):
    return L(*a, zone=NY, **k)


def ny_customers():
    """A company in New York around the end of summer time (1 November
    2026, 02:00 EDT -> 01:00 EST: a day of 25 hours)."""
    m = midnight(AS_NY + DAY, NY)           # T of AS_NY, exclusive
    w7 = m - 7 * DAY                        # 10-30 01:00 EDT, not midnight
    m1 = midnight(dt.date(2026, 11, 2), NY)
    t0 = N(2026, 9, 1, 9)
    lead = [(t0, "lead", None)]
    intent = lead + [(N(2026, 10, 10, 9), "intent", None)]
    return [
        ("N01 local day, not 7x86400 s", "y1", lead,
         [(N(2026, 10, 30, 0, 30), "y1", "visit", True)]),
        ("N02 at T-7d", "y1", lead, [(w7, "y1", "call", True)]),
        ("N03 1 ms before T-7d", "y1", lead,
         [(w7 - MS, "y1", "call", True)]),
        ("N04 last ms of T", "y2", intent,
         [(N(2026, 11, 5, 23, 59, 59, 999), "y2", "demo", True)]),
        ("N05 after T", "y2", intent, [(m, "y2", "demo", True)]),
        ("N06 the long day", "y2", lead,
         [(N(2026, 11, 1, 1, 30), "y2", "visit", True),
          (N(2026, 11, 1, 1, 30, fold=1), "y2", "visit", False),
          (N(2026, 11, 1, 23, 59, 59, 999), "y2", "call", True),
          (N(2026, 11, 2), "y2", "call", False),
          (N(2026, 10, 31, 23, 59, 59, 999), "n1", "meeting", True)]),
        ("N07 enters at the long day's start", "y1",
         lead + [(N(2026, 11, 1), "intent", None),
                 (N(2026, 11, 3), "advancing", None)], []),
        ("N08 enters in its 25th hour", "y1",
         lead + [(N(2026, 11, 1, 23, 30), "intent", None),
                 (N(2026, 11, 4), "lost", "competitor")], []),
        ("N09 enters the next day", "y2",
         lead + [(N(2026, 11, 2), "intent", None)], []),
        ("N10 enters the day before", "y2",
         lead + [(N(2026, 10, 31, 23, 59, 59, 999), "intent", None)], []),
        ("N11 touched at T-90d", "y3",
         [(N(2026, 7, 1), "lead", None), (N(2026, 7, 2), "intent", None)],
         [(m - 90 * DAY, "y3", "message", False)]),
        ("N12 touched long before", "y3",
         [(N(2026, 7, 1), "lead", None), (N(2026, 7, 2), "intent", None)],
         [(N(2026, 8, 7, 23), "y3", "message", True)]),
        ("N14 lost at the window's start", "y3",
         lead + [(N(2026, 10, 7), "lost", "price")], []),
        ("N15 lost 1 ms before", "y3",
         lead + [(N(2026, 10, 6, 23, 59, 59, 999), "lost", "budget")], []),
        ("N16 a week before the long day, local", "y1", lead,
         [(N(2026, 10, 26, 0, 30), "y1", "visit", True)]),
        ("N17 a week of seconds before the long day", "y1", lead,
         [(m1 - MS - 7 * DAY + MS, "y1", "visit", True)]),
    ]


def random_customers(rng, n):
    """A seeded mix: forward, skips, backs, losses, reopenings, ties, times
    on local midnights."""
    out = []
    owners = ["r1", "r1", "r2", "r2", "r3", "r3", "r5"]
    actors = ["r1", "r2", "r3", "r4", "r5", "m2"]
    lo, hi = L(2026, 8, 1), L(2026, 11, 28)
    end = L(2026, 12, 4, 12)

    def snap(t):
        r = rng.random()
        day = local_day(t)
        if r < 0.25:
            return midnight(day)
        if r < 0.4:
            return midnight(day + DAY) - MS
        return t.replace(microsecond=rng.randrange(1000) * 1000)

    for i in range(n):
        owner = rng.choice(owners)
        t = snap(lo + (hi - lo) * rng.random())
        evs = [(t, "lead", None)]
        cur = "lead"
        for _ in range(rng.randint(0, 7)):
            if rng.random() > 0.08:   # else the same millisecond
                t = snap(t + dt.timedelta(seconds=rng.randint(
                    3600, 12 * 86400)))
            if t > end:
                break
            k = ORDER.index(cur)
            if cur == "lost":
                to = rng.choice(["lead", "intent"])
            elif cur == "contract":
                to = rng.choice(["quote", "lost"])
            else:
                r = rng.random()
                if r < 0.6:
                    to = ORDER[k + 1]
                elif r < 0.68 and k + 2 <= 4:
                    to = ORDER[k + 2]
                elif r < 0.8 and k > 0:
                    to = ORDER[rng.randrange(k)]
                else:
                    to = "lost"
            reason = rng.choice(list(REASONS) + [None]) \
                if to == "lost" else None
            evs.append((t, to, reason))
            cur = to
        acts = []
        for _ in range(rng.randint(0, 7)):
            at = snap(L(2026, 8, 15) + (end - L(2026, 8, 15)) * rng.random())
            who = owner if rng.random() < 0.7 else rng.choice(actors)
            acts.append((at, who, rng.choice(KINDS), rng.random() < 0.55))
        if rng.random() < 0.9:   # recent work, in T's window
            at = snap(M - 7 * DAY + 7 * DAY * rng.random())
            acts.append((at, owner, rng.choice(KINDS), rng.random() < 0.9))
        out.append((f"R{i:02d} random", owner, evs, acts))
    return out


def tokens(stack, slug, logins):
    out = {}
    for login in logins:
        tok = stack.cli("token", "create", "--tenant", slug, "--user",
                        login).stdout.strip()
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {tok}"
        out[login] = s
    return out


SAMPLE_PEOPLE = [("boss", "admin", None, "Boss", True)] + [
    (f"s{i:02d}", "rep", None, f"Sample {i:02d}", i != 13)
    for i in range(1, 16)]


@pytest.fixture(scope="module")
def co(stack):
    slug, d = make_company(stack, PEOPLE, "mx")
    api = tokens(stack, slug, ["boss", "m1", "m2", "r1", "r2", "r4"])
    # Every metric is asked once before the rows exist (the same questions
    # the tests ask later): whatever an engine keeps must not hide them.
    for what in ("stage-health", "funnel", "consistency", "heatmap",
                 "losses"):
        for caller in ("boss", "m1", "r2"):
            ok(stack, api[caller], what, as_of=AS_OF.isoformat())
    write_data(stack, d, edge_customers() + rise_customers() +
               random_customers(random.Random(14), 40))
    # A second company: 12 reps with customers (the sample is 2 of them),
    # one inactive, one without customers, one whose customer is won.
    slug2, d2 = make_company(stack, SAMPLE_PEOPLE, "ms")
    rng = random.Random(1414)
    cs = []
    for i in range(1, 16):
        if i == 14:
            continue
        for j in range(rng.randint(1, 3)):
            evs = [(L(2026, 6, 1, 9, j), "lead", None)]
            if i == 15:
                evs += [(L(2026, 6, 2), "intent", None),
                        (L(2026, 6, 3), "advancing", None),
                        (L(2026, 6, 4), "quote", None),
                        (L(2026, 6, 5), "contract", None)]
            elif rng.random() < 0.5:
                evs.append((L(2026, 6, 2, 10), rng.choice(OPEN[1:]), None))
            acts = [(L(2026, 12, 1) - rng.randint(1, 200) * DAY,
                     f"s{i:02d}", rng.choice(KINDS), rng.random() < 0.5)
                    for _ in range(rng.randint(0, 2))]
            cs.append((f"S{i:02d}-{j}", f"s{i:02d}", evs, acts))
    write_data(stack, d2, cs)
    api2 = tokens(stack, slug2, ["boss", "s01"])
    # A third: moves within one second, written out of order.
    slug3, d3 = make_company(stack, [("boss", "admin", None, "Boss", True),
                                     ("x1", "rep", None, "Rep X", True)],
                             "mt")
    write_data(stack, d3, same_second_customers())
    api3 = tokens(stack, slug3, ["boss"])
    # A fourth, in New York.
    slug4, d4 = make_company(stack, [
        ("boss", "admin", None, "Boss", True),
        ("n1", "manager", None, "Mgr NY", True),
        ("y1", "rep", "n1", "Rep NY one", True),
        ("y2", "rep", "n1", "Rep NY two", True),
        ("y3", "rep", None, "Rep NY three", True)], "mn", "America/New_York")
    write_data(stack, d4, ny_customers())
    api4 = tokens(stack, slug4, ["boss", "n1"])
    return {"slug": slug, "d": d, "api": api, "slug2": slug2, "d2": d2,
            "api2": api2, "d3": d3, "api3": api3, "d4": d4, "api4": api4}


def get(stack, s, what, **params):
    return s.get(stack.url(f"/api/v1/metrics/{what}"), params=params,
                 timeout=60)


def ok(stack, s, what, **params):
    r = get(stack, s, what, **params)
    assert r.status_code == 200, (what, params, r.status_code, r.text[:500])
    return r.json()


# (label, caller, params, scope, scope id login)
def cases(co):
    ids = co["d"].ids
    return [
        ("tenant (admin default)", "boss", {}, "tenant", None),
        ("tenant", "boss", {"scope": "tenant"}, "tenant", None),
        ("team m1 by admin", "boss", {"scope": "team", "team": ids["m1"]},
         "team", "m1"),
        ("team m1 (default of m1)", "m1", {}, "team", "m1"),
        ("team m2 by m1", "m1", {"scope": "team", "team": ids["m2"]},
         "team", "m2"),
        ("team m2 (default of m2)", "m2", {}, "team", "m2"),
        ("rep r1 by admin", "boss", {"scope": "rep", "rep": ids["r1"]},
         "rep", "r1"),
        ("rep r2 by m1", "m1", {"scope": "rep", "rep": ids["r2"]}, "rep",
         "r2"),
        ("rep r3 by m2", "m2", {"scope": "rep", "rep": ids["r3"]}, "rep",
         "r3"),
        ("rep r5 (inactive) by admin", "boss",
         {"scope": "rep", "rep": ids["r5"]}, "rep", "r5"),
        ("rep r2 (default of r2)", "r2", {}, "rep", "r2"),
        ("rep r2 (r2 for themselves)", "r2",
         {"scope": "rep", "rep": ids["r2"]}, "rep", "r2"),
        ("rep r6 by m1", "m1", {"scope": "rep", "rep": ids["r6"]}, "rep",
         "r6"),
        ("rep m2 (a manager) by m2", "m2",
         {"scope": "rep", "rep": ids["m2"]}, "rep", "m2"),
        ("team r1 (a rep's team) by admin", "boss",
         {"scope": "team", "team": ids["r1"]}, "team", "r1"),
        ("rep r4 (no customers)", "r4", {"scope": "rep"}, "rep", "r4"),
    ]


def check_all(stack, co, what, extra, ref, d=None, api=None, which=None):
    """Ask every case with the extra parameters; compare with ref(d, scope,
    sid, tinc, got) -> expected dict."""
    d = d or co["d"]
    api = api or co["api"]
    errs = []
    for label, caller, params, scope, who in which or cases(co):
        p = {**params, **extra}
        t0 = dt.datetime.now(UTC).replace(tzinfo=None)
        got = ok(stack, api[caller], what, **p)
        t1 = dt.datetime.now(UTC).replace(tzinfo=None)
        sid = d.ids[who] if who else None
        if "as_of" in extra:
            tinc = tinc_of_as_of(dt.date.fromisoformat(extra["as_of"]),
                                 d.zone)
        else:
            # T = now: the reference takes the API's own "t".
            tinc = parse_now(got)
            if "t" in got and not (t0 - dt.timedelta(seconds=1) <= tinc <=
                                   t1 + dt.timedelta(seconds=1)):
                errs.append(f"{what} {label}: t {got['t']} is not now "
                            f"({iso_t(t0)} .. {iso_t(t1)})")
        want = ref(d, scope, sid, tinc, got)
        if sid is not None:
            want["scope_id"] = sid
        e = []
        compare(f"{what} {label} {extra}", want, got, e)
        errs += e
    assert not errs, f"{len(errs)} disagreements:\n" + "\n".join(errs)


# -- the reference itself --------------------------------------------------
def test_the_reference_knows_the_edges(co):
    """Known answers for the hand-made customers, so the reference is not
    merely what the engine would say."""
    d = co["d"]
    by = {v["name"]: c for c, v in d.customers.items()}
    T = tinc_of_as_of(AS_OF)
    st = {n: d.stage_at(c, T) for n, c in by.items()}
    assert st["E05 moves at M"] == "lead"
    assert st["E06 tie forward"] == "advancing"
    assert st["E07 tie back"] == "lead"
    assert st["E08 written late"] == "intent"
    assert st["E09 born after T"] is None
    assert st["E12 lost reopened"] == "intent"
    assert st["E30 lost at F"] == "lead"
    assert st["E32 unknown stage"] == "archived"
    r1 = ref_stage_health(d, "rep", d.ids["r1"], T, AS_OF)
    lead = r1["stages"][0]
    # E01 (at W7) active, E02 (1 ms early) not, E28 none, E16/E17 moved on;
    # plus the random ones: E01 must be in and E02 out.
    lo = T - 7 * DAY
    assert lo < W7 and not lo < W7 - MS
    assert lead["stage"] == "lead"
    f = ref_funnel(d, "rep", d.ids["r1"], T, AS_OF)
    assert (f["from"], f["to"], f["prev_from"], f["prev_to"]) == (
        "2026-11-01", "2026-12-01", "2026-10-02", "2026-11-01")
    # Single customers through the funnel.
    one = {n: funnel_rows(d, [by[n]], T, F, M) for n in by}
    assert one["E16 enters at F"]["lead"] == (1, 1, 0)
    assert one["E17 enters 1ms before F"]["lead"] == (0, 0, 0)
    assert one["E18 advances at M"]["intent"] == (1, 0, 0)
    assert one["E19 enters twice"]["intent"] == (1, 1, 0)
    assert one["E20 lost reopened advanced"]["advancing"] == (1, 1, 0)
    assert one["E20 lost reopened advanced"]["lead"] == (1, 1, 0)
    assert one["E21 back then lost"]["quote"] == (1, 0, 0)
    assert one["E21 back then lost"]["advancing"] == (1, 0, 1)
    assert one["E22 skips"]["lead"] == (1, 1, 0)
    assert one["E22 skips"]["quote"] == (1, 0, 0)
    assert one["E12 lost reopened"]["intent"] == (1, 0, 0)
    assert one["E30 lost at F"]["lead"] == (1, 0, 0)   # lost at M: after T
    assert one["E32 unknown stage"]["lead"] == (1, 0, 0)
    assert funnel_rows(d, [by["E17 enters 1ms before F"]], T, P, F)[
        "lead"] == (1, 1, 0)
    pl = pools(d, T, [d.ids["r3"]])[d.ids["r3"]]
    dorm = {n: d.stage_at(by[n], T) in OPEN and not any(
        a["cid"] == by[n] and T - 90 * DAY < a["at"] <= T for a in d.acts)
        for n in ("E24 dormant edge in", "E25 dormant edge out",
                  "E26 dormant act after T")}
    assert dorm == {"E24 dormant edge in": False,
                    "E25 dormant edge out": True,
                    "E26 dormant act after T": True}
    assert pl[0] >= 3
    h = ref_heatmap(d, "rep", d.ids["r4"], T)
    assert h["days"][0] == "2026-11-01" and h["days"][-1] == "2026-11-30"
    r4 = h["reps"][0]
    assert r4["rep"] == d.ids["r4"]
    assert r4["all"][0] >= 2 and r4["effective"][0] >= 1
    assert r4["all"][-1] >= 1
    f6 = ref_funnel(d, "rep", d.ids["r6"], T, AS_OF)["stages"][0]
    assert (f6["entered"], f6["advanced"], f6["prev_entered"]) == (5, 3, 4)
    assert f6["loss_rate"].x == Fraction("0.4")
    assert f6["prev_loss_rate"].x == Fraction("0.25")
    assert f6["change"].x == Fraction("0.15") and f6["break"] is True
    ls = ref_losses(d, "rep", d.ids["r2"], T)
    assert ls["total"] >= 1   # E30 at F in, at M out


# -- the metrics -----------------------------------------------------------
def test_stage_health_at_a_day(stack, co):
    check_all(stack, co, "stage-health", {"as_of": AS_OF.isoformat()},
              lambda d, sc, sid, t, g: ref_stage_health(d, sc, sid, t,
                                                        AS_OF))


def test_stage_health_at_another_day(stack, co):
    day = dt.date(2026, 12, 3)
    check_all(stack, co, "stage-health", {"as_of": day.isoformat()},
              lambda d, sc, sid, t, g: ref_stage_health(d, sc, sid, t, day))


def test_stage_health_now(stack, co):
    def ref(d, sc, sid, t, got):
        w = ref_stage_health(d, sc, sid, t, None)
        del w["t"]
        return w
    check_all(stack, co, "stage-health", {}, ref)


def test_funnel_default_window(stack, co):
    check_all(stack, co, "funnel", {"as_of": AS_OF.isoformat()},
              lambda d, sc, sid, t, g: ref_funnel(d, sc, sid, t, AS_OF))


def test_funnel_given_window(stack, co):
    f, t_ = dt.date(2026, 11, 10), dt.date(2026, 11, 20)
    check_all(stack, co, "funnel", {"as_of": AS_OF.isoformat(),
                                    "from": f.isoformat(),
                                    "to": t_.isoformat()},
              lambda d, sc, sid, t, g: ref_funnel(d, sc, sid, t, AS_OF,
                                                  f, t_))


def test_funnel_now(stack, co):
    check_all(stack, co, "funnel", {},
              lambda d, sc, sid, t, g: ref_funnel(d, sc, sid, t, None))


def test_losses_now(stack, co):
    check_all(stack, co, "losses", {},
              lambda d, sc, sid, t, g: ref_losses(d, sc, sid, t))


def test_funnel_later_day(stack, co):
    day = dt.date(2026, 12, 3)
    check_all(stack, co, "funnel", {"as_of": day.isoformat()},
              lambda d, sc, sid, t, g: ref_funnel(d, sc, sid, t, day))


def consistency_check(stack, co, extra):
    d = co["d"]
    errs = []
    for label, caller, params, scope, who in cases(co):
        got = ok(stack, co["api"][caller], "consistency", **params, **extra)
        sid = d.ids[who] if who else None
        if "as_of" in extra:
            day = dt.date.fromisoformat(extra["as_of"])
            tinc = tinc_of_as_of(day)
        else:
            day, tinc = None, parse_now(got)
        want, _ = ref_consistency(d, scope, sid, tinc, day)
        if sid is not None:
            want["scope_id"] = sid
        reps = want.pop("reps")
        where = f"consistency {label} {extra}"
        compare(where, want, got, errs)
        listed = got.get("reps") or []
        gids = [r.get("rep") for r in listed]
        if sorted(gids) != sorted(reps):
            errs.append(f"{where}.reps: expected reps {sorted(reps)}, got "
                        f"{gids}")
        for r in listed:
            if r.get("rep") in reps:
                compare(f"{where}.reps[rep={r['rep']}]", reps[r["rep"]], r,
                        errs)
    assert not errs, f"{len(errs)} disagreements:\n" + "\n".join(errs)


def test_consistency_at_a_day(stack, co):
    consistency_check(stack, co, {"as_of": AS_OF.isoformat()})


def test_consistency_now(stack, co):
    consistency_check(stack, co, {})


def test_heatmap_default_days(stack, co):
    check_all(stack, co, "heatmap", {"as_of": AS_OF.isoformat()},
              lambda d, sc, sid, t, g: ref_heatmap(d, sc, sid, t))


def test_heatmap_given_days(stack, co):
    for f, t_ in ((dt.date(2026, 11, 30), dt.date(2026, 12, 1)),
                  (dt.date(2026, 11, 1), dt.date(2026, 11, 1)),
                  (dt.date(2026, 8, 20), dt.date(2026, 12, 4))):
        check_all(stack, co, "heatmap", {"from": f.isoformat(),
                                         "to": t_.isoformat()},
                  lambda d, sc, sid, t, g: ref_heatmap(d, sc, sid, t, f, t_))


def test_heatmap_now(stack, co):
    d = co["d"]
    errs = []
    for label, caller, params, scope, who in cases(co):
        got = ok(stack, co["api"][caller], "heatmap", **params)
        # No "t" in a heatmap: today (local) is its last day.
        to = dt.date.fromisoformat(got["to"])
        today = local_day(dt.datetime.now(UTC).replace(tzinfo=None))
        if to != today:
            errs.append(f"heatmap {label}: to {to} is not today {today}")
        sid = d.ids[who] if who else None
        want = ref_heatmap(d, scope, sid, tinc_of_as_of(today))
        if sid is not None:
            want["scope_id"] = sid
        compare(f"heatmap {label} now", want, got, errs)
    assert not errs, f"{len(errs)} disagreements:\n" + "\n".join(errs)


def test_losses_default_window(stack, co):
    check_all(stack, co, "losses", {"as_of": AS_OF.isoformat()},
              lambda d, sc, sid, t, g: ref_losses(d, sc, sid, t))


def test_losses_given_window(stack, co):
    f, t_ = dt.date(2026, 8, 1), dt.date(2026, 12, 5)
    check_all(stack, co, "losses", {"from": f.isoformat(),
                                    "to": t_.isoformat()},
              lambda d, sc, sid, t, g: ref_losses(d, sc, sid, t, f, t_))


# -- who may ask, and bad dates --------------------------------------------
def test_only_your_own_people(stack, co):
    ids, ids2 = co["d"].ids, co["d2"].ids
    api = co["api"]
    refused = [
        ("r2", {"scope": "rep", "rep": ids["r3"]}),     # another rep
        ("r2", {"scope": "rep", "rep": ids["r1"]}),
        ("r2", {"scope": "team", "team": ids["m2"]}),
        ("r2", {"scope": "tenant"}),
        ("m2", {"scope": "rep", "rep": ids["r1"]}),     # outside subtree
        ("m2", {"scope": "rep", "rep": ids["r4"]}),
        ("m2", {"scope": "team", "team": ids["m1"]}),
        ("m2", {"scope": "tenant"}),
        ("m1", {"scope": "rep", "rep": ids2["s01"]}),   # other company
        ("boss", {"scope": "rep", "rep": ids2["s01"]}),
        ("boss", {"scope": "team", "team": ids2["boss"]}),
        ("boss", {"scope": "rep", "rep": 999999999}),   # unknown
        ("boss", {"scope": "team", "team": 999999999}),
    ]
    bad = []
    for what in ("stage-health", "funnel", "consistency", "heatmap",
                 "losses"):
        for who, p in refused:
            r = get(stack, api[who], what, as_of=AS_OF.isoformat(), **p)
            body = None
            try:
                body = r.json()
            except ValueError:
                pass
            if r.status_code != 404 or not isinstance(body, dict) or \
                    "error" not in body:
                bad.append(f"{what} as {who} {p}: expected 404 "
                           f"{{\"error\"}}, got {r.status_code} "
                           f"{r.text[:120]!r}")
        # ... and the other company's admin cannot see this one's people.
        r = get(stack, co["api2"]["boss"], what, scope="rep", rep=ids["r1"])
        if r.status_code != 404:
            bad.append(f"{what} as the other company's admin for r1: "
                       f"{r.status_code}")
    assert not bad, "\n".join(bad)


def test_bad_dates(stack, co):
    s = co["api"]["boss"]
    bad = [
        ("stage-health", {"as_of": "2026-02-30"}),
        ("stage-health", {"as_of": "2026-11-3"}),
        ("stage-health", {"as_of": "30/11/2026"}),
        ("stage-health", {"as_of": "yesterday"}),
        ("funnel", {"from": "2026-11-20", "to": "2026-11-10"}),
        ("funnel", {"from": "2026-11-20", "to": "2026-11-20"}),
        ("funnel", {"from": "2025-11-01", "to": "2026-11-03"}),   # 367 d
        ("funnel", {"from": "2026-13-01", "to": "2026-12-01"}),
        ("losses", {"from": "2026-11-20", "to": "2026-11-20"}),
        ("losses", {"from": "2026-11-01", "to": "2026-11-31"}),
        ("losses", {"from": "2025-10-01", "to": "2026-11-01"}),
        ("heatmap", {"from": "2026-11-21", "to": "2026-11-20"}),
        ("heatmap", {"from": "2025-01-01", "to": "2026-11-20"}),
        ("heatmap", {"from": "2026-11-01", "to": "2026-11-xx"}),
        ("consistency", {"as_of": "2026-00-10"}),
        ("stage-health", {"scope": "galaxy"}),          # a malformed scope
        ("funnel", {"scope": "team", "team": "m1"}),    # a malformed id
    ]
    good = [
        ("funnel", {"from": "2025-11-01", "to": "2026-11-02"}),   # 366 d
        ("losses", {"from": "2026-11-19", "to": "2026-11-20"}),
        ("heatmap", {"from": "2026-11-20", "to": "2026-11-20"}),
        ("stage-health", {"as_of": "2024-02-29"}),
    ]
    wrong = []
    for what, p in bad:
        r = get(stack, s, what, **p)
        try:
            body = r.json()
        except ValueError:
            body = None
        if r.status_code != 400 or not isinstance(body, dict) or \
                "error" not in body:
            wrong.append(f"{what} {p}: expected 400 {{\"error\"}}, got "
                         f"{r.status_code} {r.text[:120]!r}")
    for what, p in good:
        r = get(stack, s, what, **p)
        if r.status_code != 200:
            wrong.append(f"{what} {p}: expected 200, got {r.status_code} "
                         f"{r.text[:120]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_session_cookie_works_too(stack, co):
    c = Client(stack, Account(co["slug"], "r1", PASSWORD, "rep"))
    del c.s.headers["Accept-Language"]   # the company's language: names zh
    c.sign_in()
    r = c.get("/api/v1/metrics/stage-health?as_of=2026-11-30")
    assert r.status_code == 200, r.text[:300]
    d = co["d"]
    want = ref_stage_health(d, "rep", d.ids["r1"], tinc_of_as_of(AS_OF),
                            AS_OF)
    errs = []
    compare("stage-health r1 (cookie)", want, r.json(), errs)
    assert not errs, "\n".join(errs)


# -- the sample ------------------------------------------------------------
def sample_of(stack, co, day):
    got = ok(stack, co["api2"]["boss"], "consistency", as_of=day.isoformat())
    d = co["d2"]
    want, sample = ref_consistency(d, "tenant", None, tinc_of_as_of(day), day)
    errs = []
    reps = want.pop("reps")
    compare(f"consistency (sample company) {day}", want, got, errs)
    for r in got.get("reps", []):
        if r.get("rep") in reps:
            compare(f"consistency (sample company) {day}.reps[rep="
                    f"{r['rep']}]", reps[r["rep"]], r, errs)
    if sorted(r.get("rep") for r in got.get("reps", [])) != sorted(reps):
        errs.append(f"consistency (sample company) {day}: reps "
                    f"{sorted(r.get('rep') for r in got.get('reps', []))} "
                    f"!= {sorted(reps)}")
    flags = {r["rep"] for r in got.get("reps", []) if r.get("sampled")}
    return set(sample), flags, errs


def test_the_sample_is_the_weeks(stack, co):
    d = co["d2"]
    errs = []
    # 12 active reps with customers: 10 % -> 2 drawn.
    s, _ = ref_sample(d, tinc_of_as_of(AS_OF), AS_OF)
    assert len(s) == 2
    mon, sun = dt.date(2026, 11, 23), dt.date(2026, 11, 29)   # 2026-W48
    a, fa, e1 = sample_of(stack, co, mon)
    b, fb, e2 = sample_of(stack, co, sun)
    errs += e1 + e2
    assert a == b   # the reference: same week, same sample
    # The first later week whose sample differs (by the reference).
    other = next(mon + 7 * k * DAY for k in range(1, 30)
                 if ref_sample(d, tinc_of_as_of(mon + 7 * k * DAY),
                               mon + 7 * k * DAY)[0] != ref_sample(
                     d, tinc_of_as_of(mon), mon)[0])
    c, fc, e3 = sample_of(stack, co, other)
    errs += e3
    # Across the turn of the year: 2026-12-28 .. 2027-01-03 is 2026-W53.
    w53a, f53a, e4 = sample_of(stack, co, dt.date(2026, 12, 28))
    w53b, f53b, e5 = sample_of(stack, co, dt.date(2027, 1, 3))
    w01, f01, e6 = sample_of(stack, co, dt.date(2027, 1, 4))
    errs += e4 + e5 + e6
    assert w53a == w53b
    for day, want, got in ((mon, a, fa), (sun, b, fb), (other, c, fc),
                           (dt.date(2026, 12, 28), w53a, f53a),
                           (dt.date(2027, 1, 3), w53b, f53b),
                           (dt.date(2027, 1, 4), w01, f01)):
        if want != got:
            errs.append(f"sample {day} ({iso_week(day)}): expected "
                        f"{sorted(want)}, got {sorted(got)}")
    if fa != fb:
        errs.append(f"sample differs within {iso_week(mon)}: {sorted(fa)} vs "
                    f"{sorted(fb)}")
    if fa == fc:
        errs.append(f"sample of {iso_week(other)} equals {iso_week(mon)}'s: "
                    f"{sorted(fa)}")
    assert not errs, "\n".join(errs)


# -- live changes ----------------------------------------------------------
def test_changed_thresholds_apply_at_once(stack, co):
    # A company of its own: its rules are changed for good.
    slug, d = make_company(stack, [("boss", "admin", None, "Boss", True),
                                   ("h1", "rep", None, "Rep H", True)],
                           "mh")
    lead = [(L(2026, 10, 1), "lead", None)]
    intent = lead + [(L(2026, 10, 2), "intent", None)]
    recent = [(L(2026, 11, 29), "h1", "call", True)]
    write_data(stack, d, [(f"H{i} lead", "h1", lead, recent if i < 2 else [])
                          for i in range(4)] +
               [(f"H{i} intent", "h1", intent, recent if i < 1 else [])
                for i in range(3)])
    s = tokens(stack, slug, ["boss"])["boss"]
    T = tinc_of_as_of(AS_OF)
    th = dict(TH, healthy=Fraction("0.5"), warning=Fraction("0.3"))
    new = ref_stage_health(d, "tenant", None, T, AS_OF, th)
    old = ref_stage_health(d, "tenant", None, T, AS_OF)
    assert [r["status"] for r in old["stages"]][:2] == ["zombie", "zombie"]
    assert [r["status"] for r in new["stages"]][:2] == ["healthy", "warning"]
    errs = []
    for i in range(6):   # every worker has the company and its rules
        compare(f"stage-health before the change (request {i + 1})", old,
                ok(stack, s, "stage-health", as_of=AS_OF.isoformat()), errs)
    d_ = tempfile.mkdtemp(prefix="rules-metrics-")
    try:
        stack.cli("rules", "pull", "--tenant", slug, d_)
        path = os.path.join(d_, "thresholds.lua")
        src = open(path, encoding="utf-8").read()
        src2 = re.sub(r"stage_health = \{ healthy = 0\.85, warning = 0\.70,",
                      "stage_health = { healthy = 0.5, warning = 0.3,", src)
        assert src2 != src
        with open(path, "w", encoding="utf-8") as f:
            f.write(src2)
        stack.cli("rules", "push", "--tenant", slug, d_, "--comment",
                  "metrics thresholds")
    finally:
        shutil.rmtree(d_, ignore_errors=True)
    for i in range(6):   # whichever worker answers
        got = ok(stack, s, "stage-health", as_of=AS_OF.isoformat())
        compare(f"stage-health after the change (request {i + 1})", new,
                got, errs)
    assert not errs, "\n".join(errs)


def test_a_new_activity_counts_on_the_next_request(stack, co):
    d = co["d"]
    r1 = d.ids["r1"]
    cid = next(c for c, v in d.customers.items() if v["name"] == "E28 live")
    tok = co["api"]["r1"].headers["Authorization"]

    def one(_=None):
        s = requests.Session()   # a new connection each time
        s.headers["Authorization"] = tok
        s.headers["Connection"] = "close"
        r = s.get(stack.url("/api/v1/metrics/stage-health"),
                  params={"scope": "rep", "rep": r1}, timeout=60)
        assert r.status_code == 200, r.text[:300]
        return r.json()

    def lead_active(j):
        return next(x for x in j["stages"] if x["stage"] == "lead")["active"]

    # Every worker has answered (and cached whatever it caches) before.
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        warm = list(ex.map(one, range(12)))
    before = {lead_active(j) for j in warm}
    assert len(before) == 1, before
    n0 = before.pop()
    pids = set()
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        for r in ex.map(lambda _: requests.get(stack.url("/_debug/db"),
                                               timeout=30), range(12)):
            if r.status_code == 200:
                pids.add(r.json().get("pid"))
    r = co["api"]["r1"].post(stack.url("/api/v1/activities"), json={
        "kind": "call", "customer": cid, "content": "电话回访",
        "need": "换新设备", "competitor": "对手报价低", "next_step": "下周演示"},
        timeout=30)
    assert r.status_code == 201, r.text[:300]
    row = stack.sql("SELECT at, effective FROM activities WHERE tenant_id = "
                    f"{d.tenant_id} AND customer_id = {cid}")
    assert len(row) == 1 and row[0][1] == "1", row
    errs = []
    first = one()
    if lead_active(first) != n0 + 1:
        errs.append(f"the very next request: lead active {lead_active(first)}"
                    f", expected {n0 + 1}")
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        after = list(ex.map(one, range(18)))
    for i, j in enumerate(after):
        if lead_active(j) != n0 + 1:
            errs.append(f"request {i + 2}: lead active {lead_active(j)}, "
                        f"expected {n0 + 1}")
    # And the whole answer is the reference's with the new activity.
    at = dt.datetime.strptime(row[0][0], "%Y-%m-%d %H:%M:%S.%f")
    d.acts.append({"id": 0, "cid": cid, "rep": r1, "kind": "call",
                   "at": at, "eff": True})
    want = ref_stage_health(d, "rep", r1, parse_now(first), None)
    del want["t"]
    compare("stage-health after the new activity", want, first, errs)
    assert len(pids) >= 2, f"only one worker seen: {pids}"
    assert not errs, "\n".join(errs)




# -- rows written by SQL, committed late -----------------------------------
def everything(stack, co, label):
    """Every metric, every case, at the fixed day and now: the
    disagreements with the reference."""
    errs = []
    for what, ref in (
            ("stage-health", lambda d, sc, sid, t, g:
             ref_stage_health(d, sc, sid, t, AS_OF)),
            ("funnel", lambda d, sc, sid, t, g:
             ref_funnel(d, sc, sid, t, AS_OF)),
            ("heatmap", lambda d, sc, sid, t, g: ref_heatmap(d, sc, sid, t)),
            ("losses", lambda d, sc, sid, t, g: ref_losses(d, sc, sid, t))):
        try:
            check_all(stack, co, what, {"as_of": AS_OF.isoformat()}, ref)
        except AssertionError as e:
            errs.append(f"{label}: {e}")
    try:
        consistency_check(stack, co, {"as_of": AS_OF.isoformat()})
    except AssertionError as e:
        errs.append(f"{label}: {e}")
    return errs


def by_name(d, name):
    return next(c for c, v in d.customers.items() if v["name"] == name)


def test_changes_written_by_sql_show_on_the_next_request(stack, co):
    d = co["d"]
    tid, ids = d.tenant_id, d.ids
    e01, e02, e03 = (by_name(d, n) for n in (
        "E01 active at W7", "E02 one ms early", "E03 last ms of T"))
    e06, e13 = by_name(d, "E06 tie forward"), by_name(d, "E13 inactive owner")
    # Every worker has the company loaded before the changes.
    assert not everything(stack, co, "before")
    stack.sql(f"UPDATE customers SET owner_id = {ids['r4']} WHERE id = {e01}")
    d.customers[e01]["owner"] = ids["r4"]
    stack.sql(f"UPDATE activities SET effective = 0 WHERE customer_id = "
              f"{e03}")
    for a in d.acts:
        if a["cid"] == e03:
            a["eff"] = False
    stack.sql(f"DELETE FROM activities WHERE customer_id = {e13}")
    d.acts = [a for a in d.acts if a["cid"] != e13]
    moved = L(2026, 11, 20, 8)
    stack.sql(f"UPDATE activities SET at = '{sqlt(moved)}' WHERE "
              f"customer_id = {e06}")
    for a in d.acts:
        if a["cid"] == e06:
            a["at"] = moved
    stack.sql(f"UPDATE users SET active = 0 WHERE id = {ids['r6']}")
    d.users[ids["r6"]]["active"] = False
    stack.sql(f"UPDATE users SET display_name = 'Mgr Aardvark' WHERE id = "
              f"{ids['r4']}")
    d.users[ids["r4"]]["name"] = "Mgr Aardvark"
    at = L(2026, 11, 29, 10)
    stack.sql("INSERT INTO stage_events (tenant_id, customer_id, from_stage, "
              f"to_stage, by_user, at, code, via) VALUES ({tid}, {e02}, "
              f"'lead', 'intent', {ids['r1']}, '{sqlt(at)}', 'ok', 'api')")
    eid = int(stack.sql(f"SELECT MAX(id) FROM stage_events WHERE "
                        f"customer_id = {e02}")[0][0])
    d.events.append({"id": eid, "cid": e02, "frm": "lead", "to": "intent",
                     "at": at, "reason": None})
    errs = everything(stack, co, "after SQL changes")
    assert not errs, "\n".join(errs)



def test_a_rep_moved_to_another_team(stack, co):
    d = co["d"]
    ids = d.ids
    # r5 (inactive, with customers) from m2's team to m1 directly.
    admin = Client(stack, Account(co["slug"], "boss", PASSWORD, "admin"))
    admin.sign_in()
    r = admin.post(f"/admin/users/{ids['r5']}", {
        "name": d.users[ids["r5"]]["name"], "role": "rep",
        "manager": ids["m1"]})
    assert r.status_code == 303, r.text[:300]
    d.users[ids["r5"]]["mgr"] = ids["m1"]
    assert ids["r5"] not in d.subtree(ids["m2"])
    errs = everything(stack, co, "after r5 moved under m1")
    assert not errs, "\n".join(errs)


def test_a_company_first_asked_while_a_transaction_is_open(stack, co):
    """The first answer about a company (its facts loaded from the tables)
    comes while a transaction that writes to it is still open: its rows
    count from their commit on."""
    slug, d = make_company(stack, [("boss", "admin", None, "Boss", True),
                                   ("g1", "rep", None, "Rep G", True)],
                           "mg")
    lead = [(L(2026, 10, 1), "lead", None)]
    write_data(stack, d, [("G1", "g1", lead, []), ("G2", "g1", lead, [])])
    s = tokens(stack, slug, ["boss"])["boss"]
    g1, g2 = by_name(d, "G1"), by_name(d, "G2")
    rep = d.ids["g1"]
    at = L(2026, 11, 29, 9)
    T = tinc_of_as_of(AS_OF)

    def ask(label):
        errs = []
        with concurrent.futures.ThreadPoolExecutor(6) as ex:
            got = list(ex.map(lambda _: ok(stack, s, "stage-health",
                                           as_of=AS_OF.isoformat()),
                              range(12)))
        want = ref_stage_health(d, "tenant", None, T, AS_OF)
        for i, g in enumerate(got):
            compare(f"{label} (request {i + 1})", want, g, errs)
        return errs

    h = Held(stack)
    try:
        h.run("START TRANSACTION")
        h.run(ACT_INSERT + act_rows(d, g1, rep, at, 1))
        stack.sql(ACT_INSERT + act_rows(d, g2, rep, at, 1))
        d.acts.append({"id": 0, "cid": g2, "rep": rep, "kind": "visit",
                       "at": at, "eff": True})
        errs = ask("first answers, G1's activity not committed")
        h.run("COMMIT")
    finally:
        h.close()
    d.acts.append({"id": 0, "cid": g1, "rep": rep, "kind": "visit",
                   "at": at, "eff": True})
    errs += ask("after G1's activity committed")
    assert not errs, "\n".join(errs)

class Held:
    """A transaction kept open on a connection of its own."""

    def __init__(self, stack):
        user = os.environ.get("USER") or subprocess.check_output(
            ["id", "-un"], text=True).strip()
        self.p = subprocess.Popen(
            ["mariadb", "--no-defaults", "--batch", "--skip-column-names",
             "--unbuffered", f"--socket={stack.var}/run/mysqld.sock", "-u",
             user, "proofline"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def run(self, sql):
        self.p.stdin.write(sql + ";\nSELECT 'held-ok';\n")
        self.p.stdin.flush()
        out = []
        while True:
            line = self.p.stdout.readline()
            assert line, "mariadb ended: " + "".join(out)
            if line.strip() == "held-ok":
                return out
            out.append(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=60)


def act_rows(d, cid, rep, at, n, eff=True):
    return ", ".join(f"({d.tenant_id}, {cid}, {rep}, 'visit', 'done', "
                     f"'{sqlt(at)}', 'held', {1 if eff else 0})"
                     for _ in range(n))


ACT_INSERT = ("INSERT INTO activities (tenant_id, customer_id, rep_id, kind, "
              "status, at, content, effective) VALUES ")


def committed_late(stack, co, name, n):
    """n activities of customer `name` written in a transaction that
    commits after a later one did (and after every worker answered in
    between): the engine must count them from the commit on."""
    d = co["d"]
    cid = by_name(d, name)
    rep = d.customers[cid]["owner"]
    at = L(2026, 11, 28, 15)
    other = by_name(d, "E17 enters 1ms before F")
    at2 = L(2026, 11, 29, 16)
    h = Held(stack)
    try:
        h.run("START TRANSACTION")
        h.run(ACT_INSERT + act_rows(d, cid, rep, at, n))
        # A later change commits first, and everyone answers with it.
        stack.sql(ACT_INSERT + act_rows(d, other, d.customers[other][
            "owner"], at2, 1))
        d.acts.append({"id": 0, "cid": other, "rep": d.customers[other][
            "owner"], "kind": "visit", "at": at2, "eff": True})
        errs = everything(stack, co, f"{name}: before the late commit")
        h.run("COMMIT")
    finally:
        h.close()
    d.acts += [{"id": 0, "cid": cid, "rep": rep, "kind": "visit", "at": at,
                "eff": True} for _ in range(n)]
    errs += everything(stack, co, f"{name}: after the late commit of {n}")
    return errs


def test_a_transaction_committed_late_counts(stack, co):
    errs = committed_late(stack, co, "E02 one ms early", 1)
    assert not errs, "\n".join(errs)


def test_moves_are_ordered_by_their_milliseconds(stack, co):
    d = co["d3"]
    T = tinc_of_as_of(AS_OF)
    st = {v["name"]: d.stage_at(c, T) for c, v in d.customers.items()}
    assert st == {"E31 same second": "intent",
                  "E33 lost within a second": "lost"}
    which = [("tenant", "boss", {}, "tenant", None),
             ("rep x1", "boss", {"scope": "rep", "rep": d.ids["x1"]}, "rep",
              "x1")]
    errs = []
    for what, ref in (
            ("stage-health", lambda d, sc, sid, t, g:
             ref_stage_health(d, sc, sid, t, AS_OF)),
            ("funnel", lambda d, sc, sid, t, g:
             ref_funnel(d, sc, sid, t, AS_OF)),
            ("losses", lambda d, sc, sid, t, g: ref_losses(d, sc, sid, t))):
        try:
            check_all(stack, co, what, {"as_of": AS_OF.isoformat()}, ref,
                      d=d, api=co["api3"], which=which)
        except AssertionError as e:
            errs.append(str(e))
    assert not errs, "\n".join(errs)


def test_a_company_where_summer_time_ends(stack, co):
    d = co["d4"]
    ids = d.ids
    # The reference on the edges first.
    T = tinc_of_as_of(AS_NY, NY)
    assert T == dt.datetime(2026, 11, 6, 4, 59, 59, 999000)
    h = ref_stage_health(d, "rep", ids["y1"], T, AS_NY)
    assert h["stages"][0]["n"] == 5 and h["stages"][0]["active"] == 1  # N02
    T1 = tinc_of_as_of(dt.date(2026, 11, 1), NY)
    h1 = ref_stage_health(d, "rep", ids["y1"], T1, dt.date(2026, 11, 1))
    # N01-N03 (30 Oct) and N17, not N16 (26 Oct 00:30 EDT: that local
    # day, but before T - 7 x 86400 s)
    assert h1["stages"][0]["active"] == 4
    hm = ref_heatmap(d, "rep", ids["y2"], T, dt.date(2026, 10, 31),
                     dt.date(2026, 11, 2))
    assert hm["reps"][0]["all"] == [0, 3, 1]
    which = [("tenant", "boss", {}, "tenant", None),
             ("team n1", "boss", {"scope": "team", "team": ids["n1"]},
              "team", "n1"),
             ("rep y1 by n1", "n1", {"scope": "rep", "rep": ids["y1"]},
              "rep", "y1"),
             ("rep y3", "boss", {"scope": "rep", "rep": ids["y3"]}, "rep",
              "y3")]
    errs = []
    asks = []
    for day in (AS_NY, dt.date(2026, 11, 1)):
        a = {"as_of": day.isoformat()}
        asks += [
            ("stage-health", a, lambda d, sc, sid, t, g, day=day:
             ref_stage_health(d, sc, sid, t, day)),
            ("funnel", a, lambda d, sc, sid, t, g, day=day:
             ref_funnel(d, sc, sid, t, day)),
            ("heatmap", a, lambda d, sc, sid, t, g:
             ref_heatmap(d, sc, sid, t)),
            ("losses", a, lambda d, sc, sid, t, g:
             ref_losses(d, sc, sid, t))]
    f, t_ = dt.date(2026, 11, 1), dt.date(2026, 11, 2)
    a = {"as_of": AS_NY.isoformat(), "from": f.isoformat(),
         "to": t_.isoformat()}
    asks += [
        ("funnel", a, lambda d, sc, sid, t, g:
         ref_funnel(d, sc, sid, t, AS_NY, f, t_)),
        ("losses", {"from": "2026-10-07", "to": "2026-11-02"},
         lambda d, sc, sid, t, g: ref_losses(
             d, sc, sid, t, dt.date(2026, 10, 7), dt.date(2026, 11, 2))),
        ("heatmap", {"from": "2026-10-31", "to": "2026-11-02"},
         lambda d, sc, sid, t, g: ref_heatmap(
             d, sc, sid, t, dt.date(2026, 10, 31), dt.date(2026, 11, 2)))]
    for what, extra, ref in asks:
        try:
            check_all(stack, co, what, extra, ref, d=d, api=co["api4"],
                      which=which)
        except AssertionError as e:
            errs.append(str(e))
    for label, caller, params, scope, who in which:
        got = ok(stack, co["api4"][caller], "consistency",
                 as_of=AS_NY.isoformat(), **params)
        sid = ids[who] if who else None
        want, _ = ref_consistency(d, scope, sid, T, AS_NY)
        reps = want.pop("reps")
        compare(f"consistency NY {label}", want, got, errs)
        for r in got.get("reps", []):
            if r.get("rep") in reps:
                compare(f"consistency NY {label}.reps[rep={r['rep']}]",
                        reps[r["rep"]], r, errs)
        if sorted(r.get("rep") for r in got.get("reps", [])) != \
                sorted(reps):
            errs.append(f"consistency NY {label}: reps differ")
    assert not errs, "\n".join(errs)


def test_a_big_transaction_committed_late_counts(stack, co):
    # Last: an engine that misses these may stay behind for a while.
    errs = committed_late(stack, co, "E25 dormant edge out", 300)
    assert not errs, "\n".join(errs)

"""Demo data that looks real (issue 11, item 9): a customer's city is the
one its name says, its phone has that city's area code, and nobody was
met before the customer was recorded.  Issue 13, item 9: the demo's
activities agree with the customers (last_activity_at, stage history,
contacts' last met), have a field team's rhythm, and hold what
activities_record and visits_complete would have stored."""
import collections
import datetime
import uuid

import pytest
import requests

AREA = {"上海": "021", "杭州": "0571", "南京": "025", "苏州": "0512",
        "广州": "020", "深圳": "0755", "北京": "010", "成都": "028",
        "武汉": "027", "宁波": "0574"}


def test_demo_customers_are_consistent(stack):
    slug = f"demo{uuid.uuid4().hex[:6]}"
    stack.cli("demo", "--tenant", slug, "--reps", "3", "--customers", "80")
    rows = stack.sql(
        "SELECT c.name, c.city, c.phone FROM customers c JOIN tenants t "
        f"ON t.id = c.tenant_id WHERE t.slug = '{slug}' AND c.kind <> 'store'")
    assert len(rows) == 80
    for name, city, phone in rows:
        assert name.startswith(city), (name, city)
        assert phone.startswith(AREA[city] + "-"), (city, phone)
    early = stack.sql(
        "SELECT COUNT(*), SUM(a.at < c.created_at) FROM activity_contacts ac "
        "JOIN activities a ON a.id = ac.activity_id JOIN customers c "
        "ON c.id = a.customer_id JOIN tenants t ON t.id = c.tenant_id "
        f"WHERE t.slug = '{slug}'")
    assert int(early[0][0]) > 0 and early[0][1] == "0", early


# Titles a contact in each decision role may have (hospital or company).
TITLES = {
    "budget": {"院长", "副院长", "采购处处长", "财务处处长", "总经理",
               "财务总监", "采购总监"},
    "acceptance": {"设备科科长", "设备科主任", "医学工程处处长", "运营总监",
                   "质量经理", "仓储经理"},
    "influencer": {"科室主任", "主任医师", "护士长", "副主任医师", "区域经理",
                   "门店店长", "产品经理"},
    "user": {"主治医师", "技师", "护士", "店员", "业务员", "仓管员"},
    "other": {"办公室主任", "信息科主任", "行政主管", "前台"},
}


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    return (int.from_bytes(data[16:20], "big"),
            int.from_bytes(data[20:24], "big"))


def test_demo_people_names_and_pictures(stack):
    slug = f"demo{uuid.uuid4().hex[:6]}"
    stack.cli("demo", "--tenant", slug, "--reps", "2", "--customers", "150")
    where = (f"JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = '{slug}'")
    # Titles fit the role in the decision.
    for role, title in stack.sql(
            f"SELECT k.role, k.title FROM contacts k JOIN customers c "
            f"ON c.id = k.customer_id {where}"):
        assert title in TITLES[role], (role, title)
    # 150 customers over few cities and name parts: still no rep (indeed
    # no company) with two of the same name.
    dup = stack.sql(f"SELECT c.owner_id, c.name_key, COUNT(*) FROM customers c "
                    f"{where} GROUP BY c.owner_id, c.name_key "
                    "HAVING COUNT(*) > 1")
    assert dup == [], dup
    # Photos are pictures of their kind, not 1x1 blanks.
    files = stack.sql(f"SELECT e.ev_key, f.sha256, f.size FROM evidence e "
                      f"JOIN files f ON f.id = e.file_id JOIN customers c "
                      f"ON c.id = e.customer_id {where}")
    assert files
    by_kind = {}
    for key, sha, size in files:
        data = (stack.var / "files" / sha[:2] / sha[2:4] / sha).read_bytes()
        assert len(data) == int(size) and len(data) > 5000, (key, len(data))
        w, h = png_size(data)
        assert w >= 300 and h >= 300, (key, w, h)
        by_kind.setdefault(key, set()).add(sha)
    # Different kinds of evidence carry different pictures.
    shas = [s for s in by_kind.values()]
    assert len(shas) >= 2 and not set.intersection(*shas), by_kind


TODAY = datetime.date(2026, 6, 10)
# What the default rules (lua/default/visits.lua) require of each visit.
PHOTOS = {"store_visit": {"storefront", "shelf", "intent_page"},
          "hospital_visit": {"storefront", "intent_page"},
          "installation": {"equipment"},
          "store_patrol": {"storefront", "shelf"}}


def rows(stack, tid, sql):
    return stack.sql(sql.replace("$T", str(tid)))


@pytest.fixture(scope="module")
def year(stack):
    """A small demo over most of a year, on a fixed day."""
    slug = f"dy{uuid.uuid4().hex[:6]}"
    stack.cli("demo", "--tenant", slug, "--reps", "10", "--customers", "300",
              "--days", "200", "--today", TODAY.isoformat())
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    return slug, tid


def test_demo_last_activity_and_stage_history(stack, year):
    slug, tid = year
    # last_activity_at is the end of the customer's last activity (a
    # visit ends at its check-out, as visits_complete records it).
    bad = rows(stack, tid, """
        SELECT c.id, c.last_activity_at, MAX(COALESCE(a.checkout_at, a.at))
        FROM customers c LEFT JOIN activities a ON a.tenant_id = c.tenant_id
        AND a.customer_id = c.id WHERE c.tenant_id = $T AND c.kind <> 'store'
        GROUP BY c.id HAVING NOT (c.last_activity_at <=> MAX(COALESCE(a.checkout_at, a.at)))
        """)
    assert bad == [], bad[:5]
    none = rows(stack, tid, "SELECT COUNT(*) FROM customers WHERE "
                "tenant_id = $T AND last_activity_at IS NULL")
    assert none == [["0"]], none
    # Each stage change after the first follows at least one activity of
    # that customer since the change before it; none precedes creation.
    events = collections.defaultdict(list)
    for cid, at in rows(stack, tid, "SELECT e.customer_id, e.at FROM "
                        "stage_events e JOIN customers c ON c.id = "
                        "e.customer_id AND c.kind <> 'store' WHERE "
                        "e.tenant_id = $T ORDER BY e.customer_id, e.at, e.id"):
        events[cid].append(at)
    acts = collections.defaultdict(list)
    for cid, at in rows(stack, tid, "SELECT customer_id, at FROM activities "
                        "WHERE tenant_id = $T"):
        acts[cid].append(at)
    changes = 0
    for cid, ev in events.items():
        assert min(acts[cid]) >= ev[0], (cid, ev[0], min(acts[cid]))
        for prev, at in zip(ev, ev[1:]):
            changes += 1
            assert any(prev <= a < at for a in acts[cid]), (cid, prev, at)
    assert changes > 100, changes
    # Nothing after today, and no meeting on contact_events any more.
    late = rows(stack, tid, "SELECT COUNT(*) FROM activities WHERE tenant_id"
                f" = $T AND COALESCE(checkout_at, at) > '{TODAY} 12:00:00'")
    assert late == [["0"]], late
    met = rows(stack, tid, "SELECT COUNT(*) FROM contact_events WHERE "
               "tenant_id = $T")
    assert met == [["0"]], met


def test_demo_rhythm(stack, year):
    slug, tid = year
    n = int(rows(stack, tid, "SELECT COUNT(*) FROM activities "
                 "WHERE tenant_id = $T")[0][0])
    assert n > 300 * 15, n
    # Weekdays in the company's zone (Asia/Shanghai), office hours.
    weekend = int(rows(stack, tid, "SELECT COUNT(*) FROM activities WHERE "
                       "tenant_id = $T AND WEEKDAY(at + INTERVAL 8 HOUR) "
                       ">= 5")[0][0])
    assert 0 < weekend < n * 0.10, (weekend, n)
    # (A customer recorded at night and moved on within hours may have
    # had its meeting then.)
    night = int(rows(stack, tid, "SELECT COUNT(*) FROM activities WHERE "
                     "tenant_id = $T AND HOUR(at + INTERVAL 8 HOUR) NOT "
                     "BETWEEN 8 AND 21")[0][0])
    assert night <= n * 0.002, (night, n)
    # A rep's day in person: 5-9 at most (a day may go over only by
    # the visits that led to a stage change).
    days = rows(stack, tid, """
        SELECT rep_id, DATE(at + INTERVAL 8 HOUR) d, COUNT(*) FROM activities
        WHERE tenant_id = $T AND kind IN ('visit', 'meeting', 'demo',
        'training') GROUP BY rep_id, d""")
    over = [r for r in days if int(r[2]) > 9]
    assert len(days) > 500 and len(over) <= len(days) * 0.02, over[:5]
    # Dormant customers: nothing for two months and more.
    dormant = int(rows(stack, tid, "SELECT COUNT(*) FROM customers WHERE "
                       f"tenant_id = $T AND last_activity_at < '{TODAY}' - "
                       "INTERVAL 60 DAY")[0][0])
    assert 10 <= dormant <= 150, dormant
    # Effective and not, each with the rules' reason.
    eff = dict(rows(stack, tid, "SELECT effective, COUNT(*) FROM activities "
                    "WHERE tenant_id = $T GROUP BY effective"))
    assert int(eff["1"]) > n * 0.4 and int(eff["0"]) > n * 0.2, eff


def test_demo_rows_are_what_the_service_writes(stack, year):
    slug, tid = year
    # The verdict is the default rules': effective exactly when need,
    # competitor and next step are filled in, the rest named in missing.
    wrong = rows(stack, tid, """
        SELECT id, effective, missing, need, competitor, next_step
        FROM activities WHERE tenant_id = $T AND (effective <> (need <> ''
        AND competitor <> '' AND next_step <> '') OR missing <> CONCAT_WS(
        ',', IF(need = '', 'need', NULL), IF(competitor = '', 'competitor',
        NULL), IF(next_step = '', 'next_step', NULL))
        OR rule_version <> 1 OR status <> 'done')""")
    assert wrong == [], wrong[:5]
    # Visits carry the photos their type requires, and their check-in.
    photos = collections.defaultdict(set)
    for vid, key in rows(stack, tid, "SELECT activity_id, photo_key FROM "
                         "activity_photos WHERE tenant_id = $T"):
        photos[vid].add(key)
    visits = rows(stack, tid, "SELECT id, visit_type, distance_m, "
                  "location_flag, checkin_at = at, checkout_at > at FROM "
                  "activities WHERE tenant_id = $T AND kind = 'visit'")
    assert len(visits) > 1000
    flags = collections.Counter()
    for vid, vtype, dist, flag, same, after in visits:
        assert photos[vid] == PHOTOS[vtype], (vid, vtype, photos[vid])
        assert same == "1" and after == "1", (vid, same, after)
        flags[flag] += 1
        if flag == "none":
            assert dist == "NULL"
        else:
            assert flag == ("far" if int(dist) > 500 else "ok"), (dist, flag)
    assert flags["ok"] > len(visits) * 0.85 and flags["far"] > 0, flags
    # Every photo's file is one of the customer's, with the picture's hash.
    stray = rows(stack, tid, """
        SELECT p.id FROM activity_photos p JOIN activities a ON a.id =
        p.activity_id LEFT JOIN files f ON f.id = p.file_id AND f.tenant_id =
        p.tenant_id AND f.customer_id = a.customer_id AND f.sha256 = p.sha256
        WHERE p.tenant_id = $T AND f.id IS NULL""")
    assert stray == [], stray[:5]
    # Contacts were last met on the day of their last activity, and agreed
    # what they last agreed.
    wrong = rows(stack, tid, """
        SELECT k.id, k.last_met_on, MAX(DATE(a.at)) FROM contacts k
        LEFT JOIN activity_contacts ac ON ac.tenant_id = k.tenant_id AND
        ac.contact_id = k.id LEFT JOIN activities a ON a.id = ac.activity_id
        WHERE k.tenant_id = $T GROUP BY k.id
        HAVING NOT (k.last_met_on <=> MAX(DATE(a.at)))""")
    assert wrong == [], wrong[:5]
    # The same content through activities_record gets the same verdict.
    need_only = rows(stack, tid, "SELECT customer_id, rep_id, missing, "
                     "reason, effective FROM activities WHERE tenant_id = $T "
                     "AND kind = 'call' AND need <> '' AND competitor = '' "
                     "AND next_step = '' LIMIT 1")[0]
    login = rows(stack, tid, f"SELECT login FROM users WHERE id = "
                 f"{need_only[1]}")[0][0]
    tok = stack.cli("token", "create", "--tenant", slug, "--user",
                    login).stdout.strip()
    r = requests.post(stack.url("/api/v1/activities"), timeout=30,
                      headers={"Authorization": f"Bearer {tok}"},
                      json={"customer": int(need_only[0]), "kind": "call",
                            "content": "电话跟进报价", "need": "检验科扩容"})
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["missing"], got["reason"], got["effective"]) == (
        need_only[2], need_only[3], need_only[4] == "1"), (got, need_only)


def test_day_lists_on_demo_data(stack, year):
    """The lists a rep, a manager and an admin read (activities_list, the
    scope as a union of the people under them and the customers they own)
    give exactly the rows the scope rules say, newest first."""
    slug, tid = year
    mgr = rows(stack, tid, "SELECT id FROM users WHERE tenant_id = $T AND "
               "login = 'manager1'")[0][0]
    day = rows(stack, tid, f"""
        SELECT DATE(a.at + INTERVAL 8 HOUR) d FROM activities a JOIN user_tree
        u ON u.tenant_id = a.tenant_id AND u.descendant_id = a.rep_id WHERE
        a.tenant_id = $T AND u.ancestor_id = {mgr} GROUP BY d
        ORDER BY COUNT(*) DESC, d LIMIT 1""")[0][0]
    bounds = (f"a.at >= '{day}' - INTERVAL 8 HOUR AND "
              f"a.at < '{day}' + INTERVAL 16 HOUR")
    # A customer of manager1's team visited by someone else: the manager
    # sees it through the customer, the other rep through the visit.
    other, = rows(stack, tid, f"""
        SELECT id FROM users WHERE tenant_id = $T AND role = 'rep' AND id NOT
        IN (SELECT descendant_id FROM user_tree WHERE tenant_id = $T AND
        ancestor_id = {mgr}) ORDER BY id LIMIT 1""")[0]
    stack.sql(f"""UPDATE activities a JOIN customers c ON c.id = a.customer_id
        JOIN user_tree u ON u.tenant_id = c.tenant_id AND u.descendant_id =
        c.owner_id SET a.rep_id = {other} WHERE a.tenant_id = {tid} AND
        u.ancestor_id = {mgr} AND {bounds} AND a.kind = 'call' LIMIT 1""")

    def ids(login, path):
        tok = stack.cli("token", "create", "--tenant", slug, "--user",
                        login).stdout.strip()
        r = requests.get(stack.url(path), timeout=30,
                         headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 200, r.text
        body = r.json()
        items = body.get("visits", body.get("activities"))
        ats = [(a["at"], a["id"]) for a in items]
        assert ats == sorted(ats, reverse=True), ats[:5]
        return [a["id"] for a in items]

    def expect(where):
        return [int(r[0]) for r in rows(stack, tid, f"""
            SELECT a.id FROM activities a JOIN customers c ON c.id =
            a.customer_id WHERE a.tenant_id = $T AND {bounds} AND ({where})
            ORDER BY a.at DESC, a.id DESC""")]

    team = (f"SELECT descendant_id FROM user_tree WHERE tenant_id = {tid} "
            f"AND ancestor_id = {mgr}")
    rep = rows(stack, tid, f"SELECT u.id, u.login FROM users u WHERE "
               f"u.id IN ({team}) AND u.role = 'rep' ORDER BY u.id "
               "LIMIT 1")[0]
    mine = ids(rep[1], f"/api/v1/visits?day={day}")
    assert mine and mine == expect(f"a.rep_id = {rep[0]} AND "
                                   "a.kind = 'visit'")
    got = ids("manager1", f"/api/v1/activities?day={day}&limit=500")
    want = expect(f"a.rep_id IN ({team}) OR c.owner_id IN ({team})")
    assert got == want and len(want) > 20, (len(got), len(want))
    assert expect(f"a.rep_id = {other} AND c.owner_id IN ({team})"), \
        "the case of a customer visited by another team is not there"
    got = ids("admin", f"/api/v1/activities?day={day}&limit=500")
    assert got == expect("1 = 1"), len(got)
    # No day: the newest 100 of the rep's own visits.
    got = ids(rep[1], "/api/v1/activities?kind=visit&limit=100")
    assert got == [int(r[0]) for r in rows(stack, tid, f"""
        SELECT a.id FROM activities a JOIN customers c ON c.id = a.customer_id
        WHERE a.tenant_id = $T AND a.kind = 'visit' AND (a.rep_id = {rep[0]}
        OR c.owner_id = {rep[0]}) ORDER BY a.at DESC, a.id DESC LIMIT 100""")]


def test_large_demo_writes_activities_from_a_second_process(stack):
    """From 2,000 customers a second process writes the activity tables
    (demo_acts_split): both generate the same rows, so what each wrote
    refers to the other's exactly, and its XA transaction went in with
    the rest (none left prepared)."""
    slug = f"dz{uuid.uuid4().hex[:6]}"
    stack.cli("demo", "--tenant", slug, "--reps", "20", "--customers",
              "2000", "--days", "60", "--today", TODAY.isoformat())
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    assert stack.sql("XA RECOVER") == []
    counts = rows(stack, tid, """
        SELECT (SELECT COUNT(*) FROM activities WHERE tenant_id = $T),
        (SELECT COUNT(*) FROM activity_photos WHERE tenant_id = $T),
        (SELECT COUNT(*) FROM activity_contacts WHERE tenant_id = $T)""")[0]
    assert all(int(n) > 1000 for n in counts), counts
    bad = rows(stack, tid, """
        SELECT c.id, c.last_activity_at FROM customers c LEFT JOIN activities
        a ON a.tenant_id = c.tenant_id AND a.customer_id = c.id WHERE
        c.tenant_id = $T AND c.kind <> 'store' GROUP BY c.id HAVING NOT (c.last_activity_at <=>
        MAX(COALESCE(a.checkout_at, a.at)))""")
    assert bad == [], bad[:5]
    stray = rows(stack, tid, """
        SELECT p.id FROM activity_photos p JOIN activities a ON a.id =
        p.activity_id LEFT JOIN files f ON f.id = p.file_id AND f.tenant_id =
        p.tenant_id AND f.customer_id = a.customer_id AND f.sha256 = p.sha256
        WHERE p.tenant_id = $T AND f.id IS NULL""")
    assert stray == [], stray[:5]
    wrong = rows(stack, tid, """
        SELECT k.id, k.last_met_on, k.customer_id FROM contacts k
        LEFT JOIN activity_contacts ac ON
        ac.tenant_id = k.tenant_id AND ac.contact_id = k.id LEFT JOIN
        activities a ON a.id = ac.activity_id WHERE k.tenant_id = $T
        GROUP BY k.id HAVING NOT (k.last_met_on <=> MAX(DATE(a.at)))
        OR MIN(a.customer_id) <> k.customer_id""")
    assert wrong == [], wrong[:5]


def test_demo_has_admission_and_contract_work_in_progress(stack):
    """Issue 15 in the demo: something in every queue, made through the
    services (the rules decided the approval, the countdown froze one
    shipment)."""
    slug = f"demo{uuid.uuid4().hex[:6]}"
    stack.cli("demo", "--tenant", slug, "--reps", "3", "--customers", "80")
    tid = stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0]
    contracts = stack.sql("SELECT status, approval FROM contracts WHERE "
                          f"tenant_id = {tid} ORDER BY id")
    assert contracts == [["draft", "required"], ["signed", "none"]]
    assert stack.sql("SELECT COUNT(*), SUM(paid_on > due_on) FROM payments "
                     f"WHERE tenant_id = {tid}") == [["4", "3"]]
    assert stack.sql("SELECT COUNT(*) FROM tasks WHERE tenant_id = "
                     f"{tid} AND kind = 'approval' AND assignee_role = "
                     "'finance'") == [["1"]]
    ships = stack.sql("SELECT TIMESTAMPDIFF(HOUR, UTC_TIMESTAMP(), "
                      "planned_at) < 48 FROM shipments WHERE tenant_id = "
                      f"{tid} ORDER BY planned_at")
    assert ships == [["1"], ["0"]]  # the first is past its form deadline
    assert stack.sql("SELECT COUNT(*) FROM qual_docs WHERE tenant_id = "
                     f"{tid} AND status = 'pending'") == [["1"]]


def test_demo_chain_of_stores(stack):
    """`proofline demo --stores N --pos-days D`: the stores under their
    supervisors, a store manager each for the first ones, the campaign of
    the new product with its talk-track file, the POS lines through the
    import, today's patrols with their photos, and laggards to show."""
    slug = f"dc{uuid.uuid4().hex[:6]}"
    stack.cli("demo", "--tenant", slug, "--reps", "2", "--customers", "10",
              "--stores", "45", "--pos-days", "40")
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    # 45 stores: supervisor1 has the first 40, supervisor2 the rest; each
    # store's customer (kind store) is owned by its supervisor
    got = rows(stack, tid, """
        SELECT u.login, COUNT(*) FROM stores s JOIN users u ON u.id =
        s.supervisor_id JOIN customers c ON c.id = s.customer_id AND
        c.kind = 'store' AND c.owner_id = s.supervisor_id WHERE
        s.tenant_id = $T GROUP BY u.login ORDER BY u.login""")
    assert got == [["supervisor1", "40"], ["supervisor2", "5"]], got
    managers = rows(stack, tid, """
        SELECT u.login, s.code FROM store_managers m JOIN users u ON u.id =
        m.user_id JOIN stores s ON s.id = m.store_id WHERE m.tenant_id = $T
        ORDER BY s.code""")
    assert len(managers) == 30
    assert managers[0] == ["store1", "S0001"] and \
        managers[29] == ["store30", "S0030"], managers
    # the campaign launched 32 days ago, for every store, with its pack
    today = datetime.datetime.utcnow().date()
    camp = rows(stack, tid, """
        SELECT c.launch_on, c.all_stores, p.sku, p.launch_on,
        (SELECT COUNT(*) FROM campaign_files f WHERE f.tenant_id =
        c.tenant_id AND f.campaign_id = c.id) FROM campaigns c JOIN products
        p ON p.id = c.product_id WHERE c.tenant_id = $T""")
    launch = (today - datetime.timedelta(days=32)).isoformat()
    assert camp == [[launch, "1", "NP-2026-01", launch, "1"]], camp
    # the POS lines went through the import, all of them good, over the
    # window ending yesterday
    imp = rows(stack, tid, "SELECT status, lines_total, lines_added, "
               "lines_bad, day_from, day_to FROM pos_imports WHERE "
               "tenant_id = $T")
    assert len(imp) == 1 and imp[0][0] == "done" and imp[0][3] == "0", imp
    assert imp[0][1] == imp[0][2]
    assert imp[0][4] == (today - datetime.timedelta(days=40)).isoformat()
    assert imp[0][5] == (today - datetime.timedelta(days=1)).isoformat()
    stored = rows(stack, tid, "SELECT COUNT(*), COUNT(DISTINCT store_id), "
                  "COUNT(member) FROM pos_sales WHERE tenant_id = $T")[0]
    assert stored[0] == imp[0][2] and int(stored[1]) >= 44, stored
    assert 0.2 < int(stored[2]) / int(stored[0]) < 0.6, stored
    # today's patrols: twelve store visits with a storefront and a shelf
    patrols = rows(stack, tid, """
        SELECT a.id, COUNT(p.photo_key) FROM activities a JOIN users u ON
        u.id = a.rep_id AND u.login = 'supervisor1' LEFT JOIN
        activity_photos p ON p.tenant_id = a.tenant_id AND p.activity_id =
        a.id WHERE a.tenant_id = $T AND a.visit_type = 'store_patrol' AND
        a.status = 'done' GROUP BY a.id""")
    assert len(patrols) == 12 and all(n == "2" for _, n in patrols), patrols
    # laggards in each metric, seen through the API
    token = stack.cli("token", "create", "--tenant", slug, "--user",
                      "admin").stdout.strip()
    r = requests.get(stack.url("/api/v1/metrics/sell-through"), headers={
        "Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    st = r.json()["stores"]
    assert any(s["distribution"]["eligible"] and not s["distribution"]["sold"]
               for s in st)
    assert any(s["sku_ratio"]["ratio"] is not None and
               s["sku_ratio"]["ratio"] < 0.05 for s in st)
    assert any(s["repurchase"]["rate"] is not None and
               s["repurchase"]["rate"] < 0.22 for s in st)

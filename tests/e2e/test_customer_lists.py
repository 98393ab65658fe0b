"""The customer list, as a page (GET /customers) and as JSON
(GET /api/v1/customers): every filter (stage, owner, team, health, kind,
stale, q over names, phones and contacts), every sort in both directions,
paging with the total, refusal of bad values; transferring a customer to
another owner and the audit row it writes; concurrent edits of one
version (one wins, the other gets 409).

Every list query carries a unique tag in q, so customers made by other
tests in the same session never get in the way."""
import html
import json
import re
import threading
import time
import uuid

import pytest
import requests

VALIDATION_EN = ("Some fields are not filled in correctly. Please correct "
                 "them and submit again.")
ROW_RX = re.compile(r'<td[^>]*><a href="/customers/(\d+)">([^<]*)</a></td>')


class Api:
    def __init__(self, stack, world, login, slug="acme"):
        self.stack = stack
        self.h = {"Authorization": f"Bearer {world.tokens[(slug, login)]}",
                  "Accept-Language": "en"}

    def req(self, method, path, headers=None, **kw):
        return requests.request(method, self.stack.url(path),
                                headers={**self.h, **(headers or {})},
                                timeout=30, **kw)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, **kw):
        return self.req("POST", path, **kw)

    def customer(self, name, **fields):
        body = {"name": name, "kind": "hospital", "confirm_duplicate": True}
        body.update(fields)
        r = self.post("/api/v1/customers", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def list(self, **params):
        r = self.get("/api/v1/customers", params=params)
        assert r.status_code == 200, (params, r.status_code, r.text[:500])
        return r.json()


@pytest.fixture(scope="module")
def people(stack, world):
    """API tokens for everyone the tests list as; user ids by login."""
    for login in ("rep2", "rep3", "mgr2", "mgr3"):
        world.tokens.setdefault(("acme", login), stack.cli(
            "token", "create", "--tenant", "acme", "--user",
            login).stdout.strip())
    return {login: world.ids[("acme", login)]
            for login in ("boss", "mgr", "mgr2", "mgr3", "rep1", "rep2",
                          "rep3")}


# The six customers most tests list: letter -> (name word, owner, kind,
# stage, amount, days since the last activity, days in the stage, days
# since creation, days since the last update).
SIX = {
    "A": ("Alpha", "rep1", "hospital", "lead", "30", 1, 5, 1, 6),
    "B": ("bravo", "rep1", "dealer", "intent", "2000", 10, 3, 2, 5),
    "C": ("Charlie", "rep2", "other", "advancing", "100", 40, 10, 3, 4),
    "D": ("delta", "rep3", "hospital", "quote", "5", 45, 1, 4, 3),
    "E": ("Echo", "mgr2", "enterprise", "contract", "999999", 60, 20, 5, 2),
    "F": ("foxtrot", "mgr", "hospital", "lost", None, 2, 7, 6, 1),
}


class Six:
    def __init__(self, tag, ids):
        self.tag = tag
        self.ids = ids                     # letter -> id
        self.letter = {v: k for k, v in ids.items()}

    def letters(self, rows):
        """'ABC' for a list of API rows or page (id, name) pairs."""
        out = ""
        for row in rows:
            cid = row["id"] if isinstance(row, dict) else row[0]
            out += self.letter.get(cid, "?")
        return out


@pytest.fixture(scope="module")
def six(stack, world, people):
    tag = "lst" + uuid.uuid4().hex[:8]
    boss = Api(stack, world, "boss")
    ids = {}
    for letter, (word, owner, kind, stage, amount, act, since, created,
                 updated) in SIX.items():
        c = boss.customer(f"{word} {tag}", kind=kind,
                          owner_id=people[owner])
        assert c["owner_id"] == people[owner], c
        ids[letter] = c["id"]
        stack.sql(
            "UPDATE customers SET "
            f"stage = '{stage}', "
            f"lost_reason = {'NULL' if stage != 'lost' else repr('price')}, "
            f"amount = {'NULL' if amount is None else amount}, "
            f"last_activity_at = UTC_TIMESTAMP(3) - INTERVAL {act} DAY, "
            f"stage_since = UTC_TIMESTAMP(3) - INTERVAL {since} DAY, "
            f"created_at = UTC_TIMESTAMP(3) - INTERVAL {created} DAY, "
            f"updated_at = UTC_TIMESTAMP(3) - INTERVAL {updated} DAY "
            f"WHERE id = {c['id']}")
    return Six(tag, ids)


def page_rows(text):
    return [(int(i), html.unescape(n)) for i, n in ROW_RX.findall(text)]


def page_total(text):
    m = re.search(r'<small class="count">(\d+)</small>', text)
    assert m, "no total on the list page"
    return int(m.group(1))


def resolve(params, people):
    """owner/team given as logins become user ids."""
    out = dict(params)
    for k in ("owner", "team"):
        if k in out and out[k] in people:
            out[k] = str(people[out[k]])
    return out


# who, filters, the letters expected (any order)
FILTERS = [
    ("boss", {}, "ABCDEF"),
    ("boss", {"stage": "intent"}, "B"),
    ("boss", {"stage": "contract"}, "E"),
    ("boss", {"stage": "lost"}, "F"),
    ("boss", {"owner": "rep1"}, "AB"),
    ("boss", {"owner": "mgr2"}, "E"),
    ("boss", {"owner": "mgr3"}, ""),
    ("boss", {"team": "mgr"}, "ABCEF"),    # mgr, mgr2, rep1, rep2
    ("boss", {"team": "mgr2"}, "CE"),      # mgr2, rep2
    ("boss", {"team": "mgr3"}, "D"),
    ("boss", {"team": "rep1"}, "AB"),
    ("boss", {"kind": "hospital"}, "ADF"),
    ("boss", {"kind": "dealer"}, "B"),
    ("boss", {"kind": "other"}, "C"),
    ("boss", {"kind": "store"}, ""),
    # fresh_days 7, stale_days 30 (lua/default/thresholds.lua); closed
    # stages (contract, lost) have no health whatever their activity.
    ("boss", {"health": "green"}, "A"),
    ("boss", {"health": "amber"}, "B"),
    ("boss", {"health": "red"}, "CD"),
    ("boss", {"stale": "5"}, "BCDE"),
    ("boss", {"stale": "30"}, "CDE"),
    ("boss", {"stale": "50"}, "E"),
    ("boss", {"stale": "61"}, ""),
    ("boss", {"health": "red", "kind": "other"}, "C"),
    ("boss", {"team": "mgr", "kind": "hospital"}, "AF"),
    ("boss", {"owner": "rep1", "stage": "lead"}, "A"),
    ("boss", {"owner": "rep1", "stage": "quote"}, ""),
    ("boss", {"team": "mgr2", "stale": "50"}, "E"),
    # Filters never widen the user's scope.
    ("mgr", {}, "ABCEF"),
    ("mgr", {"team": "mgr2"}, "CE"),
    ("mgr", {"team": "mgr3"}, ""),
    ("mgr", {"owner": "rep3"}, ""),
    ("mgr2", {}, "CE"),
    ("mgr2", {"team": "mgr"}, "CE"),
    ("mgr2", {"owner": "rep1"}, ""),
    ("rep1", {}, "AB"),
    ("rep1", {"owner": "rep2"}, ""),
    ("rep1", {"team": "mgr"}, "AB"),
    ("rep1", {"health": "amber"}, "B"),
]


def case_id(who, filters):
    return who + "-" + "&".join(f"{k}={v}" for k, v in filters.items())


@pytest.mark.parametrize("who,filters,expected", FILTERS,
                         ids=[case_id(w, f) for w, f, _ in FILTERS])
def test_filters_api_and_page(stack, world, people, six, who, filters,
                              expected):
    params = dict(resolve(filters, people), q=six.tag)
    body = Api(stack, world, who).list(**params)
    got = six.letters(body["customers"])
    assert sorted(got) == sorted(expected), (params, body)
    assert body["total"] == len(expected)
    page = world.client("acme", who).get("/customers", params=params)
    assert page.status_code == 200, page.text[:500]
    rows = page_rows(page.text)
    assert sorted(six.letters(rows)) == sorted(expected), params
    assert page_total(page.text) == len(expected)
    # The form shows the filters it applied.
    for k in ("stage", "kind", "health"):
        if k in filters and expected:
            assert re.search(rf'<option value="{filters[k]}" selected>',
                             page.text), k


def test_list_rows_carry_health_stage_and_owner(stack, world, people, six):
    rows = {six.letter[c["id"]]: c for c in
            Api(stack, world, "boss").list(q=six.tag)["customers"]}
    health = {"A": "green", "B": "amber", "C": "red", "D": "red",
              "E": "none", "F": "none"}
    for letter, (word, owner, kind, stage, *_rest) in SIX.items():
        row = rows[letter]
        assert row["name"] == f"{word} {six.tag}"
        assert (row["owner_id"], row["kind"], row["stage"]) == \
            (people[owner], kind, stage)
        assert row["health"] == health[letter], (letter, row)
    page = world.client("acme", "boss").get("/customers",
                                            params={"q": six.tag}).text
    for letter, cid in six.ids.items():
        m = re.search(rf'<a href="/customers/{cid}">.*?</tr>', page, re.S)
        assert m and f'dot-{health[letter]}"' in m.group(0), letter


def test_health_thresholds_at_their_boundaries(stack, world, people):
    """green within fresh_days (7), amber up to stale_days (30), red after
    that or with no activity at all; the list (SQL) and the customer
    (C) agree."""
    tag = "hl" + uuid.uuid4().hex[:8]
    api = Api(stack, world, "rep1")
    cases = {  # name -> (hours since the last activity or None, health)
        "g1": (7 * 24 - 1, "green"),
        "a1": (7 * 24 + 1, "amber"),
        "a2": (30 * 24 - 1, "amber"),
        "r1": (30 * 24 + 1, "red"),
        "r2": (None, "red"),
    }
    ids = {}
    for name, (hours, _) in cases.items():
        cid = api.customer(f"{name} {tag}")["id"]
        ids[cid] = name
        stack.sql("UPDATE customers SET last_activity_at = " +
                  ("NULL" if hours is None else
                   f"UTC_TIMESTAMP(3) - INTERVAL {hours} HOUR") +
                  f" WHERE id = {cid}")
    for health in ("green", "amber", "red"):
        got = {ids[c["id"]] for c in
               api.list(q=tag, health=health)["customers"]}
        assert got == {n for n, (_, h) in cases.items() if h == health}, \
            health
    for cid, name in ids.items():
        r = api.get(f"/api/v1/customers/{cid}")
        assert r.json()["health"] == cases[name][1], name
    # Stale for N days: the red ones, never-active included.
    got = {ids[c["id"]] for c in api.list(q=tag, stale="30")["customers"]}
    assert got == {"r1", "r2"}
    got = {ids[c["id"]] for c in api.list(q=tag, stale="3650")["customers"]}
    assert got == {"r2"}


def test_thresholds_come_from_the_tenants_rules(stack, world, tmp_path):
    """A company that calls a customer stale after 3 days sees that in the
    health filter on the next request."""
    tag = "th" + uuid.uuid4().hex[:8]
    api = Api(stack, world, "rep1")
    cid = api.customer(f"th {tag}")["id"]
    stack.sql("UPDATE customers SET last_activity_at = UTC_TIMESTAMP(3) - "
              f"INTERVAL 4 DAY WHERE id = {cid}")
    assert [c["health"] for c in api.list(q=tag)["customers"]] == ["green"]
    d = tmp_path / "rules"
    d.mkdir()
    stack.cli("rules", "pull", "--tenant", "acme", str(d))
    th = (d / "thresholds.lua").read_text()
    assert "customer_health = { fresh_days = 7, stale_days = 30 }" in th
    (d / "thresholds.lua").write_text(th.replace(
        "customer_health = { fresh_days = 7, stale_days = 30 }",
        "customer_health = { fresh_days = 2, stale_days = 3 }"))
    try:
        r = stack.cli("rules", "push", "--tenant", "acme", str(d),
                      "--comment", f"health {tag}")
        assert "published version" in r.stdout
        time.sleep(0.6)  # every worker checks for a new version each 0.5 s
        for _ in range(6):  # whichever worker answers
            assert [c["health"] for c in api.list(q=tag)["customers"]] == \
                ["red"]
            assert [c["id"] for c in api.list(q=tag, health="red")
                    ["customers"]] == [cid]
            assert api.list(q=tag, health="green")["customers"] == []
            assert api.get(f"/api/v1/customers/{cid}").json()["health"] == \
                "red"
    finally:
        # The defaults again, as a new version.
        (d / "thresholds.lua").write_text(th)
        stack.cli("rules", "push", "--tenant", "acme", str(d), "--comment",
                  f"health {tag} undone")
    time.sleep(0.6)
    for _ in range(6):
        assert [c["id"] for c in api.list(q=tag, health="green")
                ["customers"]] == [cid], api.list(q=tag)


SORTS = [
    # params, the order expected; amount sorts compare the customers that
    # have an amount (F has none).
    ({}, "FEDCBA"),                                  # updated, newest first
    ({"sort": "updated"}, "FEDCBA"),
    ({"sort": "updated", "dir": "asc"}, "ABCDEF"),
    ({"sort": "name"}, "ABCDEF"),                    # case does not count
    ({"sort": "name", "dir": "desc"}, "FEDCBA"),
    ({"sort": "amount"}, "EBCAD"),                   # largest first
    ({"sort": "amount", "dir": "asc"}, "DACBE"),     # as numbers
    ({"sort": "stage_since"}, "ECFABD"),             # longest in stage first
    ({"sort": "stage_since", "dir": "desc"}, "DBAFCE"),
    ({"sort": "activity"}, "EDCBFA"),                # quietest first
    ({"sort": "activity", "dir": "desc"}, "AFBCDE"),
    ({"sort": "created"}, "ABCDEF"),                 # newest first
    ({"sort": "created", "dir": "asc"}, "FEDCBA"),
]


@pytest.mark.parametrize("params,expected", SORTS,
                         ids=["-".join(p.values()) or "default"
                              for p, _ in SORTS])
def test_sort_and_direction_api_and_page(stack, world, six, params,
                                         expected):
    q = dict(params, q=six.tag)
    got = six.letters(Api(stack, world, "boss").list(**q)["customers"])
    page = world.client("acme", "boss").get("/customers", params=q)
    assert page.status_code == 200
    on_page = six.letters(page_rows(page.text))
    if params.get("sort") == "amount":
        got, on_page = got.replace("F", ""), on_page.replace("F", "")
    assert got == expected, q
    assert on_page == expected, q
    # The page's form keeps the sort and direction.
    if "sort" in params:
        assert f'<option value="{params["sort"]}" selected>' in page.text
    # Each sort has its natural direction unless one is asked for.
    desc = (params["dir"] == "desc" if "dir" in params else
            params.get("sort", "updated") in ("updated", "created", "amount"))
    assert ('<option value="desc" selected>' in page.text) == desc


def test_paging_api_total_and_pages(stack, world, six):
    api = Api(stack, world, "boss")
    seen = ""
    for page, want in ((1, "AB"), (2, "CD"), (3, "EF"), (4, "")):
        body = api.list(q=six.tag, sort="name", per_page=2, page=page)
        assert six.letters(body["customers"]) == want, page
        assert (body["total"], body["page"], body["per_page"]) == \
            (6, page, 2)
        seen += want
    assert seen == "ABCDEF"
    body = api.list(q=six.tag, sort="name", per_page=4, page=2)
    assert six.letters(body["customers"]) == "EF"
    body = api.list(q=six.tag, sort="name", dir="desc", per_page=4, page=2)
    assert six.letters(body["customers"]) == "BA"
    # The default page size is 50, the largest 200.
    assert api.list(q=six.tag)["per_page"] == 50
    assert api.list(q=six.tag, per_page=200)["per_page"] == 200
    # Filters apply before paging: the total counts the matches only.
    body = api.list(q=six.tag, kind="hospital", sort="name", per_page=2,
                    page=2)
    assert six.letters(body["customers"]) == "F" and body["total"] == 3


def test_paging_on_the_page_50_a_page(stack, world, people):
    tag = "pg" + uuid.uuid4().hex[:8]
    tenant = stack.sql("SELECT id FROM tenants WHERE slug = 'acme'")[0][0]
    n = 53
    values = ", ".join(
        f"({tenant}, 'p{i:03d} {tag}', 'p{i:03d}{tag}', 'hospital', "
        f"{people['rep1']}, 'lead', '', UTC_TIMESTAMP(3), "
        f"UTC_TIMESTAMP(3) - INTERVAL {i} MINUTE)" for i in range(n))
    stack.sql("INSERT INTO customers (tenant_id, name, name_key, kind, "
              "owner_id, stage, note, last_activity_at, updated_at) VALUES "
              + values)
    c = world.client("acme", "rep1")
    r = c.get("/customers", params={"q": tag, "sort": "name"})
    assert r.status_code == 200
    first = page_rows(r.text)
    assert [name for _, name in first] == [f"p{i:03d} {tag}"
                                           for i in range(50)]
    assert page_total(r.text) == n
    assert "<span>1 / 2</span>" in r.text
    m = re.search(r'<a class="button" href="([^"]+)">Next</a>', r.text)
    assert m, "no link to the next page"
    nxt = html.unescape(m.group(1))
    assert f"q={tag}" in nxt and "sort=name" in nxt and "page=2" in nxt
    r = c.get(nxt)
    second = page_rows(r.text)
    assert [name for _, name in second] == [f"p{i:03d} {tag}"
                                            for i in range(50, n)]
    assert "<span>2 / 2</span>" in r.text and page_total(r.text) == n
    assert ">Next</a>" not in r.text
    assert re.search(r'href="[^"]*page=1[^"]*">Previous</a>', r.text)
    r = c.get("/customers", params={"q": tag, "page": 3})
    assert r.status_code == 200 and page_rows(r.text) == []
    assert page_total(r.text) == n
    # Another rep sees none of them.
    r = world.client("acme", "rep2").get("/customers", params={"q": tag})
    assert page_rows(r.text) == [] and page_total(r.text) == 0


def test_search_matches_names_phones_and_contacts(stack, world, people):
    tag = "sq" + uuid.uuid4().hex[:8]
    ctag = "ct" + uuid.uuid4().hex[:8]
    digits = str(uuid.uuid4().int)[:9]
    api = Api(stack, world, "rep1")
    by_contact = api.customer(f"医院 {tag}")["id"]
    by_name = api.customer(f"名称 {ctag}")["id"]
    by_phone = api.customer(f"电话 {tag}", phone=f"021-{digits}")["id"]
    r = api.post(f"/api/v1/customers/{by_contact}/contacts",
                 json={"name": f"王主任 {ctag}", "role": "budget",
                       "phone": f"139{digits[::-1]}"})
    assert r.status_code == 201, r.text
    contact = r.json()["id"]
    # Another rep's customer with the same contact name stays theirs.
    theirs = Api(stack, world, "rep2").customer(f"他人 {tag}")["id"]
    r = Api(stack, world, "rep2").post(
        f"/api/v1/customers/{theirs}/contacts",
        json={"name": f"王主任 {ctag}", "role": "budget"})
    assert r.status_code == 201

    def found(who, q):
        api_ids = {c["id"] for c in Api(stack, world, who).list(q=q)
                   ["customers"]}
        page = world.client("acme", who).get("/customers", params={"q": q})
        assert {i for i, _ in page_rows(page.text)} == api_ids, q
        return api_ids

    assert found("rep1", ctag) == {by_contact, by_name}
    assert found("rep1", f"王主任 {ctag}") == {by_contact}
    assert found("rep1", digits[::-1]) == {by_contact}   # contact's phone
    assert found("rep1", digits) == {by_phone}           # customer's phone
    assert found("rep1", tag) == {by_contact, by_phone}
    assert found("rep2", ctag) == {theirs}
    assert found("boss", ctag) == {by_contact, by_name, theirs}
    # A removed contact is no longer found.
    c = world.client("acme", "rep1")
    r = c.post(f"/contacts/{contact}/remove", {"confirm": "1"})
    assert r.status_code == 303, r.text[:500]
    assert found("rep1", ctag) == {by_name}
    assert found("rep1", digits[::-1]) == set()


def test_search_treats_like_wildcards_literally(stack, world):
    tag = "wc" + uuid.uuid4().hex[:8]
    api = Api(stack, world, "rep1")
    pct = api.customer(f"{tag} 50% off")["id"]
    api.customer(f"{tag} 500 units")
    und = api.customer(f"{tag} a_b")["id"]
    api.customer(f"{tag} axb")
    assert [c["id"] for c in api.list(q=f"{tag} 50%")["customers"]] == [pct]
    assert [c["id"] for c in api.list(q=f"{tag} a_b")["customers"]] == [und]
    assert api.list(q=f"{tag}%")["customers"] == []
    assert len(api.list(q=tag)["customers"]) == 4


BAD = [
    {"health": "purple"},
    {"health": "none"},
    {"sort": "size"},
    {"sort": "NAME"},
    {"dir": "up"},
    {"page": "0"},
    {"page": "-1"},
    {"page": "two"},
    {"page": "100001"},
    {"stale": "0"},
    {"stale": "3651"},
    {"stale": "ten"},
    {"owner": "abc"},
    {"owner": "0"},
    {"team": "1.5"},
    {"stage": "Lead Stage"},
    {"kind": "../etc"},
    {"stage": "no-such-stage"},
    {"kind": "spaceship"},
    {"q": "x" * 101},
    {"q": "a\x01b"},
]


@pytest.mark.parametrize("params", BAD, ids=[
    "&".join(f"{k}={v[:12]!r}" for k, v in p.items()) for p in BAD])
def test_bad_values_are_422_with_a_message(stack, world, params):
    r = Api(stack, world, "rep1").get("/api/v1/customers", params=params)
    assert r.status_code == 422, (params, r.status_code, r.text[:300])
    body = r.json()
    assert body["error"] == "validation"
    assert body["message"] == VALIDATION_EN
    assert set(body["fields"]) == set(params), body  # names what is wrong
    page = world.client("acme", "rep1").get("/customers", params=params)
    assert page.status_code == 422, params
    assert "text/html" in page.headers["Content-Type"]
    assert VALIDATION_EN in html.unescape(page.text)
    assert not page_rows(page.text)


@pytest.mark.parametrize("per_page", ["0", "201", "-5", "many"])
def test_bad_page_size_is_422(stack, world, per_page):
    r = Api(stack, world, "rep1").get("/api/v1/customers",
                                      params={"per_page": per_page})
    assert r.status_code == 422, r.text
    assert r.json()["message"] == VALIDATION_EN


# --- transfer ----------------------------------------------------------------

def transfers_of(stack, cid):
    rows = stack.sql("SELECT actor_id, subject_user_id, detail FROM "
                     "audit_log WHERE event = 'customer.transfer' AND "
                     f"JSON_VALUE(detail, '$.customer') = {cid} ORDER BY id")
    return [(int(a), int(s), json.loads(d)) for a, s, d in rows]


def owner_of(stack, cid):
    return int(stack.sql(f"SELECT owner_id FROM customers WHERE id = {cid}")
               [0][0])


def test_transfer_by_manager_and_admin_with_audit(stack, world, people):
    rep1 = Api(stack, world, "rep1")
    c = rep1.customer(f"移交 {uuid.uuid4().hex[:8]}")
    cid, v = c["id"], c["version"]
    mgr = world.client("acme", "mgr")
    r = mgr.post(f"/customers/{cid}/transfer", {"owner": people["rep2"]})
    assert r.status_code == 303, r.text[:500]
    assert r.headers["Location"] == f"/customers/{cid}"
    assert owner_of(stack, cid) == people["rep2"]
    assert transfers_of(stack, cid) == [
        (people["mgr"], people["rep2"],
         {"customer": cid, "from": people["rep1"], "to": people["rep2"]})]
    # The old owner has lost it, the new one has it, a new version.
    assert rep1.get(f"/api/v1/customers/{cid}").status_code == 404
    got = Api(stack, world, "rep2").get(f"/api/v1/customers/{cid}").json()
    assert got["owner_id"] == people["rep2"] and got["version"] == v + 1
    # An admin gives it back.
    boss = world.client("acme", "boss")
    r = boss.post(f"/customers/{cid}/transfer", {"owner": people["rep1"]})
    assert r.status_code == 303
    assert owner_of(stack, cid) == people["rep1"]
    assert transfers_of(stack, cid)[1] == (
        people["boss"], people["rep1"],
        {"customer": cid, "from": people["rep2"], "to": people["rep1"]})
    assert len(transfers_of(stack, cid)) == 2


def test_transfer_refusals_change_nothing(stack, world, people):
    rep1 = Api(stack, world, "rep1")
    cid = rep1.customer(f"移交拒绝 {uuid.uuid4().hex[:8]}")["id"]
    version = rep1.get(f"/api/v1/customers/{cid}").json()["version"]
    tries = [
        # A rep may not transfer, not even their own customer: the route
        # is not theirs (404, like every route a role may not use).
        ("rep1", {"owner": people["rep2"]}, 404),
        ("rep1", {"owner": people["rep1"]}, 404),
        # A manager whose team does not own it does not see it.
        ("mgr3", {"owner": people["rep3"]}, 404),
        ("mgr2", {"owner": people["rep2"]}, 404),
        # A manager may not give it to someone outside their team, nor to
        # nobody.
        ("mgr", {"owner": people["rep3"]}, 422),
        ("mgr", {"owner": 999999999}, 422),
        ("mgr", {"owner": "abc"}, 422),
        ("mgr", {}, 422),
    ]
    for who, form, status in tries:
        r = world.client("acme", who).post(f"/customers/{cid}/transfer",
                                           form)
        assert r.status_code == status, (who, form, r.status_code)
    # Without the CSRF token a manager is refused too.
    r = world.client("acme", "mgr").post(f"/customers/{cid}/transfer",
                                         {"owner": people["rep2"]},
                                         token=False)
    assert r.status_code == 403
    assert owner_of(stack, cid) == people["rep1"]
    assert transfers_of(stack, cid) == []
    assert rep1.get(f"/api/v1/customers/{cid}").json()["version"] == version


# --- concurrent edits --------------------------------------------------------

def test_concurrent_patches_one_200_one_409(stack, world):
    api = Api(stack, world, "rep1")
    c = api.customer(f"并发 {uuid.uuid4().hex[:8]}", city="start")
    cid = c["id"]
    for rnd in range(10):
        cur = api.get(f"/api/v1/customers/{cid}").json()
        v = cur["version"]
        barrier = threading.Barrier(2)
        out = [None, None]

        def patch(i):
            s = requests.Session()
            s.headers.update(api.h)
            # Connect before the barrier: the two requests leave together.
            s.get(stack.url("/healthz"))
            barrier.wait()
            out[i] = s.patch(stack.url(f"/api/v1/customers/{cid}"),
                             json={"version": v, "city": f"r{rnd}-{i}"},
                             timeout=30)

        threads = [threading.Thread(target=patch, args=(i,))
                   for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        codes = sorted(r.status_code for r in out)
        assert codes == [200, 409], (rnd, [r.text[:300] for r in out])
        win = [r for r in out if r.status_code == 200][0]
        lose = [r for r in out if r.status_code == 409][0]
        winner_city = win.json()["city"]
        assert win.json()["version"] == v + 1
        assert lose.json()["error"] == "conflict"
        assert lose.json()["current"]["city"] == winner_city
        assert lose.json()["current"]["version"] == v + 1
        now = api.get(f"/api/v1/customers/{cid}").json()
        assert (now["city"], now["version"]) == (winner_city, v + 1), rnd

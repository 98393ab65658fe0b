"""Customers and the evidence-gated pipeline, end to end: the default chain
blocks exactly what it should on every write path (API, page, board, bulk
action, import), history is append-only and records the evidence and rule
version, stale edits get 409, and every list, search, board, export, file
and API call stays inside the user's scope."""
import re
import subprocess
import time
import uuid

import pytest
import requests

from test_rules import edit_and_publish, publish, source_of

ADVANCING = {"trial_kit_receipt", "head_phone_confirmation",
             "installation_form"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")


@pytest.fixture(autouse=True, scope="module")
def default_rules(stack, world):
    admin = world.client("acme", "boss")
    assert admin.post("/admin/rules/discard", {"confirm": "1"}).status_code == 303
    assert admin.post("/admin/rules/history/1/rollback", {"confirm": "1"}).status_code == 303
    time.sleep(0.6)
    world.tokens.setdefault(("acme", "rep2"), stack.cli(
        "token", "create", "--tenant", "acme", "--user",
        "rep2").stdout.strip())
    world.tokens.setdefault(("acme", "mgr2"), stack.cli(
        "token", "create", "--tenant", "acme", "--user",
        "mgr2").stdout.strip())


class Api:
    def __init__(self, stack, world, login, slug="acme"):
        self.stack = stack
        self.h = {"Authorization": f"Bearer {world.tokens[(slug, login)]}",
                  "Accept-Language": "zh-CN"}

    def req(self, method, path, headers=None, **kw):
        return requests.request(method, self.stack.url(path),
                                headers={**self.h, **(headers or {})},
                                timeout=30, **kw)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, **kw):
        return self.req("POST", path, **kw)

    def customer(self, name=None, **fields):
        body = {"name": name or f"客户 {uuid.uuid4().hex[:10]}",
                "kind": "hospital", "confirm_duplicate": True}
        body.update(fields)
        r = self.post("/api/v1/customers", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def evidence(self, cid, key, data=None):
        if data is None:
            r = self.post(f"/api/v1/customers/{cid}/evidence",
                          data={"key": key},
                          files={"file": ("receipt.png", PNG, "image/png")})
        else:
            r = self.post(f"/api/v1/customers/{cid}/evidence",
                          json={"key": key, "data": data})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def stage(self, cid, to, **kw):
        return self.post(f"/api/v1/customers/{cid}/stage",
                         json=dict(to=to, **kw))


FORMS = {
    "need_confirmed": {"need": "CT 球管预算", "who": "设备科王科长"},
    "head_phone_confirmation": {"contact": "李主任", "outcome": "同意试用"},
    "installation_form": {"location": "放射科 2 楼", "power": "220V",
                          "date": "2026-12-20"},
}


def to_intent(api, cid):
    api.evidence(cid, "need_confirmed", FORMS["need_confirmed"])
    r = api.stage(cid, "intent")
    assert r.status_code == 200, r.text


def test_default_chain_blocks_exactly_and_history_records_it(stack, world):
    api = Api(stack, world, "rep1")
    c = api.customer()
    cid = c["id"]
    assert c["stage"] == "lead"
    r = api.stage(cid, "intent")
    assert r.status_code == 409
    assert r.json()["error"] == "evidence_missing"
    assert [m["key"] for m in r.json()["missing"]] == ["need_confirmed"]
    to_intent(api, cid)
    # Advancing needs exactly the three items of the seed SOP.
    r = api.stage(cid, "advancing")
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["error"] == "evidence_missing"
    assert {m["key"] for m in body["missing"]} == ADVANCING
    assert all(m["name"] for m in body["missing"])
    assert "签收" in " ".join(m["name"] for m in body["missing"])
    # Nothing moved.
    assert api.get(f"/api/v1/customers/{cid}").json()["stage"] == "intent"
    # Two of three are still not enough, and the answer names the third.
    ids = [api.evidence(cid, "trial_kit_receipt"),
           api.evidence(cid, "head_phone_confirmation",
                        FORMS["head_phone_confirmation"])]
    r = api.stage(cid, "advancing")
    assert r.status_code == 409
    assert [m["key"] for m in r.json()["missing"]] == ["installation_form"]
    ids.append(api.evidence(cid, "installation_form",
                            FORMS["installation_form"]))
    r = api.stage(cid, "advancing")
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "advancing"
    version = api.get("/api/v1/rules").json()["version"]
    hist = api.get(f"/api/v1/customers/{cid}/history").json()["history"]
    assert [(h["from"], h["to"], h["code"]) for h in hist] == [
        (None, "lead", "created"), ("lead", "intent", "ok"),
        ("intent", "advancing", "ok")]
    last = hist[-1]
    assert sorted(last["evidence_ids"]) == sorted(ids)
    assert last["rule_version"] == version
    assert last["via"] == "api"
    # Evidence used for the advance is locked, in the app and in MariaDB.
    page = world.client("acme", "rep1")
    r = page.post(f"/customers/{cid}/evidence/{ids[0]}/remove",
                  {"confirm": "1"})
    assert r.status_code == 409
    with pytest.raises(subprocess.CalledProcessError) as e:
        stack.sql(f"UPDATE evidence SET data = '{{}}' WHERE id = {ids[1]}")
    assert "locked" in e.value.stderr
    with pytest.raises(subprocess.CalledProcessError) as e:
        stack.sql(f"DELETE FROM stage_events WHERE customer_id = {cid}")
    assert "append-only" in e.value.stderr
    with pytest.raises(subprocess.CalledProcessError):
        stack.sql(f"UPDATE stage_events SET to_stage = 'contract' "
                  f"WHERE customer_id = {cid}")


def test_skip_back_reopen_and_lost_follow_the_rules(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    r = api.stage(cid, "advancing")
    assert r.status_code == 409 and r.json()["error"] == "skip_not_allowed"
    r = api.stage(cid, "lost")
    assert r.status_code == 422
    assert r.json()["error"] == "lost_reason_required"
    r = api.stage(cid, "lost", lost_reason="not-a-reason")
    assert r.status_code == 422 and r.json()["error"] == "bad_lost_reason"
    r = api.stage(cid, "lost", lost_reason="price")
    assert r.status_code == 200
    assert r.json()["lost_reason"] == "price"
    r = api.stage(cid, "quote")
    assert r.status_code == 409
    assert r.json()["error"] == "reopen_not_allowed"
    assert api.stage(cid, "lead").status_code == 200
    to_intent(api, cid)
    r = api.stage(cid, "lead")
    assert r.status_code == 200 and r.json()["code"] == "back"
    # A stale version is refused, not applied.
    v = api.get(f"/api/v1/customers/{cid}").json()["version"]
    r = api.stage(cid, "intent", version=v - 1)
    assert r.status_code == 409 and r.json()["error"] == "stale"


def test_a_rule_change_is_obeyed_on_the_next_request(stack, world):
    admin = world.client("acme", "boss")
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    api.evidence(cid, "need_confirmed", FORMS["need_confirmed"])
    try:
        edit_and_publish(stack, admin, "stages", lambda s: s.replace(
            '{ key = "intent",    name = "意向",   name_en = "Intent",\n'
            '    requires = { "need_confirmed" } },',
            '{ key = "intent",    name = "意向",   name_en = "Intent",\n'
            '    requires = { "need_confirmed", "trial_kit_receipt" } },')
            .replace('expect = { allowed = false, missing = '
                     '{ "need_confirmed" } } }',
                     'expect = { allowed = false, missing = '
                     '{ "need_confirmed", "trial_kit_receipt" } } }'))
        time.sleep(1.0)
        r = api.stage(cid, "intent")
        assert r.status_code == 409, r.text
        assert [m["key"] for m in r.json()["missing"]] == \
            ["trial_kit_receipt"]
        version = r.json()["rule_version"]
        api.evidence(cid, "trial_kit_receipt")
        assert api.stage(cid, "intent").status_code == 200
        hist = api.get(f"/api/v1/customers/{cid}/history").json()["history"]
        assert hist[-1]["rule_version"] == version > 1
    finally:
        assert admin.post("/admin/rules/history/1/rollback", {"confirm": "1"}).status_code == \
            303
        time.sleep(1.0)


def test_gate_holds_on_pages_board_and_bulk(stack, world):
    api = Api(stack, world, "rep1")
    page = world.client("acme", "rep1")
    cid = api.customer()["id"]
    to_intent(api, cid)
    # The customer page: 409 and the missing items in red, with links.
    r = page.post(f"/customers/{cid}/stage", {"to": "advancing"})
    assert r.status_code == 409
    missing = re.findall(r'<a class="missing" href="/customers/\d+/evidence/'
                         r'([a-z_]+)">', r.text)
    assert set(missing) == ADVANCING
    r = page.get(f"/customers/{cid}")
    assert r.status_code == 200
    assert len(re.findall(r'class="evidence-item missing"', r.text)) == 3
    # The board.
    r = page.post("/pipeline/move", {"id": cid, "to": "advancing"})
    assert r.status_code == 409
    assert set(re.findall(r'/evidence/([a-z_]+)">', r.text)) >= ADVANCING
    # A bulk action: each customer through the gate on its own; a refusal
    # does not undo the others.
    bare = api.customer()["id"]
    ready = api.customer()["id"]
    api.evidence(ready, "need_confirmed", FORMS["need_confirmed"])
    r = page.post("/customers/bulk", {"action": "stage", "to": "intent",
                                      "ids": [bare, ready]})
    assert r.status_code == 200
    assert f"/customers/{bare}/evidence/need_confirmed" in r.text
    for x, want in ((bare, "lead"), (ready, "intent"), (cid, "intent")):
        assert api.get(f"/api/v1/customers/{x}").json()["stage"] == want
    hist = api.get(f"/api/v1/customers/{ready}/history").json()["history"]
    assert hist[-1]["via"] == "bulk"
    hist = api.get(f"/api/v1/customers/{cid}/history").json()["history"]
    assert [h["via"] for h in hist] == ["api", "api"]


def test_concurrent_edits_one_wins_the_other_gets_409(stack, world):
    api = Api(stack, world, "rep1")
    c = api.customer(city="上海")
    v = c["version"]
    a = api.req("PATCH", f"/api/v1/customers/{c['id']}",
                json={"version": v, "city": "杭州"})
    b = api.req("PATCH", f"/api/v1/customers/{c['id']}",
                json={"version": v, "city": "南京"})
    assert sorted([a.status_code, b.status_code]) == [200, 409]
    assert b.json()["error"] == "conflict"
    assert b.json()["current"]["city"] == "杭州"
    assert api.get(f"/api/v1/customers/{c['id']}").json()["city"] == "杭州"
    # The page: the second save shows what changed and keeps the input.
    page = world.client("acme", "rep1")
    form = page.get(f"/customers/{c['id']}/edit").text
    ver = re.search(r'name="version" value="(\d+)"', form).group(1)
    data = {"name": c["name"], "kind": "hospital", "version": ver}
    r1 = page.post(f"/customers/{c['id']}", dict(data, city="苏州"))
    r2 = page.post(f"/customers/{c['id']}", dict(data, city="宁波"))
    assert r1.status_code == 303 and r2.status_code == 409
    assert "苏州" in r2.text and 'value="宁波"' in r2.text
    assert api.get(f"/api/v1/customers/{c['id']}").json()["city"] == "苏州"


def test_validation_and_duplicates(stack, world):
    api = Api(stack, world, "rep1")
    r = api.post("/api/v1/customers", json={"name": "", "kind": "spaceship",
                                            "amount": "-3"})
    assert r.status_code == 422
    assert set(r.json()["fields"]) >= {"name", "kind", "amount"}
    name = f"杭州市第一人民医院{uuid.uuid4().hex[:6]}"
    api.customer(name)
    r = api.post("/api/v1/customers", json={"name": f" {name} 有限公司",
                                            "kind": "hospital"})
    assert r.status_code == 409 and r.json()["error"] == "duplicate"
    assert r.json()["similar"][0]["name"] == name
    r = api.post("/api/v1/customers", data="[1,2]",
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_scope_lists_search_board_export_api_and_files(stack, world):
    rep1, rep2 = Api(stack, world, "rep1"), Api(stack, world, "rep2")
    tag = uuid.uuid4().hex[:8]
    mine = rep1.customer(f"REP1-{tag}")
    theirs = rep2.customer(f"REP2-{tag}")
    fid_theirs = None
    rep2.evidence(theirs["id"], "need_confirmed", FORMS["need_confirmed"])
    ev = rep2.post(f"/api/v1/customers/{theirs['id']}/evidence",
                   data={"key": "trial_kit_receipt"},
                   files={"file": ("x.png", PNG, "image/png")})
    fid_theirs = rep2.get(f"/api/v1/customers/{theirs['id']}").json()
    fid_theirs = [e["file_id"] for e in fid_theirs["evidence"]
                  if e.get("file_id")][0]
    assert ev.status_code == 201
    page1 = world.client("acme", "rep1")
    for path in (f"/customers?q={tag}", "/pipeline"):
        body = page1.get(path).text
        assert f"REP1-{tag}" in body or path == "/pipeline", path
        assert f"REP2-{tag}" not in body, path
    # The export (managers may, by default) has the same scope: rep2's
    # manager gets rep2's customer, not rep1's.
    body = world.client("acme", "mgr2").get(
        f"/customers/export.csv?q={tag}").text
    assert f"REP2-{tag}" in body and f"REP1-{tag}" not in body
    names = [c["name"] for c in
             rep1.get(f"/api/v1/customers?q={tag}").json()["customers"]]
    assert names == [f"REP1-{tag}"]
    for path in (f"/customers/{theirs['id']}",
                 f"/customers/{theirs['id']}/edit",
                 f"/customers/{theirs['id']}/evidence/need_confirmed",
                 f"/files/{fid_theirs}"):
        assert page1.get(path).status_code == 404, path
    for path in (f"/api/v1/customers/{theirs['id']}",
                 f"/api/v1/customers/{theirs['id']}/history"):
        assert rep1.get(path).status_code == 404, path
    assert rep1.stage(theirs["id"], "intent").status_code == 404
    # Their manager's manager sees both; a sibling manager sees neither.
    mgr = Api(stack, world, "mgr")
    got = {c["name"] for c in
           mgr.get(f"/api/v1/customers?q={tag}").json()["customers"]}
    assert got == {f"REP1-{tag}", f"REP2-{tag}"}
    mgr2 = Api(stack, world, "mgr2")
    got = {c["name"] for c in
           mgr2.get(f"/api/v1/customers?q={tag}").json()["customers"]}
    assert got == {f"REP2-{tag}"}
    # Another company's user: 404 for the customer and the file.
    bravo = world.client("bravo", "boss")
    assert bravo.get(f"/customers/{mine['id']}").status_code == 404
    assert bravo.get(f"/files/{fid_theirs}").status_code == 404
    # The owner gets the file through nginx (X-Accel-Redirect).
    page2 = world.client("acme", "rep2")
    r = page2.get(f"/files/{fid_theirs}")
    assert r.status_code == 200 and r.content == PNG
    assert r.headers["Content-Type"] == "image/png"
    assert "sandbox" in r.headers.get("Content-Security-Policy", "")


def test_export_neutralises_formula_cells(stack, world):
    api = Api(stack, world, "rep1")
    tag = uuid.uuid4().hex[:8]
    for n in (f"=HYPERLINK(\"x\")-{tag}", f"+cmd-{tag}", f"@SUM-{tag}",
              f"-2+3-{tag}"):
        api.customer(n, city="=1+1")
    page = world.client("acme", "mgr")  # rep1's manager
    r = page.get(f"/customers/export.csv?q={tag}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    for n in ("=HYPERLINK", "+cmd", "@SUM", "-2+3"):
        assert f"'{n}" in text
        assert f",{n}" not in text and f"\"{n}" not in text
    assert ",'=1+1," in text


def test_decision_chain_penetration_and_picture(stack, world):
    api = Api(stack, world, "rep1")
    page = world.client("acme", "rep1")
    cid = api.customer()["id"]
    today = time.strftime("%Y-%m-%d")
    for role, consensus in (("budget", "预算已批"), ("acceptance", ""),
                            ("influencer", "认可方案"), ("user", "好用")):
        r = api.post(f"/api/v1/customers/{cid}/contacts",
                     json={"name": f"<b>{role}</b>", "role": role,
                           "channel": "wechat_text"})
        assert r.status_code == 201, r.text
        kid = r.json()["id"]
        page_html = page.get(f"/contacts/{kid}").text
        assert "&lt;b&gt;" in page_html
        r = page.post(f"/contacts/{kid}/events",
                      {"kind": "met", "on": today, "text": "拜访",
                       "consensus": consensus})
        assert r.status_code == 303, r.text[:500]
    html = page.get(f"/customers/{cid}").text
    # budget and influencer are covered, acceptance met without consensus:
    # 2 of 3 required roles; "user" does not count.
    assert "<strong>67%</strong> (2/3)" in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "script" not in svg and "style=" not in svg
    r = api.post(f"/api/v1/customers/{cid}/contacts",
                 json={"name": "x", "role": "astronaut"})
    assert r.status_code == 422


def test_number_and_list_fields_reach_the_quote_stage(stack, world):
    """quote_sheet has a number field and a list of at least 3 cases."""
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    to_intent(api, cid)
    api.evidence(cid, "trial_kit_receipt")
    for key in ("head_phone_confirmation", "installation_form"):
        api.evidence(cid, key, FORMS[key])
    assert api.stage(cid, "advancing").status_code == 200
    r = api.post(f"/api/v1/customers/{cid}/evidence", json={
        "key": "quote_sheet", "data": {"amount": "12x", "cases": ["a"]}})
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"amount", "cases"}
    # min = 3 in the form definition: two cases are not a valid form...
    r = api.post(f"/api/v1/customers/{cid}/evidence", json={
        "key": "quote_sheet", "data": {"amount": 580000.5,
                                       "cases": ["协和", "华山"]}})
    assert r.status_code == 422 and "cases" in r.json()["fields"]
    r = api.post(f"/api/v1/customers/{cid}/evidence", json={
        "key": "quote_sheet", "data": {"amount": "580000", "cases": [
            "x" * 201, "b", "c"]}})
    assert r.status_code == 422  # an item over 200 characters
    # ... the page accepts a list one item per line.
    page = world.client("acme", "rep1")
    r = page.post(f"/customers/{cid}/evidence/quote_sheet",
                  {"amount": "580,000", "cases": "协和医院\n华山医院\n瑞金医院"})
    assert r.status_code == 303, r.text[:1500]
    # Shown for people: the number grouped.
    shown = page.get(f"/customers/{cid}").text
    assert re.search(r"<dd[^>]*>580,000</dd>", shown), shown[:5000]
    r = api.stage(cid, "quote")
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "quote"


def test_duplicate_check_does_not_list_other_teams(stack, world):
    world.tokens.setdefault(("acme", "rep3"), stack.cli(
        "token", "create", "--tenant", "acme", "--user",
        "rep3").stdout.strip())
    rep1, rep3 = Api(stack, world, "rep1"), Api(stack, world, "rep3")
    tag = uuid.uuid4().hex[:6]
    secret = f"机密医院{tag}北院"
    rep1.customer(secret)
    # A fragment: nothing of rep1's team comes back, and it is created.
    r = rep3.post("/api/v1/customers", json={"name": f"机密医院{tag}",
                                             "kind": "hospital"})
    assert r.status_code == 201, r.text
    # The same name: "exists", with the owner, without the stored name.
    r = rep3.post("/api/v1/customers", json={"name": secret,
                                             "kind": "hospital"})
    assert r.status_code == 409
    similar = r.json()["similar"]
    assert secret not in r.text
    assert any(s.get("same_name") for s in similar)
    # Inside the team the similar names are listed.
    r = rep1.post("/api/v1/customers", json={"name": f"机密医院{tag}",
                                             "kind": "hospital"})
    assert r.status_code == 409 and secret in r.text


def test_owner_file_type_and_dates_are_checked(stack, world):
    admin = Api(stack, world, "boss")
    r = admin.post("/api/v1/customers", json={
        "name": f"x{uuid.uuid4().hex}", "kind": "hospital",
        "owner_id": world.ids[("bravo", "rep1")]})
    assert r.status_code == 422 and "owner_id" in r.json()["fields"]
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    r = api.post(f"/api/v1/customers/{cid}/evidence",
                 data={"key": "signed_contract"},
                 files={"file": ("x.html", b"<script>alert(1)</script>\x00",
                                 "text/html")})
    assert r.status_code == 422
    r = api.post(f"/api/v1/customers/{cid}/evidence",
                 data={"key": "trial_kit_receipt"},
                 files={"file": ("x.pdf", b"%PDF-1.4 fake", "image/png")})
    assert r.status_code == 422  # a photo must be an image
    r = api.post(f"/api/v1/customers/{cid}/contacts",
                 json={"name": "王", "role": "预算"})  # a name, stored by key
    assert r.status_code == 201 and r.json()["role"] == "budget"
    page = world.client("acme", "rep1")
    r = page.post(f"/contacts/{r.json()['id']}/events",
                  {"kind": "met", "on": "2099-01-01", "text": "x"})
    assert r.status_code == 422
    r = api.stage(cid, "lost", lost_reason="价格")
    assert r.status_code == 200 and r.json()["lost_reason"] == "price"


def test_contacts_and_their_events_are_capped(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    r = api.post(f"/api/v1/customers/{cid}/contacts",
                 json={"name": "Cap", "role": "budget"})
    assert r.status_code == 201
    kid = r.json()["id"]
    tenant = stack.sql("SELECT id FROM tenants WHERE slug = 'acme'")[0][0]
    stack.sql(
        "INSERT INTO contact_events (tenant_id, customer_id, contact_id, "
        "kind, happened_on) SELECT "
        f"{tenant}, {cid}, {kid}, 'event', '2026-01-01' FROM seq_1_to_2000")
    page = world.client("acme", "rep1")
    # Notes on a contact are capped (meetings are activities, not notes).
    r = page.post(f"/contacts/{kid}/events",
                  {"kind": "event", "on": "2026-01-02", "text": "one more"})
    assert r.status_code == 413 and "2000" in r.text
    assert stack.sql("SELECT COUNT(*) FROM contact_events WHERE "
                     f"contact_id = {kid}") == [["2000"]]
    stack.sql(
        "INSERT INTO contacts (tenant_id, customer_id, name, role) SELECT "
        f"{tenant}, {cid}, CONCAT('k', seq), 'user' FROM seq_1_to_199")
    r = api.post(f"/api/v1/customers/{cid}/contacts",
                 json={"name": "One too many", "role": "budget"})
    assert r.status_code == 413 and "200" in r.text


def test_api_contacts_update_and_evidence_list(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    r = api.post(f"/api/v1/customers/{cid}/contacts",
                 json={"name": "赵主任", "role": "budget", "phone": "130"})
    assert r.status_code == 201
    k = r.json()
    assert api.get(f"/api/v1/contacts/{k['id']}").json()["name"] == "赵主任"
    # Partial update: the rest is kept; a role by its name is stored by key.
    r = api.req("PATCH", f"/api/v1/contacts/{k['id']}", json={
        "version": k["version"], "title": "院长", "role": "验收"})
    assert r.status_code == 200, r.text
    u = r.json()
    assert (u["title"], u["role"], u["name"], u["phone"]) == \
        ("院长", "acceptance", "赵主任", "130")
    assert u["version"] == k["version"] + 1
    # Stale version: 409 with the current contact; nothing changes.
    r = api.req("PATCH", f"/api/v1/contacts/{k['id']}", json={
        "version": k["version"], "title": "科长"})
    assert r.status_code == 409 and r.json()["current"]["title"] == "院长"
    # Validation, and a version is required.
    for body in ({"version": u["version"], "email": "no-at-sign"},
                 {"version": u["version"], "role": "boss"},
                 {"title": "x"}):
        r = api.req("PATCH", f"/api/v1/contacts/{k['id']}", json=body)
        assert r.status_code == 422, (body, r.text)
    # The search column follows the contact's new phone.
    r = api.req("PATCH", f"/api/v1/contacts/{k['id']}", json={
        "version": u["version"], "phone": "13999990000"})
    assert r.status_code == 200
    found = api.get("/api/v1/customers?q=13999990000").json()
    assert [c["id"] for c in found["customers"]] == [cid]
    # Out of scope: another rep's contact and another tenant's.
    other = Api(stack, world, "rep2")
    assert other.get(f"/api/v1/contacts/{k['id']}").status_code == 404
    assert other.req("PATCH", f"/api/v1/contacts/{k['id']}", json={
        "version": 3, "title": "x"}).status_code == 404
    bravo = Api(stack, world, "rep1", slug="bravo")
    assert bravo.get(f"/api/v1/contacts/{k['id']}").status_code == 404
    # Evidence: the current item of each key.
    assert api.get(f"/api/v1/customers/{cid}/evidence").json() == \
        {"evidence": []}
    api.evidence(cid, "trial_kit_receipt")
    ev = api.get(f"/api/v1/customers/{cid}/evidence").json()["evidence"]
    assert [e["key"] for e in ev] == ["trial_kit_receipt"]
    assert ev[0]["used"] is False and ev[0]["file_id"] > 0
    assert other.get(f"/api/v1/customers/{cid}/evidence").status_code == 404


def test_api_contact_create_checks_like_the_page(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    for body in ({"name": "A", "role": "budget", "email": "no-at-sign"},
                 {"name": "A", "role": "budget", "birthday": "2999-01-01"},
                 {"name": "A", "role": "nobody"},
                 {"role": "budget"}):
        r = api.post(f"/api/v1/customers/{cid}/contacts", json=body)
        assert r.status_code == 422, (body, r.text)
    r = api.post(f"/api/v1/customers/{cid}/contacts", json={
        "name": "A", "role": "口碑", "email": "a@example.com",
        "birthday": "1980-02-29"})
    assert r.status_code == 201, r.text
    assert (r.json()["role"], r.json()["birthday"]) == ("influencer",
                                                        "1980-02-29")


def test_creates_and_evidence_are_audited_on_every_path(stack, world):
    api = Api(stack, world, "rep1")

    def audited(event, cid):
        return stack.sql(
            "SELECT COUNT(*) FROM audit_log WHERE event = '%s' AND "
            "JSON_VALUE(detail, '$.customer') = %d" % (event, cid))[0][0]

    cid = api.customer()["id"]  # through the API
    assert audited("customer.create", cid) == "1"
    api.evidence(cid, "trial_kit_receipt")
    api.evidence(cid, "need_confirmed", data={"need": "CT", "who": "王"})
    assert audited("evidence.add", cid) == "2"
    page = world.client("acme", "rep1")
    name = f"审计 {uuid.uuid4().hex[:8]}"
    r = page.post("/customers", {"name": name, "kind": "hospital",
                                 "confirm_duplicate": "1"})
    assert r.status_code == 303, r.text[:300]
    pid = int(r.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    assert audited("customer.create", pid) == "1"
    via = stack.sql("SELECT JSON_VALUE(detail, '$.via') FROM audit_log "
                    "WHERE event = 'customer.create' AND "
                    f"JSON_VALUE(detail, '$.customer') IN ({cid}, {pid}) "
                    "ORDER BY id")
    assert via == [["api"], ["page"]]

"""SQL-injection strings and mass-assignment fields in every parameter of
every route leave the data unchanged (and never cause a 5xx).

The rule every test here checks: an injection string, another company's
id, or a field no client may set (tenant_id, owner_id, stage, id, version,
created_by, used_in, role, ...) never changes an existing object's
protected fields, nor any of another company's data, and never executes
as SQL.  Where a request is otherwise valid and legitimately creates or
edits something (a JSON create, a PATCH of a free-text field), the
injection string is stored as text, literally, and the server sets the
protected fields itself.
"""
import json
import re
import uuid

import pytest
import requests

PAYLOADS = [
    "' OR '1'='1",
    "1' OR 1=1 -- ",
    "\" OR \"\"=\"",
    "1; DROP TABLE users; --",
    "1 UNION SELECT password_hash FROM users",
    "admin'/*",
    "1' AND SLEEP(3) AND '1'='1",
    "%' OR '%'='",
    "\\'; UPDATE users SET role='admin' WHERE '1'='1",
]
# Every field name a route reads (the field_spec tables of the handlers),
# each one sent with the injection string.
FIELDS = [
    # identity, sessions, tokens, administration
    "q", "role", "active", "page", "event", "user", "from", "to", "before",
    "next", "tenant", "login", "name", "manager", "region", "locale",
    "password", "current", "confirm", "code", "recovery", "days", "lang",
    # customers (customer_pages.c, customer_api.c): list filters, the form,
    # stage changes, transfers
    "stage", "owner", "owner_id", "team", "health", "kind", "stale", "sort",
    "dir", "per_page", "city", "address", "phone", "amount", "note",
    "confirm_duplicate", "version", "lost_reason",
    # contacts (contact_pages.c): the form and events
    "title", "department", "channel", "focus", "email", "birthday", "on",
    "text", "consensus",
    # evidence (evidence_pages.c) and the default rules' form fields
    "key", "data", "location", "power", "date", "need", "who", "contact",
    "outcome", "cases",
    # the board (pipeline.c) and bulk actions
    "id", "back", "action", "ids",
    # imports (imports.c)
    "encoding", "mode", "map_0", "map_1",
    # the rule editor (rules_admin.c, its dry run) and the rules API
    "source", "comment", "fn", "args", "customer", "have",
    # products and shelf audits (product_pages.c, audit_pages.c)
    "sku", "brand", "own", "category", "all", "limit", "photo", "photo_id",
    "sku_1", "product_1", "facings_1", "position_1", "price_1", "note_1",
    # quick notes (activity_api.c, visit_pages.c)
    "at", "note_at",
    # the clause library and templates (clause_pages.c)
    "body", "pos_payment", "opt_payment_term_days", "opt_prepay_pct",
    "amount", "payment_term_days", "prepay_pct", "customer", "number",
    # payments and credit (payment_pages.c)
    "invoice_no", "due_on", "paid_on", "keep_good", "window_days", "today",
]
PARAM = re.compile(r"\{([a-z_]+):int\}")
SLUG = re.compile(r"\{([a-z_]+):slug\}")
# Routes whose only effect is on the caller's own sessions and that take
# no input: nothing to inject, and running them would sign the tester out.
SKIP = {"login.logout", "account.sessions_revoke_others",
        "account.mfa_start"}
# Routes that act on the object in their path and read no fields: they are
# sent to an id that does not exist (their input is only the path).
ACTIONS = {"admin.user_deactivate", "admin.user_activate",
           "admin.user_password", "admin.user_mfa_reset",
           "admin.token_revoke", "account.token_revoke",
           "account.session_revoke", "rules.rollback", "contacts.remove",
           "evidence.remove"}
NOWHERE = 987654321
# Slugs in paths: a form evidence whose fields cannot all take text (a
# choice and a date), and a rule script.
SLUGS = {"key": "installation_form", "name": "stages",
         "type": "business_licence"}
# What the column mapping of an import may hold (imports.c FIELDS).
IMPORT_KEYS = {"", "name", "kind", "owner", "stage", "city", "address",
               "phone", "amount", "note", "contact_name", "contact_title",
               "contact_department", "contact_role", "contact_phone",
               "contact_email"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")
UNDER_TEST = "(SELECT id FROM tenants WHERE slug IN ('acme', 'bravo'))"


def snapshot(stack, exempt_import=0):
    """Every row of the identity tables, and of the customer, evidence,
    import and rule tables of both companies (all columns: nothing here
    changes on a read).  The column mapping of exempt_import is left out:
    changing it is what the mapping form is for (checked separately)."""
    t = UNDER_TEST
    queries = {
        "tenants": "SELECT * FROM tenants ORDER BY id",
        "users": "SELECT id, tenant_id, login, display_name, role, "
                 "manager_id, region, locale, active, password_hash, "
                 "mfa_enabled, mfa_secret FROM users ORDER BY id",
        "user_tree": "SELECT * FROM user_tree ORDER BY 1, 2, 3",
        "api_tokens": "SELECT id, tenant_id, user_id, name, token_hash, "
                      "expires_at, revoked_at FROM api_tokens ORDER BY id",
        "mfa_recovery_codes": "SELECT tenant_id, user_id, code_hash FROM "
                              "mfa_recovery_codes ORDER BY 1, 2, 3",
        "schema_migrations": "SELECT version, checksum FROM "
                             "schema_migrations ORDER BY 1",
        "customers": f"SELECT * FROM customers WHERE tenant_id IN {t} "
                     "ORDER BY id",
        "contacts": f"SELECT * FROM contacts WHERE tenant_id IN {t} "
                    "ORDER BY id",
        "contact_events": "SELECT * FROM contact_events WHERE tenant_id IN "
                          f"{t} ORDER BY id",
        "evidence": f"SELECT * FROM evidence WHERE tenant_id IN {t} "
                    "ORDER BY id",
        "products": f"SELECT * FROM products WHERE tenant_id IN {t} "
                    "ORDER BY id",
        "audit_lines": f"SELECT * FROM audit_lines WHERE tenant_id IN {t} "
                       "ORDER BY id",
        "payments": f"SELECT * FROM payments WHERE tenant_id IN {t} "
                    "ORDER BY id",
        "stage_events": f"SELECT * FROM stage_events WHERE tenant_id IN {t} "
                        "ORDER BY id",
        "files": f"SELECT * FROM files WHERE tenant_id IN {t} ORDER BY id",
        "imports": "SELECT id, tenant_id, created_by, created_at, file_id, "
                   f"encoding, IF(id = {int(exempt_import)}, '-', mapping), "
                   "status, rows_total, rows_valid, rows_imported, "
                   f"committed_at FROM imports WHERE tenant_id IN {t} "
                   "ORDER BY id",
        "rule_versions": f"SELECT * FROM rule_versions WHERE tenant_id IN "
                         f"{t} ORDER BY id",
        "rule_sources": "SELECT tenant_id, version_id, name, sha256, "
                        "SHA2(source, 256) FROM rule_sources WHERE "
                        f"tenant_id IN {t} ORDER BY 1, 2, 3",
        "rule_drafts": "SELECT tenant_id, name, SHA2(source, 256), "
                       "updated_by, updated_at FROM rule_drafts WHERE "
                       f"tenant_id IN {t} ORDER BY 1, 2",
        "tenant_rules": f"SELECT * FROM tenant_rules WHERE tenant_id IN {t} "
                        "ORDER BY 1",
        "clauses": f"SELECT * FROM clauses WHERE tenant_id IN {t} ORDER BY id",
        "contract_templates": "SELECT * FROM contract_templates WHERE "
                              f"tenant_id IN {t} ORDER BY id",
    }
    return {name: stack.sql(sql) for name, sql in queries.items()}


def changes(before, after, allowed=None):
    """Per table, the rows that changed or went away ("before": their old
    values) and the rows that changed or appeared ("after"), leaving out
    those allowed(table, row, side, old_ids) accepts."""
    out = {}
    for table, old_rows in before.items():
        old = {tuple(r) for r in old_rows}
        new = {tuple(r) for r in after[table]}
        old_ids = {r[0] for r in old}
        gone = [r for r in old - new if not (
            allowed and allowed(table, r, "before", old_ids))]
        came = [r for r in new - old if not (
            allowed and allowed(table, r, "after", old_ids))]
        if gone or came:
            out[table] = {"before": sorted(gone)[:3],
                          "after": sorted(came)[:3]}
    return out


def text_of(hexed):
    """A column read as HEX(col) (the client escapes backslashes)."""
    return bytes.fromhex(hexed).decode()


def bearer(stack, world, login, slug="acme"):
    """A JSON client with an API token of the user; call(method, path,
    body, expect) checks the status when expect is given."""
    key = (slug, login)
    if key not in world.tokens:
        world.tokens[key] = stack.cli("token", "create", "--tenant", slug,
                                      "--user", login).stdout.strip()
    headers = {"Authorization": f"Bearer {world.tokens[key]}",
               "Accept-Language": "en"}

    def call(method, path, body=None, expect=None, **kw):
        r = requests.request(method, stack.url(path), headers=headers,
                             json=body, timeout=30, **kw)
        if expect is not None:
            assert r.status_code == expect, (method, path, body,
                                             r.status_code, r.text[:500])
        return r
    return call


def tenant_id(stack, slug):
    (v,), = stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")
    return int(v)


@pytest.fixture(scope="module")
def routes(stack):
    table = json.loads(stack.cli("routes").stdout)
    return [r for r in table if not r["debug"] and r["name"] not in SKIP]


@pytest.fixture(scope="module")
def foreign(stack, world):
    """Ids of company B's objects, as strings."""
    def first(table):
        (v,), = stack.sql(f"SELECT MIN(x.id) FROM {table} x JOIN tenants t "
                          "ON t.id = x.tenant_id WHERE t.slug = 'bravo'")
        assert v != "NULL", table
        return v
    return {"tenant": str(tenant_id(stack, "bravo")),
            "boss": str(world.ids[("bravo", "boss")]),
            "mgr": str(world.ids[("bravo", "mgr")]),
            "user": str(world.ids[("bravo", "rep1")]),
            "customer": first("customers"), "contact": first("contacts"),
            "evidence": first("evidence"), "file": first("files"),
            "import": first("imports"), "stage_event": first("stage_events")}


def mass(f):
    """Fields a client could try to set that are never taken from a body,
    set to company B's ids (or to values a client may not choose)."""
    return {"tenant_id": f["tenant"], "tenant": "bravo", "owner": f["boss"],
            "owner_id": f["user"], "user_id": f["user"], "id": f["customer"],
            "customer": f["customer"], "customer_id": f["customer"],
            "contact_id": f["contact"], "evidence_id": f["evidence"],
            "file_id": f["file"], "import_id": f["import"],
            "ids": f["customer"],
            "manager": f["mgr"], "manager_id": f["mgr"],
            "created_by": f["boss"], "updated_by": f["boss"],
            "removed_by": f["boss"], "by_user": f["boss"],
            "used_in": f["stage_event"], "role": "admin", "stage": "contract",
            "status": "committed", "version": "1", "active": "1",
            "mfa_enabled": "0", "password_hash": "x"}


@pytest.fixture(scope="module")
def target(stack, world):
    """Objects of acme's rep1 the routes' paths point at, so that the
    injected fields reach each handler's validation: a customer with a
    contact, a form and a photo evidence, and an import in preview."""
    call = bearer(stack, world, "rep1")
    tag = uuid.uuid4().hex[:8]
    cid = call("POST", "/api/v1/customers", {
        "name": f"injection target {tag}", "kind": "hospital",
        "confirm_duplicate": True}, 201).json()["id"]
    kid = call("POST", f"/api/v1/customers/{cid}/contacts", {
        "name": f"contact {tag}", "role": "budget"}, 201).json()["id"]
    eid = call("POST", f"/api/v1/customers/{cid}/evidence", {
        "key": "need_confirmed", "data": {"need": tag, "who": tag}},
        201).json()["id"]
    fid = call("POST", f"/api/v1/customers/{cid}/evidence", None, 201,
               data={"key": "trial_kit_receipt", "note": tag},
               files={"file": ("kit.png", PNG, "image/png")}).json()["file_id"]
    r = world.client("acme", "rep1").post(
        "/customers/import", {"encoding": "auto"},
        files={"file": ("inj.csv", f"客户名称\r\n导入 {tag}\r\n".encode(),
                        "text/csv")})
    assert r.status_code == 303, r.text[:500]
    iid = int(r.headers["Location"].rsplit("/", 1)[1])
    # A qualification document of the customer, waiting for legal.
    qid = call("POST", f"/api/v1/customers/{cid}/qualifications", None, 201,
               data={"type": "business_licence", "number": "91350100M000100Y43",
                     "holder": f"injection target {tag}"},
               files={"file": ("licence.png", PNG, "image/png")}).json()["id"]
    # A task the manager gives rep1 (and so rep1's notification of it).
    tid = bearer(stack, world, "mgr")("POST", "/api/v1/tasks", {
        "title": f"task {tag}", "assignee": world.ids[("acme", "rep1")],
        "customer": cid}, 201).json()["id"]
    nid = int(stack.sql("SELECT id FROM notifications WHERE object_kind = "
                        f"'task' AND object_id = {tid}")[0][0])
    return {"customers": cid, "contacts": kid, "evidence": eid, "files": fid,
            "import": iid, "users": world.ids[("acme", "rep2")],
            "history": 1, "sessions": NOWHERE, "tokens": NOWHERE,
            "tasks": tid, "notifications": nid, "deliveries": NOWHERE,
            "visits": NOWHERE, "activities": NOWHERE, "audits": NOWHERE,
            "products": NOWHERE, "qualifications": qid,
            "contracts": NOWHERE, "shipments": NOWHERE,
            "imports": NOWHERE, "photos": NOWHERE,
            "stores": int(stack.sql(
                "SELECT MIN(x.id) FROM stores x JOIN tenants t ON "
                "t.id = x.tenant_id WHERE t.slug = 'acme'")[0][0]),
            "campaigns": int(stack.sql(
                "SELECT MIN(x.id) FROM campaigns x JOIN tenants t ON "
                "t.id = x.tenant_id WHERE t.slug = 'acme'")[0][0]),
            "contract-templates": int(stack.sql(
                "SELECT MIN(x.id) FROM contract_templates x JOIN tenants t ON "
                "t.id = x.tenant_id WHERE t.slug = 'acme'")[0][0])}


def fill(rt, target):
    """The route's path naming target's objects (by the segment before
    each id), or an id that does not exist for ACTIONS."""
    parts = rt["pattern"].split("/")
    out = []
    for i, part in enumerate(parts):
        m = PARAM.fullmatch(part)
        if m:
            if rt["name"] in ACTIONS:
                part = str(NOWHERE)
            else:
                assert parts[i - 1] in target, \
                    f"{rt['pattern']}: a new kind of object, add it to target"
                part = str(target[parts[i - 1]])
        m = SLUG.fullmatch(part)
        if m:
            part = SLUGS[m.group(1)]
        out.append(part)
    return "/".join(out)


@pytest.mark.parametrize("login", ["boss", "rep1"])
def test_injection_and_mass_assignment_change_nothing(stack, world, routes,
                                                      target, foreign,
                                                      login):
    """Every route (GET and form POST), its path naming real objects of
    the tester's company, every field it reads an injection string: no
    5xx, and not one row of the identity, customer, contact, evidence,
    file, import or rule tables of either company changes."""
    client = world.client("acme", login)
    boss = world.client("acme", "boss")
    assert boss.post("/admin/rules/discard", {"confirm": "1"}).status_code == 303
    before = snapshot(stack, target["import"])
    # rules.publish needs no input: with a draft that cannot pass in place,
    # nothing in the loop (an injected comment, a forced field) may
    # publish a version either.
    r = boss.post("/admin/rules/stages", {"source": "this is not Lua ("})
    assert r.status_code == 422, r.status_code
    forced = mass(foreign)
    token = client.token("/account")
    sent = 0
    for rt in routes:
        path = fill(rt, target)
        for n, payload in enumerate(PAYLOADS):
            # In path parameters: typed, so never even routed.
            if PARAM.search(rt["pattern"]):
                bad = PARAM.sub(requests.utils.quote(payload, safe=""),
                                rt["pattern"])
                r = client.get(bad)
                assert r.status_code == 404, (bad, r.status_code)
            # Every field an injection string; every other time, the
            # forced fields (company B's ids) on top, so that the typed
            # fields (owner, id, manager, ...) get both.
            data = {f: payload for f in FIELDS}
            if n % 2:
                data.update(forced)
            if "GET" in rt["methods"]:
                r = client.get(path, params=data)
                assert r.status_code < 500, (path, payload, r.status_code)
                if not PARAM.search(rt["pattern"]):
                    # Alone, so that no other field fails validation first.
                    r = client.get(path, params={"q": payload})
                    assert r.status_code < 500, (path, payload,
                                                 r.status_code)
            if "POST" in rt["methods"]:
                if rt["name"] == "login.submit":
                    r = requests.post(stack.url(path), data=data,
                                      allow_redirects=False)
                else:
                    r = client.post(path, data, token=token)
                assert r.status_code < 500, (path, payload, r.status_code)
                sent += 1
    assert sent > 300
    # Drafts saved on the way are legitimate data; leave none behind.
    assert boss.post("/admin/rules/discard", {"confirm": "1"}).status_code == 303
    diff = changes(before, snapshot(stack, target["import"]))
    assert not diff, diff
    # The import's column mapping is the mapping form's to change: it holds
    # column keys only, never the text that was sent.
    (mapping,), = stack.sql("SELECT mapping FROM imports WHERE id = "
                            f"{target['import']}")
    assert set(json.loads(mapping)) <= IMPORT_KEYS, mapping
    # The tester is who they were, with the role they had.
    me = client.get("/api/v1/me").json()
    assert me["login"] == login and me["tenant"]["slug"] == "acme"


def test_json_bodies_store_text_literally_and_ignore_protected_fields(
        stack, world, foreign):
    """The JSON API with a rep's token: injection strings in every member
    are refused or stored as text; tenant, owner, stage, ids, versions and
    authorship come from the server, never from the body."""
    call = bearer(stack, world, "rep3")
    me = world.ids[("acme", "rep3")]
    acme = tenant_id(stack, "acme")
    f = {k: int(v) for k, v in foreign.items()}
    tag = uuid.uuid4().hex[:8]
    cid = call("POST", "/api/v1/customers", {
        "name": f"json target {tag}", "kind": "hospital",
        "confirm_duplicate": True}, 201).json()["id"]
    kid = call("POST", f"/api/v1/customers/{cid}/contacts", {
        "name": f"json contact {tag}", "role": "budget"}, 201).json()["id"]
    before = snapshot(stack)
    created = set()

    def protected():
        (row,) = stack.sql(
            "SELECT tenant_id, owner_id, stage, stage_since, "
            "COALESCE(lost_reason, '-'), created_by, created_at FROM "
            f"customers WHERE id = {cid}")
        return row

    def version():
        return int(stack.sql(
            f"SELECT version FROM customers WHERE id = {cid}")[0][0])

    fixed = protected()
    assert fixed[:3] == [str(acme), str(me), "lead"]
    forced = {"tenant_id": f["tenant"], "tenant": "bravo", "id": cid,
              "owner": f["boss"], "user_id": f["user"], "stage": "contract",
              "stage_since": "2000-01-01 00:00:00", "lost_reason": "price",
              "created_by": f["boss"], "updated_by": f["boss"],
              "created_at": "2000-01-01 00:00:00",
              "last_activity_at": "2000-01-01 00:00:00"}

    # -- POST /api/v1/customers ------------------------------------------
    for n, p in enumerate(PAYLOADS):
        # Every member an injection string: refused.
        r = call("POST", "/api/v1/customers", {
            k: p for k in ("name", "kind", "city", "address", "phone",
                           "amount", "note", "owner_id", "version",
                           "confirm_duplicate")}, 422)
        assert {"kind", "amount", "owner_id"} <= set(r.json()["fields"])
        # Someone else as owner: company B's user, another rep of A.
        for owner in (f["user"], world.ids[("acme", "rep1")]):
            r = call("POST", "/api/v1/customers", {
                "name": f"json {tag} owner {n}", "kind": "hospital",
                "owner_id": owner, "confirm_duplicate": True}, 422)
            assert "owner_id" in r.json()["fields"]
        # Injection strings in the free text, forced fields alongside:
        # created, with the text as sent and the server's own fields.
        body = {"name": f"json {tag} {n} {p}", "kind": "hospital",
                "city": p, "address": p, "phone": p, "note": p,
                "version": 99, "confirm_duplicate": True, **forced}
        new = call("POST", "/api/v1/customers", body, 201).json()["id"]
        assert new != cid
        created.add(new)

    def check_created():
        rows = stack.sql(
            "SELECT id, tenant_id, owner_id, stage, version, created_by, "
            "COALESCE(lost_reason, '-'), stage_since > '2001-01-01', "
            "HEX(name), HEX(city), HEX(address), HEX(phone), HEX(note) FROM "
            f"customers WHERE id IN ({', '.join(map(str, created))}) "
            "ORDER BY id")
        assert len(rows) == len(PAYLOADS)
        for row, (n, p) in zip(rows, enumerate(PAYLOADS)):
            assert row[1:8] == [str(acme), str(me), "lead", "1", str(me),
                                "-", "1"], (p, row)
            assert [text_of(h) for h in row[8:]] == [
                f"json {tag} {n} {p}".strip()] + [p.strip()] * 4, p
        events = stack.sql(
            "SELECT customer_id, tenant_id, to_stage, code, by_user FROM "
            f"stage_events WHERE customer_id IN "
            f"({', '.join(map(str, created))}) ORDER BY id")
        assert sorted(int(e[0]) for e in events) == sorted(created)
        assert {tuple(e[1:]) for e in events} == {
            (str(acme), "lead", "created", str(me))}
    check_created()

    # -- PATCH /api/v1/customers/{id} ------------------------------------
    path = f"/api/v1/customers/{cid}"
    for n, p in enumerate(PAYLOADS):
        # Forced fields only (and someone else as owner): whatever the
        # answer, stage, owner, tenant and authorship stay.
        for owner in (f["user"], world.ids[("acme", "rep1")]):
            r = call("PATCH", path, {"version": version(), "owner_id": owner,
                                     **forced})
            assert r.status_code in (200, 422), (r.status_code, r.text)
            if r.status_code == 200:
                assert (r.json()["stage"], r.json()["owner_id"]) == \
                    ("lead", me), r.text
            assert protected() == fixed, (owner, p)
        # Injection strings in text fields: stored as sent.
        v = version()
        name = f"json {tag} patched {n} {p}"
        r = call("PATCH", path, {"version": v, "name": name, "city": p,
                                 "note": p, **forced}, 200)
        assert r.json()["stage"] == "lead"
        (row,) = stack.sql("SELECT version, HEX(name), HEX(city), HEX(note) "
                           f"FROM customers WHERE id = {cid}")
        assert int(row[0]) == v + 1
        assert [text_of(h) for h in row[1:]] == [name.strip(), p.strip(),
                                                 p.strip()]
        assert protected() == fixed
        # In typed fields: refused, and nothing changes.
        (whole,) = stack.sql(f"SELECT * FROM customers WHERE id = {cid}")
        call("PATCH", path, {"version": p, "name": f"json {tag} no"}, 422)
        call("PATCH", path, {"version": v + 1, "kind": p}, 422)
        call("PATCH", path, {"version": v + 1, "amount": p}, 422)
        call("PATCH", path, {"version": v + 1, "name": ""}, 422)
        assert stack.sql(f"SELECT * FROM customers WHERE id = {cid}") == \
            [whole]

    # -- POST /api/v1/customers/{id}/stage --------------------------------
    path = f"/api/v1/customers/{cid}/stage"
    for p in PAYLOADS:
        call("POST", path, {"to": p}, 422)
        call("POST", path, {"to": "lost", "lost_reason": p}, 422)
        call("POST", path, {"to": "lost", "lost_reason": "price",
                            "version": p}, 422)
    # The gate reads the customer's evidence, never the body's claims.
    r = call("POST", path, {"to": "intent", "have": ["need_confirmed"],
                            "evidence": [f["evidence"]],
                            "evidence_ids": [f["evidence"]],
                            "code": "ok", "allowed": True, "ok": True,
                            **forced}, 409)
    assert [m["key"] for m in r.json()["missing"]] == ["need_confirmed"]
    call("POST", path, {"to": "contract", **forced}, 409)
    assert protected() == fixed

    # -- POST /api/v1/customers/{id}/contacts -----------------------------
    path = f"/api/v1/customers/{cid}/contacts"
    contact_forced = {"customer_id": f["customer"], "tenant_id": f["tenant"],
                      "id": kid, "active": 0, "version": 99,
                      "last_met_on": "2000-01-01", "consensus": "forced",
                      "consensus_on": "2000-01-01", "created_by": f["boss"]}
    new_contacts = []
    for n, p in enumerate(PAYLOADS):
        call("POST", path, {"name": p, "role": p, "channel": p}, 422)
        name = f"json {tag} contact {n} {p}"
        body = {"name": name, "role": "budget", "title": p,
                "department": p, "focus": p, "phone": p,
                "email": f"{p}@example.com", **contact_forced}
        new = call("POST", path, body, 201).json()["id"]
        assert new != kid
        new_contacts.append((new, name, p))

    def check_contacts():
        for new, name, p in new_contacts:
            (row,) = stack.sql(
                "SELECT tenant_id, customer_id, active, version, "
                "COALESCE(last_met_on, '-'), consensus, "
                "COALESCE(consensus_on, '-'), HEX(name), HEX(title), "
                "HEX(department), HEX(focus), HEX(phone), HEX(email) FROM "
                f"contacts WHERE id = {new}")
            assert row[:7] == [str(acme), str(cid), "1", "1", "-", "",
                               "-"], row
            assert [text_of(h) for h in row[7:]] == [name.strip()] + \
                [p.strip()] * 4 + [f"{p}@example.com"], p
    check_contacts()

    # -- PATCH /api/v1/contacts/{id} -------------------------------------
    path = f"/api/v1/contacts/{kid}"

    def contact_fixed():
        (row,) = stack.sql(
            "SELECT tenant_id, customer_id, active, "
            "COALESCE(last_met_on, '-'), consensus, "
            f"COALESCE(consensus_on, '-'), created_at FROM contacts "
            f"WHERE id = {kid}")
        return row

    def contact_version():
        return int(stack.sql(
            f"SELECT version FROM contacts WHERE id = {kid}")[0][0])

    kfixed = contact_fixed()
    assert kfixed[:3] == [str(acme), str(cid), "1"]
    for n, p in enumerate(PAYLOADS):
        r = call("PATCH", path, {**contact_forced,
                                 "version": contact_version()})
        assert r.status_code in (200, 422), (r.status_code, r.text)
        assert contact_fixed() == kfixed, p
        v = contact_version()
        name = f"json {tag} contact patched {n} {p}"
        call("PATCH", path, {**contact_forced, "version": v, "name": name,
                             "title": p, "focus": p}, 200)
        (row,) = stack.sql("SELECT version, role, HEX(name), HEX(title), "
                           f"HEX(focus) FROM contacts WHERE id = {kid}")
        assert row[:2] == [str(v + 1), "budget"]
        assert [text_of(h) for h in row[2:]] == [name.strip(), p.strip(),
                                                 p.strip()]
        assert contact_fixed() == kfixed
        (whole,) = stack.sql(f"SELECT * FROM contacts WHERE id = {kid}")
        for bad in ({"version": p}, {"version": v + 1, "role": p},
                    {"version": v + 1, "channel": p},
                    {"version": v + 1, "birthday": p},
                    {"version": v + 1, "email": p}):
            call("PATCH", path, {"name": f"json {tag} no", **bad}, 422)
        assert stack.sql(f"SELECT * FROM contacts WHERE id = {kid}") == \
            [whole]

    # -- POST /api/v1/customers/{id}/evidence -----------------------------
    path = f"/api/v1/customers/{cid}/evidence"
    eid = call("POST", path, {"key": "need_confirmed", "data": {
        "need": tag, "who": tag}}, 201).json()["id"]
    ev_forced = {"customer_id": f["customer"], "tenant_id": f["tenant"],
                 "id": eid, "used_in": f["stage_event"], "file_id": f["file"],
                 "kind": "photo", "ev_key": "signed_contract",
                 "created_by": f["boss"], "removed_at": "2000-01-01",
                 "removed_by": f["boss"]}
    new_evidence = []
    for p in PAYLOADS:
        call("POST", path, {"key": p, "data": {"need": p, "who": p}}, 422)
        call("POST", path, {"key": "installation_form", "data": {
            "location": p, "power": p, "date": p}}, 422)
        new = call("POST", path, {"key": "need_confirmed", "note": p,
                                  "data": {"need": p, "who": p},
                                  **ev_forced}, 201).json()["id"]
        assert new != eid
        new_evidence.append((new, p))

    def check_evidence():
        for new, p in new_evidence:
            (row,) = stack.sql(
                "SELECT tenant_id, customer_id, ev_key, kind, "
                "COALESCE(file_id, '-'), COALESCE(used_in, '-'), "
                "COALESCE(removed_at, '-'), created_by, HEX(data), "
                f"HEX(note) FROM evidence WHERE id = {new}")
            assert row[:8] == [str(acme), str(cid), "need_confirmed", "form",
                               "-", "-", "-", str(me)], row
            assert json.loads(text_of(row[8])) == {"need": p.strip(),
                                                   "who": p.strip()}
            assert text_of(row[9]) in (p, p.strip())
    check_evidence()

    # Nothing else anywhere: only the customers created above (with their
    # "created" history), the tester's customer itself, and the contacts
    # and evidence added to it.
    contact_ids = {c[0] for c in new_contacts}
    evidence_ids = {e[0] for e in new_evidence} | {eid}

    def allowed(table, row, side, old_ids):
        rid = int(row[0])
        if table == "customers":
            return rid == cid or (side == "after" and rid in created)
        if table == "contacts" and rid == kid:
            return True  # edited above, its protected fields checked there
        if side == "before" or row[0] in old_ids:
            return False
        if table == "stage_events":
            return int(row[2]) in created
        if table == "contacts":
            return rid in contact_ids and int(row[2]) == cid
        if table == "evidence":
            return rid in evidence_ids and int(row[2]) == cid
        return False
    diff = changes(before, snapshot(stack), allowed)
    assert not diff, diff
    # ... and what was allowed is still as checked when it was made.
    check_created()
    check_contacts()
    check_evidence()
    assert protected() == fixed
    assert contact_fixed() == kfixed


@pytest.fixture(scope="module")
def planted(stack, world):
    """A customer of rep3 named after each injection string."""
    call = bearer(stack, world, "rep3")
    tag = uuid.uuid4().hex[:8]
    return {p: call("POST", "/api/v1/customers", {
        "name": f"planted {tag} {p}", "kind": "other",
        "confirm_duplicate": True}, 201).json()["id"] for p in PAYLOADS}


@pytest.mark.parametrize("login", ["boss", "rep1"])
def test_search_treats_injection_strings_as_text(stack, world, planted,
                                                 login):
    """The customer search finds exactly the customers in scope whose name,
    contacts or phone hold the string: no more (an injected OR), no less."""
    client = world.client("acme", login)
    acme = tenant_id(stack, "acme")
    uid = world.ids[("acme", login)]
    rows = [(int(i), int(owner), [text_of(h).lower() for h in texts])
            for i, owner, *texts in stack.sql(
                "SELECT id, owner_id, HEX(name), HEX(contacts_text), "
                f"HEX(phone) FROM customers WHERE tenant_id = {acme}")]
    for p in PAYLOADS:
        q = p.strip().lower()  # fields are trimmed, and the search folds case
        want = {i for i, owner, texts in rows
                if (login == "boss" or owner == uid) and
                any(q in t for t in texts)}
        if login == "boss":
            assert planted[p] in want
        r = client.get("/api/v1/customers", params={"q": p, "per_page": 200})
        assert r.status_code == 200, (p, r.status_code)
        got = r.json()
        assert got["total"] == len(want), (p, got["total"], len(want))
        if len(want) <= 200:
            assert {c["id"] for c in got["customers"]} == want, p
        r = client.get("/customers", params={"q": p})
        assert r.status_code == 200, (p, r.status_code)

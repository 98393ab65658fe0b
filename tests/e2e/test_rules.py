"""The rule engine end to end: default rules, the browser editor, publish
reaching every worker within a second, history, diff, rollback, dry run,
failures that stay contained, and the CLI."""
import html
import json
import re
import subprocess
import threading
import time
import uuid

import pytest
import requests

from stack import BIN, ROOT

ADVANCING = {"trial_kit_receipt", "head_phone_confirmation",
             "installation_form"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")


@pytest.fixture(autouse=True, scope="module")
def clean_rules(stack, world):
    """Start from the defaults, whatever earlier tests left as drafts or
    versions."""
    admin = world.client("acme", "boss")
    assert admin.post("/admin/rules/discard", {"confirm": "1"}).status_code == 303
    assert admin.post("/admin/rules/history/1/rollback", {"confirm": "1"}).status_code == 303
    time.sleep(0.6)  # every worker picks the version up


def api(stack, world, path, login="rep1", lang="zh-CN"):
    tok = world.tokens[("acme", login)]
    return requests.get(stack.url(path), headers={
        "Authorization": f"Bearer {tok}", "Accept-Language": lang})


def transition(stack, world, frm, to, have=()):
    r = api(stack, world, f"/api/v1/rules/transition?from={frm}&to={to}"
                          f"&have={','.join(have)}")
    assert r.status_code == 200, r.text
    return r.json()


def source_of(page):
    m = re.search(r'<textarea name="source"[^>]*>(.*?)</textarea>', page,
                  re.S)
    assert m, "no editor on the page"
    return (m.group(1).replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", '"').replace("&#39;", "'")
            .replace("&amp;", "&"))


def publish(admin, comment="test"):
    r = admin.post("/admin/rules/publish", {"comment": comment})
    return r


def test_new_tenant_starts_from_the_defaults(stack, world):
    stack.cli("tenant", "create", "fresh-co", "Fresh Co")
    stack.cli("user", "add", "--tenant", "fresh-co", "--login", "r", "--role",
              "rep", "--password-stdin", input_text="Fresh-Start-Pass-1\n")
    tok = stack.cli("token", "create", "--tenant", "fresh-co", "--user",
                    "r").stdout.strip()
    r = requests.get(stack.url("/api/v1/rules"),
                     headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 200
    rules = r.json()
    assert rules["version"] == 1
    assert stack.sql("SELECT comment FROM rule_versions v JOIN tenants t ON "
                     "t.id = v.tenant_id WHERE t.slug = 'fresh-co'") == \
        [["default rules (lua/default)"]]
    keys = [s["key"] for s in rules["stages"]]
    assert keys == ["lead", "intent", "advancing", "quote", "contract",
                    "lost"]
    names = {s["key"]: s["name"] for s in rules["stages"]}
    assert names["advancing"] == "推进中" and names["quote"] == "报价"
    adv = [s for s in rules["stages"] if s["key"] == "advancing"][0]
    assert {e["key"] for e in adv["requires"]} == ADVANCING
    visit = rules["visit_types"]["store_visit"]
    assert [p["key"] for p in visit["photos"]] == ["storefront", "shelf",
                                                   "intent_page"]
    assert [x["key"] for x in rules["lost_reasons"]][:2] == ["price",
                                                             "competitor"]


def test_default_gate_lists_exactly_the_missing_evidence(stack, world):
    v = transition(stack, world, "intent", "advancing")
    assert v["allowed"] is False and v["code"] == "evidence_missing"
    assert {m["key"] for m in v["missing"]} == ADVANCING
    assert "试用装签收单" in [m["name"] for m in v["missing"]]
    v = transition(stack, world, "intent", "advancing",
                   ["trial_kit_receipt", "installation_form"])
    assert [m["key"] for m in v["missing"]] == ["head_phone_confirmation"]
    v = transition(stack, world, "intent", "advancing", ADVANCING)
    assert v["allowed"] is True
    assert transition(stack, world, "lead", "quote")["code"] == \
        "skip_not_allowed"
    # English names for English users.
    r = api(stack, world, "/api/v1/rules/transition?from=intent&to=advancing",
            lang="en")
    assert "Trial kit receipt signed" in r.text


def edit_and_publish(stack, admin, script, change):
    page = admin.get(f"/admin/rules/{script}").text
    new = change(source_of(page))
    r = admin.post(f"/admin/rules/{script}", {"source": new})
    assert r.status_code == 200, re.findall(
        r'<section class="card check.*?</section>', r.text, re.S)
    assert "All self-tests pass" in r.text
    r = publish(admin, f"change {script}")
    assert r.status_code == 303, r.text[:2000]
    return new


def test_admin_changes_the_chain_and_every_worker_obeys_within_1s(stack,
                                                                   world):
    admin = world.client("acme", "boss")
    before = transition(stack, world, "advancing", "quote")["version"]
    # Quotes now also need the need-confirmation form.  The rules' own
    # self-test of the quote gate fails until it is updated too: the first
    # draft is kept but not publishable, the second makes it whole.
    page = admin.get("/admin/rules/stages").text
    stages = source_of(page).replace(
        'requires = { "quote_sheet" } },',
        'requires = { "quote_sheet", "need_confirmed" } },')
    r = admin.post("/admin/rules/stages", {"source": stages})
    assert r.status_code == 422 and "报价单 3 个案例" in r.text
    edit_and_publish(stack, admin, "evidence", lambda s: s.replace(
        "cases = { \"a\", \"b\", \"c\" } } } },",
        "cases = { \"a\", \"b\", \"c\" } }, \"need_confirmed\" } },")
        .replace("missing = { \"quote_sheet\" } } }",
                 "missing = { \"quote_sheet\", \"need_confirmed\" } } }"))
    # Six clients ask at once for 2.5 s, so that every worker is kept busy
    # and must answer; each answer is (time, request id, new version?).
    workers = set(stack.worker_pids())
    assert len(workers) >= 2
    t0 = time.time()
    answers, errors, lock = [], [], threading.Lock()

    def ask():
        try:
            ask_until()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def ask_until():
        while time.time() - t0 < 2.5:
            r = api(stack, world, "/api/v1/rules/transition?from=advancing"
                                  "&to=quote&have=")
            assert r.status_code == 200, r.text
            v = r.json()
            new = v["version"] != before
            if new:
                # (quote also needs the customer's qualification
                # documents: the pseudo-evidence "qualified")
                assert {m["key"] for m in v["missing"]} == {
                    "quote_sheet", "need_confirmed", "qualified"}
            with lock:
                answers.append((time.time() - t0, r.headers["X-Request-Id"],
                                new))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    old = [at for at, _, new in answers if not new]
    assert not old or max(old) < 1.0, max(old)
    assert sum(1 for at, _, new in answers if new and at >= 1.0) >= 60
    # Which worker gave each answer (the request log has rid and pid):
    # every worker that lived through the run answered with the new
    # version.
    pid_of = {}
    for pid, rid in re.findall(r"pid=(\d+) rid=(\w+) event=request",
                               stack.log()):
        pid_of[rid] = int(pid)
    new_by = {pid_of.get(rid) for _, rid, new in answers if new}
    alive = workers & set(stack.worker_pids())
    assert len(alive) >= 2 and alive <= new_by, (alive, new_by)
    assert "rules.publish" in stack.sql(
        "SELECT event FROM audit_log WHERE event = 'rules.publish'")[0]


def test_syntax_errors_and_failing_tests_block_publishing(stack, world):
    admin = world.client("acme", "boss")
    version = transition(stack, world, "lead", "intent")["version"]
    page = admin.get("/admin/rules/visits").text
    broken = source_of(page).replace("photos = {", "photos = {{", 1)
    r = admin.post("/admin/rules/visits", {"source": broken})
    assert r.status_code == 422
    assert "visits.lua:" in r.text and "data-line=" in r.text
    # The draft is kept, the list says so, and it cannot be published.
    assert "Unpublished draft" in admin.get("/admin/rules").text
    r = publish(admin)
    assert r.status_code == 422 and "cannot be published" in r.text
    assert transition(stack, world, "lead", "intent")["version"] == version
    # A self-test that fails blocks it too.
    failing = source_of(page) + (
        '\ntest{ name = "门店拜访只拍门头", fn = "required_photos",\n'
        '      input = { visit_type = "store_visit" },\n'
        '      expect = { photos = { "storefront" } } }\n')
    r = admin.post("/admin/rules/visits", {"source": failing})
    assert r.status_code == 422 and "Self-tests failing" in r.text
    assert "门店拜访只拍门头" in r.text
    assert publish(admin).status_code == 422
    assert admin.post("/admin/rules/discard", {"confirm": "1"}).status_code == 303
    assert "Unpublished draft" not in admin.get("/admin/rules").text


def test_history_diff_and_rollback(stack, world):
    admin = world.client("acme", "boss")
    page = admin.get("/admin/rules/history").text
    versions = [int(v) for v in re.findall(r">v(\d+)</a>", page)]
    assert versions and versions == sorted(versions, reverse=True)
    latest = versions[0]
    diff = admin.get(f"/admin/rules/history/{latest}").text
    assert "diff-add" in diff and "need_confirmed" in diff
    r = admin.post("/admin/rules/history/1/rollback", {"confirm": "1"})
    assert r.status_code == 303
    v = transition(stack, world, "advancing", "quote")
    deadline = time.time() + 2
    while v["version"] != latest + 1 and time.time() < deadline:
        v = transition(stack, world, "advancing", "quote")
    assert v["version"] == latest + 1
    assert [m["key"] for m in v["missing"]] == ["quote_sheet", "qualified"]
    assert "Restored v1" in admin.get("/admin/rules/history").text
    assert admin.get("/admin/rules/history/999").status_code == 404


def test_dry_run_compares_draft_and_published(stack, world):
    admin = world.client("acme", "boss")
    page = admin.get("/admin/rules/stages").text
    draft = source_of(page).replace(
        'requires = { "need_confirmed" } },', 'requires = {} },', 1)
    # The default tests check the gate against the lists: still green.
    assert admin.post("/admin/rules/stages",
                      {"source": draft}).status_code == 200
    r = admin.post("/admin/rules/dry-run", {
        "fn": "check_transition",
        "args": json.dumps([{}, "lead", "intent", []])})
    assert r.status_code == 200
    results = re.findall(r'<pre class="result">(.*?)</pre>', r.text, re.S)
    assert len(results) == 2
    assert "&quot;allowed&quot;:\tfalse" in results[0]
    assert "&quot;allowed&quot;:\ttrue" in results[1]
    r = admin.post("/admin/rules/dry-run", {"fn": "check_transition",
                                            "args": "not json"})
    assert r.status_code == 422
    admin.post("/admin/rules/discard", {"confirm": "1"})


def rule_customer(stack, world, stage, evidence):
    """A customer of rep1 put in `stage` (directly: the gate is not what
    is tested) with the evidence items given (key -> form data, or None
    for a file)."""
    h = {"Authorization": f"Bearer {world.tokens[('acme', 'rep1')]}"}
    r = requests.post(stack.url("/api/v1/customers"), headers=h, json={
        "name": f"规则出错 {uuid.uuid4().hex[:10]}", "kind": "hospital",
        "confirm_duplicate": True})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    for key, data in evidence.items():
        if data is None:
            r = requests.post(stack.url(f"/api/v1/customers/{cid}/evidence"),
                              headers=h, data={"key": key},
                              files={"file": ("x.png", PNG, "image/png")})
        else:
            r = requests.post(stack.url(f"/api/v1/customers/{cid}/evidence"),
                              headers=h, json={"key": key, "data": data})
        assert r.status_code == 201, r.text
    stack.sql(f"UPDATE customers SET stage = '{stage}' WHERE id = {cid}")
    return cid


def error_page(r):
    """The parts of the error page: status shown, title, message, detail,
    technical text (or None)."""
    assert "text/html" in r.headers.get("Content-Type", ""), r.headers
    page = html.unescape(r.text)
    card = re.search(r'<section class="error-card card">(.*?)</section>',
                     page, re.S)
    assert card, page[:2000]
    card = card.group(1)
    tech = re.search(r'<pre class="error-text">(.*?)</pre>', card, re.S)
    return {
        "code": re.search(r'<p class="error-code">(\d+)</p>', card).group(1),
        "title": re.search(r"<h1>(.*?)</h1>", card, re.S).group(1).strip(),
        "detail": (re.search(r'<p class="alert alert-error">(.*?)</p>', card,
                             re.S) or [None, None])[1],
        "technical": tech.group(1) if tech else None,
        "text": page,
    }


def no_stack_trace(text):
    for s in ("stack traceback", "[C]:", "engine.lua", "in function",
              "lua_pcall", ".c:"):
        assert s not in text, s


def test_rule_failure_is_a_clear_error_and_the_worker_goes_on(stack, world):
    admin = world.client("acme", "boss")
    workers = stack.wait_workers(3)
    since = stack.log_size()
    # Customers whose next step runs the failing hooks below: the gate
    # itself is satisfied, so can_enter is called.
    nil_cid = rule_customer(stack, world, "quote", {"signed_contract": None})
    loop_cid = rule_customer(stack, world, "lost", {
        "need_confirmed": {"need": "x", "who": "y"}})
    # A hook that fails only for one transition (the self-tests do not
    # cover it, so it can be published), and one that never ends.
    edit_and_publish(stack, admin, "stages", lambda s: s.replace(
        "function can_enter(customer, from, to, have)",
        "function can_enter(customer, from, to, have)\n"
        "  if to == 'contract' and customer.amount == nil then "
        "local x = nil; return x.boom end\n"
        "  if from == 'lost' and to == 'intent' then while true do end end"))
    time.sleep(0.6)
    r = api(stack, world, "/api/v1/rules/transition?from=quote&to=contract"
                          "&have=signed_contract")
    assert r.status_code == 500
    body = r.json()
    assert body["error"] == "rule_error"
    assert re.search(r"stages:\d+: attempt to index a nil value",
                     body["rule_error"])
    t0 = time.time()
    r = api(stack, world, "/api/v1/rules/transition?from=lost&to=intent"
                          "&have=need_confirmed")
    # Whichever limit this machine reaches first, the error names the
    # tenant's script and the line of the loop.
    assert r.status_code == 500
    assert re.search(r"stages:\d+: rule exceeded its "
                     r"(time limit|instruction budget)",
                     r.json()["rule_error"]), r.json()

    # The limit counts CPU time; ten times it of wall clock is the hard
    # stop, far below the 30 s watchdog this guards against.
    assert time.time() - t0 < 3.0
    # Monitoring counts both for the company: one error, one timeout.
    acme = stack.sql("SELECT id FROM tenants WHERE slug = 'acme'")[0][0]
    metrics = requests.get(stack.url("/_metrics")).text
    for name in ("proofline_rule_errors_total",
                 "proofline_rule_timeouts_total"):
        m = re.search(rf'^{name}{{tenant="{acme}"}} (\d+)$', metrics, re.M)
        assert m and int(m.group(1)) >= 1, (name, metrics)
    # The worker serves on, with the same rules.
    for _ in range(10):
        assert transition(stack, world, "lead", "intent")["allowed"] is False
    assert requests.get(stack.url("/healthz")).status_code == 200
    # An admin sees what failed on the page; the log has it too.
    assert "rules.failed" in stack.log()

    # The same failures through the pages that run the rules: the stage
    # form of the customer page and the pipeline board.  A clear error
    # page, 500, in the user's language; the admin sees the script and
    # line exactly as the API gave it; nothing was changed.
    nil_error = body["rule_error"]
    events = stack.sql("SELECT COUNT(*) FROM stage_events WHERE customer_id "
                       f"IN ({nil_cid}, {loop_cid})")
    for path, form in ((f"/customers/{nil_cid}/stage", {"to": "contract"}),
                       ("/pipeline/move", {"id": str(nil_cid),
                                           "to": "contract"})):
        r = admin.post(path, form)
        assert r.status_code == 500, (path, r.status_code, r.text[:500])
        e = error_page(r)
        assert e["code"] == "500" and e["title"] == "Rule error", path
        assert "A company rule script failed. Please ask your " \
            "administrator to check the rules." in e["text"]
        assert e["detail"] == "A company rule failed; nothing was changed."
        assert e["technical"] == nil_error, (e["technical"], nil_error)
        no_stack_trace(e["text"])
    t0 = time.time()
    r = admin.post(f"/customers/{loop_cid}/stage", {"to": "intent"})
    assert r.status_code == 500 and time.time() - t0 < 3.0
    e = error_page(r)
    assert re.fullmatch(r"stages:\d+: rule exceeded its "
                        r"(time limit|instruction budget)", e["technical"]), e
    no_stack_trace(e["text"])
    # A rep gets the message in their language, without the technical
    # text that only helps whoever writes the rules.
    rep = world.client("acme", "rep1")
    r = rep.post(f"/customers/{nil_cid}/stage", {"to": "contract"},
                 headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 500
    e = error_page(r)
    assert e["title"] == "规则执行出错"
    assert "企业规则脚本执行出错，请联系管理员检查规则。" in e["text"]
    assert e["detail"] == "企业规则执行出错，操作未完成。"
    assert e["technical"] is None
    assert "attempt to index" not in e["text"] and "stages:" not in e["text"]
    no_stack_trace(e["text"])
    # Nothing changed: stages and history as they were.
    assert stack.sql(f"SELECT stage FROM customers WHERE id IN ({nil_cid}, "
                     f"{loop_cid}) ORDER BY id") == [["quote"], ["lost"]]
    assert stack.sql("SELECT COUNT(*) FROM stage_events WHERE customer_id "
                     f"IN ({nil_cid}, {loop_cid})") == events
    # The customer page itself still works (it does not run can_enter).
    r = rep.get(f"/customers/{nil_cid}")
    assert r.status_code == 200
    # No worker died or was killed on the way: same pids, nothing in the
    # master's log.
    log = stack.log()[since:]
    assert "event=worker.died" not in log, log
    assert "event=worker.timeout" not in log, log
    assert len(re.findall(r"event=rules\.failed", log)) >= 5
    assert stack.worker_pids() == workers
    admin.post("/admin/rules/history/1/rollback", {"confirm": "1"})


def test_rules_pages_are_for_admins_only(stack, world):
    for login in ("rep1", "mgr", "legal"):
        c = world.client("acme", login)
        for path in ("/admin/rules", "/admin/rules/stages",
                     "/admin/rules/history", "/admin/rules/dry-run"):
            assert c.get(path).status_code == 404, (login, path)


def cli(stack, *args, **kw):
    return stack.cli(*args, check=False, env={"PROOFLINE_LUA_DIR":
                                              str(ROOT / "lua")}, **kw)


def test_cli_check_run_pull_push(stack, tmp_path):
    r = cli(stack, "rules", "check", str(ROOT / "lua" / "default"))
    assert r.returncode == 0 and "0 failed" in r.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "stages.lua").write_text("stages = {\n  { key = 'lead' \n")
    r = cli(stack, "rules", "check", str(bad))
    assert r.returncode == 1 and "stages:" in r.stderr
    r = cli(stack, "rules", "run", str(ROOT / "lua/default/notes.lua"),
            "extract_notes", '["预算 30 万，竞品 迈瑞"]')
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"budget_wan": 30, "competitor": "迈瑞"}
    loop = tmp_path / "loop.lua"
    loop.write_text("function spin() while true do end end\n")
    t0 = time.time()
    r = cli(stack, "rules", "run", str(loop), "spin")
    assert r.returncode == 1
    assert re.search(r":1: rule exceeded its (time limit|instruction budget)",
                     r.stderr), r.stderr
    assert time.time() - t0 < 3
    out = tmp_path / "pulled"
    out.mkdir()
    r = cli(stack, "rules", "pull", "--tenant", "acme", str(out))
    assert r.returncode == 0, r.stderr
    assert (out / "stages.lua").read_text().startswith("-- stages.lua")
    (out / "notes.lua").write_text((out / "notes.lua").read_text() +
                                   "\n-- pushed from git\n")
    r = cli(stack, "rules", "push", "--tenant", "acme", str(out),
            "--comment", "from git")
    assert r.returncode == 0 and "published version" in r.stdout
    r = cli(stack, "rules", "push", "--tenant", "acme", str(bad))
    assert r.returncode == 1


def test_rules_help():
    r = subprocess.run([str(BIN), "rules", "--help"], capture_output=True,
                       text=True)
    assert r.returncode == 0 and "rules check DIR" in r.stdout


def test_hostile_hooks_never_hold_a_worker_past_the_rule_deadline(stack,
                                                                  world):
    """A finaliser that loops (Lua runs __gc with hooks off) and a loop of
    slow library calls (the count hook never fires inside one C call) in a
    published can_enter: each stage change fails within the rule limits,
    and the other company's requests, served by the same workers, are not
    held up."""
    admin = world.client("acme", "boss")
    workers = stack.wait_workers(3)
    since = stack.log_size()
    gc_cid = rule_customer(stack, world, "lost", {
        "need_confirmed": {"need": "x", "who": "y"}})
    date_cid = rule_customer(stack, world, "quote", {"signed_contract": None})
    edit_and_publish(stack, admin, "stages", lambda s: s.replace(
        "function can_enter(customer, from, to, have)",
        "function can_enter(customer, from, to, have)\n"
        "  if from == 'lost' and to == 'intent' then "
        "setmetatable({}, {__gc = function() while true do end end}) "
        "local t = {} for i = 1, 200000 do t[i % 100] = {i} end end\n"
        "  if to == 'contract' and customer.amount == nil then "
        "local f = string.rep('%c', 120) local n = 0 "
        "for i = 1, 1e9 do n = n + #os.date(f) end end"))
    time.sleep(0.6)
    h = {"Authorization": f"Bearer {world.tokens[('acme', 'rep1')]}"}
    other = world.client("bravo", "rep1")
    answers, latencies = [], []

    def hostile(cid, to):
        r = requests.post(stack.url(f"/api/v1/customers/{cid}/stage"),
                          headers=h, json={"to": to}, timeout=60)
        answers.append((to, r.status_code, r.json()))

    def bystander():
        for _ in range(8):
            t0 = time.time()
            assert other.get("/customers").status_code == 200
            latencies.append(time.time() - t0)

    threads = [threading.Thread(target=hostile, args=(gc_cid, "intent")),
               threading.Thread(target=hostile, args=(date_cid, "contract")),
               threading.Thread(target=hostile, args=(date_cid, "contract")),
               threading.Thread(target=bystander)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert len(answers) == 3 and len(latencies) == 8, (answers, latencies)
    for to, status, body in answers:
        assert status == 500 and body["error"] == "rule_error", body
        if to == "intent":
            assert re.search(r"stages:\d+: setmetatable: __gc metamethods "
                             r"are not allowed", body["rule_error"]), body
        else:
            assert re.search(r"stages:\d+: rules? exceeded (its time limit|"
                             r"its instruction budget|the time budget)",
                             body["rule_error"]), body
    # The request budget of rules is 1 s: the bystander waited at most for
    # one hostile request (plus its own time), never for a watchdog (30 s).
    assert max(latencies) < 5.0, latencies
    # the log of this test only: others (test_monitoring.py) make the
    # watchdog kill a worker on purpose
    log = stack.log()[since:]
    assert "event=worker.timeout" not in log
    assert stack.worker_pids() == workers
    admin.post("/admin/rules/history/1/rollback", {"confirm": "1"})


def test_hook_results_of_the_wrong_type_are_rule_errors(stack, world):
    """A refusal message that is not a string, or a verdict that is not a
    boolean, is a rule error naming the script and line, never shown as
    'table: 0x...' or taken as a yes."""
    admin = world.client("acme", "boss")
    table_cid = rule_customer(stack, world, "quote", {"signed_contract": None})
    yes_cid = rule_customer(stack, world, "quote", {"signed_contract": None})
    stack.sql(f"UPDATE customers SET amount = 7 WHERE id = {table_cid}")
    stack.sql(f"UPDATE customers SET amount = 8 WHERE id = {yes_cid}")
    edit_and_publish(stack, admin, "stages", lambda s: s.replace(
        "function can_enter(customer, from, to, have)",
        "function can_enter(customer, from, to, have)\n"
        "  if customer.amount == 7 then return false, { why = 'x' } end\n"
        "  if customer.amount == 8 then return 'yes' end"))
    time.sleep(0.6)
    h = {"Authorization": f"Bearer {world.tokens[('acme', 'rep1')]}"}
    for cid, what in ((table_cid, r"returned a table as its message"),
                      (yes_cid, r"returned a string where true or false "
                                r"was expected")):
        r = requests.post(stack.url(f"/api/v1/customers/{cid}/stage"),
                          headers=h, json={"to": "contract"})
        assert r.status_code == 500, r.text
        body = r.json()
        assert body["error"] == "rule_error", body
        assert re.search(r"^stages:\d+: can_enter " + what,
                         body["rule_error"]), body
        assert "0x" not in r.text
        page = world.client("acme", "rep1").post(
            f"/customers/{cid}/stage", {"to": "contract"})
        # No pointer in the page; its random CSRF tokens may hold "0x".
        shown = re.sub(r'name="_csrf" value="[^"]*"', "", page.text)
        assert page.status_code == 500 and "0x" not in shown
    assert stack.sql(f"SELECT stage FROM customers WHERE id IN ({table_cid}, "
                     f"{yes_cid})") == [["quote"], ["quote"]]
    admin.post("/admin/rules/history/1/rollback", {"confirm": "1"})

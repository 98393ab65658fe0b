"""Reminders and alerts from the rules (issue 12, items 2 and 3).

A reminder at a fixed local time makes exactly one task per selected
person, in a company whose zone is not the machine's, across a daylight-
saving change; running a slot again makes nothing new.  An `after`
reminder runs with the change that emits its event.  The dry run says what
a reminder would make at a given time, without making it.  An alert that
stays true for three runs acts once; cleared and back, once more."""
import os
import re
import shutil
import tempfile
import uuid

import pytest

from identity import Account, Client

PASSWORD = "Remind-Test-Pass-2026"

STANDUP = '''
schedules = {
  { key = "standup", name = "晨会", every = "daily 09:00", facts = "reps",
    make = function(p, at)
      return { type = "task", assignee = p.id, kind = "reminder",
               title = "standup " .. p.login .. " " .. at, due = "10:00" }
    end },
  { key = "lost_review", name = "丢单复盘",
    after = { event = "customer.stage.lost", hours = 24 }, facts = "object",
    make = function(c, at)
      return { type = "task", assignee = c.owner_id, kind = "todo",
               title = "followup " .. c.name }
    end },
}
'''


COMPANY = []


@pytest.fixture(scope="module")
def ny(stack):
    """A company in New York: a manager, two reps, a legal user."""
    slug = "ny" + uuid.uuid4().hex[:6]
    COMPANY[:] = [slug]
    stack.cli("tenant", "create", slug, "NY Co", "--tz", "America/New_York")
    for login, role, mgr in (("boss", "admin", None), ("mgr", "manager", None),
                             ("rep1", "rep", "mgr"), ("rep2", "rep", "mgr"),
                             ("legal", "legal", None)):
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--password-stdin"]
        if mgr:
            args += ["--manager", mgr]
        stack.cli(*args, input_text=PASSWORD + "\n")
    d = tempfile.mkdtemp(prefix="rules-ny-")
    stack.cli("rules", "pull", "--tenant", slug, d)
    with open(os.path.join(d, "schedules.lua"), "w") as f:
        f.write(STANDUP)
    stack.cli("rules", "push", "--tenant", slug, d, "--comment", "standup")
    shutil.rmtree(d)
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    return slug, tid


def run(stack, now, slug=None):
    """A pass of the scheduler over the test company's work only."""
    return stack.cli("jobs", "run", "--now", now, "--tenant",
                     slug or COMPANY[0]).stdout


def standups(stack, tid):
    return stack.sql("SELECT t.title, t.due_at, t.rule_script, "
                     "t.rule_version > 0 FROM tasks t WHERE t.tenant_id = "
                     f"{tid} AND t.title LIKE 'standup %' ORDER BY t.title")


def test_a_daily_reminder_makes_one_task_per_rep_across_dst(stack, ny):
    slug, tid = ny
    # The first pass schedules the company's reminders from its rules.
    run(stack, "2026-03-06 12:00:00")
    job = stack.sql("SELECT spec, time_zone, next_at FROM jobs WHERE "
                    f"tenant_id = {tid} AND kind = 'schedule' AND "
                    "job_key = 'standup'")
    assert job == [["daily 09:00", "America/New_York",
                    "2026-03-06 14:00:00.000"]]
    run(stack, "2026-03-06 14:00:30")   # Friday 09:00 EST
    # Sunday 8 March, 09:00 EDT is 13:00 UTC: Saturday's and Sunday's slots
    # run in this pass, each once.
    run(stack, "2026-03-08 13:00:30")
    run(stack, "2026-03-08 13:00:30")   # again: nothing new
    rows = standups(stack, tid)
    titles = [r[0] for r in rows]
    want = [f"standup {rep} 2026-03-0{d} 09:00"
            for rep in ("rep1", "rep2") for d in (6, 7, 8)]
    assert titles == sorted(want), titles
    due = {r[0]: r[1] for r in rows}
    assert due["standup rep1 2026-03-06 09:00"] == "2026-03-06 15:00:00.000"
    assert due["standup rep1 2026-03-08 09:00"] == "2026-03-08 14:00:00.000"
    assert all(r[2] == "schedules" and r[3] == "1" for r in rows)
    nxt = stack.sql(f"SELECT next_at FROM jobs WHERE tenant_id = {tid} AND "
                    "job_key = 'standup'")[0][0]
    assert nxt == "2026-03-09 13:00:00.000"
    # Each rep was told, once per task; the manager got no standup.
    told = stack.sql("SELECT u.login, COUNT(*) FROM notifications n JOIN "
                     "users u ON u.id = n.user_id JOIN tasks t ON "
                     "t.id = n.object_id AND n.object_kind = 'task' WHERE "
                     f"n.tenant_id = {tid} AND t.title LIKE 'standup %' "
                     "GROUP BY u.login ORDER BY u.login")
    assert told == [["rep1", "3"], ["rep2", "3"]]


def test_an_after_reminder_follows_its_event(stack, ny):
    slug, tid = ny
    rep = Client(stack, Account(slug, "rep1", PASSWORD, "rep"))
    rep.sign_in()
    name = "NY " + uuid.uuid4().hex[:6]
    r = rep.post("/customers", {"name": name, "kind": "hospital",
                                "city": "NYC", "confirm_duplicate": "1"})
    assert r.status_code == 303, r.text[:300]
    cid = int(re.search(r"/customers/(\d+)", r.headers["Location"]).group(1))
    assert stack.sql(f"SELECT COUNT(*) FROM tasks WHERE tenant_id = {tid} "
                     f"AND title = 'followup {name}'") == [["0"]]
    r = rep.post(f"/customers/{cid}/stage", {"to": "lost", "confirm": "1",
                                              "lost_reason": "price"})
    assert r.status_code == 303, r.text[:300]
    rows = stack.sql("SELECT object_kind, object_id, "
                     "ROUND(TIMESTAMPDIFF(SECOND, created_at, due_at) / 3600), "
                     "assignee_id FROM tasks WHERE tenant_id = "
                     f"{tid} AND title = 'followup {name}'")
    rep1 = stack.sql(f"SELECT id FROM users WHERE tenant_id = {tid} AND "
                     "login = 'rep1'")[0][0]
    assert rows == [["customer", str(cid), "24", rep1]]


def test_dry_run_says_what_a_reminder_would_make(stack, ny):
    slug, tid = ny
    boss = Client(stack, Account(slug, "boss", PASSWORD, "admin"))
    boss.sign_in()
    before = stack.sql(f"SELECT COUNT(*) FROM tasks WHERE tenant_id = {tid}")
    page = boss.get("/admin/rules/dry-run").text
    assert 'value="standup"' in page
    r = boss.post("/admin/rules/dry-run", {"reminder": "standup",
                                           "at": "2026-03-02T09:00"})
    assert r.status_code == 200
    count = re.search(r'class="dry-count">(\d+)<', r.text)
    assert count and count.group(1) == "2", r.text[-2000:]
    assert "standup rep1 2026-03-02 09:00" in r.text
    assert stack.sql(f"SELECT COUNT(*) FROM tasks WHERE tenant_id = {tid}") \
        == before


def test_default_reminders_pass_their_self_tests(stack):
    r = stack.cli("rules", "check", str(
        __import__("pathlib").Path(__file__).resolve().parents[2] / "lua" /
        "default"), check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "schedules" in r.stdout


def test_an_alert_that_stays_true_acts_once(stack, ny):
    slug, tid = ny
    run(stack, "2026-04-01 12:00:00")
    job = stack.sql(f"SELECT id FROM jobs WHERE tenant_id = {tid} AND "
                    "kind = 'alerts'")
    assert len(job) == 1
    jid = job[0][0]

    def alert_run(now, value):
        stack.sql(f"UPDATE jobs SET payload = '{{\"test_value\": {value}}}' "
                  f"WHERE id = {jid}")
        run(stack, now)

    def alert_tasks():
        return int(stack.sql(
            f"SELECT COUNT(*) FROM tasks WHERE tenant_id = {tid} AND "
            "rule_script = 'alerts' AND title LIKE '%test%'")[0][0])
    # Breached at 0.4 (< warning 0.70) for three runs: one task.
    alert_run("2026-04-01 12:15:30", 0.4)
    alert_run("2026-04-01 12:30:30", 0.4)
    alert_run("2026-04-01 12:45:30", 0.3)
    assert alert_tasks() == 1
    task = stack.sql("SELECT assignee_role, kind, title FROM tasks WHERE "
                     f"tenant_id = {tid} AND rule_script = 'alerts' AND "
                     "title LIKE '%test%'")[0]
    assert task[0] == "manager" and "test" in task[2]
    # Cleared (0.9), then back: one more.
    alert_run("2026-04-01 13:00:30", 0.9)
    assert stack.sql(f"SELECT active FROM alert_states WHERE tenant_id = "
                     f"{tid} AND alert_key = 'stage_health:test'") == [["0"]]
    alert_run("2026-04-01 13:15:30", 0.5)
    alert_run("2026-04-01 13:30:30", 0.5)
    assert alert_tasks() == 2


def test_a_store_customer_gets_no_deal_reminders(stack):
    """The default delivery_plan reminder follows a signed contract (its
    object: the contract's customer).  A store's customer is not a deal:
    the same contract signed for it makes no reminder, while the ordinary
    customer's does."""
    from test_contracts import Company
    co = Company(stack)
    tag = uuid.uuid4().hex[:6]
    r = co.api("boss", "POST", "/api/v1/stores", json={
        "code": f"R{tag}", "name": f"提醒店 {tag}", "supervisor": ""})
    assert r.status_code == 201, r.text
    store_customer = r.json()["customer_id"]
    assert stack.sql(f"SELECT kind FROM customers WHERE id = "
                     f"{store_customer}") == [["store"]]
    plain = co.customer(name=f"提醒客户 {tag}")

    def sign(login, cid):
        k = co.contract(cid) if login == "rep" else co.api(
            login, "POST", f"/api/v1/customers/{cid}/contracts",
            json=dict(__import__("test_contracts").TERMS,
                      template=co.template, amount="120000"))
        assert k.status_code == 201, k.text
        r = co.api(login, "POST", f"/api/v1/contracts/{k.json()['id']}/sign")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "signed"

    def plans(name):
        return stack.sql(f"SELECT object_kind, assignee_id FROM tasks WHERE "
                         f"tenant_id = {co.tid} AND title = "
                         f"'客户签约后24小时内提交交付计划：{name}'")
    sign("rep", plain)
    sign("boss", store_customer)
    assert plans(f"提醒客户 {tag}") == [["contract", str(co.ids["rep"])]]
    assert plans(f"提醒店 {tag}") == []

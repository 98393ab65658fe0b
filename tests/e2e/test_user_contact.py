"""Contact details and notification preferences (issue 12, item 5): the
person edits their own, an admin anyone's in the company; bad values get
a clear 422 and nothing is saved; a channel turned off for a kind gets no
delivery of it, the inbox still does."""
import re
import uuid

import pytest

from identity import Account, Client

PASSWORD = "Contact-Test-Pass-2026"


@pytest.fixture(scope="module")
def co(stack):
    slug = "uc" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Contact Co")
    for login, role in (("boss", "admin"), ("rep", "rep"), ("rep2", "rep")):
        stack.cli("user", "add", "--tenant", slug, "--login", login, "--role",
                  role, "--password-stdin", input_text=PASSWORD + "\n")
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    ids = {r[0]: int(r[1]) for r in stack.sql(
        f"SELECT login, id FROM users WHERE tenant_id = {tid}")}
    clients = {}
    for login, role in (("boss", "admin"), ("rep", "rep"), ("rep2", "rep")):
        c = Client(stack, Account(slug, login, PASSWORD, role))
        c.sign_in()
        clients[login] = c
    return {"slug": slug, "tid": tid, "ids": ids, "c": clients}


def contact(stack, uid):
    return stack.sql("SELECT email, mobile, wecom_id, notify_off FROM users "
                     f"WHERE id = {uid}")[0]


@pytest.mark.parametrize("field,value", [
    ("email", "not-an-address"), ("email", "a@b"), ("email", "x y@z.cn"),
    ("mobile", "12345"), ("mobile", "1381234567a"), ("mobile", "+0123456"),
    ("wecom_id", "张三"), ("wecom_id", "a" * 65)])
def test_bad_values_are_refused_and_nothing_is_saved(stack, co, field, value):
    rep = co["c"]["rep"]
    before = contact(stack, co["ids"]["rep"])
    r = rep.post("/account/contact", {field: value})
    assert r.status_code == 422, r.text[:300]
    assert f'data-field="{field}"' in r.text
    assert contact(stack, co["ids"]["rep"]) == before


def test_own_contact_and_preferences(stack, co, ):
    rep = co["c"]["rep"]
    r = rep.post("/account/contact", [
        ("email", "rep@example.com"), ("mobile", "13812345678"),
        ("wecom_id", "zhang.san"), ("notify_shown", "1"),
        ("notify", "task:email"), ("notify", "alert:wecom"),
        ("notify", "alert:email")])
    assert r.status_code == 303, r.text[:300]
    row = contact(stack, co["ids"]["rep"])
    assert row[:3] == ["rep@example.com", "13812345678", "zhang.san"]
    off = set(row[3].split(","))
    assert "task:wecom" in off and "task:email" not in off
    assert "alert:wecom" not in off
    page = rep.get("/account/contact").text
    assert re.search(r'value="task:email" checked', page)
    assert not re.search(r'value="task:wecom" checked', page)


def test_admin_edits_anyone_others_do_not(stack, co):
    boss, rep2 = co["c"]["boss"], co["c"]["rep2"]
    uid = co["ids"]["rep"]
    r = boss.post(f"/admin/users/{uid}/contact", {"mobile": "+8613900000000"})
    assert r.status_code == 303
    assert contact(stack, uid)[1] == "+8613900000000"
    assert rep2.get(f"/admin/users/{uid}/contact").status_code == 404
    assert rep2.post(f"/admin/users/{uid}/contact",
                     {"mobile": "13900000001"}).status_code == 404
    assert contact(stack, uid)[1] == "+8613900000000"


def test_a_channel_turned_off_gets_no_delivery(stack, co):
    tid = co["tid"]
    stack.sql("UPDATE tenants SET wecom_robot_url = "
              f"'https://127.0.0.1:9/robot' WHERE id = {tid}")
    try:
        def wecom_for(title):
            return stack.sql(
                "SELECT COUNT(*) FROM deliveries d JOIN notifications n ON "
                "n.id = d.notification_id WHERE d.channel = 'wecom' AND "
                f"n.title = '{title}'")[0][0]
        boss = co["c"]["boss"]
        for login, expect in (("rep", "0"), ("rep2", "1")):
            title = f"pref {login} " + uuid.uuid4().hex[:6]
            r = boss.post("/tasks", {"title": title,
                                     "assignee": str(co["ids"][login])})
            assert r.status_code == 303
            assert wecom_for(title) == expect, login
            assert stack.sql("SELECT COUNT(*) FROM notifications WHERE "
                             f"title = '{title}'") == [["1"]]
    finally:
        stack.sql("UPDATE tenants SET wecom_robot_url = '' WHERE id = "
                  f"{tid}")


def test_a_team_robot_takes_the_team_notifications(stack, co):
    slug, tid = co["slug"], co["tid"]
    stack.cli("user", "add", "--tenant", slug, "--login", "lead", "--role",
              "manager", "--password-stdin", input_text=PASSWORD + "\n")
    stack.cli("user", "add", "--tenant", slug, "--login", "member",
              "--role", "rep", "--manager", "lead", "--password-stdin",
              input_text=PASSWORD + "\n")
    ids = {r[0]: int(r[1]) for r in stack.sql(
        f"SELECT login, id FROM users WHERE tenant_id = {tid}")}
    boss = co["c"]["boss"]
    team = "https://127.0.0.1:9/team-robot"
    r = boss.post(f"/admin/users/{ids['lead']}/contact",
                  {"team_robot_url": team})
    assert r.status_code == 303
    # A rep leads no team: the field is not theirs.
    r = co["c"]["rep"].post("/account/contact",
                            {"team_robot_url": "https://127.0.0.1:9/x"})
    assert r.status_code == 303
    assert stack.sql(f"SELECT team_robot_url FROM users WHERE id = "
                     f"{co['ids']['rep']}") == [[""]]
    stack.sql("UPDATE tenants SET wecom_robot_url = "
              f"'https://127.0.0.1:9/company' WHERE id = {tid}")
    try:
        targets = {}
        for login in ("member", "rep2"):
            title = f"robot {login} " + uuid.uuid4().hex[:6]
            assert boss.post("/tasks", {
                "title": title, "assignee": str(ids[login])}).status_code \
                == 303
            targets[login] = stack.sql(
                "SELECT d.target FROM deliveries d JOIN notifications n ON "
                "n.id = d.notification_id WHERE d.channel = 'wecom' AND "
                f"n.title = '{title}'")
        assert targets["member"] == [[team]]
        assert targets["rep2"] == [["https://127.0.0.1:9/company"]]
    finally:
        stack.sql(f"UPDATE tenants SET wecom_robot_url = '' WHERE id = "
                  f"{tid}")

"""Tasks and the inbox (issue 12, items 1, 4 and 7): "My tasks" split by
when they are due, done and undo, the team's view, a task's page with its
history, role tasks claimed by one person, the notification its assignee
gets in the same transaction, the unread count in the page header, and
the JSON API -- each visible only to whom it concerns."""
import concurrent.futures
import re
import uuid

import pytest

from identity import Client


def tag():
    return "t" + uuid.uuid4().hex[:8]


def api(world, login, slug="acme"):
    if (slug, login) not in world.tokens:
        world.tokens[(slug, login)] = world.stack.cli(
            "token", "create", "--tenant", slug, "--user", login, "--name",
            "tasks").stdout.strip()
    c = Client(world.stack, world.accounts[(slug, login)])
    c.s.headers["Authorization"] = f"Bearer {world.tokens[(slug, login)]}"
    return c


def unread_in_header(page):
    m = re.search(r'class="count-badge"[^>]*>([^<]+)<', page)
    return m.group(1) if m else "0"


def test_my_tasks_due_today_overdue_and_later(world):
    rep = world.client("acme", "rep1")
    t = tag()
    for title, due in ((f"{t} past", "2020-01-01 09:00"),
                       (f"{t} later", "2099-01-01 09:00"),
                       (f"{t} undated", "")):
        r = rep.post("/tasks", {"title": title, "due": due, "kind": "todo"})
        assert r.status_code == 303, r.text[:400]
    page = rep.get("/tasks").text
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    later = page.split('id="later"')[1].split("</section>")[0]
    assert f"{t} past" in overdue and f"{t} later" not in overdue
    assert f"{t} later" in later and f"{t} undated" in later
    # The home page is the person's day: overdue first.
    home = rep.get("/").text
    assert f"{t} past" in home.split('id="overdue"')[1]
    assert f"{t} later" not in home


def test_done_then_undo_keeps_history(world, stack):
    rep = world.client("acme", "rep1")
    t = tag()
    r = rep.post("/tasks", {"title": t, "due": "2099-02-01"})
    tid = int(re.search(r"/tasks/(\d+)", r.headers["Location"]).group(1))
    r = rep.post(f"/tasks/{tid}/done", {"note": "called back",
                                        "next": "/tasks"})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/tasks?done=done&task={tid}"
    page = rep.get(r.headers["Location"]).text
    assert f'action="/tasks/{tid}/reopen"' in page  # the undo
    assert stack.sql(f"SELECT status, close_note FROM tasks WHERE id = {tid}"
                     ) == [["done", "called back"]]
    # Done twice is a conflict, not a second close.
    assert rep.post(f"/tasks/{tid}/done", {}).status_code == 409
    assert rep.post(f"/tasks/{tid}/reopen", {}).status_code == 303
    page = rep.get(f"/tasks/{tid}").text
    assert "called back" in page
    events = [e for (e,) in stack.sql(
        f"SELECT what FROM task_events WHERE task_id = {tid} ORDER BY id")]
    assert events == ["created", "done", "reopened"]


def test_a_task_for_another_is_their_notification(world, stack):
    mgr = world.client("acme", "mgr")
    rep = world.fresh_client("acme", "rep1")
    before = unread_in_header(rep.get("/customers").text)
    t = tag()
    r = mgr.post("/tasks", {"title": t, "assignee":
                            str(world.ids[("acme", "rep1")]),
                            "due": "2099-03-01 10:00", "priority": "1"})
    assert r.status_code == 303, r.text[:400]
    tid = int(re.search(r"/tasks/(\d+)", r.headers["Location"]).group(1))
    nid = stack.sql("SELECT id FROM notifications WHERE object_kind = "
                    f"'task' AND object_id = {tid}")
    assert len(nid) == 1
    nid = nid[0][0]
    after = unread_in_header(rep.get("/customers").text)
    assert int(after.rstrip("+")) == int(before.rstrip("+")) + 1 or \
        after == "99+"
    inbox = rep.get("/notifications").text
    assert t in inbox
    # Opening it reads it and leads to the task.
    r = rep.post(f"/notifications/{nid}/read", {"next": f"/tasks/{tid}"})
    assert r.status_code == 303 and r.headers["Location"] == f"/tasks/{tid}"
    assert stack.sql(f"SELECT read_at IS NOT NULL FROM notifications "
                     f"WHERE id = {nid}") == [["1"]]
    # Nobody else sees it: another rep and the manager who made the task.
    for login in ("rep2", "mgr"):
        c = world.client("acme", login)
        assert t not in c.get("/notifications").text
        assert c.post(f"/notifications/{nid}/read", {}).status_code == 404
    # The manager sees the task in the team's view, the other rep does not.
    assert t in mgr.get("/tasks?view=team").text
    assert world.client("acme", "rep2").get(f"/tasks/{tid}").status_code \
        == 404


def test_role_task_is_claimed_once(world, stack):
    boss = api(world, "boss")
    t = tag()
    r = boss.send_json("POST", "/api/v1/tasks", {
        "title": t, "assignee_role": "rep", "kind": "spot_check"})
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["assignee_id"] is None and task["assignee_role"] == "rep"
    # Every active rep is told.
    told = stack.sql("SELECT COUNT(*) FROM notifications n JOIN users u ON "
                     "u.id = n.user_id WHERE n.object_kind = 'task' AND "
                     f"n.object_id = {task['id']} AND u.role = 'rep'")[0][0]
    assert int(told) >= 3
    r1, r2 = api(world, "rep1"), Client(world.stack,
                                        world.accounts[("acme", "rep2")])
    r2.sign_in()
    assert t in r2.get("/tasks").text
    r = r1.send_json("POST", f"/api/v1/tasks/{task['id']}/claim", {})
    assert r.status_code == 200, r.text
    assert r.json()["assignee_id"] == world.ids[("acme", "rep1")]
    assert r2.post(f"/tasks/{task['id']}/claim", {}).status_code in (404, 409)
    # A manager may not claim a rep's task.
    assert api(world, "mgr").send_json(
        "POST", f"/api/v1/tasks/{task['id']}/claim", {}).status_code in (
            403, 409)


def test_api_list_done_reopen_and_filters(world):
    rep = api(world, "rep1")
    t = tag()
    r = rep.send_json("POST", "/api/v1/tasks",
                      {"title": t, "due": "2020-05-05 10:00"})
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    ids = [x["id"] for x in rep.get(
        "/api/v1/tasks?status=open&overdue=1&limit=500").json()["tasks"]]
    assert tid in ids
    r = rep.send_json("POST", f"/api/v1/tasks/{tid}/done", {"note": "ok"})
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert [h["what"] for h in r.json()["history"]] == ["created", "done"]
    ids = [x["id"] for x in rep.get(
        "/api/v1/tasks?status=open&limit=500").json()["tasks"]]
    assert tid not in ids
    r = rep.send_json("POST", f"/api/v1/tasks/{tid}/reopen", {})
    assert r.status_code == 200 and r.json()["status"] == "open"
    # Bad input: a clear 422, nothing made.
    r = rep.send_json("POST", "/api/v1/tasks", {"title": "", "due": "soon"})
    assert r.status_code == 422
    assert set(r.json()["fields"]) >= {"title", "due"}
    assert rep.get("/api/v1/tasks?status=maybe").status_code == 422


def test_unread_count_is_right_after_concurrent_reads(world, stack):
    boss = api(world, "boss")
    rep3 = api(world, "rep3")
    rep3.send_json("POST", "/api/v1/notifications/read-all", {})
    made = []
    for i in range(12):
        r = boss.send_json("POST", "/api/v1/tasks", {
            "title": f"{tag()} n{i}",
            "assignee": world.ids[("acme", "rep3")]})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    listing = rep3.get("/api/v1/notifications?unread=1&limit=50").json()
    assert listing["unread"] == 12
    nids = [n["id"] for n in listing["notifications"]]
    assert len(nids) == 12
    # Read 8 of them, each twice, at the same time.
    todo = nids[:8] * 2

    def read(nid):
        c = api(world, "rep3")
        return c.send_json("POST", f"/api/v1/notifications/{nid}/read",
                           {}).status_code
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        assert set(ex.map(read, todo)) == {200}
    assert rep3.get("/api/v1/notifications").json()["unread"] == 4
    page = world.fresh_client("acme", "rep3").get("/customers").text
    assert unread_in_header(page) == "4"

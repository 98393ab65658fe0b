"""Concurrent writes to one customer: 8 clients x 25 writes of each kind
that touches a customer row (contacts, contact events, evidence, edits,
stage changes), all at once.  Every write takes the customer's row lock
first, and a transaction the server aborts as a deadlock victim is run
again, so no answer is a 5xx and every acknowledged write is there."""
import threading
import uuid

import requests

from test_customers import FORMS, Api

CLIENTS = 8
EACH = 25


def test_concurrent_writes_to_one_customer_all_succeed(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    tag = uuid.uuid4().hex[:8]
    r = api.post(f"/api/v1/customers/{cid}/contacts",
                 json={"name": f"事件联系人 {tag}", "role": "budget"})
    assert r.status_code == 201, r.text
    kid = r.json()["id"]
    page = world.client("acme", "rep1")
    results = {k: [] for k in ("contact", "event", "evidence", "edit",
                               "stage")}
    lock = threading.Lock()

    def note(kind, status, extra=None):
        with lock:
            results[kind].append((status, extra))

    def contacts(n):
        for i in range(EACH - 1 if n == 0 else EACH):
            if len(results["contact"]) >= 190:  # under the cap of 200
                return
            name = f"并发 {tag} {n}-{i}"
            r = api.post(f"/api/v1/customers/{cid}/contacts",
                         json={"name": name, "role": "influencer"})
            note("contact", r.status_code, name)

    def events(n):
        s = world.client("acme", "rep1")
        tok = s.token(f"/contacts/{kid}")
        for i in range(EACH):
            text = f"会面 {tag} {n}-{i}"
            r = s.s.post(s.url(f"/contacts/{kid}/events"),
                         data={"_csrf": tok, "kind": "met",
                               "on": "2026-12-01", "text": text},
                         headers={"Origin": stack.base},
                         allow_redirects=False)
            note("event", r.status_code, text)

    def evidence(n):
        for i in range(EACH):
            data = dict(FORMS["need_confirmed"], need=f"需求 {tag} {n}-{i}")
            r = api.post(f"/api/v1/customers/{cid}/evidence",
                         json={"key": "need_confirmed", "data": data})
            note("evidence", r.status_code, r.json().get("id")
                 if r.status_code == 201 else None)

    def edits(n):
        for i in range(EACH):
            cur = api.get(f"/api/v1/customers/{cid}")
            if cur.status_code >= 500:
                note("edit", cur.status_code)
                continue
            text = f"备注 {tag} {n}-{i}"
            r = api.req("PATCH", f"/api/v1/customers/{cid}",
                        json={"version": cur.json()["version"],
                              "note": text})
            note("edit", r.status_code, text)

    def stages(n):
        for i in range(EACH):
            r = api.stage(cid, "intent" if (n + i) % 2 == 0 else "lead")
            note("stage", r.status_code)

    threads = []
    for fn in (contacts, events, evidence, edits, stages):
        threads += [threading.Thread(target=fn, args=(n,))
                    for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)

    for kind, answers in results.items():
        errors = [s for s, _ in answers if s >= 500]
        assert errors == [], (kind, errors)
    # Every acknowledged write is there.
    made = {x for s, x in results["contact"] if s == 201}
    assert len(made) >= 150
    names = {row[0] for row in stack.sql(
        f"SELECT name FROM contacts WHERE customer_id = {cid} "
        f"AND name LIKE '并发 {tag}%'")}
    assert made <= names and len(names) == len(made)
    met = {x for s, x in results["event"] if s == 303}
    assert len(met) == CLIENTS * EACH, results["event"][:5]
    # A meeting is an activity with the contact.
    texts = {row[0] for row in stack.sql(
        "SELECT a.content FROM activities a JOIN activity_contacts ac ON "
        f"ac.activity_id = a.id WHERE ac.contact_id = {kid}")}
    assert met <= texts
    ids = {x for s, x in results["evidence"] if s == 201}
    assert len(ids) == CLIENTS * EACH
    assert int(stack.sql(f"SELECT COUNT(*) FROM evidence WHERE customer_id = "
                         f"{cid} AND id IN ({','.join(map(str, ids))})")
               [0][0]) == len(ids)
    saved = [x for s, x in results["edit"] if s == 200]
    assert saved, results["edit"][:5]
    assert {s for s, _ in results["edit"]} <= {200, 409}
    last = stack.sql(f"SELECT note FROM customers WHERE id = {cid}")[0][0]
    assert last in saved
    moves = sum(1 for s, _ in results["stage"] if s == 200)
    assert {s for s, _ in results["stage"]} <= {200, 409}
    assert int(stack.sql(f"SELECT COUNT(*) FROM stage_events WHERE "
                         f"customer_id = {cid} AND from_stage IS NOT NULL")
               [0][0]) == moves


def test_a_deadlock_victim_is_run_again(stack, world):
    """A real deadlock with the application's transaction as the victim:
    another session locks the contact, the application's update takes the
    customer and waits for the contact, the session then asks for the
    customer.  InnoDB aborts the lighter transaction -- the application's,
    which has changed nothing -- and the application runs it again."""
    import os
    import select
    import subprocess
    import time

    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    r = api.post(f"/api/v1/customers/{cid}/contacts",
                 json={"name": "死锁联系人", "role": "budget"})
    assert r.status_code == 201, r.text
    kid, version = r.json()["id"], r.json()["version"]
    since = stack.log_size()
    user = os.environ.get("USER") or subprocess.check_output(
        ["id", "-un"], text=True).strip()
    other = subprocess.Popen(
        ["mariadb", "--no-defaults", "--batch", "--skip-column-names",
         "--unbuffered", "--force", f"--socket={stack.var}/run/mysqld.sock",
         "-u", user, "proofline"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    # Heavier than the application's transaction (many changed rows), so
    # that InnoDB picks the application's as the victim.
    other.stdin.write(
        "START TRANSACTION;\n"
        "INSERT INTO login_attempts (account_key, ip, ok) VALUES "
        "('deadlock-test', '127.0.0.9', 0), ('deadlock-test', '127.0.0.9', 0), "
        "('deadlock-test', '127.0.0.9', 0);\n"
        f"SELECT id FROM contacts WHERE id = {kid} FOR UPDATE;\n"
        "SELECT 'LOCKED';\n")
    other.stdin.flush()
    answer = {}

    def update():
        answer["r"] = api.req("PATCH", f"/api/v1/contacts/{kid}",
                              json={"version": version, "title": "科长"})

    t = threading.Thread(target=update)

    def until(query, what):
        deadline = time.time() + 30
        while time.time() < deadline:
            if int(stack.sql(query)[0][0]) >= 1:
                return
            time.sleep(0.05)
        trx = stack.sql("SELECT ID, COMMAND, TIME, STATE, LEFT(INFO, 80) "
                        "FROM information_schema.PROCESSLIST")
        other.stdin.close()
        raise AssertionError(what + ": " + str(answer) + str(trx) +
                             str(other.wait(timeout=10)) + other.stdout.read()
                             + other.stderr.read())

    try:
        # The session holds the contact once it has answered the statement
        # after the lock (its output is unbuffered; read from the pipe
        # itself, not through a buffered reader that select cannot see).
        seen = b""
        while b"LOCKED" not in seen:
            ready, _, _ = select.select([other.stdout], [], [], 30)
            chunk = os.read(other.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                other.stdin.close()
                raise AssertionError("the session never locked the "
                                     "contact: " + repr(seen) +
                                     other.stderr.read())
            seen += chunk
        t.start()
        # ...and the application's transaction waits for it, holding the
        # customer (its update of the contact cannot finish meanwhile).
        until("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
              "WHERE INFO LIKE 'UPDATE contacts SET name%'",
              "the application never waited")
        other.stdin.write(f"SELECT id FROM customers WHERE id = {cid} "
                          "FOR UPDATE;\nSELECT SLEEP(1);\nROLLBACK;\n")
        other.stdin.close()
        t.join(timeout=60)
    finally:
        other.wait(timeout=60)
    r = answer["r"]
    assert r.status_code == 200, r.text
    assert stack.wait_log(r"event=db\.victim .*errno=1213", since=since)
    assert stack.wait_log(r"event=db\.tx_retry", since=since)
    assert stack.sql(f"SELECT title FROM contacts WHERE id = {kid}") == \
        [["科长"]]

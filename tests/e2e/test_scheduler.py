"""The scheduler runs each job once per slot (issue 12, item 6): two
schedulers over 500 due jobs run each exactly once; a scheduler killed
while it holds a job leaves it to run again after its lease, and the
job's effect (a task) is not made twice; a daily job in a zone with
daylight saving moves across the change at the same wall-clock time."""
import json
import os
import signal
import subprocess
import time
import uuid

import pytest

from stack import BIN, ROOT


def run(stack, now, *extra, check=True):
    return stack.cli("jobs", "run", "--now", now, *extra, check=check)


def run_own(stack, slug, now, *extra, check=True):
    """A pass over this company's work only."""
    return run(stack, now, "--tenant", slug, *extra, check=check)


def start(stack, now, *extra):
    env = dict(stack.env)
    env["PROOFLINE_CONF"] = stack.conf_path
    return subprocess.Popen([str(BIN), "jobs", "run", "--now", now, *extra],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def company(stack):
    slug = "jobs" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "调度公司")
    stack.cli("user", "add", "--tenant", slug, "--login", "rep", "--role",
              "rep", "--password-stdin", input_text="Jobs-Test-Pass-2026\n")
    tid = stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0]
    return slug, int(tid)


def runs_of(stack, key_like):
    """Runs of this test's own jobs (other companies' reminders and alerts
    run in the same passes)."""
    return int(stack.sql("SELECT COUNT(*) FROM job_runs r JOIN jobs j ON "
                         f"j.id = r.job_id WHERE j.job_key LIKE '{key_like}'"
                         )[0][0])


def payload(title):
    return json.dumps({"title": title, "assignee": "rep", "due_hours": 8})


def test_two_schedulers_run_each_of_500_jobs_once(stack, company):
    slug, tid = company
    tag = uuid.uuid4().hex[:6]
    values = ",".join(
        f"({tid}, 'task', 'bulk-{tag}-{i}', '', 'UTC', "
        f"'{payload(f'bulk {tag} {i}')}', '2026-01-01 00:00:00')"
        for i in range(500))
    stack.sql("INSERT INTO jobs (tenant_id, kind, job_key, spec, time_zone, "
              f"payload, next_at) VALUES {values}")
    a = start(stack, "2026-01-01 00:00:05", "--owner", "a")
    b = start(stack, "2026-01-01 00:00:05", "--owner", "b")
    for p in (a, b):
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, (out, err)
    runs = stack.sql(
        "SELECT j.job_key, COUNT(r.id), SUM(r.ok), GROUP_CONCAT(r.owner) "
        "FROM jobs j JOIN job_runs r ON r.job_id = j.id "
        f"WHERE j.job_key LIKE 'bulk-{tag}-%' GROUP BY j.id")
    assert len(runs) == 500
    assert all(n == "1" and ok == "1" for _, n, ok, _ in runs), \
        [r for r in runs if r[1] != "1"][:5]
    owners = {o for _, _, _, o in runs}
    assert owners <= {"a", "b"}
    tasks = stack.sql(f"SELECT COUNT(*), COUNT(DISTINCT dedup_key) FROM tasks "
                      f"WHERE tenant_id = {tid} AND title LIKE 'bulk {tag} %'")
    assert tasks == [["500", "500"]]
    # One-shot jobs are done: nothing is due any more.
    run(stack, "2026-01-02 00:00:00")
    assert runs_of(stack, f"bulk-{tag}-%") == 500


def test_a_killed_scheduler_leaves_the_job_to_run_again_once(stack, company):
    slug, tid = company
    key = "kill-" + uuid.uuid4().hex[:6]
    stack.cli("jobs", "add", "--tenant", slug, "--kind", "task", "--key", key,
              "--payload", payload(f"killed {key}"), "--first",
              "2026-02-01 00:00:00")
    # A holds the job after running it and before recording the run.
    a = start(stack, "2026-02-01 00:00:10", "--owner", "doomed",
              "--hold-before-finish", "60", "--tenant", slug)
    deadline = time.time() + 60
    while time.time() < deadline:
        made = stack.sql(f"SELECT COUNT(*) FROM tasks WHERE title = "
                         f"'killed {key}'")[0][0]
        if made == "1":
            break
        time.sleep(0.2)
    assert made == "1"
    os.kill(a.pid, signal.SIGKILL)
    a.wait(timeout=10)
    # Within the lease nobody else takes it.
    run(stack, "2026-02-01 00:01:00")
    assert runs_of(stack, key) == 1
    # After the lease (300 s), another scheduler runs it again ...
    out = run(stack, "2026-02-01 00:05:11", "--owner", "rescuer").stdout
    assert "0 failed" in out, out
    runs = stack.sql("SELECT r.owner, r.finished_at IS NULL FROM job_runs r "
                     "JOIN jobs j ON j.id = r.job_id WHERE j.job_key = "
                     f"'{key}' ORDER BY r.id")
    assert runs == [["doomed", "1"], ["rescuer", "0"]]
    # ... and its effect is there once.
    assert stack.sql(f"SELECT COUNT(*) FROM tasks WHERE title = "
                     f"'killed {key}'") == [["1"]]


def test_a_daily_job_keeps_its_local_time_across_daylight_saving(stack,
                                                                  company):
    slug, tid = company
    key = "daily-" + uuid.uuid4().hex[:6]
    # 09:00 in New York: 14:00 UTC in winter, 13:00 UTC from 8 March 2026.
    stack.cli("jobs", "add", "--tenant", slug, "--kind", "task", "--key", key,
              "--spec", "daily 09:00", "--tz", "America/New_York",
              "--payload", payload(f"daily {key}"), "--first",
              "2026-03-07 14:00:00")

    def next_at():
        return stack.sql(f"SELECT next_at FROM jobs WHERE job_key = '{key}'"
                         )[0][0][:19]

    run(stack, "2026-03-07 14:00:30")
    assert next_at() == "2026-03-08 13:00:00"
    run(stack, "2026-03-08 13:00:30")
    assert next_at() == "2026-03-09 13:00:00"
    # Running the same moment again makes nothing new.
    run(stack, "2026-03-08 13:00:30")
    tasks = stack.sql(f"SELECT due_at FROM tasks WHERE title = 'daily {key}' "
                      "ORDER BY due_at")
    assert [t[0][:19] for t in tasks] == ["2026-03-07 22:00:00",
                                          "2026-03-08 21:00:00"]


def test_a_bad_payload_is_recorded_and_retried_later(stack, company):
    slug, tid = company
    key = "bad-" + uuid.uuid4().hex[:6]
    stack.cli("jobs", "add", "--tenant", slug, "--kind", "task", "--key", key,
              "--payload", json.dumps({"title": "x", "assignee": "nobody"}),
              "--first", "2026-04-01 00:00:00")
    r = run(stack, "2026-04-01 00:00:01", check=False)
    assert r.returncode == 1 and "0 failed" not in r.stdout.split(";")[0]
    row = stack.sql(f"SELECT last_ok, last_error FROM jobs WHERE job_key = "
                    f"'{key}'")[0]
    assert row[0] == "0" and "assignee" in row[1]
    # Not again before its pause is over.
    run(stack, "2026-04-01 00:00:30", check=False)
    assert runs_of(stack, key) == 1

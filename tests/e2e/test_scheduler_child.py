"""The scheduler child of `proofline serve` (issue 12, item 6): started
with the workers but not counted as one, it runs due jobs by itself; the
master respawns it when it dies, replaces it on SIGHUP and stops it with
the rest."""
import json
import os
import re
import signal
import time
import uuid

import pytest

from stack import Stack


def scheduler_pids(s):
    return [int(p) for p in re.findall(
        r"pid=(\d+) rid=- event=scheduler\.start", s.log())]


def wait_for(what, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        v = what()
        if v:
            return v
        time.sleep(0.2)
    return what()


@pytest.fixture(scope="module")
def s():
    st = Stack(extra_env={"PROOFLINE_SCHEDULER": "1",
                          "PROOFLINE_SCHEDULER_INTERVAL": "1",
                          "PROOFLINE_WORKERS": "2"}).start()
    yield st
    st.stop()


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_the_scheduler_runs_due_jobs_by_itself(s):
    assert wait_for(lambda: scheduler_pids(s)), s.log_tail()
    children = s.worker_pids()
    assert len(children) == 3, children   # 2 workers + the scheduler
    slug = "sc" + uuid.uuid4().hex[:6]
    s.cli("tenant", "create", slug, "Sched Co")
    s.cli("user", "add", "--tenant", slug, "--login", "rep", "--role", "rep",
          "--password-stdin", input_text="Sched-Test-Pass-2026\n")
    title = "auto " + uuid.uuid4().hex[:6]
    s.cli("jobs", "add", "--tenant", slug, "--kind", "task", "--key", title,
          "--payload", json.dumps({"title": title, "assignee": "rep"}))
    made = wait_for(lambda: s.sql(
        f"SELECT COUNT(*) FROM tasks WHERE title = '{title}'") == [["1"]])
    assert made, s.log_tail()
    owner = s.sql("SELECT r.owner FROM job_runs r JOIN jobs j ON "
                  f"j.id = r.job_id WHERE j.job_key = '{title}'")[0][0]
    assert owner.endswith(f":{scheduler_pids(s)[-1]}")


def test_a_killed_scheduler_is_respawned(s):
    first = wait_for(lambda: scheduler_pids(s))[-1]
    workers = set(s.worker_pids()) - {first}
    os.kill(first, signal.SIGKILL)
    again = wait_for(lambda: [p for p in scheduler_pids(s) if p != first])
    assert again, s.log_tail()
    assert "event=scheduler.died" in s.log()
    assert not alive(first)
    # The workers were not touched.
    assert workers <= set(s.worker_pids())


def test_sighup_replaces_the_scheduler(s):
    before = scheduler_pids(s)[-1]
    os.kill(s.master_pid(), signal.SIGHUP)
    assert wait_for(lambda: scheduler_pids(s)[-1] != before), s.log_tail()
    assert wait_for(lambda: not alive(before)), "old scheduler still alive"
    assert len(s.worker_pids()) == 3

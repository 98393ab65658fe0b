"""Upgrades (issue 17, item 3): every migration applies to a database made
by an older schema, the data of the oldest one survives, and
`proofline migrate --dry-run` says what it would do and does nothing.

The oldest schema is 001..005: what the first day's commits shipped
(`git log --reverse -- sql/`: 001_core to 005_customer_indexes on
2026-11-28; 006 and later came a week after).  There are no release tags,
so that is the honest "first released schema".

A rolling restart (SIGHUP) under load that loses no request is tested in
test_server.py (test_sighup_under_load_fails_nothing); the last test
here does it while a migration is applied to the live database.
"""
import collections
import pathlib
import re
import shutil
import signal
import sys
import threading

import pytest
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from identity import Account, Client  # noqa: E402
from stack import ROOT, Stack  # noqa: E402

OLDEST = 5
PASSWORD = "Correct-Horse-Battery-42"
VERSIONS = sorted(int(p.name[:3]) for p in (ROOT / "sql").glob("[0-9]*.sql"))


@pytest.fixture(scope="module")
def stack():
    s = Stack(extra_env={"STACK_DEMO": "0"}).start()
    yield s
    s.stop()


def fresh_db(stack, name):
    stack.sql(f"DROP DATABASE IF EXISTS {name}", database="mysql")
    stack.sql(f"CREATE DATABASE {name}", database="mysql")
    stack.sql(f"GRANT ALL PRIVILEGES ON {name}.* TO "
              "'proofline'@'localhost'", database="mysql")
    return {"PROOFLINE_DB_NAME": name}


def schema(stack, name):
    """Columns, indexes and triggers of a database, comparable."""
    cols = stack.sql(
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, "
        "IFNULL(COLUMN_DEFAULT, 'NULL'), EXTRA FROM information_schema.COLUMNS "
        f"WHERE TABLE_SCHEMA = '{name}' ORDER BY 1, 2", database="mysql")
    idx = stack.sql(
        "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE "
        f"FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '{name}' "
        "ORDER BY 1, 2, 3", database="mysql")
    trg = stack.sql(
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM "
        f"information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{name}' "
        "ORDER BY 1", database="mysql")
    return cols, idx, trg


def applied(stack, name):
    return [int(r[0]) for r in stack.sql(
        "SELECT version FROM schema_migrations ORDER BY version",
        database=name)]


def test_dry_run_lists_pending_and_applies_nothing(stack):
    env = fresh_db(stack, "up_dry")
    stack.cli("migrate", "--to", str(OLDEST), env=env)
    assert applied(stack, "up_dry") == [v for v in VERSIONS if v <= OLDEST]
    r = stack.cli("migrate", "--dry-run", env=env)
    pending = re.findall(r"^pending: (\d{3})_", r.stdout, re.M)
    assert [int(v) for v in pending] == [v for v in VERSIONS if v > OLDEST]
    assert "nothing applied (dry run)" in r.stdout
    assert applied(stack, "up_dry") == [v for v in VERSIONS if v <= OLDEST]
    r = stack.cli("migrate", env=env)
    assert applied(stack, "up_dry") == VERSIONS
    r = stack.cli("migrate", "--dry-run", env=env)
    assert "pending:" not in r.stdout and "0 pending" in r.stdout


def test_from_every_older_schema_to_head_gives_the_same_schema(stack):
    head = schema(stack, "proofline")
    assert head[0], "the stack's database has no columns?"
    for k in VERSIONS[:-1]:
        name = f"up_{k:03d}"
        env = fresh_db(stack, name)
        stack.cli("migrate", "--quiet", "--to", str(k), env=env)
        assert applied(stack, name) == [v for v in VERSIONS if v <= k]
        stack.cli("migrate", "--quiet", env=env)
        assert applied(stack, name) == VERSIONS
        assert schema(stack, name) == head, f"upgraded from {k:03d}"
        stack.sql(f"DROP DATABASE {name}", database="mysql")


def test_oldest_schema_with_data_upgrades_and_is_served(stack):
    # A password hash as the program makes it (the format has not
    # changed since 001), taken from a throwaway user.
    stack.cli("tenant", "create", "hashsrc", "Hash source")
    stack.cli("user", "add", "--tenant", "hashsrc", "--login", "u",
              "--role", "rep", "--password-stdin",
              input_text=PASSWORD + "\n")
    pw_hash = stack.sql("SELECT password_hash FROM users WHERE login = 'u'")
    pw_hash = pw_hash[0][0]

    # The stack's own database, rebuilt at the oldest schema while the
    # server is stopped, with what a company had then.
    stack.script("stop")
    stack.start()
    stack.sql("DROP DATABASE proofline", database="mysql")
    env = fresh_db(stack, "proofline")
    # The company and its people as 001 (the very first schema) had them;
    # 002 builds the manager closure of the users it finds.
    stack.cli("migrate", "--quiet", "--to", str(VERSIONS[0]), env=env)
    stack.sql(
        "INSERT INTO tenants (id, slug, name) VALUES (7, 'oldco', '老公司');"
        "INSERT INTO users (id, tenant_id, login, display_name, role, "
        " password_hash, region) VALUES "
        f"(70, 7, 'boss', '老板', 'manager', '{pw_hash}', '华东'),"
        f"(71, 7, 'rep', '代表', 'rep', '{pw_hash}', '华东');"
        "UPDATE users SET manager_id = 70 WHERE id = 71")
    stack.cli("migrate", "--quiet", "--to", str(OLDEST), env=env)
    stack.sql(
        "INSERT INTO customers (id, tenant_id, name, name_key, kind, "
        " owner_id, stage, city, amount, note, created_by) VALUES "
        "(700, 7, '老客户医院', '老客户医院', 'hospital', 71, 'lead', "
        " '杭州', 123456.78, '第一版的备注', 71),"
        "(701, 7, 'Second Old Clinic', 'second old clinic', 'clinic', 71, "
        " 'intent', 'Ningbo', NULL, '', 71)")
    before = stack.sql("SELECT id, tenant_id, name, kind, owner_id, stage, "
                       "city, amount, note FROM customers ORDER BY id")
    users_before = stack.sql("SELECT id, login, display_name, role, "
                             "manager_id, password_hash FROM users "
                             "ORDER BY id")

    r = stack.cli("migrate", "--dry-run")
    assert "pending: 006_" in r.stdout
    stack.cli("migrate")
    assert applied(stack, "proofline") == VERSIONS
    assert stack.sql("SELECT id, tenant_id, name, kind, owner_id, stage, "
                     "city, amount, note FROM customers ORDER BY id") == before
    assert stack.sql("SELECT id, login, display_name, role, manager_id, "
                     "password_hash FROM users ORDER BY id") == users_before

    # Workers started afresh, on the upgraded database.
    stack.script("stop")
    stack.start()
    c = Client(stack, Account("oldco", "rep", PASSWORD, "rep"))
    c.sign_in()
    page = c.get("/customers")
    assert page.status_code == 200
    assert "老客户医院" in page.text and "Second Old Clinic" in page.text
    boss = Client(stack, Account("oldco", "boss", PASSWORD, "manager"))
    boss.sign_in()
    r = boss.get("/customers/700")
    assert r.status_code == 200 and "老客户医院" in r.text


def test_migrate_and_sighups_while_serving_fail_no_request(stack, tmp_path):
    """An upgrade on a live stack: a new migration (a column on customers,
    a table) applied while a signed-in user keeps loading the customer
    list, and the master reloaded (SIGHUP) four times meanwhile; every
    answer is 200."""
    sql_dir = tmp_path / "sql"
    shutil.copytree(ROOT / "sql", sql_dir)
    (sql_dir / "999_upgrade_probe.sql").write_text(
        "ALTER TABLE customers ADD COLUMN IF NOT EXISTS upgrade_probe "
        "INT NOT NULL DEFAULT 0;\n"
        "CREATE TABLE IF NOT EXISTS upgrade_probe (id INT NOT NULL, "
        "PRIMARY KEY (id)) ENGINE=InnoDB;\n")
    stack.cli("tenant", "create", "liveco", "Live Co")
    stack.cli("user", "add", "--tenant", "liveco", "--login", "rep",
              "--role", "rep", "--password-stdin",
              input_text=PASSWORD + "\n")
    client = Client(stack, Account("liveco", "rep", PASSWORD, "rep"))
    client.sign_in()
    done = threading.Event()
    codes, errors = collections.Counter(), []

    def load():
        while not done.is_set():
            try:
                codes[client.get("/customers").status_code] += 1
                codes[requests.get(stack.url("/login"),
                                   timeout=30).status_code] += 1
            except requests.RequestException as e:
                errors.append(repr(e))

    t = threading.Thread(target=load, daemon=True)
    t.start()
    try:
        since = stack.log_size()
        stack.signal_master(signal.SIGHUP)
        r = stack.cli("migrate", env={"PROOFLINE_SQL_DIR": str(sql_dir)})
        assert "applied: 999_upgrade_probe.sql" in r.stdout
        for _ in range(3):
            assert stack.wait_log(r"event=reload\.done", timeout=30,
                                  since=since), stack.log_tail()
            since = stack.log_size()
            stack.signal_master(signal.SIGHUP)
        assert stack.wait_log(r"event=reload\.done", timeout=30,
                              since=since), stack.log_tail()
        before = sum(codes.values())
        # Some requests after the last reload too (bounded by the wait).
        for _ in range(300):
            if sum(codes.values()) >= before + 10 or errors:
                break
            done.wait(0.1)
    finally:
        done.set()
        t.join(60)
    assert not errors, errors[:3]
    assert set(codes) == {200}, codes
    assert sum(codes.values()) >= 10
    assert stack.sql("SELECT COUNT(*) FROM upgrade_probe") == [["0"]]

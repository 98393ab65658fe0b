"""The command line: help texts, migrations, demo data."""
import shutil
import re
import subprocess

import pytest

from stack import BIN, ROOT


def run(*args, env=None):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_help_lists_every_command():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("serve", "migrate", "demo", "config", "version"):
        assert cmd in r.stdout


def commands():
    """The commands `proofline --help` lists."""
    text = run("--help").stdout
    block = text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


def test_each_listed_command_has_help():
    cmds = commands()
    assert {"serve", "migrate", "demo", "tenant", "user", "token", "rules",
            "routes", "config", "version"} <= set(cmds)
    for cmd in cmds:
        r = run(cmd, "--help")
        assert r.returncode == 0, cmd
        if cmd != "version":
            assert r.stdout.startswith(f"usage: proofline {cmd}"), cmd
            assert len(r.stdout.splitlines()) >= 1


def test_readme_documents_every_configuration_key():
    readme = (ROOT / "README.md").read_text()
    keys = [line.split()[0] for line in run("config", "--keys").stdout
            .splitlines() if line.strip()]
    assert len(keys) > 40
    missing = [k for k in keys if f"`{k}`" not in readme]
    assert not missing, missing


def test_unknown_command_and_option():
    assert run("frobnicate").returncode == 2
    r = run("--conf", "/nonexistent.conf", "config")
    assert r.returncode == 2 and "nonexistent" in r.stderr


def test_config_keys_documented():
    r = run("config", "--keys")
    assert r.returncode == 0
    for key in ("listen", "workers", "max_requests", "request_timeout",
                "db_socket", "cookie_secure", "max_body", "max_json_depth"):
        assert key in r.stdout


def test_config_masks_password(stack):
    r = stack.cli("config")
    assert "db_password = ********" in r.stdout


def test_migrate_is_idempotent(stack):
    r = stack.cli("migrate")
    assert r.returncode == 0
    assert "0 pending" in r.stdout
    rows = stack.sql("SELECT version, checksum FROM schema_migrations")
    assert rows and all(len(c) == 64 for _, c in rows)


def test_changed_applied_migration_is_an_error(stack, tmp_path):
    sql = tmp_path / "sql"
    shutil.copytree(ROOT / "sql", sql)
    first = sorted(sql.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited after applying\n")
    r = stack.cli("migrate", env={"PROOFLINE_SQL_DIR": str(sql)},
                  check=False)
    assert r.returncode == 1
    assert "was changed after it was applied" in r.stderr


def test_new_migration_applied_once_in_order(stack, tmp_path):
    stack.sql("CREATE DATABASE IF NOT EXISTS proofline_mt")
    stack.sql("GRANT ALL ON proofline_mt.* TO 'proofline'@'localhost'")
    sql = tmp_path / "sql"
    shutil.copytree(ROOT / "sql", sql)
    (sql / "900_extra.sql").write_text(
        "CREATE TABLE IF NOT EXISTS extra (id INT PRIMARY KEY);\n"
        "INSERT INTO extra VALUES (1);\n")
    env = {"PROOFLINE_SQL_DIR": str(sql), "PROOFLINE_DB_NAME": "proofline_mt"}
    r = stack.cli("migrate", env=env)
    assert "applied: 900_extra.sql" in r.stdout
    r = stack.cli("migrate", env=env)
    assert "0 pending" in r.stdout
    assert stack.sql("SELECT COUNT(*) FROM extra", "proofline_mt") == [["1"]]
    # A failing migration is reported with its file name, rolled back and
    # not recorded.
    (sql / "901_broken.sql").write_text(
        "INSERT INTO extra VALUES (2);\nINSERT INTO nope VALUES (1);\n")
    r = stack.cli("migrate", env=env, check=False)
    assert r.returncode == 1 and "901_broken.sql" in r.stderr
    assert stack.sql("SELECT COUNT(*) FROM extra", "proofline_mt") == [["1"]]
    assert stack.sql("SELECT COUNT(*) FROM schema_migrations WHERE "
                     "version = 901", "proofline_mt") == [["0"]]
    stack.sql("DROP DATABASE proofline_mt")


def users_of(stack, slug):
    return stack.sql(
        "SELECT u.login, u.display_name, u.role, COALESCE(m.login, ''), "
        "u.region FROM users u JOIN tenants t ON t.id = u.tenant_id "
        "LEFT JOIN users m ON m.id = u.manager_id "
        f"WHERE t.slug = '{slug}' ORDER BY u.login")


def test_demo_is_deterministic(stack):
    stack.cli("demo", "--tenant", "det-a", "--seed", "7", "--reps", "9")
    stack.cli("demo", "--tenant", "det-b", "--seed", "7", "--reps", "9")
    stack.cli("demo", "--tenant", "det-c", "--seed", "8", "--reps", "9")
    a, b, c = (users_of(stack, s) for s in ("det-a", "det-b", "det-c"))
    # admin, managers, reps, other roles, and store2..store24, the store
    # managers of the default chain's first stores (store1 is among the
    # other roles)
    assert len(a) == 1 + 3 + 9 + 5 + 23
    assert a == b
    assert [row[1] for row in a] != [row[1] for row in c]
    roles = {row[2] for row in a}
    assert roles == {"admin", "manager", "rep", "legal", "finance",
                     "supervisor", "store_manager", "marketing"}


def customers_digest(stack, slug):
    """Everything a demo customer is made of, ids aside."""
    return stack.sql(
        "SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', c.name, c.kind, c.stage, "
        "c.stage_since, COALESCE(c.lost_reason, ''), c.contacts_text, "
        "c.amount, c.last_activity_at, c.created_at, u.login, "
        "(SELECT GROUP_CONCAT(CONCAT_WS(',', e.to_stage, e.at, e.code) "
        "ORDER BY e.id) FROM stage_events e WHERE e.customer_id = c.id), "
        "(SELECT GROUP_CONCAT(CONCAT_WS(',', v.ev_key, v.data, v.created_at) "
        "ORDER BY v.id) FROM evidence v WHERE v.customer_id = c.id)) "
        "ORDER BY c.id SEPARATOR '\n')), COUNT(*) FROM customers c "
        "JOIN tenants t ON t.id = c.tenant_id JOIN users u ON u.id = "
        f"c.owner_id WHERE t.slug = '{slug}'")[0]


def test_demo_customers_are_deterministic_and_consistent(stack):
    # the pipeline's customers only: a chain's stores are the demo's too
    # (test_demo_data.py), made as of the server's clock
    args = ("--reps", "4", "--customers", "150", "--days", "90",
            "--today", "2026-03-01", "--stores", "0")
    stack.cli("demo", "--tenant", "dc-a", "--seed", "5", *args)
    stack.cli("demo", "--tenant", "dc-b", "--seed", "5", *args)
    stack.cli("demo", "--tenant", "dc-c", "--seed", "6", *args)
    a, b, c = (customers_digest(stack, s) for s in ("dc-a", "dc-b", "dc-c"))
    assert a == b and a[1] == "150"
    assert a[0] != c[0]
    where = "t.slug = 'dc-a'"
    # Shared out among the four reps; created within the 90 days.
    owners = stack.sql(
        "SELECT u.login, COUNT(*) FROM customers c JOIN tenants t ON "
        f"t.id = c.tenant_id JOIN users u ON u.id = c.owner_id WHERE {where} "
        "GROUP BY u.login")
    assert sorted(o[0] for o in owners) == ["rep1", "rep2", "rep3", "rep4"]
    span = stack.sql(
        "SELECT MIN(c.created_at) >= '2026-03-01' - INTERVAL 91 DAY, "
        "MAX(c.last_activity_at) <= '2026-03-02' FROM customers c JOIN "
        f"tenants t ON t.id = c.tenant_id WHERE {where}")[0]
    assert span == ["1", "1"]
    # The customer's stage is where its history ends.
    off = stack.sql(
        "SELECT COUNT(*) FROM customers c JOIN tenants t ON t.id = "
        f"c.tenant_id WHERE {where} AND c.stage <> (SELECT e.to_stage FROM "
        "stage_events e WHERE e.customer_id = c.id ORDER BY e.id DESC "
        "LIMIT 1)")
    assert off == [["0"]]
    # Evidence used by a change is listed by that change, and every
    # advance listed some evidence.
    used = stack.sql(
        "SELECT COUNT(*), SUM(JSON_CONTAINS(e.evidence_ids, CAST(v.id AS "
        "CHAR)) AND e.customer_id = v.customer_id) FROM evidence v JOIN "
        "stage_events e ON e.id = v.used_in JOIN tenants t ON t.id = "
        f"v.tenant_id WHERE {where}")[0]
    assert int(used[0]) > 100 and used[0] == used[1]
    bare = stack.sql(
        "SELECT COUNT(*) FROM stage_events e JOIN tenants t ON t.id = "
        f"e.tenant_id WHERE {where} AND e.code = 'ok' AND "
        "e.evidence_ids = '[]'")
    assert bare == [["0"]]
    # Contacts are searchable through the customer's text column.
    k = stack.sql(
        "SELECT k.name, k.phone, c.contacts_text FROM contacts k JOIN "
        "customers c ON c.id = k.customer_id JOIN tenants t ON t.id = "
        f"c.tenant_id WHERE {where} ORDER BY k.id LIMIT 1")[0]
    assert f"{k[0]} {k[1]}" in k[2]


def test_demo_refuses_existing_tenant_unless_if_absent(stack):
    r = stack.cli("demo", "--tenant", "demo", check=False)
    assert r.returncode == 1 and "already exists" in r.stderr
    r = stack.cli("demo", "--tenant", "demo", "--if-absent")
    assert r.returncode == 0 and "kept" in r.stdout


def test_demo_validates_arguments(stack):
    for args in (["--reps", "0"], ["--reps", "x"], ["--seed", "-1"],
                 ["--bogus"], ["--customers", "1000001"], ["--days", "6"],
                 ["--today", "2026-02-30"], ["--today", "tomorrow"]):
        r = stack.cli("demo", "--tenant", "zz", *args, check=False)
        assert r.returncode == 2, args


def test_install_stages_every_file(tmp_path):
    dest = tmp_path / "root"
    r = subprocess.run([str(ROOT / "scripts" / "install.sh")],
                       env={"DESTDIR": str(dest), "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    for rel in ("usr/local/bin/proofline",
                "usr/share/proofline/templates/pages/login.mustache",
                "usr/share/proofline/templates/i18n/zh-CN.json",
                "usr/share/proofline/sql/001_core.sql",
                "usr/share/proofline/nginx.conf.example",
                "etc/systemd/system/proofline.service",
                "etc/systemd/system/proofline.socket",
                "etc/proofline/proofline.conf",
                "etc/proofline/proofline.conf.d/00-secret.conf"):
        assert (dest / rel).exists(), rel
    conf = (dest / "etc/proofline/proofline.conf").read_text()
    assert "cookie_secure = 1" in conf and "socket_group = www-data" in conf
    unit = (dest / "etc/systemd/system/proofline.service").read_text()
    assert "ExecStart=/usr/local/bin/proofline serve" in unit
    assert "/usr/bin/proofline" not in unit
    # The staged configuration, drop-in included, is valid as installed.
    r = subprocess.run([str(dest / "usr/local/bin/proofline"), "config"],
                       env={"PROOFLINE_CONF":
                            str(dest / "etc/proofline/proofline.conf"),
                            "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^secret_key\s*=\s*\S", r.stdout, re.M), r.stdout


def test_production_nginx_config_is_valid_as_shipped(tmp_path):
    """nginx -t on nginx.conf.example as shipped (only its access log moved
    into the test directory), inside an http block like Debian's
    nginx.conf gives it."""
    shipped = (ROOT / "nginx.conf.example").read_text()
    assert "/var/log/nginx/proofline.access.log" in shipped
    conf = tmp_path / "proofline.conf"
    conf.write_text(shipped.replace("/var/log/nginx/proofline.access.log",
                                    str(tmp_path / "access.log")))
    main = tmp_path / "nginx.conf"
    main.write_text(
        "pid %s/nginx.pid;\nerror_log stderr;\nevents {}\n"
        "http {\n  client_body_temp_path %s;\n  fastcgi_temp_path %s;\n"
        "  proxy_temp_path %s;\n  uwsgi_temp_path %s;\n  scgi_temp_path %s;\n"
        "  include %s;\n}\n" % ((tmp_path,) * 6 + (conf,)))
    r = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(main)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr


def test_the_manual_page_has_every_command():
    """proofline(8) is made from the help texts: every command of
    `proofline help` is a section with its own --help, and troff reads
    it without a warning."""
    r = subprocess.run([str(ROOT / "scripts" / "manpage.sh"), str(BIN)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    page = r.stdout
    names = re.findall(r"^  ([a-z][a-z-]*)  ", run("help").stdout, re.M)
    assert len(names) >= 15, names
    sections = re.findall(r"^\.SS (\S+)$", page, re.M)
    assert sections == names
    assert "proofline tenant erase --tenant SLUG --confirm SLUG" in page
    assert not re.search(r"^[.'](?!TH|SH|SS|PP|nf|fi|TP|B |BR|I |IR|RB|RI)",
                         page, re.M), "a help line read as a troff request"
    if shutil.which("groff"):
        g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"],
                           input=page, capture_output=True, text=True,
                           timeout=60)
        assert g.returncode == 0 and g.stderr == "", g.stderr

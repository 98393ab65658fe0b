"""The command line: help texts, migrations, demo data."""
import shutil
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


@pytest.mark.parametrize("cmd", ["serve", "migrate", "demo", "config"])
def test_each_command_has_help(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0
    assert r.stdout.startswith(f"usage: proofline {cmd}")


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
    assert len(a) == 1 + 3 + 9 + 5  # admin, managers, reps, other roles
    assert a == b
    assert [row[1] for row in a] != [row[1] for row in c]
    roles = {row[2] for row in a}
    assert roles == {"admin", "manager", "rep", "legal", "finance",
                     "supervisor", "store_manager", "marketing"}


def test_demo_refuses_existing_tenant_unless_if_absent(stack):
    r = stack.cli("demo", "--tenant", "demo", check=False)
    assert r.returncode == 1 and "already exists" in r.stderr
    r = stack.cli("demo", "--tenant", "demo", "--if-absent")
    assert r.returncode == 0 and "kept" in r.stdout


def test_demo_validates_arguments(stack):
    for args in (["--reps", "0"], ["--reps", "x"], ["--seed", "-1"],
                 ["--bogus"]):
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
                "etc/proofline/proofline.conf"):
        assert (dest / rel).exists(), rel
    conf = (dest / "etc/proofline/proofline.conf").read_text()
    assert "cookie_secure = 1" in conf and "socket_group = www-data" in conf


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

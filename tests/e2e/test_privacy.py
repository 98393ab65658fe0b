"""Data protection (issue 17, item 6): the company export.

Two companies with demo data (customers, contacts, activities, stores,
POS sales, photos).  `proofline tenant export` writes one tar archive with,
for every table that has a tenant_id column (found in information_schema
here too, so a new table cannot be forgotten by the test either), exactly
the company's rows in JSON and in CSV, none of the other company's, and
the company's stored files; the export is audited.  An admin downloads the
same archive at /admin/privacy/export.  A whole company is erased by two
people: an admin asks, a second admin or the operator (`proofline tenant
erase`) confirms."""
import csv
import datetime
import hashlib
import io
import json
import re
import subprocess
import tarfile
import zoneinfo

import pytest

from identity import Account, Client

MARK = "ZZPRIVB"


def tid(stack, slug):
    return int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])


def tenant_tables(stack):
    return [r[0] for r in stack.sql(
        "SELECT c.table_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
        "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
        "WHERE c.table_schema = DATABASE() AND c.column_name = 'tenant_id' "
        "ORDER BY 1")]


def counts(stack, tenant):
    return {t: int(stack.sql(f"SELECT COUNT(*) FROM `{t}` "
                             f"WHERE tenant_id = {tenant}")[0][0])
            for t in tenant_tables(stack)}


@pytest.fixture(scope="module")
def two(stack):
    for slug, seed in (("priv-a", "3"), ("priv-b", "4")):
        stack.cli("demo", "--tenant", slug, "--reps", "2", "--customers",
                  "10", "--stores", "3", "--pos-days", "7", "--seed", seed)
    a, b = tid(stack, "priv-a"), tid(stack, "priv-b")
    # The second company's people and customers carry a marker, so that
    # any of its rows in the first one's export is seen.
    stack.sql(f"UPDATE customers SET name = CONCAT(name, ' {MARK}', id) "
              f"WHERE tenant_id = {b}; UPDATE contacts SET name = "
              f"CONCAT(name, ' {MARK}', id) WHERE tenant_id = {b}; "
              f"UPDATE users SET display_name = CONCAT(display_name, "
              f"' {MARK}', id) WHERE tenant_id = {b}")
    return a, b


def export(stack, slug, path):
    out = stack.cli("tenant", "export", "--tenant", slug, str(path))
    assert "exported" in out.stdout
    return tarfile.open(path)


def holds_the_company_only(stack, tar, a, b, before):
    """tar holds, for every tenant table, exactly the rows of company a
    counted in before (JSON and CSV), a's stored files byte for byte, and
    nothing of company b."""
    names = set(tar.getnames())
    for table, n in before.items():
        rows = json.loads(tar.extractfile(f"tables/{table}.json").read())
        assert len(rows) == n, table
        assert all(int(r["tenant_id"]) == a for r in rows), table
        text = tar.extractfile(f"tables/{table}.csv").read().decode(
            "utf-8-sig")
        records = list(csv.reader(io.StringIO(text)))
        assert len(records) == (n + 1 if n else 0), table
        if n:
            col = records[0].index("tenant_id")
            assert {r[col] for r in records[1:]} == {str(a)}, table
    manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["tables"] == before
    # The stored files of the company, byte for byte.
    shas = {r[0] for r in stack.sql(
        f"SELECT DISTINCT sha256 FROM files WHERE tenant_id = {a}")}
    assert shas, "the demo stores photos"
    for sha in shas:
        data = tar.extractfile(f"files/{sha}").read()
        assert hashlib.sha256(data).hexdigest() == sha
    # Nothing of the other company: its marked names and its file hashes
    # appear nowhere.
    other_shas = {r[0] for r in stack.sql(
        f"SELECT DISTINCT sha256 FROM files WHERE tenant_id = {b}")} - shas
    assert other_shas
    blob = b"".join(tar.extractfile(m).read() for m in tar.getmembers())
    assert MARK.encode() not in blob
    for sha in other_shas:
        assert sha.encode() not in blob and f"files/{sha}" not in names


def test_tenant_export_holds_every_table_of_the_company_only(stack, two,
                                                            tmp_path):
    a, b = two
    before = counts(stack, a)
    assert before["customers"] >= 10 and before["contacts"] > 0
    audits = before["audit_log"]
    tar = export(stack, "priv-a", tmp_path / "a.tar")
    holds_the_company_only(stack, tar, a, b, before)
    # Audited, after the dump (so the archive holds the rows before it).
    assert counts(stack, a)["audit_log"] == audits + 1
    assert stack.sql(f"SELECT COUNT(*) FROM audit_log WHERE tenant_id = {a} "
                     "AND event = 'privacy.tenant_export'")[0][0] == "1"


def test_export_refuses_an_unknown_company_and_an_existing_file(stack, two,
                                                                tmp_path):
    r = stack.cli("tenant", "export", "--tenant", "no-such", str(
        tmp_path / "x.tar"), check=False)
    assert r.returncode != 0 and "no tenant" in r.stderr
    existing = tmp_path / "there.tar"
    existing.write_text("keep me")
    r = stack.cli("tenant", "export", "--tenant", "priv-b", str(existing),
                  check=False)
    assert r.returncode != 0 and existing.read_text() == "keep me"


PASSWORD = "Correct-Horse-Battery-42"
TEXT_TYPES = "('char','varchar','tinytext','text','mediumtext','longtext')"


def user(stack, slug, login, role):
    stack.cli("user", "add", "--tenant", slug, "--login", login, "--role",
              role, "--password-stdin", input_text=PASSWORD + "\n")
    c = Client(stack, Account(slug, login, PASSWORD))
    c.sign_in()
    return c


def admin(stack, slug, login):
    return user(stack, slug, login, "admin")


def export_audits(stack, tenant):
    return stack.sql(f"SELECT actor_id, detail FROM audit_log WHERE "
                     f"tenant_id = {tenant} AND event = "
                     f"'privacy.tenant_export' ORDER BY id")


def company_day(stack, tenant):
    zone = stack.sql(f"SELECT time_zone FROM tenants WHERE id = {tenant}")[0][0]
    return datetime.datetime.now(zoneinfo.ZoneInfo(zone)).strftime("%Y%m%d")


def test_admin_downloads_the_company_archive(stack, two):
    a, b = two
    boss = admin(stack, "priv-a", "dladm")
    rep = user(stack, "priv-a", "dlrep", "rep")
    boss_id = int(stack.sql(f"SELECT id FROM users WHERE tenant_id = {a} "
                            f"AND login = 'dladm'")[0][0])
    # The page offers the download itself, no longer the operator's
    # command.
    page = boss.get("/admin/privacy")
    assert page.status_code == 200
    assert 'action="/admin/privacy/export"' in page.text
    assert "tenant export --tenant" not in page.text
    audits = export_audits(stack, a)
    # Not for a rep (admin routes answer other roles 404, like every
    # route a role may not use), not without the form's token: nothing
    # exported.
    assert rep.post("/admin/privacy/export").status_code == 404
    assert boss.post("/admin/privacy/export", token=False).status_code == 403
    assert boss.get("/admin/privacy/export").status_code in (404, 405)
    assert export_audits(stack, a) == audits
    before = counts(stack, a)
    day = company_day(stack, a)
    r = boss.post("/admin/privacy/export")
    days = {day, company_day(stack, a)}
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"] == "application/x-tar"
    m = re.fullmatch(r'attachment; filename="proofline-priv-a-(\d{8})\.tar"',
                     r.headers["Content-Disposition"])
    assert m and m.group(1) in days, r.headers["Content-Disposition"]
    assert int(r.headers["Content-Length"]) == len(r.content) > 0
    tar = tarfile.open(fileobj=io.BytesIO(r.content))
    holds_the_company_only(stack, tar, a, b, before)
    # Audited once more, naming the admin, committed with the download.
    after = export_audits(stack, a)
    assert len(after) == len(audits) + 1
    assert int(after[-1][0]) == boss_id
    detail = json.loads(after[-1][1])
    assert detail["complete"] is True
    assert detail["rows"] == sum(before.values())
    # The temporary archive is gone from tmp_dir.
    assert not [p for p in stack.var.rglob("privacy-export-*")]


def hits(stack, tenant, values):
    """(table, column, value) for every text column of every tenant table
    of the company that holds one of values."""
    cols = stack.sql(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.columns k ON k.table_schema = c.table_schema "
        "AND k.table_name = c.table_name AND k.column_name = 'tenant_id' "
        "WHERE c.table_schema = DATABASE() AND c.data_type IN " + TEXT_TYPES)
    found = []
    for table, col in cols:
        for v in values:
            n = stack.sql(f"SELECT COUNT(*) FROM `{table}` WHERE tenant_id = "
                          f"{tenant} AND INSTR(CONVERT(`{col}` USING utf8mb4), "
                          f"'{v}') > 0")[0][0]
            if n != "0":
                found.append((table, col, v))
    return found


def test_contact_export_and_erasure(stack, two):
    a, b = two
    boss = admin(stack, "priv-a", "pvadm")
    # A contact who took part in activities, with a phone and an e-mail
    # unique to the test, named in an activity's notes and a customer's
    # history too.
    kid, cid = map(int, stack.sql(
        f"SELECT ac.contact_id, k.customer_id FROM activity_contacts ac "
        f"JOIN contacts k ON k.id = ac.contact_id WHERE ac.tenant_id = {a} "
        f"ORDER BY ac.contact_id LIMIT 1")[0])
    name, phone, email = "欧阳娜娜测试", "13987654321", "nana.oy@example.cn"
    stack.sql(f"UPDATE contacts SET name = '{name}', phone = '{phone}', "
              f"email = '{email}', title = '主任' WHERE id = {kid}; "
              f"UPDATE activities SET content = CONCAT(content, ' 见了{name}，"
              f"电话{phone}') WHERE tenant_id = {a} AND id IN (SELECT "
              f"activity_id FROM activity_contacts WHERE contact_id = {kid}); "
              f"INSERT INTO contact_events (tenant_id, customer_id, "
              f"contact_id, kind, happened_on, text, consensus) VALUES "
              f"({a}, {cid}, {kid}, 'met', CURDATE(), '和{name}通话 {phone}', "
              f"'{email} 同意试用')")
    acts = stack.sql(f"SELECT COUNT(*) FROM activity_contacts "
                     f"WHERE tenant_id = {a} AND contact_id = {kid}")[0][0]
    assert int(acts) > 0
    # The export holds the person.
    r = boss.get(f"/contacts/{kid}/export")
    assert r.status_code == 200, r.text[:300]
    assert "attachment" in r.headers["Content-Disposition"]
    data = r.json()
    assert data["contact"][0]["name"] == name
    assert data["contact"][0]["phone"] == phone
    assert len(data["activities"]) == int(acts)
    assert any(name in e["text"] for e in data["events"])
    # Only an admin; another company's admin gets 404.
    other = admin(stack, "priv-b", "pvadm")
    assert other.get(f"/contacts/{kid}/export").status_code == 404
    assert other.post(f"/contacts/{kid}/erase",
                      {"typed_id": str(kid)}).status_code == 404
    # A wrong typed number erases nothing.
    r = boss.post(f"/contacts/{kid}/erase", {"typed_id": str(kid + 1)})
    assert r.status_code == 422
    assert hits(stack, a, [name, phone, email]) != []
    since = stack.log_size()
    r = boss.post(f"/contacts/{kid}/erase", {"typed_id": str(kid)})
    assert r.status_code == 303, r.text[:300]
    assert r.headers["Location"] == f"/customers/{cid}#chain"
    # The person left the decision chain (like a removed contact); the
    # customer's page, looked at afterwards, still shows the activities.
    assert boss.get(f"/contacts/{kid}").status_code == 404
    page = boss.get(f"/customers/{cid}")
    assert page.status_code == 200 and name not in page.text
    assert hits(stack, a, [name, phone, email]) == []
    k = stack.sql(f"SELECT name, phone, email, title, active FROM contacts "
                  f"WHERE id = {kid}")[0]
    assert k == [f"已删除联系人 #{kid}", "", "", "", "0"]
    assert stack.sql(f"SELECT COUNT(*) FROM activity_contacts WHERE "
                     f"tenant_id = {a} AND contact_id = {kid}")[0][0] == acts
    # The dated events stay, without their text (the history is still
    # append-only for everything else).
    assert ["met", "", ""] in stack.sql(
        f"SELECT kind, text, consensus FROM contact_events "
        f"WHERE contact_id = {kid}")
    with pytest.raises(subprocess.CalledProcessError):
        stack.sql(f"UPDATE contact_events SET text = 'x' "
                  f"WHERE contact_id = {kid}")
    log = stack.log()[since:]
    for v in (name, phone, email):
        assert v not in log
    erase = stack.sql(f"SELECT detail FROM audit_log WHERE tenant_id = {a} "
                      f"AND event = 'contact.erase'")
    assert len(erase) == 1 and json.loads(erase[0][0])["contact"] == kid
    assert stack.sql(f"SELECT COUNT(*) FROM audit_log WHERE tenant_id = {a} "
                     f"AND event = 'privacy.contact_export'")[0][0] == "1"


def test_tenant_erasure_needs_a_second_admin_in_time(stack, two):
    a, b = two
    first = admin(stack, "priv-b", "eraser1")
    second = admin(stack, "priv-b", "eraser2")
    # Files of b alone (not shared with a) lose their bytes; shared ones
    # stay.
    own = {r[0] for r in stack.sql(
        f"SELECT DISTINCT sha256 FROM files f WHERE tenant_id = {b} AND NOT "
        f"EXISTS (SELECT 1 FROM files g WHERE g.sha256 = f.sha256 AND "
        f"g.tenant_id <> {b})")}
    on_disk = {p.name: p for p in stack.var.rglob("*") if p.name in own}
    assert own and set(on_disk) == own
    a_before = counts(stack, a)
    # No confirmation without a request; a wrong code changes nothing.
    assert second.post("/admin/privacy/erase/confirm",
                       {"typed_slug": "priv-b"}).status_code == 404
    assert first.post("/admin/privacy/erase").status_code == 303
    assert "eraser1" in second.get("/admin/privacy").text
    assert second.post("/admin/privacy/erase/confirm",
                       {"typed_slug": "priv-a"}).status_code == 422
    # The admin who asked cannot confirm.
    assert first.post("/admin/privacy/erase/confirm",
                      {"typed_slug": "priv-b"}).status_code == 403
    # A request older than 24 hours is cancelled, not carried out.
    stack.sql(f"UPDATE tenant_erasures SET requested_at = NOW(3) - "
              f"INTERVAL 25 HOUR WHERE tenant_ref = {b}")
    assert second.post("/admin/privacy/erase/confirm",
                       {"typed_slug": "priv-b"}).status_code == 409
    assert stack.sql(f"SELECT status FROM tenant_erasures WHERE "
                     f"tenant_ref = {b}") == [["cancelled"]]
    assert counts(stack, b)["customers"] > 0
    # Asked again, confirmed by the second admin: the company is gone.
    assert first.post("/admin/privacy/erase").status_code == 303
    since = stack.log_size()
    r = second.post("/admin/privacy/erase/confirm", {"typed_slug": "priv-b"})
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    left = {t: n for t, n in counts(stack, b).items() if n}
    assert left == {}
    assert stack.sql(f"SELECT COUNT(*) FROM tenants WHERE id = {b}") == [["0"]]
    assert counts(stack, a) == a_before
    for sha, path in on_disk.items():
        assert not path.exists(), sha
    # The record that survives names the company and the two admins.
    rec = stack.sql(f"SELECT slug, requested_login, confirmed_login, status "
                    f"FROM tenant_erasures WHERE tenant_ref = {b} "
                    f"ORDER BY id")
    assert rec[-1] == ["priv-b", "eraser1", "eraser2", "done"]
    assert f"privacy.tenant_erased tenant={b}" in stack.log()[since:] or \
        "privacy.tenant_erased" in stack.log()[since:]
    # Signed out: the sessions went with the company.
    assert second.get("/admin/privacy").status_code in (302, 303)


def own_files(stack, tenant):
    return {r[0] for r in stack.sql(
        f"SELECT DISTINCT sha256 FROM files f WHERE tenant_id = {tenant} AND "
        f"NOT EXISTS (SELECT 1 FROM files g WHERE g.sha256 = f.sha256 AND "
        f"g.tenant_id <> {tenant})")}


def erase_cli(stack, slug, confirm):
    return stack.cli("tenant", "erase", "--tenant", slug, "--confirm",
                     confirm, check=False)


def test_operator_confirms_an_erasure_an_admin_asked_for(stack, two):
    a, _ = two
    stack.cli("demo", "--tenant", "priv-c", "--reps", "2", "--customers",
              "5", "--stores", "2", "--pos-days", "7", "--seed", "5")
    c = tid(stack, "priv-c")
    c_before = counts(stack, c)
    assert c_before["customers"] >= 5 and c_before["users"] > 0
    requests = f"SELECT COUNT(*) FROM tenant_erasures WHERE tenant_ref = {c}"
    # The typed code must repeat the company's exactly.
    r = erase_cli(stack, "priv-c", "priv-a")
    assert r.returncode == 2 and "--confirm must repeat" in r.stderr
    # The operator never starts an erasure: an admin asks first.
    r = erase_cli(stack, "priv-c", "priv-c")
    assert r.returncode == 1, r.stdout
    assert "/admin/privacy" in r.stderr and "nothing was erased" in r.stderr
    assert stack.sql(requests) == [["0"]]
    assert counts(stack, c) == c_before
    boss = admin(stack, "priv-c", "cliera")
    c_before = counts(stack, c)
    assert boss.post("/admin/privacy/erase").status_code == 303
    # A request older than 24 hours is cancelled, not carried out.
    stack.sql(f"UPDATE tenant_erasures SET requested_at = NOW(3) - "
              f"INTERVAL 25 HOUR WHERE tenant_ref = {c}")
    r = erase_cli(stack, "priv-c", "priv-c")
    assert r.returncode == 1 and "older than 24 hours" in r.stderr
    assert stack.sql(f"SELECT status FROM tenant_erasures WHERE "
                     f"tenant_ref = {c}") == [["cancelled"]]
    assert counts(stack, c)["customers"] == c_before["customers"]
    # Asked again; a wrong code still erases nothing, the request stays.
    assert boss.post("/admin/privacy/erase").status_code == 303
    r = erase_cli(stack, "priv-c", "PRIV-C")
    assert r.returncode == 2
    assert stack.sql(f"SELECT status FROM tenant_erasures WHERE "
                     f"tenant_ref = {c} ORDER BY id") == [["cancelled"],
                                                          ["pending"]]
    assert counts(stack, c)["customers"] == c_before["customers"]
    own = own_files(stack, c)
    on_disk = {p.name: p for p in stack.var.rglob("*") if p.name in own}
    assert own and set(on_disk) == own
    a_before = counts(stack, a)
    # Confirmed by the operator: the company is gone, the other stays.
    r = erase_cli(stack, "priv-c", "priv-c")
    assert r.returncode == 0, r.stderr
    assert f"erased tenant 'priv-c' (id {c})" in r.stdout
    assert "request of cliera" in r.stdout
    assert f"{len(own)} stored file" in r.stdout
    assert "privacy.tenant_erased" in r.stderr
    assert {t: n for t, n in counts(stack, c).items() if n} == {}
    assert stack.sql(f"SELECT COUNT(*) FROM tenants WHERE id = {c}") == [["0"]]
    assert counts(stack, a) == a_before
    for sha, path in on_disk.items():
        assert not path.exists(), sha
    rec = stack.sql(f"SELECT slug, requested_login, confirmed_login, "
                    f"confirmed_by IS NULL, status FROM tenant_erasures "
                    f"WHERE tenant_ref = {c} ORDER BY id")
    assert rec[-1] == ["priv-c", "cliera", "cli", "1", "done"]
    # Nothing left to erase.
    r = erase_cli(stack, "priv-c", "priv-c")
    assert r.returncode == 1 and "no tenant 'priv-c'" in r.stderr

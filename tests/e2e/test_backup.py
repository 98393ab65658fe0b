"""`proofline backup DIR` and `proofline restore DIR` (issue 17, item 2).

A company with data of many kinds (the demo with stores and POS sales,
uploads, a binary cache row holding every byte value) is backed up while
a thread keeps writing through the API (customers and uploaded files).
Restored into a second stack with an empty database and files_dir:

- every row that existed before the backup started is there, byte for
  byte (a SHA-256 of the hex of every column of the row), and nothing is
  there that did not exist once the writes stopped: before <= restored <=
  after, per table, as multisets of rows;
- every stored file of before is there byte for byte, and every file a
  restored row refers to is there with the content its name says.

A backup with a byte flipped in a table file, a stored file removed or
the manifest removed is refused with a message naming the part, and the
target stays empty.
"""
import collections
import hashlib
import os
import pathlib
import shutil
import sys
import threading
import uuid

import pytest
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from company import Company  # noqa: E402
from stack import Stack  # noqa: E402

PASSWORD = "Correct-Horse-Battery-42"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")
# Every byte value, and the ones LOAD DATA's format escapes, twice.
BLOB = bytes(range(256)) + b"\\\t\n\r\x00\\N\xff" * 2


def columns(stack, table):
    return [r[0] for r in stack.sql(
        "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE "
        f"TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' "
        "ORDER BY ORDINAL_POSITION")]


def tables(stack):
    return [r[0] for r in stack.sql(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
        "TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' "
        "AND TABLE_NAME <> 'schema_migrations'")]


def fingerprint(stack):
    """{table: Counter of row hashes}: each row as the hex of every
    column's bytes (N for NULL), hashed."""
    out = {}
    for t in tables(stack):
        cols = ",".join(f"IFNULL(HEX(CAST(`{c}` AS BINARY)),'N')"
                        for c in columns(stack, t))
        rows = stack.sql(f"SELECT SHA2(CONCAT_WS(',', {cols}), 256) "
                         f"FROM `{t}`")
        out[t] = collections.Counter(r[0] for r in rows)
    return out


def stored_files(stack):
    root = stack.var / "files"
    return {str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*") if p.is_file()
            and len(p.name) == 64}


def contained(small, big):
    return not (small - big)


@pytest.fixture(scope="module")
def source():
    s = Stack(extra_env={"STACK_DEMO": "0"}).start()
    try:
        s.cli("demo", "--tenant", "bk", "--reps", "2", "--customers", "20",
              "--stores", "5", "--pos-days", "10")
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def target():
    s = Stack(extra_env={"STACK_DEMO": "0"}).start()
    yield s
    s.stop()


class Writer(threading.Thread):
    """Customers and uploads through the API until told to stop."""

    def __init__(self, company):
        super().__init__(daemon=True)
        self.company = company
        self.stop = threading.Event()
        self.started_writes = threading.Event()
        self.writes = 0
        self.errors = []

    def run(self):
        while not self.stop.is_set():
            tag = uuid.uuid4().hex[:10]
            r = self.company.api("rep", "POST", "/api/v1/customers", json={
                "name": f"并发 {tag}", "kind": "hospital", "city": tag,
                "confirm_duplicate": True})
            if r.status_code != 201:
                self.errors.append(r.text)
                return
            cid = r.json()["id"]
            r = self.company.api(
                "rep", "POST", f"/api/v1/customers/{cid}/evidence",
                data={"key": "trial_kit_receipt", "note": tag},
                files={"file": (f"{tag}.png", PNG + tag.encode(),
                                "image/png")})
            if r.status_code != 201:
                self.errors.append(r.text)
                return
            self.writes += 1
            if self.writes >= 3:
                self.started_writes.set()


@pytest.fixture(scope="module")
def backup(source, tmp_path_factory):
    """The backup taken under writes, with what was there just before it
    started and just after the writes stopped."""
    co = Company(source, "bw", [("boss", "admin", None),
                                ("rep", "rep", "boss")], PASSWORD)
    tid = int(source.sql("SELECT id FROM tenants WHERE slug = 'bk'")[0][0])
    cid = source.sql(f"SELECT id FROM campaigns WHERE tenant_id = {tid} "
                     "LIMIT 1")[0][0]
    source.sql("INSERT INTO sellthrough_cache (tenant_id, campaign_id, "
               f"as_of, version, body) VALUES ({tid}, {cid}, '2026-01-02', "
               f"7, UNHEX('{BLOB.hex()}'))")
    writer = Writer(co)
    writer.start()
    assert writer.started_writes.wait(120), writer.errors
    before = fingerprint(source)
    files_before = stored_files(source)
    writes_at_start = writer.writes
    out = tmp_path_factory.mktemp("backup") / "bk"
    try:
        r = source.cli("backup", str(out))
    finally:
        writer.stop.set()
        writer.join(60)
    assert not writer.errors, writer.errors
    after = fingerprint(source)
    return {"dir": out, "before": before, "after": after,
            "files_before": files_before, "stdout": r.stdout,
            "writes_during": writer.writes - writes_at_start}


def target_is_empty(target):
    assert stored_files(target) == {}
    for t in tables(target):
        assert target.sql(f"SELECT COUNT(*) FROM `{t}`") == [["0"]], t


def corrupt_copy(src, dst, how):
    shutil.copytree(src, dst)
    if how == "flip":
        p = dst / "tables" / "customers"
        data = bytearray(p.read_bytes())
        data[len(data) // 2] ^= 0x01
        p.write_bytes(bytes(data))
        return "tables/customers"
    if how == "file":
        victim = sorted((dst / "files").rglob("*"))
        victim = [p for p in victim if p.is_file()][0]
        victim.unlink()
        return "files/" + str(victim.relative_to(dst / "files"))
    (dst / "MANIFEST").unlink()
    return "MANIFEST"


@pytest.mark.parametrize("how,reason", [
    ("flip", "checksum mismatch"),
    ("file", "missing from the backup"),
    ("manifest", "partial"),
])
def test_damaged_backup_is_refused_and_nothing_restored(
        backup, target, tmp_path, how, reason):
    target_is_empty(target)
    bad = tmp_path / "bad"
    part = corrupt_copy(backup["dir"], bad, how)
    r = target.cli("restore", str(bad), check=False)
    assert r.returncode != 0
    assert f"refused: {part}: " in r.stderr, r.stderr
    assert reason in r.stderr, r.stderr
    target_is_empty(target)


def test_round_trip_under_writes_keeps_every_row_and_file(backup, target):
    assert "backup: " in backup["stdout"]
    r = target.cli("restore", str(backup["dir"]))
    assert "restore: " in r.stdout, r.stdout + r.stderr
    restored = fingerprint(target)
    before, after = backup["before"], backup["after"]
    assert set(restored) == set(before)
    for t in before:
        assert contained(before[t], restored[t]), \
            f"{t}: rows of before the backup missing after restore"
        assert contained(restored[t], after[t]), \
            f"{t}: restored rows that never existed in the source"
    # The data is of many kinds, the binary row included.
    for t in ("customers", "evidence", "files", "pos_sales", "stores",
              "activities", "activity_photos", "sellthrough_cache"):
        assert sum(restored[t].values()) > 0, t
    body = target.sql("SELECT HEX(body) FROM sellthrough_cache "
                      "WHERE version = 7")
    assert body == [[BLOB.hex().upper()]]

    files = stored_files(target)
    for rel, data in backup["files_before"].items():
        assert files.get(rel) == data, rel
    for (sha,) in target.sql("SELECT DISTINCT sha256 FROM files"):
        rel = f"{sha[:2]}/{sha[2:4]}/{sha}"
        assert rel in files, rel
        assert hashlib.sha256(files[rel]).hexdigest() == sha


def test_restore_refuses_a_database_with_rows(backup, target):
    # After the round trip (or in any order: a target with rows, or a
    # files_dir with files, is refused before anything is written).
    if target.sql("SELECT COUNT(*) FROM customers") == [["0"]]:
        target.cli("restore", str(backup["dir"]))
    count = target.sql("SELECT COUNT(*) FROM customers")
    r = target.cli("restore", str(backup["dir"]), check=False)
    assert r.returncode != 0
    assert "refused: " in r.stderr and "empty" in r.stderr, r.stderr
    assert target.sql("SELECT COUNT(*) FROM customers") == count


def test_backup_refuses_a_directory_in_use(source, backup):
    r = source.cli("backup", str(backup["dir"]), check=False)
    assert r.returncode != 0 and "not empty" in r.stderr, r.stderr
    assert os.path.exists(backup["dir"] / "MANIFEST")

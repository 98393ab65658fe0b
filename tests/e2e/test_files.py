"""Stored files and their rows stay in step: long names are shortened on
every upload path (page, API, CSV import) instead of failing, an upload
that fails after its bytes were put in place leaves nothing on disk, and
`proofline files check` finds (and with --fix removes) what a crash could
still leave."""
import hashlib
import os
import re
import time
import urllib.parse
import uuid

import pytest

from test_customers import PNG, Api
from test_import import upload

EXT_NAMES = [
    ("a" * 300 + ".png", ".png"),                     # 304 bytes
    ("照片" * 300 + ".png", ".png"),                   # 1804 bytes
    ("签收单-" + "医" * 330 + ".jpeg", ".jpeg"),
]


def stored_names(stack, since_id):
    return stack.sql(f"SELECT id, name, CHAR_LENGTH(name) FROM files "
                     f"WHERE id > {since_id} ORDER BY id")


def last_file_id(stack):
    return int(stack.sql("SELECT COALESCE(MAX(id), 0) FROM files")[0][0])


def disk_files(stack):
    root = stack.var / "files"
    return {p for p in root.rglob("*") if p.is_file()}


def check_name(name, ext):
    assert len(name) <= 255, len(name)
    assert name.endswith(ext), name[-20:]
    name.encode("utf-8")  # whole characters


def unique_png():
    # The same PNG with a different trailing chunk: new content, new blob.
    return PNG + b"pl" + uuid.uuid4().bytes


def test_long_names_are_shortened_on_every_upload_path(stack, world):
    api = Api(stack, world, "rep1")
    page = world.client("acme", "rep1")
    cid = api.customer()["id"]
    before = last_file_id(stack)
    for name, ext in EXT_NAMES:
        r = api.post(f"/api/v1/customers/{cid}/evidence",
                     data={"key": "trial_kit_receipt"},
                     files={"file": (name, unique_png(), "image/png")})
        assert r.status_code == 201, r.text
        tok = page.token(f"/customers/{cid}/evidence/trial_kit_receipt")
        r = page.s.post(page.url(f"/customers/{cid}/evidence/"
                                 "trial_kit_receipt"),
                        data={"_csrf": tok},
                        files={"file": (name, unique_png(), "image/png")},
                        headers={"Origin": stack.base}, allow_redirects=False)
        assert r.status_code in (200, 303), r.text[:500]
    csv = "名称,类型\r\n长名导入,hospital\r\n".encode()
    r = upload(page, csv, name="客户" * 200 + ".csv")
    assert r.status_code == 303, r.text[:500]
    rows = stored_names(stack, before)
    assert len(rows) == 2 * len(EXT_NAMES) + 1, rows
    exts = [e for _, e in EXT_NAMES for _ in (0, 1)] + [".csv"]
    for (fid, name, chars), ext in zip(rows, exts):
        check_name(name, ext)
        assert int(chars) == 255, (fid, chars)
    # A name that fits is kept as it is.
    r = api.post(f"/api/v1/customers/{cid}/evidence",
                 data={"key": "trial_kit_receipt"},
                 files={"file": ("回执 1.png", unique_png(), "image/png")})
    assert r.status_code == 201
    assert stored_names(stack, before)[-1][1] == "回执 1.png"


def test_a_long_name_is_sent_in_whole_characters_with_its_extension(
        stack, world):
    """A download names the file in Content-Disposition, cut to at most 500
    bytes for nginx's header buffers: after whole characters, with the
    extension kept (a byte cut ended 255 Chinese characters in half a
    character and without ".png")."""
    api = Api(stack, world, "rep1")
    page = world.client("acme", "rep1")
    cid = api.customer()["id"]
    for name, ext in EXT_NAMES + [("回执 1.png", ".png")]:
        r = api.post(f"/api/v1/customers/{cid}/evidence",
                     data={"key": "trial_kit_receipt"},
                     files={"file": (name, unique_png(), "image/png")})
        assert r.status_code == 201, r.text
        fid = r.json()["file_id"]
        stored = stack.sql(f"SELECT name FROM files WHERE id = {fid}")[0][0]
        r = page.get(f"/files/{fid}")
        assert r.status_code == 200
        disp = r.headers["Content-Disposition"]
        sent = urllib.parse.unquote_to_bytes(
            disp.split("filename*=UTF-8''", 1)[1])
        assert len(sent) <= 500, len(sent)
        text = sent.decode("utf-8")  # strict: whole characters only
        assert text.endswith(ext), text[-10:]
        assert stored.startswith(text[:-len(ext)])
        if len(stored.encode()) <= 500:
            assert text == stored
        else:  # as many whole characters as fit
            assert len(sent) + len(stored[len(text) - len(ext)]
                                   .encode()) > 500


def test_a_failure_after_the_bytes_are_placed_leaves_no_file(stack, world):
    api = Api(stack, world, "rep1")
    page = world.client("acme", "rep1")
    cid = api.customer()["id"]
    content = unique_png()
    files_before, rows_before = disk_files(stack), last_file_id(stack)
    blobs_before = stack.sql("SELECT COUNT(*) FROM file_blobs")
    fail = {"X-Proofline-Fail": "files.placed"}
    r = api.post(f"/api/v1/customers/{cid}/evidence",
                 data={"key": "trial_kit_receipt"}, headers=fail,
                 files={"file": ("x.png", content, "image/png")})
    assert r.status_code == 500, r.text
    tok = page.token(f"/customers/{cid}/evidence/trial_kit_receipt")
    r = page.s.post(page.url(f"/customers/{cid}/evidence/trial_kit_receipt"),
                    data={"_csrf": tok},
                    files={"file": ("x.png", content, "image/png")},
                    headers={"Origin": stack.base, **fail},
                    allow_redirects=False)
    assert r.status_code == 500
    r = upload(page, "名称\r\n失败导入\r\n".encode() + uuid.uuid4().bytes.hex()
               .encode(), name="x.csv")
    assert r.status_code == 303  # no fault asked for: works
    r = page.s.post(page.url("/customers/import"),
                    data={"_csrf": page.token("/customers/import"),
                          "encoding": "auto"},
                    files={"file": ("y.csv", "名称\r\n故障\r\n".encode() +
                                    uuid.uuid4().bytes.hex().encode(),
                                    "text/csv")},
                    headers={"Origin": stack.base, **fail},
                    allow_redirects=False)
    assert r.status_code == 500
    # Only the one good import's file is new, on disk and in the tables.
    new = disk_files(stack) - files_before
    assert len(new) == 1, new
    assert int(stack.sql("SELECT COUNT(*) FROM file_blobs")[0][0]) == \
        int(blobs_before[0][0]) + 1
    assert len(stored_names(stack, rows_before)) == 1
    # The same bytes upload fine afterwards and are stored once.
    for _ in range(2):
        r = api.post(f"/api/v1/customers/{cid}/evidence",
                     data={"key": "trial_kit_receipt"},
                     files={"file": ("x.png", content, "image/png")})
        assert r.status_code == 201
    assert len(disk_files(stack) - files_before) == 2


def test_a_commit_whose_answer_is_lost_keeps_the_bytes(stack, world):
    """The server commits, but its answer to COMMIT never arrives (the fail
    point db.commit_lost): nobody knows whether the rows are there, so the
    bytes stay.  They are, so the file must be too; had the transaction
    not committed, `files check` would report an orphan."""
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    content = unique_png()
    sha = hashlib.sha256(content).hexdigest()
    before = last_file_id(stack)
    r = api.post(f"/api/v1/customers/{cid}/evidence",
                 data={"key": "trial_kit_receipt"},
                 headers={"X-Proofline-Fail": "db.commit_lost"},
                 files={"file": ("lost.png", content, "image/png")})
    assert r.status_code == 503, r.text
    rows = stored_names(stack, before)
    assert len(rows) == 1, rows  # it did commit
    path = stack.var / "files" / sha[:2] / sha[2:4] / sha
    assert path.is_file() and path.read_bytes() == content


def test_files_check_finds_and_fixes(stack, world):
    r = stack.cli("files", "check", check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 orphaned" in r.stdout and "0 missing" in r.stdout
    root = stack.var / "files"
    # An orphan as a crash would leave it, old enough to be one...
    sha = uuid.uuid4().hex * 2
    orphan = root / sha[:2] / sha[2:4] / sha
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left behind")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    # ...a fresh one (an upload in progress), and a stored file deleted.
    sha2 = uuid.uuid4().hex * 2
    fresh = root / sha2[:2] / sha2[2:4] / sha2
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"in progress")
    victim_sha = stack.sql("SELECT sha256 FROM files ORDER BY id LIMIT 1")[0][0]
    victim = root / victim_sha[:2] / victim_sha[2:4] / victim_sha
    saved = victim.read_bytes()
    victim.unlink()
    try:
        r = stack.cli("files", "check", check=False)
        assert r.returncode == 1, r.stdout
        assert f"orphan   {orphan}" in r.stdout
        assert f"recent   {fresh}" in r.stdout
        assert f"missing  {victim}" in r.stdout
        assert orphan.exists()
        r = stack.cli("files", "check", "--fix", check=False)
        assert not orphan.exists() and fresh.exists()
        assert "1 removed" in r.stdout
        assert r.returncode == 1  # the missing file is still missing
    finally:
        victim.write_bytes(saved)
        fresh.unlink()
    r = stack.cli("files", "check", check=False)
    assert r.returncode == 0, r.stdout
    r = stack.cli("files", "check", "--min-age", "x", check=False)
    assert r.returncode == 2 and "usage" in r.stderr

"""One check per kind of write: the customer page, the JSON API and the CSV
import refuse the same invalid customer, contact and evidence values under
the same field name with the same message key (issue 10).

Pages show each field problem as <p class="field-error" data-field=...
data-key=...>, the API answers {"codes": {field: key}}, the import's
preview lists each row problem with data-field/data-key; a refused stage
change carries its code as data-code on the customer page, the board and
the bulk action's report, and as "code" in the API.  Every case below
goes through every path that accepts the field; the three answers must be
equal, and equal to the key the service is known to give (so a path that
stopped checking, or checked differently, fails)."""
import re
import uuid

import pytest

from test_customers import Api, PNG
from test_import import csv_text, upload

FIELD_ERROR = re.compile(
    r'<p class="field-error" data-field="([a-z_]+)" data-key="([a-z._]*)"')
IMPORT_ERROR = re.compile(
    r'<tr data-line="(\d+)" data-field="([a-z_]*)" data-key="([a-z._]*)"')


def page_problems(html):
    return dict(FIELD_ERROR.findall(html))


def uniq(prefix="同检"):
    return f"{prefix}{uuid.uuid4().hex[:10]}"


# (field, bad value, key).  The owner is the API's "owner_id" (its wire
# name), the page's and the import's "owner".
CUSTOMER_CASES = [
    ("name", "", "validate.required"),
    ("name", "x" * 201, "validate.too_long"),
    ("name", "a\x01b", "validate.bad_text"),
    ("kind", "诊所", "customer.bad_kind"),
    ("city", "c" * 101, "validate.too_long"),
    ("address", "a" * 301, "validate.too_long"),
    ("phone", "1" * 51, "validate.too_long"),
    ("amount", "abc", "customer.bad_amount"),
    ("amount", "-5", "customer.bad_amount"),
    ("note", "n" * 5001, "validate.too_long"),
]

CONTACT_CASES = [
    ("name", "", "validate.required"),
    ("name", "x" * 101, "validate.too_long"),
    ("title", "t" * 101, "validate.too_long"),
    ("department", "d" * 101, "validate.too_long"),
    ("role", "老板", "contact.bad_role"),
    ("phone", "1" * 51, "validate.too_long"),
    ("email", "nobody", "contact.bad_email"),
    # Not in the import's columns: page and API only.
    ("channel", "pigeon", "validate.bad_choice"),
    ("focus", "f" * 501, "validate.too_long"),
    ("birthday", "2999-01-01", "evidence.bad_date"),
]
IMPORT_CONTACT = {"name": "contact_name", "title": "contact_title",
                  "department": "contact_department", "role": "contact_role",
                  "phone": "contact_phone", "email": "contact_email"}


@pytest.fixture(scope="module")
def paths(stack, world):
    page = world.client("acme", "rep1")
    api = Api(stack, world, "rep1")
    return page, api


def import_problems(page, header, row):
    """The (field, key) problems of the one data row of a CSV."""
    r = upload(page, csv_text([header, row]).encode())
    assert r.status_code == 303, r.text[:1000]
    html = page.get(r.headers["Location"]).text
    return {(f, k) for line, f, k in IMPORT_ERROR.findall(html)}


@pytest.mark.parametrize("field,value,key", CUSTOMER_CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CUSTOMER_CASES])
def test_customer_field_refused_alike(paths, field, value, key):
    page, api = paths
    good = {"name": uniq(), "kind": "hospital"}
    bad = {**good, field: value}

    r = page.post("/customers", bad)
    assert r.status_code == 422, r.text[:500]
    on_page = page_problems(r.text)

    body = {k: v for k, v in bad.items()}
    body["confirm_duplicate"] = True
    r = api.post("/api/v1/customers", json=body)
    assert r.status_code == 422, r.text[:500]
    on_api = r.json()["codes"]

    header = ["name", "kind", "city", "address", "phone", "amount", "note"]
    on_import = import_problems(page, header, [
        '"' + bad.get(h, "").replace('"', '""') + '"' for h in header])

    assert on_page.get(field) == key, on_page
    assert on_api.get(field) == key, on_api
    assert (field, key) in on_import, on_import
    # Nothing else was refused: the other fields were valid everywhere.
    assert set(on_page) == {field} and set(on_api) == {field}


def test_owner_refused_alike(stack, paths):
    """An owner the rep may not give customers to: the page's "owner" and
    the API's "owner_id" (its documented name) with the same key."""
    page, api = paths
    other = int(stack.sql("SELECT id FROM users WHERE login = 'boss' "
                          "ORDER BY id LIMIT 1")[0][0])
    r = page.post("/customers", {"name": uniq(), "kind": "hospital",
                                 "owner": str(other)})
    assert r.status_code == 422
    r2 = api.post("/api/v1/customers", json={
        "name": uniq(), "kind": "hospital", "owner_id": other,
        "confirm_duplicate": True})
    assert r2.status_code == 422
    assert page_problems(r.text).get("owner") == "customer.bad_owner"
    assert r2.json()["codes"].get("owner_id") == "customer.bad_owner"


@pytest.fixture(scope="module")
def customer_id(paths):
    _, api = paths
    return api.customer()["id"]


@pytest.mark.parametrize("field,value,key", CONTACT_CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CONTACT_CASES])
def test_contact_field_refused_alike(paths, customer_id, field, value, key):
    page, api = paths
    good = {"name": "王主任", "role": "budget"}
    bad = {**good, field: value}

    r = page.post(f"/customers/{customer_id}/contacts", bad)
    assert r.status_code == 422, r.text[:500]
    on_page = page_problems(r.text)
    r = api.post(f"/api/v1/customers/{customer_id}/contacts", json=bad)
    assert r.status_code == 422, r.text[:500]
    on_api = r.json()["codes"]
    assert on_page.get(field) == key, on_page
    assert on_api.get(field) == key, on_api
    assert set(on_page) == {field} and set(on_api) == {field}

    if field in IMPORT_CONTACT:
        header = ["name", "kind"] + [IMPORT_CONTACT[f] for f in
                                     ("name", "role", "title", "department",
                                      "phone", "email")]
        row = [uniq(), "hospital"] + [bad.get(f, "") for f in
                                      ("name", "role", "title", "department",
                                       "phone", "email")]
        on_import = import_problems(page, header, row)
        want = ("contact_name", "import.contact_name_required") \
            if field == "name" and value == "" else (IMPORT_CONTACT[field], key)
        assert want in on_import, on_import


# Evidence: (key, what is sent, field, message key).  The page sends a
# multipart form to /customers/{id}/evidence/{key}; the API the same
# multipart (files) or JSON {"key", "data", "note"} (forms).
EVIDENCE_CASES = [
    ("trial_kit_receipt", {}, None, "file", "evidence.file_required"),
    ("trial_kit_receipt", {}, ("x.txt", b"not a picture", "text/plain"),
     "file", "evidence.not_image"),
    ("installation_form", {"location": "三楼", "power": "220V"}, None,
     "date", "validate.required"),
    ("installation_form", {"location": "三楼", "power": "110V",
                           "date": "2026-03-01"}, None,
     "power", "evidence.bad_choice"),
    ("need_confirmed", {"need": "x", "who": "y", "note": "n" * 1001}, None,
     "note", "validate.too_long"),
    ("trial_kit_receipt", {"note": "n" * 1001},
     ("k.png", PNG, "image/png"), "note", "validate.too_long"),
]


@pytest.mark.parametrize("ekey,fields,upload_,field,key", EVIDENCE_CASES,
                         ids=[f"{c[0]}-{c[3]}-{c[4]}"
                              for c in EVIDENCE_CASES])
def test_evidence_refused_alike(stack, paths, customer_id, ekey, fields,
                                upload_, field, key):
    page, api = paths
    files = {"file": upload_} if upload_ else None
    form = page.get(f"/customers/{customer_id}/evidence/{ekey}").text
    tok = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
    r = page.s.post(page.url(f"/customers/{customer_id}/evidence/{ekey}"),
                    data={**fields, "_csrf": tok}, files=files,
                    headers={"Origin": stack.base}, allow_redirects=False)
    assert r.status_code == 422, r.text[:500]
    on_page = page_problems(r.text)

    if upload_ is not None or ekey == "trial_kit_receipt":
        r = api.post(f"/api/v1/customers/{customer_id}/evidence",
                     data={"key": ekey, **fields},
                     files=files or {"file": ("", b"", "image/png")})
    else:
        data = {k: v for k, v in fields.items() if k != "note"}
        r = api.post(f"/api/v1/customers/{customer_id}/evidence",
                     json={"key": ekey, "data": data,
                           "note": fields.get("note", "")})
    assert r.status_code == 422, r.text[:500]
    on_api = r.json()["codes"]
    assert on_page.get(field) == key, on_page
    assert on_api.get(field) == key, on_api
    assert set(on_page) == set(on_api), (on_page, on_api)
    n = stack.sql(f"SELECT COUNT(*) FROM evidence WHERE customer_id = "
                  f"{int(customer_id)}")[0][0]
    assert int(n) == 0  # nothing half-saved on either path


@pytest.mark.parametrize("written", [
    "1,200,000", "1 200 000", "\u00a51,200,000.00", "\uffe51,200,000",
    "1,200,000\u5143", "\uff11\uff12\uff10\uff10\uff10\uff10\uff10",
])
def test_amounts_as_spreadsheets_write_them(stack, paths, written):
    """The page, the API and the import accept an amount as people and
    spreadsheets write it, and store the same number."""
    page, api = paths
    names = [uniq("额"), uniq("额"), uniq("额")]
    r = page.post("/customers", {"name": names[0], "kind": "hospital",
                                 "amount": written})
    assert r.status_code == 303, r.text[:500]
    r = api.post("/api/v1/customers", json={
        "name": names[1], "kind": "hospital", "amount": written,
        "confirm_duplicate": True})
    assert r.status_code == 201, r.text[:500]
    r = upload(page, csv_text([["name", "kind", "amount"],
                               [names[2], "hospital", f'"{written}"']])
               .encode())
    assert r.status_code == 303
    r = page.post(r.headers["Location"] + "/commit", {"mode": "all"})
    assert r.status_code == 303, r.text[:500]
    got = {n: a for n, a in stack.sql(
        "SELECT name, amount FROM customers WHERE name IN ("
        + ",".join(f"'{n}'" for n in names) + ")")}
    assert sorted(got) == sorted(names)
    assert set(got.values()) == {"1200000.00"}, got


@pytest.mark.parametrize("written", ["1,5", "12,34", "1,20,000", "$100"])
def test_ambiguous_amounts_refused_alike(paths, written):
    page, api = paths
    r = page.post("/customers", {"name": uniq(), "kind": "hospital",
                                 "amount": written})
    assert page_problems(r.text).get("amount") == "customer.bad_amount"
    r = api.post("/api/v1/customers", json={
        "name": uniq(), "kind": "hospital", "amount": written,
        "confirm_duplicate": True})
    assert r.json()["codes"].get("amount") == "customer.bad_amount"


STAGE_REFUSED = re.compile(r'id="refusal" data-code="([a-z_]+)"')
BULK_REFUSED = re.compile(
    r'<li><a href="/customers/(\d+)">.*?</a>:\s*<span class="refused" '
    r'data-code="([a-z_]+)"', re.S)


def test_store_stage_refused_alike(stack, world):
    """A store's customer is never moved between stages: the API, the
    customer page, the board and the bulk action all refuse it with
    store_no_stage, whatever the target."""
    import requests
    h = {"Authorization": f"Bearer {world.tokens[('acme', 'boss')]}"}
    r = requests.post(stack.url("/api/v1/stores"), headers=h, timeout=30,
                      json={"code": f"R{uuid.uuid4().hex[:8]}",
                            "name": uniq("同拒门店"), "supervisor": ""})
    assert r.status_code == 201, r.text
    cid = r.json()["customer_id"]
    page = world.client("acme", "boss")
    for to in ({"to": "intent"}, {"to": "lost", "lost_reason": "price"}):
        r = requests.post(stack.url(f"/api/v1/customers/{cid}/stage"),
                          headers=h, timeout=30, json=to)
        assert r.status_code == 409, r.text
        on_api = r.json()["code"]
        r = page.post(f"/customers/{cid}/stage", to)
        assert r.status_code == 409, r.text[:500]
        on_page = STAGE_REFUSED.findall(r.text)
        r = page.post("/pipeline/move", {"id": cid, **to})
        assert r.status_code == 409, r.text[:500]
        on_board = STAGE_REFUSED.findall(r.text)
        r = page.post("/customers/bulk", {"action": "stage", "ids": [cid],
                                          **to})
        assert r.status_code == 200, r.text[:500]
        on_bulk = BULK_REFUSED.findall(r.text)
        assert (on_api, on_page, on_board, on_bulk) == (
            "store_no_stage", ["store_no_stage"], ["store_no_stage"],
            [(str(cid), "store_no_stage")]), to
    assert stack.sql(f"SELECT stage FROM customers WHERE id = {cid}") == [
        ["lead"]]

"""Rules for people who are not programmers (issue 11, items 6 and 7):
default self-tests check behaviour, so tuning a threshold keeps them
green; a failing self-test says expected/got in the page's language; the
dry run finds a customer by name and names missing evidence by label;
a function's results are compared field by field."""
import html
import re
import time
import uuid

import requests


def source(admin, name):
    page = admin.get(f"/admin/rules/{name}").text
    return html.unescape(re.search(
        r'<textarea name="source"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def discard(admin):
    assert admin.post("/admin/rules/discard",
                      {"confirm": "1"}).status_code == 303
    time.sleep(0.6)


def test_tuning_a_threshold_keeps_the_default_tests_green(world):
    admin = world.client("acme", "boss")
    discard(admin)
    try:
        src = source(admin, "thresholds")
        assert "healthy = 0.85" in src
        r = admin.post("/admin/rules/thresholds", {
            "source": src.replace("healthy = 0.85", "healthy = 0.80", 1)})
        assert r.status_code == 200, r.text[:2000]
        assert "test-fail" not in r.text
        # A nonsensical value is caught by the behaviour test, in words.
        r = admin.post("/admin/rules/thresholds", {
            "source": src.replace("healthy = 0.85", "healthy = 0.50", 1)},
            headers={"Accept-Language": "zh-CN"})
        assert r.status_code == 422 and "test-fail" in r.text
    finally:
        discard(admin)


def test_a_failing_expectation_reads_expected_and_got(world):
    admin = world.client("acme", "boss")
    discard(admin)
    try:
        src = source(admin, "visits")
        bad = src + ('\ntest{ name = "只拍门头", fn = "required_photos",\n'
                     '      input = { visit_type = "store_visit" },\n'
                     '      expect = { photos = { "storefront" } } }\n')
        r = admin.post("/admin/rules/visits", {"source": bad},
                       headers={"Accept-Language": "zh-CN"})
        assert r.status_code == 422
        fail = re.search(r'<li class="test-fail">(.*?)</li>', r.text, re.S)
        assert fail and "期望" in fail.group(1) and "实际" in fail.group(1)
        assert "expected" not in fail.group(1)
    finally:
        discard(admin)


def customer(stack, world, name, login="rep1", slug="acme"):
    r = requests.post(stack.url("/api/v1/customers"), json={
        "name": name, "kind": "hospital", "confirm_duplicate": True},
        headers={"Authorization": f"Bearer {world.tokens[(slug, login)]}"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_the_dry_run_finds_a_customer_by_name(stack, world):
    admin = world.client("acme", "boss")
    tag = uuid.uuid4().hex[:8]
    cid = customer(stack, world, f"按名称 {tag} 医院")
    r = admin.post("/admin/rules/dry-run",
                   {"customer_name": f"按名称 {tag}"},
                   headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200
    assert f'href="/customers/{cid}"' in r.text
    # Missing evidence by its label, not its key.
    row = re.search(r"推进中.*?</tr>", r.text, re.S) or \
        re.search(r"意向.*?</tr>", r.text, re.S)
    assert row and "need_confirmed" not in r.text.split("dry-decisions")[1]
    # Several: a choice; none: a clear error; another company's: none.
    customer(stack, world, f"按名称 {tag} 分院")
    r = admin.post("/admin/rules/dry-run", {"customer_name": f"按名称 {tag}"})
    assert r.status_code == 200 and r.text.count('name="customer"') == 2
    r = admin.post("/admin/rules/dry-run", {"customer_name": f"没有 {tag}"})
    assert r.status_code == 404 and "alert-error" in r.text
    other = f"别家 {tag}"
    customer(stack, world, other, slug="bravo")
    r = admin.post("/admin/rules/dry-run", {"customer_name": other})
    assert r.status_code == 404
    # An exact name among several is taken directly; a number is an id.
    r = admin.post("/admin/rules/dry-run",
                   {"customer_name": f"按名称 {tag} 医院"})
    assert f'href="/customers/{cid}"' in r.text
    r = admin.post("/admin/rules/dry-run", {"customer_name": str(cid)})
    assert f'href="/customers/{cid}"' in r.text


def test_function_results_are_compared_field_by_field(world):
    admin = world.client("acme", "boss")
    discard(admin)
    try:
        src = source(admin, "thresholds")
        admin.post("/admin/rules/thresholds", {
            "source": src.replace("healthy = 0.85", "healthy = 0.80", 1)})
        r = admin.post("/admin/rules/dry-run", {"fn": "thresholds",
                                                "args": "[{}]"})
        assert r.status_code == 200
        rows = re.findall(r'<tr( class="differs")?><th scope="row">'
                          r'([a-z_]+)', r.text)
        fields = {f: bool(d) for d, f in rows}
        assert fields.get("stage_health") is True, fields
        assert fields.get("funnel") is False, fields
    finally:
        discard(admin)

"""An export imports back as it is (issue 11, item 2): every column the
export writes is recognised, the owner as the export names them, and
importing it again creates no duplicates unless asked to."""
import re
import uuid

from test_customers import Api
from test_import import commit, count, preview, upload


def export_of(client, tag, lang):
    r = client.get(f"/customers/export.csv?q={tag}",
                   headers={"Accept-Language": lang})
    assert r.status_code == 200
    return r.content


def mapping_of(page):
    """The field each column was mapped to, in column order."""
    return re.findall(r'<select name="map_\d+"[^>]*>.*?<option value="([a-z_]*)"'
                      r' selected', page, re.S)


def test_an_export_imports_back_without_duplicates(stack, world):
    api = Api(stack, world, "rep1")
    rep = world.client("acme", "rep1")
    tag = uuid.uuid4().hex[:8]
    for i in range(3):
        api.customer(f"往返 {tag} {i}", city="杭州", phone="0571-1",
                     amount="1200000", address="文三路", note="备注")
    assert count(stack, tag) == 3
    data = export_of(rep, tag, "zh-CN")
    where, page = preview(rep, upload(rep, data))
    m = re.search(r'<p class="alert alert-warn" id="duplicates">[^<]*'
                  r'<strong>(\d+)</strong>', page)
    assert m and m.group(1) == "3", page[:3000]
    # Every customer column of the export is recognised.
    mapped = set(mapping_of(page))
    assert {"name", "kind", "stage", "owner", "city", "address", "phone",
            "amount"} <= mapped, mapped
    r = commit(rep, where, "all")
    assert r.status_code == 303, r.text[:1000]
    assert count(stack, tag) == 3  # skipped: nothing doubled


def test_duplicates_are_created_when_asked(stack, world):
    api = Api(stack, world, "rep1")
    rep = world.client("acme", "rep1")
    tag = uuid.uuid4().hex[:8]
    api.customer(f"往返 {tag}")
    where, _ = preview(rep, upload(rep, export_of(rep, tag, "en")))
    r = rep.post(where + "/commit", {"mode": "all", "duplicates": "create"})
    assert r.status_code == 303, r.text[:1000]
    assert count(stack, tag) == 2


def test_the_template_imports_and_errors_name_the_value(stack, world):
    """The template's headers are all recognised; a refused value is named
    in the error; the preview shows labels, not keys."""
    rep = world.client("acme", "rep1")
    r = rep.get("/customers/import/template.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    header = r.content.decode("utf-8-sig").strip().split(",")
    assert len(header) == 15
    tag = uuid.uuid4().hex[:8]
    rows = [header,
            [f"模板 {tag} 1", "医院"] + [""] * 13,
            [f"模板 {tag} 2", "诊所"] + [""] * 13]
    where, page = preview(rep, upload(rep, ("\r\n".join(
        ",".join(c for c in row) for row in rows) + "\r\n").encode()))
    mapped = mapping_of(page)
    assert "" not in mapped and len(set(mapped)) == 15, mapped
    # The bad kind is named; the good row is shown with its label.
    assert re.search(r'data-field="kind" data-key="customer.bad_kind">'
                     r'.*?\(诊所\)</td>', page, re.S)
    prev = re.search(r'<tbody>(<tr><td>模板.*?)</tbody>', page, re.S)
    assert prev and ("医院" in prev.group(1) or "Hospital" in prev.group(1))
    assert ">hospital<" not in prev.group(1) and ">lead<" not in prev.group(1)

"""An export imports back as it is (issue 11, item 2): every column the
export writes is recognised, the owner as the export names them, and
importing it again creates no duplicates unless asked to."""
import csv
import io
import re
import uuid

from test_customers import Api
from test_import import commit, count, csv_text, preview, upload


def export_of(world, tag, lang):
    """The list as rep1's manager exports it (reps may not by default)."""
    r = world.client("acme", "mgr").get(f"/customers/export.csv?q={tag}",
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
    data = export_of(world, tag, "zh-CN")
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
    where, _ = preview(rep, upload(rep, export_of(world, tag, "en")))
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


def quoted(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


def test_duplicates_update_the_existing_customer_when_asked(stack, world):
    """"Update": the cells the file fills replace the customer's fields,
    empty cells keep them; nothing new is created; a contact already there
    is not added twice."""
    api = Api(stack, world, "rep1")
    rep = world.client("acme", "rep1")
    tag = uuid.uuid4().hex[:8]
    cid = api.customer(f"更新 {tag}", city="杭州", phone="0571-1",
                       note="旧备注")["id"]
    rows = [["客户名称", "城市", "电话", "预计金额（元）", "备注", "联系人姓名"],
            [f"更新 {tag}", "宁波", "", "¥1,200,000.00", "", "王主任"]]
    for _ in range(2):
        where, page = preview(rep, upload(rep, quoted(rows)))
        assert 'name="duplicates"' in page and 'value="update"' in page
        r = rep.post(where + "/commit", {"mode": "all",
                                         "duplicates": "update"})
        assert r.status_code == 303, r.text[:1000]
        done = rep.get(r.headers["Location"]).text
        assert re.search(r"(其中更新已有客户：|existing customers updated:)"
                         r" 1", done), done[:3000]
    assert count(stack, tag) == 1
    c = api.get(f"/api/v1/customers/{cid}").json()
    assert (c["city"], c["phone"], c["note"]) == ("宁波", "0571-1", "旧备注")
    assert float(c["amount"]) == 1200000
    contacts = api.get(f"/api/v1/customers/{cid}/contacts").json()
    assert [k["name"] for k in contacts["contacts"]] == ["王主任"]


def test_update_does_not_reach_other_reps_customers(stack, world):
    world.tokens.setdefault(("acme", "rep2"), stack.cli(
        "token", "create", "--tenant", "acme", "--user",
        "rep2").stdout.strip())
    other = Api(stack, world, "rep2")
    rep = world.client("acme", "rep1")
    tag = uuid.uuid4().hex[:8]
    cid = other.customer(f"别人 {tag}", city="杭州")["id"]
    where, _ = preview(rep, upload(rep, csv_text(
        [["客户名称", "城市"], [f"别人 {tag}", "宁波"]]).encode()))
    r = rep.post(where + "/commit", {"mode": "all", "duplicates": "update"})
    assert r.status_code == 303
    done = rep.get(r.headers["Location"]).text
    assert re.search(r"(未更新：|not yours\):) 1", done), done[:3000]
    assert other.get(f"/api/v1/customers/{cid}").json()["city"] == "杭州"
    assert count(stack, tag) == 1


def test_the_error_report_imports_back_once_fixed(stack, world):
    """The error CSV keeps the rows' own cells under the file's header:
    fixed in place and uploaded again, it imports (its two added columns
    are not imported)."""
    rep = world.client("acme", "rep1")
    tag = uuid.uuid4().hex[:8]
    rows = [["客户名称", "客户类型", "城市"],
            [f"好 {tag}", "医院", "杭州"],
            [f"坏 {tag}", "诊所", "宁波"]]
    where, _ = preview(rep, upload(rep, csv_text(rows).encode()))
    assert commit(rep, where, "valid").status_code == 303
    report = rep.get(where + "/errors.csv").content.decode("utf-8-sig")
    got = list(csv.reader(io.StringIO(report)))
    assert len(got) == 2 and got[1][1:-1] == rows[2] and "诊所" in got[1][-1]
    got[1][2] = "医院"
    where, page = preview(rep, upload(rep, quoted(got)))
    r = commit(rep, where, "all")
    assert r.status_code == 303, page[:3000]
    assert count(stack, tag) == 2

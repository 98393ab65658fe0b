"""Demo data that looks real (issue 11, item 9): a customer's city is the
one its name says, its phone has that city's area code, and nobody was
met before the customer was recorded."""
import uuid

AREA = {"上海": "021", "杭州": "0571", "南京": "025", "苏州": "0512",
        "广州": "020", "深圳": "0755", "北京": "010", "成都": "028",
        "武汉": "027", "宁波": "0574"}


def test_demo_customers_are_consistent(stack):
    slug = f"demo{uuid.uuid4().hex[:6]}"
    stack.cli("demo", "--tenant", slug, "--reps", "3", "--customers", "80")
    rows = stack.sql(
        "SELECT c.name, c.city, c.phone FROM customers c JOIN tenants t "
        f"ON t.id = c.tenant_id WHERE t.slug = '{slug}'")
    assert len(rows) == 80
    for name, city, phone in rows:
        assert name.startswith(city), (name, city)
        assert phone.startswith(AREA[city] + "-"), (city, phone)
    early = stack.sql(
        "SELECT COUNT(*) FROM contact_events e JOIN customers c "
        "ON c.id = e.customer_id JOIN tenants t ON t.id = c.tenant_id "
        f"WHERE t.slug = '{slug}' AND e.happened_on < DATE(c.created_at)")
    assert early == [["0"]] or early == [[0]], early


# Titles a contact in each decision role may have (hospital or company).
TITLES = {
    "budget": {"院长", "副院长", "采购处处长", "财务处处长", "总经理",
               "财务总监", "采购总监"},
    "acceptance": {"设备科科长", "设备科主任", "医学工程处处长", "运营总监",
                   "质量经理", "仓储经理"},
    "influencer": {"科室主任", "主任医师", "护士长", "副主任医师", "区域经理",
                   "门店店长", "产品经理"},
    "user": {"主治医师", "技师", "护士", "店员", "业务员", "仓管员"},
    "other": {"办公室主任", "信息科主任", "行政主管", "前台"},
}


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    return (int.from_bytes(data[16:20], "big"),
            int.from_bytes(data[20:24], "big"))


def test_demo_people_names_and_pictures(stack):
    slug = f"demo{uuid.uuid4().hex[:6]}"
    stack.cli("demo", "--tenant", slug, "--reps", "2", "--customers", "150")
    where = (f"JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = '{slug}'")
    # Titles fit the role in the decision.
    for role, title in stack.sql(
            f"SELECT k.role, k.title FROM contacts k JOIN customers c "
            f"ON c.id = k.customer_id {where}"):
        assert title in TITLES[role], (role, title)
    # 150 customers over few cities and name parts: still no rep (indeed
    # no company) with two of the same name.
    dup = stack.sql(f"SELECT c.owner_id, c.name_key, COUNT(*) FROM customers c "
                    f"{where} GROUP BY c.owner_id, c.name_key "
                    "HAVING COUNT(*) > 1")
    assert dup == [], dup
    # Photos are pictures of their kind, not 1x1 blanks.
    files = stack.sql(f"SELECT e.ev_key, f.sha256, f.size FROM evidence e "
                      f"JOIN files f ON f.id = e.file_id JOIN customers c "
                      f"ON c.id = e.customer_id {where}")
    assert files
    by_kind = {}
    for key, sha, size in files:
        data = (stack.var / "files" / sha[:2] / sha[2:4] / sha).read_bytes()
        assert len(data) == int(size) and len(data) > 5000, (key, len(data))
        w, h = png_size(data)
        assert w >= 300 and h >= 300, (key, w, h)
        by_kind.setdefault(key, set()).add(sha)
    # Different kinds of evidence carry different pictures.
    shas = [s for s in by_kind.values()]
    assert len(shas) >= 2 and not set.intersection(*shas), by_kind

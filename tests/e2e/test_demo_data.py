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

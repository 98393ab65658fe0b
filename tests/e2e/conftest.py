import pathlib
import sys
import tempfile

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from identity import Account, Client  # noqa: E402
from stack import Stack  # noqa: E402

PASSWORD = "Correct-Horse-Battery-42"
MARKER = "ZZBRAVO-MARKER-7719"

# login -> (role, manager login)
PEOPLE = [
    ("boss", "admin", None),
    ("mgr", "manager", None),
    ("mgr2", "manager", "mgr"),
    ("mgr3", "manager", None),
    ("rep1", "rep", "mgr"),
    ("rep2", "rep", "mgr2"),
    ("rep3", "rep", "mgr3"),
    ("legal", "legal", None),
    ("finance", "finance", None),
    ("sup", "supervisor", None),
    ("store", "store_manager", "sup"),
    ("mkt", "marketing", None),
]
ROLES = ["admin", "manager", "rep", "legal", "finance", "supervisor",
         "store_manager", "marketing"]


@pytest.fixture(scope="session")
def stack():
    s = Stack().start()
    yield s
    s.stop()


@pytest.fixture
def http(stack):
    return stack.session()


class World:
    """Two companies with a user of every role, a manager hierarchy and
    API tokens; the second one's data carries MARKER everywhere."""

    def __init__(self, stack):
        self.stack = stack
        self.accounts = {}
        self.ids = {}
        self.tokens = {}
        self.clients = {}
        for slug, name in (("acme", "Acme 医疗"), ("bravo", MARKER)):
            stack.cli("tenant", "create", slug, name)
            for login, role, manager in PEOPLE:
                args = ["user", "add", "--tenant", slug, "--login", login,
                        "--role", role, "--name",
                        f"{login} {MARKER}" if slug == "bravo" else
                        f"{login} of {slug}", "--region",
                        MARKER if slug == "bravo" else "华东",
                        "--password-stdin"]
                if manager:
                    args += ["--manager", manager]
                r = stack.cli(*args, input_text=PASSWORD + "\n")
                assert "created" in r.stdout, r.stderr
                self.accounts[(slug, login)] = Account(slug, login, PASSWORD,
                                                       role)
            for row in stack.sql(
                    "SELECT u.login, u.id FROM users u JOIN tenants t ON "
                    f"t.id = u.tenant_id WHERE t.slug = '{slug}'"):
                self.ids[(slug, row[0])] = int(row[1])
            for login in ("boss", "rep1", "mgr"):
                r = stack.cli("token", "create", "--tenant", slug, "--user",
                              login, "--name",
                              MARKER if slug == "bravo" else "tests")
                self.tokens[(slug, login)] = r.stdout.strip()
        for slug in ("acme", "bravo"):
            self.seed_customers(slug)
        # B's rules carry the marker too, in two more versions than A has.
        import tempfile
        d = tempfile.mkdtemp(prefix="rules-bravo-")
        stack.cli("rules", "pull", "--tenant", "bravo", d)
        for n in (2, 3):
            with open(f"{d}/notes.lua", "a") as f:
                f.write(f"\n-- {MARKER} revision {n}\n")
            stack.cli("rules", "push", "--tenant", "bravo", d, "--comment",
                      MARKER)

    def seed_customers(self, slug):
        """A customer of rep1 with a contact, form and photo evidence, and
        an import in preview, all carrying the marker in B."""
        import requests
        tag = MARKER if slug == "bravo" else "acme"
        h = {"Authorization": f"Bearer {self.tokens[(slug, 'rep1')]}"}
        url = self.stack.url
        r = requests.post(url("/api/v1/customers"), headers=h, json={
            "name": f"{tag} 客户", "kind": "hospital", "city": tag,
            "confirm_duplicate": True})
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        r = requests.post(url(f"/api/v1/customers/{cid}/contacts"),
                          headers=h, json={"name": f"{tag} 联系人",
                                           "role": "budget"})
        assert r.status_code == 201, r.text
        r = requests.post(url(f"/api/v1/customers/{cid}/evidence"),
                          headers=h, json={"key": "need_confirmed", "data": {
                              "need": tag, "who": tag}})
        assert r.status_code == 201, r.text
        png = bytes.fromhex(
            "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
            "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
            "0049454e44ae426082")
        r = requests.post(url(f"/api/v1/customers/{cid}/evidence"),
                          headers=h, data={"key": "trial_kit_receipt",
                                           "note": tag},
                          files={"file": (f"{tag}.png", png, "image/png")})
        assert r.status_code == 201, r.text
        # A qualification document of the customer (its scan a file).
        r = requests.post(url(f"/api/v1/customers/{cid}/qualifications"),
                          headers=h, data={
                              "type": "business_licence",
                              "number": "91350100M000100Y43",
                              "holder": f"{tag} 客户"},
                          files={"file": (f"{tag}.png", png, "image/png")})
        assert r.status_code == 201, r.text
        # A task the manager gives rep1 about the customer: a task, rep1's
        # notification of it and (B has a webhook) its delivery.
        if slug == "bravo":
            self.stack.sql("UPDATE tenants SET webhook_url = "
                           "'https://127.0.0.1:9/bravo' WHERE slug = 'bravo'")
        r = requests.post(url("/api/v1/tasks"), headers={
            "Authorization": f"Bearer {self.tokens[(slug, 'mgr')]}"}, json={
            "title": f"{tag} 任务", "body": tag,
            "assignee": self.ids[(slug, "rep1")], "customer": cid})
        assert r.status_code == 201, r.text
        # A store visit of rep1 at the customer, with a photo, and a call.
        r = requests.post(url("/api/v1/visits"), headers=h, json={
            "customer": cid, "visit_type": "store_visit", "lat": 31.2,
            "lng": 121.4, "accuracy": 15})
        assert r.status_code == 201, r.text
        vid = r.json()["id"]
        r = requests.post(url(f"/api/v1/visits/{vid}/photos"), headers=h,
                          data={"key": "storefront"},
                          files={"file": (f"{tag}.png", png, "image/png")})
        assert r.status_code == 201, r.text
        r = requests.post(url("/api/v1/activities"), headers=h, json={
            "kind": "call", "customer": cid, "content": tag, "need": tag})
        assert r.status_code == 201, r.text
        # A product of the company's list and a shelf audit of the visit.
        r = requests.post(url("/api/v1/products"), headers={
            "Authorization": f"Bearer {self.tokens[(slug, 'boss')]}"}, json={
            "sku": f"SKU-{slug}", "name": f"{tag} 商品", "brand": tag,
            "own": True, "category": tag})
        assert r.status_code == 201, r.text
        r = requests.post(url(f"/api/v1/visits/{vid}/audit"), headers=h,
                          json={"lines": [{"sku": f"SKU-{slug}",
                                           "facings": 3,
                                           "position": "eye_level",
                                           "price": "9.90", "note": tag}]})
        assert r.status_code == 201, r.text
        # A store of sup's area (managed by the store manager) and a
        # new-product campaign of the product targeting it.
        hb = {"Authorization": f"Bearer {self.tokens[(slug, 'boss')]}"}
        r = requests.post(url("/api/v1/stores"), headers=hb, json={
            "code": f"MD-{slug}", "name": f"{tag} 门店", "address": tag,
            "region": tag, "supervisor": "sup", "managers": "store",
            "lat": 31.2, "lng": 121.4})
        assert r.status_code == 201, r.text
        r = requests.post(url("/api/v1/campaigns"), headers=hb, json={
            "product": f"SKU-{slug}", "name": f"{tag} 新品活动",
            "launch_on": "2026-01-05", "all_stores": False,
            "stores": [f"MD-{slug}"], "note": tag})
        assert r.status_code == 201, r.text
        # A clause of the library and a contract template made of it.
        hb = {"Authorization": f"Bearer {self.tokens[(slug, 'boss')]}"}
        r = requests.post(url("/api/v1/clauses"), headers=hb, json={
            "key": "payment", "title": f"{tag} 付款",
            "body": f"{tag} {{payment_term_days}} 天内付款"})
        assert r.status_code == 201, r.text
        r = requests.post(url("/api/v1/contract-templates"), headers=hb, json={
            "key": "sale", "name": f"{tag} 合同", "clauses": ["payment"],
            "options": {"payment_term_days": [30], "prepay_pct": [0],
                        "delivery_days": [15], "warranty_months": [12],
                        "penalty_pct": [0.5]}})
        assert r.status_code == 201, r.text
        # A contract of the customer from it, signed, with a shipment.
        r = requests.post(url(f"/api/v1/customers/{cid}/contracts"),
                          headers=h, json={
                              "template": r.json()["id"], "amount": "1000",
                              "payment_term_days": 30, "prepay_pct": 0,
                              "delivery_days": 15, "warranty_months": 12,
                              "penalty_pct": 0.5})
        assert r.status_code == 201, r.text
        kid = r.json()["id"]
        r = requests.post(url(f"/api/v1/contracts/{kid}/sign"), headers=h)
        assert r.status_code == 200, r.text
        r = requests.post(url(f"/api/v1/contracts/{kid}/shipments"),
                          headers=h, json={"planned_at": "2030-01-02 10:00",
                                           "goods": f"{tag} 货物",
                                           "quantity": 1})
        assert r.status_code == 201, r.text
        # A POS import (its record: a file with only a header is refused,
        # the report kept), its file named after the marker in B.
        with tempfile.TemporaryDirectory() as d:
            pos_file = f"{d}/{tag}.csv"
            with open(pos_file, "w") as f:
                f.write("store,time,receipt,line,sku,qty,amount\n")
            self.stack.cli("pos", "import", "--tenant", slug, pos_file,
                           check=False)
        # A payment of the customer, late and unpaid (its credit facts).
        r = requests.post(url(f"/api/v1/customers/{cid}/payments"),
                          headers=h, json={
                              "invoice_no": f"INV-{slug}-1",
                              "amount": "1,234.50", "due_on": "2020-01-31",
                              "paid_on": "", "note": tag})
        assert r.status_code == 201, r.text
        c = self.client(slug, "rep1")
        r = c.post("/customers/import", {"encoding": "auto"},
                   files={"file": (f"{tag}.csv",
                                   f"客户名称\r\n{tag} 导入\r\n".encode(),
                                   "text/csv")})
        assert r.status_code == 303, r.text[:500]

    def client(self, slug, login):
        """A signed-in client, one per user for the whole session (so the
        login rate limit of nginx is never approached)."""
        key = (slug, login)
        if key not in self.clients:
            c = Client(self.stack, self.accounts[key])
            c.sign_in()
            self.clients[key] = c
        return self.clients[key]

    def fresh_client(self, slug, login):
        c = Client(self.stack, self.accounts[(slug, login)])
        c.sign_in()
        return c


@pytest.fixture(scope="session")
def world(stack):
    return World(stack)

"""A company for the browser tests that walk every page: an admin, a
manager and a rep, a customer with everything a customer page shows (long
names, contacts of every role, form and photo evidence, a big amount, a
history), an import in preview.  Browsers are signed in by copying the
cookies of a requests session (the admin's MFA enrolment is done there)."""
import re
import uuid

import requests

from identity import Account, Client

PASSWORD = "Browser-Walk-Pass-2026"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")
ROLES = ("rep", "manager", "admin")


class World:
    def __init__(self, stack):
        self.stack = stack
        self.slug = "walk" + uuid.uuid4().hex[:6]
        stack.cli("tenant", "create", self.slug, "华东医疗器械有限公司")
        people = [("wadmin", "admin", "管理员", None),
                  ("wmgr", "manager", "华东区经理", None),
                  ("wrep", "rep", "销售代表欧阳明轩", "wmgr")]
        self.accounts = {}
        for login, role, name, manager in people:
            args = ["user", "add", "--tenant", self.slug, "--login", login,
                    "--role", role, "--name", name, "--region", "华东",
                    "--password-stdin"]
            if manager:
                args += ["--manager", manager]
            stack.cli(*args, input_text=PASSWORD + "\n")
            self.accounts[role] = Account(self.slug, login, PASSWORD, role)
        self.clients = {}
        for role in ROLES:
            c = Client(stack, self.accounts[role])
            c.sign_in()
            self.clients[role] = c
        self.user_id = int(stack.sql(
            "SELECT u.id FROM users u JOIN tenants t ON t.id = u.tenant_id "
            f"WHERE t.slug = '{self.slug}' AND u.login = 'wrep'")[0][0])
        tok = stack.cli("token", "create", "--tenant", self.slug, "--user",
                        "wrep").stdout.strip()
        self.h = {"Authorization": f"Bearer {tok}"}
        self.customer = self._customer()
        self.imported = self._import()
        self.task = self._task()
        self.visit = self._visit()
        self.product, self.audit = self._shelf()

    def _post(self, path, **kw):
        r = requests.post(self.stack.url(path), headers=self.h, **kw)
        assert r.status_code in (200, 201), (path, r.status_code, r.text)
        return r.json()

    def _customer(self):
        c = self._post("/api/v1/customers", json={
            "name": "上海交通大学医学院附属瑞金医院放射科与超声医学科",
            "kind": "hospital", "city": "上海", "phone": "021-64370045",
            "address": "上海市黄浦区瑞金二路197号门诊楼五层放射科办公室",
            "amount": "1234567890.5", "note": "重点客户，年内预算已立项。" * 5,
            "confirm_duplicate": True})
        cid = c["id"]
        for name, title, role in (
                ("欧阳建国", "设备科主任兼医学工程处处长", "budget"),
                ("司马慧敏", "放射科主任医师", "acceptance"),
                ("诸葛明远", "超声医学科护士长", "influencer"),
                ("王", "使用者", "user")):
            self._post(f"/api/v1/customers/{cid}/contacts", json={
                "name": name, "title": title, "role": role,
                "phone": "13800138000", "email": "someone.long@example.com"})
        self._post(f"/api/v1/customers/{cid}/evidence", json={
            "key": "need_confirmed",
            "data": {"need": "两台高端彩超与一台移动 DR，预计明年一季度采购",
                     "who": "设备科欧阳主任"}})
        self._post(f"/api/v1/customers/{cid}/stage",
                   json={"to": "intent", "note": "需求已确认，进入意向阶段"})
        self._post(f"/api/v1/customers/{cid}/evidence",
                   data={"key": "trial_kit_receipt"},
                   files={"file": ("签收单.png", PNG, "image/png")})
        return cid

    def _task(self):
        """A task the manager gave the rep about the customer, overdue, a
        failed delivery of its notification, and the company's jobs."""
        mgr = self.clients["manager"]
        page = mgr.get("/tasks/new").text
        tok = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        r = mgr.s.post(self.stack.url("/tasks"), data={
            "_csrf": tok, "title": "补录瑞金医院放射科与超声医学科上周三次拜访"
            "的照片、签字页和竞品对比（含型号与报价）", "body": "请在今天下班前"
            "完成，并在客户页面补充决策链上的验收人联系方式。" * 3,
            "assignee": str(self.user_id), "due": "2020-01-02 16:00",
            "priority": "1", "customer": str(self.customer)},
            headers={"Origin": self.stack.base}, allow_redirects=False)
        assert r.status_code == 303, r.text[:500]
        tid = int(re.search(r"/tasks/(\d+)", r.headers["Location"]).group(1))
        tenant = self.stack.sql(
            f"SELECT id FROM tenants WHERE slug = '{self.slug}'")[0][0]
        self.stack.sql(
            "INSERT INTO deliveries (tenant_id, channel, target, body, "
            "dedup_key, status, attempts, next_at, last_error, last_status) "
            f"VALUES ({tenant}, 'webhook', 'https://integration.example.com"
            "/proofline/webhooks/notifications/receive-and-forward-to-erp', "
            "'{}', 'walk:1', 'failed', 6, UTC_TIMESTAMP(), 'HTTP 500: the "
            "receiving system answered with an error page of considerable "
            "length', 500)")
        self.stack.cli("jobs", "run", "--tenant", self.slug)
        return tid

    def _visit(self):
        """A store visit at the customer, checked in far away, one photo
        with EXIF, completed elsewhere: open visit pages and a done one."""
        r = requests.post(self.stack.url("/api/v1/visits"), headers=self.h,
                          json={"customer": self.customer,
                                "visit_type": "store_visit", "lat": 31.2304,
                                "lng": 121.4737, "accuracy": 25})
        assert r.status_code == 201, r.text
        vid = r.json()["id"]
        r = requests.post(self.stack.url(f"/api/v1/visits/{vid}/photos"),
                          headers=self.h, data={"key": "storefront"},
                          files={"file": ("门头.png", PNG, "image/png")})
        assert r.status_code == 201, r.text
        return vid

    def _shelf(self):
        """Products with long names (own and a competitor's) and a shelf
        audit of the visit, twice, so that the change shows."""
        tok = self.stack.cli("token", "create", "--tenant", self.slug,
                             "--user", "wadmin").stdout.strip()
        admin = {"Authorization": f"Bearer {tok}"}
        skus = []
        for n, own in ((1, True), (2, False)):
            r = requests.post(self.stack.url("/api/v1/products"),
                              headers=admin, json={
                                  "sku": f"6901234567{n:03d}",
                                  "name": "超声耦合剂医用无菌型大容量家庭装"
                                          "五百毫升" * 2,
                                  "brand": "本家医疗器械" if own else
                                  "竞争对手医疗器械股份有限公司",
                                  "own": own, "category": "耗材"})
            assert r.status_code == 201, r.text
            skus.append((r.json()["id"], r.json()["sku"]))
        audit = None
        for facings in (3, 5):
            r = requests.post(
                self.stack.url(f"/api/v1/visits/{self.visit}/audit")
                if audit is None else
                self.stack.url(f"/api/v1/visits/{self._visit()}/audit"),
                headers=self.h, json={"lines": [
                    {"sku": skus[0][1], "facings": facings,
                     "position": "eye_level", "price": "1234.50",
                     "note": "促销堆头，店长同意下月续签陈列协议" * 3},
                    {"sku": skus[1][1], "facings": 8 - facings,
                     "position": "end_cap", "price": str(facings)}]})
            assert r.status_code == 201, r.text
            audit = r.json()["id"]
        return skus[0][0], audit

    def _import(self):
        rep = self.clients["rep"]
        page = rep.get("/customers/import").text
        tok = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        r = rep.s.post(self.stack.url("/customers/import"),
                       data={"_csrf": tok, "encoding": "auto"},
                       files={"file": ("客户名单.csv", (
                           "客户名称,客户类型,城市,预计金额（元）\r\n"
                           "深圳市人民医院,医院,深圳,\"1,200,000\"\r\n"
                           "某诊所,诊所,深圳,abc\r\n").encode(), "text/csv")},
                       headers={"Origin": self.stack.base},
                       allow_redirects=False)
        assert r.status_code == 303, r.text[:500]
        return r.headers["Location"]

    def pages(self, role):
        cid = self.customer
        contact = self.stack.sql(
            f"SELECT id FROM contacts WHERE customer_id = {cid} "
            "ORDER BY id LIMIT 1")[0][0]
        out = ["/", "/customers", f"/customers/{cid}",
               f"/customers/{cid}/edit", "/customers/new",
               f"/customers/{cid}/contacts/new", f"/contacts/{contact}",
               f"/customers/{cid}/evidence/need_confirmed",
               f"/customers/{cid}/evidence/installation_form",
               "/pipeline", "/pipeline?stage=intent", "/customers/import",
               "/account", "/account/mfa", "/tasks", "/tasks/new",
               f"/tasks/{self.task}", "/notifications", "/account/contact",
               "/visits", "/visits/new", f"/visits/{self.visit}",
               f"/activities/new?customer={cid}", "/products",
               f"/products/{self.product}", f"/visits/{self.visit}/audit",
               f"/audits/{self.audit}", f"/customers/{cid}/payments",
               "/payments/import"]
        if role == "rep":
            out.append(self.imported)
        if role in ("manager", "admin"):
            out += ["/team", "/tasks?view=team"]
        if role == "admin":
            out += ["/admin/users", "/admin/users/new",
                    f"/admin/users/{self.user_id}", "/admin/tokens",
                    "/admin/audit", "/admin/settings", "/admin/rules",
                    "/admin/rules/stages",
                    "/admin/rules/history", "/admin/rules/dry-run",
                    "/admin/jobs", "/admin/deliveries", "/admin/privacy",
                    f"/admin/users/{self.user_id}/contact"]
        return out

    def sign_in(self, browser, role, lang):
        """The browser carries role's session and speaks lang."""
        browser.get(self.stack.url("/static/favicon.svg"))
        browser.delete_all_cookies()
        for c in self.clients[role].s.cookies:
            browser.add_cookie({"name": c.name, "value": c.value,
                                "path": "/"})
        browser.add_cookie({"name": "pl_lang", "value": lang, "path": "/"})


def signed_out_pages():
    """What a visitor who is not signed in sees: the sign-in page, the
    home page, a page that does not exist, and the static error pages
    nginx serves (a too-large upload, too many requests, a stopped
    server)."""
    return ["/login", "/", "/no-such-page", "/static/errors/413.html",
            "/static/errors/429.html", "/static/errors/502.html"]

"""company.py -- a company of its own for a test: the tenant, its people
(login, role, manager login or None) with one password, their ids, API
tokens made on first use, and signed-in page clients."""
import uuid

import requests

from identity import Account, Client


class Company:
    def __init__(self, stack, prefix, people, password):
        self.stack = stack
        self.password = password
        self.slug = prefix + uuid.uuid4().hex[:6]
        stack.cli("tenant", "create", self.slug, f"{prefix} Co")
        for login, role, mgr in people:
            args = ["user", "add", "--tenant", self.slug, "--login", login,
                    "--role", role, "--password-stdin"]
            if mgr:
                args += ["--manager", mgr]
            stack.cli(*args, input_text=password + "\n")
        self.roles = {login: role for login, role, _ in people}
        self.tid = int(stack.sql("SELECT id FROM tenants WHERE slug = "
                                 f"'{self.slug}'")[0][0])
        self.ids = {login: int(i) for login, i in stack.sql(
            f"SELECT login, id FROM users WHERE tenant_id = {self.tid}")}
        self.tokens = {}

    def token(self, login):
        if login not in self.tokens:
            self.tokens[login] = self.stack.cli(
                "token", "create", "--tenant", self.slug, "--user",
                login).stdout.strip()
        return self.tokens[login]

    def api(self, login, method, path, **kw):
        """A request with the user's API token, in Chinese."""
        h = {"Authorization": f"Bearer {self.token(login)}",
             "Accept-Language": "zh-CN"}
        return requests.request(method, self.stack.url(path), headers=h,
                                timeout=30, **kw)

    def page(self, login):
        """A signed-in page client of the user (English pages)."""
        c = Client(self.stack, Account(self.slug, login, self.password,
                                       self.roles[login]))
        c.sign_in()
        return c

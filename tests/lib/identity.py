"""Signing in from tests: password, TOTP (RFC 6238), forced enrolment."""
import base64
import hashlib
import hmac
import re
import struct
import time

import requests

CSRF_RX = re.compile(r'name="_csrf" value="([^"]+)"')


def totp(secret_b32, at=None, step=30, digits=6):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def csrf_of(html):
    m = CSRF_RX.search(html)
    assert m, "no CSRF token in page"
    return m.group(1)


class Account:
    """A user the tests sign in as; remembers the TOTP secret and the last
    time step used (a code is accepted once)."""

    def __init__(self, tenant, login, password, role=None):
        self.tenant = tenant
        self.login = login
        self.password = password
        self.role = role
        self.secret = None
        self.last_step = 0

    def next_code(self):
        """A code for a step not used yet (the server allows one step of
        drift ahead, so at most a short wait)."""
        while True:
            now = time.time()
            for at in (now, now + 30):
                step = int(at // 30)
                if step > self.last_step:
                    self.last_step = step
                    return totp(self.secret, at)
            time.sleep(1)


class Client:
    def __init__(self, stack, account=None):
        self.stack = stack
        self.account = account
        self.s = requests.Session()
        self.s.headers["Accept-Language"] = "en"

    def url(self, path):
        return self.stack.url(path)

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        return self.s.get(self.url(path), **kw)

    def token(self, path="/"):
        r = self.s.get(self.url(path))
        return csrf_of(r.text)

    def post(self, path, data=None, token=True, origin=True, **kw):
        return self.send("POST", path, data, token, origin, **kw)

    def send(self, method, path, data=None, token=True, origin=True, **kw):
        # A list of pairs keeps repeated fields (checkbox groups).
        pairs = list(data) if isinstance(data, list) else None
        data = {} if pairs is not None else dict(data or {})
        if token is True:
            data["_csrf"] = self.token("/account" if self.signed_in else
                                       "/login")
        elif token:
            data["_csrf"] = token
        if pairs is not None:
            data = pairs + list(data.items())
        headers = kw.pop("headers", {})
        if origin is True:
            headers["Origin"] = self.stack.base
        elif origin:
            headers["Origin"] = origin
        kw.setdefault("allow_redirects", False)
        return self.s.request(method, self.url(path), data=data,
                              headers=headers, **kw)

    def send_json(self, method, path, body=None, **kw):
        """A JSON request from our own page's script: the CSRF token in the
        X-CSRF-Token header, our Origin."""
        headers = {"X-CSRF-Token": self.token("/account" if self.signed_in
                                              else "/login"),
                   "Origin": self.stack.base}
        kw.setdefault("allow_redirects", False)
        return self.s.request(method, self.url(path), json=body or {},
                              headers=headers, **kw)

    signed_in = False

    def sign_in(self, expect_ok=True):
        a = self.account
        r = self.post("/login", {"tenant": a.tenant, "login": a.login,
                                 "password": a.password})
        if not expect_ok:
            return r
        assert r.status_code == 303, (r.status_code, r.text[:500])
        where = r.headers["Location"]
        if where.startswith("/account/mfa"):
            page = self.s.get(self.url("/account/mfa")).text
            if 'action="/account/mfa/start"' in page:
                self.post("/account/mfa/start", token=csrf_of(page))
                page = self.s.get(self.url("/account/mfa")).text
            m = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page)
            assert m, "no MFA secret on the enrolment page"
            a.secret = m.group(1)
            r = self.post("/account/mfa/enable", {"code": a.next_code()},
                          token=csrf_of(page))
            assert r.status_code == 200 and "Recovery codes" in r.text, \
                r.text[:500]
            a.recovery = re.findall(r"<li><code>([a-z0-9-]+)</code></li>",
                                    r.text)
        elif where.startswith("/login/mfa"):
            page = self.s.get(self.url(where)).text
            r = self.post("/login/mfa", {"code": a.next_code()},
                          token=csrf_of(page))
            assert r.status_code == 303, r.text[:500]
        self.signed_in = True
        return r

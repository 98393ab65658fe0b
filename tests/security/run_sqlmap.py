"""`make security`: sqlmap (Debian's) against the login form, the admin
forms, the customer pages and the JSON API, with a valid session or bearer
token, on a throw-away database.

Exit status 1 when sqlmap finds any injectable parameter or the server logs
an SQL error (event=db.error) while being scanned, 2 when it could
not run or a target could not really be tested (wrong route, lost session,
sqlmap aborting): a scan that never reached the handler must not pass as
"nothing injectable".  The scan stack turns off the throttles that would
otherwise answer most of sqlmap's requests with 429 (nginx's limit_req on
/login and the application's sign-in delays): here the question is
injection, not brute force.

SQLMAP_TARGETS=name,name limits the run to some targets (substring match);
SQLMAP_TIMEOUT (seconds, default 600) bounds each sqlmap run.
"""
import collections
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from identity import Account, Client  # noqa: E402
from stack import Stack  # noqa: E402

PASSWORD = "Security-Scan-Passw0rd"
TENANT = "acme"
# sqlmap first says a parameter "appears to be ... injectable", then checks
# for a false positive and may take it back ("does not seem to be
# injectable"): only what it confirms counts.
CONFIRMED = re.compile(r"(identified the following injection point|"
                       r"parameter '[^']+' is vulnerable)", re.I)
APPEARS = re.compile(r"((?:\(custom\) )?\w+ parameter '[^']+') (?:appears|"
                     r"seems) to be ('[^']+') injectable")
TESTING = re.compile(r"testing for SQL injection on ((?:\(custom\) )?\w+ "
                     r"parameter '[^']+')")
CLEAN = re.compile(r"((?:\(custom\) )?\w+ parameter '[^']+') does not seem "
                   r"to be injectable")
SKIPPED = re.compile(r"skipping ((?:\(custom\) )?\w+ parameter '[^']+')")
# Why sqlmap gave up (bad option, 404, no connection), for the report.
ABORT = re.compile(r"\[CRITICAL\] (.*)")
LOG_STATUS = re.compile(r"route=(\S+) status=(\d+)")
TIMEOUT = int(os.environ.get("SQLMAP_TIMEOUT", "600"))


def target(name, url, expect, *, data=None, params, cookie=None,
           bearer=None, extra=(), threads=2, preflight=None, contains=None):
    """One sqlmap run.  expect: the status the unmodified request must get,
    contains: text its answer must hold (a filter that matches nothing
    cannot show a boolean-based difference); both checked before the scan,
    so a wrong route, auth or baseline fails loudly."""
    return dict(name=name, url=url, expect=expect, data=data, params=params,
                cookie=cookie, bearer=bearer, extra=list(extra),
                threads=threads, preflight=preflight, contains=contains)


def preflight(stack, t, admin):
    """The answer to the request sqlmap starts from, sent with requests."""
    import requests
    url = t["url"].replace("*", "")
    headers = {"Origin": stack.base, "Accept-Language": "en"}
    if t["bearer"]:
        headers["Authorization"] = f"Bearer {t['bearer']}"
        headers["Accept"] = "application/json"
    cookies = admin.s.cookies if t["cookie"] else None
    data = t["preflight"] if t["preflight"] is not None else t["data"]
    if t["name"] == "login form":  # needs a fresh CSRF pair
        s = requests.Session()
        tok = stack.csrf(s, "/login")
        data = data.replace("_csrf=T", f"_csrf={tok}")
        r = s.post(url, data=data, headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False)
        return r
    if data is None:
        r = requests.get(url, headers=headers, cookies=cookies,
                         allow_redirects=False)
    else:
        ctype = ("application/json" if data.lstrip().startswith("{")
                 else "application/x-www-form-urlencoded")
        r = requests.post(url, data=data.encode(), cookies=cookies,
                          headers={**headers, "Content-Type": ctype},
                          allow_redirects=False)
    return r


def statuses(log_text):
    """route -> Counter(status) from the server's request log lines."""
    out = collections.defaultdict(collections.Counter)
    for m in LOG_STATUS.finditer(log_text):
        out[m.group(1)][m.group(2)] += 1
    return out


def main():
    stack = Stack({
        "STACK_NGINX_NO_LIMIT": "1",
        "PROOFLINE_LOGIN_DELAY_AFTER": "1000",
        "PROOFLINE_LOGIN_DELAY_MAX": "1",
        "PROOFLINE_LOGIN_MAX_FAILURES": "100000",
        "PROOFLINE_IP_DELAY_AFTER": "100000",
        "PROOFLINE_IP_MAX_FAILURES": "1000000",
    }).start()
    out_dir = tempfile.mkdtemp(prefix="proofline-sqlmap-")
    found, broken, summary = [], [], []
    only = [s for s in os.environ.get("SQLMAP_TARGETS", "").split(",") if s]
    started = time.time()
    try:
        stack.cli("tenant", "create", TENANT, "Acme")
        for login, role in (("boss", "admin"), ("rep1", "rep")):
            stack.cli("user", "add", "--tenant", TENANT, "--login", login,
                      "--role", role, "--password-stdin",
                      input_text=PASSWORD + "\n")
        admin = Client(stack, Account(TENANT, "boss", PASSWORD))
        admin.sign_in()
        token = stack.cli("token", "create", "--tenant", TENANT, "--user",
                          "boss").stdout.strip()
        cookie = "; ".join(f"{k}={v}" for k, v in admin.s.cookies.items())
        csrf = admin.token("/account")
        # The stack also loads the demo tenant, which has its own rep1: the
        # id must be this tenant's (another tenant's id answers 404).
        ids = dict(stack.sql(
            "SELECT u.login, u.id FROM users u JOIN tenants t ON "
            f"t.id = u.tenant_id WHERE t.slug = '{TENANT}'"))
        uid, boss = ids["rep1"], ids["boss"]
        # A failed sign-in, so that the audit filters below match a row.
        Client(stack, Account(TENANT, "rep1", "not-the-password")).sign_in(
            expect_ok=False)
        # A customer to look at, created through the API as a client would.
        r = admin.s.post(stack.url("/api/v1/customers"), json={
            "name": "Scan Hospital", "kind": "hospital", "city": "Town"},
            headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, (r.status_code, r.text[:300])
        cid = r.json()["id"]
        r = admin.s.post(stack.url(f"/api/v1/customers/{cid}/contacts"),
                         json={"name": "Li Scan", "role": "budget"},
                         headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, (r.status_code, r.text[:300])
        kid = r.json()["id"]
        # Quiet for 60 days: matched by stale=30 and health=red too, so the
        # filter baseline below lists it.
        stack.sql("UPDATE customers SET last_activity_at = "
                  f"UTC_TIMESTAMP(3) - INTERVAL 60 DAY WHERE id = {cid}")
        base = stack.base
        filters = (f"q=Scan&stage=lead&owner={boss}&team={boss}&"
                   "kind=hospital&health=red&stale=30&sort=name&dir=asc&"
                   "page=1")
        filter_params = "q,stage,owner,team,kind,health,stale,sort,dir,page"
        cust_json = ('{"name":"Scan Clinic","kind":"hospital","city":"Town",'
                     '"address":"1 Main St","phone":"555-0100",'
                     '"amount":"1000","note":"n","owner_id":%s,'
                     '"confirm_duplicate":true}' % boss)
        cust_form = ("name=Scan+Clinic&kind=hospital&city=Town&address=1+Main"
                     f"&phone=555&amount=1000&note=n&owner={boss}"
                     f"&confirm_duplicate=1&_csrf={csrf}")
        # --ignore-stdin: with stdin not a terminal (make, CI) sqlmap would
        # switch to "multiple targets" mode and then skip every parameter
        # it guesses the server casts to an integer; test those too.
        common = ["--batch", "--ignore-stdin", "--level=2", "--risk=1",
                  "--time-sec=2", "--flush-session", "--disable-coloring",
                  "--answers=follow=N,skip those=N,keep testing=Y",
                  *(["--smart"] if os.environ.get("SQLMAP_SMART") else []),
                  f"--output-dir={out_dir}", "--dbms=MySQL"]
        targets = [
            # --csrf-url cannot be combined with --threads.
            target("login form", f"{base}/login", 422,
                   data="tenant=acme&login=rep1&password=x&_csrf=T",
                   params="tenant,login,password", threads=1,
                   extra=["--csrf-token=_csrf", f"--csrf-url={base}/login"]),
            target("user list filters", f"{base}/admin/users?q=rep&"
                   "role=rep&active=1&page=1", 200, cookie=cookie,
                   params="q,role,active,page",
                   contains=f"/admin/users/{uid}"),
            target("audit filters", f"{base}/admin/audit?event=login&"
                   "user=rep1&from=2000-01-01&to=2099-12-31&"
                   "before=1000000000", 200, cookie=cookie,
                   params="event,user,from,to,before", contains="login.fail"),
            # A fresh login per request (unless login itself carries the
            # payload), so that each payload reaches the INSERT instead of
            # the duplicate-login answer.
            target("create user form", f"{base}/admin/users", 200,
                   data=f"login=zz1&name=n&role=rep&region=r&locale=en&"
                   f"manager={boss}&_csrf={csrf}", cookie=cookie,
                   params="login,name,role,region,locale,manager",
                   preflight=f"login=zz0&name=n&role=rep&region=r&locale=en"
                   f"&manager={boss}&_csrf={csrf}",
                   extra=["--eval=import random; login = ('zz%x' % "
                          "random.getrandbits(48)) if login == 'zz1' "
                          "else login"]),
            target("edit user form", f"{base}/admin/users/{uid}", 303,
                   data=f"name=n&role=rep&region=r&locale=en&manager="
                   f"{boss}&_csrf={csrf}", cookie=cookie,
                   params="name,role,region,locale,manager"),
            target("token form", f"{base}/account/tokens", 200,
                   data=f"name=t&days=3&_csrf={csrf}", cookie=cookie,
                   params="name,days"),
            target("API user by id", f"{base}/api/v1/users/{uid}*", 200,
                   bearer=token, params=None,
                   contains='"rep1"'),
            # Customers, the board and the export.
            target("customer list filters", f"{base}/customers?{filters}",
                   200, cookie=cookie, params=filter_params,
                   contains="Scan Hospital"),
            target("API customer list filters",
                   f"{base}/api/v1/customers?{filters}&per_page=20", 200,
                   bearer=token, params=filter_params + ",per_page",
                   contains="Scan Hospital"),
            target("pipeline filters", f"{base}/pipeline?{filters}", 200,
                   cookie=cookie, params=filter_params,
                   contains="Scan Hospital"),
            target("customer export filters",
                   f"{base}/customers/export.csv?{filters}", 200,
                   cookie=cookie, params=filter_params,
                   contains="Scan Hospital"),
            target("customer page by id", f"{base}/customers/{cid}*", 200,
                   cookie=cookie, params=None, contains="Scan Hospital"),
            target("API customer by id", f"{base}/api/v1/customers/{cid}*",
                   200, bearer=token, params=None, contains="Scan Hospital"),
            target("API customer create (JSON)", f"{base}/api/v1/customers",
                   201, data=cust_json, bearer=token,
                   params="name,kind,city,address,phone,amount,note,"
                   "owner_id"),
            # Refused by the gate (no evidence) every time: the same
            # answer for the unmodified request and a harmless payload.
            target("API stage change (JSON)",
                   f"{base}/api/v1/customers/{cid}/stage", 409,
                   data='{"to":"intent","note":"n"}', bearer=token,
                   params="to,note"),
            target("contact meeting form", f"{base}/contacts/{kid}/events",
                   303, data=f"kind=met&on=2026-11-01&text=t&consensus=c&"
                   f"_csrf={csrf}", cookie=cookie,
                   params="kind,on,text,consensus"),
            target("customer create form", f"{base}/customers", 303,
                   data=cust_form, cookie=cookie,
                   params="name,kind,city,address,phone,amount,note,owner"),
        ]
        if only:
            targets = [t for t in targets
                       if any(s.lower() in t["name"].lower() for s in only)]
        for t in targets:
            name = t["name"]
            pre = preflight(stack, t, admin)
            if pre.status_code != t["expect"] or (
                    t["contains"] and t["contains"] not in pre.text):
                want = str(t["expect"])
                if t["contains"]:
                    want += f" with {t['contains']!r}"
                print(f"security: {name}: the unmodified request got "
                      f"{pre.status_code} (want {want}): fix the target")
                broken.append(name)
                continue
            headers = [f"Origin: {base}", "Accept-Language: en"]
            if t["bearer"]:
                headers += [f"Authorization: Bearer {t['bearer']}",
                            "Accept: application/json"]
            args = [f"--url={t['url']}", f"--threads={t['threads']}",
                    "--headers=" + "\n".join(headers), *t["extra"]]
            if t["data"] is not None:
                args.append(f"--data={t['data']}")
            if t["cookie"]:
                args.append(f"--cookie={t['cookie']}")
            if t["params"]:
                args += ["-p", t["params"]]
            print(f"security: sqlmap on {name} ...", flush=True)
            log_from = stack.log_size()
            t0 = time.time()
            try:
                r = subprocess.run(["sqlmap", *common, *args],
                                   stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True,
                                   timeout=TIMEOUT)
                out, err, rc = r.stdout, r.stderr, r.returncode
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b"").decode(errors="replace") \
                    if isinstance(e.stdout, bytes) else (e.stdout or "")
                err, rc = f"timed out after {TIMEOUT}s", -1
            secs = time.time() - t0
            log = pathlib.Path(out_dir) / (re.sub(r"\W+", "_", name) + ".log")
            log.write_text(out + err)
            server = stack.log()[log_from:]
            by_route = {k: dict(v) for k, v in statuses(server).items()}
            db_errors = len(re.findall(r"event=db\.error", server))
            appeared = APPEARS.findall(out)
            tested = list(dict.fromkeys(TESTING.findall(out)))
            clean = set(CLEAN.findall(out))
            skipped = set(SKIPPED.findall(out))
            hits = [f"{p} {how}" for p, how in appeared if p not in clean]
            if CONFIRMED.search(out) and not hits:
                hits = CONFIRMED.findall(out)
            retracted = [f"{p} {how}" for p, how in appeared if p in clean]
            aborts = ABORT.findall(out)
            line = (f"{name}: {secs:.0f}s, server saw {by_route}, "
                    f"db errors {db_errors}")
            if hits:
                found.append((name, hits))
                print(f"security: INJECTABLE: {line}: {hits}")
                for m in re.finditer(r"^---\n(Parameter: .*?)^---$", out,
                                     re.S | re.M):
                    print(m.group(1).rstrip())
            elif (rc not in (0, 1) or not tested
                  or not set(tested) <= clean | skipped):
                broken.append(name)
                print(f"security: sqlmap could not test {name} "
                      f"(rc {rc}): {aborts or err[-500:]}")
            else:
                print(f"security: {line}: nothing injectable")
            for p in tested + sorted(skipped - set(tested)):
                verdict = ("not injectable" if p in clean else
                           "skipped by sqlmap" if p in skipped else
                           "no verdict, see log")
                print(f"security:     {p}: {verdict}")
                summary.append((name, p, verdict))
            seen = " ".join(tested) + " " + " ".join(skipped)
            missed = [p for p in (t["params"] or "").split(",")
                      if p and f"'{p}'" not in seen
                      and f"'JSON {p}'" not in seen]
            if missed:
                print(f"security:     never tested: {', '.join(missed)}")
                if name not in broken:
                    broken.append(name)
            for x in retracted:
                print(f"security:     (sqlmap's false-positive check "
                      f"rejected: {x})")
            if db_errors:
                # SQL the server could not run while sqlmap sent payloads:
                # input reaching SQL text, or at least a bug to look at.
                print(f"security:     SERVER SQL ERRORS: {db_errors} db.error "
                      "events in the server log during this target, e.g.:")
                for e in re.findall(r"^.*event=db\.error.*$", server,
                                    re.M)[:3]:
                    print(f"security:       {e[:400]}")
                found.append((name, [f"{db_errors} server SQL errors"]))
            # The scan must not have lost its credentials half-way.
            if t["cookie"] and admin.get("/account").status_code != 200:
                print(f"security: the admin session died during {name}")
                broken.append(name)
                break
    finally:
        stack.stop()
    print(f"security: {time.time() - started:.0f}s, sqlmap logs in {out_dir}")
    if found:
        print("security: FAILED")
        return 1
    if broken:
        print(f"security: could not test: {', '.join(broken)}")
        return 2
    print("security: no injectable parameter found")
    return 0


if __name__ == "__main__":
    sys.exit(main())

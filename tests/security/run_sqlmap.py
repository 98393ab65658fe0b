"""`make security`: sqlmap (Debian's) against the login form, the main
forms and the API, with a valid session, on a throw-away database.

Exit status 1 when sqlmap finds any injectable parameter, 2 when it could
not run.  The scan stack turns off the throttles that would otherwise
answer most of sqlmap's requests with 429 (nginx's limit_req on /login and
the application's sign-in delays): here the question is injection, not
brute force.
"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from identity import Account, Client  # noqa: E402
from stack import Stack  # noqa: E402

PASSWORD = "Security-Scan-Passw0rd"
FOUND = re.compile(r"(is vulnerable|identified the following injection "
                   r"point|parameter '[^']+' (?:appears|seems) to be "
                   r"'[^']+' injectable)", re.I)


def main():
    stack = Stack({
        "STACK_NGINX_NO_LIMIT": "1",
        "PROOFLINE_LOGIN_DELAY_AFTER": "1000",
        "PROOFLINE_LOGIN_MAX_FAILURES": "100000",
        "PROOFLINE_IP_DELAY_AFTER": "100000",
        "PROOFLINE_IP_MAX_FAILURES": "1000000",
    }).start()
    out_dir = tempfile.mkdtemp(prefix="proofline-sqlmap-")
    found = []
    try:
        stack.cli("tenant", "create", "acme", "Acme")
        for login, role in (("boss", "admin"), ("rep1", "rep")):
            stack.cli("user", "add", "--tenant", "acme", "--login", login,
                      "--role", role, "--password-stdin",
                      input_text=PASSWORD + "\n")
        admin = Client(stack, Account("acme", "boss", PASSWORD))
        admin.sign_in()
        token = stack.cli("token", "create", "--tenant", "acme", "--user",
                          "boss").stdout.strip()
        cookie = "; ".join(f"{k}={v}" for k, v in admin.s.cookies.items())
        csrf = admin.token("/account")
        uid = stack.sql("SELECT id FROM users WHERE login = 'rep1'")[0][0]
        base = stack.base
        common = ["--batch", "--level=2", "--risk=1", "--threads=2",
                  "--time-sec=2", "--flush-session", "--disable-coloring",
                  "--smart" if os.environ.get("SQLMAP_SMART") else
                  "--answers=follow=N",
                  f"--output-dir={out_dir}", "--dbms=MySQL",
                  f"--headers=Origin: {base}\nAccept-Language: en"]
        targets = [
            ("login form", [f"--url={base}/login",
                            "--data=tenant=acme&login=rep1&password=x&_csrf=T",
                            "--csrf-token=_csrf", f"--csrf-url={base}/login",
                            "-p", "tenant,login,password"]),
            ("user list filters", [f"--url={base}/admin/users?q=a&role=rep&"
                                   "active=1&page=1", f"--cookie={cookie}",
                                   "-p", "q,role,active,page"]),
            ("audit filters", [f"--url={base}/admin/audit?event=login&"
                               "user=rep1&from=2026-01-01&to=2026-12-31&"
                               "before=100000", f"--cookie={cookie}",
                               "-p", "event,user,from,to,before"]),
            ("create user form", [f"--url={base}/admin/users",
                                  f"--data=login=zz1&name=n&role=rep&"
                                  f"region=r&locale=en&manager=&_csrf={csrf}",
                                  f"--cookie={cookie}",
                                  "-p", "login,name,role,region,locale,"
                                  "manager"]),
            ("edit user form", [f"--url={base}/admin/users/{uid}",
                                f"--data=name=n&role=rep&region=r&locale=en"
                                f"&manager=&_csrf={csrf}",
                                f"--cookie={cookie}",
                                "-p", "name,role,region,locale,manager"]),
            ("token form", [f"--url={base}/account/tokens",
                            f"--data=name=t&days=3&_csrf={csrf}",
                            f"--cookie={cookie}", "-p", "name,days"]),
            ("API by id", [f"--url={base}/api/v1/users/{uid}*",
                           f"--headers=Authorization: Bearer {token}\n"
                           f"Accept: application/json"]),
        ]
        for name, args in targets:
            print(f"security: sqlmap on {name} ...", flush=True)
            r = subprocess.run(["sqlmap", *common, *args],
                               capture_output=True, text=True, timeout=1800)
            log = pathlib.Path(out_dir) / (re.sub(r"\W+", "_", name) + ".log")
            log.write_text(r.stdout + r.stderr)
            hits = FOUND.findall(r.stdout)
            if r.returncode not in (0, 1) and not hits:
                print(f"security: sqlmap failed on {name}:\n{r.stderr[-2000:]}")
                return 2
            if hits:
                found.append((name, hits))
                print(f"security: INJECTABLE: {name}: {hits}")
            else:
                tested = re.findall(r"testing '([^']+)'", r.stdout)
                print(f"security: {name}: nothing injectable "
                      f"({len(tested)} techniques tried)")
    finally:
        stack.stop()
    print(f"security: sqlmap logs in {out_dir}")
    if found:
        print("security: FAILED")
        return 1
    print("security: no injectable parameter found")
    return 0


if __name__ == "__main__":
    sys.exit(main())

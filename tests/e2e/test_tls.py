"""The TLS lines of nginx.conf.example (issue 17, item 5), enabled as the
deployment checklist says -- the `#TLS` lines uncommented, `listen 80;`
of the main server dropped -- with a throw-away certificate: nginx accepts
them, serves the sign-in page of the running stack over HTTPS with
HTTP/2 and HSTS, and redirects plain http to https."""
import pathlib
import re
import subprocess
import time

import pytest
import requests
import urllib3

from stack import free_port

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def enabled(text, http_port, tls_port, cert, key):
    """nginx.conf.example as generated for the stack, with TLS on."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^(\s*)#TLS ?(.*)$", line)
        if m:
            line = m.group(1) + m.group(2)
        out.append(line)
    conf = "\n".join(out) + "\n"
    # The stack mapped both `listen 80;` lines to its port: the first is
    # the redirect's (plain http here), the second the main server's,
    # which TLS replaces.
    plain = re.findall(r"^\s*listen 127\.0\.0\.1:\d+;\n", conf, flags=re.M)
    assert len(plain) == 2, plain
    conf = conf.replace(plain[0], f"    listen 127.0.0.1:{http_port};\n", 1)
    head, tail = conf.split(plain[1], 1)
    conf = head + tail
    conf = conf.replace("listen 443 ssl http2;",
                        f"listen 127.0.0.1:{tls_port} ssl http2;")
    conf = conf.replace("/etc/ssl/certs/sales.example.com.pem", str(cert))
    conf = conf.replace("/etc/ssl/private/sales.example.com.key", str(key))
    return conf.replace("server_name sales.example.com;",
                        "server_name localhost;")


@pytest.fixture(scope="module")
def tls(stack, tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True,
                   capture_output=True)
    gen = pathlib.Path(stack.var) / "nginx"
    site = (gen / "proofline.conf").read_text()
    assert "#TLS listen 443 ssl http2;" in site
    http_port, tls_port = free_port(), free_port()
    (d / "site.conf").write_text(enabled(site, http_port, tls_port, cert,
                                         key))
    main = (gen / "nginx.conf").read_text()
    main = main.replace(str(gen / "proofline.conf"), str(d / "site.conf"))
    main = re.sub(r"^pid .*;$", f"pid {d}/nginx.pid;", main, flags=re.M)
    main = re.sub(r"^error_log .*;$", f"error_log {d}/error.log warn;", main,
                  flags=re.M)
    (d / "nginx.conf").write_text(main)
    check = subprocess.run(["nginx", "-t", "-p", str(d), "-c",
                            str(d / "nginx.conf")], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr
    subprocess.run(["nginx", "-p", str(d), "-c", str(d / "nginx.conf")],
                   check=True)
    try:
        for _ in range(100):
            try:
                requests.get(f"https://127.0.0.1:{tls_port}/healthz",
                             verify=False, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield http_port, tls_port
    finally:
        subprocess.run(["nginx", "-p", str(d), "-c", str(d / "nginx.conf"),
                        "-s", "stop"], capture_output=True)


def test_the_sign_in_page_over_https_with_hsts(tls):
    _, tls_port = tls
    r = requests.get(f"https://127.0.0.1:{tls_port}/login", verify=False,
                     timeout=10)
    assert r.status_code == 200
    assert "password" in r.text
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_http2_is_offered(tls):
    _, tls_port = tls
    out = subprocess.run(["curl", "-sk", "--http2", "-o", "/dev/null", "-w",
                          "%{http_version} %{http_code}",
                          f"https://127.0.0.1:{tls_port}/login"],
                         capture_output=True, text=True, check=True).stdout
    assert out == "2 200", out


def test_plain_http_redirects_to_https(tls):
    http_port, _ = tls
    r = requests.get(f"http://127.0.0.1:{http_port}/login?x=1",
                     allow_redirects=False, timeout=10)
    assert r.status_code == 301
    assert r.headers["Location"] == "https://127.0.0.1/login?x=1"

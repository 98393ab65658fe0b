"""tenant_host_suffix: with it set, acme.<suffix> signs in to the tenant
acme without a company code; a tenant field sent anyway is ignored; other
hosts get the usual form."""
import re

import pytest
import requests

from stack import Stack

SUFFIX = ".sales.test"
PASSWORD = "Host-Tenant-Passw0rd"


@pytest.fixture(scope="module")
def hstack():
    # Origins are per host here: public_origin (set by the test stack)
    # must stay empty, as the README says.
    s = Stack({"PROOFLINE_TENANT_HOST_SUFFIX": SUFFIX,
               "PROOFLINE_PUBLIC_ORIGIN": ""}).start()
    for slug in ("acme", "bravo"):
        s.cli("tenant", "create", slug, slug.title())
        s.cli("user", "add", "--tenant", slug, "--login", f"{slug}-rep",
              "--role", "rep", "--password-stdin", input_text=PASSWORD + "\n")
    yield s
    s.stop()


def host_session(s, host):
    port = s.base.rsplit(":", 1)[1]
    sess = requests.Session()
    sess.headers.update({"Host": f"{host}:{port}",
                         "Origin": f"http://{host}:{port}",
                         "Accept-Language": "en"})
    return sess


def login_form(s, sess):
    r = sess.get(s.url("/login"))
    assert r.status_code == 200
    token = re.search(r'name="_csrf" value="([^"]+)"', r.text).group(1)
    return r, token


def test_host_names_the_tenant(hstack):
    s = hstack
    sess = host_session(s, "ACME" + SUFFIX.upper())
    r, token = login_form(s, sess)
    assert 'name="tenant"' not in r.text
    assert '<strong class="tenant-code">acme</strong>' in r.text
    r = sess.post(s.url("/login"), data={
        "_csrf": token, "login": "acme-rep", "password": PASSWORD},
        allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert sess.get(s.url("/account")).status_code == 200


def test_a_tenant_field_cannot_override_the_host(hstack):
    s = hstack
    sess = host_session(s, "acme" + SUFFIX)
    _, token = login_form(s, sess)
    r = sess.post(s.url("/login"), data={
        "_csrf": token, "tenant": "bravo", "login": "bravo-rep",
        "password": PASSWORD}, allow_redirects=False)
    assert r.status_code == 422
    assert sess.get(s.url("/account"), allow_redirects=False
                    ).status_code != 200
    # The same account signs in on its own host.
    sess = host_session(s, "bravo" + SUFFIX)
    _, token = login_form(s, sess)
    r = sess.post(s.url("/login"), data={
        "_csrf": token, "login": "bravo-rep", "password": PASSWORD},
        allow_redirects=False)
    assert r.status_code == 303


@pytest.mark.parametrize("host", ["127.0.0.1", "a.acme" + SUFFIX,
                                  "acme.sales.test.evil", "x" + SUFFIX,
                                  SUFFIX.lstrip(".")])
def test_other_hosts_ask_for_the_company_code(hstack, host):
    s = hstack
    sess = host_session(s, host)
    r, token = login_form(s, sess)
    assert 'name="tenant"' in r.text and "tenant-code" not in r.text
    r = sess.post(s.url("/login"), data={
        "_csrf": token, "login": "acme-rep", "password": PASSWORD},
        allow_redirects=False)
    assert r.status_code == 422  # the company code is required here


def test_bad_suffix_is_refused_by_config(hstack):
    r = hstack.cli("config", check=False,
                   env={"PROOFLINE_TENANT_HOST_SUFFIX": "Sales.Test"})
    assert r.returncode != 0 and "tenant_host_suffix" in r.stderr

"""Brute force: 150 wrong passwords in a row are throttled (by the
application, per account and address, in MariaDB; nginx's limit_req is
the outer layer), and the right password works again after the window."""
import time

import pytest
import requests

from identity import Account, Client
from stack import Stack

WINDOW = 12


@pytest.fixture(scope="module")
def small_window():
    s = Stack({"PROOFLINE_LOGIN_WINDOW": str(WINDOW),
               "PROOFLINE_LOGIN_DELAY_MAX": "4",
               "PROOFLINE_LOGIN_MAX_FAILURES": "100"}).start()
    s.cli("tenant", "create", "brute", "Brute Co")
    s.cli("user", "add", "--tenant", "brute", "--login", "victim", "--role",
          "rep", "--password-stdin", input_text="Right-Password-4711\n")
    yield s
    s.stop()


def test_150_wrong_passwords_are_throttled(small_window):
    s = small_window
    c = Client(s, Account("brute", "victim", "wrong-password-000"))
    codes = []
    for i in range(150):
        c.account.password = f"wrong-password-{i:03d}"
        codes.append(c.sign_in(expect_ok=False).status_code)
    verified = codes.count(422)
    throttled = codes.count(429)
    # Only the first few were even checked; the rest were refused by the
    # application's delay or nginx's limit, never with a 5xx.
    assert verified <= 10, codes
    assert throttled >= 140, codes
    assert set(codes) <= {422, 429}
    # Right now, even the right password is refused: the account waits.
    c.account.password = "Right-Password-4711"
    assert c.sign_in(expect_ok=False).status_code == 429
    # The attempts are in the audit log.
    events = dict(s.sql("SELECT event, COUNT(*) FROM audit_log GROUP BY "
                        "event"))
    assert int(events.get("login.fail", 0)) >= 3
    assert int(events.get("login.throttled", 0)) >= 1
    # After the window the right password works.
    time.sleep(WINDOW + 1)
    r = c.sign_in(expect_ok=False)
    assert r.status_code == 303, r.text[:300]


def test_throttling_does_not_reveal_accounts(small_window):
    """An unknown account is throttled exactly like a real one."""
    s = small_window
    ghost = Client(s, Account("brute", "ghost", "x" * 12))
    codes = [ghost.sign_in(expect_ok=False).status_code for _ in range(8)]
    assert codes[:3] == [422, 422, 422]
    assert 429 in codes


@pytest.fixture(scope="module")
def ip_limits():
    """Per-address limits low, per-account ones out of the way, nginx's
    limit_req off: every 429 here is the application's per-IP throttle."""
    s = Stack({"STACK_NGINX_NO_LIMIT": "1",
               "PROOFLINE_LOGIN_DELAY_AFTER": "1000",
               "PROOFLINE_IP_DELAY_AFTER": "5",
               "PROOFLINE_IP_MAX_FAILURES": "10"}).start()
    s.cli("tenant", "create", "spray", "Spray Co")
    s.cli("user", "add", "--tenant", "spray", "--login", "real", "--role",
          "rep", "--password-stdin", input_text="Right-Password-4711\n")
    yield s
    s.stop()


def test_one_address_trying_many_accounts_is_throttled(ip_limits):
    s = ip_limits
    codes = []
    for i in range(25):  # one guess each at 25 different accounts
        c = Client(s, Account("spray", f"user{i:02d}", "Guess-Password-1"))
        codes.append(c.sign_in(expect_ok=False).status_code)
    assert codes[:5] == [422] * 5, codes
    assert codes.count(429) >= 15, codes
    assert set(codes) <= {422, 429}, codes
    # Past ip_max_failures the address is locked out for the window: even
    # a real account's right password is refused from it.
    real = Client(s, Account("spray", "real", "Right-Password-4711"))
    r = real.sign_in(expect_ok=False)
    assert r.status_code == 429 and r.headers.get("Retry-After")
    fails = int(s.sql("SELECT COUNT(*) FROM login_attempts WHERE ok = 0")[0][0])
    assert fails <= 10  # throttled attempts are not even checked

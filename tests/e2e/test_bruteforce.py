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


SPELLINGS = ["rep1", "REP1", "ｒｅｐ１", "ＲＥＰ１", "rép1", "ŕêp1", "rep¹",
             "rep1 ", "Rep1", "rëp1", "rêp1", "RÉP1", "ｒep1"]


@pytest.fixture(scope="module")
def spellings():
    """Per-account lock after 5 failures, no delays before it; per-address
    limits and nginx's limit_req out of the way."""
    s = Stack({"STACK_NGINX_NO_LIMIT": "1",
               "PROOFLINE_LOGIN_DELAY_AFTER": "1000",
               "PROOFLINE_LOGIN_MAX_FAILURES": "5",
               "PROOFLINE_IP_DELAY_AFTER": "1000",
               "PROOFLINE_IP_MAX_FAILURES": "1000"}).start()
    s.cli("tenant", "create", "spell", "Spell Co")
    for login in ("rep1", "ana1"):
        s.cli("user", "add", "--tenant", "spell", "--login", login, "--role",
              "rep", "--password-stdin", input_text="Right-Password-4711\n")
    yield s
    s.stop()


def test_every_spelling_of_an_account_shares_one_budget(spellings):
    s = spellings
    # The premise: the database takes each spelling for the account.
    for login in [x.replace("rep1", "ana1").replace("REP1", "ANA1")
                  for x in ("rep1", "REP1", "rep1 ", "Rep1")] + \
            ["ａｎａ１", "áná1", "ana¹", "ÂNA1"]:
        c = Client(s, Account("spell", login, "Right-Password-4711"))
        assert c.sign_in(expect_ok=False).status_code == 303, login
    # Wrong passwords through 13 spellings of rep1: the lock after 5
    # failures holds for all of them.
    codes = []
    for i, login in enumerate(SPELLINGS):
        c = Client(s, Account("spell", login, f"Wrong-Password-{i:03d}"))
        codes.append(c.sign_in(expect_ok=False).status_code)
    assert codes[:5] == [422] * 5, codes
    assert codes[5:] == [429] * (len(SPELLINGS) - 5), codes
    right = Client(s, Account("spell", "ｒｅｐ１", "Right-Password-4711"))
    assert right.sign_in(expect_ok=False).status_code == 429
    # Only the first five were evaluated.
    assert int(s.sql("SELECT COUNT(*) FROM login_attempts WHERE ok = 0")
               [0][0]) == 5


def test_spellings_of_an_unknown_name_share_one_budget(spellings):
    s = spellings
    before = int(s.sql("SELECT COUNT(*) FROM login_attempts WHERE ok = 0")
                 [0][0])
    codes = []
    for i, login in enumerate(["ghost7", "GHOST7", "ｇｈｏｓｔ７", "ghóst7",
                               "ghost7 ", "Ghost7", "ghöst7", "ＧＨＯＳＴ7"]):
        c = Client(s, Account("spell", login, f"Wrong-Password-{i:03d}"))
        codes.append(c.sign_in(expect_ok=False).status_code)
    assert codes == [422] * 5 + [429] * 3, codes
    assert int(s.sql("SELECT COUNT(*) FROM login_attempts WHERE ok = 0")
               [0][0]) == before + 5


# Characters utf8mb4_unicode_ci weighs as a space: PAD SPACE compares the
# shorter side padded with spaces, so a login followed by any of these (or
# several) is the same login to the database.
SPACE_LIKE = ["\u00a0", "\u2002", "\u2009", "\u202f", "\u205f", "\u3000",
              " \u3000", "\u3000 ", "\u00a0\u00a0"]


def test_a_locked_name_tells_nothing_about_its_account(spellings):
    """A known and an unknown name, both locked: every spelling the
    database takes for the same login must be locked for both.  A 429 for
    one and a 422 for the other would tell which name has an account."""
    s = spellings
    # The premise: each spelling signs in as ana1.
    for suffix in SPACE_LIKE:
        c = Client(s, Account("spell", "ana1" + suffix, "Right-Password-4711"))
        assert c.sign_in(expect_ok=False).status_code == 303, repr(suffix)
    for name in ("ana1", "ghost8"):
        codes = [Client(s, Account("spell", name, f"Wrong-Password-{i}"))
                 .sign_in(expect_ok=False).status_code for i in range(5)]
        assert codes == [422] * 5, (name, codes)
        codes = [Client(s, Account("spell", name + suffix, "Wrong-Password-9"))
                 .sign_in(expect_ok=False).status_code
                 for suffix in SPACE_LIKE]
        assert codes == [429] * len(SPACE_LIKE), (name, codes)


def test_long_names_do_not_share_a_bucket(spellings):
    """U+337F weighs eight weights: two 64-character names that differ in
    their last character differ only far into their weights, and must
    still be two buckets (a shared one would lock a name nobody tried)."""
    s = spellings
    stem = "\u337f" * 63
    codes = [Client(s, Account("spell", stem + "b", f"Wrong-Password-{i}"))
             .sign_in(expect_ok=False).status_code for i in range(6)]
    assert codes == [422] * 5 + [429], codes
    other = Client(s, Account("spell", stem + "c", "Wrong-Password-0"))
    assert other.sign_in(expect_ok=False).status_code == 422

"""The prepared-statement cache holds every statement the code has.

The statements are counted in the preprocessed sources (so the variants
that macros build, such as the customer list's sort orders, count one by
one), and the count must stay within half of DB_STMT_MAX: the test fails
long before a worker would have to close statements to make room.  A
worker that has run the pages once prepares nothing more when it runs
them again."""
import re
import shlex
import subprocess

import pytest

from identity import Account, Client
from stack import ROOT, Stack

PASSWORD = "Correct-Horse-Battery-42"



def pkgs():
    """The Makefile's PKGS (continued lines joined): the same headers as
    the build."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    return re.search(r"^PKGS := (.*)$", text, re.M).group(1).split()

SQL_START = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH)\b",
                       re.I)
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def stmt_max():
    m = re.search(r"#define DB_STMT_MAX (\d+)",
                  (ROOT / "module" / "db" / "db.h").read_text())
    return int(m.group(1))


def preprocessed(path):
    cflags = subprocess.run(["pkg-config", "--cflags", *pkgs()],
                            capture_output=True, text=True,
                            check=True).stdout
    out = subprocess.run(["cc", "-E", "-P", "-D_GNU_SOURCE", "-Imodule",
                          *shlex.split(cflags), str(path)],
                         cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return out


def statements_in(text):
    """Every run of adjacent string literals (C concatenates them) that
    reads as SQL."""
    found = set()
    runs, current, last_end = [], [], None
    for m in LITERAL.finditer(text):
        if last_end is not None and text[last_end:m.start()].strip() == "":
            current.append(m.group(1))
        else:
            if current:
                runs.append("".join(current))
            current = [m.group(1)]
        last_end = m.end()
    if current:
        runs.append("".join(current))
    for r in runs:
        if SQL_START.match(r):
            found.add(r)
    return found


def all_statements():
    stmts = set()
    for f in sorted((ROOT / "module").rglob("*.c")):
        stmts |= statements_in(preprocessed(f))
    return stmts


def test_the_cache_holds_every_statement_with_room_to_spare():
    stmts = all_statements()
    # The count can fail: the customer list alone has its sort variants.
    assert len(stmts) > 100, len(stmts)
    print(f"{len(stmts)} statements, DB_STMT_MAX {stmt_max()}")
    assert len(stmts) * 2 <= stmt_max(), (
        f"{len(stmts)} SQL statements in module/: raise DB_STMT_MAX in "
        f"module/db/db.h to at least twice that")


def test_counting_sees_macro_built_variants():
    text = ('static const char *const L[2] = { "SELECT a " "FROM t", '
            '"SELECT b FROM t" };\n  "not sql"  "UPDATE x SET y = 1"')
    assert statements_in(text) == {"SELECT a FROM t", "SELECT b FROM t"}


@pytest.fixture(scope="module")
def one_worker():
    s = Stack({"PROOFLINE_WORKERS": "1"}).start()
    yield s
    s.stop()


def test_a_warm_worker_prepares_nothing_again(one_worker):
    stack = one_worker
    stack.cli("tenant", "create", "stmts", "Statements")
    r = stack.cli("user", "add", "--tenant", "stmts", "--login", "boss",
                  "--role", "admin", "--name", "Boss", "--password-stdin",
                  input_text=PASSWORD + "\n")
    assert "created" in r.stdout, r.stderr
    c = Client(stack, Account("stmts", "boss", PASSWORD, "admin"))
    c.sign_in()
    pages = ["/", "/customers", "/pipeline", "/team", "/admin/users",
             "/admin/audit", "/admin/rules", "/account", "/admin/tokens"]
    pages += [f"/customers?sort={k}&dir={d}" for k in
              ("updated", "name", "stage_since", "activity", "created",
               "amount") for d in ("asc", "desc")]

    def round_trip():
        for p in pages:
            assert c.get(p).status_code == 200, p
        return c.get("/_debug/db").json()

    first = round_trip()
    second = round_trip()
    assert first["pid"] == second["pid"]
    assert first["prepared"] > 20, first
    assert second["prepared"] == first["prepared"], (first, second)
    assert second["evicted"] == 0 and second["cached"] <= second["max"]

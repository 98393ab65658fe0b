"""benchlib.py -- what the benchmark scripts share: the stack bench.sh
started (VAR, PORT in the environment), the proofline CLI on it, and SQL as
the database's superuser."""
import os
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[1]
PORT = os.environ["PORT"]
VAR = os.environ["VAR"]
BASE = f"http://127.0.0.1:{PORT}"


class Stack:
    """The stack as tests/lib/identity.Client wants it."""
    base = BASE

    def url(self, path):
        return BASE + path


def cli(*args, stdin=None, env=None):
    """Run `proofline ARGS` against the stack; its standard output."""
    e = env if env is not None else dict(
        os.environ, PROOFLINE_CONF=f"{VAR}/proofline.conf")
    return subprocess.run([str(ROOT / "build" / "proofline"), *args],
                          env=e, capture_output=True, text=True, input=stdin,
                          check=True).stdout


def sql(statement):
    """Run SQL on the stack's database; its output, stripped."""
    return subprocess.run(
        ["mariadb", "--no-defaults", "--batch", "--skip-column-names",
         f"--socket={VAR}/run/mysqld.sock", "-u",
         subprocess.check_output(["id", "-un"], text=True).strip(),
         "proofline"], input=statement, capture_output=True, text=True,
        check=True).stdout.strip()

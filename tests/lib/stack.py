"""The real stack for end-to-end and browser tests.

Starts a private MariaDB, nginx generated from nginx.conf.example and the
Proofline server (through scripts/stack.sh, exactly as `make start` does)
in a temporary directory on a free port, and stops it afterwards.
"""
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "proofline"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, extra_env=None):
        self.var = pathlib.Path(tempfile.mkdtemp(prefix="proofline-test-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({
            "PORT": str(self.port),
            "VAR": str(self.var),
            "STACK_QUIET": "1",
            "PROOFLINE_DEBUG_ROUTES": "1",
            "PROOFLINE_WORKERS": "3",
            "PROOFLINE_REQUEST_TIMEOUT": "3",
            "PROOFLINE_DRAIN_TIMEOUT": "5",
            "PROOFLINE_RESPAWN_STORM_LIMIT": "8",
            "PROOFLINE_RESPAWN_STORM_WINDOW": "5",
            "PROOFLINE_RESPAWN_MAX_DELAY_MS": "400",
            # Tests run the scheduler themselves (`jobs run --now`), and
            # only ever reach receivers on 127.0.0.1.
            "PROOFLINE_SCHEDULER": "0",
            "PROOFLINE_OUTBOUND_ALLOW": "127.0.0.1/32",
        })
        self.env.pop("PROOFLINE_CONF", None)
        if extra_env:
            self.env.update(extra_env)

    # -- lifecycle -------------------------------------------------------
    def script(self, *args, check=True):
        return subprocess.run([str(ROOT / "scripts" / "stack.sh"), *args],
                              env=self.env, cwd=ROOT, check=check,
                              capture_output=True, text=True, timeout=180)

    def start(self):
        r = self.script("start", check=False)
        if r.returncode != 0:
            raise RuntimeError(f"stack start failed:\n{r.stdout}\n{r.stderr}\n"
                               + self.log_tail())
        return self

    def stop(self, keep=False):
        self.script("stop", check=False)
        if not keep and os.environ.get("KEEP_TEST_VAR") != "1":
            shutil.rmtree(self.var, ignore_errors=True)

    # -- helpers ---------------------------------------------------------
    def url(self, path):
        return self.base + path

    def session(self, lang=None):
        s = requests.Session()
        if lang:
            s.headers["Accept-Language"] = lang
        return s

    @property
    def conf_path(self):
        return str(self.var / "proofline.conf")

    def cli(self, *args, check=True, env=None, input_text=None):
        e = dict(self.env)
        e["PROOFLINE_CONF"] = self.conf_path
        if env:
            e.update(env)
        r = subprocess.run([str(BIN), *args], env=e, cwd=ROOT,
                           capture_output=True, text=True, timeout=300,
                           input=input_text,
                           stdin=None if input_text is not None
                           else subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise AssertionError(f"proofline {' '.join(args)} failed "
                                 f"({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r

    def sql(self, statement, database="proofline"):
        """Run SQL as the database's superuser (the OS user, socket auth)."""
        r = subprocess.run(
            ["mariadb", "--no-defaults", "--batch", "--skip-column-names",
             f"--socket={self.var}/run/mysqld.sock", "-u",
             os.environ.get("USER") or subprocess.check_output(
                 ["id", "-un"], text=True).strip(),
             database, "-e", statement],
            capture_output=True, text=True, check=True, timeout=60)
        return [line.split("\t") for line in r.stdout.splitlines()]

    def pid(self, name):
        try:
            return int((self.var / "run" / f"{name}.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def master_pid(self):
        return self.pid("proofline")

    def worker_pids(self):
        master = self.master_pid()
        out = []
        for d in pathlib.Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == master:
                out.append(int(d.name))
        return sorted(out)

    def log(self):
        try:
            return (self.var / "log" / "proofline.log").read_text(
                errors="replace")
        except OSError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log().splitlines()[-n:])

    def wait_log(self, pattern, timeout=5.0, since=0):
        deadline = time.time() + timeout
        rx = re.compile(pattern)
        while time.time() < deadline:
            m = rx.search(self.log()[since:])
            if m:
                return m
            time.sleep(0.05)
        return None

    def log_size(self):
        return len(self.log())

    def signal_master(self, sig):
        os.kill(self.master_pid(), sig)

    def kill_worker(self, n=3):
        """SIGKILL one live worker (of n) and return its pid.  Under load
        a worker may be recycled (max_requests) at any moment: take a
        live one right before the kill."""
        for _ in range(20):
            victim = self.wait_workers(n)[0]
            try:
                os.kill(victim, signal.SIGKILL)
                return victim
            except ProcessLookupError:
                time.sleep(0.05)
        raise AssertionError("no live worker to kill")

    def wait_workers(self, n, timeout=5.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pids = self.worker_pids()
            if len(pids) == n:
                return pids
            time.sleep(0.02)
        return self.worker_pids()

    def csrf(self, session, path="/login"):
        """Fetch a page with a form and return its CSRF token."""
        r = session.get(self.url(path))
        m = re.search(r'name="_csrf" value="([^"]+)"', r.text)
        assert m, f"no CSRF token on {path}"
        return m.group(1)

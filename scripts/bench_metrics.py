#!/usr/bin/env python3
"""bench_metrics.py -- the metrics engine and the cockpit (issue 14).

Run by scripts/bench.sh on its stack (VAR, PORT in the environment), after
bench_activities.py made the demo tenant "acts" (50,000 customers, 500
reps, 365 days: about 2 million activities).  Prints:
  - build/bench/metrics_bench: the engine's cold start, memory per
    activity, and each metric against the best plain SQL (medians and
    ratios, target >= 100x);
  - the cockpit page of a manager end to end through nginx with
    `wrk -t2 -c8` (target p99 <= 10 ms and >= 3,000 pages/s), interleaved
    with the bare FastCGI answer (/healthz) over BENCH_ROUNDS (3) rounds;
  - the whole server's memory for the metrics: the workers' proportional
    set size (shared pages counted once) after each served the cockpit,
    minus before, per activity (target <= 16 bytes per activity held).
With BENCH_METRICS_10M=1 the same again on "acts10" (250,000 customers,
2,500 reps: about 10 million activities; its demo takes minutes).
"""
import os
import pathlib
import re
import statistics
import subprocess
import sys

from benchlib import BASE, ROOT, VAR, Stack, cli, sql  # noqa: E402
sys.path.insert(0, str(ROOT / "tests" / "lib"))
from identity import Account, Client  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECS = os.environ.get("SECONDS_PER_RUN", "5")


def ensure(slug, customers, reps):
    if sql(f"SELECT COUNT(*) FROM tenants WHERE slug = '{slug}'") == "0":
        cli("demo", "--tenant", slug, "--reps", str(reps), "--customers",
            str(customers), "--days", "365")
    return int(sql(f"SELECT id FROM tenants WHERE slug = '{slug}'"))


def workers():
    master = int((pathlib.Path(VAR) / "run" / "proofline.pid").read_text())
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                         text=True).stdout.split()
    return [int(p) for p in out]


def pss_kb(pids):
    """Proportional set size: memory shared by the workers (the mapped
    snapshot) counts once for the whole server, not once per worker."""
    total = 0
    for p in pids:
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def wrk(path, cookie=None):
    cmd = ["wrk", "-t2", "-c8", f"-d{SECS}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [BASE + path], capture_output=True,
                         text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        raise SystemExit(f"bench: {path}: {bad.group(1)} non-2xx answers")
    return rps, p99


def one(slug, customers, reps):
    tid = ensure(slug, customers, reps)
    acts = int(sql(f"SELECT COUNT(*) FROM activities WHERE tenant_id = "
                   f"{tid}"))
    print(f"bench: metrics on '{slug}': {acts} activities")
    out = subprocess.run([str(ROOT / "build" / "bench" / "metrics_bench"),
                          f"{VAR}/proofline.conf", slug,
                          "21" if acts < 5000000 else "3"],
                         capture_output=True, text=True, check=True).stdout
    print(out.rstrip())
    page = Client(Stack(), Account(slug, "manager1", "proofline-demo"))
    page.sign_in()
    cookie = "; ".join(f"{k}={v}" for k, v in page.s.cookies.items())
    wrk("/healthz")
    before = pss_kb(workers())
    wrk("/cockpit", cookie)  # every worker loads the company once
    pids = workers()  # workers may have been replaced meanwhile
    after = pss_kb(pids)
    print(f"  memory, whole server: {len(pids)} workers, "
          f"{(after - before) * 1024 / acts:.1f} bytes per activity "
          f"(proportional set size +{(after - before) / 1024:.0f} MB; "
          "target <= 16)")
    res = {"/healthz": [], "/cockpit": []}
    for _ in range(ROUNDS):
        res["/healthz"].append(wrk("/healthz"))
        res["/cockpit"].append(wrk("/cockpit", cookie))
    base = statistics.median(r for r, _ in res["/healthz"])
    for path, runs in res.items():
        rps = statistics.median(r for r, _ in runs)
        p99 = statistics.median(p for _, p in runs)
        print(f"  {path:9} (manager1) {rps:8.0f} pages/s  p99 {p99:6.2f} ms"
              f"  {rps / base:5.2f}x bare FastCGI  (wrk -t2 -c8, median of "
              f"{ROUNDS}; target cockpit >= 3000/s, p99 <= 10 ms)")


def main():
    one(os.environ.get("BENCH_METRICS_TENANT", "acts"),
        int(os.environ.get("BENCH_ACT_CUSTOMERS", "50000")),
        int(os.environ.get("BENCH_ACT_REPS", "500")))
    if os.environ.get("BENCH_METRICS_10M") == "1":
        one("acts10", 250000, 2500)


if __name__ == "__main__":
    main()

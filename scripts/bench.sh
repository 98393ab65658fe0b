#!/usr/bin/env bash
# bench.sh -- throughput of the stack, measured in one run so the numbers
# are comparable on a shared, noisy machine: requests/s of nginx serving a
# static file (the baseline), of a bare FastCGI page through the server
# (/healthz: routing and headers, no template, no database) and of the home
# page (template with layout and partials, language negotiation, database
# check), and, with a demo rep's session cookie, of the signed-in home page
# and a customer page (issue 14: the signed-in request path).  Targets are
# interleaved over ROUNDS rounds; medians and ratios to the baseline and to
# /healthz are printed.
#
# Environment: ROUNDS (3), SECONDS_PER_RUN (5), CONNECTIONS (32);
# BENCH_QUICK=1 stops after these (no large-tenant benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-5}
CONN=${CONNECTIONS:-32}

VAR=$(mktemp -d /tmp/proofline-bench.XXXXXX)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The stack's own scheduler stays off: bench_work.py measures its passes.
export VAR PORT STACK_QUIET=1 PROOFLINE_SCHEDULER=0
cleanup() {
    scripts/stack.sh stop >/dev/null 2>&1 || true
    rm -rf "$VAR"
}
trap cleanup EXIT
scripts/stack.sh start >/dev/null

# A signed-in demo rep (issue 14: the signed-in request path): the cookies
# of one session and the path of one of the rep's customers.
read -r COOKIE CUSTOMER < <(/usr/bin/python3 - <<'PY'
import os, re, sys
sys.path.insert(0, "tests/lib")
from identity import Account, Client


class Stack:
    base = f"http://127.0.0.1:{os.environ['PORT']}"

    def url(self, path):
        return self.base + path


c = Client(Stack(), Account("demo", "rep1", "proofline-demo"))
c.sign_in()
ids = re.findall(r'href="/customers/(\d+)"', c.get("/customers").text)
cookie = "; ".join(f"{k}={v}" for k, v in c.s.cookies.get_dict().items())
print(cookie.replace(" ", ""), f"/customers/{ids[0]}")
PY
)
if [ -z "${CUSTOMER:-}" ]; then
    echo "bench: the demo rep could not sign in" >&2
    exit 1
fi

names=("nginx static" "bare fastcgi" "home page" "signed-in home" "customer page")
paths=("/static/app.css" "/healthz" "/" "/" "$CUSTOMER")
cookies=("" "" "" "$COOKIE" "$COOKIE")
declare -A results

run_wrk() { # run_wrk PATH COOKIE SECONDS
    if [ -n "$2" ]; then
        wrk -t2 -c"$CONN" -d"$3s" -H "Cookie: $2" "http://127.0.0.1:$PORT$1" 2>&1
    else
        wrk -t2 -c"$CONN" -d"$3s" "http://127.0.0.1:$PORT$1" 2>&1
    fi
}

# Warm up every target once (page cache, DB connections, CPU frequency).
for i in "${!paths[@]}"; do
    run_wrk "${paths[$i]}" "${cookies[$i]}" 1 >/dev/null
done

for ((round = 1; round <= ROUNDS; round++)); do
    for i in "${!paths[@]}"; do
        out=$(run_wrk "${paths[$i]}" "${cookies[$i]}" "$SECS")
        rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
        bad=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $5}')
        if [ -n "${bad:-}" ] && [ "$bad" != 0 ]; then
            echo "bench: ${paths[$i]} had $bad non-2xx responses" >&2
        fi
        results[$i]="${results[$i]:-} $rps"
    done
done

median() {
    printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

echo "bench: wrk -t2 -c$CONN -d${SECS}s, $ROUNDS interleaved rounds, $(nproc) cores"
echo "bench: median requests/s (all rounds), ratio to nginx static and to /healthz"
echo "bench: signed-in rows send a demo rep's session cookie (target: customer page >= 0.5x /healthz)"
base=$(median "${results[0]}")
bare=$(median "${results[1]}")
for i in "${!paths[@]}"; do
    m=$(median "${results[$i]}")
    ratio=$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
    to_bare=$(awk -v a="$m" -v b="$bare" 'BEGIN {printf "%.2f", a / b}')
    printf '  %-14s %-17s %10.0f req/s  %5sx  %5sx /healthz   (%s)\n' \
        "${names[$i]}" "${paths[$i]}" "$m" "$ratio" "$to_bare" \
        "$(echo ${results[$i]} | tr ' ' ',')"
done
if [ -n "${BENCH_QUICK:-}" ]; then
    exit 0
fi

# A dealer's customer page with 10 qualification documents, 3 contracts
# and 100 payments (issue 15: at most 15 ms of server time).
/usr/bin/python3 scripts/bench_admission.py

# The sell-through dashboard of 862 stores over 2M POS lines (issue 16:
# at most 10 ms of server time).
/usr/bin/python3 scripts/bench_sellthrough.py

# The customer pages and API on a large tenant (BENCH_CUSTOMERS, 50000).
/usr/bin/python3 scripts/bench_customers.py

# Tasks, the scheduler and the outbox (issue 12) on the same tenant.
/usr/bin/python3 scripts/bench_work.py

# The demo at 2M activities and the visit lists on it (issue 13).
/usr/bin/python3 scripts/bench_activities.py

# The metrics engine and the cockpit on the same tenant (issue 14).
/usr/bin/python3 scripts/bench_metrics.py

# POS sales import: 2M lines against LOAD DATA into the same table (issue 16).
/usr/bin/python3 scripts/bench_pos.py

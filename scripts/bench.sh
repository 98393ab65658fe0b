#!/usr/bin/env bash
# bench.sh -- throughput of the stack, measured in one run so the numbers
# are comparable on a shared, noisy machine: requests/s of nginx serving a
# static file (the baseline), of a bare FastCGI page through the server
# (/healthz: routing and headers, no template, no database) and of the home
# page (template with layout and partials, language negotiation, database
# check).  Targets are interleaved over ROUNDS rounds; medians and ratios to
# the baseline are printed.
#
# Environment: ROUNDS (3), SECONDS_PER_RUN (5), CONNECTIONS (32).
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

names=("nginx static" "bare fastcgi" "home page")
paths=("/static/app.css" "/healthz" "/")
declare -A results

run_wrk() {
    wrk -t2 -c"$CONN" -d"${SECS}s" "http://127.0.0.1:$PORT$1" 2>&1
}

# Warm up every target once (page cache, DB connections, CPU frequency).
for p in "${paths[@]}"; do
    wrk -t2 -c"$CONN" -d1s "http://127.0.0.1:$PORT$p" >/dev/null 2>&1
done

for ((round = 1; round <= ROUNDS; round++)); do
    for i in "${!paths[@]}"; do
        out=$(run_wrk "${paths[$i]}")
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
echo "bench: median requests/s (all rounds) and ratio to nginx static"
base=$(median "${results[0]}")
for i in "${!paths[@]}"; do
    m=$(median "${results[$i]}")
    ratio=$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
    printf '  %-13s %-17s %10.0f req/s  %5sx   (%s)\n' "${names[$i]}" \
        "${paths[$i]}" "$m" "$ratio" "$(echo ${results[$i]} | tr ' ' ',')"
done

# The customer pages and API on a large tenant (BENCH_CUSTOMERS, 50000).
/usr/bin/python3 scripts/bench_customers.py

# Tasks, the scheduler and the outbox (issue 12) on the same tenant.
/usr/bin/python3 scripts/bench_work.py

# The demo at 2M activities and the visit lists on it (issue 13).
/usr/bin/python3 scripts/bench_activities.py

# The metrics engine and the cockpit on the same tenant (issue 14).
/usr/bin/python3 scripts/bench_metrics.py

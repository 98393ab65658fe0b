#!/usr/bin/env bash
# test.sh -- everything `make test` runs after the build, lint and format
# check: unit tests (plain and under ASan/UBSan), fuzz corpus replay,
# end-to-end tests against the real stack, and the browser smoke test.
# Every stage runs even when an earlier one failed; the summary line of each
# is printed at the end and the exit status is non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
MAKE=${MAKE:-make}
summary=()
failed=0
start_all=$(date +%s)

stage() { # stage NAME COMMAND...
    local name=$1 t0 rc out
    shift
    t0=$(date +%s)
    echo "=== $name"
    out=$("$@" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    local last
    last=$(printf '%s\n' "$out" | grep -E '(passed|failed|error|replayed|ok)' | tail -1)
    summary+=("$(printf '%-12s %-4s %4ss  %s' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" "$(($(date +%s) - t0))" "$last")")
    [ $rc -eq 0 ] || failed=1
}

stage unit $MAKE --no-print-directory unit
stage unit-san $MAKE --no-print-directory unit-san
stage fuzz-replay $MAKE --no-print-directory fuzz-replay
stage e2e $PYTHON -m pytest -q -p no:cacheprovider tests/e2e
stage browser $PYTHON -m pytest -q -p no:cacheprovider tests/browser

echo
echo "=== summary ($(($(date +%s) - start_all))s)"
printf '%s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
    echo "make test: FAILED"
    exit 1
fi
echo "make test: all passed"

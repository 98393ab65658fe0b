#!/bin/sh
# run-unit.sh LABEL BIN... -- run cmocka test binaries, print a summary line
# per binary and a total; exit 1 when any failed.
label=$1
shift
pass=0
fail=0
failed=
for t in "$@"; do
    if out=$("$t" 2>&1); then
        pass=$((pass + 1))
        printf '%s\n' "$out" | grep -E '^\[ +(PASSED|FAILED|SKIPPED) +\]' | sed "s|^|  $(basename "$t"): |"
    else
        fail=$((fail + 1))
        failed="$failed $(basename "$t")"
        printf '%s\n' "$out"
    fi
done
echo "unit ($label): $pass binaries passed, $fail failed${failed:+:$failed}"
[ "$fail" -eq 0 ]

#!/bin/sh
# run-unit.sh LABEL BIN... -- run cmocka test binaries, print a summary line
# per binary and a total; exit 1 when any failed.  A binary that skipped
# tests is counted as skipped, not as passed.
label=$1
shift
pass=0
fail=0
skip=0
failed=
for t in "$@"; do
    if out=$("$t" 2>&1); then
        if printf '%s\n' "$out" | grep -qE '^\[ +SKIPPED +\]'; then
            skip=$((skip + 1))
        else
            pass=$((pass + 1))
        fi
        printf '%s\n' "$out" | grep -E '^\[ +(PASSED|FAILED|SKIPPED) +\]' | sed "s|^|  $(basename "$t"): |"
    else
        fail=$((fail + 1))
        failed="$failed $(basename "$t")"
        printf '%s\n' "$out"
    fi
done
echo "unit ($label): $pass binaries passed, $fail failed, $skip skipped${failed:+:$failed}"
[ "$fail" -eq 0 ]

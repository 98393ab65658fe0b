#!/bin/sh
# run-fuzz.sh replay BIN...           replay each target's seed corpus
# run-fuzz.sh fuzz SECONDS BIN...     run each libFuzzer target for SECONDS
# The corpus of target fuzz_NAME is tests/fuzz/corpus/NAME/.
set -u
mode=$1
shift
rc=0
case "$mode" in
replay)
    n=0
    for t in "$@"; do
        name=$(basename "$t" | sed 's/^fuzz_//')
        dir=tests/fuzz/corpus/$name
        if ! "$t" "$dir"; then
            echo "fuzz-replay: $name FAILED"
            rc=1
        fi
        n=$((n + 1))
    done
    echo "fuzz-replay: $n targets replayed, $([ $rc -eq 0 ] && echo 'no failures' || echo 'FAILURES')"
    ;;
fuzz)
    secs=$1
    shift
    for t in "$@"; do
        name=$(basename "$t" | sed 's/^fuzz_//')
        dir=tests/fuzz/corpus/$name
        work=build/fuzz/corpus-$name
        mkdir -p "$work"
        echo "fuzz: $name for ${secs}s"
        if ! "$t" -max_total_time="$secs" -print_final_stats=1 \
            -artifact_prefix=build/fuzz/"$name"- "$work" "$dir" \
            >build/fuzz/"$name".log 2>&1; then
            echo "fuzz: $name FOUND A CRASH (see build/fuzz/$name.log)"
            rc=1
        else
            grep -E 'stat::number_of_executed_units' build/fuzz/"$name".log |
                sed "s/^/  $name: /"
        fi
    done
    ;;
esac
exit $rc

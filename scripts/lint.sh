#!/bin/sh
# lint.sh -- banned functions and patterns (STYLE §10, curl's checksrc).
# Exit 1 listing every offending line.
set -u
files=$(find module tests/unit tests/fuzz -name '*.[ch]' | LC_ALL=C sort)
rc=0
check() {
    pattern=$1
    why=$2
    hits=$(grep -nE "$pattern" $files | grep -v 'lint:allow' || true)
    if [ -n "$hits" ]; then
        printf '%s\n' "$hits" | sed "s|\$|    <- $why|"
        rc=1
    fi
}
# Unbounded or unchecked functions.
check '(^|[^_a-zA-Z0-9])(sprintf|vsprintf|strcpy|strcat|stpcpy|gets|strtok|atoi|atol|atoll|atof|sscanf|scanf|fscanf|strncpy|strncat)[[:space:]]*\(' \
    'banned function: use snprintf/buf_*/parse_i64/memcpy with lengths'
# strtol family only through num.c, which checks the end pointer.
check '(^|[^_a-zA-Z0-9])(strtol|strtoul|strtoll|strtoull)[[:space:]]*\(' \
    'use parse_i64()'
# SQL must be constant text with bound parameters.
check '(printf|snprintf|buf_printf)[[:space:]]*\(.*"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|REPLACE)[[:space:]]' \
    'SQL built with printf: bind parameters instead'
check 'mysql_real_query|mysql_query[[:space:]]*\(' \
    'only migrate.c may run unprepared SQL' 
check 'system[[:space:]]*\(|popen[[:space:]]*\(' 'no shell from the server'
# Every function that returns enum app_err is APP_MUST_USE (err.h), so an
# ignored result is a compile error: declarations in headers, static
# functions in sources (exported ones take it from their header).
hits=$( (grep -nE '^(static inline )?enum app_err([[:space:]]+[a-z_0-9]+\(|[[:space:]]*$)' \
    $(printf '%s\n' $files | grep '\.h$');
    grep -nE '^static (inline )?enum app_err' \
    $(printf '%s\n' $files | grep '\.c$')) | grep -v 'lint:allow' || true)
if [ -n "$hits" ]; then
    printf '%s\n' "$hits" | sed 's/$/    <- returns enum app_err: mark it APP_MUST_USE/'
    rc=1
fi
if [ $rc -eq 0 ]; then
    echo "lint: ok ($(printf '%s\n' $files | wc -l) files)"
fi
exit $rc

#!/usr/bin/env bash
# stack.sh -- the local stack: a private MariaDB, nginx generated from
# nginx.conf.example, and the Proofline FastCGI server, all under $VAR.
#
#   stack.sh run      start everything, serve in the foreground, Ctrl-C stops
#   stack.sh start    start everything in the background
#   stack.sh stop     stop what start/run started (pid files under $VAR/run)
#   stack.sh status   show what is running
#   stack.sh db-stop | db-start   stop/start only MariaDB (outage drills)
#
# Environment: PORT (default 8080), VAR (default ./var), PROOFLINE_* keys
# (passed through to the server), STACK_QUIET=1 (less output, for tests),
# STACK_DEMO=0 (no demo data).  Nothing outside $VAR is touched.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PORT:-8080}
VAR=${VAR:-$ROOT/var}
mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
RUN=$VAR/run
LOG=$VAR/log
BIN=$ROOT/build/proofline
CONF=$VAR/proofline.conf
ME=$(id -un)
QUIET=${STACK_QUIET:-0}

say() { [ "$QUIET" = 1 ] || printf '%s\n' "$*"; }
die() {
    printf 'stack: %s\n' "$*" >&2
    exit 1
}

# --- pid files ---------------------------------------------------------------
alive() { # alive NAME -> 0 when the pid in $RUN/NAME.pid runs
    local f=$RUN/$1.pid pid
    [ -s "$f" ] || return 1
    pid=$(cat "$f" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

stop_one() { # stop_one NAME SIGNAL SECONDS
    local name=$1 sig=$2 secs=$3 pid i
    alive "$name" || {
        rm -f "$RUN/$name.pid"
        return 0
    }
    pid=$(cat "$RUN/$name.pid")
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "stack: $name did not stop in ${secs}s, killing"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$name.pid"
}

# --- MariaDB -----------------------------------------------------------------
# --force: minimal machines may not resolve their own host name; this
# server only ever listens on a unix socket, so that does not matter.
# Each stack's MariaDB keeps its temporary tables in its own directory
# (not /tmp, shared by every stack on the machine: two installs at once
# once failed there).
# --innodb-use-native-aio=0: each server with native AIO reserves
# thousands of the kernel's aio slots (fs.aio-max-nr, 65536 here), and
# several test stacks on one machine ran out of them; a stack this size
# does not need it.
db_init() {
    if [ ! -d "$VAR/mysql/mysql" ]; then
        say "stack: creating the MariaDB data directory in $VAR/mysql"
        mkdir -p "$VAR/mysql-tmp"
        mariadb-install-db --no-defaults --datadir="$VAR/mysql" \
            --tmpdir="$VAR/mysql-tmp" \
            --user="$ME" --auth-root-authentication-method=socket \
            --skip-test-db --skip-name-resolve --force \
            --innodb-use-native-aio=0 \
            >"$LOG/mariadb-install.log" 2>&1 || {
            grep -iE 'error|fail' "$LOG/mariadb-install.log" | head -20 >&2
            die "mariadb-install-db failed, see $LOG/mariadb-install.log"
        }
    fi
}

db_start() {
    local i
    if alive mariadb; then
        return 0
    fi
    rm -f "$RUN/mysqld.sock"
    mkdir -p "$VAR/mysql-tmp"
    setsid mariadbd --no-defaults \
        --datadir="$VAR/mysql" \
        --tmpdir="$VAR/mysql-tmp" \
        --socket="$RUN/mysqld.sock" \
        --pid-file="$RUN/mariadb.pid" \
        --log-error="$LOG/mariadb.log" \
        --user="$ME" \
        --skip-networking \
        --skip-name-resolve \
        --innodb-flush-log-at-trx-commit=1 \
        --innodb-use-native-aio=0 \
        --innodb-buffer-pool-size=256M \
        --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_unicode_ci \
        --default-time-zone=+00:00 \
        --max-connections=300 \
        </dev/null >/dev/null 2>&1 &
    for ((i = 0; i < 300; i++)); do
        if [ -S "$RUN/mysqld.sock" ] &&
            mariadb-admin --no-defaults --socket="$RUN/mysqld.sock" \
                -u "$ME" ping >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    die "MariaDB did not start, see $LOG/mariadb.log"
}

# A value kept from the previous configuration, or a new random one.
kept_or_random() { # kept_or_random KEY BYTES
    if [ -f "$CONF" ] && grep -q "^$1 = " "$CONF"; then
        sed -n "s/^$1 = //p" "$CONF"
    else
        od -An -N"$2" -tx1 /dev/urandom | tr -d ' \n'
    fi
}

db_bootstrap() {
    local pw
    pw=$(kept_or_random db_password 24)
    mariadb --no-defaults --socket="$RUN/mysqld.sock" -u "$ME" <<SQL
CREATE DATABASE IF NOT EXISTS proofline
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'proofline'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'proofline'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON proofline.* TO 'proofline'@'localhost';
SQL
    write_conf "$pw" "$(kept_or_random secret_key 32)"
}

write_conf() {
    umask 077
    cat >"$CONF.tmp" <<CONF
# Written by scripts/stack.sh on every start (edits are replaced; use
# PROOFLINE_<KEY> environment variables for local overrides).
listen = $RUN/proofline.sock
socket_mode = 0660
pid_file = $RUN/proofline.pid
stats_file = $RUN/proofline.stats
templates_dir = $ROOT/templates
sql_dir = $ROOT/sql
lua_dir = $ROOT/lua
files_dir = $VAR/files
tmp_dir = $VAR/tmp
db_socket = $RUN/mysqld.sock
db_user = proofline
db_password = $1
db_name = proofline
secret_key = $2
cookie_secure = 0
public_origin = http://127.0.0.1:$PORT
CONF
    mv "$CONF.tmp" "$CONF"
}

# --- nginx -------------------------------------------------------------------
nginx_conf() {
    local out=$VAR/nginx/proofline.conf
    mkdir -p "$VAR/nginx/tmp"
    sed -e "s|listen 80;|listen 127.0.0.1:$PORT;|" \
        -e "s|server_name sales.example.com;|server_name localhost 127.0.0.1;|" \
        -e "s|/run/proofline/|$RUN/|g" \
        -e "s|/usr/share/proofline/templates/|$ROOT/templates/|g" \
        -e "s|/var/lib/proofline/|$VAR/|g" \
        -e "s|/var/log/nginx/proofline.access.log|$LOG/nginx-access.log|" \
        "$ROOT/nginx.conf.example" >"$out"
    # The security scan alone turns nginx's request limits off (see
    # tests/security/run_sqlmap.py); everything else runs the file as is.
    if [ "${STACK_NGINX_NO_LIMIT:-0}" = 1 ]; then
        sed -i -e '/^[[:space:]]*limit_req /d' "$out"
    fi
    if grep -vE '^[[:space:]]*#' "$out" |
        grep -nE '(^|[[:space:]:])(/run/proofline|/usr/share/proofline|/var/lib/proofline|/var/log/nginx)|sales\.example\.com' >&2; then
        die "nginx.conf.example has production paths the stack does not map (above)"
    fi
    {
        [ "$(id -u)" = 0 ] && echo "user root;" # workers must reach the 0660 socket
        cat <<NGINX
worker_processes 2;
pid $RUN/nginx.pid;
error_log $LOG/nginx-error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $VAR/nginx/tmp/body;
    fastcgi_temp_path $VAR/nginx/tmp/fastcgi;
    proxy_temp_path $VAR/nginx/tmp/proxy;
    uwsgi_temp_path $VAR/nginx/tmp/uwsgi;
    scgi_temp_path $VAR/nginx/tmp/scgi;
    sendfile on;
    include $out;
}
NGINX
    } >"$VAR/nginx/nginx.conf"
    nginx -t -q -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" 2>>"$LOG/nginx-error.log" ||
        die "nginx rejected the generated config, see $LOG/nginx-error.log"
}

port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

nginx_start() {
    if alive nginx; then
        return 0
    fi
    port_busy && die "port $PORT is in use; choose another with PORT=..."
    nginx -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" ||
        die "nginx did not start, see $LOG/nginx-error.log"
}

# --- the application -----------------------------------------------------------
app_prepare() {
    [ -x "$BIN" ] || die "$BIN is missing: run make first"
    PROOFLINE_CONF=$CONF "$BIN" migrate --quiet ||
        die "migrations failed"
    if [ "${STACK_DEMO:-1}" = 1 ]; then
        PROOFLINE_CONF=$CONF "$BIN" demo --tenant demo --if-absent >"$LOG/demo.log" 2>&1 ||
            die "demo data failed, see $LOG/demo.log"
    fi
}

app_start_bg() {
    if alive proofline; then
        return 0
    fi
    PROOFLINE_CONF=$CONF setsid "$BIN" serve </dev/null >>"$LOG/proofline.log" 2>&1 &
}

wait_ready() {
    local i
    for ((i = 0; i < 100; i++)); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    die "the server did not answer on port $PORT, see $LOG/proofline.log"
}

banner() {
    cat <<TXT

  Proofline is running at  http://127.0.0.1:$PORT/
  Login page:              http://127.0.0.1:$PORT/login

  Demo tenant:  demo
  Demo logins:  admin, manager1, manager2, rep1 ... rep6,
                legal1, finance1, supervisor1, store1, marketing1
  Password:     proofline-demo   (demo data only)

  Data and logs: $VAR   (a second run keeps the data)
TXT
}

start_all() {
    mkdir -p "$RUN" "$LOG" "$VAR/files" "$VAR/tmp"
    chmod 700 "$VAR/tmp"
    db_init
    db_start
    db_bootstrap
    app_prepare
    nginx_conf
    nginx_start
}

stop_all() {
    stop_one nginx QUIT 10
    stop_one proofline TERM 20
    stop_one mariadb TERM 60
}

cmd=${1:-}
case "$cmd" in
run)
    if alive proofline || alive nginx; then
        die "a stack is already running in $VAR (make stop first)"
    fi
    trap 'printf "\nstack: stopping...\n"; stop_all; say "stack: stopped"; exit 0' INT TERM
    trap 'stop_all' EXIT
    start_all
    # tee ignores Ctrl-C so the server's last lines still reach the terminal.
    PROOFLINE_CONF=$CONF setsid "$BIN" serve </dev/null 2>&1 |
        (trap '' INT && exec tee -a "$LOG/proofline.log") &
    wait_ready
    banner
    say "  Press Ctrl-C to stop."
    # Wait for the server; Ctrl-C runs the trap above.
    while alive proofline || ! [ -s "$RUN/proofline.pid" ]; do
        sleep 1 &
        wait $! || true
    done
    say "stack: the server exited"
    ;;
start)
    # A start that fails halfway stops what it had started.
    trap '[ "${ok:-0}" = 1 ] || stop_all' EXIT
    start_all
    app_start_bg
    wait_ready
    ok=1
    [ "$QUIET" = 1 ] || banner
    say "  Stop with: make stop"
    ;;
stop)
    stop_all
    say "stack: stopped"
    ;;
db-stop)
    # For the test suite's outage drills: stop only MariaDB.
    stop_one mariadb TERM 60
    ;;
db-start)
    db_start
    ;;
status)
    for n in mariadb proofline nginx; do
        if alive "$n"; then
            echo "$n: running (pid $(cat "$RUN/$n.pid"))"
        else
            echo "$n: stopped"
        fi
    done
    ;;
*)
    echo "usage: $0 run|start|stop|status" >&2
    exit 2
    ;;
esac

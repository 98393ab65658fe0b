#!/bin/bash
# tests/deb/run.sh -- `make test-deb`: the Debian package, end to end.
#
#  1. `make deb` twice gives the same bytes (reproducible build);
#  2. in a brand-new Debian 12 root (debootstrap --variant=minbase, cached
#     like ../shared/tools/fresh-machine caches it) with an empty MariaDB:
#     the package installs without a question, creates its user, folders,
#     secret key, database and account, and its units pass
#     `systemd-analyze verify`;
#  3. the server started as its unit says (user, groups, environment,
#     ExecStartPre, ExecStart) serves the sign-in page through nginx
#     configured from the shipped example, and a user signs in;
#  4. an upgrade to a newer version keeps the administrator's edit of the
#     conffile, the secret and the data, and serves again;
#  5. remove keeps configuration and data; purge asks nothing, removes the
#     configuration and keeps the data.
# Needs root (chroot, mounts) and the Debian mirror.  Set KEEP=1 to keep
# the root for a look.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)

say() { printf 'test-deb: %s\n' "$*"; }
fail() {
    printf 'test-deb: FAIL: %s\n' "$*" >&2
    exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root (chroot)"

ver=$(dpkg-parsechangelog -l scripts/debian/changelog -S Version)
arch=$(dpkg --print-architecture)
work=$(mktemp -d "${TMPDIR:-/tmp}/proofline-deb.XXXXXX")

# --- 1. reproducible ------------------------------------------------------------
if [ -n "${TEST_DEB_REUSE:-}" ]; then # a debugging shortcut: no builds
    cp "build/proofline_${ver}_${arch}.deb" "$work/a.deb"
    cp "build/proofline_${ver}+up1_${arch}.deb" "$work/b.deb"
else
    say "building $ver twice"
scripts/deb.sh >/dev/null
cp "build/proofline_${ver}_${arch}.deb" "$work/a.deb"
scripts/deb.sh >/dev/null
a=$(sha256sum <"$work/a.deb")
b=$(sha256sum <"build/proofline_${ver}_${arch}.deb")
[ "$a" = "$b" ] || fail "two builds of the same tree differ (not reproducible)"
say "reproducible: ${a%% *}"
DEB_VERSION_SUFFIX=up1 scripts/deb.sh >/dev/null
cp "build/proofline_${ver}+up1_${arch}.deb" "$work/b.deb"
fi

# --- 2. a fresh root --------------------------------------------------------------
cache=$(dirname "$(mktemp -u)")/fresh-bookworm.tar
root=$work/root
mkdir "$root"
if [ ! -f "$cache" ]; then
    say "debootstrap (cached in $cache afterwards)"
    mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources \
        /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 |
        grep -Eo '(https?|file)://[^ ]+')
    debootstrap --variant=minbase --include=git,make,ca-certificates \
        bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
        fail "debootstrap: see $work/debootstrap.log"
    tar -C "$root" -cf "$cache.part" . && mv "$cache.part" "$cache"
else
    tar -C "$root" -xf "$cache"
fi
# A root folder made by mktemp is 0700: "/" must let every user through.
chmod 0755 "$root"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$work/a.deb" "$work/b.deb" "$root/tmp/"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
# The processes named NAME whose root is this test's root: a chroot shares
# the host's process table, and the host may be running other stacks
# (make test, another checkout) whose processes have the same names.
in_root_pids() {
    local p
    for p in $(pgrep -x "$1"); do
        [ "$(readlink "/proc/$p/root" 2>/dev/null)" = "$root" ] && echo "$p"
    done
    return 0
}
kill_in_root() { # kill_in_root SIGNAL NAME...
    local sig=$1 name
    shift
    for name in "$@"; do
        # shellcheck disable=SC2046
        kill "-$sig" $(in_root_pids "$name") 2>/dev/null
    done
    return 0
}
cleanup() {
    set +e
    kill_in_root TERM nginx proofline mariadbd
    for _ in $(seq 1 50); do
        [ -z "$(in_root_pids mariadbd)$(in_root_pids proofline)" ] && break
        sleep 0.2
    done
    kill_in_root KILL nginx proofline mariadbd
    umount -R "$root/dev" "$root/sys" 2>/dev/null
    umount "$root/proc" 2>/dev/null
    if [ "${KEEP:-0}" = 1 ]; then
        say "kept $root"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
in_root() {
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        /bin/bash -c "$1" </dev/null
}
check() { # check DESCRIPTION SHELL-TEST (run in the root)
    in_root "$2" >/dev/null 2>&1 || fail "$1"
}

say "installing MariaDB and nginx into a fresh Debian 12 root"
in_root 'apt-get update -qq && apt-get install -y -qq --no-install-recommends \
    mariadb-server mariadb-client nginx-light curl systemd procps' \
    >"$work/apt.log" 2>&1 || fail "apt-get: see $work/apt.log"
# An empty MariaDB on its Debian socket, no TCP (the host's ports are not
# ours).
in_root 'install -d -o mysql -g mysql /run/mysqld &&
    (setsid mariadbd --user=mysql --skip-networking \
        --socket=/run/mysqld/mysqld.sock >/var/log/mariadb-test.log 2>&1 &)'
for _ in $(seq 1 100); do
    in_root 'mariadb -e "SELECT 1"' >/dev/null 2>&1 && break
    sleep 0.2
done
check "MariaDB did not start" 'mariadb -e "SELECT 1"'
check "MariaDB is not empty" \
    '! mariadb -N -e "SHOW DATABASES" | grep -qx proofline'

say "installing proofline_$ver"
in_root 'apt-get install -y -qq /tmp/a.deb' >"$work/install.log" 2>&1 ||
    fail "install: $(tail -20 "$work/install.log")"
grep -q "database 'proofline' ready" "$work/install.log" ||
    fail "postinst did not create the database: $(cat "$work/install.log")"
check "no system user proofline" 'getent passwd proofline | grep -q nologin'
check "proofline is not in group www-data" 'id -nG proofline | grep -qw www-data'
check "conffile not registered" \
    'dpkg-query -W -f="\${Conffiles}" proofline | grep -q /etc/proofline/proofline.conf'
check "conffile mode" \
    '[ "$(stat -c %U:%G:%a /etc/proofline/proofline.conf)" = root:proofline:640 ]'
check "secret key" \
    '[ "$(stat -c %U:%G:%a /etc/proofline/proofline.conf.d/00-secret.conf)" = root:proofline:640 ] &&
     grep -Eq "^secret_key = [0-9a-f]{64}$" /etc/proofline/proofline.conf.d/00-secret.conf'
check "files_dir is not proofline:www-data 2750" \
    '[ "$(stat -c %U:%G:%a /var/lib/proofline/files)" = proofline:www-data:2750 ]'
check "units not enabled" \
    '[ -L /etc/systemd/system/sockets.target.wants/proofline.socket ] &&
     [ -L /etc/systemd/system/multi-user.target.wants/proofline.service ]'
check "manual page missing" '[ -f /usr/share/man/man8/proofline.8.gz ]'
check "nginx example missing" \
    '[ -f /usr/share/doc/proofline/examples/nginx-proofline.conf ]'
in_root 'systemd-analyze verify /lib/systemd/system/proofline.socket \
    /lib/systemd/system/proofline.service' >"$work/verify.log" 2>&1 ||
    fail "systemd-analyze verify: $(cat "$work/verify.log")"
check "unit not hardened" \
    'for k in ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
        ReadWritePaths=/var/lib/proofline; do
        grep -qx "$k" /lib/systemd/system/proofline.service || exit 1; done'

# --- 3. serve through nginx -------------------------------------------------------
# What the unit runs, as the unit says: its user, groups and environment.
unit_val() { in_root "sed -n 's/^$1=//p' /lib/systemd/system/proofline.service"; }
start_server() {
    local user group groups env pre start
    user=$(unit_val User)
    group=$(unit_val Group)
    groups=$(unit_val SupplementaryGroups)
    env=$(unit_val Environment)
    pre=$(unit_val ExecStartPre)
    start=$(unit_val ExecStart)
    in_root "install -d -o $user -g $user -m 0755 /run/proofline &&
        rm -f /run/proofline/proofline.sock &&
        cd / && runuser -u $user -g $group -G $groups -- env $env $pre &&
        (umask 0027; setsid runuser -u $user -g $group -G $groups -- \
            env $env $start \
            >>/var/log/proofline-test.log 2>&1 &)" ||
        fail "the unit's ExecStartPre failed"
    for _ in $(seq 1 100); do
        in_root '[ -S /run/proofline/proofline.sock ]' && return 0
        sleep 0.2
    done
    fail "the server did not start: $(in_root 'tail /var/log/proofline-test.log')"
}
stop_server() {
    kill_in_root TERM proofline
    for _ in $(seq 1 100); do
        [ -z "$(in_root_pids proofline)" ] && return 0
        sleep 0.1
    done
    fail "the server did not stop"
}

say "creating a company and a user as README.Debian says"
in_root 'cd / && runuser -u proofline -- proofline migrate --quiet &&
    runuser -u proofline -- proofline tenant create acme "Acme 医疗" &&
    echo "Deb-Install-Check-2026" | runuser -u proofline -- proofline user add \
        --tenant acme --login rep1 --role rep --name Rep --password-stdin' \
    >"$work/setup.log" 2>&1 || fail "setup: $(cat "$work/setup.log")"
# Plain http in this test: cookie_secure off in a drop-in, as README.Debian
# says for a first look.
in_root 'echo "cookie_secure = 0" >/etc/proofline/proofline.conf.d/50-local.conf'
start_server

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
in_root "cp /usr/share/doc/proofline/examples/nginx-proofline.conf \
        /etc/nginx/sites-available/proofline &&
    sed -i 's/^\(\s*\)listen 80;/\1listen 127.0.0.1:$port;/' \
        /etc/nginx/sites-available/proofline &&
    rm -f /etc/nginx/sites-enabled/default &&
    ln -s ../sites-available/proofline /etc/nginx/sites-enabled/proofline &&
    nginx -t && nginx" >"$work/nginx.log" 2>&1 ||
    fail "nginx: $(cat "$work/nginx.log")"

url="http://127.0.0.1:$port"
host="Host: sales.example.com"
sign_in() { # the dashboard's status after signing in as rep1
    in_root "rm -f /tmp/jar; curl -sf -c /tmp/jar -b /tmp/jar -H '$host' \
            $url/login >/tmp/login.html &&
        tok=\$(sed -n 's/.*name=\"_csrf\" value=\"\([^\"]*\)\".*/\1/p' /tmp/login.html) &&
        curl -s -o /dev/null -c /tmp/jar -b /tmp/jar -H '$host' \
            --data-urlencode \"_csrf=\$tok\" --data-urlencode tenant=acme \
            --data-urlencode login=rep1 \
            --data-urlencode password=Deb-Install-Check-2026 $url/login &&
        curl -s -o /dev/null -w '%{http_code}' -b /tmp/jar -H '$host' $url/"
}
check "no sign-in page through nginx" \
    "curl -sf -H '$host' $url/login | grep -q 'name=\"password\"'"
check "no static files through nginx" \
    "curl -sf -H '$host' -o /dev/null $url/static/app.css"
code=$(sign_in)
[ "$code" = 200 ] || fail "signed-in home page answered $code"
say "served the sign-in page through nginx; rep1 signed in"
# Stored files (the demo's visit photos, stored by the same service as an
# upload) must be readable by nginx's user, which sends them.
in_root 'cd / && runuser -u proofline -- proofline demo --tenant demo \
    --reps 1 --customers 3 --days 30' >"$work/demo.log" 2>&1 ||
    fail "demo: $(tail "$work/demo.log")"
check "the demo stored no file" \
    '[ -n "$(find /var/lib/proofline/files -type f | head -1)" ]'
check "a stored file is not group www-data" \
    '[ -z "$(find /var/lib/proofline/files -type f ! -group www-data)" ]'
check "nginx's user cannot read a stored file" \
    'f=$(find /var/lib/proofline/files -type f | head -1) &&
     runuser -u www-data -- cat "$f" >/dev/null'

# --- 4. upgrade ---------------------------------------------------------------------
in_root 'echo "# edited by the administrator" >>/etc/proofline/proofline.conf'
secret=$(in_root 'cat /etc/proofline/proofline.conf.d/00-secret.conf')
say "upgrading to $ver+up1"
in_root 'apt-get install -y -qq /tmp/b.deb' >"$work/upgrade.log" 2>&1 ||
    fail "upgrade: $(tail -20 "$work/upgrade.log")"
check "upgrade lost the administrator's edit" \
    'tail -1 /etc/proofline/proofline.conf | grep -q "edited by the administrator"'
check "upgrade left a .dpkg-dist" '[ ! -e /etc/proofline/proofline.conf.dpkg-dist ]'
[ "$secret" = "$(in_root 'cat /etc/proofline/proofline.conf.d/00-secret.conf')" ] ||
    fail "upgrade changed the secret key"
check "not the new version" "proofline version | grep -qx 'proofline $ver+up1'"
stop_server
start_server
code=$(sign_in)
[ "$code" = 200 ] || fail "after the upgrade the home page answered $code"
say "upgraded; the data and the sign-in survived"

# --- 5. remove, purge ----------------------------------------------------------------
stop_server
in_root 'apt-get remove -y -qq proofline' >"$work/remove.log" 2>&1 ||
    fail "remove: $(cat "$work/remove.log")"
check "remove left the binary" '[ ! -e /usr/bin/proofline ]'
check "remove took the configuration" '[ -f /etc/proofline/proofline.conf ] &&
    [ -f /etc/proofline/proofline.conf.d/00-secret.conf ]'
check "remove took the data" '[ -d /var/lib/proofline/files ] &&
    mariadb -N -e "SELECT slug FROM proofline.tenants" | grep -qx acme'
in_root 'apt-get purge -y -qq proofline' >"$work/purge.log" 2>&1 ||
    fail "purge: $(cat "$work/purge.log")"
check "purge left configuration" '[ ! -e /etc/proofline ]'
check "purge took the data" '[ -d /var/lib/proofline/files ] &&
    mariadb -N -e "SELECT slug FROM proofline.tenants" | grep -qx acme'
grep -q "Kept: the MariaDB database" "$work/purge.log" ||
    fail "purge did not say what it kept: $(cat "$work/purge.log")"
say "remove kept everything; purge removed /etc/proofline and kept the data"
say "ok"

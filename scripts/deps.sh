#!/bin/sh
# deps.sh -- install exactly the Debian packages Proofline still lacks.
#
# Idempotent: each package is paired with a file that proves it is there, so
# a machine that already has (say) nginx-full is not given nginx-light, and a
# machine that has everything makes no apt call at all.  Runs apt-get update
# only when an install is needed.  Uses sudo when not root.
#
# Usage: scripts/deps.sh [build|run|test|deb|deb-test|all]   (default: all)
#   deb: what `make deb` needs besides the build; deb-test: and debootstrap.
set -eu

want=${1:-all}

# package            probe (a file the package installs)
build_pkgs='
gcc                  /usr/bin/gcc
libc6-dev            /usr/include/stdio.h
make                 /usr/bin/make
pkg-config           /usr/bin/pkg-config
libfcgi-dev          /usr/include/fcgiapp.h
libmariadb-dev       /usr/include/mariadb/mysql.h
liblua5.4-dev        /usr/include/lua5.4/lua.h
libcjson-dev         /usr/include/cjson/cJSON.h
libsodium-dev        /usr/include/sodium.h
libcmocka-dev        /usr/include/cmocka.h
libqrencode-dev      /usr/include/qrencode.h
libcurl4-openssl-dev /usr/share/doc/libcurl4-openssl-dev/copyright
zlib1g-dev           /usr/include/zlib.h
libexif-dev          /usr/include/libexif/exif-data.h
libvips-dev          /usr/include/vips/vips.h
libzbar-dev          /usr/include/zbar.h
clang-format         /usr/bin/clang-format
'
run_pkgs='
mariadb-server       /usr/sbin/mariadbd
mariadb-client       /usr/bin/mariadb
nginx-light          /usr/sbin/nginx
procps               /usr/bin/pgrep
tzdata               /usr/share/zoneinfo/America/New_York
'
test_pkgs='
python3              /usr/bin/python3
python3-pytest       /usr/lib/python3/dist-packages/pytest/__init__.py
python3-requests     /usr/lib/python3/dist-packages/requests/__init__.py
python3-selenium     /usr/lib/python3/dist-packages/selenium/__init__.py
chromium             /usr/bin/chromium
chromium-driver      /usr/bin/chromedriver
fonts-wqy-microhei   /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
wrk                  /usr/bin/wrk
qrencode             /usr/bin/qrencode
curl                 /usr/bin/curl
ca-certificates      /etc/ssl/certs/ca-certificates.crt
'

deb_pkgs='
build-essential      /usr/share/build-essential/list
dpkg-dev             /usr/bin/dpkg-buildpackage
debhelper            /usr/bin/dh
'
deb_test_pkgs='
debootstrap          /usr/sbin/debootstrap
'

case "$want" in
build) lists=$build_pkgs ;;
deb) lists="$build_pkgs$deb_pkgs" ;;
deb-test) lists="$build_pkgs$deb_pkgs$deb_test_pkgs" ;;
run) lists="$build_pkgs$run_pkgs" ;;
test | all) lists="$build_pkgs$run_pkgs$test_pkgs" ;;
*)
    echo "usage: $0 [build|run|test|deb|deb-test|all]" >&2
    exit 2
    ;;
esac

missing=$(printf '%s\n' "$lists" | while read -r pkg probe; do
    [ -n "$pkg" ] || continue
    [ -e "$probe" ] || printf '%s ' "$pkg"
done)

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "deps: missing packages: $missing" >&2
        echo "deps: run as root or install sudo" >&2
        exit 1
    fi
else
    SUDO=
fi

echo "deps: installing $missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"

#!/bin/sh
# install.sh -- install Proofline for production (`make install`).
#
#   /usr/local/bin/proofline                 the binary
#   /usr/share/proofline/{templates,sql,lua} templates, migrations, rules
#   /usr/share/proofline/nginx.conf.example  copy to /etc/nginx/conf.d/
#   /etc/proofline/proofline.conf            created once, never overwritten
#   /etc/systemd/system/proofline.service    the unit
#   /var/lib/proofline/{files,tmp}           uploads (owned by proofline)
#
# DESTDIR stages the files (packaging, tests): no user is created and
# nothing is chowned or enabled then.
set -eu
cd "$(dirname "$0")/.."
D=${DESTDIR:-}
SHARE=$D/usr/share/proofline

install -d "$D/usr/local/bin" "$SHARE" "$D/etc/proofline" \
    "$D/etc/systemd/system" "$D/var/lib/proofline/files" \
    "$D/var/lib/proofline/tmp" "$D/usr/share/doc/proofline"
install -m 0755 build/proofline "$D/usr/local/bin/proofline"
rm -rf "$SHARE/templates" "$SHARE/sql" "$SHARE/lua"
cp -R templates sql lua "$SHARE/"
install -m 0644 nginx.conf.example "$SHARE/nginx.conf.example"
install -m 0644 README.md "$D/usr/share/doc/proofline/README.md"
install -m 0644 scripts/proofline.service \
    "$D/etc/systemd/system/proofline.service"

conf=$D/etc/proofline/proofline.conf
if [ ! -f "$conf" ]; then
    umask 027
    key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    cat >"$conf" <<CONF
# Proofline configuration -- see \`proofline config --keys\`.
listen = /run/proofline/proofline.sock
socket_mode = 0660
socket_group = www-data
db_host = localhost
db_user = proofline
db_password = CHANGE-ME
db_name = proofline
cookie_secure = 1
# public_origin = https://sales.example.com
# Encrypts MFA secrets at rest: keep it, and keep it secret.
secret_key = $key
CONF
    echo "install: wrote $conf -- set db_password and public_origin"
fi

if [ -z "$D" ]; then
    getent group proofline >/dev/null || groupadd --system proofline
    getent passwd proofline >/dev/null ||
        useradd --system --gid proofline --home-dir /var/lib/proofline \
            --shell /usr/sbin/nologin proofline
    chown -R proofline:proofline /var/lib/proofline
    chmod 0750 /var/lib/proofline /var/lib/proofline/tmp
    chgrp proofline "$conf"
    command -v systemctl >/dev/null && systemctl daemon-reload || true
    cat <<TXT
install: done.  Next:
  1. create the database and user in MariaDB, put the password in $conf
  2. cp /usr/share/proofline/nginx.conf.example /etc/nginx/conf.d/proofline.conf
     (set server_name and TLS), nginx -t && systemctl reload nginx
  3. systemctl enable --now proofline
TXT
fi

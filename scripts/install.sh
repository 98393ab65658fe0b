#!/bin/sh
# install.sh -- install Proofline for production (`make install`).
#
#   /usr/local/bin/proofline                 the binary
#   /usr/share/proofline/{templates,sql,lua} templates, migrations, rules
#   /usr/share/proofline/nginx.conf.example  copy to /etc/nginx/conf.d/
#   /etc/proofline/proofline.conf            created once, never overwritten
#   /etc/proofline/proofline.conf.d/00-secret.conf   the secret key, once
#   /etc/systemd/system/proofline.{service,socket}   the units
#
# The Debian package (`make deb`, scripts/debian/) is the way on Debian:
# it also creates the user, the folders and the database.  This script
# installs the same files (unit and conffile from scripts/debian/) for
# other systems.
#   /var/lib/proofline/{files,tmp}           uploads (owned by proofline)
#
# DESTDIR stages the files (packaging, tests): no user is created and
# nothing is chowned or enabled then.
set -eu
cd "$(dirname "$0")/.."
D=${DESTDIR:-}
SHARE=$D/usr/share/proofline

install -d "$D/usr/local/bin" "$SHARE" "$D/etc/proofline/proofline.conf.d" \
    "$D/etc/systemd/system" "$D/var/lib/proofline/files" \
    "$D/var/lib/proofline/tmp" "$D/usr/share/doc/proofline"
install -m 0755 build/proofline "$D/usr/local/bin/proofline"
rm -rf "$SHARE/templates" "$SHARE/sql" "$SHARE/lua"
cp -R templates sql lua "$SHARE/"
install -m 0644 nginx.conf.example "$SHARE/nginx.conf.example"
install -m 0644 README.md "$D/usr/share/doc/proofline/README.md"
install -d "$D/usr/local/share/man/man8"
scripts/manpage.sh build/proofline >"$D/usr/local/share/man/man8/proofline.8"
for unit in proofline.service proofline.socket; do
    sed 's|/usr/bin/proofline|/usr/local/bin/proofline|g' \
        "scripts/debian/$unit" >"$D/etc/systemd/system/$unit"
    chmod 0644 "$D/etc/systemd/system/$unit"
done

conf=$D/etc/proofline/proofline.conf
if [ ! -f "$conf" ]; then
    install -m 0640 scripts/debian/proofline.conf "$conf"
    echo "install: wrote $conf -- check the database settings and public_origin"
fi
secret=$D/etc/proofline/proofline.conf.d/00-secret.conf
if [ ! -f "$secret" ]; then
    umask 027
    key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    printf '# Seals the MFA secrets in the database: keep it, keep it secret.\nsecret_key = %s\n' \
        "$key" >"$secret"
fi

if [ -z "$D" ]; then
    getent group proofline >/dev/null || groupadd --system proofline
    getent passwd proofline >/dev/null ||
        useradd --system --gid proofline --home-dir /var/lib/proofline \
            --shell /usr/sbin/nologin proofline
    usermod -a -G www-data proofline
    # As the package: nginx (www-data) may pass through to files/, whose
    # set-group-id group lets it read what the server stores there.
    chown -R proofline:proofline /var/lib/proofline
    chmod 0751 /var/lib/proofline
    chmod 0750 /var/lib/proofline/tmp
    chgrp -R www-data /var/lib/proofline/files
    chmod 2750 /var/lib/proofline/files
    chgrp proofline "$conf" "$secret"
    command -v systemctl >/dev/null && systemctl daemon-reload || true
    cat <<TXT
install: done.  Next:
  1. create the database and its account in MariaDB (see
     scripts/debian/README.Debian), and set the db_* keys in $conf
  2. cp /usr/share/proofline/nginx.conf.example /etc/nginx/conf.d/proofline.conf
     (set server_name and TLS), nginx -t && systemctl reload nginx
  3. systemctl enable --now proofline.socket proofline.service
TXT
fi

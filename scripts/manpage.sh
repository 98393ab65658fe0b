#!/bin/sh
# manpage.sh BINARY -- proofline(8) on stdout, made from the program's own
# help texts (`proofline help`, `proofline COMMAND --help`), so that the
# manual never disagrees with the program.  The package builds it
# (scripts/debian/rules); `man ./build/proofline.8` reads it in a tree.
set -eu
bin=$1

# Text as troff: backslashes escaped; a line starting with . or ' kept
# from being read as a request.
esc() {
    sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
}

version=$("$bin" version | sed 's/^proofline //')
commands=$("$bin" help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$commands" ] || {
    echo "manpage: no commands in '$bin help'" >&2
    exit 1
}

cat <<EOT
.TH PROOFLINE 8 "" "proofline $version" "System Administration"
.SH NAME
proofline \\- evidence-gated sales process management server and tools
.SH SYNOPSIS
.B proofline
.RB [ \\-\\-conf
.IR FILE ]
.I COMMAND
.RI [ OPTIONS ]
.SH DESCRIPTION
Proofline is a self-hosted sales process management system: a FastCGI
server behind nginx with a MariaDB database, and the commands an
operator runs beside it.  Run them as the service's user
(\\fBsudo \\-u proofline proofline ...\\fR), so that the database lets
them in and the files they write belong to it.
.SH COMMANDS
EOT
"$bin" help | sed -n 's/^  \([a-z][a-z-]*\)  *\(.*\)/\1\t\2/p' |
    while IFS="$(printf '\t')" read -r name what; do
        printf '.SS %s\n' "$name"
        printf '%s.\n' "$what" | esc
        printf '.PP\n.nf\n'
        "$bin" "$name" --help 2>&1 | esc
        printf '.fi\n'
    done
cat <<'EOT'
.SH CONFIGURATION
The configuration is read from \fB\-\-conf\fR \fIFILE\fR, else
\fB$PROOFLINE_CONF\fR, else \fI./var/proofline.conf\fR, else
\fI/etc/proofline/proofline.conf\fR; then the files \fI*.conf\fR of the
folder named after it plus \fI.d\fR, in name order; then environment
variables \fBPROOFLINE_\fR\fIKEY\fR.
\fBproofline config \-\-keys\fR lists every key with its default.
.SH FILES
.TP
.I /etc/proofline/proofline.conf
the configuration (the package's conffile)
.TP
.I /etc/proofline/proofline.conf.d/00\-secret.conf
the secret key that seals two-factor secrets, written at install
.TP
.I /usr/share/proofline/
templates, message catalogs, default rules and SQL migrations
.TP
.I /var/lib/proofline/files/
stored files, named by their SHA-256
.TP
.I /run/proofline/proofline.sock
the FastCGI socket nginx connects to (proofline.socket)
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1),
.BR nginx (8),
.BR mariadb (1);
.I /usr/share/doc/proofline/README.Debian
and
.IR /usr/share/doc/proofline/README.md.gz .
EOT

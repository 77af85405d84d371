#!/bin/sh
# Installs oauth1-fcgi: the binary, the shipped templates (copies to start overrides from) and an empty directory for
# overrides, the nginx and Apache snippets, the systemd units, the man page, the docs, and a configuration file unless
# one is there already. `make install` and packaging/build-deb.sh run it; docs/operations.md, "Installing".
#
# Usage: packaging/install.sh BINARY
# Environment: DESTDIR (a staging root, empty by default), PREFIX (/usr/local), SYSCONFDIR (/etc for PREFIX=/usr,
# else PREFIX/etc), UNITDIR (PREFIX/lib/systemd/system).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 BINARY" >&2; exit 2; }
binary=$1
[ -x "$binary" ] || { echo "$0: $binary is not an executable; build it first (make release)" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)

destdir=${DESTDIR:-}
prefix=${PREFIX:-/usr/local}
if [ "$prefix" = /usr ]; then sysconfdir=${SYSCONFDIR:-/etc}; else sysconfdir=${SYSCONFDIR:-$prefix/etc}; fi
unitdir=${UNITDIR:-$prefix/lib/systemd/system}
bindir=$prefix/bin
sharedir=$prefix/share/oauth1-fcgi
docdir=$prefix/share/doc/oauth1-fcgi
man8dir=$prefix/share/man/man8
confdir=$sysconfdir/oauth1-fcgi

install -d "$destdir$bindir" "$destdir$sharedir/nginx" "$destdir$sharedir/apache" "$destdir$sharedir/templates" \
    "$destdir$unitdir" "$destdir$man8dir" "$destdir$docdir" "$destdir$confdir/templates"
install -m 0755 "$binary" "$destdir$bindir/oauth1-fcgi"

# The snippets to include in a server or virtual host; server.conf.in files are the tests' own wrappers, not shipped.
for file in oauth1-fcgi.conf protect-upstream.conf several-hosts.conf; do
    install -m 0644 "$root/nginx/$file" "$destdir$sharedir/nginx/$file"
done
for file in proxy-fcgi.conf fcgid.conf authorizer.conf shared-hosting.htaccess; do
    install -m 0644 "$root/apache/$file" "$destdir$sharedir/apache/$file"
done

# The binary carries these pages; the copies are what an override in OAUTH1_TEMPLATES starts from.
for file in "$root"/www/templates/*.mustache; do
    install -m 0644 "$file" "$destdir$sharedir/templates/"
done

sed "s#@BINDIR@#$bindir#g; s#@SYSCONFDIR@#$sysconfdir#g" "$root/systemd/oauth1-fcgi.service.in" > "$destdir$unitdir/oauth1-fcgi.service"
chmod 0644 "$destdir$unitdir/oauth1-fcgi.service"
install -m 0644 "$root/systemd/oauth1-fcgi.socket" "$destdir$unitdir/oauth1-fcgi.socket"

gzip -9n < "$root/packaging/oauth1-fcgi.8" > "$destdir$man8dir/oauth1-fcgi.8.gz"
chmod 0644 "$destdir$man8dir/oauth1-fcgi.8.gz"

install -m 0644 "$root/README.md" "$destdir$docdir/README.md"
for file in "$root"/docs/*.md; do
    install -m 0644 "$file" "$destdir$docdir/"
done

# An administrator's edited configuration is never overwritten.
if [ -e "$destdir$confdir/oauth1-fcgi.conf" ]; then
    echo "kept $destdir$confdir/oauth1-fcgi.conf; the shipped one is $destdir$sharedir/oauth1-fcgi.conf"
else
    install -m 0644 "$root/packaging/oauth1-fcgi.conf" "$destdir$confdir/oauth1-fcgi.conf"
fi
install -m 0644 "$root/packaging/oauth1-fcgi.conf" "$destdir$sharedir/oauth1-fcgi.conf"

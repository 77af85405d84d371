#!/bin/sh
# Builds dist/oauth1-fcgi_VERSION_ARCH.deb from a built binary with dpkg-deb, offline. `make deb` runs it on the release
# binary; the tests run it on the debug one. docs/operations.md, "Installing".
#
# Usage: packaging/build-deb.sh [--allow-unpackaged-libraries] BINARY OUTDIR
#
# The version is what `BINARY --version` prints, so the package and the binary always agree. Depends: is computed by
# dpkg-shlibdeps from the libraries the binary links (libfcgi, OpenSSL's libcrypto, SQLite, glibc, and for a release
# binary the libgcc_s its static Swift runtime uses; `make release` links libstdc++ statically). Every one of them must
# come from an installed Debian package: a binary that links the Swift toolchain's own runtime (a debug build, or a
# release built without --static-swift-stdlib) would not start where the package is installed, and is refused, unless
# --allow-unpackaged-libraries says it is only for a test.
set -eu

allow_unpackaged=no
if [ "${1:-}" = --allow-unpackaged-libraries ]; then allow_unpackaged=yes; shift; fi
[ $# -eq 2 ] || { echo "usage: $0 [--allow-unpackaged-libraries] BINARY OUTDIR" >&2; exit 2; }
binary=$(readlink -f "$1")
outdir=$2
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$binary" ] || { echo "$0: $binary is not an executable; build it first (make release)" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps readelf strip objcopy; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is missing (make deps-package installs it)" >&2; exit 1; }
done

version=$("$binary" --version)
arch=$(dpkg --print-architecture)
maintainer=${MAINTAINER:-$(git -C "$root" log -1 --format='%an <%ae>' 2>/dev/null || true)}
[ -n "$maintainer" ] || maintainer="oauth1-fcgi maintainers <root@localhost>"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Which package provides each library the binary names in DT_NEEDED, as the dynamic loader finds it (dpkg knows some
# files by their /lib path, others by their /usr/lib one, hence both).
ldd "$binary" > "$work/ldd"
for library in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(awk -v library="$library" '
        $1 == library && $2 == "=>" { print $3; exit }
        $1 ~ ("/" library "$") { print $1; exit }' "$work/ldd")
    echo "$library ${path:-none} $( [ -n "$path" ] && readlink -f "$path" || echo none)"
done > "$work/libraries"
# shellcheck disable=SC2046
dpkg -S $(cut -d' ' -f2,3 "$work/libraries" | tr ' ' '\n' | grep -v '^none$' | sort -u) 2>/dev/null \
    | sed 's/^.*: //' > "$work/owned" || true
unpackaged=$(awk 'NR == FNR { owned[$0] = 1; next } !($2 in owned) && !($3 in owned) { printf " %s", $1 }' "$work/owned" "$work/libraries")
if [ -n "$unpackaged" ]; then
    if [ "$allow_unpackaged" = no ]; then
        echo "$0: $binary links libraries no Debian package provides:$unpackaged" >&2
        echo "$0: package the release binary (make deb builds it with --static-swift-stdlib)" >&2
        exit 1
    fi
    echo "$0: warning: left out of Depends (no Debian package provides them):$unpackaged" >&2
fi

stage=$work/stage
DESTDIR=$stage PREFIX=/usr SYSCONFDIR=/etc UNITDIR=/lib/systemd/system "$root/packaging/install.sh" "$binary" >/dev/null
# dpkg keeps the configuration itself (a conffile): no second copy.
rm "$stage/usr/share/oauth1-fcgi/oauth1-fcgi.conf"
# The shipped binary is stripped whole: its symbol table alone is a third of it. The symbols and debugging sections go
# to OUTDIR/oauth1-fcgi_VERSION_ARCH.debug, which the binary names in .gnu_debuglink: with that file in
# /usr/lib/debug/usr/bin/ (or beside the binary), gdb and the Swift backtracer give a crash's function names again.
mkdir -p "$outdir"
debug_file="$outdir/oauth1-fcgi_${version}_${arch}.debug"
objcopy --only-keep-debug "$stage/usr/bin/oauth1-fcgi" "$debug_file"
strip --strip-all "$stage/usr/bin/oauth1-fcgi"
objcopy --add-gnu-debuglink="$debug_file" "$stage/usr/bin/oauth1-fcgi"
[ "$("$stage/usr/bin/oauth1-fcgi" --version)" = "$version" ] || { echo "$0: the stripped binary does not run" >&2; exit 1; }

mkdir -p "$stage/DEBIAN" "$work/debian"
# dpkg-shlibdeps reads the source package's control file, and looks for libraries next to a package's DEBIAN directory.
printf 'Source: oauth1-fcgi\n\nPackage: oauth1-fcgi\nArchitecture: any\n' > "$work/debian/control"
# Its warnings (libraries it cannot name, such as the Swift runtime just reported) are shown only if it fails.
if ! (cd "$work" && dpkg-shlibdeps -O "stage/usr/bin/oauth1-fcgi" > "$work/shlibs" 2> "$work/shlibs.log"); then
    cat "$work/shlibs.log" >&2
    exit 1
fi
shlibs=$(sed -n 's/^shlibs:Depends=//p' "$work/shlibs")
[ -n "$shlibs" ] || { echo "$0: dpkg-shlibdeps found no dependency" >&2; exit 1; }
# A binary with packed relative relocations (the Makefile's RELEASE_LINK_FLAGS) needs glibc 2.36, which it says by
# requiring the version GLIBC_ABI_DT_RELR; dpkg-shlibdeps counts only the symbols a binary uses, and no symbol carries
# that version, so it would accept an older libc6 on which the binary does not start.
if readelf -V "$binary" | grep -q 'Name: GLIBC_ABI_DT_RELR'; then
    libc=$(printf '%s\n' "$shlibs" | tr ',' '\n' | sed -n 's/^ *libc6 (>= \([^)]*\)).*/\1/p')
    if [ -z "$libc" ] || dpkg --compare-versions "$libc" lt 2.36; then
        shlibs=$(printf '%s\n' "$shlibs" | sed 's/libc6 (>= [^)]*)/libc6 (>= 2.36)/')
    fi
fi

# libpq and hiredis are loaded with dlopen only when OAUTH1_DATABASE_URL or OAUTH1_REDIS_URL asks for them, so they are
# not in DT_NEEDED; the binary names these very packages when it cannot load them (Sources/PostgreSQLAndRedisStore/
# PostgreSQL/LibPQ.swift, Redis/LibHiredis.swift). passwd: postinst creates the system user with useradd.
suggests="libpq5, libhiredis0.14"
depends="$shlibs, passwd"

installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: oauth1-fcgi
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Suggests: $suggests
Section: httpd
Priority: optional
Description: OAuth 1.0a provider (RFC 5849) for FastCGI and CGI
 oauth1-fcgi issues and checks OAuth 1.0a credentials behind nginx or Apache:
 the temporary credential, authorization and token endpoints, a protected
 user resource, sign-in and consent pages, and a gate (nginx auth_request,
 Apache's FastCGI authorizer role) that admits only signed requests. Data
 lives in SQLite, or PostgreSQL and Redis for several hosts.
 .
 The package runs it under systemd with socket activation on
 /run/oauth1-fcgi/oauth1-fcgi.sock, as the system user oauth1-fcgi, with the
 data in /var/lib/oauth1-fcgi; nginx and Apache snippets are in
 /usr/share/oauth1-fcgi.
CONTROL
echo /etc/oauth1-fcgi/oauth1-fcgi.conf > "$stage/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$root/packaging/debian/$script" "$stage/DEBIAN/$script"
done

mkdir -p "$outdir"
package="$outdir/oauth1-fcgi_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$package" >/dev/null
echo "$package"

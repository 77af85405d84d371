#!/usr/bin/env bash
# Writes a complete Apache configuration into PREFIX: apache/server.conf.in around one snippet (a file of
# apache/, already adapted to its paths). Usage: scripts/apache-config.sh PREFIX PORT SNIPPET [DOCROOT]
# DOCROOT (default PREFIX/htdocs) is the site's document root, such as a shared-hosting account's public_html.
# Apache refuses to run its workers as root: as root, they run as www-data, which must be able to read the prefix.
set -euo pipefail
prefix=$1 port=$2 snippet=$3 docroot=${4:-$1/htdocs}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$prefix/run" "$docroot"
user=$(id -un) group=$(id -gn)
if [ "$(id -u)" = 0 ]; then user=www-data group=www-data; fi
sed -e "s#@PREFIX@#$prefix#g" -e "s#@PORT@#$port#g" -e "s#@USER@#$user#" -e "s#@GROUP@#$group#" \
    -e "s#@DOCROOT@#$docroot#g" -e "s#@INCLUDE@#$snippet#" "$root/apache/server.conf.in" > "$prefix/apache2.conf"
/usr/sbin/apache2 -t -f "$prefix/apache2.conf" >/dev/null 2>"$prefix/configtest.log" || { cat "$prefix/configtest.log" >&2; exit 1; }
echo "$prefix/apache2.conf"

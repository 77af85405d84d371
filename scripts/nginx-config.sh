#!/usr/bin/env bash
# Writes an nginx configuration for oauth1-fcgi into PREFIX: nginx/server.conf.in around nginx/oauth1-fcgi.conf,
# with the socket path and port filled in. Usage: scripts/nginx-config.sh PREFIX PORT SOCKET_PATH [EXTRA_CONF]
# EXTRA_CONF, when given, is included in the server block after nginx/protect-upstream.conf (socket path filled in too):
# that is how the tests put locations behind the gate.
set -euo pipefail
prefix=$1 port=$2 socket=$3 extra=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$prefix"
sed "s#unix:/run/oauth1-fcgi/oauth1-fcgi.sock#unix:$socket#" "$root/nginx/oauth1-fcgi.conf" > "$prefix/oauth1-fcgi.conf"
user_directive=""
# As root, nginx would run its workers as nobody, who cannot reach a socket in a 0700 data directory.
[ "$(id -u)" = 0 ] && user_directive="user root root;"
include="$prefix/oauth1-fcgi.conf"
if [ -n "$extra" ]; then
    sed "s#unix:/run/oauth1-fcgi/oauth1-fcgi.sock#unix:$socket#" "$root/nginx/protect-upstream.conf" > "$prefix/protect-upstream.conf"
    cat "$prefix/oauth1-fcgi.conf" "$prefix/protect-upstream.conf" "$extra" > "$prefix/locations.conf"
    include="$prefix/locations.conf"
fi
sed -e "s#@PREFIX@#$prefix#g" -e "s#@PORT@#$port#g" -e "s#@USER_DIRECTIVE@#$user_directive#" \
    -e "s#@INCLUDE@#$include#" "$root/nginx/server.conf.in" > "$prefix/nginx.conf"
echo "$prefix/nginx.conf"

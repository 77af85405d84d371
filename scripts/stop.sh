#!/usr/bin/env bash
# make stop: stops what make run started (the supervisor, which stops its workers, and the demo nginx).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
var="$root/var"
quiet="${1:-}"
say() { [ "$quiet" = quiet ] || echo "$@"; }

stop_pid() {
    local file=$1 name=$2 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        say "stopped $name"
    fi
    rm -f "$file"
}
stop_pid "$var/nginx/nginx.pid" nginx
stop_pid "$var/run/oauth1-fcgi.pid" oauth1-fcgi
exit 0

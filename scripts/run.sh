#!/usr/bin/env bash
# make run: the provider behind an nginx of its own on 127.0.0.1:8080, with a demo user and a demo client.
# Everything lives in ./var (the data directory the admin commands use by default). Safe to run twice.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
var="$root/var"
bin="$root/.build/release/oauth1-fcgi"
port="${OAUTH1_RUN_PORT:-8080}"

export OAUTH1_DATA_DIR="$var"
export OAUTH1_INSECURE_TRANSPORT=true      # plain HTTP on loopback: development only
export OAUTH1_SUPPORTED_SIGNATURE_METHODS="HMAC-SHA1,RSA-SHA1,PLAINTEXT"
export OAUTH1_SITE_NAME="oauth1-fcgi demo"

"$root/scripts/stop.sh" quiet
"$bin" migrate >/dev/null
mkdir -p "$var/run" "$var/log"

if ! "$bin" user list --json | grep -q '"username": "demo"'; then
    echo "demo-password" | "$bin" user add --username demo --password-stdin >/dev/null
fi
if [ ! -f "$var/demo-client-key.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=oauth1-fcgi demo client" \
        -keyout "$var/demo-client-key.pem" -out "$var/demo-client-cert.pem" 2>/dev/null
    chmod 600 "$var/demo-client-key.pem"
fi
if ! "$bin" client show demo-client >/dev/null 2>&1; then
    "$bin" client add --client-id demo-client --name "Demo client" --description "created by make run" \
        --rsa-public-key "$var/demo-client-cert.pem" >/dev/null
fi
secret=$("$bin" client show demo-client | sed -n 's/^client_secret=//p')

socket="$var/run/oauth1-fcgi.sock"
nohup "$bin" serve --listen "unix:$socket" --workers 2 >>"$var/log/oauth1-fcgi.log" 2>&1 </dev/null &
echo $! >"$var/run/oauth1-fcgi.pid"
for _ in $(seq 1 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { echo "oauth1-fcgi did not start; see $var/log/oauth1-fcgi.log" >&2; exit 1; }

conf=$("$root/scripts/nginx-config.sh" "$var/nginx" "$port" "$socket")
if ! nginx -p "$var/nginx" -c "$conf" -e "$var/nginx/error.log" 2>"$var/log/nginx-start.log"; then
    echo "nginx did not start (is port $port free?): $(cat "$var/log/nginx-start.log")" >&2
    "$root/scripts/stop.sh" quiet
    exit 1
fi

for _ in $(seq 1 100); do
    if /usr/bin/python3 -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$port/oauth/health', timeout=2).status == 200 else 1)" 2>/dev/null; then
        ready=1; break
    fi
    sleep 0.1
done
[ "${ready:-}" = 1 ] || { echo "the provider did not answer; see $var/log/" >&2; exit 1; }

cat <<INFO

oauth1-fcgi is running at http://127.0.0.1:$port/oauth/  (plain HTTP: OAUTH1_INSECURE_TRANSPORT=true, for local use only)

  Temporary credentials  POST http://127.0.0.1:$port/oauth/initiate
  Authorization          GET  http://127.0.0.1:$port/oauth/authorize
  Token credentials      POST http://127.0.0.1:$port/oauth/token
  Protected resource     GET  http://127.0.0.1:$port/oauth/user

  Demo user      demo / demo-password
  Demo client    client_id=demo-client
                 client_secret=$secret
                 RSA private key for RSA-SHA1: $var/demo-client-key.pem
  Methods        HMAC-SHA1, RSA-SHA1, PLAINTEXT

  Logs: $var/log/oauth1-fcgi.log, $var/nginx/error.log   Stop: make stop
INFO

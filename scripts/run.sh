#!/usr/bin/env bash
# Sets up, builds and runs the client. Until the desktop app lands this shows the whole path on
# one machine: a local worker server (this repository's, with ECH and a DoH endpoint), a local
# website, and the client on 127.0.0.1:30000 tunnelling to the server; one request goes through
# it and the server's log line shows ECH accepted. The proxy then stays up until Ctrl+C.
#
#   scripts/run.sh                 the local demo
#   scripts/run.sh -f HOST:PORT -token T [flags]   the client against your own worker
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh" > /dev/null
"$ROOT/scripts/build.sh" default > /dev/null
BIN="$ROOT/build/default"

if [ "$#" -gt 0 ]; then
    exec "$BIN/app/ech-workers" "$@"
fi

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

wait_for() { # file pattern
    for _ in $(seq 1 100); do
        grep -q "$2" "$1" 2> /dev/null && return 0
        sleep 0.1
    done
    echo "run: timed out waiting for '$2' in $1" >&2
    cat "$1" >&2
    return 1
}

STATE="${XDG_DATA_HOME:-$HOME/.local/share}/ech-workers/demo-server"
PUBLIC_NAME="ech-demo.test"
TOKEN="demo-token"

"$BIN/tests/support/echw-test-origin" > "$WORK/origin.log" 2>&1 &
PIDS+=($!)
"$BIN/server/ech-workers-server" -l 127.0.0.1:0 -doh -public-name "$PUBLIC_NAME" \
    -token "$TOKEN" -state "$STATE" > "$WORK/server.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/origin.log" "listening"
wait_for "$WORK/server.log" "listening on"
ORIGIN_PORT="$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$WORK/origin.log")"
SERVER_PORT="$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$WORK/server.log")"
CERT="$(sed -n 's/^certificate //p' "$WORK/server.log")"

"$BIN/app/ech-workers" -l 127.0.0.1:30000 -f "localhost:$SERVER_PORT" -token "$TOKEN" \
    -dns "https://127.0.0.1:$SERVER_PORT/dns-query" -ech "$PUBLIC_NAME" -ca "$CERT" \
    -routing global > "$WORK/client.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/client.log" "listening on"

echo "== curl --socks5-hostname 127.0.0.1:30000 http://localhost:$ORIGIN_PORT/hello"
curl -sS --max-time 20 --socks5-hostname 127.0.0.1:30000 "http://localhost:$ORIGIN_PORT/hello"
echo "== the local worker server says:"
grep "ECH accepted" "$WORK/server.log" | tail -n 1
cat << EOT

The proxy runs on 127.0.0.1:30000 (SOCKS5 and HTTP), tunnelling through the local worker
server on 127.0.0.1:$SERVER_PORT with ECH. Try:
  curl --socks5-hostname 127.0.0.1:30000 http://localhost:$ORIGIN_PORT/bytes/1000000 | wc -c
  curl -x http://127.0.0.1:30000 http://localhost:$ORIGIN_PORT/hello
Logs: $WORK/{client,server}.log. Stop with Ctrl+C.
EOT
wait "${PIDS[2]}"

#!/usr/bin/env bash
# Sets up, builds and opens the desktop app. With no server configured yet its dashboard offers
# "Try a local demo server": this repository's worker server (ECH, its own DoH answer) and a
# small website on loopback, with the proxy on the listen address (127.0.0.1:30000) tunnelling
# to them and demo traffic moving through it. Add your own worker in Settings.
#
#   scripts/run.sh                 the desktop app
#   scripts/run.sh --headless      the same local demo with the command-line client (used
#                                  automatically when there is no display)
#   scripts/run.sh -f HOST:PORT -token T [flags]   the command-line client against your worker
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh" > /dev/null
"$ROOT/scripts/build.sh" default > /dev/null
BIN="$ROOT/build/default"

if [ "${1:-}" != "--headless" ] && [ "$#" -gt 0 ]; then
    exec "$BIN/app/ech-workers" "$@"
fi
if [ "${1:-}" != "--headless" ]; then
    if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
        exec "$BIN/app/ech-workers-gui"
    fi
    echo "run: no display found (DISPLAY and WAYLAND_DISPLAY are unset): running the local demo"
    echo "run: with the command-line client instead of the desktop app."
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

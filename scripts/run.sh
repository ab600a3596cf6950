#!/usr/bin/env bash
# Sets up, builds and runs the client. Until the desktop app lands this starts the headless
# proxy on 127.0.0.1:30000 in routing mode "none" (every connection direct); extra arguments
# are passed on, e.g. scripts/run.sh -l 127.0.0.1:1080
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh" > /dev/null
"$ROOT/scripts/build.sh" default > /dev/null
echo "Proxy starting. Try, in another terminal:"
echo "  curl --socks5-hostname 127.0.0.1:30000 https://example.com/"
echo "  curl -x http://127.0.0.1:30000 http://example.com/"
echo "Stop with Ctrl+C."
exec "$ROOT/build/default/app/ech-workers" -f local.invalid:443 -routing none "$@"

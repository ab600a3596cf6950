#!/usr/bin/env bash
# Configures and builds one CMake preset (default: "default"), after scripts/bootstrap.sh.
#   scripts/build.sh [default|asan]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${1:-default}"
OPENSSL_ROOT="$(cat "$ROOT/scripts/openssl-root.txt" 2> /dev/null || true)"
cd "$ROOT"
cmake --preset "$PRESET" -DECHW_OPENSSL_ROOT="$OPENSSL_ROOT" > /dev/null
cmake --build --preset "$PRESET" -j "$(nproc)"

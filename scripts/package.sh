#!/usr/bin/env bash
# Builds the Debian package build/default/package/ech-workers_VERSION_ARCH.deb (installer/):
# sets up what the build needs, builds the three programs and their man pages (not the tests),
# and runs cpack.
#   scripts/package.sh
#   sudo apt install ./build/default/package/ech-workers_*.deb
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh" > /dev/null
OPENSSL_ROOT="$(cat "$ROOT/scripts/openssl-root.txt" 2> /dev/null || true)"
cd "$ROOT"
cmake --preset default -DECHW_OPENSSL_ROOT="$OPENSSL_ROOT" > /dev/null
cmake --build --preset default -j "$(nproc)" --target ech-workers ech-workers-gui \
    ech-workers-server echw_man_pages echw_package_changelog
cpack -G DEB --config build/default/CPackConfig.cmake -B build/default/package > /dev/null
ls "$ROOT"/build/default/package/ech-workers_*.deb

#!/usr/bin/env bash
# Sets up, builds and runs every test: the normal build, then the ASan+UBSan build.
#   scripts/test.sh            both builds
#   ECHW_TEST_PRESETS=default scripts/test.sh    only the normal build
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
for preset in ${ECHW_TEST_PRESETS:-default asan}; do
    echo "== build and test: $preset"
    "$ROOT/scripts/build.sh" "$preset"
    (cd "$ROOT" && ctest --preset "$preset" -j 2)
done

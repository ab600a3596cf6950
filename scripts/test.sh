#!/usr/bin/env bash
# Sets up, builds and runs every test: the normal build, the ASan+UBSan build, then a short run
# of every fuzz target (scripts/fuzz.sh, docs/FUZZING.md).
#   scripts/test.sh            all three
#   ECHW_TEST_PRESETS=default scripts/test.sh    only the normal build
#   ECHW_FUZZ_SECONDS=60 scripts/test.sh         each fuzz target for 60 s instead of 12
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
for preset in ${ECHW_TEST_PRESETS:-default asan fuzz}; do
    echo "== build and test: $preset"
    if [ "$preset" = fuzz ]; then
        "$ROOT/scripts/fuzz.sh" --seconds "${ECHW_FUZZ_SECONDS:-12}"
        continue
    fi
    "$ROOT/scripts/build.sh" "$preset"
    (cd "$ROOT" && ctest --preset "$preset" -j 2)
done

#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset) and runs each one in turn on a scratch copy of
# its seed corpus, so the repository is never written to (docs/FUZZING.md). Exits non-zero when
# any target finds a crash, a leak, a timeout, an out-of-memory or a sanitizer report; the input
# is then in build/fuzz/run/findings/<target>/.
#
#   scripts/fuzz.sh                          every target for 12 s (about five minutes in all)
#   scripts/fuzz.sh --seconds 60             every target for 60 s
#   scripts/fuzz.sh --target dns_message     only this target (repeat for more)
#   scripts/fuzz.sh --long                   the documented run: 600 s per target, and the
#                                            corpora grow on across runs in build/fuzz/long-run
#   scripts/fuzz.sh --list                   the targets, then exit
#   scripts/fuzz.sh --no-build               run what build/fuzz already holds
#   scripts/fuzz.sh --work DIR               scratch corpora, logs and findings under DIR
#
# Needs scripts/bootstrap.sh first (clang, libFuzzer, OpenSSL 4). One target runs at a time, on
# one core: the fuzzer's own -jobs would take every core of a shared machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build/fuzz"
SEEDS="$ROOT/tests/fuzz/corpus"
MANIFEST="$BUILD/tests/fuzz/targets.txt"

seconds=12
long=false
build=true
list=false
work=""
targets=()
# A single input that takes this long is a finding (quadratic parsing, a loop).
input_timeout=10
rss_limit_mb=2048

die() {
    printf 'fuzz: error: %s\n' "$*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --seconds)
        [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "--seconds needs a positive number"
        seconds="$2"
        shift 2
        ;;
    --target)
        [ $# -ge 2 ] || die "--target needs a name (see --list)"
        targets+=("$2")
        shift 2
        ;;
    --long)
        long=true
        seconds=600
        shift
        ;;
    --list)
        list=true
        shift
        ;;
    --no-build)
        build=false
        shift
        ;;
    --work)
        [ $# -ge 2 ] || die "--work needs a directory"
        work="$2"
        shift 2
        ;;
    -h | --help)
        sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
done
if [ -z "$work" ]; then
    if $long; then work="$BUILD/long-run"; else work="$BUILD/run"; fi
fi

if $build; then
    "$ROOT/scripts/build.sh" fuzz
fi
[ -f "$MANIFEST" ] || die "$MANIFEST is missing; build the fuzz preset first (drop --no-build)"

# targets.txt: one "name|binary|dictionary or -" line per target, written by tests/fuzz.
declare -A binary_of dict_of
all=()
while IFS='|' read -r name binary dict; do
    [ -n "$name" ] || continue
    all+=("$name")
    binary_of[$name]="$binary"
    dict_of[$name]="$dict"
done < "$MANIFEST"

if $list; then
    printf '%s\n' "${all[@]}"
    exit 0
fi
if [ "${#targets[@]}" -eq 0 ]; then
    targets=("${all[@]}")
fi
for name in "${targets[@]}"; do
    [ -n "${binary_of[$name]:-}" ] || die "no target $name (see --list)"
done

# A leak or a UB report is a finding like a crash; the halt makes sure the fuzzer sees it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

passed=0
failed=0
failures=()
for name in "${targets[@]}"; do
    corpus="$work/corpus/$name"
    findings="$work/findings/$name"
    log="$work/logs/$name.log"
    # A short run starts from the seeds alone, so its figures compare from run to run.
    $long || rm -rf "$corpus"
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    if [ -d "$SEEDS/$name" ]; then
        cp -n "$SEEDS/$name"/* "$corpus"/ 2> /dev/null || true
    fi
    args=(-max_total_time="$seconds" -timeout="$input_timeout" -rss_limit_mb="$rss_limit_mb"
        -print_final_stats=1 -artifact_prefix="$findings/")
    if [ "${dict_of[$name]}" != "-" ]; then
        args+=(-dict="${dict_of[$name]}")
    fi

    status=0
    started="$(date +%s)"
    "${binary_of[$name]}" "${args[@]}" "$corpus" > "$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - started))

    executions="$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log")"
    coverage="$(awk '{ for (i = 1; i < NF; ++i) if ($i == "cov:") c = $(i + 1) } END { print c }' "$log")"
    inputs="$(find "$corpus" -type f | wc -l)"
    bytes="$(find "$corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')"
    # libFuzzer exits non-zero on what it catches; the grep is for a report that slipped by.
    if [ "$status" -eq 0 ] && ! grep -qE 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$log"; then
        verdict="ok"
        passed=$((passed + 1))
    else
        verdict="FAILED (exit $status)"
        failed=$((failed + 1))
        failures+=("$name")
    fi
    printf 'fuzz %s: %s, %s executions in %s s, corpus %s inputs (%s bytes), coverage %s\n' \
        "$name" "$verdict" "${executions:-?}" "$elapsed" "$inputs" "$bytes" "${coverage:-?}"
    if [ "$verdict" != "ok" ]; then
        { grep -E 'ERROR:|runtime error:|invariant does not hold|reported differently|SUMMARY:|Test unit written' "$log" || true; } |
            head -n 8 | sed 's/^/    /'
        printf '    log: %s\n    inputs: %s\n' "$log" "$findings"
    fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "fuzz: failed: ${failures[*]}"; exit 1; }

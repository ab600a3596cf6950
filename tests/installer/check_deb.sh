#!/usr/bin/env bash
# installer.deb: builds the Debian package from the build tree with cpack, unpacks it into a
# scratch root (dpkg -x) and checks what a user gets: the three programs run from there with
# nothing but system libraries, each has a man page, the desktop entry, the AppStream metainfo
# and both systemd units are valid, and lintian reports no error.
#   check_deb.sh BUILD_DIR/CPackConfig.cmake WORK_DIR
set -euo pipefail

config="$1"
work="$2"
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

rm -rf "$work"
mkdir -p "$work"
start=$SECONDS
if ! cpack -G DEB --config "$config" -B "$work/out" > "$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    echo "FAIL: cpack could not build the package" >&2
    exit 1
fi
debs=("$work"/out/*.deb)
if [ "${#debs[@]}" -ne 1 ] || [ ! -f "${debs[0]}" ]; then
    echo "FAIL: cpack made no single .deb in $work/out" >&2
    exit 1
fi
deb="${debs[0]}"
echo "package $(basename "$deb"): $(stat -c %s "$deb") bytes, cpack $((SECONDS - start)) s"
dpkg-deb --field "$deb" Package Version Architecture Depends Installed-Size

root="$work/root"
dpkg -x "$deb" "$root"

# Qt comes from the system, so dpkg-shlibdeps must have named it.
depends="$(dpkg-deb --field "$deb" Depends)"
grep -q 'libqt6core6' <<< "$depends" || fail "Depends names no Qt 6 library: '$depends'"

for program in ech-workers ech-workers-gui ech-workers-server; do
    binary="$root/usr/bin/$program"
    if [ ! -x "$binary" ]; then
        fail "the package has no /usr/bin/$program"
        continue
    fi
    missing="$(ldd "$binary" | grep 'not found' || true)"
    [ -z "$missing" ] || fail "$program needs libraries the system lacks: $missing"
    page="$root/usr/share/man/man1/$program.1.gz"
    # Generated from --help: the title and the synopsis name the program.
    if [ ! -f "$page" ]; then
        fail "no man page for $program"
    elif ! gzip -dc "$page" | grep -q "^\.TH ${program^^} " ||
        ! gzip -dc "$page" | grep -q "^\.B $program\$"; then
        fail "the man page of $program is not the page of $program --help"
    fi
done

# The programs run from the unpacked tree: no LD_LIBRARY_PATH, no build tree.
run_help() {
    local program="$1" expected="$2"
    local output
    if ! output="$(env -u LD_LIBRARY_PATH QT_QPA_PLATFORM=offscreen "$root/usr/bin/$program" --help 2>&1)"; then
        fail "$program --help failed: $output"
    elif ! grep -q -- "$expected" <<< "$output"; then
        fail "$program --help does not say '$expected': $output"
    fi
}
run_help ech-workers '^Usage: ech-workers -f HOST:PORT'
run_help ech-workers-server '^Usage: ech-workers-server '
run_help ech-workers-gui '--demo'

desktop="$root/usr/share/applications/ech-workers.desktop"
if [ ! -f "$desktop" ]; then
    fail "no desktop entry ech-workers.desktop (the name the app gives Qt)"
elif ! output="$(desktop-file-validate "$desktop" 2>&1)" || [ -n "$output" ]; then
    fail "desktop-file-validate: $output"
fi

metainfo=("$root"/usr/share/metainfo/*.metainfo.xml)
if [ "${#metainfo[@]}" -ne 1 ] || [ ! -f "${metainfo[0]}" ]; then
    fail "no single AppStream metainfo file in /usr/share/metainfo"
else
    appstreamcli validate --no-net "${metainfo[0]}" || fail "appstreamcli validate: see above"
    grep -q '<launchable type="desktop-id">ech-workers.desktop</launchable>' "${metainfo[0]}" ||
        fail "the metainfo does not launch ech-workers.desktop"
fi

icon="$root/usr/share/icons/hicolor/scalable/apps/ech-workers.svg"
if [ ! -f "$icon" ] || ! grep -q '<svg' "$icon"; then
    fail "no SVG icon ech-workers.svg"
fi
for state in stopped starting running failing; do
    status_icon="$root/usr/share/icons/hicolor/scalable/status/ech-workers-$state.svg"
    if [ ! -f "$status_icon" ] || ! grep -q '<svg' "$status_icon"; then
        fail "no SVG tray icon ech-workers-$state.svg"
    fi
done

# The units as systemd reads them. systemd-analyze prints a line for every unknown key or bad
# value but still exits 0, so any output fails. ExecStart is pointed at the unpacked program
# (verify checks it exists); the man pages were checked above.
check_unit() {
    local unit="$1" program="$2" environment_file="$3"
    shift 3
    if [ ! -f "$unit" ]; then
        fail "no unit $unit"
        return
    fi
    grep -qx "EnvironmentFile=$environment_file" "$unit" ||
        fail "$(basename "$unit") does not read $environment_file"
    if grep -E '^ExecStart=.*-(token|auth) ' "$unit"; then
        fail "$(basename "$unit") puts a secret on the command line"
    fi
    local copy
    copy="$work/units/$(basename "$unit")"
    sed "s|^ExecStart=$program |ExecStart=$root/usr/bin/$program |" "$unit" > "$copy"
    local output
    if ! output="$(XDG_RUNTIME_DIR="$work/units" systemd-analyze verify --man=no "$@" "$copy" 2>&1)" ||
        [ -n "$output" ]; then
        fail "systemd-analyze verify $(basename "$unit"): $output"
    fi
}
# systemd-analyze --user wants a runtime folder of the user's own.
mkdir -m 700 "$work/units"
check_unit "$root/usr/lib/systemd/user/ech-workers.service" ech-workers \
    '%E/ech-workers/client.env' --user
check_unit "$root/usr/lib/systemd/system/ech-workers-server.service" ech-workers-server \
    '/etc/ech-workers/server.env'
# The examples of the environment files work as the units use them: the program gets the
# file's variables, as systemd hands them over, and the words of its ARGS variable as flags,
# plus a free loopback port (a later flag wins) and, for the server, a state folder of the
# test's own. It must get to "listening on" and stop cleanly on SIGTERM.
start_with_example() {
    local example="$1" program="$2" args_variable="$3" expected="$4"
    shift 4
    if [ ! -f "$example" ]; then
        fail "no example $(basename "$example") in the package's doc folder"
        return
    fi
    local -a variables=()
    local line
    while IFS= read -r line; do
        [[ -z "$line" || "$line" == \#* ]] || variables+=("$line")
    done < "$example"
    local args
    args="$(env -i "${variables[@]}" printenv "$args_variable")" ||
        fail "$(basename "$example") sets no $args_variable"
    local log="$work/$program.log"
    mkdir -p "$work/home"
    # shellcheck disable=SC2086 # the ARGS variable is split into words, as systemd does
    env -i HOME="$work/home" PATH=/usr/bin:/bin "${variables[@]}" \
        "$root/usr/bin/$program" $args "$@" > "$log" 2>&1 &
    local pid=$! waited
    # The server logs the expected line just after "listening on": wait for both.
    for waited in $(seq 100); do
        grep -q 'listening on' "$log" && grep -q -- "$expected" "$log" && break
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    if ! grep -q 'listening on' "$log" || ! grep -q -- "$expected" "$log"; then
        kill -KILL "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
        fail "$program did not start with $(basename "$example") and log '$expected'" \
            "(${waited}00 ms): $(cat "$log")"
        return
    fi
    kill -TERM "$pid"
    local status=0
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || fail "$program exited with $status on SIGTERM: $(cat "$log")"
}
examples="$root/usr/share/doc/ech-workers/examples"
start_with_example "$examples/client.env" ech-workers ECH_WORKERS_ARGS 'routing bypass_cn' \
    -l 127.0.0.1:0
start_with_example "$examples/server.env" ech-workers-server ECH_WORKERS_SERVER_ARGS 'token set' \
    -state "$work/server-state" -l 127.0.0.1:0

# lintian exits non-zero when it finds an error (its default --fail-on error) and when it
# cannot read the package at all. Warnings are printed for the record.
start=$SECONDS
lintian_status=0
lintian_output="$(lintian "$deb" 2>&1)" || lintian_status=$?
echo "lintian ($((SECONDS - start)) s, exit $lintian_status):"
echo "$lintian_output"
if [ "$lintian_status" -ne 0 ] || grep -q '^E: ' <<< "$lintian_output"; then
    fail "lintian reports errors or could not check the package"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all checks passed"

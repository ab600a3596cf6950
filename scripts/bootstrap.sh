#!/usr/bin/env bash
# Sets up everything the build needs on Debian 12 / Ubuntu. Safe to run again: every step
# checks what is already there first.
#
#   scripts/bootstrap.sh            install packages, provide OpenSSL >= 4.0 with ECH
#   scripts/bootstrap.sh --bench    the same, and workerd (Cloudflare's worker runtime, from npm)
#                                   in third_party/workerd for echw-bench --worker workerd
#
# Environment:
#   ECHW_OPENSSL_SRC=/path/openssl-4.x.tar.gz   build OpenSSL from this tarball (no download)
#   ECHW_OPENSSL_CACHE=DIR                       where downloaded tarballs are kept
#                                                (default: ~/.cache/ech-workers/openssl)
#
# On success the last line printed is the CMake option that points the build at OpenSSL,
# and scripts/openssl-root.txt (ignored by git) holds the same path for the other scripts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OPENSSL_PREFIX="$ROOT/third_party/openssl-4"
OPENSSL_STAMP="$OPENSSL_PREFIX/.echw-built"
CACHE_DIR="${ECHW_OPENSSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ech-workers/openssl}"

TEMP_DIRS=()
cleanup() { [ "${#TEMP_DIRS[@]}" -eq 0 ] || rm -rf "${TEMP_DIRS[@]}"; }
trap cleanup EXIT

log() { printf 'bootstrap: %s\n' "$*" >&2; }
die() {
    printf 'bootstrap: error: %s\n' "$*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo > /dev/null; then
        sudo "$@"
    else
        die "need root for: $* (install sudo or run as root)"
    fi
}

# help2man makes the man pages from --help at build time (installer/); lintian, appstreamcli,
# desktop-file-validate and systemd-analyze check the Debian package in installer.deb.
PACKAGES=(
    build-essential cmake ninja-build pkg-config perl ca-certificates curl dpkg-dev
    qt6-base-dev qt6-svg-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    libqcustomplot-dev libgl-dev
    # Qt's own texts (OK, Cancel, Apply ...) in the user's language: qtbase_*.qm.
    qt6-translations-l10n
    xvfb xauth
    clang
    # The system proxy's tests: a private session bus, GSettings through dconf, KDE's tools.
    dbus-daemon dbus-bin libglib2.0-bin dconf-gsettings-backend dconf-service
    gsettings-desktop-schemas libkf5config-bin
    help2man
    lintian appstream desktop-file-utils systemd
)

# integration.metrics checks the /metrics output with promtool. It ships in the Debian package
# prometheus, which would also install (and on systemd hosts start) a Prometheus server; the
# package is only downloaded and promtool taken out of it, into third_party/promtool.
PROMTOOL_DIR="$ROOT/third_party/promtool"

install_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "packages: all present"
        return
    fi
    log "packages: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" > /dev/null
}

system_openssl_has_ech() {
    printf '#include <openssl/ech.h>\n#include <openssl/opensslv.h>\n#if OPENSSL_VERSION_MAJOR < 4\n#error old\n#endif\n' |
        cc -x c -E - > /dev/null 2>&1
}

# Prints "URI|SIGNED_BY|DISTRO" for the system's main archive, read from its apt sources.
system_archive() {
    local distro uri="" signed=""
    distro="$(. /etc/os-release && echo "${ID:-debian}")"
    local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
    for f in "${files[@]}"; do
        [ -f "$f" ] || continue
        case "$f" in
        *.sources)
            # deb822: take the first stanza whose Suites has no "-security"/"-updates" suffix.
            uri="$(awk -v RS= '/Types:[^\n]*deb/ && !/Suites:[^\n]*-security/ {
                    if (match($0, /URIs:[ \t]*[^ \t\n]+/)) {
                        s = substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit } }' "$f")"
            signed="$(awk -v RS= '/Types:[^\n]*deb/ && !/Suites:[^\n]*-security/ {
                    if (match($0, /Signed-By:[ \t]*[^ \t\n]+/)) {
                        s = substr($0, RSTART, RLENGTH); sub(/Signed-By:[ \t]*/, "", s); print s; exit } }' "$f")"
            ;;
        *)
            uri="$(awk '$1 == "deb" || $1 == "deb-src" {
                    for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) !~ /-security/) { print $i; exit } } }' "$f")"
            ;;
        esac
        [ -n "$uri" ] && break
    done
    [ -n "$uri" ] || return 1
    printf '%s|%s|%s\n' "$uri" "$signed" "$distro"
}

# Downloads the newest OpenSSL 4.x source the archive's development suites serve, through a
# private apt configuration (the system's apt configuration is never touched), into CACHE_DIR.
download_openssl_source() {
    local archive uri signed distro suites
    archive="$(system_archive)" || die "no apt archive found in /etc/apt; set ECHW_OPENSSL_SRC"
    IFS='|' read -r uri signed distro <<< "$archive"
    case "$distro" in
    ubuntu) suites=(devel) ;;
    *) suites=(experimental unstable) ;;
    esac

    local apt_dir
    apt_dir="$(mktemp -d)"
    TEMP_DIRS+=("$apt_dir")
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    touch "$apt_dir/status"
    local opts="${signed:+[signed-by=$signed] }"
    for s in "${suites[@]}"; do
        echo "deb-src $opts$uri $s main" >> "$apt_dir/sources.list"
    done
    local apt_opts=(
        -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
        -o "Dir::State::status=$apt_dir/status" -o "APT::Sandbox::User=root"
    )
    log "openssl: reading source index of ${suites[*]} from the system's archive"
    apt-get "${apt_opts[@]}" -qq update || die "apt-get update of the private source list failed"

    local versions
    versions="$(apt-cache "${apt_opts[@]}" showsrc openssl 2> /dev/null |
        awk '/^Version: 4\./ { print $2 }' | sort -rV | uniq)"
    [ -n "$versions" ] || die "no OpenSSL 4.x source in ${suites[*]}; set ECHW_OPENSSL_SRC"

    mkdir -p "$CACHE_DIR"
    local work="$apt_dir/download"
    mkdir -p "$work"
    for v in $versions; do
        log "openssl: trying source $v"
        # apt-get source checks the .dsc and tarball hashes against the signed index.
        if (cd "$work" && apt-get "${apt_opts[@]}" -qq source --download-only "openssl=$v" > /dev/null 2>&1); then
            local tarball
            tarball="$(ls "$work"/openssl_*.orig.tar.* 2> /dev/null | head -n1)"
            [ -n "$tarball" ] || continue
            mv "$tarball" "$CACHE_DIR/"
            log "openssl: cached $(basename "$tarball")"
            return 0
        fi
        rm -f "$work"/*
    done
    die "no OpenSSL 4.x source version could be downloaded (tried: $(echo $versions)); set ECHW_OPENSSL_SRC"
}

openssl_tarball() {
    if [ -n "${ECHW_OPENSSL_SRC:-}" ]; then
        [ -f "$ECHW_OPENSSL_SRC" ] || die "ECHW_OPENSSL_SRC=$ECHW_OPENSSL_SRC is not a file"
        echo "$ECHW_OPENSSL_SRC"
        return
    fi
    local cached
    cached="$(ls "$CACHE_DIR"/openssl_4*.orig.tar.* 2> /dev/null | sort -V | tail -n1 || true)"
    if [ -z "$cached" ]; then
        download_openssl_source
        cached="$(ls "$CACHE_DIR"/openssl_4*.orig.tar.* | sort -V | tail -n1)"
    fi
    echo "$cached"
}

build_openssl() {
    local tarball="$1"
    local id
    id="$(basename "$tarball")"
    if [ -f "$OPENSSL_STAMP" ] && [ "$(cat "$OPENSSL_STAMP")" = "$id" ]; then
        log "openssl: $id already built in $OPENSSL_PREFIX"
        return
    fi
    local src="$ROOT/third_party/openssl-src"
    rm -rf "$src" "$OPENSSL_PREFIX"
    mkdir -p "$src"
    log "openssl: building $id (static, about two minutes on two cores)"
    tar -xf "$tarball" -C "$src" --strip-components=1
    (
        cd "$src"
        ./Configure no-shared no-tests no-docs no-apps no-module \
            --prefix="$OPENSSL_PREFIX" --libdir=lib > "$src/configure.log" 2>&1 ||
            { tail -n 30 "$src/configure.log" >&2; exit 1; }
        make -j"$(nproc)" build_libs > "$src/build.log" 2>&1 || { tail -n 30 "$src/build.log" >&2; exit 1; }
        make install_dev > "$src/install.log" 2>&1 || { tail -n 30 "$src/install.log" >&2; exit 1; }
    ) || die "OpenSSL build failed (logs in $src)"
    [ -f "$OPENSSL_PREFIX/include/openssl/ech.h" ] || die "built OpenSSL has no openssl/ech.h"
    echo "$id" > "$OPENSSL_STAMP"
    rm -rf "$src"
}

# The fuzz stage (scripts/fuzz.sh) links clang's libFuzzer and sanitizer runtimes, which Debian
# ships apart from clang, in libclang-rt-<clang's major version>-dev. Trying a link tells
# whether they are there, whichever version the distribution's clang is.
provide_libfuzzer() {
    local work
    work="$(mktemp -d)"
    TEMP_DIRS+=("$work")
    printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' > "$work/probe.cpp"
    if clang++ -fsanitize=fuzzer,address,undefined "$work/probe.cpp" -o "$work/probe" > /dev/null 2>&1; then
        log "libFuzzer: present"
        return
    fi
    local package
    package="libclang-rt-$(clang++ -dumpversion | cut -d. -f1)-dev"
    log "libFuzzer: installing $package"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "$package" > /dev/null
    clang++ -fsanitize=fuzzer,address,undefined "$work/probe.cpp" -o "$work/probe" > /dev/null 2>&1 ||
        die "clang++ cannot link a libFuzzer target even with $package"
}

provide_promtool() {
    if [ -x "$PROMTOOL_DIR/promtool" ]; then
        log "promtool: present"
        return
    fi
    local work
    work="$(mktemp -d)"
    TEMP_DIRS+=("$work")
    # apt-get download needs no root, but current package lists.
    (cd "$work" && apt-get download prometheus > /dev/null 2>&1) ||
        { as_root apt-get update -qq && (cd "$work" && apt-get download prometheus > /dev/null); } ||
        die "could not download the package prometheus (for promtool)"
    dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
    mkdir -p "$PROMTOOL_DIR"
    install -m 0755 "$work/root/usr/bin/promtool" "$PROMTOOL_DIR/promtool"
    log "promtool: $("$PROMTOOL_DIR/promtool" --version 2>&1 | head -n 1)"
}

# The benchmarks' workerd target (docs/BENCHMARKS.md) runs bench/workerd/worker.js in the runtime
# the deployed worker runs in. Only the benchmarks and one case of integration.forward use it (that
# case skips without it), so it is installed on request: a pinned version, so that figures from
# different days come from the same runtime.
WORKERD_VERSION=1.20261123.1
WORKERD_DIR="$ROOT/third_party/workerd"

provide_workerd() {
    local binary="$WORKERD_DIR/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
    if [ -x "$binary" ] && "$binary" --version > /dev/null 2>&1; then
        log "workerd: $("$binary" --version)"
        return
    fi
    command -v npm > /dev/null || {
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            nodejs npm > /dev/null
    }
    mkdir -p "$WORKERD_DIR"
    npm install --prefix "$WORKERD_DIR" --no-audit --no-fund --silent \
        "workerd@$WORKERD_VERSION" || die "npm could not install workerd@$WORKERD_VERSION"
    [ -x "$binary" ] || die "workerd@$WORKERD_VERSION has no binary for this platform ($binary)"
    log "workerd: $("$binary" --version)"
}

main() {
    local bench=false
    for arg in "$@"; do
        case "$arg" in
        --bench) bench=true ;;
        *) die "unknown option $arg (known: --bench)" ;;
        esac
    done
    install_packages
    provide_libfuzzer
    provide_promtool
    if [ "$bench" = true ]; then
        provide_workerd
    fi
    local root_file="$ROOT/scripts/openssl-root.txt"
    if system_openssl_has_ech; then
        log "openssl: the system's OpenSSL has ECH; using it"
        : > "$root_file"
    else
        build_openssl "$(openssl_tarball)"
        echo "$OPENSSL_PREFIX" > "$root_file"
    fi
    echo "-DECHW_OPENSSL_ROOT=$(cat "$root_file")"
}

main "$@"

#!/bin/sh
# Runs a command in a private desktop session: its own session bus (dbus-run-session), dconf
# as the GSettings backend and scratch home and XDG folders, so a test of the system proxy
# changes nobody's real settings. The desktop name comes from ECHW_TEST_DESKTOP (default GNOME).
set -eu
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/config" "$scratch/data" "$scratch/cache" "$scratch/state"
mkdir -m 700 "$scratch/runtime"
export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data"
export XDG_CACHE_HOME="$scratch/cache" XDG_STATE_HOME="$scratch/state"
export XDG_RUNTIME_DIR="$scratch/runtime" GSETTINGS_BACKEND=dconf
export XDG_CURRENT_DESKTOP="${ECHW_TEST_DESKTOP:-GNOME}"
unset DBUS_SESSION_BUS_ADDRESS
dbus-run-session -- "$@"

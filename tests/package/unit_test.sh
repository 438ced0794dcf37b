#!/bin/sh
# The unit as meson install writes it (build/pigeonhubd.service): `systemd-analyze verify` prints nothing (a warning
# fails: it exits 0 on most of them), and `systemd-analyze security --offline=true` rates its exposure <= 1.2.
# Usage: unit_test.sh BUILT_UNIT PIGEONHUBD
set -eu
unit=$1 binary=$2
max_exposure=1.2

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: systemd-analyze is missing (Debian package systemd); the unit is not checked" >&2
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify wants ExecStart's binary to exist: point it at this build's.
sed "s|^ExecStart=[^ ]*|ExecStart=$binary|" "$unit" > "$tmp/pigeonhubd.service"

out=$(systemd-analyze verify "$tmp/pigeonhubd.service" 2>&1) || { echo "$out" >&2; echo "FAIL: verify failed" >&2; exit 1; }
if [ -n "$out" ]; then
    echo "$out" >&2
    echo "FAIL: systemd-analyze verify printed the above (warnings count as failures)" >&2
    exit 1
fi
echo "ok: systemd-analyze verify: no output"

security=$(systemd-analyze security --offline=true "$tmp/pigeonhubd.service" 2>&1) || true
exposure=$(printf '%s\n' "$security" | sed -n 's/.*Overall exposure level for pigeonhubd.service: \([0-9.]*\).*/\1/p')
if [ -z "$exposure" ]; then
    printf '%s\n' "$security" >&2
    echo "FAIL: no exposure level in the output of systemd-analyze security" >&2
    exit 1
fi
if ! awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
    printf '%s\n' "$security" | grep -v '^✓' >&2
    echo "FAIL: exposure $exposure > $max_exposure (the lines above are the unhardened settings)" >&2
    exit 1
fi
echo "ok: systemd-analyze security exposure $exposure (<= $max_exposure)"

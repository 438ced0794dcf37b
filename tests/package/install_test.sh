#!/bin/sh
# `meson install --destdir` of this build: the binaries, the unit (its ExecStart the installed binary), the defaults
# file, the public headers and the README the unit points to are all there, and the installed hub serves the demo.
# Usage: install_test.sh BUILD_DIR BINDIR UNITDIR SYSCONFDIR INCLUDEDIR DOCDIR   (absolute, as meson configured them)
set -eu
build=$1 bindir=$2 unitdir=$3 sysconfdir=$4 includedir=$5 docdir=$6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/log" 2>&1 || {
    cat "$tmp/log" >&2
    echo "FAIL: meson install" >&2
    exit 1
}
(cd "$tmp/root" && find . -type f -o -type l | sed 's|^\.||' | sort) >"$tmp/files"
echo "installed:"
sed 's/^/  /' "$tmp/files"

fail=0
for f in "$bindir/pigeonhubd" "$unitdir/pigeonhubd.service" "$sysconfdir/default/pigeonhubd" \
         "$includedir/pigeonhub/config.h" "$includedir/pigeonhub/bootstrap.h" "$includedir/pigeonhub/peer_id.h" \
         "$includedir/pigeonhub/version.h" "$docdir/README.md"; do
    grep -qx "$f" "$tmp/files" || { echo "FAIL: $f not installed" >&2; fail=1; }
done
# The CLI and the man pages are installed once they exist in the tree.
src=$(dirname "$0")/../..
[ ! -f "$src/tools/pigeonhub.cpp" ] || grep -qx "$bindir/pigeonhub" "$tmp/files" ||
    { echo "FAIL: tools/pigeonhub.cpp exists but $bindir/pigeonhub is not installed" >&2; fail=1; }
for page in "$src"/man/*.[0-9]; do
    [ -f "$page" ] || continue
    n=$(basename "$page")
    grep -q "/man${n##*.}/$n" "$tmp/files" || { echo "FAIL: man page $n not installed" >&2; fail=1; }
done
[ -x "$tmp/root$bindir/pigeonhubd" ] || { echo "FAIL: $bindir/pigeonhubd is not executable" >&2; fail=1; }
unit="$tmp/root$unitdir/pigeonhubd.service"
if [ -f "$unit" ]; then
    grep -qx "ExecStart=$bindir/pigeonhubd" "$unit" || { echo "FAIL: the unit does not start $bindir/pigeonhubd" >&2; fail=1; }
    grep -qx "EnvironmentFile=-$sysconfdir/default/pigeonhubd" "$unit" ||
        { echo "FAIL: the unit does not read $sysconfdir/default/pigeonhubd" >&2; fail=1; }
    ! grep -q '@[A-Z]*@' "$unit" || { echo "FAIL: placeholders left in the unit" >&2; fail=1; }
fi
# The installed hub serves the demo page and the client it imports from its own binary: run it from an empty
# directory, away from the source tree, on 127.0.0.1 and free ports.
mkdir "$tmp/state" "$tmp/run"
(cd "$tmp/run" && HOST=127.0.0.1 PORT=0 DHT_PORT=0 DHT_BIND=127.0.0.1 STATE_DIR="$tmp/state" \
    exec "$tmp/root$bindir/pigeonhubd" >"$tmp/hub.out" 2>"$tmp/hub.err") &
hub=$!
port=
for _ in $(seq 100); do
    port=$(grep -m1 -x '[0-9][0-9]*' "$tmp/hub.out" 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "FAIL: the installed pigeonhubd did not start: $(cat "$tmp/hub.err")" >&2; fail=1
else
    curl -sSf "http://127.0.0.1:$port/demo/" | grep -q '<title>PigeonHub demo</title>' ||
        { echo "FAIL: the installed hub does not serve /demo/" >&2; fail=1; }
    curl -sSf "http://127.0.0.1:$port/demo/pigeonhub/src/signaling-client.js" | grep -q 'export class SignalingClient' ||
        { echo "FAIL: the installed hub does not serve the client at /demo/pigeonhub/" >&2; fail=1; }
fi
kill "$hub" 2>/dev/null || true
wait "$hub" 2>/dev/null || true
[ "$fail" -eq 0 ] && echo "ok: meson install"
exit "$fail"

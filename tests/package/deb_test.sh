#!/bin/sh
# The Debian package: `dpkg-buildpackage -us -uc -b` in a copy of the source tree, then its file list, conffiles, the
# unit's postinst (dh_installsystemd) and the packaged unit's ExecStart. A second full build of the tree (224 s at
# -j1 on the 2-core dev machine, loaded): PIGEONHUB_DEB_TEST=0 skips it; PIGEONHUB_DEB_JOBS (default: every core).
# Usage: deb_test.sh SOURCE_ROOT
set -eu
src=$(cd "$1" && pwd)

if [ "${PIGEONHUB_DEB_TEST:-1}" = 0 ]; then
    echo "SKIP: PIGEONHUB_DEB_TEST=0" >&2
    exit 77
fi
for tool in dpkg-buildpackage dpkg-deb dh; do
    command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool is missing (apt-get install dpkg-dev debhelper)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The files git knows (committed or not, never build/ or node_modules/), else the tree without those.
mkdir "$tmp/pigeonhub"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard | grep -zv '^node_modules' |
        xargs -0 cp --parents -t "$tmp/pigeonhub" 2>/dev/null || true)
else
    (cd "$src" && tar -cf - --exclude=./build --exclude='./build-*' --exclude=./node_modules --exclude=./.git .) |
        (cd "$tmp/pigeonhub" && tar -xf -)
fi
[ -f "$tmp/pigeonhub/debian/rules" ] || { echo "FAIL: no debian/rules in the copy" >&2; exit 1; }

start=$(date +%s)
(cd "$tmp/pigeonhub" && DEB_BUILD_OPTIONS="nocheck parallel=${PIGEONHUB_DEB_JOBS:-$(nproc)}" \
    dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1) || {
    tail -n 60 "$tmp/build.log" >&2
    echo "FAIL: dpkg-buildpackage (the last 60 lines above)" >&2
    exit 1
}
echo "dpkg-buildpackage took $(($(date +%s) - start)) s"
deb=$(ls "$tmp"/pigeonhub_*.deb)
echo "built $(basename "$deb")"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' | sort >"$tmp/files"
sed 's/^/  /' "$tmp/files"

fail=0
for f in /usr/bin/pigeonhubd /lib/systemd/system/pigeonhubd.service /etc/default/pigeonhubd \
         /usr/share/doc/pigeonhub/README.md /usr/share/doc/pigeonhub/copyright; do
    grep -qx "$f" "$tmp/files" || { echo "FAIL: $f is not in the package" >&2; fail=1; }
done
! grep -q '^/usr/include' "$tmp/files" || { echo "FAIL: headers in the package" >&2; fail=1; }
[ ! -f "$src/tools/pigeonhub.cpp" ] || grep -qx /usr/bin/pigeonhub "$tmp/files" ||
    { echo "FAIL: the CLI /usr/bin/pigeonhub is not in the package" >&2; fail=1; }
for page in "$src"/man/*.[0-9]; do
    [ -f "$page" ] || continue
    n=$(basename "$page")
    grep -q "/man${n##*.}/$n" "$tmp/files" || { echo "FAIL: man page $n is not in the package" >&2; fail=1; }
done
mkdir "$tmp/control"
dpkg-deb -e "$deb" "$tmp/control"
grep -qx /etc/default/pigeonhubd "$tmp/control/conffiles" || { echo "FAIL: /etc/default/pigeonhubd is not a conffile" >&2; fail=1; }
# dh_installsystemd: enabled and started on install, restarted on upgrade.
grep -q 'deb-systemd-helper.*pigeonhubd.service' "$tmp/control/postinst" ||
    { echo "FAIL: postinst does not enable pigeonhubd.service (dh_installsystemd)" >&2; fail=1; }
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/pigeonhubd.service | grep -qx 'ExecStart=/usr/bin/pigeonhubd' ||
    { echo "FAIL: the packaged unit does not start /usr/bin/pigeonhubd" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "ok: $(basename "$deb")"
exit "$fail"

#!/bin/sh
# Rewrites the OPTIONS section of man/pigeonhubd.8 from `pigeonhubd --help`, so the two never disagree:
#   tools/man-options.sh [PIGEONHUBD] [MAN]        (build/pigeonhubd, man/pigeonhubd.8)
#   tools/man-options.sh --check PIGEONHUBD MAN    exit 1 (and print the difference) if MAN is not what it would write
# (meson test man_page runs the check.) Everything outside OPTIONS is kept as written.
set -eu
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
cd "$(dirname "$0")/.."
bin=${1:-build/pigeonhubd}
man=${2:-man/pigeonhubd.8}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$bin" --help | awk -v manfile="$man" '
function roff(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); return s }
function flush() { if (opt != "") { print ".TP"; print ".B " roff(opt); print roff(desc) } opt = ""; desc = "" }
BEGIN {
    # The page up to and including ".SH OPTIONS", and from the next ".SH" on.
    while ((getline line < manfile) > 0) {
        if (state == 0) { head = head line "\n"; if (line == ".SH OPTIONS") state = 1 }
        else if (state == 1) { if (line ~ /^\.SH /) { state = 2; tail = line "\n" } }
        else tail = tail line "\n"
    }
    if (state != 2) { print "no OPTIONS section in " manfile > "/dev/stderr"; exit 2 }
    printf "%s", head
}
/^  -/ {
    flush()
    line = substr($0, 3)
    # Flag and its arguments, then two or more spaces, then the description (absent when it wraps to the next line).
    if (match(line, /  +/)) { opt = substr(line, 1, RSTART - 1); desc = substr(line, RSTART + RLENGTH) }
    else { opt = line; desc = "" }
    next
}
/^                              / { sub(/^ +/, ""); desc = (desc == "" ? $0 : desc " " $0); next }
END { flush(); printf "%s", tail }
' > "$out"

if [ "$check" = 1 ]; then
    if ! cmp -s "$out" "$man"; then
        echo "$man is not what pigeonhubd --help says (run tools/man-options.sh):" >&2
        diff "$man" "$out" >&2 || true
        exit 1
    fi
    exit 0
fi
cp "$out" "$man"

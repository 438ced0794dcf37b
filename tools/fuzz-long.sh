#!/bin/sh
# The long fuzzing run: builds build-fuzz (clang, libFuzzer, ASan + UBSan, every object instrumented: meson
# -Dfuzz=true) and runs each fuzz target of tests/fuzz/ in turn, from a copy of its seed corpus, then prints a table
# of target, executions, executions per second, crashes (any report: crash, leak, timeout, out of memory, UBSan).
#   tools/fuzz-long.sh [RUNS [TARGET...]]     RUNS: executions per target (default 10000000); TARGET: all when none
# Environment: FUZZ_BUILD_DIR (build-fuzz), FUZZ_OUT (where corpora grown, logs and crash inputs go;
# default /tmp/pigeonhub-fuzz), FUZZ_NICE (10), FUZZ_SECONDS (a time limit per target as well; none by default),
# FUZZ_NO_BUILD=1 (run the targets already built, e.g. while another run uses the build directory).
# One target at a time, at nice 10: the machine may be shared.
set -eu
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
OUT=${FUZZ_OUT:-/tmp/pigeonhub-fuzz}
RUNS=${1:-10000000}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=$(grep -o "'[a-z_]*_fuzz'" tests/fuzz/meson.build | tr -d "'")
fi

if [ -z "${FUZZ_NO_BUILD:-}" ]; then
    if [ ! -f "$BUILD/build.ninja" ]; then
        CC=clang CXX=clang++ meson setup "$BUILD" --buildtype=debugoptimized -Dfuzz=true -Dtests=disabled \
            -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
    fi
    start=$(date +%s)
    # shellcheck disable=SC2046
    nice -n "${FUZZ_NICE:-10}" ninja -C "$BUILD" -j1 $(for t in $targets; do printf 'tests/fuzz/%s ' "$t"; done) >/dev/null
    echo "built $BUILD ($(( $(date +%s) - start )) s)" >&2
fi

# UBSan findings stop the run like ASan's (libFuzzer then saves the input). -timeout=60: every input here runs in
# milliseconds; a 10 s limit reported a stall of the shared machine (load 16) as a hang of url_fuzz (the input, run
# again: 0 ms).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
mkdir -p "$OUT"
table="$OUT/table.txt"
printf '%-26s %12s %10s %8s %8s\n' target execs exec/s crashes seconds | tee "$table"
failed=0
for t in $targets; do
    work="$OUT/$t"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    [ -d "tests/fuzz/corpus/$t" ] && cp "tests/fuzz/corpus/$t"/* "$work/corpus/"
    t0=$(date +%s)
    rc=0
    nice -n "${FUZZ_NICE:-10}" "$BUILD/tests/fuzz/$t" -runs="$RUNS" -seed=1 -max_len=4096 -timeout=60 \
        ${FUZZ_SECONDS:+-max_total_time=$FUZZ_SECONDS} -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" \
        >"$work/log" 2>&1 || rc=$?
    secs=$(( $(date +%s) - t0 ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
    # (slow-unit-* files are inputs over 10 s, saved for a look: not failures)
    crashes=$(find "$work/artifacts" -type f ! -name 'slow-unit-*' | wc -l)
    [ "$rc" -eq 0 ] || [ "$crashes" -gt 0 ] || crashes="rc=$rc"
    [ "$rc" -eq 0 ] || failed=1
    printf '%-26s %12s %10s %8s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$crashes" "$secs" | tee -a "$table"
done
echo "logs, grown corpora and crash inputs: $OUT" >&2
exit $failed

#!/bin/sh
# The two quick-start commands (see README):
#   tools/dev.sh start   install what is missing, build, run a hub on 127.0.0.1:3000 (HOST/PORT override)
#   tools/dev.sh test    install what is missing, build, run every test (unit + integration + real client)
#   tools/dev.sh test-asan   the same, in build-asan under AddressSanitizer + UndefinedBehaviorSanitizer (meson
#                            -Db_sanitize=address,undefined): every unit and integration test; fails on any report
# and one more:
#   tools/dev.sh bench   the same set-up plus gnuplot, then every benchmark side by side with the reference hub
#                        (tools/bench/run.mjs; writes bench-results.md and docs/rtt-vs-load.png; ~10 minutes)
# Works on a fresh Debian 12 machine as root (or with sudo available). Idempotent: a second run installs
# nothing and rebuilds only what changed.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD_DIR:-build}

# Debian packages the build and the tests need.
PACKAGES="g++ meson ninja-build pkg-config libasio-dev librestinio-dev libhttp-parser-dev libfmt-dev nettle-dev
libgtest-dev libgmock-dev libopendht-dev libmsgpack-cxx-dev libgnutls28-dev libargon2-dev libjsoncpp-dev
libssl-dev libc-ares-dev libcli11-dev libedit-dev libsystemd-dev systemd nginx-light dhtnode dnsmasq-base curl
ca-certificates prometheus dpkg-dev debhelper chromium"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
    missing=""
    [ "${1:-}" != bench ] || PACKAGES="$PACKAGES gnuplot-nox"
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    # Node and npm only when missing: a machine may already have them from elsewhere (e.g. NodeSource), and
    # Debian's npm package would conflict with that.
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
    if [ -n "$missing" ]; then
        log "installing Debian packages:$missing"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        # nginx is only a test tool here (the failover test runs its own instance on loopback), and prometheus too
        # (its promtool checks /metrics): keep the packages from starting a system nginx on port 80 or a
        # Prometheus server on 9090, with Debian's policy-rc.d mechanism.
        policy=""
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            policy=/usr/sbin/policy-rc.d
            printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
            as_root chmod 755 "$policy"
        fi
        # shellcheck disable=SC2086
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
        [ -z "$policy" ] || as_root rm -f "$policy"
    fi
    # Debian 12's npm 9 rejects the "npm:" override in package.json; npm 10 runs on Debian's Node 18.
    npm_major=$(npm --version | cut -d. -f1)
    if [ "$npm_major" -lt 10 ]; then
        log "upgrading npm $(npm --version) to npm 10 (from the npm registry)"
        as_root npm install -g --no-audit --no-fund npm@10 >/dev/null
        hash -r 2>/dev/null || true
    fi
}

install_node_modules() {
    # package-lock.json is committed; reinstall only when it changed.
    if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.pigeonhub-lock 2>/dev/null; then
        log "installing the JavaScript test drivers (npm ci)"
        npm ci --no-audit --no-fund --loglevel=error
        cp package-lock.json node_modules/.pigeonhub-lock
    fi
}

build() {
    if [ ! -f "$BUILD/build.ninja" ]; then
        log "configuring ($BUILD)"
        meson setup "$BUILD" --buildtype=debugoptimized >/dev/null
    fi
    log "building"
    meson compile -C "$BUILD" >/dev/null
    log "built $ROOT/$BUILD/pigeonhubd"
}

# Every test under ASan + UBSan. OpenDHT, RESTinio's http_parser, gnutls and nettle are Debian's, not instrumented
# (their bugs are not looked for; calls into them work). The integration tests start pigeonhubd and the CLI, whose
# stderr they do not always read: every sanitizer report of every process goes to a file in $BUILD-asan/sanitizer
# (log_path) as well, and any file there fails the run. Leak checking is on (detect_leaks=1; suppressions in
# tests/asan/lsan.supp, each with its reason).
test_asan() {
    ASAN_BUILD=${ASAN_BUILD_DIR:-build-asan}
    if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
        log "configuring ($ASAN_BUILD: -Db_sanitize=address,undefined)"
        meson setup "$ASAN_BUILD" --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
    fi
    log "building ($ASAN_BUILD)"
    meson compile -C "$ASAN_BUILD" >/dev/null
    reports="$ROOT/$ASAN_BUILD/sanitizer"
    rm -rf "$reports"
    mkdir -p "$reports"
    export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$reports/asan"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
    export LSAN_OPTIONS="suppressions=$ROOT/tests/asan/lsan.supp:print_suppressions=0"
    # The tests leave out their memory-footprint bounds (tests/integration/lib/hub.mjs `sanitized`).
    export PIGEONHUB_SANITIZED=1
    log "running every test under ASan + UBSan (reports in $reports)"
    rc=0
    meson test -C "$ASAN_BUILD" --print-errorlogs --num-processes 1 --timeout-multiplier 3 ${ASAN_TESTS:-} || rc=$?
    if [ -n "$(ls -A "$reports")" ]; then
        log "sanitizer reports:"
        for f in "$reports"/*; do echo "--- $f" >&2; cat "$f" >&2; done
        rc=1
    fi
    return $rc
}

case "${1:-}" in
start)
    install_packages
    build
    export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-3000}"
    log "starting pigeonhubd on $HOST:$PORT (Ctrl-C stops it)"
    exec "$BUILD/pigeonhubd"
    ;;
test)
    install_packages
    install_node_modules
    build
    log "running every test"
    exec meson test -C "$BUILD" --print-errorlogs --num-processes 1
    ;;
test-asan)
    install_packages
    install_node_modules
    test_asan
    ;;
bench)
    install_packages bench
    install_node_modules
    build
    log "running the benchmarks (results in bench-results.md)"
    exec node tools/bench/run.mjs --markdown bench-results.md
    ;;
*)
    echo "usage: $0 start|test|test-asan|bench" >&2
    exit 2
    ;;
esac

#!/bin/sh
# A local mesh of N hubs on loopback (the seed's local:node1..local:node4):
#   tools/local-mesh.sh start [N]   hubs on HTTP ports 3000..3000+N-1, DHT ports 4222..4222+N-1, hubs 2..N
#                                   bootstrapped from hub 1; state in .local-mesh/ (identities survive restarts);
#                                   a mesh CA in .local-mesh/ca (made on the first start) admits them: each hub
#                                   issues its own member identity from it (MESH_CA_KEY) at its first start
#   tools/local-mesh.sh node N      hub N alone, on the same scheme (the seed's local:node1..4; N > 1 needs hub 1)
#   tools/local-mesh.sh stop        stops them (by the PIDs recorded at start)
#   tools/local-mesh.sh status      /health of each
#   tools/local-mesh.sh test        tools/local-mesh-smoke.mjs against the running hubs (the seed's local:test)
#   tools/local-mesh.sh monitor     the CLI's monitor (build/pigeonhub monitor) on the running hubs
#   tools/local-mesh.sh auto-scale [args]   tools/auto-scale.mjs: hubs of its own behind a local nginx, stopped
#                                   and started while clients run (needs nginx; does not touch the hubs above)
# Everything binds to 127.0.0.1. The binary is build/pigeonhubd (meson setup build && meson compile -C build).
set -eu
cd "$(dirname "$0")/.."
DIR=.local-mesh
BIN=${PIGEONHUBD:-build/pigeonhubd}
HTTP_BASE=${HTTP_BASE:-3000}
DHT_BASE=${DHT_BASE:-4222}

prepare() {
    [ -x "$BIN" ] || { echo "no $BIN: build first (meson setup build && meson compile -C build)" >&2; exit 1; }
    mkdir -p "$DIR"
    if [ ! -e "$DIR/ca/ca.crt" ]; then "$BIN" --mesh-ca-init "$DIR/ca" >/dev/null; echo "mesh CA: $DIR/ca"; fi
}

# Hub $1: HTTP HTTP_BASE+$1-1, DHT DHT_BASE+$1-1, bootstrapped from hub 1 unless it is hub 1.
start_node() {
    i=$1
    case "$i" in '' | *[!0-9]* | 0) echo "node: N is a number from 1" >&2; exit 2 ;; esac
    if [ -e "$DIR/node$i.pid" ] && kill -0 "$(cat "$DIR/node$i.pid")" 2>/dev/null; then
        echo "node$i is already running (pid $(cat "$DIR/node$i.pid"))" >&2; return 0
    fi
    http=$((HTTP_BASE + i - 1)); dht=$((DHT_BASE + i - 1))
    boot=""
    [ "$i" -gt 1 ] && boot="127.0.0.1:$DHT_BASE"
    mkdir -p "$DIR/node$i"
    HOST=127.0.0.1 PORT=$http DHT_BIND=127.0.0.1 DHT_PORT=$dht DHT_BOOTSTRAP=$boot STATE_DIR="$DIR/node$i" \
        MESH_CA="$DIR/ca/ca.crt" MESH_CA_KEY="$DIR/ca/ca.pem" \
        PUBLIC_URL="ws://127.0.0.1:$http" REGION=local "$BIN" >"$DIR/node$i.out" 2>"$DIR/node$i.log" &
    echo $! >"$DIR/node$i.pid"
    echo "node$i: http://127.0.0.1:$http  (DHT 127.0.0.1:$dht, pid $!, log $DIR/node$i.log)"
}

start() {
    prepare
    i=1
    while [ "$i" -le "$1" ]; do
        start_node "$i"
        i=$((i + 1))
        sleep 0.3
    done
}

# http://127.0.0.1:PORT of every hub started here (by its PID file).
urls() {
    for f in "$DIR"/node*.pid; do
        [ -e "$f" ] || continue
        i=$(basename "$f" .pid); i=${i#node}
        printf 'http://127.0.0.1:%s ' $((HTTP_BASE + i - 1))
    done
}

stop() {
    for f in "$DIR"/node*.pid; do
        [ -e "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null && echo "stopped $(basename "$f" .pid) (pid $pid)"
        rm -f "$f"
    done
}

status() {
    for f in "$DIR"/node*.pid; do
        [ -e "$f" ] || continue
        node=$(basename "$f" .pid)
        port=$(head -1 "$DIR/$node.out" 2>/dev/null || true)
        printf '%s: ' "$node"
        curl -s --max-time 2 "http://127.0.0.1:$port/health" || printf 'not answering'
        echo
    done
}

need_hubs() {
    [ -n "$(urls)" ] || { echo "no hubs running: tools/local-mesh.sh start [N] first" >&2; exit 1; }
}

case "${1:-}" in
start) start "${2:-4}" ;;
node) prepare; start_node "${2:-}" ;;
stop) stop ;;
status) status ;;
test) need_hubs; exec node tools/local-mesh-smoke.mjs $(urls) ;;
monitor)
    need_hubs
    CLI=${PIGEONHUB_CLI:-$(dirname "$BIN")/pigeonhub}
    [ -x "$CLI" ] || { echo "monitor needs the pigeonhub CLI ($CLI is not built yet): meson compile -C build" >&2; exit 1; }
    exec "$CLI" monitor $(urls) ;;
auto-scale) shift; exec node tools/auto-scale.mjs "$@" ;;
*) echo "usage: $0 start [N] | node N | stop | status | test | monitor | auto-scale [--hubs N --clients M --rounds R]" >&2; exit 2 ;;
esac

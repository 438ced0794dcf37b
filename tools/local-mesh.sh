#!/bin/sh
# A local mesh of N hubs on loopback (the seed's local:node1..local:node4):
#   tools/local-mesh.sh start [N]   hubs on HTTP ports 3000..3000+N-1, DHT ports 4222..4222+N-1, hubs 2..N
#                                   bootstrapped from hub 1; state in .local-mesh/ (identities survive restarts);
#                                   a mesh CA in .local-mesh/ca (made on the first start) admits them: each hub
#                                   issues its own member identity from it (MESH_CA_KEY) at its first start
#   tools/local-mesh.sh stop        stops them (by the PIDs recorded at start)
#   tools/local-mesh.sh status      /health of each
# Everything binds to 127.0.0.1. The binary is build/pigeonhubd (meson setup build && meson compile -C build).
set -eu
cd "$(dirname "$0")/.."
DIR=.local-mesh
BIN=${PIGEONHUBD:-build/pigeonhubd}
HTTP_BASE=${HTTP_BASE:-3000}
DHT_BASE=${DHT_BASE:-4222}

start() {
    n=${1:-4}
    [ -x "$BIN" ] || { echo "no $BIN: build first (meson setup build && meson compile -C build)" >&2; exit 1; }
    mkdir -p "$DIR"
    if [ ! -e "$DIR/ca/ca.crt" ]; then "$BIN" --mesh-ca-init "$DIR/ca" >/dev/null; echo "mesh CA: $DIR/ca"; fi
    i=1
    while [ "$i" -le "$n" ]; do
        http=$((HTTP_BASE + i - 1)); dht=$((DHT_BASE + i - 1))
        boot=""
        [ "$i" -gt 1 ] && boot="127.0.0.1:$DHT_BASE"
        mkdir -p "$DIR/node$i"
        HOST=127.0.0.1 PORT=$http DHT_BIND=127.0.0.1 DHT_PORT=$dht DHT_BOOTSTRAP=$boot STATE_DIR="$DIR/node$i" \
            MESH_CA="$DIR/ca/ca.crt" MESH_CA_KEY="$DIR/ca/ca.pem" \
            PUBLIC_URL="ws://127.0.0.1:$http" REGION=local "$BIN" >"$DIR/node$i.out" 2>"$DIR/node$i.log" &
        echo $! >"$DIR/node$i.pid"
        echo "node$i: http://127.0.0.1:$http  (DHT 127.0.0.1:$dht, pid $!, log $DIR/node$i.log)"
        i=$((i + 1))
        sleep 0.3
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

case "${1:-}" in
start) start "${2:-4}" ;;
stop) stop ;;
status) status ;;
*) echo "usage: $0 start [N] | stop | status" >&2; exit 2 ;;
esac

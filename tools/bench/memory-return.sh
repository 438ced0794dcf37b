#!/bin/sh
# Memory after a crowd leaves (issue 14, target 2): a hub on loopback, N peers join ONE namespace (discovery all) with
# build/pigeonhub-loadgen, then all leave at once; prints the hub's RSS at start, right after, and every 10 s for 50 s.
#   tools/bench/memory-return.sh [N=2000]          (PIGEONHUBD overrides build/pigeonhubd)
set -eu
cd "$(dirname "$0")/../.."
BIN=${PIGEONHUBD:-build/pigeonhubd}
N=${1:-2000}
D=$(mktemp -d)
PORT=0 HOST=127.0.0.1 DHT_PORT=0 DHT_BIND=127.0.0.1 STATE_DIR=$D NODE_ENV=production MAX_CONNECTIONS=20000 MESSAGE_RATE=0 \
  MAX_CONNECTIONS_PER_ADDRESS=0 MAX_HTTP_PER_ADDRESS=0 NEW_CONNECTION_RATE=0 REST_RATE=0 \
    "$BIN" >"$D/out" 2>"$D/err" &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$D"' EXIT
while [ ! -s "$D/out" ]; do sleep 0.1; done
P=$(head -1 "$D/out")
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
echo "start: $(rss) KiB"
build/pigeonhub-loadgen join --port "$P" --conns "$N" >/dev/null
echo "right after $N peers left: $(rss) KiB"
for t in 10 20 30 40 50; do sleep 10; echo "t+${t}s: $(rss) KiB"; done

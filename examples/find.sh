#!/bin/sh
# Find the records published under a topic, through any hub (docs/DATA.md).
#   examples/find.sh TOPIC          e.g. HUB=http://127.0.0.1:3001 examples/find.sh chat
# HUB (default http://127.0.0.1:3000) names the hub. Prints {"topic": ..., "records": [...]}, newest first.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 TOPIC" >&2; exit 2; }
HUB=${HUB:-http://127.0.0.1:3000}
topic=$(printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g')  # every byte percent-encoded
curl -sS "$HUB/api/find/$topic"
echo

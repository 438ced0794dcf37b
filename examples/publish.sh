#!/bin/sh
# Publish a JSON value under a topic through a hub (docs/DATA.md).
#   examples/publish.sh TOPIC JSON [TTL_SECONDS]        e.g. examples/publish.sh chat '{"hello":"world"}' 300
# HUB (default http://127.0.0.1:3000) names the hub. Prints the stored, signed record.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 TOPIC JSON [TTL_SECONDS]" >&2; exit 2; }
HUB=${HUB:-http://127.0.0.1:3000}
topic=$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')
curl -sS -X POST "$HUB/api/publish" -H 'Content-Type: application/json' \
    --data-binary "{\"topic\":\"$topic\",\"data\":$2,\"ttl\":${3:-300}}"
echo

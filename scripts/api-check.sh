#!/usr/bin/env bash
# Runs schemathesis (every default check) against the demo's JSON API, once with a program
# manager's token and once with a participant's (a mentor in a live pilot pair).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${UPWARD_BIN:-.build/debug/upward}
PORT=${PORT:-8097}
DB=$(mktemp -d)/api-demo.sqlite
LOG=$(mktemp)
# Schemathesis sends hundreds of requests a second with one token; the rate limits (tested on
# their own in RateLimitTests) are off here so every answer is the operation's own.
UPWARD_API_RATE_TOKEN=0 UPWARD_API_RATE_ADDRESS=0 "$BIN" demo --database "$DB" --port "$PORT" > "$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/api/v1/openapi.json" | cmp - docs/openapi.json
MENTOR=$(awk '/pilot mentor/ {print $4}' "$LOG")
PM_TOKEN=$(UPWARD_DATABASE_PATH="$DB" "$BIN" token create --email admin@upward.example --name schemathesis)
PARTICIPANT_TOKEN=$(UPWARD_DATABASE_PATH="$DB" "$BIN" token create --email "$MENTOR" --name schemathesis)
for TOKEN in "$PM_TOKEN" "$PARTICIPANT_TOKEN"; do
  python3 -m schemathesis.cli run "http://127.0.0.1:$PORT/api/v1/openapi.json" -H "Authorization: Bearer $TOKEN" \
    --max-examples "${EXAMPLES:-30}" --workers 1 --seed "${SEED:-2026}"
done

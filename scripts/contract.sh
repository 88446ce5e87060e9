#!/usr/bin/env bash
# The OpenAPI contract against the local server: builds and starts idp-gateway-local (the API over the
# embedded emulator with its demo data) on a free loopback port, runs schemathesis on every operation of
# the document the server serves (GET /openapi.json) with all of schemathesis's default checks, and
# stops the server. Exits non-zero on any failure. Bounded: a fixed seed and a few examples per
# operation (CONTRACT_MAX_EXAMPLES, default 20).
#
#   scripts/contract.sh            # installs schemathesis 4 from PyPI if missing
set -euo pipefail
cd "$(dirname "$0")/.."

max_examples="${CONTRACT_MAX_EXAMPLES:-20}"
seed="${CONTRACT_SEED:-20260101}"

if ! st --version 2>/dev/null | grep -q ' 4\.'; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "schemathesis>=4,<5"
fi
st --version

cargo build --locked -p idp-gateway-local
binary="${CARGO_TARGET_DIR:-target}/debug/idp-gateway-local"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# PORT=0: the system picks a free port; the server prints it in its "listening on http://..." line.
PORT=0 RUST_LOG=warn "$binary" > "$work/server.log" 2>&1 &
server_pid=$!
base=""
for _ in $(seq 1 100); do
  base="$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/server.log" | head -n 1 | sed 's/^listening on //' || true)"
  [ -n "$base" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log"; echo "the local server did not start" >&2; exit 1; fi
  sleep 0.1
done
if [ -z "$base" ]; then cat "$work/server.log"; echo "the local server printed no address" >&2; exit 1; fi
echo "local server at $base"

status=0
# From the scratch directory: schemathesis keeps a cache in ./.schemathesis.
repo="$(pwd)"
(cd "$work" && st --config-file "$repo/contract/schemathesis.toml" run "$base/openapi.json" \
  --url "$base" \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --no-color \
  --generation-database none) \
  || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- local server log, without its audit and metric lines (last 40 lines)"
  grep -v '^{' "$work/server.log" | tail -n 40 || true
fi
exit "$status"

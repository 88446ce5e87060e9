#!/usr/bin/env bash
# Prints the cold start of the api beside a hello-world lambda_http function (bench/hello-world), both
# built here with the workspace's release profile and measured in one run under the local Runtime API
# harness: init (process start to first `next` poll), the first request, warm requests, stripped sizes,
# p50 / p90 and the api/hello ratios. The api's WorkMail is the emulator behind a loopback TLS terminator,
# so its first request loads the root certificates and does a handshake, as a deployed one does; then
# everything again with WorkMail over plain HTTP, to show what of the first request is the handshake.
# Arguments: [cold starts of each, default 30] [warm invocations, default 200].
# A benchmark, not a test: it prints figures and fails only when a function does not answer.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin api
cargo build --release -p hello-world
cargo build --release -p bench-cold-start
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
"$target/release/bench-cold-start" "$target/release/api" "$target/release/hello-world" "$@"

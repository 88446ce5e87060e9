#!/usr/bin/env bash
# Prints the api binary's size, cold start (process start to first Runtime API poll) and warm
# per-invocation latency percentiles, under the local Runtime API harness with the emulator as WorkMail.
# Arguments after the script name go to the benchmark: [cold starts] [invocations per event].
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin api
cargo run --release --example bench_api -- target/release/api "$@"

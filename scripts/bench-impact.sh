#!/usr/bin/env bash
# Prints the time the readiness report takes for 1,000 and 10,000 users (two tokens each) against the
# emulator limited to a fixed WorkMail request rate, beside the floor (pages needed / rate).
# The argument, if any, is the rate in calls per second (default 20, the API's pace).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --example bench_impact -- "$@"

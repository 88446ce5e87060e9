#!/usr/bin/env bash
# Sweeps many organizations against the emulator limited to a fixed request rate and prints the
# elapsed time next to the floor that rate allows. Arguments: [organizations] [calls per second]
# [percent drifted] (defaults 1000, 100, 10).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --example bench_enforcer -- "$@"

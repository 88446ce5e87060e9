#!/usr/bin/env bash
# A bounded fuzzing run of the API's request path (fuzz/fuzz_targets/request.rs): any bytes as a Lambda
# HTTP event through Api::handle_event, with the emulator as WorkMail, seeded with events/. It fails on
# a panic or a 5xx. Argument: seconds to run (default 120).
#
# cargo-fuzz wants nightly compiler flags (sanitizers); these machines have only the stable toolchain,
# so RUSTC_BOOTSTRAP=1 lets stable accept them. Use `cargo +nightly fuzz` where nightly exists.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p fuzz/corpus/request
RUSTC_BOOTSTRAP=1 cargo fuzz run request fuzz/corpus/request events -- \
  -max_total_time="${1:-120}" -rss_limit_mb=4096 -print_final_stats=1

#!/usr/bin/env bash
# Counts the instructions of each phase of a cold start, the api beside bench/hello-world, under
# `valgrind --tool=callgrind`: init (exec to the first `next` poll), the first request and one warm
# request, over TLS and over plain HTTP as scripts/bench-cold-start.sh measures them. Both are built
# with the workspace's release profile, symbols kept (not stripped, line tables), in their own target
# folder (target/profiling), so that the profiles name functions. Needs valgrind
# (`apt-get install valgrind`). A profile, not a test: it prints figures and leaves the callgrind
# files in target/profiling/callgrind/ for `callgrind_annotate`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed: apt-get install valgrind" >&2; exit 1; }
export CARGO_TARGET_DIR=target/profiling
export CARGO_PROFILE_RELEASE_STRIP=false
export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
cargo build --release --bin api
cargo build --release -p hello-world
cargo build --release -p bench-cold-start --bin profile-cold-start
rm -rf target/profiling/callgrind
target/profiling/release/profile-cold-start target/profiling/release/api \
  target/profiling/release/hello-world target/profiling/callgrind

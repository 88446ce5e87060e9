#!/usr/bin/env bash
# Every test: installs the local DynamoDB the lease tests run against (moto's server mode, from PyPI)
# when `moto_server` is not on the PATH, then runs the workspace's tests. Arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v moto_server >/dev/null; then
  echo "installing moto[server] (a local DynamoDB for the lease tests) with pip"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "moto[server]>=5,<6"
  # Where pip put the console script (a pyenv shim may not exist until `pyenv rehash`).
  PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
  export PATH
fi
command -v moto_server >/dev/null || { echo "moto_server is not on the PATH after installing moto[server]" >&2; exit 1; }
cargo test --workspace --locked "$@"

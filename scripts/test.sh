#!/usr/bin/env bash
# Every test: installs the local DynamoDB the lease tests run against (moto's server mode, from PyPI)
# when python3 cannot import it, then runs the workspace's tests. Arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c "import moto.server" 2>/dev/null; then
  echo "installing moto[server] (a local DynamoDB for the lease tests) with pip"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "moto[server]>=5,<6"
fi
python3 -c "import moto.server" || { echo "python3 cannot import moto's server after installing moto[server]" >&2; exit 1; }
cargo test --workspace --locked "$@"

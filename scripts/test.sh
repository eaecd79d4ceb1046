#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs the tools the tests
# compare against (Helm, kubectl, kubernetes-validate, PyYAML) into
# .cache/tools, then runs every Rust test with them on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-tools.sh
# shellcheck source=scripts/tools-env.sh
source scripts/tools-env.sh
cargo test --locked "$@"

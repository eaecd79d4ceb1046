# shellcheck shell=bash
# Source this file to put the tools that scripts/install-tools.sh installed
# on PATH:   source scripts/tools-env.sh
_skiff_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SKIFF_TOOLS="${SKIFF_TOOLS:-$_skiff_repo/.cache/tools}"
export SKIFF_TOOLS
export PATH="$SKIFF_TOOLS/bin:$SKIFF_TOOLS/venv/bin:$PATH"
unset _skiff_repo

#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: the Swift tests, then the
# differential test against cronsim and croniter on generated expressions.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build
swift test
python3 scripts/differential.py --binary .build/debug/cronpp

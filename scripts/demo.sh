#!/usr/bin/env bash
# Installs what is missing, builds cronpp, seeds the example data database once, and runs
# `cronpp serve` on tasks/ with the default cronpp database. The every-minute task
# (mark-users-offline) fires within a minute; Ctrl-C stops serve gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product cronpp
cronpp=.build/release/cronpp
state="${XDG_STATE_HOME:-$HOME/.local/state}/cronpp"
export CRONPP_DATA_DB="${CRONPP_DATA_DB:-$state/example-data.sqlite}"
if [ ! -f "$CRONPP_DATA_DB" ]; then
  mkdir -p "$(dirname "$CRONPP_DATA_DB")"
  "$cronpp" run --script examples/data/seed.lua --allow db:write
fi
exec "$cronpp" serve --tasks tasks/

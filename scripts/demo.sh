#!/usr/bin/env bash
# Installs what is missing, builds cronpp, and explains the bundled example schedules.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product cronpp
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  echo "\$ cronpp explain '$line' --seed cleanup"
  .build/release/cronpp explain "$line" --seed cleanup
  echo
done < examples/schedules.txt

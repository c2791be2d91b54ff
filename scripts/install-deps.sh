#!/usr/bin/env bash
# Installs what cronpp needs to build and test on Debian/Ubuntu: the Lua and SQLite
# development packages, pkg-config, and the Python references for the differential test.
set -euo pipefail
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for pkg in liblua5.4-dev libsqlite3-dev pkg-config python3 python3-pip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ! command -v swift >/dev/null 2>&1; then missing+=(swiftlang); fi
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  if [[ " ${missing[*]} " == *" swiftlang "* ]] && ! apt-cache show swiftlang >/dev/null 2>&1; then
    echo "cronpp: error: no Swift toolchain found and this distribution has no 'swiftlang' package" >&2
    echo "hint: install Swift 6.1 or later from swift.org (or with swiftly), then run this again" >&2
    exit 3
  fi
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian's system Python refuses plain `pip install` (PEP 668); fall back explicitly.
if ! python3 -c 'import cronsim, croniter' 2>/dev/null; then
  python3 -m pip install -q cronsim croniter 2>/dev/null ||
    python3 -m pip install -q --break-system-packages cronsim croniter
fi

#!/usr/bin/env bash
# Smoke run of the frozen Linux folder (CI): the command and the window, headless.
#
#   bash installer/smoke-linux.sh [dist/xinfang]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
APP=$(cd "${1:-dist/xinfang}" && pwd)
DATA=$(mktemp -d "${TMPDIR:-/tmp}/xinfang-smoke.XXXXXX")
trap 'rm -rf "$DATA"' EXIT
export QT_QPA_PLATFORM=offscreen
X() { echo "[smoke] xinfang $*"; "$APP/xinfang" --data-dir "$DATA/data" "$@"; }

"$APP/xinfang" --version
echo "smoke-pass-1" | X init --unit 350881102000 --admin admin
export XINFANG_PASSWORD=smoke-pass-1        # every command opens the encrypted data with a password
X demo --cases 100
X check
X backup --to "$DATA/backups"
X restore "$(ls -d "$DATA"/backups/xinfang-backup-*)" >/dev/null
X check
X search 张 >/dev/null
echo "[smoke] xinfang-desktop --self-test"
"$APP/xinfang-desktop" --self-test
echo "[smoke] frozen build: ok"

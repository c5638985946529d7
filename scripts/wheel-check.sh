#!/usr/bin/env bash
# The wheel as a user installs it (CI): `pip wheel .`, installed into a fresh virtualenv in a
# temporary folder, run from there (never from the checkout, whose files must not stand in for
# missing package data): `xinfang init`, `demo --cases 50`, `check` and `xinfang-desktop --self-test`.
#
#   bash scripts/wheel-check.sh
#
# Needs python3 >= 3.11 with venv and an index pip can install the dependencies from (pip's cache
# makes a second run quick).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SRC=$(pwd)
PY=${PYTHON:-python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xinfang-wheel.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
say() { printf '[wheel] %s\n' "$*"; }

say "pip wheel . (the build compiles the forms; the fonts, code tables and icons go in as package data)"
"$PY" -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$TMP/dist" "$SRC"
WHEEL=$(ls "$TMP"/dist/xinfang_desktop-*.whl)
say "built $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"

say "installing it into a fresh virtualenv"
"$PY" -m venv "$TMP/venv"
"$TMP/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$WHEEL"

# From here on, nothing of the checkout is within reach: another folder, no PYTHONPATH.
cd "$TMP"
unset PYTHONPATH
export QT_QPA_PLATFORM=offscreen XINFANG_HOME="$TMP/data"
where=$("$TMP/venv/bin/python" -c 'import xinfang_desktop; print(xinfang_desktop.__file__)')
case "$where" in
  "$TMP/venv/"*) ;;
  *) echo "[wheel] ERROR: xinfang_desktop was imported from $where, not from the installed wheel" >&2; exit 1 ;;
esac
X() { say "xinfang $*"; "$TMP/venv/bin/xinfang" "$@"; }
echo "wheel-pass-1" | X init --unit 350881102000 --admin admin >/dev/null
export XINFANG_PASSWORD=wheel-pass-1
X demo --cases 50 >/dev/null
X check
say "xinfang-desktop --self-test"
"$TMP/venv/bin/xinfang-desktop" --self-test
say "installed wheel: ok"

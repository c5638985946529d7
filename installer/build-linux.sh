#!/usr/bin/env bash
# Build the Linux folder dist/xinfang/ (xinfang-desktop + xinfang) with PyInstaller.
#
#   bash installer/build-linux.sh
#
# PyInstaller runs in its own virtualenv build/venv (the project with its `build` extra), never
# in the test .venv. Prints the bundle size at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# PyInstaller reads shared libraries with objdump (binutils) on Linux.
if ! command -v objdump >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[build] installing binutils (objdump, needed by PyInstaller)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends binutils >/dev/null
  else
    echo "[build] ERROR: objdump not found: install binutils (apt-get install binutils)" >&2
    exit 1
  fi
fi

VENV=build/venv
if [ ! -x "$VENV/bin/pyinstaller" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
  echo "[build] preparing $VENV (pip install -e '.[build]') ..."
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -e '.[build]'
  touch "$VENV/.installed"
fi

echo "[build] compiling forms (ui/*.ui)"
"$VENV/bin/python" -m xinfang_desktop.gui.forms >/dev/null

echo "[build] pyinstaller installer/xinfang.spec"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/xinfang.spec

du -sh dist/xinfang | awk '{print "[build] dist/xinfang: " $1}'

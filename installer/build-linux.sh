#!/usr/bin/env bash
# Build the Linux folder dist/xinfang/ (xinfang-desktop + xinfang) with PyInstaller.
#
#   bash installer/build-linux.sh
#
# PyInstaller runs in its own virtualenv build/venv (the project with its `build` extra), never
# in the test .venv. Prints the bundle size at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# PyInstaller reads shared libraries with objdump (binutils) and bundles Python's shared library
# (libpython3.11 on Debian 12, not part of a minimal system).
need=()
command -v objdump >/dev/null 2>&1 || need+=(binutils)
libpython=$(python3 -c 'import sys; print("libpython%d.%d" % sys.version_info[:2])')
python3 -c 'import sys, sysconfig; sys.exit(0 if sysconfig.get_config_var("Py_ENABLE_SHARED") else 1)' &&
  ! ls "$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')"/"$libpython".so* >/dev/null 2>&1 &&
  need+=("$libpython")
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[build] installing ${need[*]} (needed by PyInstaller)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "[build] ERROR: install ${need[*]} first (apt-get install ${need[*]}): PyInstaller needs them" >&2
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

echo "[build] compiling forms (xinfang_desktop/ui/*.ui)"
"$VENV/bin/python" -m xinfang_desktop.gui.forms >/dev/null

echo "[build] pyinstaller installer/xinfang.spec"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/xinfang.spec

du -sh dist/xinfang | awk '{print "[build] dist/xinfang: " $1}'

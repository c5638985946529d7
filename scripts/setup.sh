#!/usr/bin/env bash
# 信访 Desktop — install everything needed to run and test the app (idempotent).
#
#   bash scripts/setup.sh
#
# 1. System packages (Debian/Ubuntu): Python venv support, the libraries the
#    Qt 6 wheels (PySide6) load on X11/xcb, Wayland and offscreen, a CJK font,
#    `age`, `poppler-utils`, `zbar-tools` and LibreOffice Calc without its window
#    (`libreoffice-calc-nogui`; a full LibreOffice counts too), and PostgreSQL's server (`postgresql`: the
#    tests run the services on a throwaway cluster too). Only missing packages are installed; nothing is
#    downloaded when everything is present. As root apt-get runs directly; as
#    another user it goes through sudo when sudo can be used, otherwise the
#    missing packages are listed and the script continues.
# 2. A virtualenv `.venv` in the project root (system python3 >= 3.11) with the
#    project installed in editable mode plus its test extras:
#    `pip install -e '.[test]'`. Skipped when pyproject.toml has not changed
#    since the last successful install (set XINFANG_FORCE_PIP=1 to force).
#
# Works without a terminal (CI=true, no stdin). Environment knobs:
#   XINFANG_SKIP_SYSTEM=1   do not touch system packages (only report them)
#   XINFANG_FORCE_PIP=1     always run pip install
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

say()  { printf '[setup] %s\n' "$*"; }
warn() { printf '[setup] WARNING: %s\n' "$*" >&2; }
die()  { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# 1. System packages
# ---------------------------------------------------------------------------
# Qt 6 libraries: the sonames the PySide6 wheels' libQt6Gui / libQt6Widgets,
# the xcb, wayland and offscreen platform plugins and the xcb GLX integration
# link against (found with ldd on a minimal Debian 12), by Debian package.
QT_PACKAGES=(
  libgl1 libegl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6
  libxkbcommon0 libxkbcommon-x11-0
  libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0
  libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1
  libwayland-client0 libwayland-cursor0 libwayland-egl1
)
SYSTEM_PACKAGES=(
  python3 python3-venv python3-pip
  "${QT_PACKAGES[@]}"
  fontconfig fonts-noto-cjk   # Chinese text in the window and the tests
  age                         # stock age tool, used by a sync test
  poppler-utils               # pdftoppm / pdftotext, used to check documents
  zbar-tools                  # zbarimg: a real QR reader, reads the printed receipt's code in a test
  # soffice: a real spreadsheet program reads the statistics export back in a test. "a|b": either
  # one installed will do (the two conflict: apt would remove a desktop's full LibreOffice Calc).
  "libreoffice-calc-nogui|libreoffice-calc"
  postgresql                  # the tests start a throwaway PostgreSQL cluster (tests/pgcluster.py)
)

python_ok() {  # is "$1" a Python >= 3.11?
  command -v "$1" >/dev/null 2>&1 &&
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

is_installed() {  # dpkg knows the package (or its Ubuntu 24.04+ "t64" rename) as installed
  local p
  for p in "$1" "${1}t64"; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ]; then
      return 0
    fi
  done
  return 1
}

apt_name() {  # the name apt can install: Ubuntu 24.04+ renamed some libraries to *t64
  if [ -n "$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)')" ]; then
    echo "$1"
  elif [ -n "$(apt-cache policy "${1}t64" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)')" ]; then
    echo "${1}t64"
  else
    echo "$1"
  fi
}

install_system_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    say "Not a Debian/Ubuntu system: install these (or your distribution's equivalents) yourself:"
    say "  Python >= 3.11 with venv and pip; Qt 6 runtime libraries for X11/xcb (OpenGL/EGL,"
    say "  fontconfig, freetype, dbus, glib, xkbcommon(-x11), xcb-cursor/icccm/image/keysyms/"
    say "  randr/render-util/shape/xkb); a CJK font (Noto Sans CJK); age; poppler-utils; zbar-tools;"
    say "  LibreOffice Calc (its soffice command, for the spreadsheet test); PostgreSQL's server (initdb, pg_ctl)."
    return 0
  fi

  local wanted=("${SYSTEM_PACKAGES[@]}")
  # Ubuntu 22.04 ships Python 3.10 as python3: use its python3.11 packages instead.
  if ! python_ok python3; then
    wanted+=(python3.11 python3.11-venv)
  fi

  local missing=() p alt found
  for p in "${wanted[@]}"; do
    found=0
    for alt in ${p//|/ }; do
      if is_installed "$alt"; then found=1; break; fi
    done
    [ "$found" = 1 ] || missing+=("${p%%|*}")     # the first of the alternatives is installed
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "System packages: all present."
    return 0
  fi

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if [ "${XINFANG_SKIP_SYSTEM:-0}" != 1 ] && command -v sudo >/dev/null 2>&1 &&
       { sudo -n true 2>/dev/null || { [ -t 0 ] && [ "${CI:-}" != true ]; }; }; then
      sudo=(sudo)
    else
      warn "Missing system packages (not root, so not installed):"
      warn "  ${missing[*]}"
      warn "Install them with:  sudo apt-get install --no-install-recommends ${missing[*]}"
      warn "Continuing; the app or some tests may fail until they are installed."
      return 0
    fi
  elif [ "${XINFANG_SKIP_SYSTEM:-0}" = 1 ]; then
    warn "XINFANG_SKIP_SYSTEM=1: not installing missing system packages: ${missing[*]}"
    return 0
  fi

  say "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/xinfang-apt.XXXXXX")
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "apt-get update failed."
  fi
  local names=()
  for p in "${missing[@]}"; do names+=("$(apt_name "$p")"); done
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        -o DPkg::Lock::Timeout=300 --no-install-recommends "${names[@]}" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    die "apt-get install failed (see above). On Ubuntu, 'age' needs the universe component."
  fi
  rm -f "$log"
  say "System packages installed."
}

install_system_packages

# ---------------------------------------------------------------------------
# 2. Virtualenv and Python packages
# ---------------------------------------------------------------------------
VENV="$ROOT/.venv"
VPY="$VENV/bin/python"

if ! python_ok "$VPY" || ! "$VPY" -m pip --version >/dev/null 2>&1; then
  PY=""
  for cand in python3 python3.13 python3.12 python3.11; do
    if python_ok "$cand"; then PY=$cand; break; fi
  done
  [ -n "$PY" ] || die "Python >= 3.11 not found (need python3 with the venv module)."
  if [ -e "$VENV" ]; then
    say "Existing .venv is unusable (no Python >= 3.11 with pip): recreating it."
    rm -rf "$VENV"
  fi
  say "Creating .venv with $(command -v "$PY") ($("$PY" --version 2>&1))"
  "$PY" -m venv "$VENV" ||
    die "could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)."
fi

STAMP="$VENV/.xinfang-setup"
want_stamp="$("$VPY" -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest(), sys.version.split()[0])') $ROOT"
if [ "${XINFANG_FORCE_PIP:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] &&
   [ -x "$VENV/bin/xinfang" ] && "$VPY" -I -c 'import xinfang_desktop, PySide6, pytest' >/dev/null 2>&1; then
  say "Python packages: up to date (.venv)."
else
  say "Installing the project and its test dependencies into .venv (pip install -e '.[test]');"
  say "the first time this downloads over 100 MB and can take a few minutes ..."
  rm -f "$STAMP"
  # Quiet when it works; the whole pip output is shown when it fails.
  log=$(mktemp "${TMPDIR:-/tmp}/xinfang-pip.XXXXXX")
  if ! "$VPY" -m pip install --quiet --disable-pip-version-check -e '.[test]' >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "pip install -e '.[test]' failed (pip's output is above)."
  fi
  rm -f "$log"
  echo "$want_stamp" >"$STAMP"
  say "Python packages installed."
fi

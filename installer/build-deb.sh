#!/usr/bin/env bash
# Build the Debian package for domestic Linux (统信 UOS, 麒麟 Kylin, Debian, Ubuntu):
#
#   bash installer/build-deb.sh              # builds dist/xinfang/ first (installer/build-linux.sh)
#   bash installer/build-deb.sh dist/xinfang # packages an existing frozen folder
#   bash installer/build-deb.sh --out DIR …  # writes the .deb into DIR instead of dist/
#
# → dist/xinfang-desktop_<version>_<arch>.deb, for the architecture of this machine (amd64 here,
# arm64 when run on an arm64 machine: PySide6 ships aarch64 wheels). Contents:
#   /opt/xinfang-desktop/                 the frozen folder (no Python needed)
#   /usr/bin/xinfang, /usr/bin/xinfang-desktop   links to its two programs
#   /usr/share/applications/xinfang-desktop.desktop, /usr/share/icons/hicolor/*/apps/xinfang-desktop.png
# Depends: the Qt system libraries the frozen Qt loads, CUPS (printing), a CJK font and the C library the build
# linked against, so `apt install ./xinfang-desktop_….deb` pulls what is missing. Data stays in
# each user's home (~/.local/share/xinfang_desktop); removing or purging the package never touches it.
#
# As root it first apt-installs what building needs (python3-venv, binutils, the Qt libraries), like
# scripts/setup.sh (XINFANG_SKIP_SYSTEM=1: never install, only report).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
say() { printf '[deb] %s\n' "$*"; }
die() { printf '[deb] ERROR: %s\n' "$*" >&2; exit 1; }

PACKAGE=xinfang-desktop
PREFIX=/opt/xinfang-desktop
# The Qt 6 runtime libraries of the PySide6 wheels and their xcb/wayland platform plugins (the same
# list as scripts/setup.sh), then the font the window and the documents need.
QT_DEPENDS=(
  libgl1 libegl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6
  libxkbcommon0 libxkbcommon-x11-0
  libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0
  libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1
  libwayland-client0 libwayland-cursor0 libwayland-egl1
)
# Qt's CUPS plugin lists the printers (受理告知书 and the other documents are printed)
PRINT_DEPENDS=(libcups2)
FONT_DEPENDS=(fonts-noto-cjk)
# PyInstaller's own venv, objdump, and the Qt libraries: pyside6-uic (compiling the forms) loads
# Qt, and PyInstaller collects what the Qt plugins link against
# and Python's shared library, which PyInstaller bundles (libpython3.11 on Debian 12)
BUILD_NEEDS=(python3 python3-venv binutils "${QT_DEPENDS[@]}")
if command -v python3 >/dev/null 2>&1; then
  BUILD_NEEDS+=("$(python3 -c 'import sys; print("libpython%d.%d" % sys.version_info[:2])')")
fi

OUT_DIR=dist
if [ "${1:-}" = --out ]; then
  [ $# -ge 2 ] || die "--out needs a folder"
  mkdir -p "$2"
  OUT_DIR=$(cd "$2" && pwd)
  shift 2
fi

# --------------------------------------------------------------------- build tools
missing=()
installed() {  # dpkg knows the package, or its Ubuntu 24.04 "t64" rename, as installed
  local q
  for q in "$1" "${1}t64"; do
    [ "$(dpkg-query -W -f='${Status}' "$q" 2>/dev/null)" = "install ok installed" ] && return 0
  done
  return 1
}
for p in "${BUILD_NEEDS[@]}"; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${XINFANG_SKIP_SYSTEM:-0}" != 1 ]; then
    say "installing build tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null
    apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing build tools: ${missing[*]} (sudo apt-get install ${missing[*]})"
  fi
fi
command -v dpkg-deb >/dev/null || die "dpkg-deb not found: build the package on a Debian-family system"

# --------------------------------------------------------------------- the frozen folder
if [ $# -ge 1 ]; then
  APP=$(cd "$1" && pwd)
else
  bash installer/build-linux.sh
  APP=$(pwd)/dist/xinfang
fi
[ -x "$APP/xinfang" ] && [ -x "$APP/xinfang-desktop" ] || die "$APP is not a frozen build (run installer/build-linux.sh)"

VERSION=$(python3 installer/versions.py debian)
ARCH=$(dpkg --print-architecture)
OUT=$OUT_DIR/${PACKAGE}_${VERSION}_${ARCH}.deb

# --------------------------------------------------------------------- the package tree
mkdir -p "$OUT_DIR"
WORK=$(mktemp -d "$OUT_DIR/.xinfang-deb.XXXXXX")   # beside the output: /tmp may be a small tmpfs
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
mkdir -p "$ROOT/DEBIAN" "$ROOT$PREFIX" "$ROOT/usr/bin" "$ROOT/usr/share/applications" "$ROOT/usr/share/doc/$PACKAGE"
cp -a "$APP/." "$ROOT$PREFIX/"
# the PyInstaller bootloader finds _internal/ beside the real file (/proc/self/exe), so links work
ln -s "$PREFIX/xinfang" "$ROOT/usr/bin/xinfang"
ln -s "$PREFIX/xinfang-desktop" "$ROOT/usr/bin/xinfang-desktop"
for png in xinfang_desktop/resources/icons/xinfang-*.png; do
  size=${png##*-}; size=${size%.png}
  install -D -m 644 "$png" "$ROOT/usr/share/icons/hicolor/${size}x${size}/apps/$PACKAGE.png"
done
install -m 644 installer/xinfang-desktop.desktop "$ROOT/usr/share/applications/$PACKAGE.desktop"
cat >"$ROOT/usr/share/doc/$PACKAGE/copyright" <<EOF
信访 Desktop $VERSION — ${PACKAGE}

The program and its bundled Python runtime and libraries are installed under $PREFIX.
Licences of bundled fonts: $PREFIX/_internal/xinfang_desktop/resources/fonts/ (Apache 2.0, Arphic Public License).
Qt for Python (PySide6) is used under the LGPLv3; its libraries are the unmodified ones shipped
with the PySide6 wheels, in $PREFIX/_internal/PySide6/.
EOF
# no write bit for group/other whatever the umask of the build machine
chmod -R u+rwX,go+rX,go-w "$ROOT"

# The C library version the bundled binaries need (the build machine's): apt refuses an older one
# instead of the program failing to start.
glibc=$(find "$ROOT$PREFIX" -type f \( -name '*.so*' -o -perm -u+x \) -print0 |
  xargs -0 objdump -T 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
[ -n "$glibc" ] || die "could not read the C library version from the bundled binaries (objdump)"

depends="libc6 (>= $glibc)"
for p in "${QT_DEPENDS[@]}" "${PRINT_DEPENDS[@]}"; do
  # Ubuntu 24.04 renamed some libraries *t64: accept either name
  case $p in
    libglib2.0-0|libdbus-1-3|libcups2) depends+=", $p | ${p}t64" ;;
    *) depends+=", $p" ;;
  esac
done
depends+=", ${FONT_DEPENDS[*]}"
installed_kb=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)

cat >"$ROOT/DEBIAN/control" <<EOF
Package: $PACKAGE
Version: $VERSION
Architecture: $ARCH
Maintainer: 信访 Desktop <packaging@xinfang-desktop.invalid>
Installed-Size: $installed_kb
Depends: $depends
Section: misc
Priority: optional
Description: 信访 Desktop：乡镇信访办登记、办理和统计信访事项
 乡镇信访办的桌面程序：登记群众来访、来信、来电，打印受理告知书，按《信访工作条例》
 的法定程序和时限办理每一件信访事项；领导看四色看板；乡镇与市信访局用 U 盘交换加密同步包。
 .
 Desktop program for township petition offices: registration, statutory case
 handling with deadlines, attention board, encrypted USB sync, statistics.
 Data stays in each user's home folder (~/.local/share/xinfang_desktop) and is
 kept when the package is removed.
EOF

rm -f "$OUT"
# xz: every dpkg reads it (UOS 20 and Kylin V10 have dpkg older than zstd support)
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$OUT" >/dev/null

say "$OUT: $(du -h "$OUT" | cut -f1) (installed: $((installed_kb / 1024)) MB, needs libc6 >= $glibc)"

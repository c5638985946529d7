#!/usr/bin/env bash
# Check a built .deb (CI, and before handing a package out):
#
#   bash installer/check-deb.sh dist/xinfang-desktop_*.deb            # fields, files, run it unpacked
#   bash installer/check-deb.sh --install dist/xinfang-desktop_*.deb  # also apt-install it, use it, remove it
#
# Without --install nothing is installed: the package is unpacked into a temporary folder, its
# links and desktop entry are checked and the unpacked program runs the frozen smoke test (the
# command and the window, headless). --install (root, a machine you may change: a fresh VM or
# container) installs it with apt-get, which pulls the dependencies, runs the installed commands
# from outside the source tree as an ordinary user would, removes the package and checks that the
# user's data is still there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
say() { printf '[check-deb] %s\n' "$*"; }
fail() { printf '[check-deb] FAILED: %s\n' "$*" >&2; exit 1; }

install=0
if [ "${1:-}" = --install ]; then install=1; shift; fi
[ $# -eq 1 ] && [ -f "$1" ] || fail "usage: bash installer/check-deb.sh [--install] dist/xinfang-desktop_<version>_<arch>.deb"
DEB=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PACKAGE=xinfang-desktop
PREFIX=/opt/xinfang-desktop

# --------------------------------------------------------------------- fields
field() { dpkg-deb --field "$DEB" "$1"; }
dpkg-deb --info "$DEB" | sed -n '/Package:/,$p' | sed 's/^/  /'
[ "$(field Package)" = "$PACKAGE" ] || fail "Package is $(field Package)"
[ "$(field Version)" = "$(python3 installer/versions.py debian)" ] || fail "Version $(field Version) is not installer/versions.py's"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture $(field Architecture)"
for dep in fonts-noto-cjk libxcb-cursor0 libxkbcommon-x11-0 libegl1 libcups2 'libc6 (>='; do
  field Depends | grep -qF "$dep" || fail "Depends lacks $dep"
done
case $(basename "$DEB") in
  "${PACKAGE}_$(field Version)_$(field Architecture).deb") ;;
  *) fail "file name $(basename "$DEB") does not match its fields" ;;
esac

# --------------------------------------------------------------------- files
contents=$(dpkg-deb --contents "$DEB")
for path in "./usr/bin/xinfang -> $PREFIX/xinfang" "./usr/bin/xinfang-desktop -> $PREFIX/xinfang-desktop" \
            ".$PREFIX/xinfang" ".$PREFIX/xinfang-desktop" ".$PREFIX/_internal/xinfang_desktop/resources/categories.json" \
            "./usr/share/applications/$PACKAGE.desktop" "./usr/share/icons/hicolor/256x256/apps/$PACKAGE.png" \
            "./usr/share/icons/hicolor/16x16/apps/$PACKAGE.png" "./usr/share/doc/$PACKAGE/copyright"; do
  grep -qF -- " $path" <<<"$contents" || fail "the package lacks $path"
done
awk '$2 != "root/root" { bad = 1 } END { exit bad }' <<<"$contents" || fail "files not owned by root"
awk '$1 !~ /^l/ && (substr($1, 6, 1) == "w" || substr($1, 9, 1) == "w") { bad = 1 } END { exit bad }' \
  <<<"$contents" || fail "group- or world-writable files"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  # a misspelt or unknown dependency would only show on the office's PC: let apt resolve them now
  apt-get install -s -q "$DEB" >"${TMPDIR:-/tmp}/xinfang-apt-sim.log" 2>&1 ||
    { tail -n 20 "${TMPDIR:-/tmp}/xinfang-apt-sim.log" >&2; fail "apt cannot satisfy the package's Depends"; }
  rm -f "${TMPDIR:-/tmp}/xinfang-apt-sim.log"
fi
say "fields and files: ok ($(du -h "$DEB" | cut -f1), installed $(( $(field Installed-Size) / 1024 )) MB)"

# --------------------------------------------------------------------- unpacked, in place
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xinfang-deb.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
dpkg-deb -x "$DEB" "$TMP/root"
desktop=$TMP/root/usr/share/applications/$PACKAGE.desktop
grep -qx "Exec=xinfang-desktop" "$desktop" && grep -qx "Icon=$PACKAGE" "$desktop" &&
  grep -qx "Name=信访工作平台" "$desktop" || fail "the desktop entry does not start xinfang-desktop with its icon and name"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop" || fail "desktop-file-validate"; fi
for link in xinfang xinfang-desktop; do
  [ -x "$TMP/root$(readlink "$TMP/root/usr/bin/$link")" ] || fail "/usr/bin/$link points to nothing"
done
say "unpacked: running the frozen smoke test on $PREFIX"
bash installer/smoke-linux.sh "$TMP/root$PREFIX"

[ "$install" = 1 ] || { say "ok (not installed; --install installs, uses and removes it)"; exit 0; }

# --------------------------------------------------------------------- installed with apt
[ "$(id -u)" -eq 0 ] || fail "--install needs root"
export DEBIAN_FRONTEND=noninteractive
say "apt-get install $DEB"
apt-get install -y -q -o DPkg::Lock::Timeout=300 "$DEB" >"$TMP/apt.log" 2>&1 || { tail -n 30 "$TMP/apt.log"; fail "apt-get install"; }
HOME_DIR=$TMP/home                     # an ordinary user's home, outside the source tree
mkdir -p "$HOME_DIR"
run() { (cd "$HOME_DIR" && env -i PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
         XDG_RUNTIME_DIR="$TMP" XINFANG_PASSWORD=check-deb-pass-1 "$@"); }
[ "$(command -v xinfang)" = /usr/bin/xinfang ] || fail "xinfang is not on the PATH"
run xinfang --version
echo "check-deb-pass-1" | run xinfang init --unit 350881102000 --admin admin
run xinfang demo --cases 50
run xinfang check
run xinfang-desktop --self-test
DATA=$HOME_DIR/.local/share/xinfang_desktop
[ -f "$DATA/xinfang.sqlite3" ] || fail "no database in the user's data folder $DATA"
say "apt-get remove $PACKAGE"
apt-get remove -y -q "$PACKAGE" >"$TMP/apt.log" 2>&1 || { tail -n 30 "$TMP/apt.log"; fail "apt-get remove"; }
[ ! -e /usr/bin/xinfang ] && [ ! -e "$PREFIX" ] || fail "files left after removal"
[ -f "$DATA/xinfang.sqlite3" ] || fail "removing the package removed the user's data"
say "installed, used and removed: ok (the user's data is kept: $DATA)"

#!/usr/bin/env bash
# 信访 Desktop — install everything (scripts/setup.sh), create a demo database in
# demo-data/ (first run only), then start the window on it.
#
#   bash scripts/demo.sh                # log in as  demo / demo123456
#   bash scripts/demo.sh --self-test    # open the main window headless, check it, exit
#
# Extra arguments go to xinfang-desktop. To rebuild the demo data: rm -rf demo-data
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DATA=demo-data
UNIT=350881102000          # a township of 漳平市 (see xinfang_desktop/resources/divisions-350881.csv)
ADMIN=demo
PASSWORD=demo123456
CASES=2000

bash scripts/setup.sh

if [ -d "$DATA" ]; then
  echo "[demo] Using the existing demo database in $DATA/ (rm -rf $DATA to rebuild it)."
else
  # Build into a temporary directory and rename it at the end, so an interrupted
  # run never leaves a half-made demo database behind.
  TMP_DATA="$DATA.partial"
  rm -rf "$TMP_DATA"
  echo "[demo] Creating the demo database in $DATA/ (unit $UNIT, admin user '$ADMIN', $CASES cases) ..."
  # `xinfang init` reads the admin password from stdin when stdin is not a terminal.
  printf '%s\n' "$PASSWORD" |
    .venv/bin/xinfang --data-dir "$TMP_DATA" init --unit "$UNIT" --admin "$ADMIN"
  # Every other command opens the encrypted data with a user's password: the demo's, from the environment.
  XINFANG_PASSWORD="$PASSWORD" .venv/bin/xinfang --data-dir "$TMP_DATA" demo --cases "$CASES" --seed 1
  printf '# demo data made by scripts/demo.sh: not part of the source tree\n*\n' >"$TMP_DATA/.gitignore"
  mv "$TMP_DATA" "$DATA"
  echo "[demo] Demo database ready in $DATA/."
fi

self_test=0
for a in "$@"; do [ "$a" = --self-test ] && self_test=1; done

if [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] &&
   [ -z "${QT_QPA_PLATFORM:-}" ]; then
  if [ "$self_test" = 1 ]; then
    export QT_QPA_PLATFORM=offscreen   # the self-test needs no screen
  else
    cat >&2 <<MSG

[demo] 没有可用的图形显示（DISPLAY 和 WAYLAND_DISPLAY 均未设置），无法打开窗口。
       演示数据库已就绪：$DATA/ （用户 $ADMIN，密码 $PASSWORD）。
       在无显示器的机器上可以这样运行：
         xvfb-run -a bash scripts/demo.sh --self-test   （虚拟 X 显示；apt-get install xvfb）
         QT_QPA_PLATFORM=offscreen bash scripts/demo.sh --self-test
                                                   （不显示窗口，只做自检）
       或在桌面会话中运行，或通过 ssh -X 登录。

[demo] No graphical display is available (neither DISPLAY nor WAYLAND_DISPLAY
       is set), so the window cannot open.
       The demo database is ready: $DATA/ (user $ADMIN, password $PASSWORD).
       On a machine without a screen, run:
         xvfb-run -a bash scripts/demo.sh --self-test   (virtual X display; apt-get install xvfb)
         QT_QPA_PLATFORM=offscreen bash scripts/demo.sh --self-test
                                                   (no window, self-test only)
       or run it from a desktop session, or log in with ssh -X.
MSG
    exit 2
  fi
fi

if [ "$self_test" = 1 ]; then
  echo "[demo] Running the 信访 Desktop self-test (main window, headless) ..."
else
  echo "[demo] Starting 信访 Desktop — log in as '$ADMIN', password '$PASSWORD'."
fi
exec .venv/bin/xinfang-desktop --data-dir "$DATA" "$@"

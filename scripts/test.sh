#!/usr/bin/env bash
# 信访 Desktop — install everything (scripts/setup.sh), then run the whole test
# suite headless (Qt "offscreen" platform). Arguments go to pytest:
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh tests/domain -x # a part
#   bash scripts/test.sh -n 0 tests/gui  # in this one process (no workers)
#
# The tests run in one worker process per CPU core (pytest-xdist; each worker has its own Qt
# application and temporary folders); a worker that runs out of tests takes some from the other's.
#
# The exit code is pytest's. Exit code 5 ("no tests were collected") is passed
# through as a failure, with a message, never turned into success.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

export QT_QPA_PLATFORM=offscreen
# Every open()/read_text()/subprocess text call without encoding= warns, and pyproject.toml turns
# the warning into a failure: on a Chinese Windows PC the default encoding is GBK, not UTF-8.
export PYTHONWARNDEFAULTENCODING=1
# Qt complains when XDG_RUNTIME_DIR is missing (root shells, CI): give it a private one.
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "${XDG_RUNTIME_DIR}" ] || [ ! -O "${XDG_RUNTIME_DIR}" ]; then
  XDG_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/xinfang-runtime.XXXXXX")
  chmod 700 "$XDG_RUNTIME_DIR"
  export XDG_RUNTIME_DIR
  trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
fi

WORKERS=(-n auto --dist worksteal)
echo "[test] QT_QPA_PLATFORM=offscreen PYTHONWARNDEFAULTENCODING=1 .venv/bin/python -m pytest ${WORKERS[*]} $*"
set +e
.venv/bin/python -m pytest "${WORKERS[@]}" "$@"
rc=$?
set -e

if [ "$rc" -eq 5 ]; then
  echo "[test] pytest collected no tests (exit code 5): nothing was tested — reported as a failure." >&2
fi
exit "$rc"

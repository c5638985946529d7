"""Putting a finished file (or folder) in place of the old one, also while Windows holds it.

On Windows, `os.replace` fails with WinError 5 (access denied) or 32 (sharing violation) while
another program has the target open: WPS, Excel or Adobe Reader showing last time's PDF or ledger,
or an antivirus scan that holds a new file for a moment. The scan lets go within a second, so the
rename is tried again for a while; a document a person keeps open does not, so the error then
says plainly that the file is in use and what to do. Linux never refuses a rename for an open
file, so there the first failure is final.

The Windows error codes are read from `OSError.winerror`; tests raise errors carrying them."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Callable

from .domain.errors import XinfangError

FILE_IN_USE = "文件正被其他程序打开，请关闭后重试"

# ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
IN_USE_WINERRORS = frozenset({5, 32, 33})
ATTEMPTS = 20        # 20 × 0.1 s: longer than an antivirus scan of a new file, short for a person waiting
DELAY_S = 0.1


class FileInUse(XinfangError, PermissionError):
    """The target stayed open in another program. Still an OSError (PermissionError), so code that
    cleans up after any OSError keeps working; the message is shown as is."""

    def __init__(self, target: Path):
        super().__init__(f"无法保存 {target.name}：{FILE_IN_USE}（例如在 WPS、Excel 或 PDF 阅读器中关闭它）。"
                         f"\n位置：{target}")
        self.target = target


def held_by_another_program(exc: OSError) -> bool:
    """Is this the Windows refusal that another program's open handle causes?"""
    return getattr(exc, "winerror", None) in IN_USE_WINERRORS


def _read_only(path: Path) -> bool:
    """A read-only target also gives WinError 5: that is a permission problem, not a file in use."""
    try:
        return not (os.stat(path).st_mode & stat.S_IWRITE)
    except OSError:
        return False


def replace_file(source: str | os.PathLike[str], target: str | os.PathLike[str], *,
                 attempts: int | None = None, delay: float | None = None,
                 replace: Callable[[str | os.PathLike[str], str | os.PathLike[str]], None] | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
    """`os.replace(source, target)`, retried while Windows reports the target in use.

    Raises FileInUse (with FILE_IN_USE in its message) when it stays in use, and any other OSError
    unchanged; `source` is left where it was, so the caller can remove it. The defaults are looked
    up at each call (os.replace, time.sleep, ATTEMPTS, DELAY_S)."""
    attempts = ATTEMPTS if attempts is None else attempts
    delay = DELAY_S if delay is None else delay
    replace = replace or os.replace
    sleep = sleep or time.sleep
    for attempt in range(attempts):
        try:
            replace(source, target)
            return
        except OSError as exc:
            if not held_by_another_program(exc):
                raise
            if attempt == attempts - 1:
                if exc.winerror == 5 and _read_only(Path(target)):   # type: ignore[attr-defined]
                    raise
                raise FileInUse(Path(target)) from exc
            sleep(delay)

"""Decrypted copies handed to another program (an image viewer, a PDF reader) to show an attachment.

The data folder holds every attachment encrypted; a viewer needs a plain file. The copy goes into one
private folder of this session (readable by the owner only), and the folder is removed when the program
closes. What a viewer or the system does with the file meanwhile (its own cache, a recent-files list) is
outside the program's reach: the README says so.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_session: Path | None = None


def session_folder() -> Path:
    global _session
    if _session is None or not _session.is_dir():
        _session = Path(tempfile.mkdtemp(prefix="xinfang-view-"))      # mkdtemp: mode 0700
        atexit.register(remove_all)
    return _session


def viewer_copy(name: str, content: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(dir=session_folder()))
    target = folder / (Path(name).name or "附件")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return target


def remove_all() -> None:
    global _session
    if _session is not None:
        shutil.rmtree(_session, ignore_errors=True)
        _session = None

"""Writing a rendered document to disk so that no half-written file is ever left behind.

The PDF goes to a temporary file in the target folder, is flushed to disk, then renamed over
the target: a full disk, a pulled USB stick or a crash leaves either the old file or the new one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..domain.errors import InvalidInput, XinfangError
from ..file_replace import FileInUse, replace_file


def save_file(path: str | os.PathLike[str], data: bytes) -> Path:
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(f"保存位置不存在：{folder}。请先建立该文件夹，或另选保存位置。", field="out")
    if target.is_dir():
        raise InvalidInput(f"{target} 是一个文件夹，请给出文件名，例如 {target / '文书.pdf'}", field="out")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        replace_file(tmp, target)   # retried while Windows reports the old file open (WPS, Excel, a PDF reader)
    except FileInUse:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise XinfangError(f"无法保存 {target.name}：{exc.strerror or exc}。请检查磁盘空间和写入权限后重试，"
                           "原有文件未被改动。") from exc
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target

"""Bundle files on a USB stick: durable writes, capped copies into staging, listing.

* :func:`write_bundle_file` writes ``<name>.part``, fsyncs it, renames it to
  ``<name>``, fsyncs the directory, reads the file back and compares SHA-256.
  A failed write leaves neither a ``.part`` nor a final file behind.
* :func:`read_bundle_file` copies a file off the stick into a staging folder
  with a size cap, under a name derived from its content hash, and returns the
  staged copy; the stick is not read again. Links, folders and devices are refused.
* :func:`list_bundle_files` lists candidate bundle files and skips ``.part``
  files, hidden files (e.g. macOS ``._`` companions), links and folders. The
  names are only for finding files: the importer trusts the content, never the name.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.file_replace import replace_file
from xinfang_desktop.sync.bundle import BUNDLE_EXTENSION, DEFAULT_LIMITS
from xinfang_desktop.sync.errors import BundleFileError

PART_SUFFIX = ".part"
_CHUNK = 1024 * 1024
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\Z")


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable. Not possible on Windows, where NTFS/FAT renames are flushed with the volume."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _os_detail(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "磁盘或U盘空间不足"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "U盘处于写保护状态或没有写入权限"
    if exc.errno == errno.EIO:
        return "读写出错，U盘可能已被拔出"
    if exc.errno == errno.ENOENT:
        return "找不到文件或文件夹，U盘可能已被拔出"
    return exc.strerror or type(exc).__name__


def _remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_bundle_file(directory: str | os.PathLike[str], name: str, data: bytes) -> Path:
    """Durably write ``data`` as ``directory/name`` and verify it by reading it back.

    If a file of that name already holds exactly ``data`` it is kept (a repeated
    copy); if it holds something else, ``name_conflict`` is raised and nothing
    is overwritten. Raises :class:`BundleFileError` ``write_failed``,
    ``readback_mismatch``, ``name_conflict``; :class:`InvalidInput` for a name
    that is not a plain file name.
    """
    if not isinstance(name, str) or not _NAME_RE.match(name) or name.endswith(PART_SUFFIX):
        raise InvalidInput("同步包文件名只能由字母、数字、点、下划线和连字符组成。", field="name")
    folder = Path(directory)
    target = folder / name
    part = folder / (name + PART_SUFFIX)
    expected = hashlib.sha256(data).hexdigest()
    try:
        if os.path.lexists(target):
            if not target.is_file() or target.is_symlink():
                raise BundleFileError("name_conflict", name)
            if _sha256_file(target) == expected:
                return target
            raise BundleFileError("name_conflict", name)
    except OSError as exc:
        raise BundleFileError("write_failed", _os_detail(exc)) from None
    try:
        # A leftover .part (earlier pulled stick) may even be a planted link: remove it, never write through it.
        if os.path.lexists(part):
            os.unlink(part)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(part, flags, 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view[:_CHUNK])
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        replace_file(part, target)
        _fsync_dir(folder)
    except OSError as exc:
        _remove_quietly(part)
        # The rename may have happened before the directory fsync failed.
        if os.path.lexists(target):
            _remove_quietly(target)
        raise BundleFileError("write_failed", _os_detail(exc)) from None
    try:
        actual = _sha256_file(target)
    except OSError as exc:
        _remove_quietly(target)
        raise BundleFileError("write_failed", _os_detail(exc)) from None
    if actual != expected:
        _remove_quietly(target)
        raise BundleFileError("readback_mismatch", name)
    return target


@dataclass(frozen=True)
class StagedFile:
    """A bundle copied into staging: ``path`` is ``<staging>/<sha256>.xfb``; ``source_name`` is for display only."""

    path: Path
    sha256: str
    size: int
    source_name: str

    def read(self) -> bytes:
        return self.path.read_bytes()


def read_bundle_file(
    path: str | os.PathLike[str],
    staging_dir: str | os.PathLike[str],
    max_size: int | None = None,
) -> StagedFile:
    """Step 1: copy one file off the stick into ``staging_dir`` (at most ``max_size`` bytes), then stop reading the stick.

    ``max_size`` defaults to the largest file the default :class:`Limits` can parse.
    Raises :class:`BundleFileError` ``not_a_file``, ``too_large``, ``read_failed``
    (stick pulled mid-read; nothing is left in staging) or ``write_failed`` (staging disk).
    """
    cap = DEFAULT_LIMITS.max_file_size if max_size is None else max_size
    source = Path(path)
    staging = Path(staging_dir)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        if os.path.islink(source):
            raise BundleFileError("not_a_file", source.name)
        fd = os.open(source, flags)
    except BundleFileError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BundleFileError("not_a_file", source.name) from None
        raise BundleFileError("read_failed", _os_detail(exc)) from None
    tmp: Path | None = None
    digest = hashlib.sha256()
    size = 0
    try:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise BundleFileError("not_a_file", source.name)
            if info.st_size > cap:
                raise BundleFileError("too_large", f"{info.st_size} 字节，上限 {cap} 字节")
        except OSError as exc:
            raise BundleFileError("read_failed", _os_detail(exc)) from None
        try:
            staging.mkdir(parents=True, exist_ok=True)
            out, tmp_name = tempfile.mkstemp(prefix=".incoming-", suffix=PART_SUFFIX, dir=staging)
            tmp = Path(tmp_name)
        except OSError as exc:
            raise BundleFileError("write_failed", _os_detail(exc)) from None
        try:
            while True:
                try:
                    chunk = os.read(fd, min(_CHUNK, cap + 1 - size))
                except OSError as exc:
                    raise BundleFileError("read_failed", _os_detail(exc)) from None
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise BundleFileError("too_large", f"超过上限 {cap} 字节")
                digest.update(chunk)
                try:
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(out, view) :]
                except OSError as exc:
                    raise BundleFileError("write_failed", _os_detail(exc)) from None
            try:
                os.fsync(out)
            except OSError as exc:
                raise BundleFileError("write_failed", _os_detail(exc)) from None
        finally:
            os.close(out)
        name = digest.hexdigest()
        final = staging / f"{name}.{BUNDLE_EXTENSION}"
        try:
            replace_file(tmp, final)
            _fsync_dir(staging)
        except OSError as exc:
            raise BundleFileError("write_failed", _os_detail(exc)) from None
    except BaseException:
        if tmp is not None:
            _remove_quietly(tmp)
        raise
    finally:
        os.close(fd)
    return StagedFile(path=final, sha256=name, size=size, source_name=source.name)


def list_bundle_files(directory: str | os.PathLike[str], ext: str = BUNDLE_EXTENSION) -> list[Path]:
    """Regular files in ``directory`` ending in ``.<ext>`` (case-insensitive), sorted by name.

    Skips ``.part`` files, hidden files, links, folders and anything else that
    is not a plain file. A missing or unreadable folder gives ``read_failed``.
    """
    folder = Path(directory)
    suffix = "." + ext.lower()
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name.lower().endswith(PART_SUFFIX) or not name.lower().endswith(suffix):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                except OSError:
                    continue
                found.append(Path(entry.path))
    except OSError as exc:
        raise BundleFileError("read_failed", _os_detail(exc)) from None
    return sorted(found, key=lambda p: p.name)


__all__ = ["PART_SUFFIX", "StagedFile", "list_bundle_files", "read_bundle_file", "write_bundle_file"]

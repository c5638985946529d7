"""Scanned letters and photos attached to a case.

Files are copied into the data folder by content hash (`attachments/<sha256[:2]>/<sha256>`), so
the same file attached twice is stored once. A file is written to a temporary name, flushed to
disk and then renamed, so a power cut never leaves half a file under a real name; the link rows
are written in one transaction, and files this call created are removed when it fails.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..domain.errors import InvalidInput, XinfangError
from ..store.files import DamagedFile, FileStore
from ..store.models_intake import Attachment
from ..store.ownership import require_writable
from .audit import audit
from .cases import find_case
from .permissions import Actor, Permission, require

MAX_BYTES = 20 * 1024 * 1024
# kind -> (extensions, content signatures); the content decides, the extension must agree.
KINDS: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {
    "jpg": ((".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    "png": ((".png",), (b"\x89PNG\r\n\x1a\n",)),
    "pdf": ((".pdf",), (b"%PDF-",)),
    "tif": ((".tif", ".tiff"), (b"II*\x00", b"MM\x00*")),
}
ALLOWED_TEXT = "JPG、PNG、PDF、TIF"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class CheckedFile:
    path: Path
    name: str
    kind: str
    size: int


@dataclass(frozen=True)
class StoredFile:
    file: CheckedFile
    sha256: str
    created: bool          # this call put the content on disk (so it removes it on failure)


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"


def sniff_kind(head: bytes) -> str | None:
    for kind, (_exts, sigs) in KINDS.items():
        if any(head.startswith(s) for s in sigs):
            return kind
    return None


def check_file(path: Path | str) -> CheckedFile:
    """Refuse, with the reason in Chinese, a file that is missing, empty, too large or not a scan or photo."""
    path = Path(path)
    name = path.name
    ext = path.suffix.lower()
    kind_by_ext = next((k for k, (exts, _s) in KINDS.items() if ext in exts), None)
    if kind_by_ext is None:
        raise InvalidInput(f"附件“{name}”的类型不支持，只能添加 {ALLOWED_TEXT} 格式的扫描件或照片。", field="attachments")
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InvalidInput(f"“{name}”不是文件，请选择扫描件或照片文件。", field="attachments")
        with path.open("rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        raise InvalidInput(f"找不到附件“{name}”，文件可能已被移动或删除，请重新选择。", field="attachments") from None
    except OSError as exc:
        raise InvalidInput(f"无法读取附件“{name}”：{exc.strerror or exc}。请检查文件后重新选择。",
                           field="attachments") from None
    if size == 0:
        raise InvalidInput(f"附件“{name}”是空文件，请重新扫描或拍照。", field="attachments")
    if size > MAX_BYTES:
        raise InvalidInput(f"附件“{name}”太大（{human_size(size)}），每个附件最多 {human_size(MAX_BYTES)}。"
                           "请降低扫描分辨率或分页保存。", field="attachments")
    kind = sniff_kind(head)
    if kind is None:
        raise InvalidInput(f"附件“{name}”的内容不是 {ALLOWED_TEXT} 文件（可能只是改了扩展名），请选择原始的扫描件或照片。",
                           field="attachments")
    if kind != kind_by_ext:
        raise InvalidInput(f"附件“{name}”的扩展名与内容不符（内容是 {kind.upper()}），请改正扩展名后重新添加。",
                           field="attachments")
    return CheckedFile(path, name, kind, size)


class AttachmentService:
    def __init__(self, services):
        self.services = services

    @property
    def root(self) -> Path:
        return Path(self.services.data_dir) / "attachments"

    @property
    def store(self) -> FileStore:
        """The folder's attachment files, encrypted with its data key (store/files.py)."""
        return FileStore(self.root, self.services.data_key)

    def path_of(self, sha256: str) -> Path:
        return self.store.path_of(sha256)

    def content(self, sha256: str) -> bytes:
        """A file's content, decrypted (to show it, print it or send it)."""
        try:
            return self.store.read(sha256)
        except DamagedFile:
            raise XinfangError("该附件的文件已损坏或丢失，无法打开。请从备份恢复，或重新扫描后添加。") from None

    # -- files -----------------------------------------------------------------------------
    def store_files(self, files: Sequence[CheckedFile]) -> list[StoredFile]:
        """Copy each file into the store (no database write). Raises after removing what it created."""
        done: list[StoredFile] = []
        try:
            for f in files:
                done.append(self._store_one(f))
        except BaseException:
            self.remove_created(done)
            raise
        return done

    def _store_one(self, f: CheckedFile) -> StoredFile:
        try:
            with f.path.open("rb") as src:
                content = src.read(MAX_BYTES + 1)      # at most 20 MB: sealed in memory, written once
        except FileNotFoundError:
            raise InvalidInput(f"找不到附件“{f.name}”，文件可能已被移动或删除，请重新选择。", field="attachments") from None
        if len(content) > MAX_BYTES:
            raise InvalidInput(f"附件“{f.name}”在添加过程中变大了，超过 {human_size(MAX_BYTES)}，请重新选择。",
                               field="attachments")
        sha = hashlib.sha256(content).hexdigest()
        created = self.store.put(sha, content)
        return StoredFile(f, sha, created=created)

    def remove_created(self, stored: Iterable[StoredFile]) -> None:
        """Undo `store_files` for content no row links (after a failed transaction)."""
        for s in stored:
            if s.created and not Attachment.select().where(Attachment.sha256 == s.sha256).exists():
                try:
                    self.path_of(s.sha256).unlink()
                except FileNotFoundError:
                    pass

    # -- rows --------------------------------------------------------------------------------
    def link(self, actor: Actor, case, stored: Sequence[StoredFile], *, new_case: bool = False) -> list[Attachment]:
        """Link stored files to a case; call inside the caller's transaction. A file already on the case is skipped.
        ``new_case``: the case is being registered and has none yet, so nothing is read (its rows go with the
        registration's commit: services/cases.py register ``with_rows``)."""
        now = self.services.clock.now()
        rows: list[Attachment] = []
        for s in stored:
            if any(r.sha256 == s.sha256 for r in rows) or not new_case and Attachment.get_or_none(
                    (Attachment.case == case) & (Attachment.sha256 == s.sha256)) is not None:
                continue
            rows.append(Attachment.create(case=case, unit_code=actor.unit_code, sha256=s.sha256,
                                          file_name=s.file.name[:200], kind=s.file.kind, size=s.file.size,
                                          added_by=actor.name, added_at=now, updated_at=now))
        if rows:
            audit(actor, "case.attach", case.id, {"files": [r.file_name for r in rows]}, at=now)
        return rows

    def attach(self, actor: Actor, case_ref: str, paths: Sequence[Path | str]) -> list[Attachment]:
        """Attach files to an existing case: every file is checked before anything is written."""
        require(actor, Permission.NOTE)
        checked = [check_file(p) for p in paths]
        case = find_case(case_ref)
        require_writable(self.services.db, actor.unit_code, "attachment", {"case_id": case.id})
        stored = self.store_files(checked)
        try:
            with self.services.db.atomic():
                return self.link(actor, find_case(case.id), stored)
        except BaseException:
            self.remove_created(stored)
            raise

    def of_case(self, case_ref: str) -> list[Attachment]:
        case = find_case(case_ref)
        return list(Attachment.select().where(Attachment.case == case).order_by(Attachment.added_at, Attachment.file_name))

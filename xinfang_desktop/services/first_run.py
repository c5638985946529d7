"""The first start of a new data folder: unit, administrator, the other side's enrolment key,
the backup folder. Everything is checked before anything is written."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import InvalidInput
from ..file_replace import replace_file
from ..store.keyring import PRODUCTION, KdfParams
from ..store import setting_keys
from ..store.models import Setting
from .access import Opened, set_up
from .audit import audit
from .backup import BackupService, disk_error

ENROLMENT_DIR = "sync"
ENROLMENT_FILE = "enrolment-pending.json"
SETTING_ENROLMENT = setting_keys.SYNC_PENDING_ENROLMENT   # read by the sync page to enrol the other side


@dataclass(frozen=True)
class FirstRunInput:
    unit_code: str
    admin_name: str
    password: str
    display_name: str | None = None
    enrolment: bytes | None = None          # the other side's enrolment file, optional
    fingerprint: str | None = None          # typed from the paper form that came with it
    backup_folder: Path | None = None       # None: choose later in 设置 → 备份


def check_enrolment(data: bytes, fingerprint: str | None) -> dict:
    """The enrolment file checked against the fingerprint on paper; a summary to show and keep."""
    from ..sync.keys import read_enrolment

    if not fingerprint or not fingerprint.strip():
        raise InvalidInput("请输入随密钥文件一起送来的纸质表上的密钥核对码（64位），用来确认文件没有被调换。",
                           field="fingerprint")
    ident = read_enrolment(data, fingerprint)
    return {"unit_code": ident.unit_code, "unit_name": ident.unit_name, "role": ident.role,
            "fingerprint": ident.signing_fingerprint}


def complete(data_dir: Path, given: FirstRunInput, *, kdf: KdfParams = PRODUCTION, clock=None) -> Opened:
    """Create the encrypted data folder, its unit and administrator (services/access.set_up), keep the
    enrolment file for the sync page, set the backup folder. Refused as a whole (nothing written) when
    any part is wrong. The result carries the recovery code, to be shown and printed once."""
    from .auth import _check_login_name, _check_password

    _check_login_name(given.admin_name)
    _check_password(given.password)
    summary = check_enrolment(given.enrolment, given.fingerprint) if given.enrolment else None
    folder = given.backup_folder
    if folder is not None:
        folder = Path(folder)
        if not folder.is_absolute():
            raise InvalidInput("请选择一个完整的备份文件夹路径", field="folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".xinfang-write-test-{os.getpid()}"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise disk_error(exc, folder) from exc
    opened = set_up(data_dir, given.unit_code, given.admin_name, given.password, given.display_name, clock=clock,
                    kdf=kdf)
    services, actor = opened.services, opened.actor
    if folder is not None:
        services.get(BackupService).set_folder(actor, folder)
    if given.enrolment and summary is not None:
        target = Path(services.data_dir) / ENROLMENT_DIR / ENROLMENT_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(".part")
        part.write_bytes(given.enrolment)
        replace_file(part, target)
        at = services.clock.now()
        with services.db.atomic():
            Setting.replace(key=SETTING_ENROLMENT, value={**summary, "file": f"{ENROLMENT_DIR}/{ENROLMENT_FILE}"}).execute()
            audit(actor, "setup.enrolment_received", summary["unit_code"], summary, at=at)
    return opened

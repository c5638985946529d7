"""Epochs after a restore from backup, and the versions of the records changed since the restore.

A township PC restored from a backup taken before its last export has lost edits the city already
holds, and hands their version numbers out again for other content: the city, which keeps the
higher version of an owned row, would keep one and silently drop the other. So every row this unit
changes after the restore travels with its version lifted into the new epoch's range
(``epoch << 32`` + version): it wins over whatever the old epochs sent, and later edits still count
up from there. Rows not changed since the restore keep their versions, so the city keeps the newer
copies it already has of them. Entries (events) are append-only and never collide: nothing is lost.

Case numbers have the same problem: the restored PC's yearly counter hands out again the numbers of
cases registered before the loss, which the city already holds; the city quarantines such a case.
So the city, when it authorises the epoch, also tells the highest case number of that township it
holds, and the township's counter moves past it when it starts the epoch. Cases registered between
the restore and that moment with a number the city already has are named, so that both offices can
sort them out by telephone (the city lists them among its quarantined records).

The flow (SYNC.md "A PC restored from backup starts a new epoch, authorised by the city"):
restore (services/backup.py records the journal position of the restored database) → the township
asks the city by telephone → the city authorises epoch N for it (``xinfang sync authorise-epoch``
or 授权新一轮编号 on the 乡镇登记册) and tells the number → the township starts epoch N
(``xinfang sync start-epoch N`` or 开始新一轮编号 on its 同步 page) → its next bundle starts epoch N at
seq 1 and the city applies it. A number the city did not authorise is refused at the city's import.

Owns this unit's epoch, the restore mark and the start of a new epoch (service ``Epochs``). Does not own
the city's authorisation of a peer's epoch (registry.py) or the refusal of an unauthorised one (inbox_checks.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import peewee

from ...domain.errors import InvalidInput
from ...domain.numbers import parse_case_number
from ...store.db import OperationalError
from ...store import setting_keys
from ...store.models import Setting
from ..audit import audit
from ..permissions import Actor, Permission, require
from .part import SyncPart

EPOCH_SHIFT = 32
EPOCH_SETTING = setting_keys.SYNC_EPOCH
RESTORED_SETTING = setting_keys.SYNC_EPOCH_NEEDED     # written by services/backup.py after a restore
MARK_SETTING = setting_keys.SYNC_EPOCH_MARK      # {"epoch": N, "journal": J}: rows journaled after J are lifted in N


def journal_head(db) -> int:
    """The position of the change journal (0 before the sync schema step ran)."""
    try:
        return db.execute_sql("SELECT COALESCE(MAX(seq), 0) FROM sync_change").fetchone()[0]
    except (sqlite3.OperationalError, peewee.OperationalError, OperationalError):
        return 0


def lifted_version(epoch: int, version: int) -> int:
    return (epoch << EPOCH_SHIFT) + version


def changed_since(db, position: int) -> set[str]:
    return {r[0] for r in db.execute_sql("SELECT DISTINCT row_id FROM sync_change WHERE seq > ?",
                                         (position,)).fetchall()}


def lift_versions(db, records: Iterable[dict[str, Any]], mark: dict[str, Any] | None, epoch: int, *,
                  since: int = 0) -> int:
    """Lift, in place, the version of each record changed after the restore; returns how many.

    ``since`` is the journal position the records were read from: when it is past the restore, every
    record was changed after it and the journal need not be read (every bundle but the epoch's first)."""
    if not mark or mark.get("epoch") != epoch:
        return 0
    position = int(mark.get("journal", 0))
    changed = None if since >= position else changed_since(db, position)
    n = 0
    for r in records:
        if (changed is None or r.get("id") in changed) and isinstance(r.get("version"), int):
            r["version"] = lifted_version(epoch, r["version"])
            n += 1
    return n


@dataclass(frozen=True)
class EpochStarted:
    epoch: int
    last_number: str | None                 # the city's highest case number of this unit, as typed
    clashes: list[str] = field(default_factory=list)   # numbers handed out since the restore that the city has


def last_case_number(db, unit_code: str) -> str | None:
    """The highest case number of a unit in this database (latest year, then highest sequence)."""
    row = db.execute_sql(
        'SELECT number FROM "case" WHERE unit_code = ? '
        "ORDER BY substr(number, 11, 4) DESC, length(number) DESC, number DESC LIMIT 1", (unit_code,)).fetchone()
    return row[0] if row else None


def check_own_number(own_unit: str, text: str) -> str:
    prefix, year, seq = parse_case_number(text)
    if prefix != own_unit[:9]:
        raise InvalidInput(f"“{text.strip()}”不是本单位的事项编号（本单位编号以 {own_unit[:9]} 开头）。"
                           "请核对市局告知的编号，或不填。", field="last_number")
    return f"{prefix}-{year}-{seq:05d}"


def advance_counter(db, own_unit: str, number: str, *, since: int) -> list[str]:
    """Move this unit's case counter past ``number``; return the numbers up to it handed out since the restore."""
    _, year, seq = parse_case_number(number)
    db.execute_sql(
        "INSERT INTO case_counter (unit_code, year, last) VALUES (?, ?, ?) "
        "ON CONFLICT (unit_code, year) DO UPDATE SET last = MAX(last, excluded.last)", (own_unit, year, seq))
    # Registered since the restore: the first journal entry of the row comes after it.
    new_cases = {r[0] for r in db.execute_sql(
        "SELECT row_id FROM sync_change WHERE tbl = 'case' GROUP BY row_id HAVING MIN(seq) > ?", (since,)).fetchall()}
    clashes = []
    for cid, text in db.execute_sql('SELECT id, number FROM "case" WHERE unit_code = ? AND substr(number, 11, 4) = ?',
                                    (own_unit, f"{year:04d}")).fetchall():
        if cid in new_cases and parse_case_number(text)[2] <= seq:
            clashes.append(text)
    return sorted(clashes)


__all__ = ["Epochs", "EPOCH_SETTING", "RESTORED_SETTING", "EpochStarted", "last_case_number", "check_own_number",
           "advance_counter", "EPOCH_SHIFT", "MARK_SETTING", "journal_head", "lift_versions", "lifted_version",
           "changed_since"]


class Epochs(SyncPart):
    def epoch(self) -> int:
        row = Setting.get_or_none(Setting.key == EPOCH_SETTING)
        return int(row.value) if row else 1

    def epoch_needed(self) -> bool:
        """This database was restored from a backup (services/backup.py): its seq numbers may have been used."""
        return Setting.get_or_none(Setting.key == RESTORED_SETTING) is not None

    def restored_info(self) -> dict[str, Any] | None:
        """What services/backup.py recorded at the restore (since, backup), or None when no epoch is needed."""
        row = Setting.get_or_none(Setting.key == RESTORED_SETTING)
        if row is None:
            return None
        return row.value if isinstance(row.value, dict) else {}

    def last_case_number(self, unit_code: str) -> str | None:
        """The highest case number of ``unit_code`` held here: the city tells it to a restored township."""
        return last_case_number(self.db, unit_code)

    def start_epoch(self, actor: Actor, epoch: int, last_number: str | None = None) -> EpochStarted:
        """After a restore: continue in the new epoch the city authorised, from seq 1, never reusing a seq; with the
        highest case number the city holds of this unit, never hand out a case number again either."""
        require(actor, Permission.MANAGE_SETTINGS)
        if epoch <= self.epoch():
            raise InvalidInput(f"新一轮编号的轮次必须大于本机当前的第 {self.epoch()} 轮。请输入市局授权的轮次"
                               "（市局授权时会告知）。", field="epoch")
        own = self.services.unit_code
        number = check_own_number(own, last_number) if last_number and last_number.strip() else None
        restored = self.restored_info()
        # A writer that runs alone, on PostgreSQL too (store/pg.py): the journal's position and the case counter
        # it moves must not change under it.
        with self.db.atomic():
            # Rows changed after the restore (or from now on, without one) win over the old epochs' copies.
            if restored is not None and isinstance(restored.get("journal"), int):
                position = restored["journal"]
            elif restored is not None:      # restored by an older version: from the last bundle written
                position = self.db.execute_sql("SELECT COALESCE(MAX(through_change), 0) FROM sync_outbox").fetchone()[0]
            else:
                position = journal_head(self.db)
            clashes = advance_counter(self.db, own, number, since=position) if number else []
            Setting.replace(key=MARK_SETTING, value={"epoch": epoch, "journal": position}).execute()
            Setting.replace(key=EPOCH_SETTING, value=epoch).execute()
            Setting.delete().where(Setting.key == RESTORED_SETTING).execute()
            # Everything this unit owns goes again in the new epoch: the city ignores what it already has.
            self.db.execute_sql("UPDATE sync_outbox SET acknowledged_at = COALESCE(acknowledged_at, ?)",
                                (self.services.clock.now(),))
            audit(actor, "sync.start_epoch", own, {"epoch": epoch, "last_number": number, "clashes": clashes},
                  at=self.services.clock.now())
        return EpochStarted(epoch, number, clashes)

"""Epochs after a restore from backup, and the versions of the records changed since the restore.

A township PC restored from a backup taken before its last export has lost edits the city already
holds, and hands their version numbers out again for other content: the city, which keeps the
higher version of an owned row, would keep one and silently drop the other. So every row this unit
changes after the restore travels with its version lifted into the new epoch's range
(``epoch << 32`` + version): it wins over whatever the old epochs sent, and later edits still count
up from there. Rows not changed since the restore keep their versions, so the city keeps the newer
copies it already has of them. Entries (events) are append-only and never collide: nothing is lost.

The flow (SYNC.md "A PC restored from backup starts a new epoch, authorised by the city"):
restore (services/backup.py records the journal position of the restored database) → the township
asks the city by telephone → the city authorises epoch N for it (``xinfang sync authorise-epoch``
or 授权新批次 on the 乡镇登记册) and tells the number → the township starts epoch N
(``xinfang sync start-epoch N`` or 开始新批次 on its 同步 page) → its next bundle starts epoch N at
seq 1 and the city applies it. A number the city did not authorise is refused at the city's import.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

EPOCH_SHIFT = 32
MARK_SETTING = "sync.epoch_mark"      # {"epoch": N, "journal": J}: rows journaled after J are lifted in N


def journal_head(db) -> int:
    """The position of the change journal (0 before the sync schema step ran)."""
    try:
        return db.execute_sql("SELECT COALESCE(MAX(seq), 0) FROM sync_change").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def lifted_version(epoch: int, version: int) -> int:
    return (epoch << EPOCH_SHIFT) + version


def changed_since(db, position: int) -> set[str]:
    return {r[0] for r in db.execute_sql("SELECT DISTINCT row_id FROM sync_change WHERE seq > ?",
                                         (position,)).fetchall()}


def lift_versions(db, records: Iterable[dict[str, Any]], mark: dict[str, Any] | None, epoch: int) -> int:
    """Lift, in place, the version of each record changed after the restore; returns how many."""
    if not mark or mark.get("epoch") != epoch:
        return 0
    changed = changed_since(db, int(mark.get("journal", 0)))
    n = 0
    for r in records:
        if r.get("id") in changed and isinstance(r.get("version"), int):
            r["version"] = lifted_version(epoch, r["version"])
            n += 1
    return n


__all__ = ["EPOCH_SHIFT", "MARK_SETTING", "journal_head", "lift_versions", "lifted_version", "changed_since"]

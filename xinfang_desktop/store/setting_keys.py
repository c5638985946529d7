"""Every key of the `setting` table, in one style: ``area.name`` (lower case, words joined by ``_``), the area
being the feature that owns the row. A key is read and written only through the names below, so a new
setting is declared here, with what its value is and who writes it.

The values are JSON (store/models.JSONField). Settings are this database's own: they are not journaled and
never travel in a sync bundle.

Schema step v18 (store/steps/v018_setting_keys.py) renamed the keys of earlier versions to these names;
LEGACY maps the old names to the new ones for the one place that reads a file an older version may have
left without upgrading it first (a backup checked before a restore, services/backup.check_database).
"""

from __future__ import annotations

UNIT_CODE = "unit.code"
"""This unit's 12-digit division code (a JSON string), written once at set-up (services/auth.initialize).
The sync journal's triggers compare each row's ``unit_code`` with it (store/models_sync.journal_triggers,
store/pg_schema): only this unit's rows are journaled for export."""

OFFICE = "unit.office"
"""The office's names, review bodies, phone, 补录 days and 文号 prefixes (设置 → 本单位), a JSON object of the
fields of services/office.OfficeSettings that were saved; the others come from the division table."""

BOARD_RULES = "board.rules"
"""The board's published thresholds (domain/board.BoardSettings as a JSON object), set on 设置 → 看板规则."""

BACKUP_FOLDER = "backup.folder"
"""The folder automatic and manual backups are written to (a JSON string, an absolute path)."""

BACKUP_LAST_AT = "backup.last_at"
"""When the last backup was written ("YYYY-MM-DD HH:MM:SS"): an automatic backup is due once a day."""

SYNC_EPOCH = "sync.epoch"
"""This unit's current sync epoch (a JSON number; 1 when absent), raised after a restore (services/sync/epochs)."""

SYNC_EPOCH_NEEDED = "sync.epoch_needed"
"""Written by a restore (services/backup._mark_restored): {"since", "reason", "backup", "journal"} — the
restored database's sequence numbers may have been used, so sync asks for a new epoch until one is started
(services/sync/epochs.start_epoch deletes it)."""

SYNC_EPOCH_MARK = "sync.epoch_mark"
"""{"epoch": N, "journal": J}: rows journaled after position J travel with their versions lifted into epoch N."""

SYNC_REMINDER_DAYS = "sync.reminder_days"
"""After how many days without an export the workbench reminds (a JSON number; services/sync/reminder)."""

SYNC_ESCROW_RECIPIENT = "sync.escrow_recipient"
"""The city's escrow key that every exported bundle's key is also sealed to (services/sync/outbox)."""

SYNC_PENDING_ENROLMENT = "sync.pending_enrolment"
"""The other side's enrolment file received by the first-run wizard (services/first_run), for the sync page to
enrol: its summary and the file's place in the data folder."""


def user_window(user_id: str) -> str:
    """``user.<id>.window``: one user's window size, place and text size (services/preferences), theirs alone."""
    return f"user.{user_id}.window"


# The keys of versions before 18 that v18 renamed (office_phone, which they only read, was folded
# into OFFICE's "phone").
LEGACY = {"unit_code": UNIT_CODE, "office": OFFICE, "sync_epoch_needed": SYNC_EPOCH_NEEDED}

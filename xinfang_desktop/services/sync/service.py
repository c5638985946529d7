"""SyncService: the one object the window and the command line hold for sync, composed of the parts.

Each method is the method of the same name of one part (identity.py, registry.py, epochs.py, outbox.py,
inbox.py, quarantine.py, history.py, instructions.py, reminder.py); the facade itself owns only the
status summary, which reads all of them. New code may use a part directly: ``services.get(Outbox)``.

Permissions (reusing the existing ones): key set-up, enrolment, rotation, revocation, freezing and
epochs need MANAGE_SETTINGS; export, copy and import need REGISTER (the intake staff carry the
stick); 交办 needs ROUTE and 督办 NOTE; reading sync state needs VIEW.
"""

from __future__ import annotations

from typing import Any

from ...store.models_sync import SyncOutbox, SyncQuarantine
from ...store.models_trust import SyncHeld
from .epochs import Epochs
from .history import History
from .identity import Identity
from .inbox import Inbox
from .inbox_checks import APPLIED, PARKED, QUARANTINED, REJECTED
from .instructions import Instructions
from .outbox import Outbox
from .part import SyncPart
from .quarantine import Quarantine
from .registry import Registry
from .reminder import Reminder


class _Forward:
    """A facade attribute that is the attribute of the same name of one part (built once per Services)."""

    def __init__(self, part: type[SyncPart]):
        self.part = part

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return getattr(self.part, self.name)
        return getattr(obj.services.get(self.part), self.name)


class SyncService(SyncPart):
    # identity.py: keys, enrolment, rotation
    keys_dir = _Forward(Identity)
    key_path = _Forward(Identity)
    has_keys = _Forward(Identity)
    public_identity = _Forward(Identity)
    init_keys = _Forward(Identity)
    unlock = _Forward(Identity)
    export_public = _Forward(Identity)
    enrol = _Forward(Identity)
    rotate = _Forward(Identity)
    # registry.py: the peers
    revoke = _Forward(Registry)
    freeze = _Forward(Registry)
    unfreeze = _Forward(Registry)
    authorise_epoch = _Forward(Registry)
    peer = _Forward(Registry)
    peers = _Forward(Registry)
    unit_names = _Forward(Registry)
    # epochs.py: this unit's epoch after a restore
    epoch = _Forward(Epochs)
    epoch_needed = _Forward(Epochs)
    restored_info = _Forward(Epochs)
    last_case_number = _Forward(Epochs)
    start_epoch = _Forward(Epochs)
    # outbox.py: export and copy
    export = _Forward(Outbox)
    pending_copies = _Forward(Outbox)
    copy_to = _Forward(Outbox)
    days_since_export = _Forward(Outbox)
    # reminder.py
    reminder_days = _Forward(Reminder)
    set_reminder_days = _Forward(Reminder)
    export_reminder = _Forward(Reminder)
    # inbox.py and quarantine.py: import
    staging_dir = _Forward(Inbox)
    bundle_files_in = _Forward(Inbox)
    import_folder = _Forward(Inbox)
    import_files = _Forward(Inbox)
    quarantined_records = _Forward(Quarantine)
    # history.py: lists for the window
    bundles = _Forward(History)
    record_state = _Forward(History)
    # instructions.py: city mode
    assign = _Forward(Instructions)
    supervise = _Forward(Instructions)
    instructions = _Forward(Instructions)

    def status(self) -> dict[str, Any]:
        own = self.own_unit()
        identity = self.public_identity() if self.has_keys() else None
        counts = dict(self.db.execute_sql("SELECT state, COUNT(*) FROM sync_inbox GROUP BY state").fetchall())
        return {
            "unit": own.code, "unit_name": own.name, "role": own.kind, "epoch": self.epoch(),
            "fingerprint": identity.signing_fingerprint if identity else None,
            "encryption_fingerprint": identity.encryption_fingerprint if identity else None,
            "days_since_export": self.days_since_export(),
            "outbox": {"total": SyncOutbox.select().count(), "unacknowledged": len(self.pending_copies())},
            "inbox": {**{k: counts.get(k, 0) for k in (APPLIED, PARKED, REJECTED)},
                      QUARANTINED: SyncHeld.select().count()},
            "quarantined_records": SyncQuarantine.select().count(),
            "peers": [{
                "unit": p.unit_code, "name": p.unit_name, "role": p.role, "fingerprint": p.fingerprint,
                "epoch": p.head_epoch, "head": p.head_seq, "gaps": p.gaps, "parked": p.parked, "frozen": p.frozen,
                "revoked": p.revoked, "last_bundle_at": p.last_bundle_at, "days_since_last": p.days_since_last,
                "cases": p.cases, "unacknowledged": p.unacknowledged,
            } for p in self.peers()],
        }

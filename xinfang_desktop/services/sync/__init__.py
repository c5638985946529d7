"""Sync by USB stick (SYNC.md): keys and enrolment, the peer registry, epochs, export and copying,
import and quarantine, city instructions and the export reminder, one module each.

``SyncService`` (service.py) is the facade the window and the command line use; the names below are
re-exported for them. The bundle format and its crypto are the package ``xinfang_desktop.sync``.
Long operations take plain ``progress(fraction, text)`` and ``cancelled()`` callables; a cancel is
honoured between bundles, never inside one (each bundle is one transaction).
"""

from __future__ import annotations

from .epochs import EPOCH_SETTING, RESTORED_SETTING, EpochStarted
from .history import BundleRow
from .identity import CITY_CODE, KEY_FILE, KeyRing, unit_key_ids
from .outbox import ESCROW_SETTING, SyncCancelled
from .registry import PeerStatus
from .reminder import DEFAULT_REMINDER_DAYS, REMINDER_SETTING
from .service import SyncService

__all__ = ["SyncService", "KeyRing", "PeerStatus", "BundleRow", "EpochStarted", "SyncCancelled", "unit_key_ids",
           "CITY_CODE", "KEY_FILE", "EPOCH_SETTING", "RESTORED_SETTING", "ESCROW_SETTING", "REMINDER_SETTING",
           "DEFAULT_REMINDER_DAYS"]

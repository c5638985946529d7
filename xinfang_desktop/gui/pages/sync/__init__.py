"""同步: keys and enrolment, export to a USB stick, import from one, bundles sent and received, the
registry of enrolled units (the city's 乡镇登记册), quarantined records and 交办/督办.

Everything touching the disk, the database or the keys runs through ctx.tasks; the key passphrase
is asked once per session and the unlocked keys stay in memory only."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from ...context import AppContext
from .enrol_dialog import EnrolDialog
from .page import SyncPage

PAGE_KEY = "sync"

__all__ = ["PAGE_KEY", "SyncPage", "EnrolDialog", "create"]


def create(ctx: AppContext, window: Any) -> QWidget:
    return SyncPage(ctx, window)

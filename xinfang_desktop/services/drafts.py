"""The intake form's draft: saved as the clerk types, offered back after a crash or power cut.

One draft per user. It is the clerk's own unsaved work, not a record of the office: it is not
audited (it would put every pause in typing into the trail), never synced, and deleted when the
registration is saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.errors import InvalidInput
from ..store.models_intake import IntakeDraft
from .permissions import Actor, Permission, require

MAX_DRAFT_CHARS = 500_000      # a form's text, with room to spare; anything larger is not a form


@dataclass(frozen=True)
class Draft:
    data: dict[str, Any]
    saved_at: datetime


class DraftService:
    def __init__(self, services):
        self.services = services

    def save(self, actor: Actor, data: dict[str, Any]) -> datetime:
        require(actor, Permission.REGISTER)
        if not isinstance(data, dict):
            raise InvalidInput("草稿内容格式不对，未保存。", field="draft")
        if len(json.dumps(data, ensure_ascii=False)) > MAX_DRAFT_CHARS:
            raise InvalidInput("草稿内容过长，未保存。请精简事实和理由，或作为附件添加。", field="draft")
        now = self.services.clock.now()
        with self.services.db.atomic():
            (IntakeDraft.insert(user_id=actor.id, data=data, saved_at=now)
             .on_conflict(conflict_target=[IntakeDraft.user_id], update={IntakeDraft.data: data,
                                                                          IntakeDraft.saved_at: now})
             .execute())
        return now

    def load(self, actor: Actor) -> Draft | None:
        row = IntakeDraft.get_or_none(IntakeDraft.user_id == actor.id)
        if row is None or not isinstance(row.data, dict):
            return None
        return Draft(row.data, row.saved_at)

    def discard(self, actor: Actor) -> bool:
        with self.services.db.atomic():
            return IntakeDraft.delete().where(IntakeDraft.user_id == actor.id).execute() > 0

    def drop(self, actor: Actor) -> None:
        """The clerk's draft deleted in the caller's transaction (a registration's: services/intake.py),
        whose commit may carry it (nothing read back)."""
        IntakeDraft.delete().where(IntakeDraft.user_id == actor.id).execute()

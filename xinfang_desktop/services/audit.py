"""The audit trail: append-only, written in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from ..store.models import AuditEntry
from .permissions import Actor


def audit(actor: Actor, action: str, target: str | None = None, detail: dict[str, Any] | None = None,
          *, at=None) -> None:
    kwargs: dict[str, Any] = {}
    if at is not None:
        kwargs["at"] = at
    AuditEntry.create(unit_code=actor.unit_code, actor=actor.name, action=action, target=target,
                      detail=detail, **kwargs)

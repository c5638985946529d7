"""The names a clerk reads for the codes stored on a record: a login's person (张承办, not handler1) and an
office's name (永福镇信访办, not 350881102000). Each a single read of just the codes asked for."""

from __future__ import annotations

from collections.abc import Iterable

from ..store.models import Unit, User
from ..store.models_sync import SyncPeer


def person_names(logins: Iterable[str]) -> dict[str, str]:
    """Login name → the person's name, for the logins of this office's users (others are left out)."""
    logins = set(logins)
    return dict(User.select(User.name, User.display_name).where(User.name.in_(logins)).tuples()) if logins else {}


def office_names(codes: Iterable[str]) -> dict[str, str]:
    """Unit code → the office's name: as the city enrolled it for sync, else as the data names it (a township's
    own name at that township)."""
    codes = set(codes)
    if not codes:
        return {}
    return {**dict(Unit.select(Unit.code, Unit.name).where(Unit.code.in_(codes)).tuples()),
            **dict(SyncPeer.select(SyncPeer.unit_code, SyncPeer.unit_name).where(SyncPeer.unit_code.in_(codes)).tuples())}

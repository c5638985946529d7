"""The periods in which each signing key of a unit was in use (store/models_receipts.SigningKeyHistory).

Written where keys change — this unit's own key generated or rotated, a peer enrolled (services/sync/identity.py)
or revoked (services/sync/registry.py), a peer's rotation applied from its bundle (services/sync/inbox_checks.py) —
and read when a receipt is verified (services/receipts.py). Callers hold the write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..store.models_receipts import REVOKED, ROTATED, ROTATION, SigningKeyHistory


def _fingerprint(key_hex: str) -> str:
    import hashlib

    return hashlib.sha256(bytes.fromhex(key_hex)).hexdigest().upper()


@dataclass(frozen=True)
class KeyPeriod:
    """One key of a unit and the period it was in use (``valid_to`` None: still in use)."""

    signing_public_key: str
    key_tag: str
    valid_from: datetime
    valid_to: datetime | None
    ended: str | None


def keys_of(unit_code: str) -> list[KeyPeriod]:
    """Every period of the unit's keys, oldest first (plain SQL: read on every verification)."""
    when = SigningKeyHistory.valid_from.python_value
    rows = SigningKeyHistory._meta.database.execute_sql(
        "SELECT signing_public_key, key_tag, valid_from, valid_to, ended FROM signing_key_history "
        "WHERE unit_code = ? ORDER BY valid_from, id", (unit_code,)).fetchall()
    return [KeyPeriod(key, tag, when(start), when(end) if end is not None else None, ended)
            for key, tag, start, end, ended in rows]


def record_key(unit_code: str, key_hex: str, *, at: datetime, source: str) -> None:
    """A period starting at ``at`` for this key, unless the key is already in use (an open period)."""
    if SigningKeyHistory.select().where((SigningKeyHistory.unit_code == unit_code)
                                        & (SigningKeyHistory.signing_public_key == key_hex)
                                        & SigningKeyHistory.valid_to.is_null()).exists():
        return
    fingerprint = _fingerprint(key_hex)
    SigningKeyHistory.create(unit_code=unit_code, signing_public_key=key_hex, fingerprint=fingerprint,
                             key_tag=fingerprint[:4], valid_from=at.replace(microsecond=0), valid_to=None,
                             ended=None, source=source, recorded_at=at.replace(microsecond=0))


def end_keys(unit_code: str, *, at: datetime, ended: str, keep: str | None = None) -> None:
    """End every open period of the unit at ``at`` (rotated / revoked), except that of the key ``keep``."""
    q = SigningKeyHistory.update(valid_to=at.replace(microsecond=0), ended=ended).where(
        (SigningKeyHistory.unit_code == unit_code) & SigningKeyHistory.valid_to.is_null())
    if keep is not None:
        q = q.where(SigningKeyHistory.signing_public_key != keep)
    q.execute()


def rotated(unit_code: str, old_hex: str, new_hex: str, *, at: datetime, source: str = ROTATION) -> None:
    """The unit replaced ``old_hex`` by ``new_hex`` at ``at``: the old period ends, the new one starts."""
    record_key(unit_code, old_hex, at=at, source=source)       # a key in use before history was kept
    end_keys(unit_code, at=at, ended=ROTATED, keep=new_hex)
    record_key(unit_code, new_hex, at=at, source=source)


def revoked(unit_code: str, *, at: datetime) -> None:
    end_keys(unit_code, at=at, ended=REVOKED)


def rotation_time(created: str) -> datetime:
    """The time a rotation record was made (``YYYY-MM-DDTHH:MM:SSZ``, written from the unit's own clock)."""
    return datetime.strptime(created[:19], "%Y-%m-%dT%H:%M:%S")


__all__ = ["KeyPeriod", "end_keys", "keys_of", "record_key", "revoked", "rotated", "rotation_time"]

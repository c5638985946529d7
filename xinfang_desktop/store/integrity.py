"""The engine's own check of the database, for `xinfang check`: (integrity, foreign-key problems)."""

from __future__ import annotations

from .engine import is_postgres


def engine_check(db) -> tuple[str, int]:
    """SQLite: PRAGMA integrity_check and foreign_key_check. PostgreSQL checks its pages and enforces the
    foreign keys on every write itself, so there is nothing to read back: ("ok", 0) once it answers."""
    if is_postgres(db):
        db.execute_sql("SELECT 1").fetchone()
        return "ok", 0
    integrity = "; ".join(r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall())
    return integrity, len(db.execute_sql("PRAGMA foreign_key_check").fetchall())

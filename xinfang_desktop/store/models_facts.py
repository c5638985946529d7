"""Statistics facts of each case (issue 6): filled in by the next commit."""

from __future__ import annotations

from peewee import Database


def upgrade(db: Database) -> None:
    pass

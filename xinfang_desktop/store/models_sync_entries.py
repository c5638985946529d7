"""Sync journal of the attachment and attention records (issue 5): filled in by a later commit."""

from __future__ import annotations

from peewee import Database


def upgrade(db: Database) -> None:
    pass

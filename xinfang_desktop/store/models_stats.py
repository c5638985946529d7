"""Tables of the stats feature. Add models to MODELS; the schema step in migrations.py creates them."""

from __future__ import annotations

from peewee import Database

from .models import BaseModel, SyncedModel  # noqa: F401  (base classes for this feature's models)

MODELS: list[type[BaseModel]] = []


def upgrade(db: Database) -> None:
    db.create_tables(MODELS)

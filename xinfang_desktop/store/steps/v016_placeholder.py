"""PLACEHOLDER for schema step v16 (issue 19's 评理 and 积案, written in another branch). It does nothing;
it stands here only so that step v17 (meetings) can be tested before v16 lands. The lead drops this file
and its line in store/migrations.py when merging."""

from __future__ import annotations

from peewee import Database


def upgrade(db: Database) -> None:
    """Nothing: the real v16 replaces this step at merge."""

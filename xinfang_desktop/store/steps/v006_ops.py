"""v6 (issue 7): the history of backups and restores on this PC."""

from __future__ import annotations

from peewee import Database

from ._sql import run

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "backup_record" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT '
    'NULL, "kind" VARCHAR(255) NOT NULL, "path" TEXT NOT NULL, "size" INTEGER NOT NULL, "cases" INTEGER '
    'NOT NULL, "actor" VARCHAR(255) NOT NULL, "ok" INTEGER NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "backup_record_at" ON "backup_record" ("at")',
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)

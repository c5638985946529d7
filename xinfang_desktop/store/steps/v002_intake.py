"""v2 (issue 3): the clerk's unsaved registration draft, and the files attached to a case."""

from __future__ import annotations

from peewee import Database

from ._sql import run

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "attachment" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "case_id" '
    'VARCHAR(36) NOT NULL, "sha256" VARCHAR(64) NOT NULL, "file_name" VARCHAR(255) NOT NULL, "kind" '
    'VARCHAR(8) NOT NULL, "size" INTEGER NOT NULL, "added_by" VARCHAR(255) NOT NULL, "added_at" DATETIME '
    'NOT NULL, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE)',
    'CREATE INDEX IF NOT EXISTS "attachment_unit_code" ON "attachment" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "attachment_case_id" ON "attachment" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "attachment_sha256" ON "attachment" ("sha256")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "attachment_case_id_sha256" ON "attachment" ("case_id", "sha256")',
    'CREATE TABLE IF NOT EXISTS "intake_draft" ("user_id" VARCHAR(36) NOT NULL PRIMARY KEY, "data" TEXT '
    'NOT NULL, "saved_at" DATETIME NOT NULL)',
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)

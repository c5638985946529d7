"""v13 (issue 13): a person's history (person_revision): every change of a person's record made here, the
values before and after, append-only and local."""

from __future__ import annotations

from peewee import Database

from ._sql import run

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "person_revision" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "person_id" VARCHAR(36) NOT NULL, "case_id" VARCHAR(36), "kind" VARCHAR(255) '
    'NOT NULL, "before" TEXT NOT NULL, "after" TEXT NOT NULL, "other_person_id" VARCHAR(36), "source" '
    'VARCHAR(255) NOT NULL, "actor" VARCHAR(255) NOT NULL, "at" DATETIME NOT NULL, FOREIGN KEY '
    '("person_id") REFERENCES "person" ("id"))',
    'CREATE INDEX IF NOT EXISTS "person_revision_person_id" ON "person_revision" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "person_revision_case_id" ON "person_revision" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "person_revision_other_person_id" ON "person_revision" '
    '("other_person_id")',
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)

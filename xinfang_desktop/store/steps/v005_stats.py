"""v5 (issue 6): ledger (台账) imports and the fingerprint of each row imported."""

from __future__ import annotations

from peewee import Database

from ._sql import run

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "ledger_import" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "file_name" VARCHAR(255) NOT NULL, "imported_at" DATETIME NOT NULL, "actor" '
    'VARCHAR(255) NOT NULL, "imported" INTEGER NOT NULL, "skipped" INTEGER NOT NULL, "rejected" INTEGER '
    'NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "ledger_import_imported_at" ON "ledger_import" ("imported_at")',
    'CREATE TABLE IF NOT EXISTS "ledger_row_fingerprint" ("fingerprint" VARCHAR(64) NOT NULL PRIMARY KEY, '
    '"import_id" VARCHAR(36) NOT NULL, "case_id" VARCHAR(36) NOT NULL, "row_number" INTEGER NOT NULL, '
    'FOREIGN KEY ("import_id") REFERENCES "ledger_import" ("id") ON DELETE CASCADE)',
    'CREATE INDEX IF NOT EXISTS "ledger_row_fingerprint_import_id" ON "ledger_row_fingerprint" '
    '("import_id")',
    'CREATE INDEX IF NOT EXISTS "ledger_row_fingerprint_case_id" ON "ledger_row_fingerprint" ("case_id")',
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)

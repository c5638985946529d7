"""v11 (issue 17): verifiable receipts — every signing key this office has known for a unit with the period
it was in use (signing_key_history), the signed statement printed on each case's receipt
(receipt_statement), receipts verified here (receipt_check). Each peer enrolled before this step gets one
history row for its current key, from its enrolment; a revoked peer's period ends at its revocation (the
audit entry), else at its enrolment."""

from __future__ import annotations

import hashlib
from datetime import datetime

from peewee import Database

from ._sql import run, tables

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "receipt_check" ("statement_hash" VARCHAR(64) NOT NULL PRIMARY KEY, '
    '"unit_code" VARCHAR(12) NOT NULL, "case_number" VARCHAR(255) NOT NULL, "query_code" VARCHAR(255) NOT '
    'NULL, "received" DATE NOT NULL, "entered_at" DATETIME NOT NULL, "people" INTEGER NOT NULL, '
    '"first_checked_at" DATETIME NOT NULL, "last_checked_at" DATETIME NOT NULL, "checked_by" VARCHAR(255) '
    'NOT NULL, "times" INTEGER NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "receipt_check_unit_code" ON "receipt_check" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "receipt_check_case_number" ON "receipt_check" ("case_number")',
    'CREATE TABLE IF NOT EXISTS "receipt_statement" ("case_id" VARCHAR(36) NOT NULL PRIMARY KEY, '
    '"unit_code" VARCHAR(12) NOT NULL, "case_number" VARCHAR(255) NOT NULL, "text" VARCHAR(255) NOT NULL, '
    '"key_fingerprint" VARCHAR(64) NOT NULL, "created_at" DATETIME NOT NULL, "created_by" VARCHAR(255) '
    'NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "receipt_statement_case_number" ON "receipt_statement" ("case_number")',
    'CREATE TABLE IF NOT EXISTS "signing_key_history" ("id" INTEGER NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(32) NOT NULL, "signing_public_key" VARCHAR(64) NOT NULL, "fingerprint" VARCHAR(64) NOT NULL, '
    '"key_tag" VARCHAR(4) NOT NULL, "valid_from" DATETIME NOT NULL, "valid_to" DATETIME, "ended" '
    'VARCHAR(255), "source" VARCHAR(255) NOT NULL, "recorded_at" DATETIME NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "signing_key_history_unit_code" ON "signing_key_history" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "signing_key_history_unit_code_key_tag" ON "signing_key_history" '
    '("unit_code", "key_tag")',
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)
    if "sync_peer" not in tables(db):
        return
    now = datetime.now().replace(microsecond=0)
    for unit, key_hex, enrolled_at, revoked in db.execute_sql(
            "SELECT unit_code, signing_public_key, enrolled_at, revoked FROM sync_peer").fetchall():
        if db.execute_sql("SELECT 1 FROM signing_key_history WHERE unit_code = ? AND signing_public_key = ?",
                          (unit, key_hex)).fetchone():
            continue
        fingerprint = hashlib.sha256(bytes.fromhex(key_hex)).hexdigest().upper()
        valid_to = ended = None
        if revoked:
            row = db.execute_sql("SELECT MAX(at) FROM audit_entry WHERE action = 'sync.revoke' AND target = ?",
                                 (unit,)).fetchone()
            valid_to, ended = (row[0] if row and row[0] else enrolled_at), "revoked"
        db.execute_sql(
            "INSERT INTO signing_key_history (unit_code, signing_public_key, fingerprint, key_tag, valid_from, "
            "valid_to, ended, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (unit, key_hex, fingerprint, fingerprint[:4], enrolled_at, valid_to, ended, "migrated", now))

"""v4 (issue 5): the sync feature's tables — peers, the ledger of bundles received, the outbox, quarantined
records, city instructions — and the change journal on the core records, which journals this unit's rows
already written once."""

from __future__ import annotations

from peewee import Database

from ._sql import journal, run

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "instruction" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "to_unit" '
    'VARCHAR(32) NOT NULL, "kind" VARCHAR(255) NOT NULL, "case_id" VARCHAR(36), "case_number" '
    'VARCHAR(255), "text" TEXT NOT NULL, "deadline" DATE, "created_by" VARCHAR(255) NOT NULL, '
    '"created_at" DATETIME NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "instruction_unit_code" ON "instruction" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "instruction_to_unit" ON "instruction" ("to_unit")',
    'CREATE INDEX IF NOT EXISTS "instruction_case_id" ON "instruction" ("case_id")',
    'CREATE TABLE IF NOT EXISTS "sync_inbox" ("bundle_id" VARCHAR(64) NOT NULL PRIMARY KEY, "sender" '
    'VARCHAR(32) NOT NULL, "epoch" INTEGER NOT NULL, "seq" INTEGER NOT NULL, "kind" VARCHAR(255) NOT '
    'NULL, "prev" VARCHAR(255) NOT NULL, "state" VARCHAR(255) NOT NULL, "reason" TEXT, "source_name" '
    'VARCHAR(255), "record_count" INTEGER NOT NULL, "quarantined_records" INTEGER NOT NULL, "created_at" '
    'VARCHAR(255), "received_at" DATETIME NOT NULL, "applied_at" DATETIME, "data" BLOB)',
    'CREATE INDEX IF NOT EXISTS "sync_inbox_sender" ON "sync_inbox" ("sender")',
    'CREATE INDEX IF NOT EXISTS "sync_inbox_state" ON "sync_inbox" ("state")',
    'CREATE INDEX IF NOT EXISTS "sync_inbox_sender_epoch_seq" ON "sync_inbox" ("sender", "epoch", "seq")',
    'CREATE TABLE IF NOT EXISTS "sync_outbox" ("id" INTEGER NOT NULL PRIMARY KEY, "recipient" VARCHAR(32) '
    'NOT NULL, "epoch" INTEGER NOT NULL, "seq" INTEGER NOT NULL, "bundle_id" VARCHAR(64) NOT NULL, "kind" '
    'VARCHAR(255) NOT NULL, "file_name" VARCHAR(255) NOT NULL, "record_count" INTEGER NOT NULL, '
    '"through_change" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "copied_at" DATETIME, '
    '"acknowledged_at" DATETIME, "data" BLOB NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "sync_outbox_bundle_id" ON "sync_outbox" ("bundle_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "sync_outbox_recipient_epoch_seq" ON "sync_outbox" ("recipient", '
    '"epoch", "seq")',
    'CREATE TABLE IF NOT EXISTS "sync_peer" ("unit_code" VARCHAR(32) NOT NULL PRIMARY KEY, "unit_name" '
    'VARCHAR(255) NOT NULL, "role" VARCHAR(255) NOT NULL, "signing_public_key" VARCHAR(255) NOT NULL, '
    '"fingerprint" VARCHAR(255) NOT NULL, "key_id" VARCHAR(255) NOT NULL, "encryption_recipient" '
    'VARCHAR(255), "enrolled_at" DATETIME NOT NULL, "enrolled_by" VARCHAR(255) NOT NULL, "revoked" '
    'INTEGER NOT NULL, "frozen" INTEGER NOT NULL, "frozen_reason" TEXT, "head_epoch" INTEGER NOT NULL, '
    '"head_seq" INTEGER NOT NULL, "head_hash" VARCHAR(255) NOT NULL, "allowed_epoch" INTEGER NOT NULL, '
    '"last_bundle_at" DATETIME, "ack_pending" INTEGER NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "sync_quarantine" ("id" INTEGER NOT NULL PRIMARY KEY, "bundle_id" '
    'VARCHAR(64) NOT NULL, "sender" VARCHAR(32) NOT NULL, "record_type" VARCHAR(255) NOT NULL, '
    '"record_id" VARCHAR(255), "reason" TEXT NOT NULL, "record" TEXT NOT NULL, "created_at" DATETIME NOT '
    'NULL)',
    'CREATE INDEX IF NOT EXISTS "sync_quarantine_bundle_id" ON "sync_quarantine" ("bundle_id")',
)
JOURNALED = ("person", "case", "case_party", "case_event", "instruction")


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)
    journal(db, JOURNALED)

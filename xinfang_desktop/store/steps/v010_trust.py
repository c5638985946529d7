"""v10 (issue 11): bundles from a sender not yet enrolled are held by the hash of the whole file (sync_held)
until the sender is enrolled and their signature can be checked; those an earlier version kept in the ledger
as quarantined move there.

The first form of this step (before encryption at rest) also made a login_attempt table; failed logins have
been counted outside the database since (a wrong password cannot open it), so the table goes where that form
left it.
"""

from __future__ import annotations

import hashlib

from peewee import Database

from ._sql import run, tables

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "sync_held" ("file_sha256" VARCHAR(64) NOT NULL PRIMARY KEY, "sender" '
    'VARCHAR(32) NOT NULL, "epoch" INTEGER NOT NULL, "seq" INTEGER NOT NULL, "bundle_id" VARCHAR(64) NOT '
    'NULL, "kind" VARCHAR(255) NOT NULL, "source_name" VARCHAR(255), "created_at" VARCHAR(255), '
    '"received_at" DATETIME NOT NULL, "data" BLOB NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "sync_held_sender" ON "sync_held" ("sender")',
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)
    db.execute_sql("DROP TABLE IF EXISTS login_attempt")
    if "sync_inbox" not in tables(db):
        return
    for bundle_id, sender, epoch, seq, kind, source, created, received, data in db.execute_sql(
            "SELECT bundle_id, sender, epoch, seq, kind, source_name, created_at, received_at, data FROM sync_inbox "
            "WHERE state = 'quarantined' AND data IS NOT NULL").fetchall():
        db.execute_sql(
            "INSERT OR IGNORE INTO sync_held (file_sha256, sender, epoch, seq, bundle_id, kind, source_name, created_at, "
            "received_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (hashlib.sha256(bytes(data)).hexdigest(), sender, epoch, seq, bundle_id, kind, source, created, received,
             data))
    db.execute_sql("DELETE FROM sync_inbox WHERE state = 'quarantined'")

"""v7 (issue 3): an index for each filter and sort of the case list."""

from __future__ import annotations

from peewee import Database

from ._sql import run

STATEMENTS = (
    'CREATE INDEX IF NOT EXISTS "case_list_received" ON "case" (received_at, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_status_received" ON "case" (status, received_at, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_township_received" ON "case" (township_code, received_at, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_category_received" ON "case" (category_code, received_at, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_channel_received" ON "case" (channel, received_at, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_owner_received" ON "case" (owner_name, received_at, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_next_due" ON "case" (next_due, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_category1_received" ON "case" (substr(category_code, 1, 2), '
    'received_at, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_township_due" ON "case" (township_code, next_due, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_parties" ON "case" (parties_label, sid)',
    'CREATE INDEX IF NOT EXISTS "case_list_people" ON "case" (people_count, sid)',
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)

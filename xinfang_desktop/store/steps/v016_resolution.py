"""v16 (issue 19): 信访评理 sessions (append-only, beside the mediation log) and the 积案 register with the
steps of its 化解 plan; all three in the sync journal. New tables only, in plain CREATE TABLE / CREATE INDEX
statements (IF NOT EXISTS, standard column types as this version's models declare them; on PostgreSQL
_sql.run writes DATE and DATETIME as TEXT and _sql.journal makes that engine's triggers)."""

from __future__ import annotations

from peewee import Database

from ._sql import journal, run

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "deliberation_session" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "case_id" VARCHAR(36) NOT NULL, "held_on" DATE NOT NULL, "place" VARCHAR(255) NOT NULL, '
    '"panel" TEXT NOT NULL, "attendees" TEXT NOT NULL, "statements" TEXT NOT NULL, "view" TEXT NOT NULL, '
    '"accepted" INTEGER NOT NULL, "corrects" VARCHAR(36), "actor" VARCHAR(255) NOT NULL, "recorded_at" DATETIME '
    'NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "deliberation_session_case_id" ON "deliberation_session" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "deliberation_session_corrects" ON "deliberation_session" ("corrects")',
    'CREATE TABLE IF NOT EXISTS "backlog_entry" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" VARCHAR(12) '
    'NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "case_id" VARCHAR(36) NOT NULL, "basis" '
    'VARCHAR(20) NOT NULL, "reason" TEXT NOT NULL, "decided_on" DATE NOT NULL, "decided_by" VARCHAR(255) NOT NULL, '
    '"outcome" VARCHAR(20), "outcome_on" DATE, "outcome_note" TEXT, "statement_sha256" VARCHAR(64), "closed_by" '
    'VARCHAR(255))',
    'CREATE INDEX IF NOT EXISTS "backlog_entry_unit_code" ON "backlog_entry" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "backlog_entry_case_id" ON "backlog_entry" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "backlog_entry_decided_on" ON "backlog_entry" ("decided_on")',
    'CREATE INDEX IF NOT EXISTS "backlog_entry_outcome_on" ON "backlog_entry" ("outcome_on")',
    'CREATE TABLE IF NOT EXISTS "backlog_step" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" VARCHAR(12) '
    'NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "entry_id" VARCHAR(36) NOT NULL, '
    '"position" INTEGER NOT NULL, "action" TEXT NOT NULL, "responsible" VARCHAR(255) NOT NULL, "set_on" DATE NOT '
    'NULL, "due_on" DATE NOT NULL, "done_on" DATE, "result" TEXT, "recorded_by" VARCHAR(255) NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "backlog_step_unit_code" ON "backlog_step" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "backlog_step_entry_id" ON "backlog_step" ("entry_id")',
)
JOURNALED = ("deliberation_session", "backlog_entry", "backlog_step")


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)
    journal(db, JOURNALED)

"""v17 (issue 19): meetings and the tasks they hand to units.

- meeting: a 跟踪督办会, 推进会, 信访工作联席会议 or 专题会/研判会 — its date, kind, chair, attending units, the
  matters discussed (a JSON list of case ids) and what was said of each;
- meeting_task: a decision on one matter — a unit, what it is to do, by when — closed with a date and a result.

Both are owned rows that travel in sync bundles, so both get the change journal's triggers. Plain SQL types
(VARCHAR, TEXT, DATE, DATETIME, INTEGER), written as peewee makes them for a new database
(store/models_meetings.py), so the two paths arrive at the same schema; on PostgreSQL _sql.run writes DATE and
DATETIME as TEXT, as the program stores them there, and _sql.journal makes that engine's triggers.
"""

from __future__ import annotations

from peewee import Database

from ._sql import journal, run

TABLES = (
    'CREATE TABLE IF NOT EXISTS "meeting" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" VARCHAR(12) NOT NULL, '
    '"version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "kind" VARCHAR(20) NOT NULL, "held_on" DATE NOT NULL, '
    '"topic" VARCHAR(255) NOT NULL, "place" VARCHAR(255) NOT NULL, "chair" VARCHAR(255) NOT NULL, '
    '"units" TEXT NOT NULL, "case_ids" TEXT NOT NULL, "summaries" TEXT NOT NULL, "notes" TEXT NOT NULL, '
    '"recorded_by" VARCHAR(255) NOT NULL, "recorded_at" DATETIME NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "meeting_unit_code" ON "meeting" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "meeting_held_on" ON "meeting" ("held_on")',
    'CREATE TABLE IF NOT EXISTS "meeting_task" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, '
    '"unit_code" VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, '
    '"meeting_id" VARCHAR(36) NOT NULL, "case_id" VARCHAR(36) NOT NULL, "unit" VARCHAR(255) NOT NULL, '
    '"what" TEXT NOT NULL, "due_on" DATE NOT NULL, "closed_on" DATE, "result" TEXT, "closed_by" VARCHAR(255))',
    'CREATE INDEX IF NOT EXISTS "meeting_task_unit_code" ON "meeting_task" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "meeting_task_meeting_id" ON "meeting_task" ("meeting_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_task_case_id" ON "meeting_task" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_task_due_on" ON "meeting_task" ("due_on")',
)
JOURNALED = ("meeting", "meeting_task")


def upgrade(db: Database) -> None:
    run(db, TABLES)
    journal(db, JOURNALED)

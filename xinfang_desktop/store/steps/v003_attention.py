"""v3 (issue 4): 包案 (leader assignments), colour overrides, hardship flags and their referrals, mediation
sessions (append-only), leaders' receptions."""

from __future__ import annotations

from peewee import Database

from ._sql import run

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "colour_override" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "person_id" '
    'VARCHAR(36) NOT NULL, "colour" VARCHAR(1) NOT NULL, "base_colour" VARCHAR(1) NOT NULL, "reason" TEXT '
    'NOT NULL, "set_by" VARCHAR(255) NOT NULL, "set_by_display" VARCHAR(255) NOT NULL, "set_at" DATETIME '
    'NOT NULL, "withdrawn_at" DATETIME)',
    'CREATE INDEX IF NOT EXISTS "colour_override_unit_code" ON "colour_override" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "colour_override_person_id" ON "colour_override" ("person_id")',
    'CREATE TABLE IF NOT EXISTS "hardship_flag" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "person_id" '
    'VARCHAR(36) NOT NULL, "case_id" VARCHAR(36), "kind" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, '
    '"opened_by" VARCHAR(255) NOT NULL, "opened_at" DATETIME NOT NULL, "cleared_at" DATETIME, '
    '"cleared_by" VARCHAR(255), "clear_reason" TEXT)',
    'CREATE INDEX IF NOT EXISTS "hardship_flag_unit_code" ON "hardship_flag" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "hardship_flag_person_id" ON "hardship_flag" ("person_id")',
    'CREATE TABLE IF NOT EXISTS "hardship_referral" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "flag_id" '
    'VARCHAR(36) NOT NULL, "kind" VARCHAR(255) NOT NULL, "agency" VARCHAR(255) NOT NULL, "referred_on" '
    'DATE NOT NULL, "note" TEXT NOT NULL, "outcome" TEXT, "outcome_on" DATE, "recorded_by" VARCHAR(255) '
    'NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "hardship_referral_unit_code" ON "hardship_referral" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "hardship_referral_flag_id" ON "hardship_referral" ("flag_id")',
    'CREATE TABLE IF NOT EXISTS "leader_assignment" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "case_id" '
    'VARCHAR(36) NOT NULL, "leader_name" VARCHAR(255) NOT NULL, "leader_display" VARCHAR(255) NOT NULL, '
    '"plan" TEXT NOT NULL, "target_date" DATE NOT NULL, "assigned_by" VARCHAR(255) NOT NULL, '
    '"assigned_at" DATETIME NOT NULL, "ended_at" DATETIME, "end_reason" TEXT)',
    'CREATE INDEX IF NOT EXISTS "leader_assignment_unit_code" ON "leader_assignment" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "leader_assignment_case_id" ON "leader_assignment" ("case_id")',
    'CREATE TABLE IF NOT EXISTS "mediation_session" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "case_id" VARCHAR(36) NOT NULL, "held_on" DATE NOT NULL, "place" VARCHAR(255) '
    'NOT NULL, "kind" VARCHAR(255) NOT NULL, "mediators" TEXT NOT NULL, "parties" TEXT NOT NULL, '
    '"discussion" TEXT NOT NULL, "outcome" VARCHAR(255) NOT NULL, "agreement" TEXT, "agreement_kind" '
    'VARCHAR(255), "next_session" DATE, "corrects" VARCHAR(36), "actor" VARCHAR(255) NOT NULL, '
    '"recorded_at" DATETIME NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "mediation_session_case_id" ON "mediation_session" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "mediation_session_corrects" ON "mediation_session" ("corrects")',
    'CREATE TABLE IF NOT EXISTS "reception" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "leader" '
    'VARCHAR(255) NOT NULL, "held_on" DATE NOT NULL, "place" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) '
    'NOT NULL, "batches" INTEGER NOT NULL, "persons" INTEGER NOT NULL, "case_ids" TEXT NOT NULL, "notes" '
    'TEXT NOT NULL, "recorded_by" VARCHAR(255) NOT NULL, "recorded_at" DATETIME NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "reception_unit_code" ON "reception" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "reception_held_on" ON "reception" ("held_on")',
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)

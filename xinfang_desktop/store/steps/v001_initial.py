"""v1 (issue 1): the core tables — settings, units, users, persons, cases, their parties and events, the audit
log, case counters, holiday schedules — and the search index, as the last v9 release created them (the
first v1 had no statistics columns on the case row; v8 adds them where missing)."""

from __future__ import annotations

from peewee import Database

from ._sql import run

STATEMENTS = (
    'CREATE TABLE IF NOT EXISTS "audit_entry" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "at" DATETIME NOT NULL, "actor" VARCHAR(255) NOT NULL, "action" VARCHAR(255) '
    'NOT NULL, "target" VARCHAR(255), "detail" TEXT)',
    'CREATE INDEX IF NOT EXISTS "audit_entry_at" ON "audit_entry" ("at")',
    'CREATE INDEX IF NOT EXISTS "audit_entry_action" ON "audit_entry" ("action")',
    'CREATE TABLE IF NOT EXISTS "calendar_year" ("year" INTEGER NOT NULL PRIMARY KEY, "source" TEXT NOT '
    'NULL, "loaded_at" DATETIME NOT NULL, "loaded_by" VARCHAR(255) NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "case" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" VARCHAR(12) '
    'NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "sid" INTEGER NOT NULL, '
    '"number" VARCHAR(255) NOT NULL, "query_code" VARCHAR(255) NOT NULL, "channel" VARCHAR(255) NOT NULL, '
    '"received_at" DATETIME NOT NULL, "category_code" VARCHAR(255) NOT NULL, "request" TEXT NOT NULL, '
    '"facts" TEXT, "reasons" TEXT, "people_count" INTEGER NOT NULL, "is_group" INTEGER NOT NULL, '
    '"concerned_unit" VARCHAR(255), "township_code" VARCHAR(12), "repeat_of" VARCHAR(36), "created_by" '
    'VARCHAR(255) NOT NULL, "created_at" DATETIME NOT NULL, "owner_name" VARCHAR(255), "status" '
    'VARCHAR(255) NOT NULL, "next_due" DATE, "next_due_start" DATE, "next_due_key" VARCHAR(255), '
    '"provisional" INTEGER NOT NULL, "parties_label" VARCHAR(255) NOT NULL, "stat_flags" INTEGER NOT NULL '
    'DEFAULT 0, "stat_limit" DATE, "stat_reply" DATE, "decided_on" DATE, "followed_on" DATE)',
    'CREATE INDEX IF NOT EXISTS "case_unit_code" ON "case" ("unit_code")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "case_sid" ON "case" ("sid")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "case_number" ON "case" ("number")',
    'CREATE INDEX IF NOT EXISTS "case_query_code" ON "case" ("query_code")',
    'CREATE INDEX IF NOT EXISTS "case_received_at" ON "case" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "case_category_code" ON "case" ("category_code")',
    'CREATE INDEX IF NOT EXISTS "case_township_code" ON "case" ("township_code")',
    'CREATE INDEX IF NOT EXISTS "case_repeat_of" ON "case" ("repeat_of")',
    'CREATE INDEX IF NOT EXISTS "case_owner_name" ON "case" ("owner_name")',
    'CREATE INDEX IF NOT EXISTS "case_status" ON "case" ("status")',
    'CREATE INDEX IF NOT EXISTS "case_next_due" ON "case" ("next_due")',
    'CREATE INDEX IF NOT EXISTS "case_status_next_due" ON "case" ("status", "next_due")',
    'CREATE TABLE IF NOT EXISTS "case_counter" ("unit_code" VARCHAR(12) NOT NULL, "year" INTEGER NOT '
    'NULL, "last" INTEGER NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "case_counter_unit_code_year" ON "case_counter" ("unit_code", '
    '"year")',
    'CREATE TABLE IF NOT EXISTS "case_event" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "case_id" '
    'VARCHAR(36) NOT NULL, "unit_code" VARCHAR(12) NOT NULL, "kind" VARCHAR(255) NOT NULL, "occurred_at" '
    'DATETIME NOT NULL, "recorded_at" DATETIME NOT NULL, "actor" VARCHAR(255) NOT NULL, "data" TEXT NOT '
    'NULL, "corrects" VARCHAR(36), FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE)',
    'CREATE INDEX IF NOT EXISTS "case_event_case_id_occurred_at" ON "case_event" ("case_id", '
    '"occurred_at")',
    'CREATE TABLE IF NOT EXISTS "person" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" VARCHAR(12) '
    'NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "name" VARCHAR(255) NOT NULL, '
    '"id_number" VARCHAR(255), "phone" VARCHAR(255), "sex" VARCHAR(255), "birth_date" DATE, '
    '"township_code" VARCHAR(12), "village_code" VARCHAR(12), "address" TEXT, "created_at" DATETIME NOT '
    'NULL)',
    'CREATE INDEX IF NOT EXISTS "person_unit_code" ON "person" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "person_name" ON "person" ("name")',
    'CREATE INDEX IF NOT EXISTS "person_id_number" ON "person" ("id_number")',
    'CREATE INDEX IF NOT EXISTS "person_phone" ON "person" ("phone")',
    'CREATE TABLE IF NOT EXISTS "case_party" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "case_id" '
    'VARCHAR(36) NOT NULL, "person_id" VARCHAR(36) NOT NULL, "role" VARCHAR(255) NOT NULL, '
    '"is_representative" INTEGER NOT NULL, "position" INTEGER NOT NULL, FOREIGN KEY ("case_id") '
    'REFERENCES "case" ("id") ON DELETE CASCADE, FOREIGN KEY ("person_id") REFERENCES "person" ("id"))',
    'CREATE INDEX IF NOT EXISTS "case_party_unit_code" ON "case_party" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "case_party_case_id" ON "case_party" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "case_party_person_id" ON "case_party" ("person_id")',
    'CREATE TABLE IF NOT EXISTS "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT '
    'NULL)',
    'CREATE TABLE IF NOT EXISTS "unit" ("code" VARCHAR(12) NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT '
    'NULL, "kind" VARCHAR(255) NOT NULL, "is_self" INTEGER NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "user" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" VARCHAR(12) '
    'NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "name" VARCHAR(255) NOT NULL, '
    '"display_name" VARCHAR(255) NOT NULL, "role" VARCHAR(255) NOT NULL, "password_hash" VARCHAR(255) NOT '
    'NULL, "failed_logins" INTEGER NOT NULL, "locked_until" DATETIME, "active" INTEGER NOT NULL, '
    '"created_at" DATETIME NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "user_unit_code" ON "user" ("unit_code")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_name" ON "user" ("name")',
    # Search index: pre-tokenised text (CJK unigrams and bigrams, pinyin, numbers) in FTS5; rowid = case.sid.
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5(tokens, tokenize='unicode61 remove_diacritics 0')",
)


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)

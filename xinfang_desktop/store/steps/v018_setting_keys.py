"""v18 (issue 14): the settings' keys in one style, ``area.name`` (store/setting_keys.py).

- ``unit_code`` becomes ``unit.code``, ``office`` ``unit.office`` and ``sync_epoch_needed``
  ``sync.epoch_needed`` (where a database has both names, the new one's row is kept);
- ``office_phone``, which the program read as the office's telephone when the office's settings named none,
  is folded into the office's settings as their ``phone`` (unless they name one, or saved it cleared) and
  removed;
- the sync journal's triggers, which compare each row's unit with the stored unit code, read it under its new
  name: on SQLite each trigger that read the old name is dropped and made again with the new one (its text
  otherwise as it was); on PostgreSQL the one function all of them call is replaced.

Runs on both engines: the rows are read and written with parameters in plain SQL, the JSON handled here.
"""

from __future__ import annotations

import json

from peewee import Database

from ..engine import POSTGRESQL, engine_of

RENAMED = (("unit_code", "unit.code"), ("office", "unit.office"), ("sync_epoch_needed", "sync.epoch_needed"))
OFFICE_PHONE, OFFICE = "office_phone", "unit.office"

OLD_OWN = "(SELECT value FROM setting WHERE key = 'unit_code')"
NEW_OWN = "(SELECT value FROM setting WHERE key = 'unit.code')"

JOURNAL_FUNCTION = """
CREATE OR REPLACE FUNCTION sync_journal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ('"' || NEW.unit_code || '"') = (SELECT value FROM setting WHERE key = 'unit.code') THEN
        INSERT INTO sync_change (tbl, row_id) VALUES (TG_TABLE_NAME, NEW.id);
    END IF;
    RETURN NEW;
END $$
"""


def _value(db: Database, key: str) -> tuple[bool, object]:
    row = db.execute_sql('SELECT value FROM setting WHERE "key" = ?', (key,)).fetchone()
    return (False, None) if row is None else (True, None if row[0] is None else json.loads(row[0]))


def _rename(db: Database) -> None:
    for old, new in RENAMED:
        if _value(db, new)[0]:
            db.execute_sql('DELETE FROM setting WHERE "key" = ?', (old,))
        else:
            db.execute_sql('UPDATE setting SET "key" = ? WHERE "key" = ?', (new, old))


def _fold_phone(db: Database) -> None:
    found, phone = _value(db, OFFICE_PHONE)
    if not found:
        return
    have, office = _value(db, OFFICE)
    stored = office if isinstance(office, dict) else {}       # the program read anything else as nothing saved
    if phone is not None and str(phone).strip() and "phone" not in stored:
        value = json.dumps({**stored, "phone": str(phone).strip()}, ensure_ascii=False, sort_keys=True)
        if have:
            db.execute_sql('UPDATE setting SET value = ? WHERE "key" = ?', (value, OFFICE))
        else:
            db.execute_sql('INSERT INTO setting ("key", value) VALUES (?, ?)', (OFFICE, value))
    db.execute_sql('DELETE FROM setting WHERE "key" = ?', (OFFICE_PHONE,))


def _triggers(db: Database) -> None:
    if engine_of(db) == POSTGRESQL:
        db.execute_sql(JOURNAL_FUNCTION)
        return
    rows = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND instr(sql, ?) > 0 "
                          "ORDER BY name", (OLD_OWN,)).fetchall()
    for name, sql in rows:
        db.execute_sql(f'DROP TRIGGER "{name}"')
        db.execute_sql(sql.replace(OLD_OWN, NEW_OWN))


def upgrade(db: Database) -> None:
    _rename(db)
    _fold_phone(db)
    _triggers(db)

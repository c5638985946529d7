"""Upgrading a data folder of an earlier version to the board by matter (store/steps/v015_board.py): the
reviewed cases get their review standing, an override set on a person keeps its row and its sync
journal, and `xinfang check` passes. On the real v9 folder (tests/fixtures), not a current database
with an old version number."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

from xinfang_desktop.domain.board import Colour

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ENGINES = ["sqlite"]      # the upgrade of a SQLite folder of an earlier version


def test_a_folder_of_an_earlier_version_upgrades_to_the_board_by_matter(tmp_path, clock):
    from xinfang_desktop.services.access import unlock
    from xinfang_desktop.services.board import BoardService
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.store.models_attention import ColourOverride

    data = tmp_path / "data"
    with zipfile.ZipFile(FIXTURES / "schema-v9-township.zip") as z:
        z.extractall(data)
    con = sqlite3.connect(data / "xinfang.sqlite3")       # v9 is not encrypted yet
    try:
        person_id, name = con.execute(
            "SELECT p.id, p.name FROM person p JOIN case_party cp ON cp.person_id = p.id JOIN \"case\" c "
            "ON c.id = cp.case_id WHERE c.status IN ('registered', 'handling') ORDER BY c.number").fetchone()
        with con:
            con.execute("INSERT INTO colour_override (id, unit_code, version, updated_at, person_id, colour, base_colour,"
                        " reason, set_by, set_by_display, set_at) VALUES ('8d0c5e3e-2f4a-4b8e-9a51-0c7d3e1f2a6b',"
                        " '350881102000', 1, '2026-11-01 10:00:00', ?, 'B', 'A', '已约谈承办单位，正在办理', 'admin', '王管理',"
                        " '2026-11-01 10:00:00')", (person_id,))
    finally:
        con.close()
    opened = unlock(data, "admin", "admin-pass-1", clock=clock)
    try:
        db = opened.services.db
        columns = {r[1]: r[3] for r in db.execute_sql('PRAGMA table_info("colour_override")').fetchall()}
        assert "case_id" in columns and columns["person_id"] == 0            # nullable now
        row = ColourOverride.get_by_id("8d0c5e3e-2f4a-4b8e-9a51-0c7d3e1f2a6b")
        assert (row.person_id, row.case_id, row.reason) == (person_id, None, "已约谈承办单位，正在办理")
        triggers = {r[0] for r in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'colour_override'").fetchall()}
        assert triggers == {"sync_journal_colour_override_insert", "sync_journal_colour_override_update"}
        assert not db.execute_sql("SELECT name FROM sqlite_master WHERE name LIKE '%before_matters%'").fetchall()
        standings = dict(db.execute_sql(
            "SELECT status, review_standing FROM \"case\" WHERE id IN (SELECT case_id FROM case_event "
            "WHERE kind = 'review_requested')").fetchall())
        # The reviewed matter has its review's result; the one forwarded (转送) was never this office's to
        # decide, so the reply and review recorded on it are not its (the regulation's paths, v12).
        assert standings == {"reviewed": "review:rejected", "transferred": None}
        assert db.execute_sql("SELECT COUNT(*) FROM \"case\" WHERE handling_unit IS NOT NULL").fetchone()[0] > 0
        assert run_check(db, opened.services.calendar.calendar).ok
        # The earlier override applies where it was set: on the grouping by person.
        board = opened.services.get(BoardService)
        card = next(c for c in board.board(opened.actor, view="person").cards if c.person_id == person_id)
        assert card.name == name and card.grade.computed == Colour.RED            # its matter is overdue
        assert card.colour == Colour.ORANGE and "按人员调整" in card.override_text()
        matter = next(c for c in board.board(opened.actor).cards if person_id in {p.person_id for p in c.petitioners})
        assert matter.colour == Colour.RED and matter.earlier_override_texts()
    finally:
        opened.services.close()


def test_a_folder_left_at_v14_computes_the_review_standing_at_its_upgrade(tmp_path, clock, monkeypatch):
    """A folder of the version before the board by matter (schema v14, no review_standing/handling_unit on
    the case row) gets both computed by the board's step, so a review that supported the petitioner is
    not "仍有争议" (第三十五条) from the first board after the upgrade; `xinfang check` agrees."""
    from xinfang_desktop.services.access import unlock
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.store import migrations

    data = tmp_path / "data"
    with zipfile.ZipFile(FIXTURES / "schema-v9-township.zip") as z:
        z.extractall(data)
    # Up to v14 as the earlier version left it: without the board's columns (its steps never made them).
    with monkeypatch.context() as m:
        m.setattr(migrations, "STEPS", migrations.STEPS[:14])
        m.setattr(migrations, "SCHEMA_VERSION", 14)
        opened = unlock(data, "admin", "admin-pass-1", clock=clock)
        try:
            db = opened.services.db
            columns = {r[1] for r in db.execute_sql('PRAGMA table_info("case")').fetchall()}
            assert not columns & {"review_standing", "handling_unit"}
            assert db.execute_sql("PRAGMA user_version").fetchone()[0] == 14
        finally:
            opened.services.close()
    opened = unlock(data, "admin", "admin-pass-1", clock=clock)
    try:
        db = opened.services.db
        assert db.execute_sql("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        assert db.execute_sql('SELECT review_standing, handling_unit FROM "case" WHERE status = \'reviewed\'').fetchall() \
            == [("review:rejected", "镇信访办")]
        assert db.execute_sql("SELECT COUNT(*) FROM \"case\" WHERE handling_unit IS NOT NULL").fetchone()[0] > 1
        assert run_check(db, opened.services.calendar.calendar).ok
    finally:
        opened.services.close()

"""Today's schema on PostgreSQL (issue 16): the same tables and columns as on SQLite, made by the same
create_current, and a 2-character name search that reads the GIN index."""

from __future__ import annotations

import random

import pytest


@pytest.fixture
def pg_db(pg_cluster):
    from xinfang_desktop.store.migrations import migrate
    from xinfang_desktop.store.models import database
    from xinfang_desktop.store.pg import open_url

    previous = database.obj
    db = open_url(pg_cluster.new_database())
    database.initialize(db)
    migrate(db)
    yield db
    db.close()
    database.initialize(previous)


def _sqlite_shape(tmp_path) -> dict[str, set[str]]:
    from xinfang_desktop.store.db import open_database
    from xinfang_desktop.store.models import database

    previous = database.obj
    db = open_database(tmp_path / "x.sqlite3", key=b"k" * 32)
    try:
        tables = [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'case_search_%'")]
        return {t: {r[1] for r in db.execute_sql(f'PRAGMA table_info("{t}")')} for t in tables}
    finally:
        db.close()
        database.initialize(previous)


def test_the_same_tables_and_columns_as_on_sqlite(pg_db, tmp_path):
    from xinfang_desktop.store.migrations import SCHEMA_VERSION, schema_version

    shape = {}
    for table, column in pg_db.execute_sql(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"):
        shape.setdefault(table, set()).add(column)
    assert schema_version(pg_db) == SCHEMA_VERSION
    assert shape.pop("xinfang_schema") == {"version"}
    for table in ("person", "person_revision"):          # SQLite's implicit rowid, made a column there
        shape[table].discard("rowid")
    expected = _sqlite_shape(tmp_path)
    expected["case_search"] = {"sid", "tokens"}          # FTS5's rowid is the sid column on PostgreSQL
    assert shape == expected


def test_a_two_character_name_search_reads_the_gin_index(pg_db):
    from xinfang_desktop.store import search

    rng = random.Random(16)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    rows = []
    for sid in range(1, 20001):
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        if sid % 4000 == 0:
            name = "欧阳娜"                                   # five matters of one rare name
        rows.append((sid, search.document_tokens(search.SearchDoc([name], [], [], f"350881102-2026-{sid:05d}",
                                                                    f"Q{sid}", "要求追讨拖欠的工资"))))
    with pg_db.atomic():
        search.index_rows(pg_db, rows)
    # what autovacuum does on a server: the index's pending entries merged, the statistics taken
    pg_db.execute_sql("VACUUM ANALYZE case_search")

    assert search.search_sids(pg_db, "欧阳") == [20000, 16000, 12000, 8000, 4000]
    assert search.search_sids(pg_db, "oyn") == [20000, 16000, 12000, 8000, 4000]         # pinyin initials
    assert search.search_sids(pg_db, "ouyang") == [20000, 16000, 12000, 8000, 4000]      # a pinyin prefix
    query = search.ts_query(search.query_expression("欧阳"))
    plan = "\n".join(r[0] for r in pg_db.execute_sql(
        "EXPLAIN SELECT sid FROM case_search WHERE tokens @@ ?::tsquery ORDER BY sid DESC LIMIT 200", (query,)))
    assert "Bitmap Index Scan on case_search_tokens" in plan, plan


def test_a_later_step_reads_and_changes_the_shape_on_postgresql_too(pg_db):
    """The helpers the steps after v15 use (store/steps/_sql.py) work on a server's database."""
    from xinfang_desktop.store.steps import _sql

    assert {"case", "person", "case_fact"} <= _sql.tables(pg_db)
    assert {"id", "number", "next_due"} <= _sql.columns(pg_db, "case")
    with pg_db.atomic():
        assert _sql.add_columns(pg_db, "case", [("handled_by_desk", "TEXT"), ("number", "TEXT")]) is True
    assert "handled_by_desk" in _sql.columns(pg_db, "case")
    assert _sql.add_columns(pg_db, "case", [("handled_by_desk", "TEXT")]) is False


def test_many_plain_rows_go_by_copy_and_read_back_as_rows_written_one_by_one(pg_db, monkeypatch):
    """store/pg.py: executemany of a plain INSERT sends its rows by COPY; every awkward value (tab, line
    break, backslash, a literal \\N, quotes, None, flags, dates) reads back as the one-by-one INSERT's."""
    from datetime import date, datetime

    import psycopg

    awkward = ["a\tb", "两行\n第二行", "back\\slash", "\\N", "it's \"quoted\"", "", None, "张三", "\r\n", "%s ? %%"]
    rows = [(f"id-{i:03d}", i * 7 - 40, i % 2 == 0, date(2026, 1 + i % 12, 1 + i % 28),
             datetime(2026, 3, 4, 5, 6, i % 60), awkward[i % len(awkward)]) for i in range(45)]
    for table in ("by_copy", "by_row"):
        pg_db.execute_sql(f'CREATE TABLE "{table}" (id TEXT PRIMARY KEY, n INTEGER, flag INTEGER, day TEXT, '
                          "at TEXT, note TEXT, fixed TEXT DEFAULT 'x', rowid BIGSERIAL)")
    sql = 'INSERT INTO "{}" ("id", "n", "flag", "day", "at", "note") VALUES (?, ?, ?, ?, ?, ?)'
    copies = []
    real_copy = psycopg.Cursor.copy

    def watched(self, statement, *args, **kwargs):
        copies.append(statement)
        return real_copy(self, statement, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", watched)
    with pg_db.atomic():
        conn = pg_db.connection()
        conn.executemany(sql.format("by_copy"), rows)
        for row in rows:
            conn.execute(sql.format("by_row"), row)
    assert copies == ['COPY "by_copy" ("id", "n", "flag", "day", "at", "note") FROM STDIN']

    def read(table):
        return pg_db.execute_sql(f'SELECT id, n, flag, day, at, note, fixed, rowid FROM "{table}" ORDER BY rowid').fetchall()

    assert read("by_copy") == read("by_row")
    assert len(read("by_copy")) == 45 and read("by_copy")[1][2] == 0 and read("by_copy")[3][5] == "\\N"

    # a duplicate key fails the whole COPY, and its transaction, as it fails the statements
    with pytest.raises(psycopg.errors.UniqueViolation):
        with pg_db.atomic():
            pg_db.connection().executemany(sql.format("by_copy"), [(f"new-{i}", 1, 0, None, None, None)
                                                                   for i in range(30)] + [rows[0]])
    assert pg_db.execute_sql('SELECT COUNT(*) FROM "by_copy"').fetchone()[0] == 45


def test_index_rows_on_postgresql_keeps_each_document_under_its_sid(pg_db):
    """store/search.index_rows sends many documents in one statement: each sid keeps its own tokens."""
    from xinfang_desktop.store import search

    rows = [(sid, search.document_tokens(search.SearchDoc([name], [], [], f"350881102-2026-{sid:05d}", f"Q{sid}", "")))
            for sid, name in enumerate(["张三", "李四", "王五"] * 2100, start=1)]
    with pg_db.atomic():
        search.index_rows(pg_db, rows)
    assert pg_db.execute_sql("SELECT COUNT(*) FROM case_search").fetchone()[0] == 6300
    assert search.search_sids(pg_db, "李四", limit=5000) == list(range(6299, 0, -3))
    assert search.search_sids(pg_db, "350881102-2026-06300") == [6300]


def test_rows_in_finds_each_key_on_postgresql_past_one_array(pg_db):
    """store/keyed.rows_in: keys sent as arrays of 5,000 (= ANY) find the same rows as IN."""
    from xinfang_desktop.store.keyed import rows_in

    pg_db.execute_sql("CREATE TABLE keyed (id TEXT PRIMARY KEY, unit_code TEXT)")
    keys = [f"k{i}" for i in range(12_000)] + ["it's", 'a "b"', "c,d", "{e}", "\\f"]
    with pg_db.atomic():
        pg_db.connection().executemany("INSERT INTO keyed (id, unit_code) VALUES (?, ?)",
                                        [(k, f"u{n % 7}") for n, k in enumerate(keys)])
    unit = {k: f"u{n % 7}" for n, k in enumerate(keys)}
    wanted = keys[::3] + ["missing", "k99999"] + keys[-5:]
    got = rows_in(pg_db, "SELECT id, unit_code FROM keyed", "id", wanted)
    assert sorted(got) == sorted({(k, unit[k]) for k in wanted if k in unit})
    assert rows_in(pg_db, "SELECT id, unit_code FROM keyed", "id", []) == []
    # a select with a WHERE of its own: the keys' condition is ANDed to it
    got = rows_in(pg_db, "SELECT id FROM keyed WHERE unit_code = 'u3'", "id", wanted, then="ORDER BY id")
    assert got == sorted((k,) for k in set(wanted) if unit.get(k) == "u3")

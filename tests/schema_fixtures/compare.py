"""A database's schema as data, to compare two databases: tables (columns with their types, NOT NULL,
defaults and primary key; foreign keys; WITHOUT ROWID), indexes (table, unique, columns, SQL), triggers
(table, SQL), virtual tables (SQL). Column order is left out: a column added by ALTER TABLE comes last."""

from __future__ import annotations


def schema_of(db) -> dict[str, dict]:
    out: dict[str, dict] = {"table": {}, "index": {}, "trigger": {}, "virtual table": {}}
    rows = db.execute_sql("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    virtual = {name for kind, name, _t, sql in rows if kind == "table" and (sql or "").startswith("CREATE VIRTUAL")}
    for kind, name, table, sql in rows:
        if kind == "table" and name in virtual:
            out["virtual table"][name] = sql
        elif kind == "table" and not any(name.startswith(v + "_") for v in virtual):   # FTS5's own tables follow
            columns = sorted((r[1], r[2].upper(), r[3], r[4], r[5])
                             for r in db.execute_sql(f'PRAGMA table_info("{name}")').fetchall())
            keys = sorted(tuple(r[2:]) for r in db.execute_sql(f'PRAGMA foreign_key_list("{name}")').fetchall())
            out["table"][name] = (columns, keys, "WITHOUT ROWID" in (sql or "").upper())
        elif kind == "index":
            unique = {r[1]: r[2] for r in db.execute_sql(f'PRAGMA index_list("{table}")').fetchall()}[name]
            cols = [(r[2], r[3], r[4]) for r in db.execute_sql(f'PRAGMA index_xinfo("{name}")').fetchall() if r[5]]
            out["index"][name] = (table, unique, cols, sql)
        elif kind == "trigger":
            out["trigger"][name] = (table, sql)
    return out


def differences(got: dict[str, dict], want: dict[str, dict]) -> list[str]:
    """What `got` lacks, has in excess or has otherwise than `want`, one line each."""
    lines = []
    for kind in want:
        for name in sorted(set(want[kind]) - set(got[kind])):
            lines.append(f"missing {kind} {name}")
        for name in sorted(set(got[kind]) - set(want[kind])):
            lines.append(f"extra {kind} {name}")
        for name in sorted(set(got[kind]) & set(want[kind])):
            if got[kind][name] != want[kind][name]:
                lines.append(f"{kind} {name}: {got[kind][name]!r} != {want[kind][name]!r}")
    return lines


def pg_schema_of(db) -> dict[str, dict]:
    """schema_of() on PostgreSQL, from its catalog: tables (columns with type, length, NULL and default;
    constraints), indexes, triggers, sequences and functions (with their text) of the current schema."""
    one = "n.nspname = current_schema()"
    out: dict[str, dict] = {"table": {}, "index": {}, "trigger": {}, "sequence": {}, "function": {}}
    columns: dict[str, list] = {}
    for row in db.execute_sql(
            "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = current_schema()").fetchall():
        columns.setdefault(row[0], []).append(row[1:])
    constraints: dict[str, list] = {}
    for table, name, definition in db.execute_sql(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t "
            f"ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE {one}").fetchall():
        constraints.setdefault(table, []).append((name, definition))
    for table, cols in columns.items():
        out["table"][table] = (sorted(cols), sorted(constraints.get(table, [])))
    for name, table, definition in db.execute_sql(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()").fetchall():
        out["index"][name] = (table, definition)
    for name, table, definition in db.execute_sql(
            "SELECT g.tgname, t.relname, pg_get_triggerdef(g.oid) FROM pg_trigger g JOIN pg_class t ON t.oid = "
            f"g.tgrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE NOT g.tgisinternal AND {one}").fetchall():
        out["trigger"][name] = (table, definition)
    for (name,) in db.execute_sql(
            f"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' "
            f"AND {one}").fetchall():
        out["sequence"][name] = True
    for name, args, kind, definition in db.execute_sql(
            "SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prokind, CASE WHEN p.prokind = 'a' "
            "THEN NULL ELSE pg_get_functiondef(p.oid) END FROM pg_proc p JOIN pg_namespace n ON n.oid = "
            f"p.pronamespace WHERE {one}").fetchall():
        out["function"][f"{name}({args})"] = (kind, definition)
    return out

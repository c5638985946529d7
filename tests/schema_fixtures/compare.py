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

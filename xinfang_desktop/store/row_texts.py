"""A model row's INSERT (``save(force_insert=True)``, ``Model.create``) and UPDATE (``save()``) with its key
given, sent with an SQL text peewee made once per table, columns and engine.

peewee builds the text of every statement anew from its nodes; for the handful of rows a registration or an
action writes that was about a third of a desk's CPU on PostgreSQL (issue 16: four desks share two cores
with the server). The text here is peewee's own, made by peewee the first time a table is written with
these columns on this engine (that first row goes with it); the values are what peewee binds (each field's
``db_value``), in the order of the text's columns, checked against peewee's own values that first time.
An INSERT's value may be an ``SQL`` text with its own values (a registration's number, which the server
completes: store/locks.py numbers_at_commit): peewee puts that text in the statement's and binds its values
unconverted, and so is it here, the text being part of what is kept. Anything else — no key given, an
auto-increment key, another SQL expression as a value, an UPDATE to an SQL text, ``only=`` — is left to
peewee, as is a shape the check refused."""

from __future__ import annotations

import re
from typing import Any

from peewee import ROW, SQL, Field, Model, Node, Proxy

# (model, engine class, statement, the row's field names in order, the SQL texts among its values) ->
# (text, fields of its values) or None
_TEXTS: dict[tuple, tuple[str, tuple[Field, ...]] | None] = {}
_MAX = 2000            # shapes kept (a handful per table in practice): a bound on what an odd caller grows

_INSERT_COLUMNS = re.compile(r'INSERT INTO "[^"]+" \(((?:"[^"]+", )*"[^"]+")\) VALUES \(')
_UPDATE_COLUMNS = re.compile(r'"([^"]+)" = (?:\?|%s)')
_NAME = re.compile(r'"([^"]+)"')


def insert_row(row: Model) -> bool:
    """``row.save(force_insert=True)`` for a row whose key is given; False when peewee is to do it."""
    meta = row._meta
    if meta.primary_key is False or meta.composite_key or meta.auto_increment or row._pk is None:
        return False
    data = row.__data__.copy()
    row._populate_unsaved_relations(data)
    if _write(row, "insert", data, ()) is None:
        return False
    row._dirty -= set(data)
    return True


def update_row(row: Model) -> int | None:
    """``row.save()`` (every column, by its key) for a row whose key is given: the rows changed, or None when
    peewee is to do it."""
    meta = row._meta
    if meta.primary_key is False or meta.composite_key or meta.only_save_dirty or row._pk is None:
        return None
    data = row.__data__.copy()
    row._populate_unsaved_relations(data)
    data.pop(meta.primary_key.name, None)
    if not data:
        return None
    cursor = _write(row, "update", data, (row._pk,))
    if cursor is None:
        return None
    row._dirty -= set(data)
    return meta.database.rows_affected(cursor)


def _write(row: Model, statement: str, data: dict[str, Any], key_values: tuple):
    """``statement`` of ``data``'s columns (and the row's key, ``key_values``, for an update's WHERE) sent:
    its cursor, or None (nothing sent) when peewee is to do it."""
    meta = row._meta
    db = meta.database
    engine = db.obj if isinstance(db, Proxy) else db
    if engine is None:
        return None                              # not bound: peewee says so
    inline = tuple((name, v.sql) for name, v in data.items() if type(v) is SQL)
    if inline and statement != "insert":
        return None
    shape = (type(row), type(engine), statement, tuple(data), inline)
    known = _TEXTS.get(shape, False)
    if known is None:
        return None
    if known is False:
        return _learn(row, statement, data, engine, shape)
    text, fields = known
    params = _params(data, fields, meta.primary_key, key_values)
    return None if params is None else db.execute_sql(text, params)


def _params(data: dict[str, Any], fields: tuple[Field, ...], key: Field, key_values: tuple) -> list[Any] | None:
    """The values peewee binds for ``data`` in the order of ``fields`` (then the key's for a WHERE): an SQL
    text's own values as they are; None for another SQL expression (peewee puts it in the text)."""
    params = []
    for field, value in [*((f, data[f.name]) for f in fields), *((key, v) for v in key_values)]:
        if isinstance(value, Node):
            if type(value) is not SQL or any(isinstance(p, Node) for p in value.params or ()):
                return None
            params.extend(value.params or ())
            continue
        value = field.db_value(value)
        if isinstance(value, Node):
            return None
        params.append(value)
    return params


def _learn(row: Model, statement: str, data: dict[str, Any], engine, shape: tuple):
    """peewee's text for ``shape`` made, its columns read and the values checked against peewee's own: kept
    (or kept refused). The row is sent with peewee's own text and values: its cursor, or None when refused."""
    meta = row._meta
    if any(isinstance(v, Node) and type(v) is not SQL for v in data.values()):
        return None                              # an expression: peewee's, and not learnt from
    cls = type(row)
    if statement == "insert":
        if any(f.name not in data for f in meta.defaults):
            _keep(shape, None)                   # peewee would add a default's column its own way
            return None
        query = cls.insert(**data)
        if engine.returning_clause:              # as Insert._execute adds it
            query._returning = query._pk_returning()
            query._row_type = ROW.TUPLE
        key_values: tuple = ()
    else:
        query = cls.update(**data).where(row._pk_expr())
        key_values = (row._pk,)
    text, params = engine.get_sql_context().sql(query).query()
    fields = _fields_of(meta, statement, text)
    mine = None if fields is None else _params(data, fields, meta.primary_key, key_values)
    same = mine is not None and len(mine) == len(params) and all(
        a is b or (type(a) is type(b) and a == b) for a, b in zip(mine, params))
    _keep(shape, (text, fields) if same else None)
    return meta.database.execute_sql(text, params) if same else None


def _fields_of(meta, statement: str, text: str) -> tuple[Field, ...] | None:
    """The fields of the values of peewee's ``text``, in order, by the column names it writes."""
    if statement == "insert":
        m = _INSERT_COLUMNS.match(text)
        names = _NAME.findall(m.group(1)) if m else None
    else:
        head, _, _ = text.partition(" WHERE ")
        names = _UPDATE_COLUMNS.findall(head)
    if not names:
        return None
    fields = tuple(meta.columns.get(name) for name in names)
    return None if any(f is None for f in fields) else fields


def _keep(shape: tuple, entry) -> None:
    if len(_TEXTS) >= _MAX:
        _TEXTS.clear()
    _TEXTS[shape] = entry

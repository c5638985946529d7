"""A select every recorded action runs (the case by its number, the case's events), with its SQL text made by
peewee once per engine and its rows read as peewee reads them.

peewee builds a select's text anew from its nodes on every run; for the case's forty columns that was a fifth
of a desk's CPU per action on PostgreSQL (issue 16). Here the query is a function of its text values: the
first time on an engine, peewee makes its text twice, with stand-ins for the values and with the values, to
find where each value is bound; the text is kept only when the two agree (a value that changes the text, or
is not bound as given, leaves the select to peewee every time). The rows come through the cursor wrapper
peewee makes for the query: the same model instances, converted the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peewee import Model, ModelSelect, Proxy

# A value's place among the text's parameters, or a constant the query binds (a LIMIT): (index, constant).
_Slot = tuple[int, Any]


class SelectText:
    """``build(*values)`` (text values: a number, an id) run with the text peewee made the first time."""

    def __init__(self, model: type[Model], build: Callable[..., ModelSelect]):
        self._model = model
        self._build = build
        self._known: dict[type, tuple[str, tuple[_Slot, ...], ModelSelect] | None] = {}

    def rows(self, *values: str) -> list[Model]:
        db = self._model._meta.database
        engine = db.obj if isinstance(db, Proxy) else db
        kind = type(engine)
        known = self._known.get(kind, False) if all(type(v) is str for v in values) else None
        if known is False:
            known = self._known[kind] = self._learn(engine, values)
        if known is None:
            return list(self._build(*values))           # peewee's own way
        text, slots, template = known
        cursor = db.execute_sql(text, [values[i] if i >= 0 else constant for i, constant in slots])
        return list(template._get_cursor_wrapper(cursor))

    def first(self, *values: str) -> Model | None:
        """The first row, or None (``get_or_none`` of a query limited to one row)."""
        rows = self.rows(*values)
        return rows[0] if rows else None

    def _learn(self, engine, values: tuple[str, ...]):
        marks = tuple(f"\x00{i}\x00" for i in range(len(values)))
        marked_text, marked = engine.get_sql_context().sql(self._build(*marks)).query()
        template = self._build(*values)
        text, params = engine.get_sql_context().sql(template).query()
        if text != marked_text:
            return None
        slots = tuple((marks.index(p), None) if type(p) is str and p in marks else (-1, p) for p in marked)
        mine = [values[i] if i >= 0 else constant for i, constant in slots]
        if len(mine) != len(params) or any(not (a is b or (type(a) is type(b) and a == b))
                                           for a, b in zip(mine, params)):
            return None
        return text, slots, template

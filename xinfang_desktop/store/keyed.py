"""Rows looked up by many keys at once (an import checks tens of thousands), on either engine."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .engine import is_postgres

_CHUNK = 500          # keys in one IN list on SQLite
_PG_CHUNK = 5000      # keys in one array on PostgreSQL (one parameter: bound once, not 500 times)
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)


def rows_in(db, select: str, column: str, keys: Sequence[str], *, then: str = "") -> list[tuple]:
    """The rows of ``select`` whose ``column`` is one of ``keys``, in chunks: an ``IN`` list of 500 on
    SQLite, one array of 5,000 (``= ANY``) on PostgreSQL (a round trip and a bound value, not 500). A
    ``select`` with a WHERE of its own gets the keys' condition ANDed to it; ``then`` (an ORDER BY)
    follows, and orders the rows of each chunk."""
    joiner = "AND" if _WHERE.search(select) else "WHERE"
    out: list[tuple] = []
    if is_postgres(db):
        for i in range(0, len(keys), _PG_CHUNK):
            out += db.execute_sql(f"{select} {joiner} {column} = ANY(?) {then}",
                                  (list(keys[i:i + _PG_CHUNK]),)).fetchall()
        return out
    for i in range(0, len(keys), _CHUNK):
        part = keys[i:i + _CHUNK]
        out += db.execute_sql(f"{select} {joiner} {column} IN ({','.join('?' for _ in part)}) {then}",
                              tuple(part)).fetchall()
    return out

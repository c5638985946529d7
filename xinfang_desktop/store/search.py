"""Search index over cases: petitioners' names, pinyin, ID numbers, phones, case numbers, query
codes and the request text.

Chinese names are two or three characters, which FTS5's trigram tokenizer cannot match, so the
text is tokenised here: CJK unigrams (names only) and bigrams, full pinyin and initials (every
reading of a heteronym, so 单 is found as s… and d…), and whole numbers. The tokens are stored
space-separated in an FTS5 table with the plain unicode61 tokenizer; a query is tokenised the
same way and every token must match (AND).

On PostgreSQL the same tokens are kept as a tsvector of verbatim lexemes in a GIN index
(store/pg_schema.create_search) and the query is the same expression as a tsquery.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from pypinyin import Style, pinyin

from .engine import is_postgres


def create(db) -> None:
    """The index as this version has it, in a new database (store/schema.py): rowid = case.sid."""
    db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5(tokens, "
                   "tokenize='unicode61 remove_diacritics 0')")


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_ALNUM = re.compile(r"[0-9A-Za-z]+")
_MAX_READINGS = 8


@lru_cache(maxsize=50_000)
def _readings(ch: str) -> tuple[str, ...]:
    # Per character, so a million distinct names cost a few thousand pypinyin calls.
    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(got[0][:3])) if got and got[0] else ()


@lru_cache(maxsize=200_000)
def name_pinyin(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """All full-pinyin spellings and all initials of a name (heteronyms expanded, capped)."""
    readings = [r for r in (_readings(c) for c in name if _CJK.match(c)) if r]
    if not readings:
        return (), ()
    combos = list(itertools.islice(itertools.product(*readings), _MAX_READINGS))
    full = tuple(dict.fromkeys("".join(p) for p in combos))
    initials = tuple(dict.fromkeys("".join(x[0] for x in p) for p in combos))
    return full, initials


def cjk_grams(text: str, *, unigrams: bool) -> list[str]:
    out: list[str] = []
    for run in _CJK.findall(text):
        if unigrams or len(run) == 1:
            out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def digits_only(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text).lower()


@dataclass(frozen=True)
class SearchDoc:
    names: Sequence[str]
    id_numbers: Sequence[str]
    phones: Sequence[str]
    case_number: str
    query_code: str
    request: str


def document_tokens(doc: SearchDoc) -> str:
    tokens: list[str] = []
    for name in doc.names:
        tokens.extend(cjk_grams(name, unigrams=True))
        full, initials = name_pinyin(name)
        tokens.extend(full)
        tokens.extend(initials)
        tokens.extend(w.lower() for w in _ALNUM.findall(name))
    tokens.extend(n.lower() for n in doc.id_numbers if n)
    tokens.extend(digits_only(p) for p in doc.phones if p)
    tokens.append(digits_only(doc.case_number))
    tokens.append(doc.query_code.lower())
    tokens.extend(cjk_grams(doc.request, unigrams=False))
    tokens.extend(w.lower() for w in _ALNUM.findall(doc.request) if len(w) > 1)
    return " ".join(dict.fromkeys(tokens))


def query_expression(text: str) -> str | None:
    """FTS5 MATCH expression for what a clerk typed, or None when there is nothing to search."""
    parts: list[str] = []
    # Case numbers (350881102-2026-00017) and phones with hyphens: join the digit groups.
    compact = re.sub(r"(?<=\d)[-\s](?=\d)", "", text.strip())
    for run in _CJK.findall(compact):
        grams = [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
        parts.extend(f'"{g}"' for g in grams)
    for word in _ALNUM.findall(compact):
        w = word.lower()
        if w.isalpha():
            # pinyin: initials are matched whole (zs), longer spellings also as a prefix (zhangs…)
            parts.append(f'"{w}"' if len(w) <= 2 else f'"{w}"*')
        elif len(w) >= 4:
            parts.append(f'"{w}"*')
        else:
            parts.append(f'"{w}"')
    if not parts:
        return None
    return " AND ".join(dict.fromkeys(parts))


def ts_query(expr: str) -> str:
    """The FTS5 expression of query_expression as PostgreSQL tsquery text: "zs" AND "zhangs"* →
    'zs' & 'zhangs':*. The lexemes are quoted, so nothing in them is read as an operator."""
    parts = []
    for term in expr.split(" AND "):
        prefix = term.endswith("*")
        word = term.rstrip("*").strip('"').replace("\\", "\\\\").replace("'", "''")
        parts.append(f"'{word}'" + (":*" if prefix else ""))
    return " & ".join(parts)


_PG_INSERT = "INSERT INTO case_search (sid, tokens) VALUES (?, array_to_tsvector(string_to_array(?, ' ')))"


# Many rows at once: the same expression over two arrays, one statement per 5,000 rows (not one each).
_PG_INSERT_MANY = ("INSERT INTO case_search (sid, tokens) SELECT s, array_to_tsvector(string_to_array(t, ' ')) "
                   "FROM unnest(?::integer[], ?::text[]) WITH ORDINALITY AS u(s, t, n) ORDER BY n")
_PG_MANY = 5000


def index_rows(db, rows: Iterable[tuple[int, str]]) -> None:
    if is_postgres(db):
        rows = list(rows)
        for i in range(0, len(rows), _PG_MANY):
            part = rows[i:i + _PG_MANY]
            db.execute_sql(_PG_INSERT_MANY, ([r[0] for r in part], [r[1] for r in part]))
        return
    db.connection().executemany("INSERT INTO case_search(rowid, tokens) VALUES (?, ?)", rows)


def reindex(db, sid: int, tokens: str) -> None:
    conn = db.connection()
    if is_postgres(db):
        conn.execute("DELETE FROM case_search WHERE sid = ?", (sid,))
        conn.execute(_PG_INSERT, (sid, tokens))
        return
    conn.execute("DELETE FROM case_search WHERE rowid = ?", (sid,))
    conn.execute("INSERT INTO case_search(rowid, tokens) VALUES (?, ?)", (sid, tokens))


def index_new(db, sid, tokens) -> None:
    """A new case's row of the index. ``sid`` and ``tokens`` may be SQL expressions (a registration's numbers
    the server puts in as it commits: store/locks.py numbers_at_commit)."""
    if not is_postgres(db):
        reindex(db, sid, tokens)
        return
    from peewee import SQL, Value

    # As reindex: a row left under this key would be replaced (no case is ever deleted, so there is none).
    ctx = db.get_sql_context()
    ctx.literal("INSERT INTO case_search (sid, tokens) VALUES (").sql(
        sid if isinstance(sid, SQL) else Value(sid)).literal(", array_to_tsvector(string_to_array(").sql(
        tokens if isinstance(tokens, SQL) else Value(tokens)).literal(
        ", ' '))) ON CONFLICT (sid) DO UPDATE SET tokens = excluded.tokens")
    db.execute_sql(*ctx.query())


def drop_rows(db, sids: Iterable[int]) -> None:
    """Take cases out of the index (before they are indexed again)."""
    key = "sid" if is_postgres(db) else "rowid"
    db.connection().executemany(f"DELETE FROM case_search WHERE {key} = ?", [(s,) for s in sids])


def search_sids(db, text: str, limit: int = 200) -> list[int]:
    expr = query_expression(text)
    if expr is None:
        return []
    if is_postgres(db):
        cur = db.execute_sql("SELECT sid FROM case_search WHERE tokens @@ ?::tsquery ORDER BY sid DESC LIMIT ?",
                             (ts_query(expr), limit))
    else:
        cur = db.execute_sql(
            "SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rowid DESC LIMIT ?", (expr, limit)
        )
    return [r[0] for r in cur.fetchall()]

"""Records in a bundle: which tables travel, their columns, the deterministic encoding of a row, and the
SQL that writes a checked record back.

One record is a flat object ``{"t": <type>, "id": <uuid>, <column>: <value>, …}`` with every
column of the table except local-only ones (``case.sid``, the search key). Datetimes travel as
``YYYY-MM-DD HH:MM:SS[.ffffff]``, dates as ``YYYY-MM-DD``, booleans as JSON booleans, the JSON
columns as objects. ``unit_code`` is the owning unit: only it may change the row.

Owns the shape of a record. Does not own the checks a received record must pass (record_checks.py)
nor which records a bundle carries (outbox_bundles.py) or what a bundle may change (inbox_plan.py).
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass
from typing import Any, Callable

from peewee import (
    BooleanField,
    DateField,
    DateTimeField,
    Field,
    ForeignKeyField,
    IntegerField,
)

from ...store.models import (
    CASE_LOCAL_COLUMNS,
    Case,
    CaseEvent,
    CaseParty,
    JSONField,
    Person,
)
from ...store.models_attention import (
    ColourOverride,
    HardshipFlag,
    HardshipReferral,
    LeaderAssignment,
    MediationSession,
    Reception,
)
from ...store.models_intake import Attachment
from ...store.models_meetings import Meeting, MeetingTask
from ...store.models_resolution import BacklogEntry, BacklogStep, DeliberationSession
from ...store.models_sync import Instruction
from ..cases import CACHED_COLUMNS

# Apply order: parents before children (case before its attachments, mediation and 包案; person
# before overrides and hardship; a hardship flag before its referrals).
TYPES: dict[str, type] = {
    "person": Person,
    "case": Case,
    "case_party": CaseParty,
    "instruction": Instruction,
    "case_event": CaseEvent,
    "attachment": Attachment,
    "leader_assignment": LeaderAssignment,
    "colour_override": ColourOverride,
    "hardship_flag": HardshipFlag,
    "hardship_referral": HardshipReferral,
    "reception": Reception,
    "mediation_session": MediationSession,
    "deliberation_session": DeliberationSession,
    "backlog_entry": BacklogEntry,
    "backlog_step": BacklogStep,
    "meeting": Meeting,                # issue 19: a meeting before its tasks
    "meeting_task": MeetingTask,
}
# append-only: insert once, never update
ENTRY_TYPES = frozenset({"case_event", "mediation_session", "deliberation_session"})
# Append-only entries whose correction names the entry it corrects (and what the entry is called).
CORRECTABLE = {"mediation_session": "调解记录", "deliberation_session": "评理记录"}
LOCAL_COLUMNS = {"case": set(CASE_LOCAL_COLUMNS)}    # derived or numbered locally
MAX_TEXT = 100_000
MAX_LIST = 500               # items of a JSON list column (mediators, parties, cases of a reception)

# References checked on import: (column, parent type, may be empty). A child whose parent is neither in
# the database nor in the bundle is quarantined.
REFS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "case_party": (("case_id", "case", False), ("person_id", "person", False)),
    "case_event": (("case_id", "case", False),),
    "attachment": (("case_id", "case", False),),
    "leader_assignment": (("case_id", "case", False),),
    "colour_override": (("person_id", "person", True), ("case_id", "case", True)),
    "hardship_flag": (("person_id", "person", False), ("case_id", "case", True)),
    "hardship_referral": (("flag_id", "hardship_flag", False),),
    "mediation_session": (("case_id", "case", False),),
    "deliberation_session": (("case_id", "case", False),),
    "backlog_entry": (("case_id", "case", False),),
    "backlog_step": (("entry_id", "backlog_entry", False),),
    "meeting_task": (("meeting_id", "meeting", False), ("case_id", "case", False)),
}
PARENT_LABELS = {"case": "所属事项", "person": "所指信访人", "hardship_flag": "所属急难标记",
                 "backlog_entry": "所属积案", "meeting": "所属会议"}
# Columns added to a synced table after its first release, with the value a record of an earlier
# version (which lacks them) stands for: such a bundle still imports.
ADDED_COLUMNS: dict[str, dict[str, Any]] = {"colour_override": {"case_id": None}}
# Who may write a row that hangs on another is the ownership rule of store/ownership.py.


@dataclass(frozen=True)
class Column:
    name: str
    kind: str            # str / int / bool / date / datetime / json
    null: bool
    max_length: int | None
    shape: type = dict   # of a json column: an object, or a list (mediators, parties, case ids)


def _kind(field: Field) -> str:
    if isinstance(field, ForeignKeyField):
        return "str"
    if isinstance(field, BooleanField):
        return "bool"
    if isinstance(field, DateTimeField):
        return "datetime"
    if isinstance(field, DateField):
        return "date"
    if isinstance(field, IntegerField):
        return "int"
    if isinstance(field, JSONField):
        return "json"
    return "str"


def columns(tag: str) -> list[Column]:
    model = TYPES[tag]
    out = []
    for f in model._meta.sorted_fields:
        if f.column_name == "id" or f.column_name in LOCAL_COLUMNS.get(tag, ()):
            continue
        shape = list if getattr(f, "default", None) is list else dict
        out.append(Column(f.column_name, _kind(f), bool(f.null), getattr(f, "max_length", None), shape))
    return out


COLUMNS: dict[str, list[Column]] = {tag: columns(tag) for tag in TYPES}
TABLES: dict[str, str] = {tag: model._meta.table_name for tag, model in TYPES.items()}


# --------------------------------------------------------------------------- export side


def _out(kind: str) -> Callable[[Any], Any]:
    if kind == "bool":
        return lambda v: None if v is None else bool(v)
    if kind == "json":
        return lambda v: None if v is None else json.loads(v)
    if kind == "int":
        return lambda v: None if v is None else int(v)
    return lambda v: None if v is None else str(v)


def select_sql(tag: str) -> str:
    cols = ", ".join(f'"{c.name}"' for c in COLUMNS[tag])
    return f'SELECT "id", {cols} FROM "{TABLES[tag]}"'


def row_encoder(tag: str) -> Callable[[tuple], dict[str, Any]]:
    """A function turning a raw row of :func:`select_sql` into a record."""
    names = [c.name for c in COLUMNS[tag]]
    convs = [_out(c.kind) for c in COLUMNS[tag]]

    def encode(row: tuple) -> dict[str, Any]:
        rec = {"t": tag, "id": row[0]}
        for name, conv, value in zip(names, convs, row[1:]):
            rec[name] = conv(value)
        return rec

    return encode


@dataclass
class Decoded:
    tag: str
    id: str
    unit_code: str
    values: dict[str, Any]           # column -> stored value
    record: dict[str, Any]


# The columns of a case row this database derives itself from the events (the travelling ones are
# overwritten by the local fold): written with the row when it is inserted.
CASE_DERIVED = CACHED_COLUMNS


def insert_sql(tag: str) -> str:
    if tag == "case":
        cols = ["id", *(c.name for c in COLUMNS[tag] if c.name not in CASE_DERIVED), "sid", *CASE_DERIVED]
    else:
        cols = ["id", *(c.name for c in COLUMNS[tag])]
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    return f'INSERT INTO "{TABLES[tag]}" ({names}) VALUES ({marks})'


def update_sql(tag: str) -> str:
    sets = ", ".join(f'"{c.name}" = ?' for c in COLUMNS[tag])
    return f'UPDATE "{TABLES[tag]}" SET {sets} WHERE "id" = ?'


# Column values of a decoded record in table order, one C call per record (every table has several).
_VALUES_OF: dict[str, Callable[[dict[str, Any]], tuple]] = {
    tag: operator.itemgetter(*(c.name for c in cols)) for tag, cols in COLUMNS.items()
}
_CASE_OWN_VALUES = operator.itemgetter(*(c.name for c in COLUMNS["case"] if c.name not in CASE_DERIVED))


def insert_params(d: Decoded, sid: int | None = None, derived: tuple = ()) -> tuple:
    """A case takes its local key and its derived columns (CASE_DERIVED, from this database's fold)."""
    if d.tag == "case":
        return (d.id, *_CASE_OWN_VALUES(d.values), sid,
                *(v.isoformat() if hasattr(v, "isoformat") else v for v in derived))
    return (d.id, *_VALUES_OF[d.tag](d.values))


def update_params(d: Decoded) -> tuple:
    return (*_VALUES_OF[d.tag](d.values), d.id)

"""Records in a bundle: the deterministic encoding of synced rows, and their strict validation.

One record is a flat object ``{"t": <type>, "id": <uuid>, <column>: <value>, …}`` with every
column of the table except local-only ones (``case.sid``, the search key). Datetimes travel as
``YYYY-MM-DD HH:MM:SS[.ffffff]``, dates as ``YYYY-MM-DD``, booleans as JSON booleans, the JSON
columns as objects. ``unit_code`` is the owning unit: only it may change the row.
"""

from __future__ import annotations

import json
import operator
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from peewee import BooleanField, DateField, DateTimeField, Field, ForeignKeyField, IntegerField

from ..domain import workflow as wf
from ..domain.board import Colour, HardshipKind
from ..store.models import CASE_LOCAL_COLUMNS, Case, CaseEvent, CaseParty, JSONField, Person
from ..store.models_attention import (
    ColourOverride,
    HardshipFlag,
    HardshipReferral,
    LeaderAssignment,
    MediationSession,
    Reception,
)
from ..store.models_intake import Attachment
from ..store.models_meetings import Meeting, MeetingTask
from ..store.models_sync import Instruction
from . import attachments as att
from .attention import REFERRAL_KINDS
from .cases import CACHED_COLUMNS
from .mediation import AGREEMENT_KINDS, MediationKind, MediationOutcome
from .meetings import FORBIDDEN_WORDS, MeetingKind
from .reception import ReceptionKind

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
    "meeting": Meeting,                # issue 19: a meeting before its tasks
    "meeting_task": MeetingTask,
}
ENTRY_TYPES = frozenset({"case_event", "mediation_session"})      # append-only: insert once, never update
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
    "meeting_task": (("meeting_id", "meeting", False), ("case_id", "case", False)),
}
PARENT_LABELS = {"case": "所属事项", "person": "所指信访人", "hardship_flag": "所属急难标记", "meeting": "所属会议"}
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


# --------------------------------------------------------------------------- import side


class RecordProblem(Exception):
    """A record that breaks a rule; ``reason`` is Chinese, for the quarantine list."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def _check_uuid(value: Any, what: str) -> str:
    """The canonical (lower-case, hyphenated) text of a UUID, as every unit writes its keys."""
    if not isinstance(value, str) or not _UUID_RE.match(value):
        raise RecordProblem(f"{what}不是有效的标识")
    return value


# One converter per column, None handled inside (one call per value: an import decodes millions).
def _null(col: Column) -> None:
    if not col.null:
        raise RecordProblem(f"字段 {col.name} 不能为空")


def _str(col: Column) -> Callable[[Any], Any]:
    limit = MAX_TEXT if col.max_length in (None, 255) else col.max_length

    def conv(value: Any) -> Any:
        if value.__class__ is not str:
            if value is None:
                return _null(col)
            raise RecordProblem(f"字段 {col.name} 应为文字")
        if len(value) > limit:
            raise RecordProblem(f"字段 {col.name} 过长")
        return value

    return conv


def _int(col: Column) -> Callable[[Any], Any]:
    def conv(value: Any) -> Any:
        if value.__class__ is not int or not -(2**62) < value < 2**62:
            if value is None:
                return _null(col)
            raise RecordProblem(f"字段 {col.name} 应为整数")
        return value

    return conv


def _bool(col: Column) -> Callable[[Any], Any]:
    def conv(value: Any) -> Any:
        if value.__class__ is not bool:
            if value is None:
                return _null(col)
            raise RecordProblem(f"字段 {col.name} 应为是或否")
        return int(value)

    return conv


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?\Z")


def _date(col: Column) -> Callable[[Any], Any]:
    def conv(value: Any) -> Any:
        if value.__class__ is not str or not _DATE_RE.match(value):
            if value is None:
                return _null(col)
            raise RecordProblem(f"字段 {col.name} 不是有效日期")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise RecordProblem(f"字段 {col.name} 不是有效日期") from None
        return value

    return conv


def _datetime(col: Column) -> Callable[[Any], Any]:
    def conv(value: Any) -> Any:
        # Exactly the text SQLite holds for a Python datetime, so it is stored as received.
        if value.__class__ is not str or not _DATETIME_RE.match(value):
            if value is None:
                return _null(col)
            raise RecordProblem(f"字段 {col.name} 不是有效时间")
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise RecordProblem(f"字段 {col.name} 不是有效时间") from None
        return value

    return conv


# The text JSONField writes (json.dumps with these options), with one encoder instead of one per call.
_JSON_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _json(col: Column) -> Callable[[Any], Any]:
    shape = col.shape

    def conv(value: Any) -> Any:
        if value.__class__ is not shape:
            if value is None:
                return _null(col)
            raise RecordProblem(f"字段 {col.name} 应为{'列表' if shape is list else '对象'}")
        if shape is list and len(value) > MAX_LIST:
            raise RecordProblem(f"字段 {col.name} 的项目过多")
        return _JSON_ENCODE(value)

    return conv


_CONVERTERS = {"str": _str, "int": _int, "bool": _bool, "date": _date, "datetime": _datetime, "json": _json}

CONVERT: dict[str, list[tuple[str, Callable[[Any], Any]]]] = {
    tag: [(c.name, _CONVERTERS[c.kind](c)) for c in cols] for tag, cols in COLUMNS.items()
}
EXPECTED_KEYS: dict[str, frozenset[str]] = {tag: frozenset({"t", "id", *(c.name for c in cols)})
                                            for tag, cols in COLUMNS.items()}


@dataclass
class Decoded:
    tag: str
    id: str
    unit_code: str
    values: dict[str, Any]           # column -> stored value
    record: dict[str, Any]


def record_type(record: dict[str, Any]) -> str:
    tag = record.get("t")
    if not isinstance(tag, str) or tag not in TYPES:
        raise RecordProblem(f"未知的记录类型：{str(tag)[:40]}")
    return tag


def decode(record: dict[str, Any]) -> Decoded:
    """Shape and types of one record (no database look-ups)."""
    tag = record_type(record)
    expected = EXPECTED_KEYS[tag]
    if record.keys() != expected and tag in ADDED_COLUMNS:
        record = {**ADDED_COLUMNS[tag], **record}
    if record.keys() != expected:
        missing = sorted(expected - set(record))
        unknown = sorted(set(record) - expected)
        raise RecordProblem(f"字段不符（缺少 {', '.join(missing) or '无'}；多出 {', '.join(u[:40] for u in unknown[:5]) or '无'}）")
    rid = _check_uuid(record["id"], "记录")
    values = {name: conv(record[name]) for name, conv in CONVERT[tag]}
    unit = values.get("unit_code")
    if not isinstance(unit, str) or not unit:
        raise RecordProblem("缺少所属单位")
    _business_rules(tag, values, record)
    return Decoded(tag=tag, id=rid, unit_code=unit, values=values, record=record)


_STATUSES = {s.value for s in wf.Status}
_EVENT_KINDS = {k.value for k in wf.EventKind}
_COLOURS = {c.value for c in Colour}
_HARDSHIP_KINDS = {k.value for k in HardshipKind}
_REFERRAL_KINDS = set(REFERRAL_KINDS)
_MEDIATION_KINDS = {k.value for k in MediationKind}
_MEDIATION_OUTCOMES = {o.value for o in MediationOutcome}
_AGREEMENT_KINDS = set(AGREEMENT_KINDS)
_RECEPTION_KINDS = {k.value for k in ReceptionKind}
_MEETING_KINDS = {k.value for k in MeetingKind}
ATTACHMENT_KINDS = set(att.KINDS)
_SHA_RE = re.compile(r"[0-9a-f]{64}\Z")


def _text(v: dict[str, Any], name: str, label: str) -> None:
    if not v[name].strip():
        raise RecordProblem(f"{label}不能为空")


def _business_rules(tag: str, v: dict[str, Any], record: dict[str, Any]) -> None:
    if "version" in v and v["version"] < 1:
        raise RecordProblem("版本号必须大于 0")
    if tag == "case":
        if v["status"] not in _STATUSES:
            raise RecordProblem(f"事项状态无效：{v['status'][:20]}")
        if not v["number"].strip() or not v["request"].strip():
            raise RecordProblem("事项编号和诉求不能为空")
        if v["people_count"] < 1:
            raise RecordProblem("人数必须大于 0")
        if v["repeat_of"] is not None:
            _check_uuid(v["repeat_of"], "重件所指事项")
    elif tag == "person":
        if not v["name"].strip():
            raise RecordProblem("信访人姓名不能为空")
    elif tag == "case_event":
        if v["kind"] not in _EVENT_KINDS:
            raise RecordProblem(f"办理记录类型无效：{v['kind'][:20]}")
        _check_uuid(v["case_id"], "所属事项")
    elif tag == "case_party":
        _check_uuid(v["case_id"], "所属事项")
        _check_uuid(v["person_id"], "信访人")
    elif tag == "instruction":
        if v["kind"] not in ("assign", "supervise"):
            raise RecordProblem("交办督办类型无效")
        if v["kind"] == "assign" and v["deadline"] is None:
            raise RecordProblem("交办必须有办理期限")
        if not v["text"].strip():
            raise RecordProblem("交办督办内容不能为空")
    else:
        _entry_rules(tag, v, record)


def _entry_rules(tag: str, v: dict[str, Any], record: dict[str, Any]) -> None:
    """The attachment and attention records: the same rules their services apply when a clerk enters them."""
    for column, _parent, nullable in REFS.get(tag, ()):
        if v[column] is not None or not nullable:
            _check_uuid(v[column], PARENT_LABELS[_parent])
    if tag == "attachment":
        if not _SHA_RE.match(v["sha256"]):
            raise RecordProblem("附件校验值无效")
        if v["kind"] not in ATTACHMENT_KINDS:
            raise RecordProblem(f"附件类型无效：{v['kind'][:20]}")
        if not 0 < v["size"] <= att.MAX_BYTES:
            raise RecordProblem("附件大小无效")
        name = v["file_name"]
        if not name.strip() or len(name) > 200 or any(ch in name for ch in "/\\\0"):
            raise RecordProblem("附件文件名无效")
    elif tag == "leader_assignment":
        _text(v, "leader_name", "包案领导")
        _text(v, "plan", "化解方案")
    elif tag == "colour_override":
        if (v["case_id"] is None) == (v["person_id"] is None):
            raise RecordProblem("看板颜色调整应指向一个信访事项（早期版本为一位信访人）")
        if v["colour"] not in _COLOURS or v["base_colour"] not in _COLOURS:
            raise RecordProblem(f"看板颜色无效：{v['colour'][:4]}")
        _text(v, "reason", "调整理由")
    elif tag == "hardship_flag":
        if v["kind"] not in _HARDSHIP_KINDS:
            raise RecordProblem(f"急难类别无效：{v['kind'][:20]}")
    elif tag == "hardship_referral":
        if v["kind"] not in _REFERRAL_KINDS:
            raise RecordProblem(f"救助类别无效：{v['kind'][:20]}")
        _text(v, "agency", "救助机构")
        if v["outcome_on"] is not None and v["outcome_on"] < v["referred_on"]:
            raise RecordProblem("救助结果日期早于转介日期")
    elif tag == "reception":
        if v["kind"] not in _RECEPTION_KINDS:
            raise RecordProblem(f"接访方式无效：{v['kind'][:20]}")
        if not 1 <= v["batches"] <= 500 or not v["batches"] <= v["persons"] <= 10000:
            raise RecordProblem("接访批次或人次无效")
        _text(v, "leader", "接访领导")
        for cid in record["case_ids"]:
            _check_uuid(cid, "接访涉及的事项")
    elif tag == "mediation_session":
        if v["kind"] not in _MEDIATION_KINDS:
            raise RecordProblem(f"调解方式无效：{v['kind'][:20]}")
        if v["outcome"] not in _MEDIATION_OUTCOMES:
            raise RecordProblem(f"调解结果无效：{v['outcome'][:20]}")
        if v["outcome"] in ("agreement", "partial") and not (v["agreement"] or "").strip():
            raise RecordProblem("达成协议的调解记录缺少协议内容")
        if v["agreement_kind"] is not None and v["agreement_kind"] not in _AGREEMENT_KINDS:
            raise RecordProblem("协议书类别无效")
        if v["next_session"] is not None and v["next_session"] <= v["held_on"]:
            raise RecordProblem("下次调解日期应晚于本次调解日期")
        mediators = record["mediators"]
        if not mediators or not all(m.__class__ is dict and m.keys() == {"name", "role"}
                                    and all(x.__class__ is str and 0 < len(x.strip()) <= 50 for x in m.values())
                                    for m in mediators):
            raise RecordProblem("调解员名单无效")
        if not record["parties"] or not all(p.__class__ is str and 0 < len(p.strip()) <= 50
                                            for p in record["parties"]):
            raise RecordProblem("到场当事人名单无效")
        if v["corrects"] is not None:
            _check_uuid(v["corrects"], "所更正的调解记录")
    elif tag in ("meeting", "meeting_task"):
        _meeting_rules(tag, v, record)


def _short_texts(items: Any, limit: int) -> bool:
    return all(x.__class__ is str and 0 < len(x.strip()) <= limit for x in items)


def _meeting_rules(tag: str, v: dict[str, Any], record: dict[str, Any]) -> None:
    """The rules services/meetings.py applies when a meeting is recorded or a task closed (issue 19)."""
    texts = [str(x) for x in v.values() if isinstance(x, str)]
    if tag == "meeting":
        if v["kind"] not in _MEETING_KINDS:
            raise RecordProblem(f"会议类型无效：{v['kind'][:20]}")
        _text(v, "chair", "会议主持人")
        if not record["units"] or not _short_texts(record["units"], 100):
            raise RecordProblem("参会单位名单无效")
        if not record["case_ids"]:
            raise RecordProblem("会议应至少研究一件事项")
        for cid in record["case_ids"]:
            _check_uuid(cid, "会议研究的事项")
        summaries = record["summaries"]
        if not all(k in record["case_ids"] and x.__class__ is str for k, x in summaries.items()):
            raise RecordProblem("会议的事项研究情况无效")
        texts += [*record["units"], *summaries.values()]
    else:
        _text(v, "unit", "任务责任单位")
        _text(v, "what", "任务内容")
        if (v["closed_on"] is None) != (v["result"] is None):
            raise RecordProblem("已完成的任务应有完成日期和完成情况")
    if any(w in t for t in texts for w in FORBIDDEN_WORDS):
        raise RecordProblem("会议记录含有记录人员去向或限制人员的用语，本软件不接收")


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

"""Checks on a received record: shape, types and the business rules of each table, before anything is
planned (no database look-ups here).

Owns the rules a record must pass to be decoded. Does not own the encoding (records.py), ownership
and references (inbox_plan.py) or the ledger (inbox_checks.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable

from ...domain import workflow as wf
from ...domain.backlog import Basis, Outcome
from ...domain.board import Colour, HardshipKind
from ...sync.canonical import acyclic_encoder
from .. import attachments as att
from ..attention import REFERRAL_KINDS
from ..mediation import AGREEMENT_KINDS, MediationKind, MediationOutcome
from ..meetings import FORBIDDEN_WORDS, MeetingKind
from ..reception import ReceptionKind
from .records import (
    ADDED_COLUMNS,
    COLUMNS,
    MAX_LIST,
    MAX_TEXT,
    PARENT_LABELS,
    REFS,
    TYPES,
    Column,
    Decoded,
)


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


def _iso_text(pattern: re.Pattern, parse: Callable[[str], Any], word: str) -> Callable[[Column], Callable[[Any], Any]]:
    """The converter of a date or time column: exactly the text SQLite holds for a Python date or datetime
    (so it is stored as received), and a real one (no 2026-02-30)."""
    def converter(col: Column) -> Callable[[Any], Any]:
        def conv(value: Any) -> Any:
            if value.__class__ is not str or not pattern.match(value):
                if value is None:
                    return _null(col)
                raise RecordProblem(f"字段 {col.name} 不是有效{word}")
            try:
                parse(value)
            except ValueError:
                raise RecordProblem(f"字段 {col.name} 不是有效{word}") from None
            return value

        return conv

    return converter


_date = _iso_text(_DATE_RE, date.fromisoformat, "日期")
_datetime = _iso_text(_DATETIME_RE, datetime.fromisoformat, "时间")


# The text JSONField writes (json.dumps(ensure_ascii=False, sort_keys=True)), with one encoder built once
# instead of one per call (the values come from the bundle's parser: no cycles).
_JSON_ENCODE = acyclic_encoder(item_separator=", ", key_separator=": ")


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
_BACKLOG_BASES = {b.value for b in Basis}
_BACKLOG_OUTCOMES = {o.value for o in Outcome}
_ID_LIKE = re.compile(r"\d{6,}")
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
    elif tag == "deliberation_session":
        panel = record["panel"]
        if not panel or not all(m.__class__ is dict and m.keys() == {"name", "role"}
                                and all(x.__class__ is str and 0 < len(x.strip()) <= 50 for x in m.values())
                                for m in panel):
            raise RecordProblem("评理团名单无效")
        if any(_ID_LIKE.search(x) for m in panel for x in m.values()):
            raise RecordProblem("评理团名单只应有姓名和身份，不应有证件号码")
        if not record["attendees"] or not all(p.__class__ is str and 0 < len(p.strip()) <= 50
                                              for p in record["attendees"]):
            raise RecordProblem("到场人员名单无效")
        _text(v, "view", "评理意见")
        if v["corrects"] is not None:
            _check_uuid(v["corrects"], "所更正的评理记录")
    elif tag == "backlog_entry":
        if v["basis"] not in _BACKLOG_BASES:
            raise RecordProblem(f"列入积案的依据无效：{v['basis'][:20]}")
        _text(v, "reason", "列入积案的理由")
        if v["outcome"] is not None:
            if v["outcome"] not in _BACKLOG_OUTCOMES or v["outcome_on"] is None:
                raise RecordProblem(f"积案化解结果无效：{v['outcome'][:20]}")
            if v["outcome_on"] < v["decided_on"]:
                raise RecordProblem("积案化解日期早于列入日期")
            if v["outcome"] == "withdrawn" and not _SHA_RE.match(v["statement_sha256"] or ""):
                raise RecordProblem("息诉罢访缺少信访人签字的息诉罢访承诺书")
        elif v["outcome_on"] is not None:
            raise RecordProblem("积案化解日期没有对应的化解结果")
    elif tag == "backlog_step":
        _text(v, "action", "化解步骤")
        _text(v, "responsible", "责任人")
        if v["due_on"] < v["set_on"]:
            raise RecordProblem("化解步骤的完成期限早于制定日期")
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



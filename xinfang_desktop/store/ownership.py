"""Who may write a row: the one ownership rule of the synced tables (DESIGN.md "Data", SYNC.md step 6).

Every synced row names the unit that owns it (``unit_code``); only that unit creates or changes it.
A row that hangs on another row — a case, a person, a hardship flag, an earlier entry it corrects —
may moreover be written only by a unit that may act on that parent:

* the unit that owns the parent;
* for a case (and for a person who is party to it): a unit the case's owner handed the case to by a
  recorded 交办 (an ``instruction`` of kind ``assign`` written by the owner), and then only the rows
  of ASSIGNEE_MAY — the handling of the matter, never its registration, parties or a refusal;
* the city, for its own instruction rows: 交办 of a matter it owns, 督办 of any matter;
* the city as the superior (上一级机关) of the townships, for the 复查 and 复核 steps it records on a
  township's matter (第三十五、三十六条): REVIEWER_EVENTS, which travel back to the township.

A parent that is not known here is not a breach of this rule (the importer quarantines such a row
until its parent arrives). The importer (services/sync/inbox_plan.py) refuses a whole bundle that holds
any row breaking the rule; the services refuse the same writes through :func:`require_writable`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..domain.errors import NotAllowed
from .keyed import rows_in


@dataclass(frozen=True)
class Link:
    """A column of a row that points at the row it hangs on."""

    column: str
    parent: str              # the table of the parent row
    optional: bool = False   # the column may be empty
    many: bool = False       # a JSON list of ids (a reception's cases)


# For every synced table: the columns by which its rows hang on other rows. A case's repeat_of and a
# case party's person only cite another row (nothing is written on it), so they are not links here.
LINKS: dict[str, tuple[Link, ...]] = {
    "person": (),
    "case": (),
    "case_party": (Link("case_id", "case"),),
    "case_event": (Link("case_id", "case"), Link("corrects", "case_event", optional=True)),
    "instruction": (Link("case_id", "case", optional=True),),
    "attachment": (Link("case_id", "case"),),
    "leader_assignment": (Link("case_id", "case"),),
    # A leader's colour hangs on a matter (one of its cases); rows of earlier versions on a person.
    "colour_override": (Link("person_id", "person", optional=True), Link("case_id", "case", optional=True)),
    "hardship_flag": (Link("person_id", "person"), Link("case_id", "case", optional=True)),
    "hardship_referral": (Link("flag_id", "hardship_flag"),),
    "reception": (Link("case_ids", "case", many=True),),
    "mediation_session": (Link("case_id", "case"), Link("corrects", "mediation_session", optional=True)),
    "deliberation_session": (Link("case_id", "case"), Link("corrects", "deliberation_session", optional=True)),
    # The 积案 register is the township's own: the city sees it (bundles) and writes none of it.
    "backlog_entry": (Link("case_id", "case"),),
    "backlog_step": (Link("entry_id", "backlog_entry"),),
    # A meeting discusses matters; each of its tasks hangs on the meeting and on one matter (issue 19).
    "meeting": (Link("case_ids", "case", many=True),),
    "meeting_task": (Link("meeting_id", "meeting"), Link("case_id", "case")),
}

# The tables rows hang on.
PARENTS = frozenset(link.parent for links in LINKS.values() for link in links)

# What a unit that was handed a case by 交办 may write on it: the handling, and the attention a leader
# gives it. Its registration, parties and any refusal stay with the unit that registered it.
ASSIGNEE_MAY = frozenset({"case_event", "attachment", "leader_assignment", "colour_override", "hardship_flag",
                          "reception", "mediation_session", "deliberation_session",
                          "meeting", "meeting_task"})
ASSIGNEE_MAY_NOT_EVENTS = frozenset({"registered", "refused"})
# What the city, as the superior of every township, records on a township's matter: the review of its
# decision (复查/复核, 第三十五、三十六条), which is the city's own to decide.
REVIEWER_EVENTS = frozenset({"review_requested", "review_decided", "recheck_requested", "recheck_decided",
                             "hearing", "delivered"})

TABLE_LABELS = {
    "person": "信访人", "case": "信访事项", "case_party": "事项当事人", "case_event": "办理记录",
    "instruction": "交办督办", "attachment": "附件", "leader_assignment": "领导包案", "colour_override": "看板颜色调整",
    "hardship_flag": "急难标记", "hardship_referral": "救助转介", "reception": "领导接访",
    "mediation_session": "调解记录", "deliberation_session": "评理记录", "backlog_entry": "积案台账",
    "backlog_step": "积案化解步骤", "meeting": "会议记录", "meeting_task": "会议任务",
}


class Facts(Protocol):
    """What the rule needs to know about rows already here (or arriving with them)."""

    def owner(self, table: str, row_id: str) -> str | None:
        """The unit owning the row, or None when it is not known here."""

    def assignees(self, case_id: str) -> frozenset[str]:
        """Units the case's owner handed the case to by 交办."""

    def cases_of(self, person_id: str) -> frozenset[str]:
        """The cases the person is party to."""


@dataclass(frozen=True)
class Breach:
    """A row its writer may not write: ``parent`` of ``parent_table`` belongs to ``owner``."""

    table: str
    row_id: str
    writer: str
    parent_table: str
    parent_id: str
    owner: str
    reason: str = ""         # a particular reason (instruction rows), else the general one


def breach(table: str, row_id: str, values: Mapping[str, Any], writer: str, facts: Facts, *,
           writer_is_city: bool = False, recipient: str | None = None) -> Breach | None:
    """The first way in which ``writer`` writing this row breaks the ownership rule, or None.

    ``values`` holds the row's columns (JSON list columns as lists). ``recipient``: the unit whose
    database receives the row (the importer), which an instruction must be addressed to."""
    if table == "instruction":
        return _instruction_breach(row_id, values, writer, facts, writer_is_city, recipient)
    for link in LINKS.get(table, ()):
        raw = values.get(link.column)
        ids = (raw or []) if link.many else ([] if raw is None else [raw])
        for parent_id in ids:
            owner = facts.owner(link.parent, parent_id)
            if owner is None or owner == writer:
                continue
            if _assigned(table, values, writer, link.parent, parent_id, facts):
                continue
            if (writer_is_city and table == "case_event" and link.parent == "case"
                    and values.get("kind") in REVIEWER_EVENTS):
                continue
            return Breach(table, row_id, writer, link.parent, parent_id, owner)
    return None


def _assigned(table: str, values: Mapping[str, Any], writer: str, parent_table: str, parent_id: str,
              facts: Facts) -> bool:
    if table not in ASSIGNEE_MAY:
        return False
    if table == "case_event" and values.get("kind") in ASSIGNEE_MAY_NOT_EVENTS:
        return False
    if parent_table == "case":
        return writer in facts.assignees(parent_id)
    if parent_table == "person":
        return any(writer in facts.assignees(c) for c in facts.cases_of(parent_id))
    return False


def _instruction_breach(row_id: str, values: Mapping[str, Any], writer: str, facts: Facts, writer_is_city: bool,
                        recipient: str | None) -> Breach | None:
    case_id = values.get("case_id")
    owner = facts.owner("case", case_id) if case_id else None
    to_unit = values.get("to_unit")
    if not writer_is_city:
        return Breach("instruction", row_id, writer, "case", case_id or "", owner or "", "交办督办只能由市局发出")
    if recipient is not None and to_unit != recipient:
        return Breach("instruction", row_id, writer, "case", case_id or "", owner or "",
                      f"交办督办应发给本单位，而不是 {str(to_unit)[:32]}")
    if owner is None:
        return None
    if values.get("kind") == "assign" and owner != writer:
        return Breach("instruction", row_id, writer, "case", case_id, owner, "只能交办本局登记的事项")
    if values.get("kind") == "supervise" and owner not in (writer, to_unit):
        return Breach("instruction", row_id, writer, "case", case_id, owner, "督办应发给该事项所属的乡镇")
    return None


# --------------------------------------------------------------------------- facts from the database


class DatabaseFacts:
    """Facts read from the database one row at a time (the services: one write, a few rows). ``owners``
    (table -> id -> unit): owners the caller has just read (a case it locked), not read again; an owner read
    here is kept too."""

    def __init__(self, db, owners: Mapping[str, Mapping[str, str]] | None = None):
        self.db = db
        self._owners = {table: dict(known) for table, known in (owners or {}).items()}

    def owner(self, table: str, row_id: str) -> str | None:
        known = self._owners.setdefault(table, {})
        if row_id not in known:
            row = self.db.execute_sql(f'SELECT unit_code FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
            known[row_id] = row[0] if row else None
        return known[row_id]

    def assignees(self, case_id: str) -> frozenset[str]:
        return frozenset(r[0] for r in self.db.execute_sql(
            'SELECT i.to_unit FROM instruction i JOIN "case" c ON c.id = i.case_id '
            "WHERE i.case_id = ? AND i.kind = 'assign' AND i.unit_code = c.unit_code", (case_id,)).fetchall())

    def cases_of(self, person_id: str) -> frozenset[str]:
        return frozenset(r[0] for r in self.db.execute_sql(
            "SELECT case_id FROM case_party WHERE person_id = ?", (person_id,)).fetchall())


class BulkFacts:
    """Facts gathered once for many rows (the importer): the rows of a bundle, then the database's."""

    def __init__(self) -> None:
        self.owners: dict[str, dict[str, str]] = {}
        self._assignees: dict[str, set[str]] = {}
        self._person_cases: dict[str, set[str]] = {}

    def owner(self, table: str, row_id: str) -> str | None:
        return self.owners.get(table, {}).get(row_id)

    def assignees(self, case_id: str) -> frozenset[str]:
        return frozenset(self._assignees.get(case_id, ()))

    def cases_of(self, person_id: str) -> frozenset[str]:
        return frozenset(self._person_cases.get(person_id, ()))

    # -- filling ------------------------------------------------------------------------------
    def add_row(self, table: str, row_id: str, values: Mapping[str, Any]) -> None:
        """A row arriving with the others (its owner is its unit_code)."""
        self.owners.setdefault(table, {})[row_id] = values["unit_code"]
        if table == "case_party":
            self._person_cases.setdefault(values["person_id"], set()).add(values["case_id"])

    def add_assignment(self, case_id: str, to_unit: str) -> None:
        self._assignees.setdefault(case_id, set()).add(to_unit)

    def load(self, db, wanted: Mapping[str, Iterable[str]]) -> None:
        """Owners of the rows ``wanted`` (table -> ids) from the database; for cases and people also the
        交办 on them and, for people, the cases they are party to."""
        people = set(wanted.get("person", ()))
        for person_id, case_id in rows_in(db, "SELECT person_id, case_id FROM case_party", "person_id", sorted(people)):
            self._person_cases.setdefault(person_id, set()).add(case_id)
        cases = set(wanted.get("case", ())) | {c for p in people for c in self._person_cases.get(p, ())}
        tables = {**{t: set(ids) for t, ids in wanted.items()}, "case": cases}
        for table, ids in tables.items():
            known = self.owners.setdefault(table, {})
            for row_id, unit in rows_in(db, f'SELECT id, unit_code FROM "{table}"', "id", sorted(ids - set(known))):
                known[row_id] = unit
        for case_id, to_unit in rows_in(
                db, "SELECT i.case_id, i.to_unit FROM instruction i JOIN \"case\" c ON c.id = i.case_id "
                    "WHERE i.kind = 'assign' AND i.unit_code = c.unit_code", "i.case_id", sorted(cases)):
            self.add_assignment(case_id, to_unit)


# --------------------------------------------------------------------------- the services' check


def is_city(db, unit: str) -> bool:
    row = db.execute_sql("SELECT kind FROM unit WHERE code = ?", (unit,)).fetchone()
    return bool(row) and row[0] == "city"


def writable_problem(db, writer: str, table: str, values: Mapping[str, Any],
                     owners: Mapping[str, Mapping[str, str]] | None = None) -> str | None:
    """Why ``writer`` may not write this row here (Chinese, naming the owning unit and what to do instead).
    ``owners``: owners of parent rows the caller has read (DatabaseFacts)."""
    facts = DatabaseFacts(db, owners)
    # Being the city only allows more (its review steps on a township's matter), except for an instruction:
    # a row the writer may write without it needs no read of the writer's kind (a round trip on a server).
    if table != "instruction" and breach(table, "", values, writer, facts) is None:
        return None
    city = is_city(db, writer)
    found = breach(table, "", values, writer, facts, writer_is_city=city)
    return None if found is None else service_message(db, found, writer_is_city=city)


def require_writable(db, writer: str, table: str, values: Mapping[str, Any],
                     owners: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """Refuse (NotAllowed) a write the rule forbids, before anything is written. ``owners``: owners of parent
    rows the caller has just read (table -> id -> unit), not read again."""
    problem = writable_problem(db, writer, table, values, owners)
    if problem is not None:
        raise NotAllowed(problem)


def require_own_row(db, writer: str, table: str, row_owner: str) -> None:
    """Only the owning unit changes a row (a correction by another unit is a new row of its own)."""
    if row_owner != writer:
        raise NotAllowed(f"该{TABLE_LABELS.get(table, '记录')}由{unit_label(db, row_owner)}记录，只能由该单位修改。")


def unit_label(db, code: str) -> str:
    row = db.execute_sql("SELECT name FROM unit WHERE code = ?", (code,)).fetchone()
    return f"{row[0]}（{code}）" if row else code


def parent_label(db, table: str, row_id: str) -> str:
    if table == "case":
        row = db.execute_sql('SELECT number FROM "case" WHERE id = ?', (row_id,)).fetchone()
        return f"事项 {row[0]}" if row else "该事项"
    if table == "person":
        return "该信访人"
    return f"该{TABLE_LABELS.get(table, '记录')}"


def service_message(db, b: Breach, *, writer_is_city: bool) -> str:
    what = parent_label(db, b.parent_table, b.parent_id)
    owner = unit_label(db, b.owner)
    if b.reason:
        return f"{b.reason}：{what}属于{owner}。"
    if writer_is_city and b.parent_table in ("case", "person"):
        return (f"{what}属于{owner}，由该单位办理；市局在本机记录的办理不会送达该单位，因此不能在此记录。"
                f"市局可以对该事项督办（事项页“督办…”，或命令 xinfang sync supervise 事项编号 --text 督办意见），"
                "该单位的办理过程会随其同步包送达市局。")
    if b.parent_table in ("case", "person"):
        return (f"{what}属于{owner}，尚未交办本单位（或此项操作不在交办范围内），本单位不能在此记录。"
                "如需本单位办理，请由该单位交办。")
    return f"{what}属于{owner}，只能由该单位修改或补充。"


def import_message(b: Breach, names: Mapping[str, str]) -> str:
    """Why a bundle is refused whole: the table, the row and the unit owning what it hangs on."""
    def name(code: str) -> str:
        return f"{names[code]}（{code}）" if code in names else code

    table = f"{TABLE_LABELS.get(b.table, b.table)}（{b.table}）"
    if b.reason:
        return (f"同步包中的{table}记录 {b.row_id} 不符合规定：{b.reason}。{name(b.writer)} 无权写入，整个包已拒绝、"
                "未导入任何记录。请勿再导入，并联系发送单位核实。")
    parent = f"{TABLE_LABELS.get(b.parent_table, b.parent_table)} {b.parent_id}"
    return (f"同步包中的{table}记录 {b.row_id} 挂在{parent}上，该{TABLE_LABELS.get(b.parent_table, '记录')}属于"
            f"{name(b.owner)}，{name(b.writer)} 无权写入。整个包已拒绝、未导入任何记录。请勿再导入，并联系发送单位核实。")

"""The case ledger (台账): export the filtered case list to .xlsx, and import years of ledgers kept
in Excel (or CSV) without retyping.

Import is in three steps, so nothing is written before the clerk has seen every problem:
`read_table` reads the file, `guess_mapping` maps its columns to fields by their header names
(the clerk corrects the mapping), `dry_run` checks every row through the same registration
rules as the intake form; `run_import` then writes the valid rows in one transaction (in bulk:
services/ledger_bulk.py writes the records registration would), writes the rejected rows with
their reasons to a rejects file, and records a fingerprint of each imported row so the same file
imported again adds nothing. Both take `progress(fraction, text)` and `cancelled()`; a cancel
rolls everything back.

A row whose ID number is registered (or given by an earlier row) with another name is never applied
to that person: by default it is held back and reported with both names, the registered person
unchanged; with `person_conflicts="separate"` it is imported as a person of its own, without the ID
number. A row that differs only in phone, address or place is imported for the registered person,
whose details are kept, and says so.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Sequence

from peewee import SQL

from ..documents.sheet_reader import (
    DEFAULT_LIMITS,
    SheetLimits,
    SheetTooLarge,
    read_rows,
)
from ..domain import workflow as wf
from ..domain.errors import InvalidInput
from ..domain.glossary import RECEIVED_DATE
from ..domain.idcard import mask_id_number
from ..domain.person_identity import PersonChoice, PersonDetails, differences, shown_value
from ..domain.petition import Channel, FieldErrors, PetitionerInput, RegistrationInput
from ..domain.phones import mask_phone
from ..domain.text import clean_text
from ..file_replace import replace_file
from ..store.errors import as_user_error
from ..store.models import Case, CaseEvent, CaseParty, Person
from ..store.models_stats import LedgerImport
from .audit import audit
from .ledger_bulk import BulkRow, BulkWriter, LedgerCancelled
from .progress import CancelCheck, Progress, never, noop_progress
from .permissions import Actor, Permission, require
from .persons import details_of, place_label
from .queries import CaseFilter

MAX_ROWS = DEFAULT_LIMITS.rows
CHECK_STEP = 1000          # rows between looks at progress and cancel while checking
CHECK_SHARE = 0.4          # of an import's progress bar: the check; the rest is the writing
SUPPORTED = (".xlsx", ".xlsm", ".csv")


# -- fields of a ledger and the header names real ledgers use for them ------------------------------
@dataclass(frozen=True)
class LedgerField:
    key: str
    label: str
    names: tuple[str, ...]          # header names, most specific first
    required: bool = False


FIELDS: tuple[LedgerField, ...] = (
    LedgerField("name", "姓名", ("信访人姓名", "反映人姓名", "来访人姓名", "姓名", "信访人", "来访人", "上访人", "反映人",
                                   "当事人", "来信人", "来电人"), True),
    LedgerField("id_number", "身份证号", ("公民身份号码", "身份证号码", "身份证号", "身份证", "证件号码", "证件号")),
    LedgerField("phone", "联系电话", ("联系电话", "电话号码", "手机号码", "手机号", "手机", "联系方式", "电话")),
    LedgerField("address", "住址", ("家庭住址", "现住址", "居住地址", "住址", "地址")),
    LedgerField("township", "所属乡镇", ("所属乡镇", "乡镇街道", "乡镇（街道）", "乡镇", "街道", "属地")),
    LedgerField("received_at", RECEIVED_DATE, (RECEIVED_DATE, "信访日期", "来访日期", "来信日期", "来电日期", "接访日期", "登记日期",
                                           "收件日期", "受理日期", "收到时间", "信访时间", "来访时间", "来信时间", "登记时间",
                                           "日期", "时间"), True),
    LedgerField("channel", "信访形式", ("信访形式", "信访方式", "来访形式", "来访方式", "来信来访", "信访渠道",
                                       "方式", "渠道", "来源"), True),
    LedgerField("request", "反映问题", ("反映问题", "反映的主要问题", "主要问题", "主要诉求", "信访诉求", "信访请求",
                                       "反映内容", "信访事项", "诉求", "问题摘要", "内容摘要", "来访事由", "事由",
                                       "问题"), True),
    LedgerField("facts", "事实和理由", ("事实和理由", "基本情况", "简要情况", "事实")),
    LedgerField("category", "问题类别", ("问题类别", "问题类型", "问题分类", "问题性质", "信访类别", "事项类别",
                                       "所属类别", "类别", "分类"), True),
    LedgerField("people_count", "人数", ("来访人数", "信访人数", "人数")),
    LedgerField("concerned_unit", "被反映单位", ("被反映单位", "反映对象", "涉及单位", "责任单位")),
    LedgerField("closed_on", "办结日期", ("办结日期", "办结时间", "结案日期", "答复日期")),
    LedgerField("result", "办理结果", ("办理结果", "处理结果", "处理意见", "答复意见", "办理情况")),
)
# A row with a closing date was handled before the office used this program: it is imported as
# handled directly, replied and closed on that date, so it does not show as overdue. The outcome
# is read from the result text where it says so (不予支持 / 支持); otherwise 解释说明.
IMPORT_UNIT = "（台账导入）"
LEDGER_BASIS = "（原台账未记载依据）"      # stated as missing, never invented
FIELD_BY_KEY = {f.key: f for f in FIELDS}


@dataclass
class RawTable:
    file_name: str
    headers: list[str]
    rows: list[list[Any]]          # cell values as read (str, int, float, date, datetime, None)
    first_row_number: int = 2      # the sheet row of rows[0], for messages the clerk can find


Mapping = dict[int, str]           # column index -> field key


def _norm_header(text: Any) -> str:
    t = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊:：()（）\[\]【】/、\-_]", "", t)


def guess_mapping(headers: Sequence[Any]) -> Mapping:
    """Each field to the column whose header names it: exact names first, then a header that
    contains a name (the longest name wins); a column serves one field at most."""
    normed = [_norm_header(h) for h in headers]
    out: Mapping = {}
    taken: set[str] = set()
    for exact in (True, False):
        candidates: list[tuple[int, int, str]] = []
        for i, h in enumerate(normed):
            if not h or i in out:
                continue
            for f in FIELDS:
                if f.key in taken:
                    continue
                for rank, name in enumerate(f.names):
                    n = _norm_header(name)
                    if (h == n) if exact else (n in h):
                        candidates.append((-len(n), rank, f"{i}:{f.key}"))
                        break
        for _, _, pair in sorted(candidates):
            i_text, key = pair.split(":")
            i = int(i_text)
            if i in out or key in taken:
                continue
            out[i] = key
            taken.add(key)
    return out


def check_mapping(mapping: Mapping, headers: Sequence[Any]) -> None:
    keys = list(mapping.values())
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise InvalidInput("以下字段对应了多列，请每个字段只选一列：" + "、".join(FIELD_BY_KEY[k].label for k in dup),
                           field="mapping")
    unknown = [k for k in keys if k not in FIELD_BY_KEY]
    if unknown:
        raise InvalidInput(f"未知的字段：{'、'.join(unknown)}", field="mapping")
    bad = [i for i in mapping if not 0 <= i < len(headers)]
    if bad:
        raise InvalidInput("列的对应关系与文件不符，请重新打开文件", field="mapping")
    missing = [f.label for f in FIELDS if f.required and f.key not in keys]
    if missing:
        raise InvalidInput("台账中没有找到这些必填字段的列：" + "、".join(missing)
                           + "。请为含有这些内容的列指定对应的字段（窗口中在“导入为”一栏选择，命令行用 --map 列名=字段）。", field="mapping")


# -- reading files ----------------------------------------------------------------------------------
def read_table(path: Path | str, limits: SheetLimits = DEFAULT_LIMITS) -> RawTable:
    """The ledger's header and rows, read as a stream with the row and column limits checked as they are
    read (documents/sheet_reader.py): a file past a limit stops at once with a message naming it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InvalidInput(f"不支持的文件类型“{path.suffix}”：请另存为 .xlsx 或 .csv 后再导入", field="file")
    try:
        return _read_table(path, limits)
    except OSError as exc:
        raise as_user_error(exc, path.name) from None


def _read_table(path: Path, limits: SheetLimits) -> RawTable:
    rows = read_rows(path, limits)
    headers: list[str] | None = None
    start = 0
    for i, r in enumerate(rows):
        # The header is the first row with at least two non-empty cells (ledgers often start with a title).
        if sum(1 for c in r if _cell_text(c)) >= 2:
            headers, start = [_cell_text(c) for c in r], i
            break
        if i >= limits.header_search:
            break
    if headers is None:
        raise InvalidInput(f"{path.name} 中没有找到表头（第一行列名），请检查文件", field="file")
    body = []
    blank_tail = 0
    for r in rows:
        if len(body) >= limits.rows:
            raise SheetTooLarge(f"文件行数过多：一次最多导入 {limits.rows} 行，请把台账分成几个文件后再导入")
        r = list(r[:len(headers)]) + [None] * (len(headers) - len(r))
        body.append(r)
        blank_tail = blank_tail + 1 if not any(_cell_text(c) for c in r) else 0
    if blank_tail:
        del body[-blank_tail:]
    return RawTable(path.name, headers, body, first_row_number=start + 2)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- checking rows ----------------------------------------------------------------------------------
# Words of 来访形式 / 来信来访 columns beyond the channel names: the kind of visit (个访, 集体访) says
# it was a visit. A cell such as "走访（集体访）" is read part by part.
LEDGER_CHANNEL_WORDS = {
    Channel.VISIT: ("个访", "个体访", "集体访", "群体访", "群访", "联名访", "到访", "来访（个访）"),
    Channel.LETTER: ("信函", "联名信", "来信件"),
    Channel.PHONE: ("热线", "电话反映", "来电反映"),
    Channel.ONLINE: ("网上投诉", "网络信访", "信访信息系统", "电子邮件", "网上来信"),
}


def ledger_channel(text: str) -> Channel:
    """The channel a ledger cell names: 走访/来访/个访/集体访, 来信/信件, 来电/电话, 传真, 网上/网信."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if not cleaned:
        raise InvalidInput("信访形式为空", field="channel")
    for part in [cleaned, *re.split(r"[()（）/、,，\s]+", cleaned)]:
        if not part:
            continue
        try:
            return Channel.parse(part)
        except InvalidInput:
            found = next((ch for ch, words in LEDGER_CHANNEL_WORDS.items() if part in words), None)
            if found is not None:
                return found
    raise InvalidInput(f"信访形式“{cleaned}”无法识别，应为走访（来访、个访、集体访）、来信、来电、传真或网上",
                       field="channel")


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?)?"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_ledger_date(value: Any) -> datetime:
    """A date as ledgers write it: a real date cell, 2023-05-06, 2023/5/6, 2023.5.6, 2023年5月6日, 20230506."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, (int, float)) and 20000 < value < 80000:
        return datetime(1899, 12, 30) + timedelta(days=float(value))     # an Excel serial day in a CSV
    text = unicodedata.normalize("NFKC", _cell_text(value))
    if not text:
        raise InvalidInput("收到日期为空", field="received_at")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = [int(g) if g else 0 for g in m.groups()] + [0] * (6 - len(m.groups()))
            try:
                return datetime(*parts[:6])
            except ValueError:
                raise InvalidInput(f"收到日期“{text}”不存在（如2月30日），请核对", field="received_at") from None
    raise InvalidInput(f"收到日期“{text}”无法识别，应写作2023-05-06或2023年5月6日", field="received_at")


# What the import does with a row whose ID number is registered with another name.
KEEP, SEPARATE = "keep", "separate"
PERSON_CONFLICT_POLICIES = {KEEP: "不导入（已登记的信访人不作修改），列入“未导入”文件",
                            SEPARATE: "按另一人导入（另行登记，不登记该身份证号码）"}


@dataclass
class RowCheck:
    row_number: int                 # as the clerk sees it in the spreadsheet
    values: dict[str, str]          # field key -> the cell text
    status: str                     # ok / duplicate / rejected / conflict (ID number registered with another name)
    problems: list[str] = field(default_factory=list)
    registration: RegistrationInput | None = None
    fingerprint: str = ""
    closed_on: datetime | None = None
    result: str | None = None
    person: str | None = None       # an ok row: "separate" (another person) or "kept" (registered details kept)
    note: str = ""                  # what the import does with the row's person, for the clerk

    @property
    def summary(self) -> str:
        return "；".join(self.problems)


@dataclass
class ImportPlan:
    file_name: str
    headers: list[str]
    mapping: Mapping
    rows: list[RowCheck]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def count_person(self, what: str) -> int:
        """Rows to import whose person is registered apart ("separate") or kept as registered ("kept")."""
        return sum(1 for r in self.rows if r.status == "ok" and r.person == what)

    @property
    def valid(self) -> list[RowCheck]:
        return [r for r in self.rows if r.status == "ok"]


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int
    rejected: int
    rejects_file: Path | None
    case_numbers: tuple[str, ...]
    plan: ImportPlan
    conflicts: int = 0              # held back: ID number registered with another name
    separated: int = 0              # imported as persons of their own, without the ID number
    kept: int = 0                   # imported for the registered person, whose other details were kept


# -- export -----------------------------------------------------------------------------------------
LEDGER_HEADERS = ["序号", "事项编号", RECEIVED_DATE, "信访形式", "信访人", "身份证号码", "联系电话", "住址", "所属乡镇",
                  "人数", "集体访", "初重件", "问题类别", "反映问题", "被反映单位", "办理途径", "承办单位", "状态",
                  "办理期限", "答复日期", "处理结果", "满意度", "办结日期"]
LEDGER_TEXT_COLUMNS = frozenset({1, 5, 6})


class LedgerService:
    def __init__(self, services):
        self.services = services
        self.db = services.db
        self._own_township: str | None = None

    # -- export ------------------------------------------------------------------------------------
    def export_rows(self, actor: Actor, f: CaseFilter = CaseFilter(), *, redacted: bool = True) -> list[list[Any]]:
        require(actor, Permission.VIEW)
        if not redacted:
            require(actor, Permission.REVEAL_PERSONAL)
        where = self.services.queries._where(f)        # the case list's own filter, not a copy of it
        q = Case.select().order_by(Case.received_at, Case.sid)
        if where is not None:
            q = q.where(where)
        cases = list(q)
        ids = [c.id for c in cases]
        first_party: dict[str, Person] = {}
        events: dict[str, list[CaseEvent]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for cp in (CaseParty.select(CaseParty, Person).join(Person)
                       .where(CaseParty.case.in_(chunk)).order_by(CaseParty.position)):
                first_party.setdefault(cp.case_id, cp.person)
            for e in (CaseEvent.select(CaseEvent.case, CaseEvent.kind, CaseEvent.occurred_at, CaseEvent.data)
                      .where(CaseEvent.case.in_(chunk) & CaseEvent.kind.in_(["routed", "replied", "followed_up",
                                                                              "closed"]))
                      .order_by(CaseEvent.occurred_at)):
                events.setdefault(e.case_id, []).append(e)
        cats, divs = self.services.categories, self.services.divisions
        out: list[list[Any]] = []
        for n, c in enumerate(cases, 1):
            p = first_party.get(c.id)
            route = unit = reply_day = outcome = rating = closed = None
            for e in events.get(c.id, []):
                d = e.data or {}
                if e.kind == "routed":
                    route, unit = wf.Route(d["route"]).label, d.get("unit")
                elif e.kind == "replied":
                    reply_day, outcome = e.occurred_at.date(), _outcome_label(d.get("outcome"))
                elif e.kind == "followed_up" and d.get("rating"):
                    rating = wf.Rating(d["rating"]).label
                elif e.kind == "closed":
                    closed = e.occurred_at.date()
            id_number = p.id_number if p else None
            phone = p.phone if p else None
            if redacted:
                id_number = mask_id_number(id_number) if id_number else None
                phone = mask_phone(phone) if phone else None
            town = c.township_code
            out.append([
                n, c.number, c.received_at, Channel(c.channel).label, c.parties_label, id_number, phone,
                p.address if p else None, divs.get(town).name if town and town in divs else town, c.people_count,
                bool(c.is_group), "重件" if c.repeat_of else "初件", cats.label(c.category_code), c.request,
                c.concerned_unit, route, unit, wf.Status(c.status).label, c.next_due, reply_day, outcome, rating,
                closed if c.status == wf.Status.CLOSED.value else None,
            ])
        with self.db.atomic():
            audit(actor, "ledger.export", None, {"rows": len(out), "redacted": redacted}, at=self.services.clock.now())
        return out

    def export_xlsx(self, actor: Actor, f: CaseFilter = CaseFilter(), *, redacted: bool = True) -> bytes:
        from ..documents.xlsx import Sheet, write_workbook

        rows = self.export_rows(actor, f, redacted=redacted)
        title = "信访事项台账" + ("（已脱敏）" if redacted else "")
        return write_workbook([Sheet(title, LEDGER_HEADERS, rows, text_columns=LEDGER_TEXT_COLUMNS,
                                     widths={13: 40})])

    # -- import ------------------------------------------------------------------------------------
    def dry_run(self, actor: Actor, table: RawTable, mapping: Mapping | None = None, *,
                person_conflicts: str = KEEP, progress: Progress = noop_progress,
                cancelled: CancelCheck = never) -> ImportPlan:
        """Check every row; write nothing. `person_conflicts`: KEEP or SEPARATE (see the module)."""
        require(actor, Permission.REGISTER)
        if person_conflicts not in PERSON_CONFLICT_POLICIES:
            raise InvalidInput(f"身份证号码与姓名不一致的行的处理方式无效：{person_conflicts}，应为 keep 或 separate",
                               field="person_conflicts")
        mapping = guess_mapping(table.headers) if mapping is None else dict(mapping)
        check_mapping(mapping, table.headers)
        if "closed_on" in mapping.values():
            # Closed rows are imported with their reply and closing: the importer must be allowed both.
            require(actor, Permission.REPLY)
            require(actor, Permission.CLOSE)
        unit = self.services.auth.unit()
        self._own_township = unit.code if unit.kind == "township" else None
        known = self._known_fingerprints()
        seen: dict[str, int] = {}
        out = []
        total = len(table.rows)
        for offset, row in enumerate(table.rows):
            if offset % CHECK_STEP == 0 and offset:
                if cancelled():
                    raise LedgerCancelled("已取消检查，未写入任何数据。")
                progress(offset / total, f"正在检查：{offset}/{total}行")
            number = table.first_row_number + offset
            values = {key: _cell_text(row[i]) for i, key in mapping.items()}
            if not any(values.values()):
                continue                                   # a blank line inside the table
            check = self._check_row(number, row, mapping, values)
            if check.status == "ok":
                if check.fingerprint in known:
                    check.status = "duplicate"
                    check.problems = ["已经导入过（同一信访人、日期、信访形式、类别和诉求）"]
                elif check.fingerprint in seen:
                    check.status = "duplicate"
                    check.problems = [f"与第{seen[check.fingerprint]}行重复"]
                else:
                    seen[check.fingerprint] = number
            out.append(check)
        self._check_people(actor, out, person_conflicts)
        progress(1.0, f"已检查{total}行")
        return ImportPlan(table.file_name, table.headers, mapping, out)

    def _check_people(self, actor: Actor, rows: list[RowCheck], policy: str) -> None:
        """The person rule of registration (services/persons.py) over the rows in order: each ID
        number against this unit's registered person, or the first row that gave it."""
        wanted = sorted({r.registration.petitioners[0].id_number for r in rows
                         if r.status == "ok" and r.registration and r.registration.petitioners[0].id_number})
        known: dict[str, tuple[PersonDetails, str]] = {}      # ID number -> (details now, where they come from)
        for i in range(0, len(wanted), 500):
            for p in (Person.select().where(Person.id_number.in_(wanted[i:i + 500])
                                            & (Person.unit_code == actor.unit_code)).order_by(SQL("rowid"))):
                known.setdefault(p.id_number, (details_of(p), "已登记为"))
        for r in rows:
            if r.status != "ok" or r.registration is None:
                continue
            p = r.registration.petitioners[0]
            if not p.id_number:
                continue
            if p.id_number not in known:
                known[p.id_number] = (details_of(p), f"第{r.row_number}行为")
                continue
            current, where = known[p.id_number]
            diffs = differences(current, details_of(p))
            conflicts = [d for d in diffs if d.is_conflict]
            masked = mask_id_number(p.id_number)
            if any(d.field == "name" for d in conflicts):
                said = f"身份证号码 {masked} {where}“{current.name}”，本行姓名为“{p.name}”"
                if policy == SEPARATE:
                    r.registration = replace(r.registration, petitioners=[replace(p, on_conflict=PersonChoice.SEPARATE)])
                    r.person, r.note = "separate", f"{said}：按另一人导入（另行登记，不登记该身份证号码）"
                else:
                    r.status = "conflict"
                    r.problems = [f"{said}：未导入，已登记的信访人未作修改。请核实：是同一人的，改正本行姓名后再导入；"
                                  "不是同一人的，可选择按另一人导入（另行登记，不登记该身份证号码）"]
                continue
            if conflicts:
                r.registration = replace(r.registration, petitioners=[replace(p, on_conflict=PersonChoice.USE)])
                kept = "；".join(f"{d.label}{'（已登记' if where == '已登记为' else '（' + where[:-1]}："
                                f"{shown_value(d.field, d.registered, self._place)}，本行：{shown_value(d.field, d.given, self._place)}）"
                                for d in conflicts)
                r.person, r.note = "kept", f"与{current.name}的登记信息不同，保留已登记的信息，本行的不保存：{kept}"
                continue
            if diffs:
                known[p.id_number] = (replace(current, **{d.field: d.given for d in diffs}), where)

    def _place(self, code: str) -> str:
        return place_label(self.services.divisions, code)

    def run_import(self, actor: Actor, table: RawTable, mapping: Mapping | None = None, *,
                   rejects_path: Path | None = None, person_conflicts: str = KEEP,
                   progress: Progress = noop_progress, cancelled: CancelCheck = never) -> ImportResult:
        """Write every valid row in one transaction; write the rejected ones to `rejects_path`.

        The rows are checked again here (the database may have changed since the clerk's dry run),
        then written in bulk with the records registration and the workflow actions would write.
        One audit entry records the import with its counts (not one per case)."""
        plan = self.dry_run(actor, table, mapping, person_conflicts=person_conflicts,
                            progress=lambda f, t: progress(f * CHECK_SHARE, t), cancelled=cancelled)
        now = self.services.clock.now()
        with self.db.atomic():
            # Rows another import wrote since the check (another window, the command line) are
            # skipped as already present rather than failing the whole import on their fingerprint.
            known = self._known_fingerprints()
            for r in plan.valid:
                if r.fingerprint in known:
                    r.status, r.problems = "duplicate", ["已经导入过（同一信访人、日期、信访形式、类别和诉求）"]
            valid = plan.valid
            rows = [BulkRow(r.row_number, r.fingerprint, r.registration, closing_actions(r)) for r in valid
                    if r.registration is not None]
            held = plan.count("rejected") + plan.count("conflict")
            batch = LedgerImport.create(unit_code=actor.unit_code, file_name=table.file_name, imported_at=now,
                                        actor=actor.name, imported=len(valid), skipped=plan.count("duplicate"),
                                        rejected=held)
            writer = BulkWriter(self.services, actor, batch.id, now)
            numbers = writer.write(rows, progress=lambda f, t: progress(CHECK_SHARE + f * (1 - CHECK_SHARE), t),
                                   cancelled=cancelled)
            audit(actor, "ledger.import", batch.id, {
                "file": table.file_name, "imported": len(valid), "skipped": plan.count("duplicate"),
                "rejected": plan.count("rejected"), "closed": sum(1 for r in rows if r.actions),
                "person_conflicts": plan.count("conflict"), "separated": plan.count_person("separate"),
                "kept": plan.count_person("kept"),
                "first": numbers[0] if numbers else None, "last": numbers[-1] if numbers else None}, at=now)
        written = None
        rejected = [r for r in plan.rows if r.status == "rejected"]
        if (rejected or plan.count("conflict")) and rejects_path is not None:
            written = write_rejects(rejects_path, table, plan)
        return ImportResult(len(valid), plan.count("duplicate"), len(rejected), written, tuple(numbers), plan,
                            conflicts=plan.count("conflict"), separated=plan.count_person("separate"),
                            kept=plan.count_person("kept"))

    def _known_fingerprints(self) -> set[str]:
        return {r[0] for r in self.db.execute_sql("SELECT fingerprint FROM ledger_row_fingerprint").fetchall()}

    def _check_row(self, number: int, raw: list[Any], mapping: Mapping, values: dict[str, str]) -> RowCheck:
        problems: list[str] = []
        svc = self.services

        def get(key: str) -> str:
            return values.get(key, "")

        received = None
        col = next((i for i, k in mapping.items() if k == "received_at"), None)
        try:
            received = parse_ledger_date(raw[col] if col is not None else None)
        except InvalidInput as exc:
            problems.append(exc.message)
        channel = ""
        try:
            channel = ledger_channel(get("channel")).value
        except InvalidInput as exc:
            problems.append(exc.message)
        category = self._category(get("category"))
        if category is None:
            problems.append(f"问题类别“{get('category')}”不在分类表中，请改为分类表中的名称或代码" if get("category")
                            else "问题类别为空")
        township = None
        if get("township"):
            township = self._township(get("township"))
            if township is None:
                problems.append(f"乡镇“{get('township')}”不在区划表中，请核对名称")
        elif self._own_township is not None:
            township = self._own_township              # a township's own ledger: its own matters
        people = None
        if get("people_count"):
            try:
                people = int(float(get("people_count")))
            except ValueError:
                problems.append(f"人数“{get('people_count')}”不是数字")
        reg = RegistrationInput(
            channel=channel or get("channel"), received_at=received or datetime(1900, 1, 1),
            petitioners=[PetitionerInput(name=get("name"), id_number=get("id_number") or None,
                                         phone=get("phone") or None, address=get("address") or None,
                                         township_code=township)],
            category_code=category or "", request=get("request"), facts=get("facts") or None,
            people_count=people, concerned_unit=get("concerned_unit") or None)
        # Faults already named above (date, channel, category) are not repeated in other words.
        skip = {k for k, bad in (("received_at", received is None), ("channel", not channel),
                                 ("category_code", category is None)) if bad}
        try:
            reg = svc.cases.validate(reg, suggest=False)   # a ledger does not say the kind of matter
        except FieldErrors as exc:
            problems += [message for key, message in exc.errors.items() if key not in skip]
        except InvalidInput as exc:
            problems.append(exc.message)
        closed_on = result = None
        if get("closed_on"):
            col = next(i for i, k in mapping.items() if k == "closed_on")
            try:
                closed_on = parse_ledger_date(raw[col])
            except InvalidInput as exc:
                problems.append(exc.message.replace("收到日期", "办结日期"))
            else:
                if received is not None and closed_on.date() < received.date():
                    problems.append(f"办结日期（{closed_on:%Y-%m-%d}）早于收到日期（{received:%Y-%m-%d}），请核对")
                elif closed_on > svc.clock.now():
                    problems.append(f"办结日期（{closed_on:%Y-%m-%d}）晚于今天，请核对")
        if get("result"):
            try:
                result = clean_text(get("result"), label="办理结果", field="result", limit=5000)
            except InvalidInput as exc:
                problems.append(exc.message)
        if problems:
            fp = _fingerprint(["rejected", *(values.get(f.key, "") for f in FIELDS)])
            return RowCheck(number, values, "rejected", problems, None, fp)
        p = reg.petitioners[0]
        fp = _fingerprint([p.name, p.id_number or "", p.phone or "", f"{reg.received_at:%Y-%m-%d %H:%M}",
                           reg.channel, reg.category_code, reg.request, str(reg.people_count)])
        return RowCheck(number, values, "ok", [], reg, fp, closed_on, result)

    def _category(self, text: str) -> str | None:
        cats = self.services.categories
        text = unicodedata.normalize("NFKC", text or "").strip()
        if not text:
            return None
        if text in cats:
            return text
        # "劳动和社会保障/拖欠工资", "劳动和社会保障-欠薪": the last part names the category
        for part in reversed(re.split(r"[/／>＞\-—]", text)):
            c = cats.by_name_or_short(part.strip()) or cats.by_name_or_short(
                unicodedata.normalize("NFKC", part.strip()).replace("(", "（").replace(")", "）"))
            if c is not None:
                return c.code
        return None

    def _township(self, text: str) -> str | None:
        divs = self.services.divisions
        text = text.strip()
        if text in divs:
            return text
        for d in divs.townships():
            if text in (d.name, d.name.rstrip("镇乡街道"), d.name[:-2] if d.name.endswith("街道") else None):
                return d.code
        return None


def _outcome_label(value: str | None) -> str | None:
    for enum in (wf.Outcome, wf.Answer):
        try:
            return enum(value).label
        except ValueError:
            continue
    return None


def closing_actions(row: RowCheck) -> tuple[tuple[wf.EventKind, dict[str, Any], datetime], ...]:
    """A row with a closing date is routed (handled directly), replied and closed on that date,
    through the workflow's own actions (same rules as the case view); none for an open row."""
    reg = row.registration
    if reg is None or row.closed_on is None:
        return ()
    text = row.result or "（台账导入）原台账记载已办结"
    outcome = "rejected" if "不予支持" in text else "supported" if "支持" in text else "explained"
    done = max(row.closed_on, reg.received_at + timedelta(minutes=2))
    return ((wf.EventKind.ROUTED, {"route": "direct", "unit": IMPORT_UNIT}, reg.received_at),
            (wf.EventKind.REPLIED, {"outcome": outcome, "text": text, "basis": LEDGER_BASIS}, done),
            (wf.EventKind.CLOSED, {"summary": "台账导入：原台账记载已办结"}, done))


def _fingerprint(parts: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def write_rejects(path: Path, table: RawTable, plan: ImportPlan) -> Path:
    """The rejected rows as they were, with a first column saying what is wrong; .csv or .xlsx by the name."""
    rows_by_number = {table.first_row_number + i: r for i, r in enumerate(table.rows)}
    headers = ["原行号", "问题", *table.headers]
    out = [[r.row_number, r.summary, *rows_by_number[r.row_number]] for r in plan.rows
           if r.status in ("rejected", "conflict")]
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        _write_rejects_part(tmp, path, headers, out)
        replace_file(tmp, path)   # the last run's file may still be open in Excel or WPS
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _write_rejects_part(tmp: Path, path: Path, headers: list, out: list) -> None:
    if path.suffix.lower() == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(headers)
        from ..documents.xlsx import neutralise
        for r in out:
            w.writerow([neutralise(_cell_text(v)) if isinstance(v, str) else _cell_text(v) for v in r])
        tmp.write_bytes(buf.getvalue().encode("utf-8-sig"))
    else:
        from ..documents.xlsx import Sheet, write_workbook
        tmp.write_bytes(write_workbook([Sheet("未导入的行", headers, out, widths={1: 50})]))


def rejects_path_for(source: Path) -> Path:
    source = Path(source)
    suffix = ".csv" if source.suffix.lower() == ".csv" else ".xlsx"
    return source.with_name(f"{source.stem}.未导入{suffix}")

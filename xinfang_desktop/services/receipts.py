"""Verifiable receipts (issue 17): the registering unit signs a statement of each registration when its
受理（接收）告知书 is produced; any office that knows the unit's key verifies what a petitioner brings.

Signing needs the unit's private signing key, which stays encrypted under the key passphrase (the login
password does not open it): the window unlocks it once per session (the 同步 page's unlock counts too)
and hands it here with :meth:`ReceiptService.remember`; the command line unlocks it from
XINFANG_PASSPHRASE. Without it the receipt is printed as before, with the QR code of the case number and
query code only; the first print with the key signs, and the statement keeps the registration's dates.

Verification needs only public keys: this unit's own, and every enrolled peer's, with the periods they
were in use (services/key_history.py). A genuine receipt verified at the city whose case has not arrived
through sync within the township's usual interval is listed on the city's workbench.
"""

from __future__ import annotations

import hashlib
import logging
import statistics
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from peewee import JOIN

from ..domain.errors import NotAllowed
from ..domain.receipt_statement import (
    LegacyCode,
    ReceiptCodeError,
    ReceiptStatement,
    SignedReceipt,
    content_digest,
    parse_receipt_text,
    why_not_encodable,
)
from ..store.models import Case
from ..store.models_receipts import OWN, REVOKED, ReceiptCheck, ReceiptStatementRow
from ..store.models_sync import SyncInbox, SyncPeer
from ..sync.keys import UnlockedKeys
from ..sync.receipt_sign import public_hex, public_key_from_hex, sign_statement, signature_valid
from . import key_history
from .audit import audit
from .permissions import Actor, Permission, require
from .workbench import SectionResult, SectionSpec, WorkbenchItem, register_section

log = logging.getLogger(__name__)

# Reasons (stable, for programs); the Chinese message says the same for people.
OK = "ok"
UNSIGNED = "unsigned"                 # an older receipt's QR: case number and query code, no signature
UNKNOWN_UNIT = "unknown_unit"
UNKNOWN_KEY = "unknown_key"
SIGNATURE_INVALID = "signature_invalid"
KEY_REVOKED = "key_revoked"           # signed by a key revoked before the statement's date
KEY_REPLACED = "key_replaced"         # signed by a key the unit had replaced before the statement's date
# ... and from the text itself: "empty", "malformed", "altered" (domain.receipt_statement.ReceiptCodeError)

# Where the case stands in this database.
HELD_OWN = "registered_here"          # this unit registered it
HELD_SYNCED = "received_through_sync"
NOT_REPORTED = "not_reported"         # genuine, from another unit, not (yet) arrived here
MISSING = "missing"                   # signed by this unit, yet not in its database

DEFAULT_INTERVAL_DAYS = 7             # a township's usual sync interval before it has sent two bundles


@dataclass(frozen=True)
class Verification:
    """What a verification found. ``valid`` only for a genuine signed statement."""

    valid: bool
    reason: str
    message: str                      # Chinese: genuine or not, why, and what to do
    unit: str | None = None
    unit_name: str | None = None
    number: str | None = None
    query_code: str | None = None
    received: date | None = None
    entered: datetime | None = None
    people: int | None = None
    known_here: bool = False
    held: str | None = None           # registered_here / received_through_sync / not_reported / missing
    days_since_receipt: int | None = None
    days_since_last_bundle: int | None = None
    last_bundle_at: datetime | None = None
    record_matches: bool | None = None        # the case held here agrees with the statement
    discrepancies: list[str] = field(default_factory=list)
    content_matches: bool | None = None       # the names and request typed from the paper match the digest
    key_note: str | None = None               # the key was replaced or revoked after the statement's date
    lines: list[str] = field(default_factory=list)   # the whole answer, line by line, for the window and the CLI

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid, "reason": self.reason, "unit": self.unit, "number": self.number,
            "received": self.received.isoformat() if self.received else None, "known_here": self.known_here,
            "message": self.message, "unit_name": self.unit_name, "query_code": self.query_code,
            "entered": self.entered.isoformat(sep=" ") if self.entered else None, "people": self.people,
            "held": self.held, "days_since_receipt": self.days_since_receipt,
            "days_since_last_bundle": self.days_since_last_bundle,
            "last_bundle_at": self.last_bundle_at.isoformat(sep=" ", timespec="seconds") if self.last_bundle_at
            else None,
            "record_matches": self.record_matches, "discrepancies": self.discrepancies,
            "content_matches": self.content_matches, "key_note": self.key_note, "lines": self.lines,
        }


@dataclass(frozen=True)
class UnreportedReceipt:
    unit: str
    unit_name: str
    number: str
    received: date
    entered_at: datetime
    people: int
    first_checked_at: datetime
    days_waiting: int                  # since the registration was entered at the township
    interval_days: int                 # the township's usual sync interval
    last_bundle_at: datetime | None


def _fmt(d: date | datetime | None) -> str:
    if d is None:
        return ""
    if isinstance(d, datetime):
        return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"
    return f"{d.year}年{d.month}月{d.day}日"


def case_names(case: Case) -> list[str]:
    """The petitioners' names as the receipt prints them (every party of the case)."""
    # Plain SQL on the paths that must stay within a few milliseconds (building peewee queries costs more).
    rows = Case._meta.database.execute_sql(
        "SELECT p.name FROM case_party cp JOIN person p ON p.id = cp.person_id WHERE cp.case_id = ? "
        "ORDER BY cp.position", (case.id,)).fetchall()
    return [r[0] for r in rows]


class ReceiptService:
    def __init__(self, services):
        self.services = services
        self._own: str | None = None
        self._signer: UnlockedKeys | None = None
        self.declined = False          # the window's clerk chose to print without the key in this run

    @property
    def own(self) -> str:
        """This unit's code (read once: it never changes for a data folder)."""
        if self._own is None:
            self._own = self.services.unit_code
        return self._own

    def _sql(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.services.db.execute_sql(sql, params).fetchall()

    def _stored_text(self, case_id: str) -> str | None:
        rows = self._sql("SELECT text FROM receipt_statement WHERE case_id = ?", (case_id,))
        return rows[0][0] if rows else None

    # -- the signing key of this session ---------------------------------------------------------
    def remember(self, keys: UnlockedKeys) -> None:
        """Keys unlocked in this session (by the 同步 page or a receipt's prompt); kept in memory only."""
        self._signer = keys if keys.unit_code == self.own else None
        self.declined = False

    def forget(self) -> None:
        self._signer = None

    def can_sign(self) -> bool:
        return self._signer is not None

    def has_keys(self) -> bool:
        from .sync.identity import Identity

        return self.services.get(Identity).has_keys()

    def unlock(self, passphrase: str) -> None:
        """Unlock this unit's keys with the passphrase (slow: scrypt) and keep them for the session."""
        from .sync.identity import Identity

        self.remember(self.services.get(Identity).unlock(passphrase).current)

    def needs_key(self, case_ref: str) -> bool:
        """Printing this case's receipt would sign it if the key were unlocked: no statement yet, a case of
        this unit that fits a statement, keys set up here, and none unlocked in this session."""
        from .cases import find_case

        if self._signer is not None or not self.has_keys():
            return False
        case = find_case(case_ref)
        if case.unit_code != self.own or self._stored_text(case.id) is not None:
            return False
        return self._why_not(case) is None

    def _why_not(self, case: Case) -> str | None:
        return why_not_encodable(case.unit_code, case.number, case.query_code, case.received_at.date(),
                                 case.created_at.replace(microsecond=0), case.people_count)

    # -- signing ------------------------------------------------------------------------------------
    def statement_text(self, actor: Actor, case: Case) -> str | None:
        """The signed text printed on this case's receipt: the stored one, else a new one when this unit
        registered the case and its key is unlocked (stored, so every reprint carries the same), else None.
        Call inside the print's write transaction."""
        stored = self._stored_text(case.id)
        if stored is not None:
            return stored
        if case.unit_code != self.own or self._signer is None:
            return None
        problem = self._why_not(case)
        if problem is not None:
            log.info("receipt of %s printed without a statement: %s", case.number, problem)
            return None
        signer = self._signer
        now = self.services.clock.now()
        with self.services.db.atomic():
            self._check_signer(signer, now)
            signed = sign_statement(
                signer.signing_key, unit_code=case.unit_code, case_number=case.number, query_code=case.query_code,
                received=case.received_at.date(), entered=case.created_at, people=case.people_count,
                names=case_names(case), request=case.request)
            text = signed.text()
            self.services.db.execute_sql(
                "INSERT INTO receipt_statement (case_id, unit_code, case_number, text, key_fingerprint, created_at, "
                "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (case.id, case.unit_code, case.number, text, signer.public().signing_fingerprint,
                 ReceiptStatementRow.created_at.db_value(now), actor.name))
            audit(actor, "receipt.sign", case.id, {"number": case.number, "key": signer.key_id}, at=now)
        return text

    def attach(self, actor: Actor, case: Case, details):
        """The receipt's details with the signed text (``verification``) when there is one."""
        text = self.statement_text(actor, case)
        return replace(details, verification=text) if text else details

    def _check_signer(self, signer: UnlockedKeys, now: datetime) -> None:
        """The unlocked key must be this unit's key in use: never sign with a key replaced since."""
        own = self.own
        key_hex = public_hex(signer.signing_key.public_key())
        rows = self._sql("SELECT signing_public_key, valid_to FROM signing_key_history WHERE unit_code = ?", (own,))
        if not rows:
            key_history.record_key(own, key_hex, at=now, source=OWN)      # keys made before history was kept
            return
        if not any(k == key_hex and valid_to is None for k, valid_to in rows):
            self._signer = None
            raise NotAllowed("本机在用的签名密钥已经更换，之前解锁的旧密钥不能再签发告知书。"
                             "请重新打印，并在提示时输入新的密钥口令。")

    def statement_of(self, case_ref: str) -> str | None:
        from .cases import find_case

        return self._stored_text(find_case(case_ref).id)

    # -- verifying ----------------------------------------------------------------------------------
    def verify(self, actor: Actor, text: str, *, names: str | None = None,
               request: str | None = None) -> Verification:
        """Verify what a petitioner brings (scanned or typed). Writes the audit entry and, at the city, the
        record of a genuine receipt of another unit (for the workbench)."""
        require(actor, Permission.VIEW)
        now = self.services.clock.now()
        with self.services.db.atomic():
            result, statement = self._verify(text, names, request, now)
            if result.valid and result.unit != self.own:
                self._record_check(actor, statement, now)
            audit(actor, "receipt.verify", result.number,
                  {"valid": result.valid, "reason": result.reason, "unit": result.unit,
                   "known_here": result.known_here}, at=now)
        return result

    def _verify(self, text: str, names: str | None, request: str | None,
                now: datetime) -> tuple[Verification, ReceiptStatement | None]:
        try:
            parsed = parse_receipt_text(text)
        except ReceiptCodeError as exc:
            lead = "核验未通过" if exc.reason == "altered" else "不能核验"
            return Verification(False, exc.reason, exc.message, lines=[f"{lead}：{exc.message}"]), None
        if isinstance(parsed, LegacyCode):
            return self._legacy(parsed), None
        return self._verify_signed(parsed, names, request, now), parsed.statement

    def _verify_signed(self, parsed: SignedReceipt, names: str | None, request: str | None,
                       now: datetime) -> Verification:
        st = parsed.statement
        unit_name = self._unit_name(st.unit_code)
        base = dict(unit=st.unit_code, unit_name=unit_name, number=st.case_number, query_code=st.query_code,
                    received=st.received, entered=st.entered, people=st.people)

        def refused(reason: str, message: str) -> Verification:
            lines = [f"不是真实有效的告知书：{message}", *self._facts(st, unit_name, claimed=True)]
            return Verification(False, reason, message, lines=lines, **base)

        rows = self._history(st.unit_code)
        if not rows:
            return refused(UNKNOWN_UNIT, f"签发单位{unit_name}（代码 {st.unit_code}）的密钥没有在本机登记，无法核验。"
                           "请先在“同步”页用该单位的登记文件和纸质登记表登记它，或把告知书交其上级信访部门核验。")
        tag = st.key_tag.hex().upper()
        candidates = [r for r in rows if r.key_tag == tag]
        if not candidates:
            return refused(UNKNOWN_KEY, f"本机没有{unit_name}签发这份告知书所用的密钥：该单位可能更换了密钥，而轮换记录"
                           "还没有随同步包送到本机。请先导入该单位最新的同步包再核验；仍然不认识的，这份告知书不可信。")
        good = [r for r in candidates if signature_valid(parsed, public_key_from_hex(r.signing_public_key))]
        if not good:
            return refused(SIGNATURE_INVALID, f"签名无效：核验码的格式正确，但不是{unit_name}的密钥签发的，"
                           "这份告知书可能是伪造的。请与签发单位核实。")
        in_force = [r for r in good if r.valid_to is None or st.entered <= r.valid_to]
        if not in_force:
            ended = max(good, key=lambda r: r.valid_to)
            if any(r.ended == REVOKED for r in good):
                return refused(KEY_REVOKED, f"签发所用的密钥已于{_fmt(ended.valid_to)}被吊销，而告知书写明的登记时间"
                               f"（{_fmt(st.entered)}）在吊销之后，不予认可。请与签发单位及其上级核实。")
            return refused(KEY_REPLACED, f"签发所用的密钥已于{_fmt(ended.valid_to)}更换为新密钥，而告知书写明的登记时间"
                           f"（{_fmt(st.entered)}）在更换之后却仍用旧密钥签发，不予认可。请与签发单位核实。")
        key_note = None
        if all(r.valid_to is not None for r in in_force):
            last = max(in_force, key=lambda r: r.valid_to)
            word = "被吊销" if last.ended == REVOKED else "更换"
            key_note = (f"签发所用的密钥已于{_fmt(last.valid_to)}{word}；这份告知书的登记时间在此之前，签名仍然有效。")
        message = f"真实有效：这份告知书由{unit_name}签发，签名有效，核验码未被改动。"
        lines = [message, *self._facts(st, unit_name)]
        if key_note:
            lines.append(key_note)
        held = self._holding(st, unit_name, now)
        lines += held.pop("lines")
        content = None
        if (names or "").strip() or (request or "").strip():
            content = st.matches_content(names or "", request or "")
            lines.append("核对姓名和请求：与告知书签发时的内容一致。" if content else
                         "核对姓名和请求：与告知书签发时的内容不一致。请逐字核对告知书上的全部信访人姓名和请求内容"
                         "（标点、空格不计）；仍不一致的，说明告知书上的文字被改动过。")
        return Verification(True, OK, message, known_here=held.pop("known_here"), content_matches=content,
                            key_note=key_note, lines=lines, **held, **base)

    def _facts(self, st: ReceiptStatement, unit_name: str, *, claimed: bool = False) -> list[str]:
        lead = "告知书上声称：" if claimed else ""
        return [f"{lead}签发单位：{unit_name}（{st.unit_code}）",
                f"事项编号：{st.case_number}　查询码：{st.query_code}",
                f"收到日期：{_fmt(st.received)}　登记时间：{_fmt(st.entered)}　信访人数：{st.people}人"]

    def _holding(self, st: ReceiptStatement, unit_name: str, now: datetime) -> dict:
        today = now.date()
        case = self._case(st.case_number)
        out: dict[str, Any] = {"days_since_receipt": (today - st.received).days}
        own = self.own
        if case is not None and case.unit_code == st.unit_code:
            differences = self._differences(case, st)
            out.update(known_here=True, held=HELD_OWN if case.unit_code == own else HELD_SYNCED,
                       record_matches=not differences, discrepancies=differences)
            where = "本单位登记的事项" if case.unit_code == own else "已随同步包报送到本机"
            lines = [f"本库中有这件事项（{where}）。"]
            lines += (["本库中的登记内容与告知书一致（登记日期、人数、查询码、信访人姓名和请求）。"] if not differences else
                      ["本库中的登记内容与告知书不一致，请核查是否被改动：", *[f"　{d}" for d in differences]])
            out["lines"] = lines
            return out
        if st.unit_code == own:
            out.update(known_here=False, held=MISSING, lines=[
                "本单位签发了这份告知书，但本库中找不到这件事项。可能数据是从较早的备份恢复的，请立即核查并补登。"])
            return out
        found = self._sql("SELECT last_bundle_at FROM sync_peer WHERE unit_code = ?", (st.unit_code,))
        last = SyncPeer.last_bundle_at.python_value(found[0][0]) if found and found[0][0] else None
        out.update(known_here=False, held=NOT_REPORTED, last_bundle_at=last,
                   days_since_last_bundle=(today - last.date()).days if last else None)
        since = (f"距该单位上次送来同步包已{out['days_since_last_bundle']}天（{_fmt(last.date())}）" if last else
                 "该单位还没有送来过同步包")
        days = out["days_since_receipt"]
        received = f"距告知书的收到日期已{days}天" if days > 0 else "告知书是今天收到的"
        out["lines"] = [f"本库中还没有这件事项：{unit_name}尚未报送。{received}，{since}。"
                        "已记录本次核验；超过该单位通常的报送间隔仍未报送的，会列在工作台上。"]
        return out

    def _case(self, number: str) -> Case | None:
        """The case of this number, with the columns a verification compares (plain SQL: a full row costs more)."""
        rows = self._sql('SELECT id, unit_code, query_code, received_at, people_count, request FROM "case" '
                         "WHERE number = ?", (number,))
        if not rows:
            return None
        case_id, unit, query, received, people, request = rows[0]
        return Case(id=case_id, number=number, unit_code=unit, query_code=query,
                    received_at=Case.received_at.python_value(received), people_count=people, request=request)

    def _differences(self, case: Case, st: ReceiptStatement) -> list[str]:
        out = []
        if case.received_at.date() != st.received:
            out.append(f"收到日期：告知书为{_fmt(st.received)}，本库为{_fmt(case.received_at.date())}")
        if case.people_count != st.people:
            out.append(f"信访人数：告知书为{st.people}人，本库为{case.people_count}人")
        if case.query_code != st.query_code:
            out.append(f"查询码：告知书为{st.query_code}，本库为{case.query_code}")
        if content_digest(st.salt, case_names(case), case.request) != st.content_digest:
            out.append("信访人姓名或请求内容：本库现在的记录与告知书签发时不同")
        return out

    def _legacy(self, code: LegacyCode) -> Verification:
        message = ("这是未附签名的旧式告知书二维码，只含事项编号和查询码，不能证明告知书的真伪。"
                   "请查看告知书上是否有以 XFR 开头的核验码；没有的，请与签发单位核实。")
        case = Case.get_or_none(Case.number == code.case_number)
        known = case is not None and case.query_code == code.query_code
        lines = [message, f"事项编号：{code.case_number}　查询码：{code.query_code}",
                 "本库中有这件事项，查询码相符。" if known else "本库中没有事项编号和查询码都相符的事项。"]
        return Verification(False, UNSIGNED, message, number=code.case_number, query_code=code.query_code,
                            unit=case.unit_code if known else None,
                            received=case.received_at.date() if known else None, known_here=known, lines=lines)

    def _history(self, unit_code: str) -> list[key_history.KeyPeriod]:
        rows = key_history.keys_of(unit_code)
        if not rows and unit_code == self.own and self.has_keys():
            from .sync.identity import Identity

            identity = self.services.get(Identity).public_identity()       # keys made before history was kept
            key_history.record_key(unit_code, public_hex(identity.signing_public_key),
                                   at=datetime.fromisoformat(identity.created), source=OWN)
            rows = key_history.keys_of(unit_code)
        return rows

    def _unit_name(self, code: str) -> str:
        for sql in ("SELECT name FROM unit WHERE code = ?", "SELECT unit_name FROM sync_peer WHERE unit_code = ?"):
            rows = self._sql(sql, (code,))
            if rows:
                return rows[0][0]
        if code in self.services.divisions:
            return self.services.divisions.get(code).name
        return f"单位 {code}"

    def _record_check(self, actor: Actor, st: ReceiptStatement, now: datetime) -> None:
        at = ReceiptCheck.last_checked_at.db_value(now)
        self.services.db.execute_sql(
            "INSERT INTO receipt_check (statement_hash, unit_code, case_number, query_code, received, entered_at, "
            "people, first_checked_at, last_checked_at, checked_by, times) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (statement_hash) DO UPDATE SET last_checked_at = excluded.last_checked_at, times = times + 1",
            (hashlib.sha256(st.to_bytes()).hexdigest(), st.unit_code, st.case_number, st.query_code,
             ReceiptCheck.received.db_value(st.received), ReceiptCheck.entered_at.db_value(st.entered), st.people,
             at, at, actor.name))

    # -- promised but not reported (the city's workbench) -----------------------------------------------
    def usual_interval(self, unit_code: str) -> int:
        """Days between the unit's bundles, as usual: the median gap of its last 10 applied bundles (at least
        one day); the sync reminder's days (default 7) until it has sent two."""
        times = [r.applied_at or r.received_at for r in SyncInbox.select(SyncInbox.applied_at, SyncInbox.received_at)
                 .where((SyncInbox.sender == unit_code) & (SyncInbox.state == "applied") & (SyncInbox.kind == "data"))
                 .order_by(SyncInbox.received_at.desc()).limit(11)]
        times.sort()
        gaps = [(b - a).total_seconds() / 86400 for a, b in zip(times, times[1:])]
        if not gaps:
            from .sync.reminder import Reminder

            try:
                return self.services.get(Reminder).reminder_days()
            except Exception:  # noqa: BLE001 - a setting that cannot be read: the default
                return DEFAULT_INTERVAL_DAYS
        return max(1, round(statistics.median(gaps)))

    def unreported(self, today: date | None = None) -> list[UnreportedReceipt]:
        """Genuine receipts of other units verified here whose case has not arrived within the unit's usual
        sync interval, oldest first."""
        today = today or self.services.clock.today()
        own = self.own
        rows = list(ReceiptCheck.select().join(Case, JOIN.LEFT_OUTER, on=(Case.number == ReceiptCheck.case_number))
                    .where(Case.id.is_null() & (ReceiptCheck.unit_code != own))
                    .order_by(ReceiptCheck.entered_at))
        out = []
        intervals: dict[str, int] = {}
        for r in rows:
            interval = intervals.setdefault(r.unit_code, self.usual_interval(r.unit_code))
            waiting = (today - r.entered_at.date()).days
            if waiting <= interval:
                continue
            peer = SyncPeer.get_or_none(SyncPeer.unit_code == r.unit_code)
            out.append(UnreportedReceipt(unit=r.unit_code, unit_name=self._unit_name(r.unit_code),
                                         number=r.case_number, received=r.received, entered_at=r.entered_at,
                                         people=r.people, first_checked_at=r.first_checked_at, days_waiting=waiting,
                                         interval_days=interval, last_bundle_at=peer.last_bundle_at if peer else None))
        return out


def unreported_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    items = []
    found = services.get(ReceiptService).unreported(today)
    for u in found[:limit]:
        last = (f"上次同步包{(today - u.last_bundle_at.date()).days}天前" if u.last_bundle_at else "从未送来同步包")
        detail = (f"{u.unit_name}：收到日期{_fmt(u.received)}，{u.people}人；已登记{u.days_waiting}天仍未报送"
                  f"（通常每{u.interval_days}天报送一次，{last}）")
        items.append(WorkbenchItem(title=u.number, detail=detail, urgency="red",
                                   due=u.entered_at.date() + timedelta(days=u.interval_days),
                                   note=f"{detail}。告知书已于{_fmt(u.first_checked_at)}在本局核验为真实。"
                                        "请联系该单位核实并督促报送。"))
    return SectionResult(items, len(found))


register_section(SectionSpec("receipts_unreported", "已核验但未报送的告知书", "没有核验过而未报送的告知书。",
                             unreported_section, order=8, hide_when_empty=True))


__all__ = ["ReceiptService", "UnreportedReceipt", "Verification", "case_names"]

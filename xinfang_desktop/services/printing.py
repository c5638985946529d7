"""A case's printed documents: which ones its state allows, and the document filled from the case.

Every document carries the date of the event it records — a reprint a year later prints the same
date — and the 文号 given when that event was recorded (services/cases). Decisions are signed by the
organ that decides (for a township the 镇人民政府) with the 信访办 named as the handling office; the
review body named in review rights is the one set when the decision was made (设置 → 本单位).

The window, `xinfang case print` and the tests all come here; the documents package knows
nothing of the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ..documents import (
    AnswerDetails,
    DecisionDetails,
    DocCase,
    DocParty,
    ExtensionDetails,
    FollowUpDetails,
    NoticeDetails,
    ReceiptDetails,
    RefusalDetails,
    RenderedDocument,
    ReportDetails,
    ReviewDetails,
    RoutingDetails,
    render,
)
from ..domain import workflow as wf
from ..domain.errors import InvalidInput, NotAllowed
from ..domain.petition import CHANNEL_LABELS, Channel
from ..store.models import Case, CaseEvent, CaseParty, Person, Unit
from .audit import audit
from .cases import find_case, to_event
from .office import OfficeService, OfficeSettings
from .permissions import Actor, Permission, require
from .receipts import ReceiptService

DOCUMENT_NAMES = ("register", "receipt", "notice", "refusal", "transfer", "extension", "decision", "answer",
                  "review", "recheck", "followup", "report")
DOCUMENT_LABELS = {
    "register": "信访事项登记表", "receipt": "信访事项接收告知书", "notice": "办理途径告知书",
    "refusal": "不予受理／不再受理告知书", "transfer": "转送／交办单", "extension": "延期告知书",
    "decision": "信访处理意见书", "answer": "答复意见书（建议意见类）", "review": "复查意见书",
    "recheck": "复核意见书", "followup": "回访记录", "report": "办结报告",
}
# The document each workflow action produces (the window offers it right after the action).
EVENT_DOCUMENT = {
    wf.EventKind.ROUTED: "transfer", wf.EventKind.NOTIFIED: "notice", wf.EventKind.REFUSED: "refusal",
    wf.EventKind.EXTENDED: "extension", wf.EventKind.REPLIED: "decision", wf.EventKind.REVIEW_DECIDED: "review",
    wf.EventKind.RECHECK_DECIDED: "recheck", wf.EventKind.FOLLOWED_UP: "followup",
}
# The documents package's kind for each name (复查 and 复核 share one layout).
_KIND = {"review": "review", "recheck": "review"}


@dataclass(frozen=True)
class OfficeInfo:
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class _Context:
    case: Case
    events: list[wf.Event]
    state: wf.CaseState
    here: str


class PrintService:
    def __init__(self, services):
        self.services = services

    @property
    def _office(self) -> OfficeService:
        return self.services.get(OfficeService)

    # -- which documents -----------------------------------------------------------------
    def available(self, case_ref: str) -> dict[str, str | None]:
        """Each document name -> None when it can be printed now, else the reason why not."""
        ctx = self._context(find_case(case_ref))
        return {name: self._why_not(name, ctx) for name in DOCUMENT_NAMES}

    @staticmethod
    def _last(events: list[wf.Event], kind: wf.EventKind, test=None) -> wf.Event | None:
        found = [e for e in events if e.kind == kind and (test is None or test(e))]
        return found[-1] if found else None

    def _notice_event(self, events: list[wf.Event]) -> wf.Event | None:
        """The last written notice of how the matter is handled (第二十三条)."""
        found = [e for e in events if (e.kind == wf.EventKind.NOTIFIED and not e.data.get("exempt"))
                 or (e.kind == wf.EventKind.ROUTED and (e.data.get("notified") or e.data.get("route") == "other"))]
        return found[-1] if found else None

    def _why_not(self, name: str, ctx: _Context) -> str | None:
        events, state, case = ctx.events, ctx.state, ctx.case
        if name in ("register", "receipt"):
            return None
        if name == "notice":
            return None if self._notice_event(events) else "尚未书面告知办理途径（先记录“书面告知”，或选择办理途径时注明已告知）"
        if name == "refusal":
            return None if self._last(events, wf.EventKind.REFUSED) else "该事项没有不予受理（不再受理）记录"
        if name == "transfer":
            ev = self._last(events, wf.EventKind.ROUTED)
            if ev is None or ev.data.get("route") not in (wf.Route.TRANSFER.value, wf.Route.ASSIGN.value):
                return "该事项没有转送或交办记录"
            return None
        if name == "extension":
            return None if self._last(events, wf.EventKind.EXTENDED) else "该事项没有延期记录"
        if name in ("decision", "answer"):
            reply = self._last(events, wf.EventKind.REPLIED)
            if reply is None:
                return "该事项尚未出具书面答复"
            if name == "decision" and not state.matter.decides:
                return f"{state.matter.label}不出具信访处理意见书（{state.matter.article}）"
            if name == "answer" and not state.matter.answers:
                return "只有建议意见类事项出具答复意见书（第二十九条）"
            if state.route == wf.Route.ASSIGN and case.unit_code == ctx.here:
                return f"该事项已交办{state.routed_unit or '承办单位'}，书面答复由承办单位出具，本机关收取办结报告"
            return None
        if name in ("review", "recheck"):
            kind = wf.EventKind.REVIEW_DECIDED if name == "review" else wf.EventKind.RECHECK_DECIDED
            what = "复查" if name == "review" else "复核"
            ev = self._last(events, kind)
            if ev is None:
                return f"该事项没有{what}意见"
            if ev.data.get("reviewer") != ctx.here:
                return f"{what}由上一级机关作出，本机关只记录结果，不出具{what}意见书"
            return None
        if name == "followup":
            return None if self._last(events, wf.EventKind.FOLLOWED_UP) else "该事项没有回访记录"
        if name == "report":
            if self._last(events, wf.EventKind.REPLIED) is None:
                return "该事项尚未办结答复"
            if case.unit_code == ctx.here:
                return "办结报告由受交办的单位报送交办单位；本机关登记的事项无需报送"
            return None
        raise InvalidInput(f"没有这种文书：{name}。可选：{'、'.join(DOCUMENT_NAMES)}")

    def _context(self, case: Case) -> _Context:
        events = sorted((to_event(r) for r in CaseEvent.select().where(CaseEvent.case == case)),
                        key=wf.event_sort_key)
        state = wf.fold(events, self.services.calendar.calendar())
        return _Context(case, events, state, self.services.unit_code)

    # -- rendering -----------------------------------------------------------------------
    def render(self, actor: Actor, case_ref: str, name: str, *, redacted: bool = False) -> RenderedDocument:
        require(actor, Permission.PRINT)
        if name not in DOCUMENT_NAMES:
            raise InvalidInput(f"没有这种文书：{name}。可选：{'、'.join(DOCUMENT_NAMES)}", field="document")
        if not redacted and not actor.can(Permission.REVEAL_PERSONAL):
            raise NotAllowed(f"{actor.role.label}只能打印隐去身份证号码和电话的文书，请选择“脱敏打印”")
        ctx = self._context(find_case(case_ref))
        reason = self._why_not(name, ctx)
        if reason is not None:
            raise NotAllowed(f"不能打印{DOCUMENT_LABELS[name]}：{reason}")
        doc_case = self.doc_case(ctx.case, ctx.state)
        if name in ("review", "recheck"):
            # decided here, as the superior of the office that handled the matter: signed by this office
            own = self._office.settings()
            doc_case = replace(doc_case, office_name=own.office_name, organ_name=own.organ_name,
                               office_phone=own.phone)
        details, issued_on = self._details(name, ctx)
        if name == "receipt":      # the signed statement (issue 17): made at the first print, then reused
            details = self.services.get(ReceiptService).attach(actor, ctx.case, details)
        rendered = render(_KIND.get(name, name), doc_case, details, redacted=redacted, issued_on=issued_on)
        with self.services.db.atomic():
            audit(actor, "document.print", ctx.case.id, {"document": name, "redacted": redacted},
                  at=self.services.clock.now())
        return rendered

    def office(self) -> OfficeInfo:
        s = self._office.settings()
        return OfficeInfo(name=s.office_name, phone=s.phone)

    def _names_of(self, unit_code: str) -> OfficeSettings:
        """Who signs for `unit_code`: this office's settings, or another unit's names from the division table."""
        if unit_code == self.services.unit_code:
            return self._office.settings()
        return self._office.defaults_for(unit_code)

    def doc_case(self, case: Case, state: wf.CaseState | None = None) -> DocCase:
        parties = list(CaseParty.select(CaseParty, Person).join(Person).where(CaseParty.case == case)
                       .order_by(CaseParty.position))

        def party(cp: CaseParty, role: str) -> DocParty:
            p: Person = cp.person
            return DocParty(name=p.name, id_number=p.id_number, phone=p.phone, address=p.address, role=role,
                            sex=p.sex, birth_date=p.birth_date)

        if state is None:
            state = self._context(case).state
        # The documents of a matter are those of the unit that handles it: its own, or the one it was
        # assigned to (this office, when a case of the city was assigned here).
        names = self._names_of(case.unit_code if case.unit_code == self.services.unit_code or
                               not self._assigned_here(case) else self.services.unit_code)
        matter = state.matter
        return DocCase(
            number=case.number, query_code=case.query_code, received_at=case.received_at,
            channel=CHANNEL_LABELS[Channel(case.channel)], category=self.services.categories.label(case.category_code),
            people_count=case.people_count, is_group=bool(case.is_group),
            is_accusation=self._is_accusation(case.category_code) or (matter.type is not None
                                                                      and matter.type.value == "accusation"),
            request=case.request, facts=case.facts or "",
            reasons=case.reasons or "", petitioners=[party(cp, "信访人") for cp in parties],
            representatives=[party(cp, "代表人") for cp in parties if cp.is_representative],
            concerned_unit=case.concerned_unit, clerk=self._person_name(case.created_by), office_name=names.office_name,
            office_phone=names.phone, organ_name=names.organ_name, matter=matter.label if not matter.legacy else "",
            entered_at=case.created_at, late_entry=state.late_entry, notice_exempt=state.notice_exempt)

    def _assigned_here(self, case: Case) -> bool:
        from ..store.models_sync import Instruction

        return (Instruction.select().where((Instruction.case_id == case.id) & (Instruction.kind == "assign")
                                           & (Instruction.to_unit == self.services.unit_code)).exists())

    @staticmethod
    def _person_name(login: str) -> str:
        """A petitioner reads 联系人：李登记, not the login name; a user from elsewhere keeps the login."""
        from ..store.models import User

        user = User.get_or_none(User.name == login)
        return user.display_name if user is not None and user.display_name else login

    def _is_accusation(self, code: str) -> bool:
        try:
            return self.services.categories.is_accusation(code)
        except InvalidInput:
            return True   # a code this table does not know: keep the complainant's identity out to be safe

    def _details(self, name: str, ctx: _Context) -> tuple[object, date]:
        """The document's details and its date: the day of the event it records."""
        events, state, case = ctx.events, ctx.state, ctx.case

        def doc_no(ev: wf.Event | None, key: str) -> str | None:
            return ((ev.data.get("doc_no") or {}).get(key)) if ev is not None else None

        registered = events[0] if events and events[0].kind == wf.EventKind.REGISTERED else None
        received_on = case.received_at.date()
        if name == "register":
            return None, received_on
        if name == "receipt":
            limit = state.deadline(wf.DeadlineKey.NOTICE) or state.deadline(wf.DeadlineKey.ROUTE)
            time_limit = limit.due.date if limit else received_on
            return ReceiptDetails(handling="", time_limit=time_limit, contact=None,
                                  doc_no=doc_no(registered, "receipt")), received_on
        if name == "notice":
            ev = self._notice_event(events)
            assert ev is not None
            routed = ev if ev.kind == wf.EventKind.ROUTED else self._last(
                [e for e in events if e.occurred_at <= ev.occurred_at], wf.EventKind.ROUTED)
            route = wf.Route(routed.data["route"]) if routed is not None else None
            label = {None: "登记", wf.Route.DIRECT: "直接办理", wf.Route.TRANSFER: "转送", wf.Route.ASSIGN: "交办",
                     wf.Route.OTHER_CHANNEL: "其他法定途径"}[route]
            deadline = routed.data.get("deadline") if routed is not None else None
            matter = state.matter
            return NoticeDetails(route=label, unit=routed.data.get("unit") if routed is not None else None,
                                 deadline=date.fromisoformat(deadline) if deadline else None,
                                 matter_kind=matter.type.value if matter.type else "", claim_item=matter.item,
                                 handling_days=wf.HANDLING_DAYS,
                                 content=ev.data.get("content") if ev.kind == wf.EventKind.NOTIFIED else None,
                                 doc_no=doc_no(ev, "notice")), ev.day
        if name == "refusal":
            ev = self._last(events, wf.EventKind.REFUSED)
            assert ev is not None
            kind = wf.RefusalKind(ev.data.get("kind", "not_accepted")).label
            ground = wf.refusal_ground(ev.data.get("ground"))
            return RefusalDetails(kind=kind, ground=ground.text if ground else ev.data.get("ground", ""),
                                  article=ground.article if ground else (ev.data.get("article") or ""),
                                  redirect_to=ev.data.get("instead"), details=ev.data.get("details"),
                                  doc_no=doc_no(ev, "refusal")), ev.day
        if name == "transfer":
            ev = self._last(events, wf.EventKind.ROUTED)
            assert ev is not None
            route = wf.Route(ev.data["route"])
            deadline = ev.data.get("deadline")
            return RoutingDetails(kind="交办" if route == wf.Route.ASSIGN else "转送",
                                  receiving_unit=ev.data.get("unit", ""),
                                  deadline=date.fromisoformat(deadline) if deadline else None,
                                  requirements=ev.data.get("note"),
                                  doc_no=doc_no(ev, "assign" if route == wf.Route.ASSIGN else "transfer")), ev.day
        if name == "extension":
            ev = self._last(events, wf.EventKind.EXTENDED)
            assert ev is not None
            cal = self.services.calendar.calendar()
            after = wf.fold([e for e in events if e.occurred_at <= ev.occurred_at], cal).deadline(wf.DeadlineKey.HANDLING)
            before = wf.fold([e for e in events if e.occurred_at < ev.occurred_at], cal).deadline(wf.DeadlineKey.HANDLING)
            return ExtensionDetails(reason=ev.data.get("reason", ""), new_deadline=after.due.date,
                                    approver=ev.data.get("approver", ""), original_deadline=before.due.date,
                                    doc_no=doc_no(ev, "extension")), ev.day
        if name == "decision":
            ev = self._last(events, wf.EventKind.REPLIED)
            assert ev is not None
            return DecisionDetails(outcome=wf.Outcome(ev.data["outcome"]).label, decision=ev.data.get("text", ""),
                                   legal_basis=ev.data.get("basis") or "",
                                   review_body=ev.data.get("review_body") or self._office.settings().review_body,
                                   doc_no=doc_no(ev, "decision")), ev.day
        if name == "answer":
            ev = self._last(events, wf.EventKind.REPLIED)
            assert ev is not None
            return AnswerDetails(answer=wf.Answer(ev.data["outcome"]).label, text=ev.data.get("text", ""),
                                 doc_no=doc_no(ev, "answer")), ev.day
        if name in ("review", "recheck"):
            return self._review_details(name, ctx)
        if name == "followup":
            ev = self._last(events, wf.EventKind.FOLLOWED_UP)
            assert ev is not None
            rating = ev.data.get("rating")
            return FollowUpDetails(followed_on=ev.day, method={"phone": "电话", "visit": "上门"}.get(
                ev.data.get("method", "phone"), "电话"), replied_on=state.replied_on, result=_result(state),
                rating=wf.Rating(rating).label if rating else None, notes=ev.data.get("notes"),
                by=self._actor_of(ev)), ev.day
        if name == "report":
            ev = self._last(events, wf.EventKind.REPLIED)
            assert ev is not None
            from ..store.models_sync import Instruction

            order = (Instruction.select().where((Instruction.case_id == case.id) & (Instruction.kind == "assign")
                                                & (Instruction.to_unit == ctx.here))
                     .order_by(Instruction.created_at.desc()).first())
            owner = Unit.get_or_none(Unit.code == case.unit_code)
            followed = None
            if state.followed_up_on:
                followed = f"{_day_text(state.followed_up_on)}回访" + (
                    f"，信访人评价为“{state.rating.label}”" if state.rating else "")
            return ReportDetails(
                to_unit=self._names_of(case.unit_code).office_name if owner is None else owner.name,
                assigned_on=order.created_at.date() if order else None, deadline=order.deadline if order else None,
                replied_on=ev.day, result=_result(state) or "", text=ev.data.get("text", ""),
                delivered_on=state.delivered_on, followed=followed, doc_no=doc_no(ev, "report")), ev.day
        raise InvalidInput(f"没有这种文书：{name}")

    def _review_details(self, name: str, ctx: _Context) -> tuple[ReviewDetails, date]:
        events, state = ctx.events, ctx.state
        review = name == "review"
        decided = self._last(events, wf.EventKind.REVIEW_DECIDED if review else wf.EventKind.RECHECK_DECIDED)
        requested = self._last(events, wf.EventKind.REVIEW_REQUESTED if review else wf.EventKind.RECHECK_REQUESTED,
                               lambda e: bool(e.data.get("reviewer")))
        assert decided is not None
        below_event = self._last(events, wf.EventKind.REPLIED if review else wf.EventKind.REVIEW_DECIDED)
        below_by = self._names_of(ctx.case.unit_code).organ_name if review else (
            self._names_of(below_event.data.get("reviewer") or ctx.case.unit_code).organ_name if below_event else "")
        below_no = ((below_event.data.get("doc_no") or {}).get("decision" if review else "review")) if below_event else None
        below = (f"{below_by}{_day_text(below_event.day)}作出的{'信访处理意见' if review else '复查意见'}"
                 + (f"（{below_no}）" if below_no else "")) if below_event else ("原信访处理意见" if review else "复查意见")
        disposition = wf.Disposition(decided.data["disposition"]).label
        outcome = state.review_outcome if review else state.recheck_outcome
        own = self._office.settings()
        return ReviewDetails(stage="复查" if review else "复核", disposition=disposition,
                             outcome=outcome.label if outcome else None, text=decided.data.get("text", ""),
                             requested_on=(requested or decided).day, decision_below=below,
                             basis=decided.data.get("basis"), next_body=(own.review_body or None) if review else None,
                             hearing_days=state.hearing_days if not review else 0,
                             doc_no=(decided.data.get("doc_no") or {}).get(name)), decided.day

    @staticmethod
    def _actor_of(ev: wf.Event) -> str:
        row = CaseEvent.get_or_none(CaseEvent.id == ev.id)
        return PrintService._person_name(row.actor) if row is not None else ""


def _day_text(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _result(state: wf.CaseState) -> str | None:
    if state.answer is not None:
        return state.answer.label
    if state.outcome is not None:
        return state.outcome.label
    return None

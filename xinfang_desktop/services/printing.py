"""A case's printed documents: which ones its state allows, and the document filled from the case.

The window, `xinfang case print` and the tests all come here; the documents package knows
nothing of the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..documents import (
    DecisionDetails,
    DocCase,
    DocParty,
    ExtensionDetails,
    ReceiptDetails,
    RefusalDetails,
    RenderedDocument,
    RoutingDetails,
    render,
)
from ..domain import workflow as wf
from ..domain.errors import InvalidInput, NotAllowed
from ..domain.petition import CHANNEL_LABELS, Channel
from ..store.models import Case, CaseEvent, CaseParty, Person, Unit
from .audit import audit
from .cases import find_case, to_event
from .permissions import Actor, Permission, require
from .receipts import ReceiptService

DOCUMENT_NAMES = ("register", "receipt", "refusal", "transfer", "extension", "decision")
DOCUMENT_LABELS = {
    "register": "信访事项登记表", "receipt": "受理（接收）告知书", "refusal": "不予受理／不再受理告知书",
    "transfer": "转送／交办单", "extension": "延期告知书", "decision": "处理意见书",
}
# The document each workflow action produces.
EVENT_DOCUMENT = {
    wf.EventKind.ROUTED: "transfer", wf.EventKind.NOTIFIED: "receipt", wf.EventKind.REFUSED: "refusal",
    wf.EventKind.EXTENDED: "extension", wf.EventKind.REPLIED: "decision",
}
DEFAULT_REVIEW_BODY = "漳平市人民政府"


@dataclass(frozen=True)
class OfficeInfo:
    name: str
    phone: str | None = None


class PrintService:
    def __init__(self, services):
        self.services = services

    # -- which documents -----------------------------------------------------------------
    def available(self, case_ref: str) -> dict[str, str | None]:
        """Each document name -> None when it can be printed now, else the reason why not."""
        case = find_case(case_ref)
        events = self._events(case)
        return {name: self._why_not(name, events) for name in DOCUMENT_NAMES}

    @staticmethod
    def _last(events: list[wf.Event], kind: wf.EventKind) -> wf.Event | None:
        found = [e for e in events if e.kind == kind]
        return found[-1] if found else None

    def _why_not(self, name: str, events: list[wf.Event]) -> str | None:
        if name in ("register", "receipt"):
            return None
        if name == "refusal":
            return None if self._last(events, wf.EventKind.REFUSED) else "该事项没有不予受理（不再受理）记录"
        if name == "transfer":
            ev = self._last(events, wf.EventKind.ROUTED)
            if ev is None or ev.data.get("route") not in (wf.Route.TRANSFER.value, wf.Route.ASSIGN.value):
                return "该事项没有转送或交办记录"
            return None
        if name == "extension":
            return None if self._last(events, wf.EventKind.EXTENDED) else "该事项没有延期记录"
        if name == "decision":
            return None if self._last(events, wf.EventKind.REPLIED) else "该事项尚未出具处理意见"
        raise InvalidInput(f"没有这种文书：{name}。可选：{'、'.join(DOCUMENT_NAMES)}")

    def _events(self, case: Case) -> list[wf.Event]:
        return sorted((to_event(r) for r in CaseEvent.select().where(CaseEvent.case == case)), key=wf.event_sort_key)

    # -- rendering -----------------------------------------------------------------------
    def render(self, actor: Actor, case_ref: str, name: str, *, redacted: bool = False,
               issued_on: date | None = None) -> RenderedDocument:
        require(actor, Permission.PRINT)
        if name not in DOCUMENT_NAMES:
            raise InvalidInput(f"没有这种文书：{name}。可选：{'、'.join(DOCUMENT_NAMES)}", field="document")
        if not redacted and not actor.can(Permission.REVEAL_PERSONAL):
            raise NotAllowed(f"{actor.role.label}只能打印隐去身份证号码和电话的文书，请选择“脱敏打印”")
        case = find_case(case_ref)
        events = self._events(case)
        reason = self._why_not(name, events)
        if reason is not None:
            raise NotAllowed(f"不能打印{DOCUMENT_LABELS[name]}：{reason}")
        doc_case = self.doc_case(case)
        details = self._details(name, case, events)
        if name == "receipt":      # the signed statement (issue 17): made at the first print, then reused
            details = self.services.get(ReceiptService).attach(actor, case, details)
        rendered = render(name, doc_case, details, redacted=redacted, issued_on=issued_on or self.services.clock.today())
        with self.services.db.atomic():
            audit(actor, "document.print", case.id, {"document": name, "redacted": redacted},
                  at=self.services.clock.now())
        return rendered

    def office(self) -> OfficeInfo:
        unit = Unit.get(Unit.is_self == True)  # noqa: E712
        division = self.services.divisions.get(unit.code)
        city = self.services.divisions.get(unit.code[:6] + "000000").name if unit.code[6:] != "000000" else ""
        name = f"{city}{division.name}信访办公室" if unit.kind == "township" else f"{division.name}信访局"
        from ..store.models import Setting

        phone = Setting.get_or_none(Setting.key == "office_phone")
        return OfficeInfo(name=name, phone=phone.value if phone else None)

    def doc_case(self, case: Case) -> DocCase:
        parties = list(CaseParty.select(CaseParty, Person).join(Person).where(CaseParty.case == case)
                       .order_by(CaseParty.position))

        def party(cp: CaseParty, role: str) -> DocParty:
            p: Person = cp.person
            return DocParty(name=p.name, id_number=p.id_number, phone=p.phone, address=p.address, role=role,
                            sex=p.sex, birth_date=p.birth_date)

        office = self.office()
        return DocCase(
            number=case.number, query_code=case.query_code, received_at=case.received_at,
            channel=CHANNEL_LABELS[Channel(case.channel)], category=self.services.categories.label(case.category_code),
            people_count=case.people_count, is_group=bool(case.is_group),
            is_accusation=self._is_accusation(case.category_code), request=case.request, facts=case.facts or "",
            reasons=case.reasons or "", petitioners=[party(cp, "信访人") for cp in parties],
            representatives=[party(cp, "代表人") for cp in parties if cp.is_representative],
            concerned_unit=case.concerned_unit, clerk=self._person_name(case.created_by), office_name=office.name,
            office_phone=office.phone)

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

    def _details(self, name: str, case: Case, events: list[wf.Event]):
        state = wf.fold(events, self.services.calendar.calendar())
        if name == "register":
            return None
        if name == "receipt":
            routed = self._last(events, wf.EventKind.ROUTED)
            if routed is None:
                handling = ("本机关已登记你（你们）的信访事项，将在15日内决定是否受理，并书面告知处理途径和程序；"
                            "属于本机关职权范围的，将依法办理；不属于的，将转送有权处理的机关。")
                limit = state.deadline(wf.DeadlineKey.ROUTE)
            else:
                route = wf.Route(routed.data["route"])
                unit = routed.data.get("unit") or "本机关"
                handling = {
                    wf.Route.DIRECT: f"你（你们）的信访事项已受理，由{unit}依照《信访工作条例》规定的程序办理，"
                                     f"并在受理之日起60日内出具书面处理意见。",
                    wf.Route.TRANSFER: f"你（你们）的信访事项已转送{unit}依法处理，请与该单位联系。",
                    wf.Route.ASSIGN: f"你（你们）的信访事项已交办{unit}办理，办结后将书面答复。",
                    wf.Route.OTHER_CHANNEL: f"你（你们）反映的事项应当通过{unit}等法定途径解决，请依法向有关机关提出。",
                }[route]
                limit = state.deadline(wf.DeadlineKey.HANDLING) or state.deadline(wf.DeadlineKey.ROUTE)
            time_limit = limit.due.date if limit else case.received_at.date()
            return ReceiptDetails(handling=handling, time_limit=time_limit, contact=None)
        if name == "refusal":
            ev = self._last(events, wf.EventKind.REFUSED)
            kind = wf.RefusalKind(ev.data.get("kind", "not_accepted")).label
            return RefusalDetails(kind=kind, ground=ev.data.get("ground", ""),
                                  article=ev.data.get("article") or "《信访工作条例》第三十一条",
                                  redirect_to=ev.data.get("instead"))
        if name == "transfer":
            ev = self._last(events, wf.EventKind.ROUTED)
            route = wf.Route(ev.data["route"])
            deadline = ev.data.get("deadline")
            return RoutingDetails(kind="交办" if route == wf.Route.ASSIGN else "转送",
                                  receiving_unit=ev.data.get("unit", ""),
                                  deadline=date.fromisoformat(deadline) if deadline else None,
                                  requirements=ev.data.get("note"))
        if name == "extension":
            ev = self._last(events, wf.EventKind.EXTENDED)
            handling = state.deadline(wf.DeadlineKey.HANDLING)
            before = [e for e in events if e.kind != wf.EventKind.EXTENDED or e.id != ev.id]
            original = wf.fold([e for e in before if e.occurred_at <= ev.occurred_at],
                               self.services.calendar.calendar()).deadline(wf.DeadlineKey.HANDLING)
            return ExtensionDetails(reason=ev.data.get("reason", ""), new_deadline=handling.due.date,
                                    approver=ev.data.get("approver", ""), original_deadline=original.due.date)
        if name == "decision":
            ev = self._last(events, wf.EventKind.REPLIED)
            return DecisionDetails(outcome=wf.Outcome(ev.data["outcome"]).label, decision=ev.data.get("text", ""),
                                   legal_basis=ev.data.get("basis") or "《信访工作条例》第三十二条",
                                   review_body=ev.data.get("review_body") or DEFAULT_REVIEW_BODY)
        raise InvalidInput(f"没有这种文书：{name}")

"""City mode: 交办 (a matter handed down to a township, with a deadline) and 督办 (a supervision note),
and the queue of instructions (at a township: what the city sent it; at the city: what it sent).

Owns the Instruction rows written here. Does not own their travel (they go in bundles like any record:
records.py) nor their display. 交办 needs ROUTE, 督办 NOTE, reading VIEW.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from ...domain.errors import InvalidInput, NotAllowed, StaleCase
from ...domain.text import clean_text
from ...store.models import Case
from ...store.models_sync import Instruction, SyncPeer
from ..audit import audit
from ..cases import find_case, refuse_if_changed
from ..names import office_names, person_names
from ..permissions import Actor, Permission, require
from .part import SyncPart


KIND_WORDS = {"assign": "交办给{}", "supervise": "向{}督办"}


def refuse_if_instructed(case: Case, seen: Collection[str]) -> None:
    """Refuse a 交办 or 督办 made on what a desk saw (``seen``: the ids of the case's instructions it read) when
    another desk has sent one on the case since: a second order to the township over one sent meanwhile."""
    seen = set(seen)
    new = [i for i in Instruction.select().where(Instruction.case_id == case.id).order_by(Instruction.created_at)
           if i.id not in seen]
    if not new:
        return
    names, towns = person_names(i.created_by for i in new), office_names(i.to_unit for i in new)
    what = "；".join(f"{i.created_at:%m-%d %H:%M} {names.get(i.created_by, i.created_by)}"
                    + KIND_WORDS.get(i.kind, i.kind + "{}").format(towns.get(i.to_unit, i.to_unit))
                    + (f"，期限{i.deadline:%m-%d}" if i.deadline else "") for i in new[-5:])
    raise StaleCase(f"事项 {case.number} 在您打开之后已有他人交办督办（{what}），您的操作没有保存。"
                    "请重新打开该事项，看过最新情况后再决定是否还要交办或督办。")


class Instructions(SyncPart):
    def assign(self, actor: Actor, case_ref: str, to_unit: str, deadline: date, text: str, *,
               seen_events: Collection[str] | None = None,
               seen_instructions: Collection[str] | None = None) -> Instruction:
        """交办: the city hands a matter down to a township, with a deadline. ``seen_events`` and
        ``seen_instructions``: what the desk's case view showed (CaseDetail); if the case has an event or a
        交办督办 it did not show, this one is refused (StaleCase) saying what. None: not checked."""
        require(actor, Permission.ROUTE)
        return self._instruct(actor, "assign", case_ref, to_unit, text, deadline, seen_events, seen_instructions)

    def supervise(self, actor: Actor, case_ref: str, text: str, to_unit: str | None = None, *,
                  seen_events: Collection[str] | None = None,
                  seen_instructions: Collection[str] | None = None) -> Instruction:
        """督办: a supervision note on a township's matter (or one the city assigned); refused as stale as
        `assign` is (a township's reply that came by sync since the case was opened is an event not shown)."""
        require(actor, Permission.NOTE)
        return self._instruct(actor, "supervise", case_ref, to_unit, text, None, seen_events, seen_instructions)

    def _instruct(self, actor: Actor, kind: str, case_ref: str, to_unit: str | None, text: str,
                  deadline: date | None, seen_events: Collection[str] | None = None,
                  seen_instructions: Collection[str] | None = None) -> Instruction:
        if not self.is_city():
            raise NotAllowed("只有市信访局可以交办或督办。")
        body = clean_text(text, label="内容", field="text", limit=2000, multiline=True)
        if not body:
            raise InvalidInput("请填写交办或督办的内容。", field="text")
        case = find_case(case_ref)
        target = to_unit or (case.unit_code if case.unit_code != actor.unit_code else case.township_code)
        if not target:
            raise InvalidInput("请选择接收的乡镇。", field="to_unit")
        peer = SyncPeer.get_or_none((SyncPeer.unit_code == target) & (SyncPeer.revoked == False))  # noqa: E712
        if peer is None:
            raise InvalidInput(f"乡镇 {target} 尚未登记同步密钥，无法交办督办。请先登记该乡镇。", field="to_unit")
        if kind == "assign":
            if case.unit_code != actor.unit_code:
                raise InvalidInput("只能交办本局登记的事项；乡镇自己的事项请用督办。", field="case")
            if deadline is None or deadline < self.services.clock.today():
                raise InvalidInput("请填写不早于今天的办理期限。", field="deadline")
        now = self.services.clock.now()
        with self.db.atomic():
            # read inside the write: on PostgreSQL this writer runs alone (store/pg.py), so nothing another
            # desk writes comes between these looks and the row below
            if seen_events is not None:
                refuse_if_changed(case, self.services.cases.events_of(case), seen_events=seen_events)
            if seen_instructions is not None:
                refuse_if_instructed(case, seen_instructions)
            ins = Instruction.create(unit_code=actor.unit_code, to_unit=target, kind=kind, case_id=case.id,
                                     case_number=case.number, text=body, deadline=deadline, created_by=actor.name,
                                     created_at=now, updated_at=now)
            audit(actor, f"sync.{kind}", case.id, {"to": target, "number": case.number}, at=now)
        return ins

    def instructions(self, actor: Actor, *, to_unit: str | None = None) -> list[Instruction]:
        """The queue: at a township, what the city sent it; at the city, what it sent."""
        require(actor, Permission.VIEW)
        q = Instruction.select().order_by(Instruction.created_at.desc())
        if not self.is_city():
            q = q.where(Instruction.to_unit == self.services.unit_code)
        elif to_unit:
            q = q.where(Instruction.to_unit == to_unit)
        return list(q)

"""包案 (a leader owns a case) and hardship (急难) flags with their referrals (第三十七条).

Permissions reused from permissions.py (this feature does not own it): assigning a leader and
raising or lowering a colour need the leader or administrator role; flagging hardship and
recording referrals need NOTE (clerks, handlers, leaders, admins).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..domain.board import HardshipKind
from ..domain.errors import InvalidInput, NotFound, PermissionDenied, StaleCase
from ..domain.text import clean_text
from ..store.models import Case, Person, User
from ..store.models_attention import HardshipFlag, HardshipReferral, LeaderAssignment
from ..store.ownership import require_own_row, require_writable
from .audit import audit
from .cases import find_case
from .permissions import Actor, Permission, Role, require

LEADER_ROLES = (Role.LEADER, Role.ADMIN)
REFERRAL_KINDS = {"social": "社会救助", "judicial": "司法救助"}


def require_leader(actor: Actor, what: str) -> None:
    require(actor, Permission.VIEW)
    if actor.role not in LEADER_ROLES:
        raise PermissionDenied(f"{actor.display_name}（{actor.role.label}）不能{what}：只有领导或管理员可以{what}。")


def parse_day(raw, label: str, field_name: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise InvalidInput(f"{label}不是有效日期：{raw!r}（应写作 年-月-日，如 2026-12-06）", field=field_name) from None


@dataclass(frozen=True)
class Assignment:
    id: str
    case_id: str
    case_number: str
    leader_name: str
    leader_display: str
    plan: str
    target_date: date
    assigned_by: str
    assigned_at: datetime
    case_status: str | None = None


def refuse_if_reassigned(case: Case, now_in_force: Assignment | None, seen: str) -> None:
    """Refuse a 包案 made on what a form showed (``seen``: the id in force then, "" for none) when another desk
    has assigned the matter since: a second leader over one taken meanwhile would silently end that one."""
    if (now_in_force.id if now_in_force else "") == seen:
        return
    if now_in_force is None:
        what = "原包案已结束，现无领导包案"
    else:
        by = User.get_or_none(User.name == now_in_force.assigned_by)
        who = by.display_name if by else now_in_force.assigned_by
        what = f"{now_in_force.assigned_at:%m-%d %H:%M} " + (
            f"{who}已亲自包案" if now_in_force.assigned_by == now_in_force.leader_name
            else f"{who}已指定{now_in_force.leader_display}包案")
    raise StaleCase(f"事项 {case.number} 的包案在您打开之后已有变动（{what}），您的操作没有保存。"
                    "请关闭本窗口，重新点“包案”看过现由谁包案后再决定。")


def _assignment(row: LeaderAssignment, case: Case | None = None) -> Assignment:
    return Assignment(row.id, row.case_id, case.number if case else "", row.leader_name, row.leader_display, row.plan,
                      row.target_date, row.assigned_by, row.assigned_at, case.status if case else None)


class OwnershipService:
    """包案: a leader takes personal charge of a case with a resolution plan and a target date."""

    def __init__(self, services):
        self.services = services

    def leaders(self) -> list[User]:
        return list(User.select().where(User.role.in_([Role.LEADER.value, Role.ADMIN.value])
                                        & (User.active == True))  # noqa: E712  (a comparison on both engines)
                    .order_by(User.role.desc(), User.display_name))

    def assign(self, actor: Actor, case_ref: str, leader: str, plan: str, target_date, *,
               seen_assignment: str | None = None) -> Assignment:
        """``seen_assignment``: the 包案 in force the desk's form showed (its id, or "" for none); if another desk
        has changed it since, this one is refused (StaleCase) saying who took it. None: not checked."""
        require_leader(actor, "指定包案领导")
        plan = clean_text(plan, label="化解方案", field="plan", required=True, limit=2000)
        target = parse_day(target_date, "目标化解日期", "target_date")
        today = self.services.clock.today()
        if target < today:
            raise InvalidInput(f"目标化解日期（{target:%Y-%m-%d}）早于今天，请重新填写", field="target_date")
        now = self.services.clock.now()
        with self.services.db.atomic():
            case = find_case(case_ref)
            require_writable(self.services.db, actor.unit_code, "leader_assignment", {"case_id": case.id})
            if seen_assignment is not None:
                # read inside the write: on PostgreSQL this writer runs alone (store/pg.py), so no desk's
                # 包案 comes between this look and the rows written below
                refuse_if_reassigned(case, self.current(case.id), seen_assignment)
            user = User.get_or_none(((User.name == leader) | (User.display_name == leader))
                                    & (User.active == True))  # noqa: E712  (a comparison on both engines)
            if user is None:
                raise NotFound(f"找不到用户：{leader}。请填写领导的用户名或姓名。")
            if user.role not in (Role.LEADER.value, Role.ADMIN.value):
                raise InvalidInput(f"{user.display_name}不是领导，不能包案。请在“设置”中将其角色设为领导。", field="leader")
            # This unit's own assignment in force ends; another unit's row is that unit's to change.
            for old in LeaderAssignment.select().where((LeaderAssignment.case_id == case.id)
                                                       & (LeaderAssignment.unit_code == actor.unit_code)
                                                       & LeaderAssignment.ended_at.is_null()):
                old.ended_at, old.end_reason = now, f"改由{user.display_name}包案"
                old.version += 1
                old.updated_at = now
                old.save()
            row = LeaderAssignment.create(unit_code=actor.unit_code, case_id=case.id, leader_name=user.name,
                                          leader_display=user.display_name, plan=plan, target_date=target,
                                          assigned_by=actor.name, assigned_at=now, updated_at=now)
            audit(actor, "attention.assign_leader", case.id,
                  {"number": case.number, "leader": user.name, "target_date": target.isoformat()}, at=now)
        return _assignment(row, case)

    def current(self, case_id: str) -> Assignment | None:
        row = (LeaderAssignment.select().where((LeaderAssignment.case_id == case_id)
                                               & LeaderAssignment.ended_at.is_null())
               .order_by(LeaderAssignment.assigned_at.desc()).first())
        if row is None:
            return None
        return _assignment(row, Case.get_or_none(Case.id == case_id))

    def owned_by(self, leader_name: str, *, open_only: bool = True) -> list[Assignment]:
        """A leader's own list of owned cases, earliest target first."""
        return self._assignments(LeaderAssignment.leader_name == leader_name, open_only)

    def all_open(self) -> list[Assignment]:
        """Every 包案 in force on an open case, earliest target first."""
        return self._assignments(None, True)

    def _assignments(self, cond, open_only: bool) -> list[Assignment]:
        from ..domain.workflow import OPEN_STATUSES

        where = LeaderAssignment.ended_at.is_null()
        if cond is not None:
            where = where & cond
        q = (LeaderAssignment.select(LeaderAssignment, Case)
             .join(Case, on=(Case.id == LeaderAssignment.case_id)).where(where))
        if open_only:
            q = q.where(Case.status.in_([s.value for s in OPEN_STATUSES]))
        return [_assignment(r, r.case) for r in q.order_by(LeaderAssignment.target_date)]


@dataclass(frozen=True)
class Referral:
    id: str
    kind: str
    kind_label: str
    agency: str
    referred_on: date
    note: str
    outcome: str | None
    outcome_on: date | None


@dataclass(frozen=True)
class Flag:
    id: str
    person_id: str
    person_name: str
    kind: HardshipKind
    note: str
    opened_at: datetime
    opened_by: str
    cleared_at: datetime | None
    clear_reason: str | None
    referrals: tuple[Referral, ...]


class HardshipService:
    """急难: a person's hardship, referrals to social or judicial assistance, and their outcome."""

    def __init__(self, services):
        self.services = services

    def flag(self, actor: Actor, person_id: str, kind, note: str | None = None, case_ref: str | None = None) -> Flag:
        require(actor, Permission.NOTE)
        kind = HardshipKind.parse(kind.value if isinstance(kind, HardshipKind) else str(kind))
        note = clean_text(note, label="急难情况说明", field="note", required=kind == HardshipKind.OTHER, limit=1000) or ""
        now = self.services.clock.now()
        with self.services.db.atomic():
            person = Person.get_or_none(Person.id == person_id)
            if person is None:
                raise NotFound("找不到该信访人，请重新选择")
            case_id = find_case(case_ref).id if case_ref else None
            require_writable(self.services.db, actor.unit_code, "hardship_flag", {"person_id": person.id, "case_id": case_id})
            open_same = HardshipFlag.get_or_none((HardshipFlag.person_id == person.id) & (HardshipFlag.kind == kind.value)
                                                 & HardshipFlag.cleared_at.is_null())
            if open_same is not None:
                raise InvalidInput(f"{person.name}已有未解除的“{kind.label}”急难标记，无需重复标记", field="kind")
            row = HardshipFlag.create(unit_code=actor.unit_code, person_id=person.id, case_id=case_id, kind=kind.value,
                                      note=note, opened_by=actor.name, opened_at=now, updated_at=now)
            audit(actor, "attention.hardship.flag", person.id, {"kind": kind.value}, at=now)
        return self._flag(row)

    def clear(self, actor: Actor, flag_id: str, reason: str) -> Flag:
        require(actor, Permission.NOTE)
        reason = clean_text(reason, label="解除理由", field="reason", required=True, limit=1000)
        now = self.services.clock.now()
        with self.services.db.atomic():
            row = HardshipFlag.get_or_none(HardshipFlag.id == flag_id)
            if row is None:
                raise NotFound("找不到该急难标记")
            require_own_row(self.services.db, actor.unit_code, "hardship_flag", row.unit_code)
            if row.cleared_at is not None:
                raise InvalidInput(f"该急难标记已于{row.cleared_at:%Y-%m-%d}解除", field="flag")
            row.cleared_at, row.cleared_by, row.clear_reason = now, actor.name, reason
            row.version += 1
            row.updated_at = now
            row.save()
            audit(actor, "attention.hardship.clear", row.person_id, {"flag": row.id, "reason": reason}, at=now)
        return self._flag(row)

    def refer(self, actor: Actor, flag_id: str, kind: str, agency: str, referred_on=None,
              note: str | None = None) -> Referral:
        require(actor, Permission.NOTE)
        kinds = {**{k: k for k in REFERRAL_KINDS}, **{v: k for k, v in REFERRAL_KINDS.items()}}
        if kind not in kinds:
            raise InvalidInput("救助类别应为社会救助或司法救助", field="kind")
        agency = clean_text(agency, label="救助机构", field="agency", required=True, limit=200)
        note = clean_text(note, label="说明", field="note", required=False, limit=1000) or ""
        day = parse_day(referred_on, "转介日期", "referred_on") if referred_on else self.services.clock.today()
        if day > self.services.clock.today():
            raise InvalidInput("转介日期晚于今天，请核对", field="referred_on")
        now = self.services.clock.now()
        with self.services.db.atomic():
            flag = HardshipFlag.get_or_none(HardshipFlag.id == flag_id)
            if flag is None:
                raise NotFound("找不到该急难标记")
            require_writable(self.services.db, actor.unit_code, "hardship_referral", {"flag_id": flag.id})
            row = HardshipReferral.create(unit_code=actor.unit_code, flag_id=flag.id, kind=kinds[kind], agency=agency,
                                          referred_on=day, note=note, recorded_by=actor.name, updated_at=now)
            audit(actor, "attention.hardship.refer", flag.person_id, {"flag": flag.id, "kind": kinds[kind]}, at=now)
        return _referral(row)

    def referral_outcome(self, actor: Actor, referral_id: str, outcome: str, on=None) -> Referral:
        require(actor, Permission.NOTE)
        outcome = clean_text(outcome, label="救助结果", field="outcome", required=True, limit=1000)
        day = parse_day(on, "结果日期", "outcome_on") if on else self.services.clock.today()
        now = self.services.clock.now()
        with self.services.db.atomic():
            row = HardshipReferral.get_or_none(HardshipReferral.id == referral_id)
            if row is None:
                raise NotFound("找不到该救助转介记录")
            require_own_row(self.services.db, actor.unit_code, "hardship_referral", row.unit_code)
            if day < row.referred_on:
                raise InvalidInput("结果日期早于转介日期，请核对", field="outcome_on")
            row.outcome, row.outcome_on = outcome, day
            row.version += 1
            row.updated_at = now
            row.save()
            audit(actor, "attention.hardship.referral_outcome", row.flag_id, {"referral": row.id}, at=now)
        return _referral(row)

    def of_person(self, person_id: str, *, open_only: bool = False) -> list[Flag]:
        q = HardshipFlag.select().where(HardshipFlag.person_id == person_id)
        if open_only:
            q = q.where(HardshipFlag.cleared_at.is_null())
        return [self._flag(r) for r in q.order_by(HardshipFlag.opened_at)]

    def _flag(self, row: HardshipFlag) -> Flag:
        person = Person.get_or_none(Person.id == row.person_id)
        refs = tuple(_referral(r) for r in HardshipReferral.select().where(HardshipReferral.flag_id == row.id)
                     .order_by(HardshipReferral.referred_on))
        return Flag(row.id, row.person_id, person.name if person else "", HardshipKind(row.kind), row.note,
                    row.opened_at, row.opened_by, row.cleared_at, row.clear_reason, refs)


def _referral(r: HardshipReferral) -> Referral:
    return Referral(r.id, r.kind, REFERRAL_KINDS.get(r.kind, r.kind), r.agency, r.referred_on, r.note, r.outcome,
                    r.outcome_on)

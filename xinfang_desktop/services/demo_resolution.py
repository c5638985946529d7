"""Demo data of 信访评理 and the 积案 register, made after the board's (services/demo.py): a few 评理 sessions,
matters open past the board's 长期未化解天数 put on the register with a plan, some of them already resolved."""

from __future__ import annotations

import random
from datetime import timedelta

from ..domain.workflow import OPEN_STATUSES
from ..store.models import Case, CaseParty
from ..store.models_resolution import BacklogEntry, BacklogStep, DeliberationSession
from .board import board_settings
from .permissions import Actor

PANEL = (("陈老支书", "退休村干部"), ("林党员", "老党员"), ("郑调解", "人民调解员"), ("黄老师", "退休教师"))
STEPS = (("约谈被反映单位负责人，核实诉求", "镇信访办"), ("组织信访评理", "镇综治中心"), ("召开专题协调会", "分管副镇长"),
         ("落实处理意见并回访", "承办单位"))
OUTCOMES = (("resolved", "诉求已依法解决，信访人表示认可"), ("ended", "经复查复核维持，依法终结"))


def generate(services, actor: Actor, rng: random.Random) -> dict[str, int]:
    today, now, unit = services.clock.today(), services.clock.now(), actor.unit_code
    long_days = board_settings().long_standing_days
    cases = list(Case.select(Case.id, Case.received_at)
                 .where(Case.status.in_([s.value for s in OPEN_STATUSES])).order_by(Case.sid))
    counts = {"deliberations": 0, "backlog": 0}
    with services.db.atomic():
        for case in cases:
            received = case.received_at.date()
            if rng.random() < 0.04:
                held = max(received, today - timedelta(days=rng.randint(0, 60)))
                parties = [p.person.name for p in CaseParty.select().where(CaseParty.case == case.id).limit(2)]
                DeliberationSession.create(
                    unit_code=unit, case_id=case.id, held_on=held, place="镇红土先锋评理室",
                    panel=[{"name": n, "role": r} for n, r in rng.sample(PANEL, 3)],
                    attendees=[*(parties or ["信访人"]), "被反映单位代表"],
                    statements="信访人陈述了诉求和理由，被反映单位说明了办理情况",
                    view="评理团认为诉求部分有据，建议被反映单位依政策解决合理部分，并向信访人解释其余部分",
                    accepted=rng.random() < 0.6, actor=actor.name, recorded_at=now)
                counts["deliberations"] += 1
            if (today - received).days > long_days and rng.random() < 0.3:
                decided = received + timedelta(days=long_days + rng.randint(1, 20))
                entry = BacklogEntry.create(unit_code=unit, case_id=case.id, basis="long_open",
                                            reason=f"信访超过{long_days}天未化解，经镇信访工作联席会议研究列入",
                                            decided_on=decided, decided_by=actor.display_name, updated_at=now)
                for i, (action, who) in enumerate(rng.sample(STEPS, rng.randint(1, 3)), 1):
                    due = decided + timedelta(days=15 * i)
                    done = due - timedelta(days=2) if due < today and rng.random() < 0.7 else None
                    BacklogStep.create(unit_code=unit, entry_id=entry.id, position=i, action=action, responsible=who,
                                       set_on=decided, due_on=due, done_on=done, result="已按期完成" if done else None,
                                       recorded_by=actor.name, updated_at=now)
                if rng.random() < 0.25 and decided + timedelta(days=30) < today:
                    outcome, note = rng.choice(OUTCOMES)
                    BacklogEntry.update(outcome=outcome, outcome_on=decided + timedelta(days=30), outcome_note=note,
                                        closed_by=actor.display_name, version=2).where(BacklogEntry.id == entry.id).execute()
                else:       # still on the register: a step ahead, some of them near their date
                    set_on = max(decided, today - timedelta(days=10))
                    BacklogStep.create(unit_code=unit, entry_id=entry.id, position=i + 1, action="召开跟踪督办会，研究下一步化解措施",
                                       responsible="分管副镇长", set_on=set_on,
                                       due_on=today + timedelta(days=rng.randint(1, 20)), recorded_by=actor.name,
                                       updated_at=now)
                counts["backlog"] += 1
    return counts

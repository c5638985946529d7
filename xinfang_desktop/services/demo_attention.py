"""Demo data for the board: leaders owning some open cases, hardship flags with referrals,
mediation sessions (some with agreements, one corrected) and leaders' receptions.

Called at the end of demo.generate(); reproducible from its seed. Rows are written directly
(like the rest of the demo data) in one transaction.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from ..domain.board import HardshipKind
from ..domain.workflow import OPEN_STATUSES
from ..store.models import Case, CaseParty, User
from ..store.models_attention import HardshipFlag, HardshipReferral, LeaderAssignment, MediationSession, Reception
from .permissions import Actor, Role

LEADERS = (("leader_li", "李镇长"), ("leader_wang", "王书记"), ("leader_chen", "陈副镇长"))
PLANS = ("约谈被反映单位负责人，督促限期解决", "召集相关部门联席会议，逐项研究化解方案", "入户走访了解诉求，协调落实帮扶措施",
         "会同司法所开展法律释明，引导通过法定途径解决")
PLACES = ("镇人民调解委员会调解室", "镇综治中心", "村委会会议室", "镇信访接待大厅")
MEDIATORS = (("陈调解", "人民调解员"), ("林律师", "律师"), ("黄法官", "法官"), ("郑主任", "村干部"), ("吴所长", "司法所长"))
NOTES = {HardshipKind.NO_INCOME: "家中主要劳动力患病，暂无收入来源", HardshipKind.UNPAID_WAGES: "被拖欠工资半年，子女学费无着落",
         HardshipKind.MEDICAL: "家人住院急需手术费", HardshipKind.OTHER: "房屋受灾，暂无住处"}


def _leaders(services, actor: Actor) -> list[tuple[str, str]]:
    """Leader accounts for the demo: created without a usable password (an administrator sets one)."""
    existing = [(u.name, u.display_name) for u in User.select().where(User.role == Role.LEADER.value)]
    if existing:
        return existing
    out = []
    for name, display in LEADERS:
        if User.get_or_none(User.name == name) is None:
            # A random password nobody knows: the account cannot be used until reset.
            services.auth.add_user(actor, name, Role.LEADER, secrets.token_urlsafe(18) + "-Aa1", display)
        out.append((name, display))
    return out


def generate(services, actor: Actor, rng: random.Random) -> dict[str, int]:
    today = services.clock.today()
    now = services.clock.now()
    leaders = _leaders(services, actor)
    unit = actor.unit_code
    open_cases = list(Case.select(Case.id, Case.received_at, Case.parties_label)
                      .where(Case.status.in_([s.value for s in OPEN_STATUSES])).order_by(Case.sid))
    counts = {"assignments": 0, "hardships": 0, "mediations": 0, "receptions": 0}
    with services.db.atomic():
        for case in open_cases:
            r = rng.random()
            if r < 0.08:
                name, display = rng.choice(leaders)
                LeaderAssignment.create(unit_code=unit, case_id=case.id, leader_name=name, leader_display=display,
                                        plan=rng.choice(PLANS), target_date=today + timedelta(days=rng.randint(5, 60)),
                                        assigned_by=actor.name, assigned_at=now, updated_at=now)
                counts["assignments"] += 1
            if rng.random() < 0.1:
                held = max(case.received_at.date(), today - timedelta(days=rng.randint(0, 40)))
                outcome = rng.choices(["agreement", "partial", "none"], [3, 2, 5])[0]
                chosen = rng.sample(MEDIATORS, rng.randint(1, 2))
                parties = [p.person.name for p in CaseParty.select().where(CaseParty.case == case.id).limit(3)]
                nxt = held + timedelta(days=rng.randint(5, 20)) if outcome != "agreement" else None
                row = MediationSession.create(
                    unit_code=unit, case_id=case.id, held_on=held, place=rng.choice(PLACES),
                    kind=rng.choice(["people", "admin", "judicial", "linked"]),
                    mediators=[{"name": n, "role": role} for n, role in chosen], parties=parties or ["信访人"],
                    discussion="双方就诉求事项和解决方式进行协商", outcome=outcome,
                    agreement="双方同意按协商方案分期履行" if outcome != "none" else None,
                    agreement_kind="调解协议书" if outcome != "none" else None,
                    next_session=nxt, actor=actor.name, recorded_at=now)
                counts["mediations"] += 1
                if counts["mediations"] == 1:   # one corrected entry, to show how corrections look
                    MediationSession.create(
                        unit_code=unit, case_id=case.id, held_on=held, place=PLACES[1], kind=row.kind,
                        mediators=row.mediators, parties=row.parties, discussion=row.discussion, outcome=row.outcome,
                        agreement=row.agreement, agreement_kind=row.agreement_kind, next_session=row.next_session,
                        corrects=row.id, actor=actor.name, recorded_at=now + timedelta(seconds=1))
            if rng.random() < 0.03:
                party = CaseParty.select().where(CaseParty.case == case.id).first()
                if party is not None:
                    kind = rng.choice(list(HardshipKind))
                    flag = HardshipFlag.create(unit_code=unit, person_id=party.person_id, case_id=case.id,
                                               kind=kind.value, note=NOTES[kind], opened_by=actor.name, opened_at=now,
                                               updated_at=now)
                    if rng.random() < 0.5:
                        HardshipReferral.create(unit_code=unit, flag_id=flag.id,
                                                kind=rng.choice(["social", "judicial"]), agency="镇社会事务办",
                                                referred_on=today - timedelta(days=rng.randint(0, 10)),
                                                recorded_by=actor.name, updated_at=now)
                    counts["hardships"] += 1
        for _ in range(60):
            batches = rng.randint(1, 6)
            kind = rng.choice(["home_visit", "invited", "open_door", "return_visit", "reception_day"])
            place = (rng.choice(("信访人家中", "村委会会议室")) if kind in ("home_visit", "return_visit")
                     else rng.choice(("镇信访接待大厅", "镇综治中心")))
            Reception.create(unit_code=unit, leader=rng.choice(leaders)[1],
                             held_on=today - timedelta(days=rng.randint(0, 180)), place=place, kind=kind,
                             batches=batches, persons=batches + rng.randint(0, 8), case_ids=[], notes="",
                             recorded_by=actor.name, recorded_at=now, updated_at=now)
            counts["receptions"] += 1
    return counts


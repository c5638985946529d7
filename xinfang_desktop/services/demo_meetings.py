"""Demo data for the 会议 page (issue 19): last week's 跟踪督办会 on three open matters, with tasks for the units
concerned — one overdue, one due soon, one done, one with time to spare — recorded through MeetingService, so
the demo shows the page, the 工作台's section and the cases' deadlines as a clerk would find them.

Called at the end of demo.generate(); it picks its matters with the demo's seeded generator."""

from __future__ import annotations

import random
from datetime import timedelta

from ..domain.workflow import OPEN_STATUSES
from ..store.models import Case
from .meetings import MeetingInput, MeetingService, TaskInput
from .permissions import Actor

UNITS = ("镇综治中心", "镇司法所", "相关村委会", "镇信访办")
# Work on any matter (the demo's matters are of every category): find the facts, explain the law, answer.
WORK = (("镇综治中心", "召集被反映单位，核实诉求所涉事实"), ("镇司法所", "开展法律释明，引导通过法定途径解决"),
        ("相关村委会", "入户了解诉求，提出化解建议"), ("镇信访办", "整理办理情况，书面答复信访人"))


def generate(services, actor: Actor, rng: random.Random) -> int:
    """The meetings written (0 when there are too few open matters old enough)."""
    today = services.clock.today()
    held = today - timedelta(days=7)
    cases = list(Case.select(Case.number).where(Case.status.in_([s.value for s in OPEN_STATUSES])
                                                & (Case.received_at < held - timedelta(days=1))).order_by(Case.sid))
    if len(cases) < 3:
        return 0
    picked = [c.number for c in rng.sample(cases, 3)]
    dues = (today - timedelta(days=2), today + timedelta(days=3), today + timedelta(days=21))
    tasks = [TaskInput(number, *WORK[i], due) for i, (number, due) in enumerate(zip(picked, dues))]
    tasks.append(TaskInput(picked[0], *WORK[3], today + timedelta(days=10)))
    meetings = services.get(MeetingService)
    view = meetings.add(actor, MeetingInput(
        kind="跟踪督办会", held_on=held, chair="李镇长", place="镇政府三楼会议室", units=UNITS, matters=picked,
        tasks=tasks, summaries={picked[0]: "被反映单位已承认部分事实，需核实具体数额"},
        notes="逾期未完成的任务，提交下次跟踪督办会督办。"))
    done = next(t for t in view.tasks if t.unit == WORK[3][0])
    meetings.close_task(actor, done.id, "已书面答复，信访人表示收到", today - timedelta(days=1))
    return 1

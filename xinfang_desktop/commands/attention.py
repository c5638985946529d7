"""`xinfang board`, `mediation add`, `reception add|summary`, `followup add` and (added under
`case` by commands/cases.py) `case assign-leader`."""

from __future__ import annotations

import argparse

from ..domain.errors import InvalidInput
from ._common import acting_user, emit_json, open_services


def register(sub) -> None:
    from ._common import ChineseArgumentParser

    s = sub.add_parser("board", help="四色看板：需领导关注的信访事项，每件的颜色、原因、责任领导和下一步")
    s.add_argument("--by", choices=["matter", "person"], default="matter",
                   help="matter：按信访事项（默认）；person：按人员查看，用于查找某人的事项")
    s.add_argument("--township", help="乡镇区划代码")
    s.add_argument("--leader", help="包案领导姓名")
    s.add_argument("--category", help="问题类别代码（两位为一级类别）")
    s.add_argument("--colour", help="红A|橙B|黄C|绿D")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_board)

    s = sub.add_parser("mediation", help="调解记录")
    ms = s.add_subparsers(dest="mediation_cmd", required=True, parser_class=ChineseArgumentParser)
    a = ms.add_parser("add", help="记录一次调解（只增不改；更正请用 --corrects 指明被更正的记录）")
    a.add_argument("number", help="事项编号")
    a.add_argument("--date", required=True, help="调解日期 YYYY-MM-DD")
    a.add_argument("--place", required=True)
    a.add_argument("--kind", required=True, help="人民调解|行政调解|司法调解|访调对接")
    a.add_argument("--mediator", action="append", required=True, metavar="姓名[:身份]",
                   help="调解员，可多次给出，如 林律师:律师")
    a.add_argument("--party", action="append", required=True, help="到场当事人，可多次给出")
    a.add_argument("--discussion", required=True, help="调解情况")
    a.add_argument("--outcome", required=True, help="达成协议|部分达成|未达成")
    a.add_argument("--agreement", help="协议内容")
    a.add_argument("--agreement-kind", choices=["调解协议书", "和解协议书"])
    a.add_argument("--next", dest="next_session", help="下次调解日期 YYYY-MM-DD")
    a.add_argument("--corrects", help="被更正的调解记录编号")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_mediation_add)

    s = sub.add_parser("reception", help="领导接访")
    rs = s.add_subparsers(dest="reception_cmd", required=True, parser_class=ChineseArgumentParser)
    a = rs.add_parser("add", help="记录一次领导接访")
    a.add_argument("--leader", required=True)
    a.add_argument("--date", required=True, help="接访日期 YYYY-MM-DD")
    a.add_argument("--place", required=True)
    a.add_argument("--kind", required=True, help="登门走访|进门约访|开门接访|上门回访|接访日")
    a.add_argument("--batches", type=int, required=True, help="接待批次")
    a.add_argument("--persons", type=int, required=True, help="接待人次")
    a.add_argument("--case", action="append", default=[], help="相关事项编号，可多次给出")
    a.add_argument("--notes")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_reception_add)
    a = rs.add_parser("summary", help="某期间的接访汇总：按方式和合计的批次、人次")
    a.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD")
    a.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_reception_summary)

    s = sub.add_parser("followup", help="回访")
    fs = s.add_subparsers(dest="followup_cmd", required=True, parser_class=ChineseArgumentParser)
    a = fs.add_parser("add", help="记录回访：方式、满意度和情况")
    a.add_argument("number", help="事项编号")
    a.add_argument("--method", required=True, help="电话|上门")
    a.add_argument("--rating", help="满意|基本满意|不满意")
    a.add_argument("--notes")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_followup_add)


def add_case_parsers(cs) -> None:
    """`case assign-leader`, under the existing `case` command (called from commands/cases.py)."""
    a = cs.add_parser("assign-leader", help="指定包案领导：化解方案和目标日期")
    a.add_argument("number", help="事项编号")
    a.add_argument("--leader", required=True, help="领导的用户名或姓名")
    a.add_argument("--plan", required=True, help="化解方案")
    a.add_argument("--target", required=True, help="目标化解日期 YYYY-MM-DD")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_assign_leader)


def cmd_board(args: argparse.Namespace) -> int:
    from ..domain.board import Colour
    from ..services.board import BoardFilter, BoardService, BoardView

    svc = open_services(args)
    actor = acting_user(svc, args)
    f = BoardFilter(township=args.township, leader=args.leader, category=args.category,
                    colour=Colour.parse(args.colour) if args.colour else None)
    view = BoardView(args.by)
    boards = svc.get(BoardService)
    if args.format == "json":
        # The fields of earlier versions keep their meaning ("counts" and "people": the grouping by
        # person); the board by matter comes as "matters" and "matter_counts" beside them.
        if view is BoardView.MATTER:
            matters, people = boards.both(actor, f)
        else:
            matters, people = None, boards.board(actor, f, view)
        out = {"date": people.today, "by": view.value, "counts": _counts(people), "people": [c.as_json() for c in people.cards]}
        if matters is not None:
            out.update(matter_counts=_counts(matters), matters=[c.as_json() for c in matters.cards])
        emit_json(out)
        return 0
    board = boards.board(actor, f, view)
    counts = board.counts()
    unit = view.unit
    print(f"{board.today:%Y-%m-%d} 四色看板（{view.label}）：共{len(board.cards)}{unit}；"
          + "；".join(f"{c.title} {counts[c]}{unit}" for c in Colour))
    for card in board.cards:
        g = card.grade
        if view is BoardView.MATTER:
            several = f"  含信访{len(g.matters)}件" if len(g.matters) > 1 else ""
            print(f"{g.colour.title}  {card.number}  {card.category}  {card.parties}{several}")
            print(f"    诉求：{card.request}")
        else:
            print(f"{g.colour.title}  {card.name}  {card.id_masked or '—'}  {card.place}  未结事项{len(g.matters)}件")
        for r in card.reason_texts():
            print(f"    原因：{r}")
        if card.override_text():
            print(f"    领导调整：{card.override_text()}")
        owner = card.owner_text() if view is BoardView.MATTER else (g.owner or "未包案")
        print(f"    {'责任' if view is BoardView.MATTER else '包案'}：{owner}    下一步：{g.next_step or '—'}"
              + (f"（{g.next_date:%Y-%m-%d}）" if g.next_date else ""))
    return 0


def _counts(board) -> dict[str, int]:
    return {c.value: n for c, n in board.counts().items()}


def cmd_mediation_add(args: argparse.Namespace) -> int:
    from ..services.mediation import Mediator, MediationService, SessionInput

    svc = open_services(args)
    actor = acting_user(svc, args)
    mediators = []
    for m in args.mediator:
        name, _, role = m.replace("：", ":").partition(":")
        mediators.append(Mediator(name.strip(), role.strip() or "调解员"))
    s = svc.get(MediationService).add(actor, SessionInput(
        case_ref=args.number, held_on=args.date, place=args.place, kind=args.kind, mediators=mediators,
        parties=args.party, discussion=args.discussion, outcome=args.outcome, agreement=args.agreement,
        agreement_kind=args.agreement_kind, next_session=args.next_session, corrects=args.corrects))
    if args.format == "json":
        emit_json({"id": s.id, "case": s.case_number, "held_on": s.held_on, "kind": s.kind.label,
                   "outcome": s.outcome.label, "corrects": s.corrects, "next_session": s.next_session})
    else:
        print(f"已记录调解：{s.case_number} {s.held_on:%Y-%m-%d} {s.kind.label}，{s.outcome.label}（记录编号 {s.id}）")
    return 0


def cmd_reception_add(args: argparse.Namespace) -> int:
    from ..services.reception import ReceptionService

    svc = open_services(args)
    actor = acting_user(svc, args)
    e = svc.get(ReceptionService).add(actor, leader=args.leader, held_on=args.date, place=args.place, kind=args.kind,
                                      batches=args.batches, persons=args.persons, cases=args.case, notes=args.notes)
    if args.format == "json":
        emit_json({"id": e.id, "leader": e.leader, "held_on": e.held_on, "kind": e.kind.label, "batches": e.batches,
                   "persons": e.persons, "cases": list(e.case_numbers)})
    else:
        print(f"已记录接访：{e.leader} {e.held_on:%Y-%m-%d} {e.kind.label}，{e.batches}批{e.persons}人次")
    return 0


def cmd_reception_summary(args: argparse.Namespace) -> int:
    from ..services.reception import ReceptionService

    svc = open_services(args)
    actor = acting_user(svc, args)
    s = svc.get(ReceptionService).summary(actor, args.start, args.end)
    if args.format == "json":
        emit_json(s.as_json())
        return 0
    print(f"领导接访汇总 {s.start:%Y-%m-%d} 至 {s.end:%Y-%m-%d}")
    print("方式\t次数\t批次\t人次")
    for ln in s.display_lines():
        print(f"{ln.label}\t{ln.receptions}\t{ln.batches}\t{ln.persons}")
    return 0


def cmd_followup_add(args: argparse.Namespace) -> int:
    from ..domain.workflow import EventKind

    svc = open_services(args)
    actor = acting_user(svc, args)
    if args.method not in ("电话", "上门", "phone", "visit"):
        raise InvalidInput("回访方式应为电话或上门", field="method")
    state = svc.cases.act(actor, args.number, EventKind.FOLLOWED_UP,
                          {"method": args.method, "rating": args.rating, "notes": args.notes})
    if args.format == "json":
        emit_json({"number": args.number, "status": state.status.value if state.status else None,
                   "rating": state.rating.label if state.rating else None})
    else:
        print(f"已记录回访：{args.number}" + (f"，{state.rating.label}" if state.rating else ""))
    return 0


def cmd_assign_leader(args: argparse.Namespace) -> int:
    from ..services.attention import OwnershipService

    svc = open_services(args)
    actor = acting_user(svc, args)
    a = svc.get(OwnershipService).assign(actor, args.number, args.leader, args.plan, args.target)
    if args.format == "json":
        emit_json({"case": a.case_number, "leader": a.leader_name, "leader_name": a.leader_display, "plan": a.plan,
                   "target_date": a.target_date})
    else:
        print(f"已指定包案领导：{a.case_number} 由{a.leader_display}包案，目标{a.target_date:%Y-%m-%d}前化解")
    return 0

"""`xinfang deliberation add|list|show|print` (信访评理) and `xinfang backlog suggest|add|list|show|step|done|resolve`
(the 积案 register), in the style of `xinfang mediation add`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import acting_user, emit_items, emit_one, open_services, write_document


def register(sub) -> None:
    from ._common import ChineseArgumentParser

    s = sub.add_parser("deliberation", help="信访评理：评理团听取各方陈述并公开评理")
    ds = s.add_subparsers(dest="deliberation_cmd", required=True, parser_class=ChineseArgumentParser)
    a = ds.add_parser("add", help="记录一次信访评理（只增不改；更正请用 --corrects 指明被更正的记录）")
    a.add_argument("number", help="事项编号（可用短号）")
    a.add_argument("--date", required=True, help="评理日期 YYYY-MM-DD")
    a.add_argument("--place", required=True)
    a.add_argument("--panel", action="append", required=True, metavar="姓名[:身份]",
                   help="评理团成员，可多次给出，如 陈老支书:退休村干部（只写姓名和身份）")
    a.add_argument("--attendee", action="append", required=True, help="到场人员，可多次给出")
    a.add_argument("--statements", required=True, help="各方陈述（摘要）")
    a.add_argument("--view", required=True, help="评理团的意见")
    a.add_argument("--accepted", required=True, help="信访人是否接受评理意见：接受|不接受")
    a.add_argument("--corrects", help="被更正的评理记录编号")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_deliberation_add)
    a = ds.add_parser("list", help="评理记录：某事项的，或最近的")
    a.add_argument("number", nargs="?", help="事项编号；不给出则列出最近的评理")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_deliberation_list)
    a = ds.add_parser("show", help="一次评理的全部内容")
    a.add_argument("id", help="评理记录编号")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_deliberation_show)
    a = ds.add_parser("print", help="导出一页的信访评理意见 PDF")
    a.add_argument("id", help="评理记录编号")
    a.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_deliberation_print)

    s = sub.add_parser("backlog", help="积案台账：列入（需决定和理由）、化解方案、化解结果")
    bs = s.add_subparsers(dest="backlog_cmd", required=True, parser_class=ChineseArgumentParser)
    a = bs.add_parser("suggest", help="按规则建议列入积案的事项（长期未化解、重复信访），由经办人或领导决定")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_backlog_suggest)
    a = bs.add_parser("add", help="决定将事项列入积案台账")
    a.add_argument("number", help="事项编号（可用短号）")
    a.add_argument("--basis", required=True, help="依据：长期未化解|重复信访|其他")
    a.add_argument("--reason", required=True, help="列入的理由")
    a.add_argument("--date", help="决定日期 YYYY-MM-DD，默认今天")
    a.add_argument("--step", action="append", default=[], metavar="内容|责任人|期限",
                   help="化解方案的步骤，可多次给出，如 约谈企业负责人|镇劳动保障所|2026-12-20")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_backlog_add)
    a = bs.add_parser("list", help="积案台账（按事项）：化解方案、包案领导、下一步和列入天数")
    a.add_argument("--all", action="store_true", help="含已化解移出的")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_backlog_list)
    a = bs.add_parser("show", help="一件积案：决定、化解方案的每一步和化解结果")
    a.add_argument("ref", help="事项编号或积案编号")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_backlog_show)
    a = bs.add_parser("step", help="在化解方案中增加一步")
    a.add_argument("ref", help="事项编号或积案编号")
    a.add_argument("--action", required=True, help="做什么")
    a.add_argument("--responsible", required=True, help="责任人（单位）")
    a.add_argument("--due", required=True, help="完成期限 YYYY-MM-DD")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_backlog_step)
    a = bs.add_parser("done", help="记录化解方案某一步的完成情况")
    a.add_argument("ref", help="事项编号或积案编号")
    a.add_argument("position", type=int, help="第几步")
    a.add_argument("--result", required=True, help="完成情况")
    a.add_argument("--date", help="完成日期，默认今天")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_backlog_done)
    a = bs.add_parser("resolve", help="以化解结果移出积案台账：案结事了|息诉罢访|依法终结")
    a.add_argument("ref", help="事项编号或积案编号")
    a.add_argument("--outcome", required=True, help="案结事了|息诉罢访|依法终结")
    a.add_argument("--note", required=True, help="化解情况")
    a.add_argument("--date", help="化解日期，默认今天")
    a.add_argument("--statement", help="息诉罢访：信访人签字的承诺书扫描件（文件，或该事项已有附件的文件名）")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_backlog_resolve)


# -- 信访评理 ---------------------------------------------------------------------------------------------
def _deliberation_json(d) -> dict:
    return {"id": d.id, "case": d.case_number, "held_on": d.held_on, "place": d.place,
            "panel": [{"name": m.name, "role": m.role} for m in d.panel], "attendees": list(d.attendees),
            "statements": d.statements, "view": d.view, "accepted": d.accepted, "corrects": d.corrects,
            "corrected_by": d.corrected_by, "recorded_by": d.actor, "unit": d.unit_code}


def _deliberation_line(d) -> str:
    mark = "" if d.current else "（已更正）"
    return f"{d.held_on:%Y-%m-%d} {d.case_number} {d.place} {d.accepted_label}{mark}（记录编号 {d.id}）"


def _deliberation_lines(d):
    yield _deliberation_line(d)
    yield "评理团：" + "、".join(f"{m.name}（{m.role}）" for m in d.panel)
    yield "到场人员：" + "、".join(d.attendees)
    yield f"各方陈述：{d.statements}"
    yield f"评理意见：{d.view}"
    if d.corrected_by:
        yield f"已被记录 {d.corrected_by} 更正。"


def cmd_deliberation_add(args: argparse.Namespace) -> int:
    from ..services.deliberation import DeliberationInput, DeliberationService, Panelist

    svc = open_services(args)
    actor = acting_user(svc, args)
    panel = []
    for m in args.panel:
        name, _, role = m.replace("：", ":").partition(":")
        panel.append(Panelist(name.strip(), role.strip() or "评理员"))
    d = svc.get(DeliberationService).add(actor, DeliberationInput(
        case_ref=args.number, held_on=args.date, place=args.place, panel=panel, attendees=args.attendee,
        statements=args.statements, view=args.view, accepted=args.accepted, corrects=args.corrects))
    emit_one(args, d, _deliberation_json,
             lambda d: [f"已记录信访评理：{d.case_number} {d.held_on:%Y-%m-%d}，{d.accepted_label}（记录编号 {d.id}）"])
    return 0


def cmd_deliberation_list(args: argparse.Namespace) -> int:
    from ..services.deliberation import DeliberationService

    svc = open_services(args)
    acting_user(svc, args)
    d = svc.get(DeliberationService)
    found = d.of_case(args.number) if args.number else d.recent()
    emit_items(args, found, _deliberation_json, _deliberation_line, empty="没有评理记录。")
    return 0


def cmd_deliberation_show(args: argparse.Namespace) -> int:
    from ..services.deliberation import DeliberationService

    svc = open_services(args)
    acting_user(svc, args)
    emit_one(args, svc.get(DeliberationService).get(args.id), _deliberation_json, _deliberation_lines)
    return 0


def cmd_deliberation_print(args: argparse.Namespace) -> int:
    from ..services.deliberation import DeliberationService

    svc = open_services(args)
    actor = acting_user(svc, args)
    return write_document(svc.get(DeliberationService).document(actor, args.id), args.out, args.format)


# -- the 积案 register ------------------------------------------------------------------------------------
def _entry_json(e) -> dict:
    nxt = e.next_step
    return {"id": e.id, "case": e.case_number, "unit": e.unit_code, "unit_name": e.unit_name, "request": e.request, "basis": e.basis.label,
            "reason": e.reason, "decided_on": e.decided_on, "decided_by": e.decided_by, "owner": e.owner,
            "days_open": e.days_open, "matter_days": e.matter_days, "on_register": e.on_register,
            "outcome": e.outcome.label if e.outcome else None, "outcome_on": e.outcome_on,
            "outcome_note": e.outcome_note, "statement_sha256": e.statement_sha256,
            "next_step": ({"position": nxt.position, "action": nxt.action, "due_on": nxt.due_on,
                           "urgency": nxt.urgency.value if nxt.urgency else None} if nxt else None),
            "steps": [{"position": s.position, "action": s.action, "responsible": s.responsible, "set_on": s.set_on,
                       "due_on": s.due_on, "done_on": s.done_on, "result": s.result,
                       "urgency": s.urgency.value if s.urgency else None} for s in e.steps]}


def _entry_line(e) -> str:
    nxt = e.next_step
    step = (f"下一步：{nxt.action}（{nxt.responsible}，{nxt.due_on:%Y-%m-%d}前，{nxt.urgency.symbol}{nxt.urgency.short_word}）"
            if nxt else "下一步：未定")
    state = f"已{e.outcome.label}（{e.outcome_on:%Y-%m-%d}）" if e.outcome else f"列入{e.days_open}天"
    return f"{e.case_number} {e.basis.label} 包案：{e.owner or '未指定'} {state} {step}"


def _entry_lines(e):
    yield _entry_line(e)
    yield f"列入：{e.decided_on:%Y-%m-%d}，{e.decided_by}决定；依据：{e.basis.label}；理由：{e.reason}"
    for s in e.steps:
        done = f"已于{s.done_on:%Y-%m-%d}完成：{s.result}" if s.done_on else f"{s.urgency.symbol}{s.urgency.short_word}"
        yield f"  {s.position}. {s.action}（{s.responsible}，{s.due_on:%Y-%m-%d}前）{done}"
    if e.outcome:
        yield f"化解结果：{e.outcome.label}（{e.outcome_on:%Y-%m-%d}）{e.outcome_note}"


def _steps(raw: list[str]):
    from ..domain.errors import InvalidInput
    from ..services.backlog import StepInput

    out = []
    for item in raw:
        parts = [p.strip() for p in item.replace("｜", "|").split("|")]
        if len(parts) != 3:
            raise InvalidInput(f"化解步骤应写成“内容|责任人|期限”，收到：{item}", field="steps")
        out.append(StepInput(*parts))
    return out


def _print_entry(args, e, said: str) -> None:
    """A change of an entry: what was done, then the entry's line (or its document)."""
    emit_one(args, e, _entry_json, lambda e: (said, _entry_line(e)))


def cmd_backlog_suggest(args: argparse.Namespace) -> int:
    from ..services.backlog import BacklogService

    svc = open_services(args)
    actor = acting_user(svc, args)
    found = svc.get(BacklogService).suggestions(actor)
    emit_items(args, found, lambda s: {"case": s.number, "basis": s.basis.label, "why": s.why},
               lambda s: f"{s.number} {s.basis.label}：{s.why}",
               end=(f"共{len(found)}件建议列入积案；列入须经决定并写明理由：xinfang backlog add 事项编号 --basis 依据 --reason 理由"
                    if found else "没有按规则建议列入积案的事项。"))
    return 0


def cmd_backlog_add(args: argparse.Namespace) -> int:
    from ..services.backlog import BacklogService

    svc = open_services(args)
    actor = acting_user(svc, args)
    e = svc.get(BacklogService).add(actor, args.number, basis=args.basis, reason=args.reason, decided_on=args.date,
                                    steps=_steps(args.step))
    _print_entry(args, e, f"已列入积案台账：{e.case_number}（积案编号 {e.id}）")
    return 0


def cmd_backlog_list(args: argparse.Namespace) -> int:
    from ..services.backlog import BacklogService

    svc = open_services(args)
    acting_user(svc, args)
    found = svc.get(BacklogService).register(include_resolved=args.all)
    emit_items(args, found, _entry_json, _entry_line, end=f"积案台账共{sum(e.on_register for e in found)}件在册。")
    return 0


def cmd_backlog_show(args: argparse.Namespace) -> int:
    from ..services.backlog import BacklogService

    svc = open_services(args)
    acting_user(svc, args)
    emit_one(args, svc.get(BacklogService).get(args.ref), _entry_json, _entry_lines)
    return 0


def cmd_backlog_step(args: argparse.Namespace) -> int:
    from ..services.backlog import BacklogService, StepInput

    svc = open_services(args)
    actor = acting_user(svc, args)
    e = svc.get(BacklogService).add_step(actor, args.ref, StepInput(args.action, args.responsible, args.due))
    _print_entry(args, e, f"已增加化解步骤（第{len(e.steps)}步）")
    return 0


def cmd_backlog_done(args: argparse.Namespace) -> int:
    from ..services.backlog import BacklogService

    svc = open_services(args)
    actor = acting_user(svc, args)
    e = svc.get(BacklogService).finish_step(actor, args.ref, args.position, args.result, args.date)
    _print_entry(args, e, f"已记录第{args.position}步完成")
    return 0


def cmd_backlog_resolve(args: argparse.Namespace) -> int:
    from ..services.backlog import BacklogService

    svc = open_services(args)
    actor = acting_user(svc, args)
    e = svc.get(BacklogService).resolve(actor, args.ref, outcome=args.outcome, note=args.note, outcome_on=args.date,
                                        statement=args.statement)
    _print_entry(args, e, f"已移出积案台账：{e.case_number}，{e.outcome.label}")
    return 0

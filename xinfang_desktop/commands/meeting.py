"""`xinfang meeting add|list|show|tasks|close-task|print` (issue 19): the office's 跟踪督办会, 推进会, 信访工作联席会议
and 专题会/研判会, the tasks they hand to units, and the 会议纪要."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import acting_user, emit_items, emit_one, open_services, write_document

KINDS = "跟踪督办会|推进会|信访工作联席会议|专题会|研判会"


def register(sub) -> None:
    from ._common import ChineseArgumentParser

    s = sub.add_parser("meeting", help="会议：跟踪督办会、推进会、信访工作联席会议、专题会／研判会，议定任务和会议纪要")
    ms = s.add_subparsers(dest="meeting_cmd", required=True, parser_class=ChineseArgumentParser)
    a = ms.add_parser("add", help="记录一次会议：研究的事项和议定的任务（单位、内容、时限）")
    a.add_argument("--kind", required=True, help=KINDS)
    a.add_argument("--date", required=True, help="会议日期 YYYY-MM-DD")
    a.add_argument("--chair", required=True, help="主持人")
    a.add_argument("--unit", action="append", required=True, help="参会单位，可多次给出（或用顿号分隔）")
    a.add_argument("--matter", action="append", required=True,
                   help="研究的事项编号，可多次给出；可只输入序号（1252）或年份-序号（2026-1252）")
    a.add_argument("--task", action="append", default=[], metavar="事项:责任单位:任务内容:完成时限",
                   help="议定任务，可多次给出，如 1252:镇劳动保障所:核实拖欠工资数额:2026-11-20")
    a.add_argument("--summary", action="append", default=[], metavar="事项:研究情况",
                   help="某事项的研究情况，可多次给出")
    a.add_argument("--place", default="", help="会议地点")
    a.add_argument("--topic", default="", help="会议议题（专题会、研判会）")
    a.add_argument("--notes", default="", help="其他事项")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_meeting_add)

    a = ms.add_parser("list", help="列出会议（新的在前）")
    a.add_argument("--from", dest="start", help="起始日期 YYYY-MM-DD")
    a.add_argument("--to", dest="end", help="截止日期 YYYY-MM-DD")
    a.add_argument("--kind", help=KINDS)
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_meeting_list)

    a = ms.add_parser("show", help="显示一次会议：研究的事项、议定任务和完成情况")
    a.add_argument("meeting", help="会议编号（见 meeting list，前8位即可）")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_meeting_show)

    a = ms.add_parser("tasks", help="未完成的会议任务（期限近的在前；市局可看到各乡镇的任务）")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_meeting_tasks)

    a = ms.add_parser("close-task", help="会议任务完成：记录完成日期和完成情况")
    a.add_argument("task", help="任务编号（见 meeting show 或 meeting tasks，前8位即可）")
    a.add_argument("--result", required=True, help="完成情况")
    a.add_argument("--date", help="完成日期 YYYY-MM-DD（默认今天）")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_meeting_close_task)

    a = ms.add_parser("print", help="生成会议纪要 PDF")
    a.add_argument("meeting", help="会议编号（前8位即可）")
    a.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_meeting_print)


def cmd_meeting_add(args: argparse.Namespace) -> int:
    from ..services.meetings import MeetingInput, MeetingService, parse_summary_lines, parse_task_line

    tasks = [parse_task_line(t) for t in args.task]         # bad input refused before the database is opened
    summaries = parse_summary_lines("\n".join(args.summary))
    svc = open_services(args)
    actor = acting_user(svc, args)
    view = svc.get(MeetingService).add(actor, MeetingInput(
        kind=args.kind, held_on=args.date, chair=args.chair, units=args.unit, matters=args.matter, tasks=tasks,
        place=args.place, topic=args.topic, summaries=summaries, notes=args.notes))
    emit_one(args, view, lambda v: v.as_json(),
             lambda v: [f"已记录{v.title()}：研究事项{len(v.matters)}件，议定任务{len(v.tasks)}项（会议编号 {v.id[:8]}）"])
    return 0


def cmd_meeting_list(args: argparse.Namespace) -> int:
    from ..services.meetings import MeetingService

    svc = open_services(args)
    actor = acting_user(svc, args)
    views = svc.get(MeetingService).list(actor, start=args.start, end=args.end, kind=args.kind)
    emit_items(args, views, _meeting_row_json, _meeting_line, empty="没有会议记录。")
    return 0


def _meeting_row_json(v) -> dict:
    return {"id": v.id, "unit": v.unit_code, "unit_name": v.unit_name, "kind": v.kind.label, "held_on": v.held_on,
            "issue": v.issue, "chair": v.chair, "topic": v.topic, "matters": len(v.matters), "tasks": len(v.tasks),
            "open_tasks": v.open_tasks}


def _meeting_line(v) -> str:
    return (f"{v.id[:8]}  {v.held_on:%Y-%m-%d}  {v.kind.label}（第{v.issue}期）  主持：{v.chair}  "
            f"研究事项{len(v.matters)}件  任务{len(v.tasks)}项（未完成{v.open_tasks}项）  {v.unit_name}")


def _task_line(t, today) -> str:
    return f"{t.id[:8]}  {t.case_number}  {t.unit}：{t.what}  时限{t.due_on:%Y-%m-%d}  {t.state_text(today)}"


def cmd_meeting_show(args: argparse.Namespace) -> int:
    from ..services.meetings import MeetingService

    svc = open_services(args)
    actor = acting_user(svc, args)
    v = svc.get(MeetingService).get(actor, args.meeting)
    emit_one(args, v, lambda v: v.as_json(), lambda v: _meeting_lines(v, svc.clock.today()))
    return 0


def _meeting_lines(v, today):
    yield f"{v.title()}  第{v.issue}期  {v.unit_name}"
    yield f"主持：{v.chair}" + (f"    地点：{v.place}" if v.place else "")
    yield f"参会单位：{'、'.join(v.units)}"
    for i, m in enumerate(v.matters, 1):
        yield f"{i}. {m.number}  {m.parties}：{m.request}（{m.status_label}）"
        if m.summary:
            yield f"   研究情况：{m.summary}"
        for t in v.tasks:
            if t.case_id == m.case_id:
                yield "   任务 " + _task_line(t, today) + (f"  完成情况：{t.result}" if t.result else "")
    if v.notes:
        yield f"其他事项：{v.notes}"


def cmd_meeting_tasks(args: argparse.Namespace) -> int:
    from ..services.meetings import MeetingService

    svc = open_services(args)
    actor = acting_user(svc, args)
    tasks = svc.get(MeetingService).open_tasks(actor)
    today = svc.clock.today()
    emit_items(args, tasks, lambda t: t.as_json(),
               lambda t: _task_line(t, today) + f"  （{t.meeting_kind.label} {t.meeting_date:%Y-%m-%d}，{t.owner_name}）",
               empty="没有未完成的会议任务。")
    return 0


def cmd_meeting_close_task(args: argparse.Namespace) -> int:
    from ..services.meetings import MeetingService

    svc = open_services(args)
    actor = acting_user(svc, args)
    t = svc.get(MeetingService).close_task(actor, args.task, args.result, args.date)
    emit_one(args, t, lambda t: t.as_json(),
             lambda t: [f"已记录任务完成：{t.case_number} {t.unit}：{t.what}，{t.state_text(svc.clock.today())}"])
    return 0


def cmd_meeting_print(args: argparse.Namespace) -> int:
    from ..services.meetings import MeetingService

    svc = open_services(args)
    actor = acting_user(svc, args)
    return write_document(svc.get(MeetingService).minutes(actor, args.meeting), args.out, args.format)

"""`xinfang event add`: one step of the handling of a case (routing, reply, review, closing …)."""

from __future__ import annotations

from ._common import (
    ChineseArgumentParser,
    acting_user,
    datetime_arg,
    emit_json,
    open_services,
)
from .cases import ACTIONS, case_json

# The options of `event add` that carry an action's data (dashes become underscores).
EVENT_OPTIONS = ("route", "unit", "deadline", "kind", "ground", "details", "article", "instead", "reason", "approver",
                 "outcome", "disposition", "text", "basis", "delivered-on", "review-body", "body", "method", "rating",
                 "notes", "summary", "content", "of", "on", "from", "to", "matter", "claim-item")
EVENT_FLAGS = ("notified", "exempt")


def register(sub) -> None:
    s = sub.add_parser("event", help="办理过程")
    es = s.add_subparsers(dest="event_cmd", required=True, parser_class=ChineseArgumentParser)
    a = es.add_parser("add", help="记录一项办理操作")
    a.add_argument("number")
    a.add_argument("action", choices=list(ACTIONS))
    a.add_argument("--at", type=datetime_arg, help="发生时间（默认现在）")
    for opt in EVENT_OPTIONS:
        a.add_argument(f"--{opt}")
    for flag in EVENT_FLAGS:
        a.add_argument(f"--{flag}", action="store_true",
                       help={"notified": "转办时已书面告知信访人办理途径（第二十三条）",
                             "exempt": "书面告知：信访人姓名或住址不清，免予告知（第二十三条第二款）"}[flag])
    a.add_argument("--days", type=int)
    a.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_event)


def cmd_event(args) -> int:
    svc = open_services(args)
    actor = acting_user(svc, args)
    kind = ACTIONS[args.action]
    wanted = {o.replace("-", "_") for o in EVENT_OPTIONS} | {"days"}
    data = {k: v for k, v in vars(args).items() if k in wanted and v is not None}
    data.update({flag: True for flag in EVENT_FLAGS if getattr(args, flag)})
    state = svc.cases.act(actor, args.number, kind, data, at=args.at)
    detail = svc.queries.detail(actor, args.number)
    if args.format == "json":
        emit_json(case_json(detail))
    else:
        nxt = state.next_deadline
        print(f"已记录：{kind.label}。事项状态：{detail.row.status_label}"
              + (f"；下一期限：{nxt.key.label} {nxt.due.date:%Y-%m-%d}" if nxt else ""))
    return 0

"""`xinfang case add|show|list` and `xinfang search`: registering petitions and finding them; the JSON and
text forms of a case that `event add` prints too. `case print` and `case assign-leader` hang under `case`
from commands/printing.py and commands/attention.py."""

from __future__ import annotations

import sys
from typing import Any

from ..domain.errors import XinfangError
from ..domain.person_identity import PersonChoice, PersonConflict
from ..domain.petition import PetitionerInput, RegistrationInput
from ..domain.urgency import Urgency
from ..domain.workflow import EventKind
from ._common import ChineseArgumentParser, acting_user, datetime_arg, emit_json, open_services
from .attention import add_case_parsers
from .printing import add_case_print

ACTIONS: dict[str, EventKind] = {
    "route": EventKind.ROUTED,
    "object": EventKind.OBJECTED,
    "notify": EventKind.NOTIFIED,
    "refuse": EventKind.REFUSED,
    "extend": EventKind.EXTENDED,
    "reply": EventKind.REPLIED,
    "review-request": EventKind.REVIEW_REQUESTED,
    "review-decision": EventKind.REVIEW_DECIDED,
    "recheck-request": EventKind.RECHECK_REQUESTED,
    "recheck-decision": EventKind.RECHECK_DECIDED,
    "followup": EventKind.FOLLOWED_UP,
    "close": EventKind.CLOSED,
    "note": EventKind.NOTE,
    "reclassify": EventKind.RECLASSIFIED,
    "deliver": EventKind.DELIVERED,
    "hearing": EventKind.HEARING,
}


def register(sub) -> None:
    s = sub.add_parser("case", help="信访事项")
    cs = s.add_subparsers(dest="case_cmd", required=True, parser_class=ChineseArgumentParser)
    a = cs.add_parser("add", help="登记信访事项")
    a.add_argument("--name", required=True, action="append", help="信访人姓名（可多次给出）")
    a.add_argument("--id-number", action="append", default=[], help="身份证号码（与 --name 依次对应）")
    a.add_argument("--phone", action="append", default=[], help="联系电话（与 --name 依次对应）")
    a.add_argument("--sex", action="append", default=[],
                   help="性别：男|女|未说明（没有身份证号码时填写；有号码时按号码，填了须一致；与 --name 依次对应）")
    a.add_argument("--address")
    a.add_argument("--township", help="乡镇（街道）区划代码")
    a.add_argument("--channel", required=True, help="走访|来信|来电|传真|网上")
    a.add_argument("--category", required=True, help="问题类别代码（见 xinfang categories）")
    a.add_argument("--request", required=True, help="诉求")
    a.add_argument("--facts")
    a.add_argument("--reasons")
    a.add_argument("--people", type=int, help="人数（默认为信访人人数）")
    a.add_argument("--representative", action="append", default=[], help="代表人姓名（须在 --name 中）")
    a.add_argument("--concerned-unit")
    a.add_argument("--repeat-of", help="重件：此前事项的编号")
    a.add_argument("--received", type=datetime_arg,
                   help="收到日期 YYYY-MM-DD（来信以本机关收到之日为准，期限自该日起算；默认现在）。"
                        "早于录入日超过设置天数的，标记为补录")
    a.add_argument("--matter", help="事项类型：建议意见|检举控告|申诉求决（默认按问题类别；第二十九至三十一条）")
    a.add_argument("--claim-item", type=int, choices=range(1, 7), metavar="1-6",
                   help="申诉求决类属第三十一条第几项（默认第六项：出具信访处理意见书）")
    a.add_argument("--notice-exempt", action="store_true",
                   help="信访人姓名（名称）或住址不清，免予书面告知（第二十三条第二款）")
    a.add_argument("--person-update", action="append", default=[], choices=[c.value for c in PersonChoice],
                   help="身份证号码已登记、但姓名（或电话、住址、乡镇、村）与登记的不同时如何处理："
                        "use 使用已登记的信访人（不修改其信息）；correct 更正已登记的信访人（原信息留存于变更记录）；"
                        "separate 身份证属于他人（本信访人另行登记，不登记该身份证号码）。"
                        "不给出时，不一致的登记被拒绝并列出两种信息。给出一次适用于每名信访人，多次则与 --name 依次对应")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_case)
    a = cs.add_parser("show", help="显示事项：状态、各项期限和办理过程")
    a.add_argument("number")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_case)
    a = cs.add_parser("list", help="列出事项")
    a.add_argument("--overdue", action="store_true", help="只列超期事项")
    a.add_argument("--due-within", type=int, metavar="DAYS", help="只列该天数内到期的事项")
    a.add_argument("--status", action="append", default=[])
    a.add_argument("--limit", type=int, default=100)
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_case)
    add_case_print(cs)
    add_case_parsers(cs)

    s = sub.add_parser("search", help="按姓名、拼音、身份证号、电话、编号、查询码或诉求搜索")
    s.add_argument("text")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_search)


def case_json(detail) -> dict[str, Any]:
    row = detail.row
    return {
        "id": row.id, "number": row.number, "query_code": detail.query_code, "status": row.status,
        "status_label": row.status_label, "received_at": row.received_at, "channel": row.channel,
        "category_code": row.category_code, "category": row.category, "people_count": row.people_count,
        "is_group": row.is_group, "repeat_of": detail.repeat_of_number, "request": row.request,
        "facts": detail.facts, "reasons": detail.reasons, "concerned_unit": detail.concerned_unit,
        "matter": _matter_json(detail.state.matter), "entered_at": detail.entered_at,
        "late_entry": detail.state.entered_late, "notice_exempt": detail.state.notice_exempt,
        "is_joint": row.people_count >= 5 and not row.is_group,
        "next_due": row.next_due, "overdue": row.urgency == "red", "provisional": row.provisional,
        "parties": [{"name": p.name, "id_number": p.id_number, "phone": p.phone, "sex": p.sex,
                     "representative": p.is_representative, "shares_id_with": list(p.shares_id_with),
                     "history": [{"at": h.at, "kind": h.kind, "label": h.label, "actor": h.actor, "source": h.source,
                                  "case": h.case_number, "text": h.text} for h in p.history]}
                    for p in detail.parties],
        "deadlines": [{"key": d.key, "label": d.label, "start": d.start, "due": d.due, "provisional": d.provisional,
                       "met_on": d.met_on, "lapsed": d.lapsed, "office": d.office,
                       "overdue": d.urgency == "red"} for d in detail.deadlines],
        "timeline": [{"kind": t.kind, "label": t.label, "occurred_at": t.occurred_at, "actor": t.actor,
                      "summary": t.summary, "data": t.data} for t in detail.timeline],
        "allowed_actions": [a for a, k in ACTIONS.items() if k.value in detail.allowed],
        "problems": detail.problems,
    }


def _matter_json(matter) -> dict[str, Any]:
    return {"type": matter.type.value if matter.type else None, "claim_item": matter.item, "label": matter.label,
            "article": matter.article}


def _print_case(detail) -> None:
    row = detail.row
    print(f"事项编号：{row.number}    查询码：{detail.query_code}")
    entered = f"    录入：{detail.entered_at:%Y-%m-%d %H:%M}" if detail.entered_at else ""
    print(f"状态：{row.status_label}    收到日期：{row.received_at:%Y-%m-%d %H:%M}（{row.channel}）{entered}"
          f"{'（补录）' if detail.state.entered_late else ''}    类别：{row.category}")
    print(f"事项类型：{detail.state.matter.label}{'    姓名或住址不清，免予书面告知' if detail.state.notice_exempt else ''}")
    crowd = "（集体访）" if row.is_group else ("（联名）" if row.people_count >= 5 else "")
    print(f"人数：{row.people_count}{crowd}"
          f"{'    重件，初件：' + detail.repeat_of_number if detail.repeat_of_number else ''}")
    for p in detail.parties:
        extra = "，".join(x for x in (p.sex, p.id_number, p.phone) if x)
        print(f"  信访人：{p.name}{'（代表人）' if p.is_representative else ''}{'  ' + extra if extra else ''}")
        if p.shares_id_with:
            print(f"    同一身份证号码另有登记（不是同一条记录，未合并）：{'、'.join(p.shares_id_with)}")
        for h in p.history:
            print(f"    {h.at:%Y-%m-%d %H:%M} {h.label}（{h.actor}）：{h.text}")
    print(f"诉求：{row.request}")
    print("期限：")
    for d in detail.deadlines:
        mark = "已完成 " + d.met_on.isoformat() if d.met_on else ("已过期未用" if d.lapsed else
                                                                 Urgency(d.urgency).short_word)
        prov = "（暂定：该年放假安排未公布）" if d.provisional else ""
        print(f"  {d.label}：{d.due:%Y-%m-%d}{prov}  {mark}")
    print("办理过程：")
    for t in detail.timeline:
        print(f"  {t.occurred_at:%Y-%m-%d %H:%M}  {t.label}  {t.summary}  （{t.actor}）")
    allowed = [a for a, k in ACTIONS.items() if k.value in detail.allowed]
    print("可进行的操作：" + ("、".join(allowed) if allowed else "无"))
    for p in detail.problems:
        print(f"  注意：{p}")


PERSON_UPDATE_ADVICE = (
    "未登记任何内容。请向信访人核实后，加上以下选项之一重新登记：\n"
    f"  --person-update use       {PersonChoice.USE.explanation}\n"
    f"  --person-update correct   {PersonChoice.CORRECT.explanation}\n"
    f"  --person-update separate  {PersonChoice.SEPARATE.explanation}")


def cmd_case(args) -> int:
    svc = open_services(args)
    actor = acting_user(svc, args)
    if args.case_cmd == "add":
        ids, phones, choices = args.id_number, args.phone, args.person_update
        if len(choices) > 1 and len(choices) != len(args.name):
            raise XinfangError(f"--person-update 给出了{len(choices)}次，信访人有{len(args.name)}名："
                               "请只给出一次（适用于每名信访人），或按 --name 的顺序每人给出一次。")
        people = []
        for i, name in enumerate(args.name):
            people.append(PetitionerInput(
                name=name, id_number=ids[i] if i < len(ids) else None, phone=phones[i] if i < len(phones) else None,
                sex=args.sex[i] if i < len(args.sex) else None,
                address=args.address if i == 0 else None, township_code=args.township,
                is_representative=name in args.representative,
                on_conflict=(choices[i] if len(choices) > 1 else choices[0]) if choices else None))
        reg = RegistrationInput(
            channel=args.channel, received_at=args.received or svc.clock.now(), petitioners=people,
            category_code=args.category, request=args.request, facts=args.facts, reasons=args.reasons,
            people_count=args.people, concerned_unit=args.concerned_unit, repeat_of=args.repeat_of,
            matter=args.matter, claim_item=args.claim_item, notice_exempt=args.notice_exempt)
        try:
            ref = svc.cases.register(actor, reg)
        except PersonConflict as exc:
            raise XinfangError("\n".join(exc.details()) + "\n" + PERSON_UPDATE_ADVICE) from None
        if args.format == "json":
            emit_json({"id": ref.id, "number": ref.number, "query_code": ref.query_code})
        else:
            print(f"已登记：事项编号 {ref.number}  查询码 {ref.query_code}")
        return 0
    if args.case_cmd == "show":
        detail = svc.queries.detail(actor, args.number)
        if args.format == "json":
            emit_json(case_json(detail))
        else:
            _print_case(detail)
        return 0
    from ..services.queries import CaseFilter

    f = CaseFilter(overdue=args.overdue, due_within=args.due_within, statuses=tuple(args.status),
                   open_only=bool(args.overdue or args.due_within is not None))
    rows = svc.queries.page(f, sort="next_due" if (args.overdue or args.due_within is not None) else "received_at",
                            descending=not (args.overdue or args.due_within is not None), limit=args.limit)
    emit_rows(rows, args.format)
    return 0


def emit_rows(rows, fmt: str) -> None:
    if fmt == "json":
        emit_json([{"number": r.number, "petitioner": r.parties, "received_at": r.received_at, "channel": r.channel,
                    "category": r.category, "status": r.status, "status_label": r.status_label,
                    "next_due": r.next_due, "urgency": r.urgency, "provisional": r.provisional,
                    "request": r.request} for r in rows])
        return
    for r in rows:
        due = f"{r.next_due:%Y-%m-%d}" if r.next_due else "-"
        print(f"{r.number}\t{r.parties}\t{r.received_at:%Y-%m-%d}\t{r.status_label}\t{due}\t{r.request}")


def cmd_search(args) -> int:
    svc = open_services(args)
    rows = svc.queries.search(args.text, limit=args.limit)
    emit_rows(rows, args.format)
    if args.format != "json" and not rows:
        print("没有找到匹配的事项", file=sys.stderr)
    return 0

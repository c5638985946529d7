"""The `xinfang` command. It drives the same services as the window; it repeats none of their checks.

Errors go to stderr in Chinese with a non-zero exit status; `--format json` prints one JSON
document on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from . import __version__
from .domain.errors import XinfangError
from .domain.person_identity import PersonChoice, PersonConflict
from .domain.petition import PetitionerInput, RegistrationInput
from .domain.urgency import Urgency
from .domain.workflow import EventKind

from .commands._common import EXIT_ERROR, ChineseArgumentParser

if TYPE_CHECKING:
    from .store.keyring import KdfParams

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
# The options of `event add` that carry an action's data (dashes become underscores).
EVENT_OPTIONS = ("route", "unit", "deadline", "kind", "ground", "details", "article", "instead", "reason", "approver",
                 "outcome", "disposition", "text", "basis", "delivered-on", "review-body", "body", "method", "rating",
                 "notes", "summary", "content", "of", "on", "from", "to", "matter", "claim-item")
EVENT_FLAGS = ("notified", "exempt")

def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期无效：{text}（格式为 YYYY-MM-DD）") from None


def _datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("T", " "))
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期无效：{text}（格式为 YYYY-MM-DD 或 'YYYY-MM-DD HH:MM'）") from None


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="xinfang", description="信访 Desktop 命令行工具")
    p.add_argument("--version", action="version", version=f"xinfang {__version__}")
    p.add_argument("--data-dir", type=Path, help="数据目录（默认：用户数据目录；环境变量 XINFANG_HOME 可覆盖）")
    p.add_argument("--as", dest="as_user", metavar="USER", help="以该用户身份操作（默认：第一个管理员）")
    p.add_argument("--database", dest="database_url", metavar="URL",
                   help="数据放在这个 PostgreSQL 数据库中（postgresql://用户@服务器/库名；环境变量 XINFANG_DATABASE_URL 同）")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)

    s = sub.add_parser("init", help="初始化本单位和第一个管理员（密码从标准输入读取）")
    s.add_argument("--unit", required=True, help="本单位的12位区划代码，如 350881102000")
    s.add_argument("--admin", required=True, help="管理员用户名")
    s.add_argument("--display-name", help="管理员姓名")
    s.add_argument("--database", dest="init_database", metavar="URL",
                   help="数据放在这个已建好的空 PostgreSQL 数据库中（市信访局多人共用；默认：数据目录中的数据文件）")

    s = sub.add_parser("user", help="用户管理")
    us = s.add_subparsers(dest="user_cmd", required=True, parser_class=ChineseArgumentParser)
    a = us.add_parser("add", help="添加用户（新用户的密码从标准输入读取）")
    a.add_argument("name")
    a.add_argument("--role", required=True, help="admin|clerk|handler|leader")
    a.add_argument("--display-name")
    lst = us.add_parser("list", help="列出用户")
    lst.add_argument("--format", choices=["text", "json"], default="text")
    a = us.add_parser("passwd", help="修改密码：不给出用户名时改自己的（新密码在终端输入，或从标准输入读取）；"
                                     "管理员可重设他人的密码")
    a.add_argument("name", nargs="?", help="用户名（管理员重设他人的密码时给出）")
    a = us.add_parser("reset-password", help="用恢复码重设某个用户的密码（所有密码都忘记时；新密码从标准输入读取）")
    a.add_argument("name")
    a.add_argument("--recovery-code", help="恢复码（也可用环境变量 XINFANG_RECOVERY_CODE 给出）")

    s = sub.add_parser("demo", help="生成演示数据")
    s.add_argument("--cases", type=int, required=True)
    s.add_argument("--seed", type=int, default=1)

    s = sub.add_parser("case", help="信访事项")
    cs = s.add_subparsers(dest="case_cmd", required=True, parser_class=ChineseArgumentParser)
    a = cs.add_parser("add", help="登记信访事项")
    a.add_argument("--name", required=True, action="append", help="信访人姓名（可多次给出）")
    a.add_argument("--id-number", action="append", default=[], help="身份证号码（与 --name 依次对应）")
    a.add_argument("--phone", action="append", default=[], help="联系电话（与 --name 依次对应）")
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
    a.add_argument("--received", type=_datetime,
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
    a = cs.add_parser("show", help="显示事项：状态、各项期限和办理过程")
    a.add_argument("number")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a = cs.add_parser("list", help="列出事项")
    a.add_argument("--overdue", action="store_true", help="只列超期事项")
    a.add_argument("--due-within", type=int, metavar="DAYS", help="只列该天数内到期的事项")
    a.add_argument("--status", action="append", default=[])
    a.add_argument("--limit", type=int, default=100)
    a.add_argument("--format", choices=["text", "json"], default="text")
    from .commands.printing import add_case_print

    add_case_print(cs)
    from .commands.attention import add_case_parsers as add_case_attention

    add_case_attention(cs)

    s = sub.add_parser("search", help="按姓名、拼音、身份证号、电话、编号、查询码或诉求搜索")
    s.add_argument("text")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--format", choices=["text", "json"], default="text")

    s = sub.add_parser("categories", help="问题类别代码表")
    s.add_argument("--format", choices=["text", "json"], default="text")

    s = sub.add_parser("event", help="办理过程")
    es = s.add_subparsers(dest="event_cmd", required=True, parser_class=ChineseArgumentParser)
    a = es.add_parser("add", help="记录一项办理操作")
    a.add_argument("number")
    a.add_argument("action", choices=list(ACTIONS))
    a.add_argument("--at", type=_datetime, help="发生时间（默认现在）")
    for opt in EVENT_OPTIONS:
        a.add_argument(f"--{opt}")
    for flag in EVENT_FLAGS:
        a.add_argument(f"--{flag}", action="store_true",
                       help={"notified": "转办时已书面告知信访人办理途径（第二十三条）",
                             "exempt": "书面告知：信访人姓名或住址不清，免予告知（第二十三条第二款）"}[flag])
    a.add_argument("--days", type=int)
    a.add_argument("--format", choices=["text", "json"], default="text")

    s = sub.add_parser("check", help="检查数据库完整性和事项状态缓存")
    s.add_argument("--repair", action="store_true", help="按办理过程重建不一致的状态缓存")
    s.add_argument("--format", choices=["text", "json"], default="text")

    s = sub.add_parser("calendar", help="节假日安排")
    cal = s.add_subparsers(dest="calendar_cmd", required=True, parser_class=ChineseArgumentParser)
    a = cal.add_parser("load", help="载入国务院公布的某年放假安排，并重算所有未结事项的期限")
    a.add_argument("file", type=Path)
    a = cal.add_parser("show", help="显示已知的年份")
    a.add_argument("--format", choices=["text", "json"], default="text")

    from . import commands

    for module in commands.modules():
        module.register(sub)
    return p


# -- helpers (shared with the feature subcommands in commands/) -------------------------------

from .commands._common import acting_user as _actor  # noqa: E402
from .commands._common import emit_json, read_password  # noqa: E402,F401
from .commands._common import open_services as _services  # noqa: E402


# -- commands --------------------------------------------------------------------------------

def cmd_init(args) -> int:
    from .commands._common import data_dir_of, kdf_of, opened_by, print_recovery_code
    from .services.access import folder_state, set_up

    data_dir = data_dir_of(args)
    if folder_state(data_dir) != "new":
        raise XinfangError("本数据目录已经初始化过，不能重复初始化。如需重新开始，请换一个数据目录。")
    url = getattr(args, "init_database", None) or getattr(args, "database_url", None)
    if url:
        from .store.engine import check_url

        check_url(url)                 # refused before the password is asked
    password = read_password("管理员密码：")
    opened = set_up(data_dir, args.unit, args.admin, password, args.display_name, kdf=kdf_of(args),
                    database_url=url)
    opened_by(args, opened.services)
    unit = opened.services.auth.unit()
    print(f"已初始化：{unit.name}（{unit.code}），管理员 {opened.actor.name}")
    print("数据已加密保存，只有用本单位用户的密码（或下面的恢复码）才能打开。")
    print_recovery_code(opened.recovery_code)
    opened.services.close()
    return 0


def cmd_user(args) -> int:
    from .services.permissions import Role

    if args.user_cmd == "reset-password":
        return _reset_with_recovery(args)
    svc = _services(args)
    actor = _actor(svc, args)
    if args.user_cmd == "passwd":
        new = read_password("新密码：")
        if args.name and args.name != actor.name:
            svc.auth.reset_password(actor, args.name, new)
            print(f"已重设 {args.name} 的密码。请把新密码告知本人，并请其登录后修改。")
        else:
            from .commands._common import login_password

            svc.auth.change_password(actor, login_password(actor.name), new)
            print(f"已修改 {actor.name} 的密码：原密码从此不能再打开数据。")
        return 0
    if args.user_cmd == "add":
        role = Role.parse(args.role)
        password = read_password(f"{args.name} 的密码：")
        user = svc.auth.add_user(actor, args.name, role, password, args.display_name)
        print(f"已添加用户 {user.name}（{user.role.label}）")
    else:
        users = svc.auth.users()
        if args.format == "json":
            emit_json([{"name": u.name, "display_name": u.display_name, "role": u.role.value} for u in users])
        else:
            for u in users:
                print(f"{u.name}\t{u.display_name}\t{u.role.label}")
    return 0


def _reset_with_recovery(args) -> int:
    import os

    from .commands._common import RECOVERY_ENV, data_dir_of, kdf_of
    from .services.access import reset_password_with_recovery

    code = args.recovery_code or os.environ.get(RECOVERY_ENV)
    if not code:
        raise XinfangError("请用 --recovery-code 给出恢复码（或设置环境变量 XINFANG_RECOVERY_CODE）。")
    new = read_password(f"{args.name} 的新密码：")
    actor = reset_password_with_recovery(data_dir_of(args), args.name, code, new, kdf=kdf_of(args))
    print(f"已用恢复码重设 {actor.name}（{actor.display_name}）的密码。")
    return 0


def cmd_demo(args) -> int:
    from .services import demo

    if args.cases < 0 or args.cases > 5_000_000:
        raise XinfangError("--cases 应在 0 到 5000000 之间")
    svc = _services(args)
    actor = _actor(svc, args)
    last = [0.0]

    def progress(fraction: float, text: str) -> None:
        if fraction - last[0] >= 0.1 or fraction >= 1:
            last[0] = fraction
            print(text, file=sys.stderr)

    result = demo.generate(svc, actor, args.cases, seed=args.seed, progress=progress)
    print(f"已生成演示数据：{result.cases} 件事项，{result.persons} 名信访人，{result.events} 条办理记录，"
          f"用时 {result.seconds:.1f} 秒")
    return 0


def _case_json(detail) -> dict[str, Any]:
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
    print(f"状态：{row.status_label}    收到：{row.received_at:%Y-%m-%d %H:%M}（{row.channel}）{entered}"
          f"{'（补录）' if detail.state.entered_late else ''}    类别：{row.category}")
    print(f"事项类型：{detail.state.matter.label}{'    姓名或住址不清，免予书面告知' if detail.state.notice_exempt else ''}")
    crowd = "（集体访）" if row.is_group else ("（联名）" if row.people_count >= 5 else "")
    print(f"人数：{row.people_count}{crowd}"
          f"{'    重件，初件：' + detail.repeat_of_number if detail.repeat_of_number else ''}")
    for p in detail.parties:
        extra = "，".join(x for x in (p.id_number, p.phone) if x)
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
    svc = _services(args)
    actor = _actor(svc, args)
    if args.case_cmd == "add":
        ids, phones, choices = args.id_number, args.phone, args.person_update
        if len(choices) > 1 and len(choices) != len(args.name):
            raise XinfangError(f"--person-update 给出了{len(choices)}次，信访人有{len(args.name)}名："
                               "请只给出一次（适用于每名信访人），或按 --name 的顺序每人给出一次。")
        people = []
        for i, name in enumerate(args.name):
            people.append(PetitionerInput(
                name=name, id_number=ids[i] if i < len(ids) else None, phone=phones[i] if i < len(phones) else None,
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
            emit_json(_case_json(detail))
        else:
            _print_case(detail)
        return 0
    from .services.queries import CaseFilter

    f = CaseFilter(overdue=args.overdue, due_within=args.due_within, statuses=tuple(args.status),
                   open_only=bool(args.overdue or args.due_within is not None))
    rows = svc.queries.page(f, sort="next_due" if (args.overdue or args.due_within is not None) else "received_at",
                            descending=not (args.overdue or args.due_within is not None), limit=args.limit)
    _emit_rows(rows, args.format)
    return 0


def _emit_rows(rows, fmt: str) -> None:
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
    svc = _services(args)
    rows = svc.queries.search(args.text, limit=args.limit)
    _emit_rows(rows, args.format)
    if args.format != "json" and not rows:
        print("没有找到匹配的事项", file=sys.stderr)
    return 0


def cmd_categories(args) -> int:
    from .resources_data import load_default_categories

    table = load_default_categories()
    if args.format == "json":
        emit_json({"version": table.version, "name": table.name, "categories": [
            {"code": c.code, "name": c.name, "short": c.short,
             "children": [{"code": k.code, "name": k.name, "short": k.short} for k in table.children(c.code)]}
            for c in table.top_level()]})
    else:
        for c in table.top_level():
            print(f"{c.code}  {c.name}")
            for k in table.children(c.code):
                print(f"  {k.code}  {k.name}")
    return 0


def cmd_event(args) -> int:
    svc = _services(args)
    actor = _actor(svc, args)
    kind = ACTIONS[args.action]
    wanted = {o.replace("-", "_") for o in EVENT_OPTIONS} | {"days"}
    data = {k: v for k, v in vars(args).items() if k in wanted and v is not None}
    data.update({flag: True for flag in EVENT_FLAGS if getattr(args, flag)})
    state = svc.cases.act(actor, args.number, kind, data, at=args.at)
    detail = svc.queries.detail(actor, args.number)
    if args.format == "json":
        emit_json(_case_json(detail))
    else:
        nxt = state.next_deadline
        print(f"已记录：{kind.label}。事项状态：{detail.row.status_label}"
              + (f"；下一期限：{nxt.key.label} {nxt.due.date:%Y-%m-%d}" if nxt else ""))
    return 0


def cmd_check(args) -> int:
    from .services.check import run_check

    svc = _services(args)
    report = run_check(svc.db, svc.calendar.calendar, repair=args.repair)
    if args.format == "json":
        emit_json({"ok": report.ok, "integrity": report.integrity, "foreign_key_problems": report.foreign_key_problems,
                   "cases_checked": report.cases_checked, "mismatched": report.mismatched,
                   "repaired": report.repaired, "timeline_problems": report.timeline_problems,
                   "statistics_rows_stale": report.facts_stale})
    else:
        print(f"数据库完整性：{report.integrity}")
        print(f"外键问题：{report.foreign_key_problems}")
        print(f"已检查事项：{report.cases_checked}，状态缓存不一致：{len(report.mismatched)}"
              + (f"（已修复 {report.repaired}）" if report.repaired else ""))
        for n in report.mismatched[:20]:
            print(f"  不一致：{n}")
        if report.facts_stale:
            print(f"统计数据行与事项不一致：{report.facts_stale}" + ("（已重建）" if args.repair else ""))
        for p in report.timeline_problems[:20]:
            print(f"  办理过程问题：{p}")
    if not report.ok and not (args.repair and report.integrity == "ok" and not report.foreign_key_problems):
        print("检查未通过。请先备份数据目录，再运行 xinfang check --repair 或联系技术支持。", file=sys.stderr)
        return EXIT_ERROR
    return 0


def cmd_calendar(args) -> int:
    import os

    if args.calendar_cmd == "show" and not os.environ.get("XINFANG_PASSWORD"):
        return _calendar_show_builtin(args)     # needs no data: the schedules built into the program
    svc = _services(args)
    actor = _actor(svc, args)
    if args.calendar_cmd == "load":
        try:
            text = args.file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise XinfangError(f"无法读取文件 {args.file.name}：{exc.strerror}") from None
        except UnicodeDecodeError:
            raise XinfangError(f"文件 {args.file.name} 不是 UTF-8 编码的文本") from None
        year, changed = svc.calendar.load_year(actor, text, svc.cases.recompute_open)
        print(f"已载入 {year} 年放假安排，重算了 {changed} 件未结事项的期限")
        return 0
    years = sorted(svc.calendar.calendar().known_years())
    if args.format == "json":
        emit_json({"known_years": years, "loaded_years": svc.calendar.loaded_years()})
    else:
        print("已知放假安排的年份：" + (f"{years[0]}–{years[-1]}" if years else "无"))
        loaded = svc.calendar.loaded_years()
        if loaded:
            print("管理员载入：" + "、".join(map(str, loaded)))
    return 0


def _calendar_show_builtin(args) -> int:
    from .domain.holidays import build_calendar

    years = sorted(build_calendar([]).known_years())
    if args.format == "json":
        emit_json({"known_years": years, "loaded_years": None})
    else:
        print("已知放假安排的年份（程序自带）：" + (f"{years[0]}–{years[-1]}" if years else "无"))
        print("管理员载入的年份需登录后查看（设置环境变量 XINFANG_PASSWORD）。")
    return 0


COMMANDS = {"init": cmd_init, "user": cmd_user, "demo": cmd_demo, "case": cmd_case, "search": cmd_search,
            "categories": cmd_categories, "event": cmd_event, "check": cmd_check, "calendar": cmd_calendar}


def main(argv: Sequence[str] | None = None, *, kdf: KdfParams | None = None, scrypt_log_n: int | None = None) -> int:
    """Run one command; returns its exit status. `kdf` and `scrypt_log_n` are the cost of the keyring
    entries and sync key files the command writes (None: production's; the test suite passes its cheapest).
    A call leaves the process as it found it (umask, the database binding, no connection left open), so it
    can be called again."""
    umask = os.umask(0o077) if hasattr(os, "umask") else None  # what it writes is this user's only (PIPL 第五十一条)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    bound = _bound_database()
    try:
        args = build_parser().parse_args(argv)
        args.kdf, args.scrypt_log_n = kdf, scrypt_log_n
        args.opened = []          # the services this command opens (commands/_common.open_services)
        chosen = _choose_database(getattr(args, "database_url", None))
        try:
            return _run(args)
        finally:
            for services in args.opened:
                services.close()
            _choose_database(chosen, restore=True)
    finally:
        _rebind_database(bound)
        if umask is not None:
            os.umask(umask)


def _run(args: argparse.Namespace) -> int:
    try:
        handler = getattr(args, "func", None) or COMMANDS[args.command]
        return handler(args)
    except XinfangError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a person reads this: words, never a traceback
        from .commands._common import report_failure

        print(f"错误：{report_failure(exc, args)}", file=sys.stderr)
        return EXIT_ERROR


def _choose_database(url: str | None, *, restore: bool = False) -> str | None:
    """``--database URL``: this command's data on that server (as XINFANG_DATABASE_URL); returns what the
    environment said before, to put back after the command (the tests run many commands in one process)."""
    from .store.engine import ENV

    before = os.environ.get(ENV)
    if restore:
        if url is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = url
    elif url:
        os.environ[ENV] = url
    return before


def _bound_database() -> object:
    """The database the models are bound to before the command (None when the store is not loaded yet)."""
    models = sys.modules.get("xinfang_desktop.store.models")
    return models.database.obj if models is not None else None


def _rebind_database(previous: object) -> None:
    models = sys.modules.get("xinfang_desktop.store.models")
    if models is not None and models.database.obj is not previous:
        models.database.initialize(previous)


if __name__ == "__main__":
    raise SystemExit(main())

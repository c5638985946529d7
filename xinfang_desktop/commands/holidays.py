"""`xinfang calendar`: the holiday schedules deadlines are counted with (load a year, show the known years)."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import XinfangError
from ._common import ChineseArgumentParser, acting_user, emit_json, open_services


def register(sub) -> None:
    s = sub.add_parser("calendar", help="节假日安排")
    cal = s.add_subparsers(dest="calendar_cmd", required=True, parser_class=ChineseArgumentParser)
    a = cal.add_parser("load", help="载入国务院公布的某年放假安排，并重算所有未结事项的期限")
    a.add_argument("file", type=Path)
    a = cal.add_parser("show", help="显示已知的年份")
    a.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_calendar)


def cmd_calendar(args) -> int:
    import os

    if args.calendar_cmd == "show" and not os.environ.get("XINFANG_PASSWORD"):
        return _calendar_show_builtin(args)     # needs no data: the schedules built into the program
    svc = open_services(args)
    actor = acting_user(svc, args)
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
    from ..domain.holidays import build_calendar

    years = sorted(build_calendar([]).known_years())
    if args.format == "json":
        emit_json({"known_years": years, "loaded_years": None})
    else:
        print("已知放假安排的年份（程序自带）：" + (f"{years[0]}–{years[-1]}" if years else "无"))
        print("管理员载入的年份需登录后查看（设置环境变量 XINFANG_PASSWORD）。")
    return 0

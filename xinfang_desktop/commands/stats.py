"""`xinfang stats` (statistics as JSON, .xlsx or the PDF report) and `xinfang ledger export|import`
(台账)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ..domain.errors import InvalidInput
from ._common import acting_user, emit_json, open_services


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期无效：{text}（格式为 YYYY-MM-DD）") from None


def register(sub) -> None:
    p = sub.add_parser("stats", help="统计：按期间和范围统计批次、人次、办理情况和各项比率")
    p.add_argument("--from", dest="start", type=_date, required=True, help="开始日期 YYYY-MM-DD（含）")
    p.add_argument("--to", dest="end", type=_date, required=True, help="结束日期 YYYY-MM-DD（含）")
    p.add_argument("--unit", action="append", default=[], metavar="CODE",
                   help="乡镇区划代码（可重复给出多个；不给出为全部）")
    p.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
    p.add_argument("--out", type=Path, help="输出文件（xlsx、pdf 必须给出）")
    p.add_argument("--no-compare", action="store_true", help="不与上年同期比较")
    p.add_argument("--by-village", action="store_true",
                   help="另按村（社区）分列登记批次、信访形式和办理情况（只适用于乡镇、街道的数据库）")
    p.set_defaults(func=cmd_stats)

    led = sub.add_parser("ledger", help="信访台账：导出事项台账，导入Excel/CSV台账")
    ls = led.add_subparsers(dest="ledger_command", required=True, parser_class=type(p))
    e = ls.add_parser("export", help="导出事项台账（.xlsx）")
    e.add_argument("--out", type=Path, required=True, help="输出的 .xlsx 文件")
    e.add_argument("--redacted", action="store_true", help="脱敏：隐去身份证号码和电话的部分数字")
    e.add_argument("--from", dest="start", type=_date, help="收到日期起（含）")
    e.add_argument("--to", dest="end", type=_date, help="收到日期止（含）")
    e.add_argument("--format", choices=["text", "json"], default="text")
    e.set_defaults(func=cmd_ledger_export)
    i = ls.add_parser("import", help="导入台账（.xlsx 或 .csv）：先检查每一行，再把有效的行一次性导入")
    i.add_argument("file", type=Path, help="台账文件")
    i.add_argument("--dry-run", action="store_true", help="只检查、列出每行的问题，不写入任何数据")
    i.add_argument("--map", action="append", default=[], metavar="列名=字段",
                   help="改正列的对应关系，例如 --map 形式=channel；字段：" +
                        "，".join(f"{f.key}（{f.label}）" for f in _fields()) + "；字段写 none 表示不导入该列")
    i.add_argument("--rejects", type=Path, help="未导入行的文件（默认：与台账同目录的“文件名.未导入”）")
    i.add_argument("--person-conflicts", choices=["keep", "separate"], default="keep",
                   help="身份证号码已登记、但姓名不同的行：keep 不导入（默认；已登记的信访人不作修改，该行列入未导入文件）；"
                        "separate 按另一人导入（另行登记，不登记该身份证号码）")
    i.add_argument("--format", choices=["text", "json"], default="text")
    i.set_defaults(func=cmd_ledger_import)


def _fields():
    from ..services.ledger import FIELDS
    return FIELDS


def _out(args, suffix: str) -> Path:
    if args.out is None:
        raise InvalidInput(f"请用 --out 给出输出文件，例如 --out 统计{suffix}", field="out")
    return args.out


def cmd_stats(args) -> int:
    from ..domain import statistics as st
    from ..services.document_files import save_file
    from ..services.statistics import StatisticsService, statistics_json, statistics_sheets

    period = st.custom(args.start, args.end)
    svc = open_services(args)
    actor = acting_user(svc, args)
    stats = svc.get(StatisticsService).compute(actor, period, st.Scope(tuple(args.unit)), compare=not args.no_compare,
                                                    by_village=args.by_village)
    if args.format == "json":
        emit_json(statistics_json(stats))
        return 0
    if args.format == "xlsx":
        from ..documents.xlsx import write_workbook
        out = save_file(_out(args, ".xlsx"), write_workbook(statistics_sheets(stats)))
        print(f"已导出统计表：{out}（{stats.period.label}，{stats.total.batches}批{stats.total.people}人次）")
        return 0
    from ..documents.report import render_statistics_report
    office = svc.auth.unit().name
    rendered = render_statistics_report(stats, office=office)
    for warning in rendered.warnings():
        print(f"警告：字库缺字，打印时为空白——{warning}", file=sys.stderr)
    out = save_file(_out(args, ".pdf"), rendered.pdf)
    print(f"已生成{rendered.title}（{rendered.pages}页）：{out}")
    return 0


def cmd_ledger_export(args) -> int:
    from ..services.document_files import save_file
    from ..services.ledger import LedgerService
    from ..services.queries import CaseFilter

    svc = open_services(args)
    actor = acting_user(svc, args)
    ledger = svc.get(LedgerService)
    f = CaseFilter(received_from=args.start, received_to=args.end)
    rows = ledger.export_rows(actor, f, redacted=args.redacted)
    from ..documents.xlsx import Sheet, write_workbook
    from ..services.ledger import LEDGER_HEADERS, LEDGER_TEXT_COLUMNS
    title = "信访事项台账" + ("（已脱敏）" if args.redacted else "")
    out = save_file(args.out, write_workbook([Sheet(title, LEDGER_HEADERS, rows, text_columns=LEDGER_TEXT_COLUMNS,
                                                    widths={13: 40})]))
    if args.format == "json":
        emit_json({"rows": len(rows), "redacted": args.redacted, "out": str(out)})
    else:
        print(f"已导出台账{len(rows)}行{'（已脱敏）' if args.redacted else ''}：{out}")
    return 0


def _mapping(table, pairs: list[str]) -> dict[int, str]:
    from ..services.ledger import FIELD_BY_KEY, guess_mapping

    mapping = guess_mapping(table.headers)
    for pair in pairs:
        if "=" not in pair:
            raise InvalidInput(f"--map 的写法是“列名=字段”，收到：{pair}", field="map")
        column, key = (x.strip() for x in pair.split("=", 1))
        if column not in table.headers:
            raise InvalidInput(f"台账中没有名为“{column}”的列；现有的列：{'、'.join(h for h in table.headers if h)}",
                               field="map")
        if key != "none" and key not in FIELD_BY_KEY:
            raise InvalidInput(f"未知的字段“{key}”，可用：{'、'.join(FIELD_BY_KEY)}，或 none", field="map")
        i = table.headers.index(column)
        mapping = {c: k for c, k in mapping.items() if c != i and k != key}
        if key != "none":
            mapping[i] = key
    return mapping


def _progress_to_stderr(rows: int):
    """A big ledger says how far it has got, on stderr (stdout stays the result), every tenth."""
    last = [-1]

    def progress(fraction: float, text: str) -> None:
        if rows >= PROGRESS_FROM_ROWS and int(fraction * 10) > last[0]:
            last[0] = int(fraction * 10)
            print(f"{fraction:.0%} {text}", file=sys.stderr, flush=True)

    return progress


PROGRESS_FROM_ROWS = 5000


def cmd_ledger_import(args) -> int:
    from ..services.ledger import FIELD_BY_KEY, LedgerService, read_table, rejects_path_for

    table = read_table(args.file)
    progress = _progress_to_stderr(len(table.rows))
    svc = open_services(args)
    actor = acting_user(svc, args)
    ledger = svc.get(LedgerService)
    mapping = _mapping(table, args.map)
    columns = {table.headers[i]: FIELD_BY_KEY[k].label for i, k in sorted(mapping.items())}
    if args.dry_run:
        plan = ledger.dry_run(actor, table, mapping, person_conflicts=args.person_conflicts, progress=progress)
        imported, skipped, rejected, rejects_file = plan.count("ok"), plan.count("duplicate"), plan.count("rejected"), None
    else:
        result = ledger.run_import(actor, table, mapping, rejects_path=args.rejects or rejects_path_for(args.file),
                                   person_conflicts=args.person_conflicts, progress=progress)
        imported, skipped, rejected, rejects_file = result.imported, result.skipped, result.rejected, result.rejects_file
        plan = result.plan
    rows = plan.rows
    conflicts, separated, kept = plan.count("conflict"), plan.count_person("separate"), plan.count_person("kept")
    if args.format == "json":
        emit_json({"file": table.file_name, "dry_run": args.dry_run, "columns": columns,
                   "imported": imported, "skipped": skipped, "rejected": rejected,
                   "person_conflicts": conflicts, "separated": separated, "kept": kept,
                   "rejects_file": str(rejects_file) if rejects_file else None,
                   "rows": [{"row": r.row_number, "status": r.status, "problems": r.problems, "person": r.person,
                             "note": r.note or None} for r in rows]})
        return 0
    print("列的对应：" + "，".join(f"{h}→{label}" for h, label in columns.items()))
    verb = "可导入" if args.dry_run else "已导入"
    print(f"{verb}{imported}行，已存在跳过{skipped}行，有问题未导入{rejected}行。")
    if conflicts or separated or kept:
        will = "将" if args.dry_run else "已"
        print(f"身份证号码已登记、但姓名不同：{conflicts}行未导入（已登记的信访人不作修改），{separated}行{will}按另一人登记；"
              f"电话、住址等与已登记的不同：{kept}行{will}保留已登记的信息。")
        if conflicts:
            print("  核实不是同一人的，可加 --person-conflicts separate 再导入，按另一人登记（不登记该身份证号码）。")
    for r in rows:
        if r.status != "ok":
            kind = "跳过" if r.status == "duplicate" else "未导入"
            print(f"  第{r.row_number}行 {kind}：{r.summary}")
        elif r.note:
            print(f"  第{r.row_number}行 {verb}：{r.note}")
    if rejects_file:
        print(f"未导入的行已写入：{rejects_file}（改正后可再次导入，已导入的行不会重复）")
    if args.dry_run:
        print("（检查模式：未写入任何数据。去掉 --dry-run 即正式导入。）")
    return 0

"""`xinfang check`: the integrity of the database and of the cases' cached state (and its repair)."""

from __future__ import annotations

import sys

from ._common import EXIT_ERROR, emit_json, open_services


def register(sub) -> None:
    s = sub.add_parser("check", help="检查数据库完整性和事项状态缓存")
    s.add_argument("--repair", action="store_true", help="按办理过程重建不一致的状态缓存")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_check)


def cmd_check(args) -> int:
    from ..services.check import run_check

    svc = open_services(args)
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

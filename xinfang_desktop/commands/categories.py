"""`xinfang categories`: the code table of problem categories built into the program."""

from __future__ import annotations

from ._common import emit_json


def register(sub) -> None:
    s = sub.add_parser("categories", help="问题类别代码表")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_categories)


def cmd_categories(args) -> int:
    from ..resources_data import load_default_categories

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

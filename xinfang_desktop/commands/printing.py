"""`xinfang case print NUMBER --document NAME --out FILE.pdf [--redacted]`: reprint a case's document.

The parser hangs under `case` (commands/cases.py calls `add_case_print`), so `register` adds nothing at the
top level. A document the case's state does not allow is refused before any file is touched;
the PDF is written to a temporary file in the target folder and renamed, so it is never half-written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..services.document_files import save_file
from ..services.printing import DOCUMENT_LABELS, DOCUMENT_NAMES, PrintService
from ._common import acting_user, emit_json, open_services


def register(sub) -> None:
    """Nothing at the top level: `print` is a subcommand of `case` (see add_case_print)."""


def add_case_print(case_sub) -> None:
    names = "|".join(DOCUMENT_NAMES)
    p = case_sub.add_parser("print", help=f"打印（导出）事项的文书为 PDF：{names}")
    p.add_argument("number", help="事项编号")
    p.add_argument("--document", required=True, choices=list(DOCUMENT_NAMES),
                   help="，".join(f"{n}={DOCUMENT_LABELS[n]}" for n in DOCUMENT_NAMES))
    p.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")
    p.add_argument("--redacted", action="store_true", help="脱敏：隐去身份证号码和电话的部分数字")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_case_print)


def cmd_case_print(args) -> int:
    svc = open_services(args)
    actor = acting_user(svc, args)
    if args.document == "receipt":
        _unlock_receipt_key(svc, args.number)
    rendered = svc.get(PrintService).render(actor, args.number, args.document, redacted=args.redacted)
    for warning in rendered.warnings():
        print(f"警告：字库缺字，打印时为空白，请手写补充——{warning}", file=sys.stderr)
    out = save_file(args.out, rendered.pdf)
    if args.format == "json":
        emit_json({"document": args.document, "title": rendered.title, "pages": rendered.pages,
                   "redacted": args.redacted, "out": str(out), "missing": rendered.warnings()})
    else:
        print(f"已生成{rendered.title}（{rendered.pages}页{'，脱敏' if args.redacted else ''}）：{out}")
    return 0


def _unlock_receipt_key(svc, number: str) -> None:
    """The first print of a receipt is signed (issue 17) when the key passphrase is in XINFANG_PASSPHRASE or
    typed at a terminal; otherwise the receipt is printed without the 核验码, and says so."""
    import os

    from ..services.receipts import ReceiptService
    from .sync import PASSPHRASE_ENV, _passphrase

    receipts = svc.get(ReceiptService)
    if not receipts.needs_key(number):
        return
    if os.environ.get(PASSPHRASE_ENV) or (sys.stdin is not None and sys.stdin.isatty()):
        receipts.unlock(_passphrase())
    else:
        print(f"提示：没有提供同步密钥口令（环境变量 {PASSPHRASE_ENV}），这份告知书未附核验码。"
              "提供口令后重新打印，即可加上签名的二维码和核验码（日期仍为登记日期）。", file=sys.stderr)

"""`xinfang receipt verify TEXT [--names …] [--request …] [--format json]`: is a 受理（接收）告知书 genuine?

TEXT is what a QR scanner types (XFR…, 178 characters) or the 核验码 line typed from the paper (groups may
be given as separate words; ``-`` reads it from standard input). Prints ``valid``, ``reason``, ``unit``,
``number``, ``received``, ``known_here`` (and the rest of the answer); the exit status is 0 only for a
genuine receipt, 3 when the receipt was checked and is not genuine, 1 when it could not be checked.
"""

from __future__ import annotations

import sys

from ._common import acting_user, emit_json, open_services

EXIT_NOT_GENUINE = 3


def register(sub) -> None:
    from ._common import ChineseArgumentParser

    r = sub.add_parser("receipt", help="受理告知书的核验")
    rs = r.add_subparsers(dest="receipt_cmd", required=True, parser_class=ChineseArgumentParser)
    v = rs.add_parser("verify", help="核验受理告知书：扫描二维码得到的文字或告知书上的核验码（真实有效时退出状态为0）")
    v.add_argument("text", nargs="+", help="核验码（以 XFR 开头；分组输入时可用空格隔开；- 表示从标准输入读取）")
    v.add_argument("--names", help="照告知书输入的全部信访人姓名（用顿号或逗号隔开），与签发时的内容核对")
    v.add_argument("--request", help="照告知书输入的信访请求，与签发时的内容核对（标点、空格不计）")
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.set_defaults(func=cmd_receipt_verify)


def cmd_receipt_verify(args) -> int:
    from ..services.receipts import ReceiptService

    text = " ".join(args.text)
    if text.strip() == "-":
        text = sys.stdin.read()
    svc = open_services(args)
    actor = acting_user(svc, args)
    result = svc.get(ReceiptService).verify(actor, text, names=args.names, request=args.request)
    if args.format == "json":
        emit_json(result.as_json())
    else:
        print("\n".join(result.lines))
    return 0 if result.valid else EXIT_NOT_GENUINE

"""`xinfang demo`: demonstration data, for training and for trying the program out."""

from __future__ import annotations

import sys

from ..domain.errors import XinfangError
from ._common import acting_user, open_services


def register(sub) -> None:
    s = sub.add_parser("demo", help="生成演示数据")
    s.add_argument("--cases", type=int, required=True)
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    from ..services import demo

    if args.cases < 0 or args.cases > 5_000_000:
        raise XinfangError("--cases 应在 0 到 5000000 之间")
    svc = open_services(args)
    actor = acting_user(svc, args)
    last = [0.0]

    def progress(fraction: float, text: str) -> None:
        if fraction - last[0] >= 0.1 or fraction >= 1:
            last[0] = fraction
            print(text, file=sys.stderr)

    result = demo.generate(svc, actor, args.cases, seed=args.seed, progress=progress)
    print(f"已生成演示数据：{result.cases} 件事项，{result.persons} 名信访人，{result.events} 条办理记录，"
          f"用时 {result.seconds:.1f} 秒")
    return 0

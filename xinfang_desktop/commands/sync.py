"""`xinfang keys …`, `xinfang export`, `xinfang import`, `xinfang sync status`: USB-stick sync (SYNC.md).

The key passphrase comes from XINFANG_PASSPHRASE, else a prompt (or one line on stdin).
"""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import XinfangError
from ..file_replace import replace_file
from ._common import EXIT_ERROR, acting_user, emit_json, open_services, read_password

PASSPHRASE_ENV = "XINFANG_PASSPHRASE"


def register(sub) -> None:
    from ._common import ChineseArgumentParser

    keys = sub.add_parser("keys", help="同步密钥：生成、查看、登记对方单位、更换")
    ks = keys.add_subparsers(dest="keys_cmd", required=True, parser_class=ChineseArgumentParser)
    a = ks.add_parser("init", help="生成本单位的同步密钥（口令从 XINFANG_PASSPHRASE 或提示输入）")
    a.set_defaults(func=cmd_keys_init)
    a = ks.add_parser("show", help="显示本单位代码和密钥指纹")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_keys_show)
    a = ks.add_parser("export-public", help="导出本单位的登记文件（公钥），交给对方单位登记")
    a.add_argument("--out", type=Path, required=True, help="登记文件的保存位置")
    a.set_defaults(func=cmd_keys_export_public)
    a = ks.add_parser("enrol", help="登记对方单位：登记文件中的指纹须与纸质登记表一致")
    a.add_argument("file", type=Path)
    a.add_argument("--fingerprint", required=True, help="纸质登记表上的签名公钥指纹")
    a.set_defaults(func=cmd_keys_enrol)
    a = ks.add_parser("rotate", help="更换本单位的密钥（轮换记录随下次同步包送达对方）")
    a.set_defaults(func=cmd_keys_rotate)

    e = sub.add_parser("export", help="导出同步包并复制到U盘或文件夹")
    e.add_argument("--to", type=Path, required=True, help="U盘或文件夹")
    e.set_defaults(func=cmd_export)

    i = sub.add_parser("import", help="导入同步包")
    i.add_argument("files", type=Path, nargs="+", help="同步包文件（.xfb），或含有同步包的文件夹")
    i.add_argument("--format", choices=["text", "json"], default="text")
    i.set_defaults(func=cmd_import)

    s = sub.add_parser("sync", help="同步状态")
    ss = s.add_subparsers(dest="sync_cmd", required=True, parser_class=ChineseArgumentParser)
    a = ss.add_parser("status", help="本单位的同步状态、已登记的单位和收发的同步包")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_sync_status)
    _register_registry(ss)


def _sync(args):
    from ..services.sync import SyncService

    svc = open_services(args)
    return svc, svc.get(SyncService)


def _passphrase(confirm: bool = False) -> str:
    return read_password("密钥口令：", confirm=confirm, env=PASSPHRASE_ENV)


def cmd_keys_init(args) -> int:
    svc, sync = _sync(args)
    actor = acting_user(svc, args)
    public = sync.init_keys(actor, _passphrase(confirm=True))
    print(f"已生成 {public.unit_name}（{public.unit_code}）的同步密钥。")
    _print_fingerprints(public)
    print("请用 xinfang keys export-public 导出登记文件，并打印登记表交对方单位核对。")
    return 0


def _print_fingerprints(public) -> None:
    from ..sync.keys import format_fingerprint

    print(f"签名公钥指纹：{format_fingerprint(public.signing_fingerprint)}")
    if public.encryption_fingerprint:
        print(f"加密公钥指纹：{format_fingerprint(public.encryption_fingerprint)}")


def cmd_keys_show(args) -> int:
    svc, sync = _sync(args)
    if not sync.has_keys():
        raise XinfangError("本单位还没有同步密钥。请先运行 xinfang keys init。")
    public = sync.public_identity()
    if args.format == "json":
        emit_json({"unit": public.unit_code, "unit_name": public.unit_name, "role": public.role,
                   "fingerprint": public.signing_fingerprint, "key_id": public.key_id,
                   "encryption_fingerprint": public.encryption_fingerprint,
                   "encryption_recipient": public.encryption_recipient, "created": public.created})
        return 0
    print(f"单位：{public.unit_name}（{public.unit_code}）")
    _print_fingerprints(public)
    return 0


def cmd_keys_export_public(args) -> int:
    svc, sync = _sync(args)
    ring = sync.unlock(_passphrase())
    data = sync.export_public(ring)
    out: Path = args.out
    if out.is_dir():
        out = out / f"{ring.current.unit_code}-enrolment.json"
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    replace_file(tmp, out)
    print(f"已导出登记文件：{out}")
    _print_fingerprints(ring.current.public())
    return 0


def cmd_keys_enrol(args) -> int:
    svc, sync = _sync(args)
    actor = acting_user(svc, args)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise XinfangError(f"无法读取登记文件 {args.file.name}（{exc.strerror or exc}）。请检查文件后重试。") from None
    peer = sync.enrol(actor, data, args.fingerprint)
    print(f"已登记 {peer.unit_name}（{peer.unit_code}），指纹与纸质登记表一致。")
    return 0


def cmd_keys_rotate(args) -> int:
    svc, sync = _sync(args)
    actor = acting_user(svc, args)
    passphrase = _passphrase()
    ring = sync.unlock(passphrase)
    public = sync.rotate(actor, ring, passphrase)
    print("已更换密钥。轮换记录已放入待发送的同步包，请导出并送交对方单位。")
    _print_fingerprints(public)
    return 0


def cmd_export(args) -> int:
    svc, sync = _sync(args)
    actor = acting_user(svc, args)
    ring = sync.unlock(_passphrase())
    new = sync.export(actor, ring)
    if not new:
        print("没有新的数据需要导出。")
    paths = sync.copy_to(actor, args.to)
    for p in paths:
        print(p)
    if not paths:
        print("没有待复制的同步包（对方已全部确认收到）。")
    return 0


def cmd_import(args) -> int:
    svc, sync = _sync(args)
    actor = acting_user(svc, args)
    files: list[Path] = []
    for f in args.files:
        if not f.exists():            # before the passphrase is asked for: nothing to unlock for
            raise XinfangError(f"找不到 {f}（文件或文件夹不存在，或U盘已拔出）。请检查路径后重试。")
        files += sync.bundle_files_in(f) if f.is_dir() else [f]
    ring = sync.unlock(_passphrase())
    results = sync.import_files(actor, ring, files)
    flat = []
    for r in results:
        flat.append(r)
        flat += r.also_applied
    if args.format == "json":
        emit_json([{"file": r.source, "outcome": r.outcome, "label": r.label, "message": r.message,
                    "sender": r.sender, "epoch": r.epoch, "seq": r.seq, "records": r.records,
                    "quarantined_records": r.quarantined_records} for r in flat])
    else:
        for r in flat:
            where = f"（{r.sender} 第 {r.seq} 号）" if r.sender else ""
            print(f"{r.source}{where}：{r.label}。{r.message}")
    return EXIT_ERROR if any(r.outcome == "rejected" for r in flat) else 0


def cmd_sync_status(args) -> int:
    svc, sync = _sync(args)
    status = sync.status()
    status["epoch_needed"] = sync.epoch_needed()
    if args.format == "json":
        emit_json(status)
        return 0
    role = "市信访局" if status["role"] == "city" else "乡镇"
    print(f"本单位：{status['unit_name']}（{status['unit']}，{role}），第 {status['epoch']} 纪元")
    print(f"签名公钥指纹：{status['fingerprint'] or '尚未生成（xinfang keys init）'}")
    if status["epoch_needed"]:
        print(f"本机数据已从备份恢复：导出前须开始新一轮编号。请联系市信访局授权，再运行 "
              f"xinfang sync start-epoch 纪元号（通常为 {status['epoch'] + 1}）。")
    days = status["days_since_export"]
    print(f"上次导出：{'从未导出' if days is None else f'{days} 天前'}；"
          f"待对方确认的同步包 {status['outbox']['unacknowledged']} 个")
    inbox = status["inbox"]
    print(f"收到的同步包：已导入 {inbox['applied']}，暂存 {inbox['parked']}，隔离 {inbox['quarantined']}，"
          f"拒绝 {inbox['rejected']}；隔离的记录 {status['quarantined_records']} 条")
    for p in status["peers"]:
        flags = "，已冻结" if p["frozen"] else ("，已吊销" if p["revoked"] else "")
        gaps = f"，缺第 {'、'.join(map(str, p['gaps']))} 号" if p["gaps"] else ""
        last = "从未收到" if p["days_since_last"] is None else f"{p['days_since_last']} 天前"
        print(f"  {p['name']}（{p['unit']}）：已收到第 {p['epoch']} 纪元第 {p['head']} 号{gaps}，"
              f"最近一次 {last}，事项 {p['cases']} 件{flags}")
    return 0


# -- the registry (city side) and epochs (both sides) ------------------------------------------------
EPOCH_FLOW = ("从备份恢复的乡镇电脑不能沿用原来的同步包编号和事项编号：乡镇电话联系市信访局 → 市局运行 "
              "xinfang sync authorise-epoch 乡镇代码 纪元号（或在同步页的乡镇登记册点“授权新一轮编号”），"
              "告知纪元号和本局已有该乡镇的最大事项编号 → 乡镇运行 xinfang sync start-epoch 纪元号 "
              "--last-number 最大事项编号（或在同步页点“开始新一轮编号”）→ 乡镇再导出。"
              "市局授权前，请先导入该乡镇恢复前已导出的全部同步包：授权后旧批次的包不再导入。")


def _register_registry(ss) -> None:
    a = ss.add_parser("revoke", help="吊销对方单位的登记：此后不再导入它的同步包，也不再向它发送")
    a.add_argument("unit", help="单位代码（12位）")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_sync_revoke)
    a = ss.add_parser("freeze", help="冻结对方单位的同步：核实前不导入它的同步包")
    a.add_argument("unit", help="单位代码（12位）")
    a.add_argument("--reason", required=True, help="冻结原因，解冻时核对")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_sync_freeze)
    a = ss.add_parser("unfreeze", help="解除冻结，恢复导入对方单位的同步包")
    a.add_argument("unit", help="单位代码（12位）")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_sync_unfreeze)
    a = ss.add_parser("authorise-epoch", help="（市局）授权从备份恢复的乡镇开始新一轮编号（纪元）",
                      description=EPOCH_FLOW)
    a.add_argument("unit", help="乡镇代码（12位）")
    a.add_argument("epoch", type=int, help="新一轮编号的纪元号，须大于该乡镇当前的纪元号")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_sync_authorise_epoch)
    a = ss.add_parser("start-epoch", help="（乡镇，从备份恢复后）开始市局授权的新一轮编号（纪元）", description=EPOCH_FLOW)
    a.add_argument("epoch", type=int, help="市局授权并告知的纪元号")
    a.add_argument("--last-number", help="市局告知的本单位最大事项编号：此后登记的事项从其下一号编起")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_sync_start_epoch)
    # The city's actions on a township's matter that travel down: 交办 and 督办.
    a = ss.add_parser("assign", help="（市局）交办：把本局登记的事项交给乡镇办理，限期报结")
    a.add_argument("number", help="事项编号")
    a.add_argument("--to", required=True, help="承办乡镇的单位代码（12位）")
    a.add_argument("--deadline", required=True, help="办理期限（YYYY-MM-DD）")
    a.add_argument("--text", required=True, help="交办要求")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_sync_instruct, kind="assign")
    a = ss.add_parser("supervise", help="（市局）督办：对乡镇的事项提出督办意见")
    a.add_argument("number", help="事项编号")
    a.add_argument("--text", required=True, help="督办意见")
    a.add_argument("--to", help="接收的乡镇（默认：事项所属的乡镇）")
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.set_defaults(func=cmd_sync_instruct, kind="supervise", deadline=None)


def _peer_json(sync, unit: str) -> dict:
    p = next((p for p in sync.peers() if p.unit_code == unit), None)
    return {"unit": p.unit_code, "name": p.unit_name, "role": p.role, "revoked": p.revoked, "frozen": p.frozen,
            "frozen_reason": p.frozen_reason, "epoch": p.head_epoch, "head": p.head_seq,
            "allowed_epoch": p.allowed_epoch, "last_case_number": sync.last_case_number(unit)}


def _peer_done(args, sync, text: str) -> int:
    if args.format == "json":
        emit_json(_peer_json(sync, args.unit))
    else:
        print(text)
    return 0


def cmd_sync_revoke(args) -> int:
    svc, sync = _sync(args)
    peer = sync.peer(args.unit)
    if peer.revoked:
        raise XinfangError(f"{peer.unit_name}（{peer.unit_code}）的登记已经吊销，无需再次吊销。")
    sync.revoke(acting_user(svc, args), args.unit)
    return _peer_done(args, sync, f"已吊销 {peer.unit_name}（{peer.unit_code}）的登记：此后不再导入它的同步包，"
                                  "也不再向它发送。如需恢复，请用其新的登记文件和纸质登记表重新登记。")


def cmd_sync_freeze(args) -> int:
    svc, sync = _sync(args)
    sync.freeze(acting_user(svc, args), args.unit, args.reason)
    peer = sync.peer(args.unit)
    return _peer_done(args, sync, f"已冻结 {peer.unit_name}（{peer.unit_code}）的同步（{peer.frozen_reason}）："
                                  "核实前不导入它的同步包。核实后运行 xinfang sync unfreeze 解除。")


def cmd_sync_unfreeze(args) -> int:
    svc, sync = _sync(args)
    sync.unfreeze(acting_user(svc, args), args.unit)
    peer = sync.peer(args.unit)
    return _peer_done(args, sync, f"已解除 {peer.unit_name}（{peer.unit_code}）的冻结，可以重新导入它的同步包。")


def cmd_sync_authorise_epoch(args) -> int:
    svc, sync = _sync(args)
    sync.authorise_epoch(acting_user(svc, args), args.unit, args.epoch)
    peer = sync.peer(args.unit)
    last = sync.last_case_number(args.unit)
    tell = f"纪元号 {args.epoch}" + (f"、本局已有的最大事项编号 {last}" if last else "")
    option = f" --last-number {last}" if last else ""
    return _peer_done(args, sync, f"已授权 {peer.unit_name}（{peer.unit_code}）开始第 {args.epoch} 纪元。"
                                  f"请告知该单位{tell}：在同步页点“开始新一轮编号”填入"
                                  f"（或运行 xinfang sync start-epoch {args.epoch}{option}），然后导出。")


def cmd_sync_start_epoch(args) -> int:
    svc, sync = _sync(args)
    restored = sync.epoch_needed()
    started = sync.start_epoch(acting_user(svc, args), args.epoch, args.last_number)
    if args.format == "json":
        emit_json({"unit": svc.unit_code, "epoch": sync.epoch(), "restored": restored, "epoch_needed": False,
                   "last_number": started.last_number, "clashes": started.clashes})
        return 0
    print(f"已开始第 {args.epoch} 纪元：下次导出的同步包从第 1 号编起"
          + (f"，新登记的事项编号接在 {started.last_number} 之后" if started.last_number else "")
          + "。请导出并交市信访局（市局须已授权此纪元号，否则会拒绝导入）。"
          + (f"注意：恢复后登记的 {'、'.join(started.clashes)} 与市局已有的编号重复，到市局后会列入隔离记录，"
             "请电话告知市局核对。" if started.clashes else ""))
    return 0


def cmd_sync_instruct(args) -> int:
    from datetime import date

    svc, sync = _sync(args)
    actor = acting_user(svc, args)
    if args.kind == "assign":
        try:
            deadline = date.fromisoformat(args.deadline)
        except ValueError:
            raise XinfangError(f"办理期限无效：{args.deadline}（格式为 YYYY-MM-DD）") from None
        made = sync.assign(actor, args.number, args.to, deadline, args.text)
    else:
        made = sync.supervise(actor, args.number, args.text, to_unit=args.to)
    if args.format == "json":
        emit_json({"id": made.id, "kind": made.kind, "number": made.case_number, "to": made.to_unit,
                   "deadline": made.deadline, "text": made.text})
    else:
        word = "交办" if made.kind == "assign" else "督办"
        print(f"已{word}：事项 {made.case_number} → {sync.unit_names().get(made.to_unit, made.to_unit)}"
              + (f"，期限 {made.deadline:%Y-%m-%d}" if made.deadline else "")
              + "。随下次导出的同步包送达该乡镇（xinfang export --to U盘）。")
    return 0


__all__ = ["register"]

"""`xinfang init` (the unit and its first administrator) and `xinfang user` (users and passwords)."""

from __future__ import annotations

from ..domain.errors import XinfangError
from ._common import (
    ChineseArgumentParser,
    acting_user,
    emit_json,
    open_services,
    read_password,
)


def register(sub) -> None:
    s = sub.add_parser("init", help="初始化本单位和第一个管理员（密码从标准输入读取）")
    s.add_argument("--unit", required=True, help="本单位的12位区划代码，如 350881102000")
    s.add_argument("--admin", required=True, help="管理员用户名")
    s.add_argument("--display-name", help="管理员姓名")
    s.add_argument("--database", dest="init_database", metavar="URL",
                   help="数据放在这个已建好的空 PostgreSQL 数据库中（市信访局多人共用；默认：数据目录中的数据文件）")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("user", help="用户管理")
    us = s.add_subparsers(dest="user_cmd", required=True, parser_class=ChineseArgumentParser)
    a = us.add_parser("add", help="添加用户（新用户的密码从标准输入读取）")
    a.add_argument("name")
    a.add_argument("--role", required=True, help="admin|clerk|handler|leader")
    a.add_argument("--display-name")
    lst = us.add_parser("list", help="列出用户")
    lst.add_argument("--format", choices=["text", "json"], default="text")
    lst.add_argument("--all", action="store_true", help="也列出已停用的用户（管理员）")
    a = us.add_parser("set", help="修改用户的角色或姓名（管理员）")
    a.add_argument("name")
    a.add_argument("--role", help="admin|clerk|handler|leader")
    a.add_argument("--display-name", help="姓名")
    a = us.add_parser("disable", help="停用用户（不删除：审计记录仍显示其姓名；其密码从此不能打开数据）")
    a.add_argument("name")
    a = us.add_parser("enable", help="重新启用已停用的用户（新密码从标准输入读取）")
    a.add_argument("name")
    a = us.add_parser("passwd", help="修改密码：不给出用户名时改自己的（新密码在终端输入，或从标准输入读取）；"
                                     "管理员可重设他人的密码")
    a.add_argument("name", nargs="?", help="用户名（管理员重设他人的密码时给出）")
    a = us.add_parser("reset-password", help="用恢复码重设某个用户的密码（所有密码都忘记时；新密码从标准输入读取）")
    a.add_argument("name")
    a.add_argument("--recovery-code", help="恢复码（也可用环境变量 XINFANG_RECOVERY_CODE 给出）")
    s.set_defaults(func=cmd_user)


def cmd_init(args) -> int:
    from ..services.access import folder_state, set_up
    from ._common import data_dir_of, kdf_of, opened_by, print_recovery_code

    data_dir = data_dir_of(args)
    if folder_state(data_dir) != "new":
        raise XinfangError("本数据目录已经初始化过，不能重复初始化。如需重新开始，请换一个数据目录。")
    url = getattr(args, "init_database", None) or getattr(args, "database_url", None)
    if url:
        from ..store.engine import check_url

        check_url(url)                 # refused before the password is asked
    password = read_password("管理员密码：")
    opened = set_up(data_dir, args.unit, args.admin, password, args.display_name, kdf=kdf_of(args),
                    database_url=url)
    opened_by(args, opened.services)
    unit = opened.services.auth.unit()
    print(f"已初始化：{unit.name}（{unit.code}），管理员 {opened.actor.name}")
    from ..store.engine import is_postgres

    if is_postgres(opened.services.db):
        # On a server the rows are the server's to encrypt (README: 加密); the folder's key guards the rest.
        print("数据保存在 PostgreSQL 服务器上：数据库的静态加密由服务器负责（请开启服务器的磁盘加密）；"
              "附件和备份已加密保存，只有用本单位用户的密码（或下面的恢复码）才能打开。")
    else:
        print("数据已加密保存，只有用本单位用户的密码（或下面的恢复码）才能打开。")
    print_recovery_code(opened.recovery_code)
    opened.services.close()
    return 0


def cmd_user(args) -> int:
    from ..services.permissions import Role

    if args.user_cmd == "reset-password":
        return _reset_with_recovery(args)
    svc = open_services(args)
    actor = acting_user(svc, args)
    if args.user_cmd == "passwd":
        new = read_password("新密码：")
        if args.name and args.name != actor.name:
            svc.auth.reset_password(actor, args.name, new)
            print(f"已重设 {args.name} 的密码。请把新密码告知本人，并请其登录后修改。")
        else:
            from ._common import login_password

            svc.auth.change_password(actor, login_password(actor.name), new)
            print(f"已修改 {actor.name} 的密码：原密码从此不能再打开数据。")
        return 0
    if args.user_cmd == "add":
        role = Role.parse(args.role)
        password = read_password(f"{args.name} 的密码：")
        user = svc.auth.add_user(actor, args.name, role, password, args.display_name)
        print(f"已添加用户 {user.name}（{user.role.label}）")
    elif args.user_cmd == "set":
        if args.role is None and args.display_name is None:
            raise XinfangError("请给出 --role 或 --display-name（要修改的内容）。")
        user = svc.auth.update_user(actor, args.name, role=Role.parse(args.role) if args.role else None,
                                    display_name=args.display_name)
        print(f"已修改用户 {user.name}：{user.display_name}（{user.role.label}）")
    elif args.user_cmd == "disable":
        svc.auth.disable_user(actor, args.name)
        print(f"已停用用户 {args.name}：其密码从此不能打开数据，审计记录中仍显示其姓名。")
    elif args.user_cmd == "enable":
        user = svc.auth.enable_user(actor, args.name, read_password(f"{args.name} 的新密码："))
        print(f"已重新启用用户 {user.name}（{user.role.label}）")
    elif args.all:
        staff = svc.auth.staff(actor)
        if args.format == "json":
            emit_json([{"name": u.name, "display_name": u.display_name, "role": u.role.value, "active": u.active}
                       for u in staff])
        else:
            for u in staff:
                print(f"{u.name}\t{u.display_name}\t{u.role.label}\t{'在用' if u.active else '已停用'}")
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

    from ..services.access import reset_password_with_recovery
    from ._common import RECOVERY_ENV, data_dir_of, kdf_of

    code = args.recovery_code or os.environ.get(RECOVERY_ENV)
    if not code:
        raise XinfangError("请用 --recovery-code 给出恢复码（或设置环境变量 XINFANG_RECOVERY_CODE）。")
    new = read_password(f"{args.name} 的新密码：")
    actor = reset_password_with_recovery(data_dir_of(args), args.name, code, new, kdf=kdf_of(args))
    print(f"已用恢复码重设 {actor.name}（{actor.display_name}）的密码。")
    return 0

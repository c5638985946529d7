"""Roles and what each may do. Every service checks the acting user with `require()`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..domain.errors import PermissionDenied


class Role(str, Enum):
    ADMIN = "admin"
    CLERK = "clerk"
    HANDLER = "handler"
    LEADER = "leader"

    @property
    def label(self) -> str:
        return {"admin": "管理员", "clerk": "登记员", "handler": "承办人", "leader": "领导"}[self.value]

    @classmethod
    def parse(cls, text: str) -> "Role":
        for r in cls:
            if text in (r.value, r.label):
                return r
        from ..domain.errors import InvalidInput
        raise InvalidInput(f"角色无效：{text}，应为 admin（管理员）、clerk（登记员）、handler（承办人）或 leader（领导）",
                           field="role")


class Permission(str, Enum):
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    REGISTER = "register"
    ROUTE = "route"
    NOTIFY = "notify"
    REFUSE = "refuse"
    EXTEND = "extend"
    REPLY = "reply"
    REVIEW = "review"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    NOTE = "note"
    VIEW = "view"
    REVEAL_PERSONAL = "reveal_personal"   # see a full ID number or phone (audited)
    PRINT = "print"

    @property
    def label(self) -> str:
        return PERMISSION_LABELS[self]


PERMISSION_LABELS = {
    Permission.MANAGE_USERS: "管理用户", Permission.MANAGE_SETTINGS: "修改设置", Permission.REGISTER: "登记信访事项",
    Permission.ROUTE: "选择办理途径", Permission.NOTIFY: "书面告知", Permission.REFUSE: "不予受理",
    Permission.EXTEND: "延期", Permission.REPLY: "出具处理意见", Permission.REVIEW: "记录复查复核",
    Permission.FOLLOW_UP: "回访", Permission.CLOSE: "办结", Permission.NOTE: "添加备注", Permission.VIEW: "查看",
    Permission.REVEAL_PERSONAL: "查看完整身份证号和电话", Permission.PRINT: "打印文书",
}

_ALL = frozenset(Permission)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.CLERK: frozenset({Permission.REGISTER, Permission.ROUTE, Permission.NOTIFY, Permission.REFUSE,
                           Permission.FOLLOW_UP, Permission.NOTE, Permission.VIEW, Permission.REVEAL_PERSONAL,
                           Permission.PRINT}),
    Role.HANDLER: frozenset({Permission.ROUTE, Permission.NOTIFY, Permission.REFUSE, Permission.EXTEND,
                             Permission.REPLY, Permission.REVIEW, Permission.FOLLOW_UP, Permission.CLOSE,
                             Permission.NOTE, Permission.VIEW, Permission.REVEAL_PERSONAL, Permission.PRINT}),
    Role.LEADER: frozenset({Permission.EXTEND, Permission.CLOSE, Permission.NOTE, Permission.VIEW, Permission.PRINT}),
}


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf a service acts."""

    id: str
    name: str
    display_name: str
    role: Role
    unit_code: str

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDenied(
            f"{actor.display_name}（{actor.role.label}）没有“{permission.label}”的权限，请由有权限的用户操作或联系管理员。"
        )

"""Set-up of the unit, users and roles, passwords, and logging in again on an open folder.

A user's password is not stored in the database at all: it wraps the folder's data key in the keyring
(store/keyring.py), and opening the keyring entry is the password check (services/access.py). So adding
a user, changing a password or resetting one is wrapping the key again, done here with the key the
open services hold; the old password then opens nothing in this folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..domain.divisions import DivisionTable
from ..domain.errors import InvalidInput, NotFound, PermissionDenied, XinfangError
from ..domain.text import clean_text
from ..store.keyring import PRODUCTION, KdfParams, Keyring, WrongSecret
from ..store.login_attempts import LoginAttempts
from ..store import setting_keys
from ..store.models import Setting, Unit, User
from .access import LoginFailed
from .audit import audit
from .clock import Clock
from .permissions import Actor, Permission, Role, require

MIN_PASSWORD = 6
KEYRING_HASH = "keyring"      # User.password_hash of every account: the password lives in the keyring only


@dataclass(frozen=True)
class StaffMember:
    """One account as the 人员 page lists it."""

    name: str                  # login name
    display_name: str          # the person's name, shown wherever a user is shown
    role: Role
    active: bool
    has_password: bool         # False: an administrator must set one before the account can log in
    created_at: datetime


def actor_of(user: User) -> Actor:
    return Actor(id=user.id, name=user.name, display_name=user.display_name, role=Role(user.role),
                 unit_code=user.unit_code)


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"密码至少{MIN_PASSWORD}位", field="password")
    if password != password.strip():
        raise InvalidInput("密码首尾不能有空格", field="password")


def check_login_name(name: str) -> str:
    value = clean_text(name, label="用户名", field="name", limit=32, multiline=False)
    assert value is not None
    if " " in value:
        raise InvalidInput("用户名不能含空格", field="name")
    return value


# The names other modules knew them by.
_check_password, _check_login_name = check_password, check_login_name


class AuthService:
    def __init__(self, db, clock: Clock, divisions: DivisionTable, *, data_dir: Path, data_key: bytes,
                 kdf: KdfParams = PRODUCTION):
        self.db = db
        self.clock = clock
        self.divisions = divisions
        self.data_dir = Path(data_dir)
        self._key = data_key
        self.kdf = kdf

    def keyring(self) -> Keyring:
        return Keyring.load(self.data_dir)

    # -- set-up ------------------------------------------------------------------------
    def is_initialized(self) -> bool:
        return Setting.get_or_none(Setting.key == setting_keys.UNIT_CODE) is not None

    def unit_code(self) -> str:
        row = Setting.get_or_none(Setting.key == setting_keys.UNIT_CODE)
        if row is None:
            raise NotFound("本单位尚未初始化，请先运行 xinfang init 或在首次启动向导中设置。")
        return row.value

    def unit(self) -> Unit:
        return Unit.get(Unit.code == self.unit_code())

    def initialize(self, unit_code: str, admin_name: str, password: str, display_name: str | None = None) -> Actor:
        """Create this unit and its first administrator. Refused when already initialised."""
        if self.is_initialized():
            raise XinfangError("本数据目录已经初始化过，不能重复初始化。如需重新开始，请换一个数据目录。")
        division = self.divisions.get(unit_code.strip())
        if division.kind not in ("街道", "镇", "乡", "市"):
            raise InvalidInput(f"{division.name}（{division.code}）不是乡镇、街道或市级单位", field="unit")
        kind = "city" if division.kind == "市" else "township"
        name = check_login_name(admin_name)
        check_password(password)
        now = self.clock.now()
        with self.db.atomic():
            unit_name = division.name + ("信访局" if kind == "city" else "信访办")
            Unit.create(code=division.code, name=unit_name, kind=kind, is_self=True)
            for d in self.divisions.townships():
                if d.code != division.code:
                    Unit.get_or_create(code=d.code, defaults={"name": d.name + "信访办", "kind": "township"})
            Setting.create(key=setting_keys.UNIT_CODE, value=division.code)
            user = User.create(unit_code=division.code, name=name, display_name=display_name or name,
                               role=Role.ADMIN.value, password_hash=KEYRING_HASH, created_at=now, updated_at=now)
            actor = actor_of(user)
            ring = self.keyring()
            ring.set_unit(division.code, unit_name, kind)
            ring.set_user(name, Role.ADMIN.value, password, self._key, kdf=self.kdf, added=now.isoformat(sep=" "))
            ring.save()          # last: a failure before it leaves no unit and no entry
            audit(actor, "setup.init", division.code, {"unit": unit_name}, at=now)
        return actor

    # -- users -------------------------------------------------------------------------
    def add_user(self, actor: Actor, name: str, role: Role, password: str, display_name: str | None = None) -> Actor:
        require(actor, Permission.MANAGE_USERS)
        login = check_login_name(name)
        check_password(password)
        shown = clean_text(display_name or login, label="姓名", field="display_name", limit=50, multiline=False)
        with self.db.atomic():
            if User.get_or_none(User.name == login) is not None:
                raise InvalidInput(f"用户名“{login}”已存在", field="name")
            now = self.clock.now()
            user = User.create(unit_code=actor.unit_code, name=login, display_name=shown, role=role.value,
                               password_hash=KEYRING_HASH, created_at=now, updated_at=now)
            ring = self.keyring()
            ring.set_user(login, role.value, password, self._key, kdf=self.kdf, added=now.isoformat(sep=" "))
            ring.save()
            audit(actor, "user.add", user.id, {"name": login, "role": role.value}, at=now)
        return actor_of(user)

    def users(self) -> list[Actor]:
        return [actor_of(u) for u in User.select().where(User.active == True).order_by(User.created_at)]  # noqa: E712

    def staff(self, actor: Actor) -> list[StaffMember]:
        """Every account of this folder, the disabled ones too (the audit names them), for the 人员 page."""
        require(actor, Permission.MANAGE_USERS)
        ring = self.keyring()
        return [StaffMember(name=u.name, display_name=u.display_name, role=Role(u.role), active=bool(u.active),
                            has_password=ring.has_user(u.name), created_at=u.created_at)
                for u in User.select().order_by(User.active.desc(), User.created_at)]

    def display_names(self) -> dict[str, str]:
        """Login name → the person's name, for showing who did what (the timeline, the history)."""
        return {name: shown for name, shown in User.select(User.name, User.display_name).tuples()}

    def update_user(self, actor: Actor, name: str, *, role: Role | None = None,
                    display_name: str | None = None) -> Actor:
        """An administrator sets a user's role and/or the person's name (姓名). The last active
        administrator keeps the role: someone must be able to manage the staff."""
        require(actor, Permission.MANAGE_USERS)
        with self.db.atomic():
            user = self._active(name)
            changes: dict[str, str] = {}
            if display_name is not None:
                shown = clean_text(display_name, label="姓名", field="display_name", required=True, limit=50,
                                   multiline=False)
                if shown != user.display_name:
                    changes["display_name"] = shown
            if role is not None and role.value != user.role:
                if user.role == Role.ADMIN.value:
                    self._keep_an_admin(user.name, "改为其他角色")
                changes["role"] = role.value
            if not changes:
                return actor_of(user)
            now = self.clock.now()
            for field_name, value in changes.items():
                setattr(user, field_name, value)
            user.updated_at = now
            user.save()
            if "role" in changes:
                ring = self.keyring()
                ring.set_role(user.name, changes["role"])
                ring.save()
            audit(actor, "user.update", user.id, {"name": user.name, **changes}, at=now)
        return actor_of(user)

    def disable_user(self, actor: Actor, name: str) -> None:
        """Never deleted (the audit and the cases name them): the account is marked 停用 and its password
        no longer opens the data (its keyring entry is removed), so a former colleague's password, or a
        copy of the folder, gives them nothing."""
        require(actor, Permission.MANAGE_USERS)
        if name == actor.name:
            raise InvalidInput("不能停用自己正在使用的账户。请由另一位管理员操作。", field="name")
        with self.db.atomic():
            user = self._active(name)
            if user.role == Role.ADMIN.value:
                self._keep_an_admin(user.name, "停用")
            now = self.clock.now()
            user.active = False
            user.updated_at = now
            user.save()
            ring = self.keyring()
            ring.remove_user(user.name)
            ring.save()
            audit(actor, "user.disable", user.id, {"name": user.name}, at=now)

    def enable_user(self, actor: Actor, name: str, password: str) -> Actor:
        """A disabled account back in use, with a new password (the old one was removed when it was disabled)."""
        require(actor, Permission.MANAGE_USERS)
        check_password(password)
        with self.db.atomic():
            user = User.get_or_none(User.name == name)
            if user is None:
                raise NotFound(f"用户“{name}”不存在")
            if user.active:
                raise InvalidInput(f"{user.display_name}（{user.name}）的账户没有停用，不需要启用。", field="name")
            now = self.clock.now()
            user.active = True
            user.password_hash = KEYRING_HASH
            user.updated_at = now
            user.save()
            ring = self.keyring()
            ring.set_user(user.name, user.role, password, self._key, kdf=self.kdf)
            ring.save()
            audit(actor, "user.enable", user.id, {"name": user.name}, at=now)
        LoginAttempts(self.data_dir).unlock(user.name)
        return actor_of(user)

    def _active(self, name: str) -> User:
        user = User.get_or_none(User.name == name)
        if user is None or not user.active:
            raise NotFound(f"用户“{name}”不存在或已停用")
        return user

    def _keep_an_admin(self, name: str, what: str) -> None:
        others = (User.select().where((User.role == Role.ADMIN.value) & (User.active == True)  # noqa: E712
                                      & (User.name != name)).count())
        if others == 0:
            raise InvalidInput(f"这是唯一的管理员账户，不能{what}。请先把另一位工作人员设为管理员。", field="role")

    def user(self, name: str) -> Actor:
        u = User.get_or_none(User.name == name)
        if u is None or not u.active:
            raise NotFound(f"用户“{name}”不存在或已停用")
        return actor_of(u)

    def first_admin(self) -> Actor:
        u = (User.select().where((User.role == Role.ADMIN.value) & (User.active == True))  # noqa: E712
             .order_by(User.created_at).first())
        if u is None:
            raise NotFound("没有管理员账户，请先运行 xinfang init")
        return actor_of(u)

    # -- passwords ----------------------------------------------------------------------
    def change_password(self, actor: Actor, old: str, new: str) -> None:
        """Everyone, for themselves: the old password must open the keyring entry; the key is then wrapped
        under the new one only."""
        check_password(new)
        if old == new:
            raise InvalidInput("新密码与原密码相同，请换一个新密码", field="password")
        from .access import check_secret

        ring = self.keyring()
        try:
            check_secret(self.data_dir, actor.name, self.clock, lambda: ring.unwrap_user(actor.name, old))
        except XinfangError as exc:
            raise InvalidInput(f"原密码不对：{exc.message}", field="old_password") from None
        self._set_password(actor, actor.name, new, "user.password_changed")

    def reset_password(self, actor: Actor, name: str, new: str) -> None:
        """An administrator sets another user's password (the user is told it, and changes it after)."""
        require(actor, Permission.MANAGE_USERS)
        check_password(new)
        self._set_password(actor, name, new, "user.password_reset")
        LoginAttempts(self.data_dir).unlock(name)

    def set_password_by_recovery(self, name: str, new: str) -> Actor:
        """With the recovery code (every password forgotten): audited as done with the code."""
        user = User.get_or_none(User.name == name)
        if user is None or not user.active:
            raise NotFound(f"用户“{name}”不存在或已停用")
        actor = actor_of(user)
        self._set_password(actor, name, new, "user.password_recovered")
        LoginAttempts(self.data_dir).unlock(name)
        return actor

    def _set_password(self, actor: Actor, name: str, new: str, action: str) -> None:
        check_password(new)
        now = self.clock.now()
        with self.db.atomic():
            user = User.get_or_none(User.name == name)
            if user is None or not user.active:
                raise NotFound(f"用户“{name}”不存在或已停用")
            ring = self.keyring()
            ring.set_user(name, user.role, new, self._key, kdf=self.kdf)
            user.password_hash = KEYRING_HASH
            user.updated_at = now
            user.save()
            ring.save()
            audit(actor, action, user.id, {"name": name}, at=now)

    def needs_password(self) -> list[str]:
        """Active users with no keyring entry (after the encryption of an older folder): an administrator
        must set their passwords before they can log in."""
        ring = self.keyring()
        return [u.name for u in self.users() if not ring.has_user(u.name)]

    def record_encryption(self, actor: Actor, others: tuple[str, ...]) -> None:
        with self.db.atomic():
            audit(actor, "setup.encrypted", None, {"users_to_reset": list(others)}, at=self.clock.now())

    # -- logging in again (the folder open: a lock screen, a second user) -------------------------------
    def login(self, name: str, password: str) -> Actor:
        """The same check, messages and lockout as opening the folder (services/access.py)."""
        from .access import _unwrap_user, check_secret

        ring = self.keyring()
        key = check_secret(self.data_dir, name, self.clock, lambda: _unwrap_user(ring, name, password))
        if key != self._key:
            raise LoginFailed("用户名或密码错误")
        user = User.get_or_none(User.name == (name or "").strip())
        if user is None or not user.active:
            raise LoginFailed("该账户已停用，不能登录。请联系管理员。")
        actor = actor_of(user)
        with self.db.atomic():
            audit(actor, "login", user.id, at=self.clock.now())
        return actor


__all__ = ["AuthService", "StaffMember", "LoginFailed", "actor_of", "check_password", "check_login_name", "WrongSecret",
           "PermissionDenied"]

"""Set-up of the unit, users and roles, and logging in."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.divisions import DivisionTable
from ..domain.errors import InvalidInput, NotFound, XinfangError
from ..domain.text import clean_text
from ..store.models import Setting, Unit, User
from ..store.models_trust import LoginAttempt
from .audit import audit
from .clock import Clock
from .permissions import Actor, Permission, Role, require

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
WARN_TRIES_LEFT = 2          # the tries left are shown from here on
MIN_PASSWORD = 6

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()


class LoginFailed(XinfangError):
    pass


def actor_of(user: User) -> Actor:
    return Actor(id=user.id, name=user.name, display_name=user.display_name, role=Role(user.role),
                 unit_code=user.unit_code)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"密码至少{MIN_PASSWORD}位", field="password")
    if password != password.strip():
        raise InvalidInput("密码首尾不能有空格", field="password")


def _check_login_name(name: str) -> str:
    value = clean_text(name, label="用户名", field="name", limit=32, multiline=False)
    assert value is not None
    if " " in value:
        raise InvalidInput("用户名不能含空格", field="name")
    return value


class AuthService:
    def __init__(self, db, clock: Clock, divisions: DivisionTable):
        self.db = db
        self.clock = clock
        self.divisions = divisions

    # -- set-up ------------------------------------------------------------------------
    def is_initialized(self) -> bool:
        return Setting.get_or_none(Setting.key == "unit_code") is not None

    def unit_code(self) -> str:
        row = Setting.get_or_none(Setting.key == "unit_code")
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
        name = _check_login_name(admin_name)
        _check_password(password)
        now = self.clock.now()
        with self.db.atomic():
            unit_name = division.name + ("信访局" if kind == "city" else "信访办")
            Unit.create(code=division.code, name=unit_name, kind=kind, is_self=True)
            for d in self.divisions.townships():
                if d.code != division.code:
                    Unit.get_or_create(code=d.code, defaults={"name": d.name + "信访办", "kind": "township"})
            Setting.create(key="unit_code", value=division.code)
            user = User.create(unit_code=division.code, name=name, display_name=display_name or name,
                               role=Role.ADMIN.value, password_hash=_hasher.hash(password), created_at=now,
                               updated_at=now)
            actor = actor_of(user)
            audit(actor, "setup.init", division.code, {"unit": unit_name}, at=now)
        return actor

    # -- users -------------------------------------------------------------------------
    def add_user(self, actor: Actor, name: str, role: Role, password: str, display_name: str | None = None) -> Actor:
        require(actor, Permission.MANAGE_USERS)
        login = _check_login_name(name)
        _check_password(password)
        shown = clean_text(display_name or login, label="姓名", field="display_name", limit=50, multiline=False)
        with self.db.atomic():
            if User.get_or_none(User.name == login) is not None:
                raise InvalidInput(f"用户名“{login}”已存在", field="name")
            now = self.clock.now()
            user = User.create(unit_code=actor.unit_code, name=login, display_name=shown, role=role.value,
                               password_hash=_hasher.hash(password), created_at=now, updated_at=now)
            audit(actor, "user.add", user.id, {"name": login, "role": role.value}, at=now)
        return actor_of(user)

    def users(self) -> list[Actor]:
        return [actor_of(u) for u in User.select().where(User.active == True).order_by(User.created_at)]  # noqa: E712

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

    @staticmethod
    def _verify(user: User, password: str) -> bool:
        try:
            return _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # -- login -------------------------------------------------------------------------
    def login(self, name: str, password: str) -> Actor:
        """5 failed logins lock the name typed for 15 minutes, whether or not it is an account's.
        The message never says whether the name or the password was wrong: it is the same for an
        unknown name and a wrong password, the tries left are shown to both once the name is close
        to locking, and an unknown name costs the same password check as a known one."""
        now = self.clock.now()
        typed = (name or "").strip()[:64]
        failure: str | None = None
        # The failure count must be committed, so the refusal is raised after the transaction.
        with self.db.atomic():
            attempt = LoginAttempt.get_or_none(LoginAttempt.name == typed)
            user = User.get_or_none(User.name == typed)
            if attempt is not None and attempt.locked_until and attempt.locked_until > now:
                minutes = max(1, int((attempt.locked_until - now).total_seconds() // 60) + 1)
                failure = f"连续{MAX_FAILED_LOGINS}次密码错误，账户已锁定，请{minutes}分钟后再试或请管理员解锁"
            elif user is not None and user.active and self._verify(user, password):
                if attempt is not None:
                    attempt.delete_instance()
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
                    user.save()
                actor = actor_of(user)
                audit(actor, "login", user.id, at=now)
            else:
                if user is None or not user.active:
                    _dummy_verify(password)
                failures = (attempt.failures if attempt is not None else 0) + 1
                left = MAX_FAILED_LOGINS - failures
                locked_until = None
                if left <= 0:
                    locked_until, failures = now + timedelta(minutes=LOCK_MINUTES), 0
                    if user is not None:
                        audit(actor_of(user), "login.locked", user.id, at=now)
                    failure = f"连续{MAX_FAILED_LOGINS}次密码错误，账户已锁定{LOCK_MINUTES}分钟"
                elif left <= WARN_TRIES_LEFT:
                    failure = f"用户名或密码错误（再错{left}次将锁定{LOCK_MINUTES}分钟）"
                else:
                    failure = "用户名或密码错误"
                LoginAttempt.replace(name=typed, failures=failures, locked_until=locked_until).execute()
        if failure is not None:
            raise LoginFailed(failure)
        return actor


_DUMMY_HASH: list[str] = []


def _dummy_verify(password: str) -> None:
    """The same argon2 work as checking a real account's password, for a name that has none."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher.hash("no account has this password"))
    try:
        _hasher.verify(_DUMMY_HASH[0], password)
    except (VerificationError, InvalidHashError):
        pass

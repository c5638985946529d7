"""Opening a data folder: set-up, unlocking with a user's password, the recovery code, password changes,
and the one-time encryption of a folder made before encryption.

Nothing of a data folder can be read without the data key (store/keyring.py): the window's login, every
`xinfang` command and a restore all come through :func:`unlock`, which counts wrong passwords towards the
same lockout (store/login_attempts.py), whichever name was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.errors import NotFound, PermissionDenied, XinfangError
from ..store.engine import FOLDER_FILE
from ..store import db as dbmod
from ..store.files import FileStore
from ..store.keyring import PRODUCTION, KdfParams, Keyring, KeyringMissing, WrongSecret, new_data_key, new_recovery_code
from ..store.login_attempts import LoginAttempts
from .clock import Clock, SystemClock
from .folder import folder_state, keyring_summary
from .permissions import Actor
from .progress import Progress

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
WARN_TRIES_LEFT = 2          # the tries left are shown from here on
ATTACHMENTS = "attachments"



class LoginFailed(XinfangError):
    pass


RECOVERY_WRONG = "恢复码不对：它打不开这个数据目录（或这个备份）的数据。请核对恢复码"


@dataclass
class Opened:
    """A data folder unlocked by a user: its services, who acts, and — when this very unlock created it
    (the encryption of an old folder) — the recovery code, to be shown once and written down."""

    services: object
    actor: Actor
    recovery_code: str | None = None
    users_to_reset: tuple[str, ...] = ()


def new_folder(data_dir: Path, *, kdf: KdfParams = PRODUCTION) -> tuple[bytes, str]:
    """A fresh data key for a new data folder, its keyring saved with the recovery entry: (key, recovery code).
    The first administrator's entry is added by AuthService.initialize."""
    dbmod.refuse_network_folder(Path(data_dir))
    data_dir = dbmod.private_dir(Path(data_dir))
    if folder_state(data_dir) != "new":
        raise XinfangError("本数据目录已经初始化过，不能重复初始化。如需重新开始，请换一个数据目录。")
    key, code = new_data_key(), new_recovery_code()
    Keyring.create(data_dir, key, code, kdf=kdf).save()
    return key, code


def set_up(data_dir: Path, unit_code: str, admin: str, password: str, display_name: str | None = None, *,
           clock: Clock | None = None, kdf: KdfParams = PRODUCTION, database_url: str | None = None) -> Opened:
    """`xinfang init` and the first-run window: the folder, its key, its first administrator. ``database_url``:
    the data on that (existing, empty) PostgreSQL database, remembered in the folder (store/engine.py)."""
    from ..services.auth import check_login_name, check_password
    from ..store.engine import check_url, save_url
    from .context import open_services

    check_login_name(admin)
    check_password(password)       # refused before anything is written
    if database_url:
        database_url = check_url(database_url)
        dbmod.require_empty_server_database(database_url)
    key, code = new_folder(data_dir, kdf=kdf)
    try:
        if database_url:
            save_url(data_dir, database_url)
        services = open_services(data_dir, key=key, clock=clock, kdf=kdf)
        actor = services.auth.initialize(unit_code, admin, password, display_name)
    except BaseException:
        # nothing was registered: a failed set-up leaves an empty folder that can be set up again
        _undo_new_folder(Path(data_dir))
        raise
    return Opened(services, actor, code)


def _undo_new_folder(data_dir: Path) -> None:
    for name in (dbmod.DB_FILENAME, f"{dbmod.DB_FILENAME}-wal", f"{dbmod.DB_FILENAME}-shm", "keyring.json",
                 FOLDER_FILE):
        (data_dir / name).unlink(missing_ok=True)


# --------------------------------------------------------------------------- passwords and the lockout


def check_secret(data_dir: Path, name: str, clock: Clock, unwrap: Callable[[], bytes], *,
                 wrong: str = "用户名或密码错误") -> bytes:
    """Run ``unwrap`` (which raises WrongSecret for a wrong password) under the lockout rules of the name typed.

    The message is the same for an unknown name and a wrong password, the tries left are shown to both
    once the name is close to locking, and an unknown name costs the same argon2id work as a known one."""
    now = clock.now()
    attempts = LoginAttempts(data_dir)
    typed = (name or "").strip()[:64]
    state = attempts.get(typed)
    if state.locked_until and state.locked_until > now:
        minutes = max(1, int((state.locked_until - now).total_seconds() // 60) + 1)
        raise LoginFailed(f"连续{MAX_FAILED_LOGINS}次密码错误，账户已锁定，请{minutes}分钟后再试或请管理员解锁")
    try:
        key = unwrap()
    except WrongSecret:
        after = attempts.failed(typed, limit=MAX_FAILED_LOGINS, lock_until=now + timedelta(minutes=LOCK_MINUTES))
        if after.locked_until:
            raise LoginFailed(f"连续{MAX_FAILED_LOGINS}次密码错误，账户已锁定{LOCK_MINUTES}分钟") from None
        left = MAX_FAILED_LOGINS - after.failures
        if left <= WARN_TRIES_LEFT:
            raise LoginFailed(f"{wrong}（再错{left}次将锁定{LOCK_MINUTES}分钟）") from None
        raise LoginFailed(wrong) from None
    attempts.succeeded(typed)
    return key


def _unwrap_user(ring: Keyring, name: str, password: str) -> bytes:
    if not ring.has_user(name):
        # The same argon2id work as a real entry, so a stranger cannot time which names exist.
        from ..store.keyring import derive
        derive(password, b"\0" * 16, _entry_kdf(ring))
        raise WrongSecret("用户名或密码错误")
    return ring.unwrap_user(name, password)


def _entry_kdf(ring: Keyring) -> KdfParams:
    for entry in ring.doc["entries"].values():
        k = entry.get("kdf", {})
        try:
            return KdfParams(int(k["time_cost"]), int(k["memory_kib"]), int(k["parallelism"]))
        except (KeyError, ValueError, TypeError):
            continue
    return PRODUCTION


# --------------------------------------------------------------------------- unlocking


def unlock(data_dir: Path, name: str, password: str, *, clock: Clock | None = None, kdf: KdfParams = PRODUCTION,
           progress: Progress | None = None) -> Opened:
    """Open the data folder as ``name``: the key unwrapped with the password, the database opened, the
    user checked. A folder from before encryption is encrypted here, once, by an administrator."""
    from .context import open_services

    data_dir = Path(data_dir)
    clock = clock or SystemClock()
    state = folder_state(data_dir)
    if state == "new":
        raise NotFound(f"数据目录中还没有数据：{data_dir}。请先运行 xinfang init 初始化本单位（或在窗口中完成首次设置）。")
    if state == "no-keyring":
        raise KeyringMissing(f"数据目录中缺少密钥文件 keyring.json，数据无法打开：{data_dir}。请从备份恢复（恢复时需要"
                             "备份中某位用户的密码或恢复码），或找回该文件后重试。")
    if state == "plaintext" and not Keyring.exists(data_dir):
        return _encrypt_old_folder(data_dir, name, password, clock=clock, kdf=kdf, progress=progress)
    ring = Keyring.load(data_dir)
    key = check_secret(data_dir, name, clock, lambda: _unwrap_user(ring, name, password))
    if state == "plaintext":            # an encryption cut short: the keyring was saved, the rest is finished now
        _finish_encryption(data_dir, key, progress)
    services = open_services(data_dir, key=key, clock=clock, kdf=kdf)
    try:
        actor = services.auth.user(name)
    except XinfangError:
        services.close()
        raise LoginFailed("该账户已停用，不能登录。请联系管理员。") from None
    return Opened(services, actor)


def unlock_with_recovery(data_dir: Path, code: str, *, clock: Clock | None = None) -> bytes:
    """The data key from the recovery code (counted like a password, under the name "恢复码")."""
    ring = Keyring.load(data_dir)
    return check_secret(data_dir, "恢复码", clock or SystemClock(), lambda: ring.unwrap_recovery(code),
                        wrong=RECOVERY_WRONG)


def reset_password_with_recovery(data_dir: Path, name: str, code: str, new_password: str, *,
                                 clock: Clock | None = None, kdf: KdfParams = PRODUCTION) -> Actor:
    """`xinfang user reset-password NAME --recovery-code CODE`: every password forgotten, the code kept."""
    from .auth import check_password
    from .context import open_services

    check_password(new_password)
    key = unlock_with_recovery(data_dir, code, clock=clock)
    services = open_services(data_dir, key=key, clock=clock, kdf=kdf)
    try:
        return services.auth.set_password_by_recovery(name, new_password)
    finally:
        services.close()


# --------------------------------------------------------------------------- a folder from before encryption


def _encrypt_old_folder(data_dir: Path, name: str, password: str, *, clock: Clock, kdf: KdfParams,
                        progress: Progress | None) -> Opened:
    """The first administrator to log in after the upgrade encrypts the folder: an encrypted safety copy
    first, then the keyring (so the key is never lost), then the database, attachments and old safety
    copies in place. Users other than this one get a keyring entry when an administrator resets their
    password: their passwords are not known here."""
    from .context import open_services

    progress = progress or (lambda _f, _t: None)
    db_file = dbmod.db_path(data_dir)
    user = check_secret(data_dir, name, clock, lambda: _check_old_password(db_file, name, password))
    if user["role"] != "admin":
        raise PermissionDenied("本程序已升级为加密保存数据，需要管理员先登录一次完成加密。请管理员登录。")
    key, code = new_data_key(), new_recovery_code()
    progress(0.05, "正在加密数据库的安全副本…")
    safety = dbmod.private_dir(data_dir / "backups") / "xinfang-pre-encryption.sqlite3"
    safety.unlink(missing_ok=True)
    plain = dbmod.sqlcipher.connect(str(db_file))
    try:
        plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(safety),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute(f"PRAGMA encrypted.user_version = {int(plain.execute('PRAGMA main.user_version').fetchone()[0])}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    ring = Keyring.create(data_dir, key, code, kdf=kdf)
    ring.set_user(name, "admin", password, key, kdf=kdf, added=clock.now().isoformat(sep=" "))
    if user.get("unit"):
        ring.set_unit(*user["unit"])
    ring.save()
    _finish_encryption(data_dir, key, progress)
    services = open_services(data_dir, key=key, clock=clock, kdf=kdf)
    actor = services.auth.user(name)
    others = tuple(u.name for u in services.auth.users() if u.name != name)
    services.auth.record_encryption(actor, others)
    return Opened(services, actor, code, others)


def _check_old_password(db_file: Path, name: str, password: str) -> dict:
    """Verify against the password hash an unencrypted database kept (its last use)."""
    con = dbmod.read_only(db_file)
    try:
        row = con.execute("SELECT password_hash, role, active FROM user WHERE name = ?", (name,)).fetchone()
        unit = con.execute("SELECT u.code, u.name, u.kind FROM unit u WHERE u.is_self = 1").fetchone()
    finally:
        con.close()
    try:
        if row is None or not row[2] or not PasswordHasher().verify(row[0], password):
            raise WrongSecret("用户名或密码错误")
    except (VerificationError, InvalidHashError):
        raise WrongSecret("用户名或密码错误") from None
    return {"role": row[1], "unit": tuple(unit) if unit else None}


def _finish_encryption(data_dir: Path, key: bytes, progress: Progress | None) -> None:
    progress = progress or (lambda _f, _t: None)
    db_file = dbmod.db_path(data_dir)
    if dbmod.is_plaintext(db_file):
        progress(0.3, "正在加密数据库…")
        dbmod.encrypt_plaintext(db_file, key)
    progress(0.6, "正在加密附件…")
    FileStore(data_dir / ATTACHMENTS, key).encrypt_plaintext()
    progress(0.8, "正在加密旧的安全副本…")
    from .backup import encrypt_old_copies

    encrypt_old_copies(data_dir, key)
    progress(1.0, "加密完成")


__all__ = ["Opened", "LoginFailed", "folder_state", "new_folder", "set_up", "unlock", "unlock_with_recovery",
           "reset_password_with_recovery", "check_secret", "keyring_summary"]

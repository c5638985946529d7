"""Personal data encrypted at rest, and no access without a password (PIPL 第五十一条).

Every file of a data folder and of a backup is searched byte by byte for what a petitioner told the
office; the commands and the window are refused without the password; the lockout counts wrong passwords
wherever they are typed; backups open with a user's password or the recovery code only; a folder of the
previous version is encrypted on its first use and keeps nothing in clear."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from tests.clirun import xinfang
from tests.conftest import ADMIN_PASSWORD, UNIT, cheap_kdf, make_registration

NAME, ID_NUMBER, PHONE = "欧阳娜娜", "11010519491231002X", "13812345678"
REQUEST = "要求追讨拖欠的工资并赔偿误工损失"
SCAN = b"\x89PNG\r\n\x1a\n" + "扫描件里的申诉材料".encode() * 20
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _needles(*texts: str, extra: tuple[bytes, ...] = ()) -> list[bytes]:
    """What must not be found in clear: each text in UTF-8 (and, for ID numbers and phones, the digits)."""
    out = []
    for t in texts:
        out.append(t.encode("utf-8"))
        digits = "".join(ch for ch in t if ch.isdigit())
        if len(digits) >= 11:
            out.append(digits.encode("ascii"))
    return out + list(extra)


def found_in_clear(folder: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            hits += [f"{p.relative_to(folder)}: {n!r}" for n in needles if n in data]
    return hits


def _run(data: Path, *args: str, password: str | None = None, stdin: str | None = None):
    return xinfang("--data-dir", data, *args, stdin=stdin, env={"XINFANG_PASSWORD": password})


@pytest.fixture
def registered(services, admin, tmp_path):
    """A case with a name, ID number, phone, request and a scanned letter; a draft; a backup."""
    from xinfang_desktop.domain.petition import PetitionerInput
    from xinfang_desktop.services.attachments import AttachmentService
    from xinfang_desktop.services.backup import BackupService
    from xinfang_desktop.services.drafts import DraftService

    ref = services.cases.register(admin, make_registration(
        petitioners=[PetitionerInput(name=NAME, id_number=ID_NUMBER, phone=PHONE, address="永福镇李庄村5号",
                                     township_code=UNIT)], request=REQUEST))
    scan = tmp_path / "来信.png"
    scan.write_bytes(SCAN)
    services.get(AttachmentService).attach(admin, ref.id, [scan])
    services.get(DraftService).save(admin, {"name": NAME, "request": REQUEST})
    backup = services.get(BackupService).backup(admin, to=tmp_path / "stick")
    scan.unlink()
    return ref, backup


@pytest.mark.sqlite_only         # the SQLite file and its backup (on PostgreSQL: the server's disk, pg_dump)
def test_nothing_a_petitioner_said_is_in_clear_in_the_folder_or_its_backup(services, registered):
    ref, backup = registered
    needles = _needles(NAME, ID_NUMBER, PHONE, REQUEST, extra=(SCAN[8:40],))
    wal = services.data_dir / "xinfang.sqlite3-wal"
    assert wal.exists() and wal.stat().st_size > 0            # the open database's WAL is searched too
    assert found_in_clear(services.data_dir, needles) == []
    assert found_in_clear(backup.path, needles) == []
    # and yet it is all there, for whoever has the key
    assert services.queries.detail(services.auth.first_admin(), ref.number).row.request == REQUEST


@pytest.mark.sqlite_only         # the SQLite file and its backup (on PostgreSQL: the server's disk, pg_dump)
@pytest.mark.skipif(os.name != "posix", reason="owner-only modes are POSIX permissions")
def test_folders_and_files_are_readable_by_the_owner_only(services, registered):
    _ref, backup = registered
    for root in (services.data_dir, backup.path):
        for p in [Path(root), *Path(root).rglob("*")]:
            mode = stat.S_IMODE(p.stat().st_mode)
            assert mode & 0o077 == 0, f"{p} is {oct(mode)}"


@pytest.mark.sqlite_only         # `registered` backs up the SQLite file (on PostgreSQL: pg_dump's)
def test_a_command_without_the_password_says_so_and_prints_no_case_data(services, admin, registered):
    data = services.data_dir
    for args in (("case", "list"), ("search", NAME), ("case", "show", registered[0].number), ("stats", "--from",
                 "2026-01-01", "--to", "2026-12-31"), ("user", "add", "evil", "--role", "admin")):
        r = _run(data, *args)                      # no XINFANG_PASSWORD, stdin not a terminal
        assert r.returncode != 0 and "XINFANG_PASSWORD" in r.stderr and "需要密码" in r.stderr, (args, r.stderr)
        assert r.stdout == "" and NAME not in r.stderr and REQUEST not in r.stderr
    r = _run(data, "--as", "admin", "user", "add", "evil", "--role", "admin", stdin="whatever-1\n",
             password="wrong-password")
    assert r.returncode != 0 and "用户名或密码错误" in r.stderr
    assert [u.name for u in services.auth.users()] == ["admin"]
    # what needs no data needs no password
    for args in (("--version",), ("categories",), ("calendar", "show"), ("--help",)):
        assert _run(data, *args).returncode == 0, args


def test_five_wrong_passwords_lock_the_window_and_the_command_line_alike(qtbot, services, admin):
    from PySide6.QtWidgets import QDialogButtonBox

    from xinfang_desktop.gui.dialogs import LoginDialog
    from xinfang_desktop.gui.tasks import TaskRunner

    tasks = TaskRunner(inline=True)
    data = services.data_dir
    for _ in range(3):                                            # three at the command line ...
        r = _run(data, "case", "list", password="wrong-password")
        assert r.returncode != 0 and "用户名或密码错误" in r.stderr
    assert "再错2次" in r.stderr
    dlg = LoginDialog(data, tasks)                                # ... two in the window
    qtbot.addWidget(dlg)
    for _ in range(2):
        dlg.ui.name.setText("admin")
        dlg.ui.password.setText("wrong-password")
        dlg.ui.buttons.button(QDialogButtonBox.Ok).click()
    assert "锁定15分钟" in dlg.ui.message.text()
    r = _run(data, "case", "list", password=ADMIN_PASSWORD)       # now even the right one waits
    assert r.returncode != 0 and "已锁定" in r.stderr and NAME not in r.stdout
    dlg.ui.password.setText(ADMIN_PASSWORD)
    dlg.ui.buttons.button(QDialogButtonBox.Ok).click()
    assert "已锁定" in dlg.ui.message.text() and dlg.opened is None


@pytest.mark.sqlite_only         # the SQLite file and its backup (on PostgreSQL: the server's disk, pg_dump)
def test_a_backup_restores_into_an_empty_folder_with_a_password_or_the_recovery_code(services, registered,
                                                                                        tmp_path, clock):
    from xinfang_desktop.services.access import unlock
    from xinfang_desktop.services.backup import restore_into_empty

    _ref, backup = registered
    wrong = tmp_path / "pc-wrong"
    with pytest.raises(Exception) as info:
        restore_into_empty(wrong, backup.path, clock=clock, name="admin", password="not-the-password")
    assert "用户名或密码错误" in str(info.value)
    assert not (wrong / "xinfang.sqlite3").exists()
    with pytest.raises(Exception) as info:
        restore_into_empty(tmp_path / "pc-badcode", backup.path, clock=clock, recovery_code="ABCDE-12345-ABCDE-12345-ABCDE")
    assert "恢复码不对" in str(info.value)

    for folder, kw in ((tmp_path / "pc-1", {"name": "admin", "password": ADMIN_PASSWORD}),
                       (tmp_path / "pc-2", {"recovery_code": services.recovery_code.lower().replace("-", " ")})):
        result = restore_into_empty(folder, backup.path, clock=clock, **kw)
        assert result.cases == 1
        opened = unlock(folder, "admin", ADMIN_PASSWORD, clock=clock, kdf=cheap_kdf())   # the backup's users came
        try:
            assert opened.services.queries.search(NAME)[0].request == REQUEST
        finally:
            opened.services.close()
    from xinfang_desktop.store.models import database
    database.initialize(services.db)


def test_a_changed_password_no_longer_opens_anything(services, admin, clock):
    from xinfang_desktop.services.access import LoginFailed, unlock

    services.auth.change_password(admin, ADMIN_PASSWORD, "a-new-password-2")
    with pytest.raises(LoginFailed):
        unlock(services.data_dir, "admin", ADMIN_PASSWORD, clock=clock)
    opened = unlock(services.data_dir, "admin", "a-new-password-2", clock=clock)
    opened.services.close()
    from xinfang_desktop.store.models import database
    database.initialize(services.db)
    with pytest.raises(Exception, match="原密码不对"):
        services.auth.change_password(admin, "guess-password", "another-one-3")


def test_passwords_on_the_command_line(services, admin):
    """`user passwd` (own, and an administrator's reset of another's), `user reset-password --recovery-code`."""
    data = services.data_dir
    assert _run(data, "user", "add", "clerk1", "--role", "clerk", stdin="clerk-pass-1\n",
                password=ADMIN_PASSWORD).returncode == 0
    r = _run(data, "--as", "clerk1", "user", "passwd", stdin="clerk-pass-2\n", password="clerk-pass-1")
    assert r.returncode == 0 and "原密码从此不能再打开数据" in r.stdout
    assert _run(data, "--as", "clerk1", "case", "list", password="clerk-pass-1").returncode != 0
    assert _run(data, "--as", "clerk1", "case", "list", password="clerk-pass-2").returncode == 0
    r = _run(data, "user", "passwd", "clerk1", stdin="clerk-pass-3\n", password=ADMIN_PASSWORD)
    assert r.returncode == 0 and "已重设 clerk1" in r.stdout
    assert _run(data, "--as", "clerk1", "case", "list", password="clerk-pass-3").returncode == 0
    # every password forgotten: the recovery code sets one
    r = _run(data, "user", "reset-password", "admin", "--recovery-code", services.recovery_code,
             stdin="fresh-admin-pass\n")
    assert r.returncode == 0, r.stderr
    assert _run(data, "case", "list", password="fresh-admin-pass").returncode == 0
    r = _run(data, "user", "reset-password", "admin", "--recovery-code", "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ",
             stdin="evil-pass-1\n")
    assert r.returncode != 0 and "恢复码不对" in r.stderr


def test_production_wraps_keys_with_argon2id_at_its_real_cost(tmp_path):
    from xinfang_desktop.store.keyring import PRODUCTION, Keyring, new_data_key, new_recovery_code

    key, code = new_data_key(), new_recovery_code()
    ring = Keyring.create(tmp_path, key, code)
    ring.set_user("admin", "admin", "pass-word-1", key)
    for entry in ring.doc["entries"].values():
        k = entry["kdf"]
        assert k["alg"] == "argon2id" and (k["time_cost"], k["memory_kib"], k["parallelism"]) == (3, 65536, 4)
    assert PRODUCTION.memory_kib == 64 * 1024
    assert ring.unwrap_user("admin", "pass-word-1") == key and ring.unwrap_recovery(code) == key


def test_a_folder_of_the_previous_version_is_encrypted_at_its_first_use(tmp_path, clock):
    """The v9 folder as the last unencrypted version left it (tests/fixtures): the administrator's login
    encrypts it, shows the recovery code once, and afterwards nothing is in clear."""
    from xinfang_desktop.services.access import LoginFailed, PermissionDenied, unlock

    data = tmp_path / "data"
    with zipfile.ZipFile(FIXTURES / "schema-v9-township.zip") as z:
        z.extractall(data)
    needles = _needles("许红祎", "要求认定工伤并给予赔偿", extra=(b"fixture-scan",))
    assert found_in_clear(data, needles)                          # in clear before
    with pytest.raises(PermissionDenied):                          # a clerk cannot be the one who encrypts
        unlock(data, "clerk1", "clerk-pass-1", clock=clock)
    opened = unlock(data, "admin", "admin-pass-1", clock=clock, kdf=cheap_kdf())
    try:
        assert opened.recovery_code and "clerk1" in opened.users_to_reset and "admin" not in opened.users_to_reset
        case = opened.services.queries.detail(opened.actor, "350881102-2025-00001")
        assert case.row.request == "要求认定工伤并给予赔偿"
        from xinfang_desktop.services.attachments import AttachmentService

        [att] = opened.services.get(AttachmentService).of_case(case.row.number)
        assert opened.services.get(AttachmentService).content(att.sha256).endswith(b"fixture-scan")
        from xinfang_desktop.services.check import run_check

        assert run_check(opened.services.db, opened.services.calendar.calendar).ok
        assert found_in_clear(data, needles) == []                 # nothing left in clear, WAL included
        assert list((data / "backups").glob("*pre-encryption*"))   # the safety copy, itself encrypted
        with pytest.raises(LoginFailed):                            # the clerk waits for a reset
            unlock(data, "clerk1", "clerk-pass-1", clock=clock)
        opened.services.auth.reset_password(opened.actor, "clerk1", "clerk-pass-9")
    finally:
        opened.services.close()
    again = unlock(data, "clerk1", "clerk-pass-9", clock=clock)
    assert again.recovery_code is None
    again.services.close()

"""The `xinfang` console script as a real process, as a script or an administrator runs it: the password
piped in, exit codes, the bytes of its output, and the real cost of the keys it writes.

Every other command-line test runs the same entry function inside the test process (tests/clirun.py) with
the suite's cheap argon2id and scrypt; these are the few that start the program itself, with nothing
passed in, so they see what an office's computer gets."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "admin-pass-1"
PASSPHRASE = "unit-key-pass-1"


def command() -> list[str]:
    """The console script pip installed beside this Python (pyproject's [project.scripts]), else the module."""
    script = shutil.which("xinfang", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "xinfang_desktop.cli"]


def process(data: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """Run the program; its output is kept as bytes, so the test sees the encoding it chose itself."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "PYTHONIOENCODING", "PYTHONUTF8"))}
    # a terminal that is not UTF-8 (a Chinese Windows console is GBK; here the C locale): the program
    # still writes UTF-8, so a script reading its JSON never sees mojibake
    clean.update(LC_ALL="C", LANG="C", **env)
    return subprocess.run([*command(), "--data-dir", str(data), *args], env=clean, capture_output=True,
                          input=stdin.encode("utf-8") if stdin is not None else None,
                          stdin=None if stdin is not None else subprocess.DEVNULL, timeout=300)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("process") / "data"
    # the variable that once made every new entry cheap (for the tests) no longer weakens anything
    r = process(data, "init", "--unit", "350881102000", "--admin", "admin", "--display-name", "王管理",
                stdin=PASSWORD + "\n", XINFANG_INSECURE_FAST_KDF_FOR_TESTS="1")
    assert r.returncode == 0, r.stderr.decode("utf-8")
    out = r.stdout.decode("utf-8")
    assert "已初始化：永福镇信访办（350881102000），管理员 admin" in out and "恢复码：" in out
    return data


def test_init_wraps_the_key_with_argon2id_at_the_production_cost(folder):
    """Nothing the test suite passes reaches a real run, and nothing in the environment lowers the cost:
    every keyring entry `xinfang init` writes (the administrator's and the recovery code's) is argon2id at
    RFC 9106's low-memory profile."""
    from xinfang_desktop.store.keyring import PRODUCTION, Keyring

    entries = json.loads((folder / "keyring.json").read_text(encoding="utf-8"))["entries"]
    assert set(entries) == {"recovery", "user:admin"}
    for entry in entries.values():
        k = entry["kdf"]
        assert k["alg"] == "argon2id"
        assert (k["time_cost"], k["memory_kib"], k["parallelism"]) == (3, 64 * 1024, 4)
    assert (PRODUCTION.time_cost, PRODUCTION.memory_kib, PRODUCTION.parallelism) == (3, 64 * 1024, 4)
    assert Keyring.load(folder).unwrap_user("admin", PASSWORD)


def test_a_case_added_and_shown_as_utf8_json_whatever_the_terminal(folder):
    r = process(folder, "case", "add", "--name", "欧阳娜娜", "--phone", "13812345678", "--channel", "走访",
                "--category", "0401", "--request", "要求追讨拖欠的工资", "--format", "json", XINFANG_PASSWORD=PASSWORD)
    assert r.returncode == 0, r.stderr.decode("utf-8")
    number = json.loads(r.stdout.decode("utf-8"))["number"]
    shown = process(folder, "case", "show", number, "--format", "json", XINFANG_PASSWORD=PASSWORD)
    assert shown.returncode == 0
    doc = json.loads(shown.stdout.decode("utf-8"))
    assert doc["parties"][0]["name"] == "欧阳娜娜" and doc["request"] == "要求追讨拖欠的工资"
    assert "欧阳娜娜".encode("utf-8") in shown.stdout          # the characters themselves, not \\u escapes


def test_a_new_users_password_is_read_from_the_pipe(folder):
    r = process(folder, "user", "add", "clerk2", "--role", "clerk", stdin="clerk-pass-2\n", XINFANG_PASSWORD=PASSWORD)
    assert r.returncode == 0, r.stderr.decode("utf-8")
    assert "已添加用户 clerk2" in r.stdout.decode("utf-8")
    listed = process(folder, "--as", "clerk2", "user", "list", "--format", "json", XINFANG_PASSWORD="clerk-pass-2")
    assert listed.returncode == 0 and "clerk2" in listed.stdout.decode("utf-8")


def test_exit_codes_and_chinese_messages_on_stderr(folder, tmp_path):
    assert process(folder, "--version").returncode == 0
    wrong = process(folder, "case", "list", XINFANG_PASSWORD="not-the-password")
    assert wrong.returncode == 1 and "用户名或密码错误" in wrong.stderr.decode("utf-8") and not wrong.stdout
    none = process(tmp_path / "nothing", "case", "list")
    assert none.returncode == 1 and "xinfang init" in none.stderr.decode("utf-8")
    usage = process(folder, "case", "add", "--name", "张三")
    assert usage.returncode == 2 and "缺少必需的参数" in usage.stderr.decode("utf-8")
    assert b"Traceback" not in wrong.stderr + none.stderr + usage.stderr


def test_keys_init_seals_the_unit_key_with_ages_own_scrypt_cost(folder):
    """The sync key file of a real run is sealed by age itself, never at the suite's cheap cost (2**1). age
    calibrates its cost to about a second of this computer's time: 2**18 to 2**20 on an office PC, and
    still 2**12 or more on one a hundred times slower or busier, so the bound does not depend on the load."""
    from xinfang_desktop.sync.keys import FileKeyStore

    r = process(folder, "keys", "init", XINFANG_PASSWORD=PASSWORD, XINFANG_PASSPHRASE=PASSPHRASE)
    assert r.returncode == 0, r.stderr.decode("utf-8")
    path = folder / "keys" / "unit-keys.json"
    sealed = base64.b64decode(json.loads(path.read_text(encoding="utf-8"))["secret"])
    version, stanza = sealed.split(b"\n")[:2]
    assert version == b"age-encryption.org/v1"
    kind, _salt, log_n = stanza.split()[1:]
    assert kind == b"scrypt" and int(log_n) >= 12, stanza
    assert FileKeyStore(path).unlock(PASSPHRASE).public() == FileKeyStore(path).public()

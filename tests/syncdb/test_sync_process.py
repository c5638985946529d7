"""Real processes: `xinfang import` killed with SIGKILL at each step and re-run; two imports at once;
the command's report of each bundle."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from xinfang_desktop.services.attachments import AttachmentService
from xinfang_desktop.services.sync.inbox_checks import CRASH_ENV
from xinfang_desktop.sync.keys import FileKeyStore

from tests.clirun import CliResult, xinfang
from tests.conftest import CHEAP_SCRYPT

from .conftest import CITY, TOWNS, check_ok, dump, open_office, write_out

PASSPHRASE = "city-pass-123"
STEPS = ["after_stage", "after_verify", "after_decrypt", "after_files", "mid_apply", "before_commit", "after_commit"]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork semantics of POSIX")


RUNNER = Path(__file__).with_name("import_runner.py")


def _env(crash: str | None = None) -> dict[str, str]:
    env = dict(os.environ, XINFANG_PASSPHRASE=PASSPHRASE, XINFANG_PASSWORD="admin-pass-1")
    env.pop(CRASH_ENV, None)
    if crash:
        env[CRASH_ENV] = crash
    return env


def run_cli(data_dir: Path, files: list[Path]) -> CliResult:
    """The real `xinfang import` (unlocks the key store with its scrypt: a second or so)."""
    return xinfang("--data-dir", data_dir, "import", *files,
                   env={"XINFANG_PASSPHRASE": PASSPHRASE, "XINFANG_PASSWORD": "admin-pass-1"})


def runner_args(data_dir: Path, files: list[Path]) -> list[str]:
    return [sys.executable, str(RUNNER), str(data_dir), str(data_dir.parent / "city-keys.json"), *map(str, files)]


def run_import(data_dir: Path, files: list[Path], crash: str | None = None) -> subprocess.CompletedProcess:
    """The import service in a child process, keys handed over in clear (no scrypt), maybe killed at `crash`."""
    return subprocess.run(runner_args(data_dir, files), env=_env(crash), capture_output=True, text=True, encoding="utf-8",
                          timeout=300)


@pytest.fixture
def city_with_keys(offices, unit_keys, tmp_path):
    """The city's folder with its key store, and three bundles from two townships (one arriving early)."""
    city = offices[CITY]
    k = unit_keys[CITY]
    (tmp_path / "city-keys.json").write_text(json.dumps({
        "unit_code": k.unit_code, "unit_name": k.unit_name, "role": k.role, "created": k.created,
        "identity": str(k.encryption_identity),
        "seed": k.signing_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()}),
        encoding="utf-8")
    files = []
    for t in TOWNS[:2]:
        for name in ("张三", "李四"):
            case = offices[t].register(name=name)
            if name == "张三":          # a scan travels with it: the files are stored before the rows
                scan = tmp_path / "scans" / t / "来信.png"
                scan.parent.mkdir(parents=True, exist_ok=True)
                scan.write_bytes(b"\x89PNG\r\n\x1a\n" + t.encode() * 100)
                offices[t].svc.get(AttachmentService).attach(offices[t].admin, case.id, [scan])
            files += write_out(offices[t], tmp_path / "stick" / t / name, offices[t].export())
    # delivered out of order: a township's 2nd bundle before its 1st, so parking and the chain are exercised
    files = [files[1], files[0], files[2], files[3]]
    city.svc.close()
    return tmp_path / CITY, files


def stored_files(data_dir: Path) -> dict[str, bytes]:
    """The attachment store (no leftover .part files, each file under its content's name), decrypted: the
    same content sealed twice differs byte for byte (a fresh nonce each time)."""
    from tests.dbfiles import key_of
    from xinfang_desktop.store.files import FileStore

    found = [p for p in (data_dir / "attachments").rglob("*") if p.is_file()]
    store = FileStore(data_dir / "attachments", key_of(data_dir, "admin-pass-1"))
    return {p.name: store.read(p.name) for p in found}


@pytest.mark.slow
@pytest.mark.sqlite_only(reason="each run on a copy of the city's folder, which on SQLite is its database")
def test_kill_9_at_each_import_step_then_rerun_ends_identical(city_with_keys, tmp_path):
    template, files = city_with_keys
    ref_dir = tmp_path / "ref"
    shutil.copytree(template, ref_dir)
    ok = run_import(ref_dir, files)
    assert ok.returncode == 0, ok.stderr
    reference = dump(ref_dir / "xinfang.sqlite3")
    assert len(reference["case"]) == 4 and len(reference["attachment"]) == 2
    assert len(stored_files(ref_dir)) == 2
    for step in STEPS:
        work = tmp_path / f"crash-{step}"
        shutil.copytree(template, work)
        crashed = run_import(work, files, crash=step)
        assert crashed.returncode == -signal.SIGKILL, (step, crashed.returncode, crashed.stderr)
        rerun = run_import(work, files)
        assert rerun.returncode == 0, (step, rerun.stderr)
        assert dump(work / "xinfang.sqlite3") == reference, step
        assert stored_files(work) == stored_files(ref_dir), step


@pytest.mark.slow
def test_two_imports_of_the_same_stick_at_once(city_with_keys, tmp_path, new_city, unit_keys):
    """Two desks (processes) importing the same stick at once: on one SQLite file, or on the city's
    PostgreSQL database, the imports queue on the writers' lock and the city ends as after one import."""
    template, files = city_with_keys
    reference = new_city(tmp_path / "ref")            # another copy of the city as it was: imported alone
    reference.svc.close()
    ref_dir = tmp_path / "ref" / CITY
    shutil.copy(tmp_path / "city-keys.json", ref_dir.parent)
    assert run_import(ref_dir, files).returncode == 0
    procs = [subprocess.Popen(runner_args(template, files), env=_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, encoding="utf-8") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert dump(template) == dump(ref_dir)
    both = outs[0][0] + outs[1][0]
    assert both.count("\tapplied\t") == 4                 # each bundle applied exactly once between them
    city = open_office(template.parent, CITY, unit_keys)
    try:
        check_ok(city)
    finally:
        city.svc.close()


def test_import_prints_each_outcome_and_fails_when_any_was_rejected(city_with_keys, tmp_path, unit_keys):
    template, files = city_with_keys
    FileKeyStore.create(template / "keys" / "unit-keys.json", unit_keys[CITY], PASSPHRASE, scrypt_log_n=CHEAP_SCRYPT)
    bad = tmp_path / "bad.xfb"
    bad.write_bytes(b"XFBUNDLE" + b"\x00" * 40)
    done = run_cli(template, [files[1], bad])
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2, (done.stdout, done.stderr)
    assert "已导入" in lines[0] and "第 1 号" in lines[0]
    assert lines[1].startswith("bad.xfb：拒绝") and "请" in lines[1]
    again = run_import(template, [files[1], files[0]])
    assert again.returncode == 0
    assert [line.split("\t")[1] for line in again.stdout.strip().splitlines()] == ["already", "applied"]

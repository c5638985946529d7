"""`xinfang case print --document receipt` signs with the key passphrase; `xinfang receipt verify` at the city
answers valid / reason / unit / number / received / known_here and exits 0 only for a genuine receipt."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from xinfang_desktop.cli import main

from .conftest import CITY, TOWNS


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setenv("XINFANG_PASSWORD", "admin-pass-1")
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def code_on(pdf: Path) -> str | None:
    """The 核验码 line as printed (groups of 5), or None when the receipt has none."""
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    m = re.search(r"核验码：\s*(XFR[A-Z2-7\s]+)", text)
    return " ".join(m.group(1).split()) if m else None


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A city and a township with real key stores, enrolled with each other through the commands."""
    root = tmp_path_factory.mktemp("receipt-cli")
    mp = pytest.MonkeyPatch()
    cap = _Cap()
    try:
        mp.setenv("XINFANG_PASSPHRASE", "secret-pass-1")
        city, town = root / "city", root / "town"
        fingerprints = {}
        for d, unit in ((city, CITY), (town, TOWNS[0])):
            mp.setattr(sys, "stdin", io.StringIO("admin-pass-1\n"))
            mp.setenv("XINFANG_PASSWORD", "admin-pass-1")
            assert main(["--data-dir", str(d), "init", "--unit", unit, "--admin", "admin"]) == 0
            assert main(["--data-dir", str(d), "keys", "init"]) == 0
            assert main(["--data-dir", str(d), "keys", "export-public", "--out", str(root / f"{unit}.json")]) == 0
            with cap:
                assert main(["--data-dir", str(d), "keys", "show", "--format", "json"]) == 0
            fingerprints[unit] = json.loads(cap.out)["fingerprint"]
        assert main(["--data-dir", str(city), "keys", "enrol", str(root / f"{TOWNS[0]}.json"),
                     "--fingerprint", fingerprints[TOWNS[0]]]) == 0
        assert main(["--data-dir", str(town), "keys", "enrol", str(root / f"{CITY}.json"),
                     "--fingerprint", fingerprints[CITY]]) == 0
    finally:
        mp.undo()
    return city, town


class _Cap:
    """stdout of one command, outside pytest's per-test capture (the fixture is module-scoped)."""

    def __enter__(self):
        self._old, sys.stdout = sys.stdout, io.StringIO()
        return self

    def __exit__(self, *exc):
        self.out = sys.stdout.getvalue()
        sys.stdout = self._old


@pytest.mark.slow
def test_print_signs_and_the_city_verifies(folders, tmp_path, capsys, monkeypatch):
    city, town = folders
    code, out, _ = run(capsys, monkeypatch, "--data-dir", str(town), "case", "add", "--name", "欧阳娜娜",
                       "--channel", "走访", "--category", "0401", "--request", "要求追讨拖欠的工资",
                       "--received", "2026-03-02", "--format", "json")
    number = json.loads(out)["number"]
    # without the passphrase the receipt is printed as before, and says how to sign it
    monkeypatch.delenv("XINFANG_PASSPHRASE", raising=False)
    code, _, err = run(capsys, monkeypatch, "--data-dir", str(town), "case", "print", number, "--document", "receipt",
                       "--out", str(tmp_path / "plain.pdf"))
    assert code == 0 and "未附核验码" in err and "XINFANG_PASSPHRASE" in err
    assert code_on(tmp_path / "plain.pdf") is None
    monkeypatch.setenv("XINFANG_PASSPHRASE", "secret-pass-1")
    code, _, err = run(capsys, monkeypatch, "--data-dir", str(town), "case", "print", number, "--document", "receipt",
                       "--out", str(tmp_path / "signed.pdf"))
    assert code == 0 and err == ""
    typed = code_on(tmp_path / "signed.pdf")
    assert typed and len(typed.replace(" ", "")) == 178
    # a reprint needs no passphrase and carries the same code
    monkeypatch.delenv("XINFANG_PASSPHRASE")
    assert run(capsys, monkeypatch, "--data-dir", str(town), "case", "print", number, "--document", "receipt",
               "--redacted", "--out", str(tmp_path / "again.pdf"))[0] == 0
    assert code_on(tmp_path / "again.pdf") == typed

    code, out, _ = run(capsys, monkeypatch, "--data-dir", str(city), "receipt", "verify", *typed.split(),
                       "--format", "json")
    answer = json.loads(out)
    assert code == 0
    assert {k: answer[k] for k in ("valid", "reason", "unit", "number", "received", "known_here")} == {
        "valid": True, "reason": "ok", "unit": TOWNS[0], "number": number, "received": "2026-03-02",
        "known_here": False}
    assert answer["held"] == "not_reported" and answer["people"] == 1
    code, out, _ = run(capsys, monkeypatch, "--data-dir", str(city), "receipt", "verify", typed.replace(" ", ""),
                       "--names", "欧阳娜娜", "--request", "要求追讨拖欠的工资")
    assert code == 0 and "真实有效" in out and "尚未报送" in out and "内容一致" in out

    compact = typed.replace(" ", "")
    changed = compact[:50] + ("A" if compact[50] != "A" else "B") + compact[51:]
    code, out, _ = run(capsys, monkeypatch, "--data-dir", str(city), "receipt", "verify", changed, "--format", "json")
    answer = json.loads(out)
    assert code == 3 and answer["valid"] is False and answer["reason"] == "altered" and answer["known_here"] is False
    code, out, _ = run(capsys, monkeypatch, "--data-dir", str(city), "receipt", "verify", "-", stdin=compact + "\n")
    assert code == 0

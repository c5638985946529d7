"""`xinfang keys …`, `export`, `import`, `sync status` end to end on two data folders (real key stores)."""

from __future__ import annotations

import json
import os

import pytest

from tests.clirun import xinfang

from .conftest import CITY, TOWNS


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """One command in this process, with the key passphrase the test has set (XINFANG_PASSPHRASE), if any."""
    r = xinfang(*args, stdin=stdin, env={"XINFANG_PASSWORD": "admin-pass-1",
                                         "XINFANG_PASSPHRASE": os.environ.get("XINFANG_PASSPHRASE")})
    return r.returncode, r.stdout, r.stderr


@pytest.mark.slow
def test_keys_enrol_export_import_and_status(tmp_path, capsys, monkeypatch, city_url):
    monkeypatch.setenv("XINFANG_PASSPHRASE", "secret-pass-1")
    city, town = str(tmp_path / "city"), str(tmp_path / "town")
    for d, unit in ((city, CITY), (town, TOWNS[0])):
        on_server = ("--database", city_url) if d == city and city_url else ()   # the city's data on the server
        assert run(capsys, monkeypatch, "--data-dir", d, *on_server, "init", "--unit", unit, "--admin", "admin",
                   stdin="admin-pass-1\n")[0] == 0
        code, out, _ = run(capsys, monkeypatch, "--data-dir", d, "keys", "init")
        assert code == 0 and "签名公钥指纹" in out
    code, again, err = run(capsys, monkeypatch, "--data-dir", city, "keys", "init")
    assert code == 1 and "已有同步密钥" in err
    shown = {}
    for d in (city, town):
        code, out, _ = run(capsys, monkeypatch, "--data-dir", d, "keys", "show", "--format", "json")
        shown[d] = json.loads(out)
        assert code == 0 and len(shown[d]["fingerprint"]) == 64
        assert run(capsys, monkeypatch, "--data-dir", d, "keys", "export-public", "--out",
                   str(tmp_path / f"{shown[d]['unit']}.json"))[0] == 0
    assert shown[city]["unit"] == CITY and shown[town]["unit"] == TOWNS[0]
    # The fingerprint read off the paper form must match the file; a wrong one is refused.
    wrong = shown[town]["fingerprint"][:-1] + ("0" if shown[town]["fingerprint"][-1] != "0" else "1")
    code, _, err = run(capsys, monkeypatch, "--data-dir", city, "keys", "enrol", str(tmp_path / f"{TOWNS[0]}.json"),
                       "--fingerprint", wrong)
    assert code == 1 and "不一致" in err
    spaced = " ".join(shown[town]["fingerprint"][i:i + 4] for i in range(0, 64, 4)).lower()
    assert run(capsys, monkeypatch, "--data-dir", city, "keys", "enrol", str(tmp_path / f"{TOWNS[0]}.json"),
               "--fingerprint", spaced)[0] == 0
    assert run(capsys, monkeypatch, "--data-dir", town, "keys", "enrol", str(tmp_path / f"{CITY}.json"),
               "--fingerprint", shown[city]["fingerprint"])[0] == 0
    assert run(capsys, monkeypatch, "--data-dir", town, "demo", "--cases", "5")[0] == 0
    stick = tmp_path / "stick"
    stick.mkdir()
    code, out, _ = run(capsys, monkeypatch, "--data-dir", town, "export", "--to", str(stick))
    assert code == 0 and out.strip().endswith(f"{TOWNS[0]}_1_00000001.xfb")
    code, out, _ = run(capsys, monkeypatch, "--data-dir", city, "import", str(stick))
    assert code == 0 and "已导入" in out
    code, out, _ = run(capsys, monkeypatch, "--data-dir", city, "sync", "status", "--format", "json")
    status = json.loads(out)
    [peer] = status["peers"]
    assert (peer["unit"], peer["head"], peer["cases"], peer["gaps"]) == (TOWNS[0], 1, 5, [])
    assert status["fingerprint"] == shown[city]["fingerprint"] and status["inbox"]["applied"] == 1
    code, out, _ = run(capsys, monkeypatch, "--data-dir", city, "sync", "status")
    assert code == 0 and "永福镇" in out and "第 1 号" in out

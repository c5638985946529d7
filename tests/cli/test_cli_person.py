"""`xinfang case add` with an ID number registered under another name is refused, naming both versions,
until `--person-update use|correct|separate` says what to do (issue 13); `ledger import` reports such
rows and takes `--person-conflicts keep|separate`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "secret-pass"
ID = "11010519491231002X"
ZHAO = ["--name", "赵六", "--id-number", ID, "--phone", "13812345678", "--address", "永福镇李庄村3组15号"]
SUN = ["--name", "孙七", "--id-number", ID, "--phone", "13900001111"]
MATTER = ["--channel", "走访", "--category", "1501", "--request", "检举村干部侵占集体土地补偿款"]


def run(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "XINFANG_PASSWORD": PASSWORD}
    env.pop("XINFANG_HOME", None)
    return subprocess.run([sys.executable, "-m", "xinfang_desktop.cli", "--data-dir", str(data), *args],
                          input=stdin, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)


def ok(data: Path, *args: str, stdin: str | None = None) -> str:
    r = run(data, *args, stdin=stdin)
    assert r.returncode == 0, r.stderr
    return r.stdout


def counts(data: Path) -> tuple:
    from tests.dbfiles import connect

    con = connect(data / "xinfang.sqlite3", password=PASSWORD)
    try:
        tables = [t for t in ("case", "person", "case_party", "person_revision", "audit_entry")
                  if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (t,)).fetchone()]
        return tuple(con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables) + tuple(
            con.execute("SELECT name, id_number, phone, version FROM person ORDER BY rowid").fetchall())
    finally:
        con.close()


@pytest.fixture
def data(tmp_path) -> Path:
    d = tmp_path / "data"
    ok(d, "init", "--unit", "350881102000", "--admin", "admin", stdin=PASSWORD + "\n")
    return d


def test_case_add_with_a_known_id_and_another_name_is_refused_naming_both_30_3(data):
    """第三十条第三款: the accuser registered first is not renamed by the next registration of the same ID."""
    first = json.loads(ok(data, "case", "add", *ZHAO, *MATTER, "--format", "json"))["number"]
    before = counts(data)
    r = run(data, "case", "add", *SUN, *MATTER)
    assert r.returncode == 1 and r.stdout == ""
    err = r.stderr
    assert err.startswith("错误：") and "已登记：姓名 赵六" in err and "本次填写：姓名 孙七" in err
    assert "110105********002X" in err and "138****5678" in err and "139****1111" in err
    assert "永福镇李庄村3组15号" in err                                     # the address, as `case show` shows it
    assert ID not in err and "13812345678" not in err and "13900001111" not in err
    for value in ("use", "correct", "separate"):
        assert f"--person-update {value}" in err
    assert counts(data) == before
    shown = json.loads(ok(data, "case", "show", first, "--format", "json"))
    assert [p["name"] for p in shown["parties"]] == ["赵六"]


def test_person_update_separate_correct_and_use(data):
    first = json.loads(ok(data, "case", "add", *ZHAO, *MATTER, "--format", "json"))["number"]
    second = json.loads(ok(data, "case", "add", *SUN, *MATTER, "--person-update", "separate",
                           "--format", "json"))["number"]
    shown = json.loads(ok(data, "case", "show", second, "--format", "json"))
    [party] = shown["parties"]
    assert (party["name"], party["id_number"]) == ("孙七", None)
    assert party["history"][0]["kind"] == "separate" and "赵六" in party["history"][0]["text"]
    text = ok(data, "case", "show", first)
    assert "赵六" in text and "身份证由他人出示" in text

    # 赵六 himself, with a new phone: corrected on request, the old number kept in his history.
    third = ok(data, "case", "add", *ZHAO[:4], "--phone", "13700002222", *MATTER, "--person-update", "correct")
    assert "已登记" in third
    text = ok(data, "case", "show", first)
    assert "137****2222" in text and "更正" in text and "138****5678→137****2222" in text

    # use: the case links 赵六 as registered, whatever the name typed
    before = counts(data)[1]
    out = json.loads(ok(data, "case", "add", *SUN, *MATTER, "--person-update", "use", "--format", "json"))
    shown = json.loads(ok(data, "case", "show", out["number"], "--format", "json"))
    assert [p["name"] for p in shown["parties"]] == ["赵六"] and counts(data)[1] == before
    assert shown["parties"][0]["phone"] == "137****2222"


def test_person_update_given_per_petitioner_must_match_the_names(data):
    ok(data, "case", "add", *ZHAO, *MATTER)
    r = run(data, "case", "add", *SUN, "--name", "李四", *MATTER, "--person-update", "use", "--person-update", "use",
            "--person-update", "use")
    assert r.returncode == 1 and "--person-update 给出了3次" in r.stderr
    r = run(data, "case", "add", *SUN, *MATTER, "--person-update", "rename")
    assert r.returncode == 2 and "--person-update" in r.stderr and "separate" in r.stderr


def test_ledger_import_reports_rows_whose_id_is_registered_with_another_name(data, tmp_path):
    ok(data, "case", "add", *ZHAO, *MATTER)
    src = tmp_path / "台账.csv"
    src.write_text("姓名,身份证号码,联系电话,信访日期,信访方式,反映问题,问题类别\n"
                   f"孙七,{ID},13900001111,2024-03-05,来访,检举村干部,检举控告\n"
                   f"赵六,{ID},13900003333,2024-04-01,来访,反映道路损坏,交通运输\n"
                   "李四,,,2024-05-01,来信,反映噪声扰民,噪声污染\n", encoding="utf-8")
    dry = json.loads(ok(data, "ledger", "import", str(src), "--dry-run", "--format", "json"))
    assert (dry["imported"], dry["person_conflicts"], dry["kept"], dry["separated"]) == (2, 1, 1, 0)
    [conflict] = [r for r in dry["rows"] if r["status"] == "conflict"]
    assert conflict["row"] == 2 and "赵六" in conflict["problems"][0] and "孙七" in conflict["problems"][0]
    before = counts(data)
    text = ok(data, "ledger", "import", str(src))
    assert "已导入2行" in text and "1行未导入（已登记的信访人不作修改）" in text and "第2行 未导入" in text
    after = counts(data)
    assert after[0] == before[0] + 2 and after[5:] == before[5:] + (("李四", None, None, 1),)   # 赵六 unchanged
    rejects = (tmp_path / "台账.未导入.csv").read_text(encoding="utf-8-sig")
    assert "孙七" in rejects and "赵六" in rejects
    done = json.loads(ok(data, "ledger", "import", str(src), "--person-conflicts", "separate", "--format", "json"))
    assert (done["imported"], done["separated"], done["skipped"]) == (1, 1, 2)
    assert counts(data)[-1] == ("孙七", None, "13900001111", 1)

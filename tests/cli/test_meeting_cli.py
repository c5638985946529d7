"""`xinfang meeting add|list|show|tasks|close-task|print` on a real data folder (issue 19)."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.test_cli import ok, run


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("meetings") / "data"
    ok(d, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    return d


def add_case(data: Path, request: str) -> str:
    return json.loads(ok(data, "case", "add", "--name", "欧阳娜娜", "--channel", "走访", "--category", "0401",
                         "--request", request, "--format", "json"))["number"]


def test_a_monthly_meeting_by_short_numbers_its_tasks_closed_and_its_minutes(data, tmp_path):
    today = date.today()
    wages, road = add_case(data, "要求追讨拖欠的工资"), add_case(data, "要求修复村道")
    short_w, short_r = str(int(wages[-5:])), f"{today.year}-{int(road[-5:])}"
    soon, later = (today + timedelta(days=3)).isoformat(), (today + timedelta(days=20)).isoformat()
    made = json.loads(ok(data, "meeting", "add", "--kind", "跟踪督办会", "--date", today.isoformat(), "--chair", "陈镇长",
                         "--unit", "镇劳动保障所、镇村建办", "--matter", short_w, "--matter", short_r,
                         "--task", f"{short_w}:镇劳动保障所:核实拖欠工资数额：约谈企业:{soon}",
                         "--task", f"{short_r}：镇村建办：勘查村道：{later}",
                         "--summary", f"{short_w}:企业已承认拖欠", "--format", "json"))
    assert made["kind"] == "跟踪督办会" and made["units"] == ["镇劳动保障所", "镇村建办"]
    assert [m["case"] for m in made["matters"]] == [wages, road]
    assert [(t["case"], t["unit"], t["what"], t["urgency"]) for t in made["tasks"]] == [
        (wages, "镇劳动保障所", "核实拖欠工资数额：约谈企业", "amber"), (road, "镇村建办", "勘查村道", "green")]
    listed = ok(data, "meeting", "list")
    assert made["id"][:8] in listed and "跟踪督办会（第1期）" in listed and "未完成2项" in listed
    shown = ok(data, "meeting", "show", made["id"][:8])
    assert "研究情况：企业已承认拖欠" in shown and "▲ 剩3天" in shown
    tasks = json.loads(ok(data, "meeting", "tasks", "--format", "json"))
    assert [t["unit"] for t in tasks] == ["镇劳动保障所", "镇村建办"]
    out = ok(data, "meeting", "close-task", tasks[0]["id"][:8], "--result", "已约谈，企业承诺月底前支付")
    assert "已记录任务完成" in out and "已于" in out
    assert [t["unit"] for t in json.loads(ok(data, "meeting", "tasks", "--format", "json"))] == ["镇村建办"]
    case = json.loads(ok(data, "case", "show", wages, "--format", "json"))
    assert any(d["key"] == "meeting_task" and d["met_on"] == today.isoformat() for d in case["deadlines"])
    assert any(t["kind"] == "meeting" for t in case["timeline"])

    pdf = tmp_path / "纪要.pdf"
    printed = json.loads(ok(data, "meeting", "print", made["id"][:8], "--out", str(pdf), "--format", "json"))
    assert printed["pages"] == 1 and printed["title"] == "跟踪督办会纪要"
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages))
    assert wages in text and "勘查村道" in text and "核实拖欠工资数额：约谈企业" in text


def test_bad_input_is_refused_with_a_message_and_nothing_written(data):
    before = ok(data, "meeting", "list", "--format", "json")
    r = run(data, "meeting", "add", "--kind", "跟踪督办会", "--date", date.today().isoformat(), "--chair", "陈镇长",
            "--unit", "镇村建办", "--matter", "1", "--task", "1:镇村建办:没有期限")
    assert r.returncode != 0 and "任务格式应为" in r.stderr
    r = run(data, "meeting", "add", "--kind", "座谈会", "--date", date.today().isoformat(), "--chair", "陈镇长",
            "--unit", "镇村建办", "--matter", "1")
    assert r.returncode != 0 and "会议类型无效" in r.stderr
    assert ok(data, "meeting", "list", "--format", "json") == before
    r = run(data, "meeting", "show", "0000000000")
    assert r.returncode != 0 and "找不到会议" in r.stderr

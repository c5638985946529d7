"""`xinfang deliberation add|list|show|print` and `xinfang backlog suggest|add|list|show|step|done|resolve` on a real
data folder."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.test_cli import ok, run


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("resolution") / "data"
    ok(d, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    return d


def new_case(data: Path) -> str:
    number = json.loads(ok(data, "case", "add", "--name", "欧阳娜娜", "--channel", "走访", "--category", "0401",
                           "--request", "要求追讨拖欠的工资", "--format", "json"))["number"]
    ok(data, "event", "add", number, "route", "--route", "direct", "--unit", "镇信访办")
    return number


def test_deliberation_add_list_show_print(data, tmp_path):
    number = new_case(data)
    today = date.today().isoformat()
    base = ["deliberation", "add", number, "--date", today, "--place", "镇红土先锋评理室",
            "--panel", "陈老支书:退休村干部", "--panel", "林党员:老党员", "--attendee", "欧阳娜娜", "--attendee", "公司代表",
            "--statements", "信访人称欠薪六个月，公司称已付三个月", "--view", "应结清无争议部分"]
    r = run(data, *base, "--accepted", "也许")
    assert r.returncode == 1 and "接受" in r.stderr
    r = run(data, *base[:8], "陈老支书:350881194901010011", *base[9:], "--accepted", "接受")
    assert r.returncode == 1 and "身份证号码" in r.stderr
    first = json.loads(ok(data, *base, "--accepted", "不接受", "--format", "json"))
    fixed = json.loads(ok(data, *base, "--accepted", "接受", "--corrects", first["id"], "--format", "json"))
    assert fixed["corrects"] == first["id"] and fixed["panel"][0] == {"name": "陈老支书", "role": "退休村干部"}
    listed = json.loads(ok(data, "deliberation", "list", number, "--format", "json"))
    assert [x["id"] for x in listed] == [first["id"], fixed["id"]] and listed[0]["corrected_by"] == fixed["id"]
    assert "已被记录" in ok(data, "deliberation", "show", first["id"])
    out = tmp_path / "评理意见.pdf"
    printed = json.loads(ok(data, "deliberation", "print", fixed["id"], "--out", str(out), "--format", "json"))
    assert printed["pages"] == 1
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "信访评理意见" in text and "应结清无争议部分" in text and number in text


def test_backlog_add_step_done_resolve(data, tmp_path):
    number = new_case(data)
    today = date.today()
    r = run(data, "backlog", "add", number, "--basis", "长期未化解", "--reason", " ")
    assert r.returncode == 1 and "理由" in r.stderr
    due = (today + timedelta(days=20)).isoformat()
    entry = json.loads(ok(data, "backlog", "add", number, "--basis", "重复信访", "--reason", "同一事项反复来访",
                          "--step", f"约谈企业负责人|镇劳动保障所|{due}", "--format", "json"))
    assert entry["on_register"] and entry["next_step"]["action"] == "约谈企业负责人"
    assert entry["next_step"]["urgency"] == "green"
    ok(data, "backlog", "step", number, "--action", "组织信访评理", "--responsible", "镇信访办", "--due", due)
    done = json.loads(ok(data, "backlog", "done", number, "1", "--result", "已约谈", "--format", "json"))
    assert done["steps"][0]["done_on"] == today.isoformat() and done["next_step"]["position"] == 2
    assert number in ok(data, "backlog", "list")
    r = run(data, "backlog", "resolve", number, "--outcome", "息诉罢访", "--note", "已结清")
    assert r.returncode == 1 and "承诺书" in r.stderr
    scan = tmp_path / "承诺书.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"signed")
    out = json.loads(ok(data, "backlog", "resolve", number, "--outcome", "息诉罢访", "--note", "工资已结清",
                        "--statement", str(scan), "--format", "json"))
    assert out["outcome"] == "息诉罢访" and not out["on_register"] and out["statement_sha256"]
    assert json.loads(ok(data, "backlog", "list", "--format", "json")) == []
    assert "息诉罢访" in ok(data, "backlog", "show", entry["id"])
    assert "没有按规则建议" in ok(data, "backlog", "suggest")

"""`xinfang board`, `case assign-leader`, `mediation add`, `reception add|summary`, `followup add`
run as a subprocess on a real data folder."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli.test_cli import ok, run


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("attention") / "data"
    ok(d, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    ok(d, "user", "add", "leader1", "--role", "leader", "--display-name", "李镇长", stdin="leader-pass-1\n")
    return d


def test_board_assign_mediate_reply_follow_up(data):
    today = date.today()
    number = json.loads(ok(data, "case", "add", "--name", "欧阳娜娜", "--id-number", "11010519491231002X",
                           "--channel", "走访", "--category", "0401", "--request", "要求追讨拖欠的工资",
                           "--format", "json"))["number"]
    ok(data, "event", "add", number, "route", "--route", "direct", "--unit", "镇信访办")
    board = json.loads(ok(data, "board", "--format", "json"))
    person = next(p for p in board["people"] if p["name"] == "欧阳娜娜")
    assert person["colour"] == "C" and person["id_number"] == "110105********002X"
    assert person["reasons"][0].startswith("办理中，按期推进")

    r = run(data, "--as", "leader1", "case", "assign-leader", number, "--leader", "李镇长",
            "--plan", "约谈企业负责人", "--target", (today - timedelta(days=1)).isoformat(), password="leader-pass-1")
    assert r.returncode == 1 and "早于今天" in r.stderr
    target = (today + timedelta(days=20)).isoformat()
    out = ok(data, "--as", "leader1", "case", "assign-leader", number, "--leader", "李镇长", "--plan", "约谈企业负责人",
             "--target", target, password="leader-pass-1")
    assert "李镇长包案" in out
    person = next(p for p in json.loads(ok(data, "board", "--format", "json"))["people"] if p["name"] == "欧阳娜娜")
    assert person["colour"] == "B" and person["owner"] == "李镇长"
    assert person["reasons"] == [f"李镇长包案，目标{target}前化解"]
    assert "李镇长包案" in ok(data, "board", "--colour", "橙B")

    r = run(data, "mediation", "add", number, "--date", today.isoformat(), "--place", "调解室", "--kind", "人民调解",
            "--mediator", "陈调解:人民调解员", "--party", "欧阳娜娜", "--discussion", "协商支付", "--outcome", "达成协议")
    assert r.returncode == 1 and "协议内容" in r.stderr
    session = json.loads(ok(data, "mediation", "add", number, "--date", today.isoformat(), "--place", "调解室",
                            "--kind", "人民调解", "--mediator", "陈调解:人民调解员", "--mediator", "林律师:律师",
                            "--party", "欧阳娜娜", "--discussion", "协商支付", "--outcome", "达成协议",
                            "--agreement", "公司于月底前支付工资", "--format", "json"))
    fix = json.loads(ok(data, "mediation", "add", number, "--date", today.isoformat(), "--place", "镇综治中心",
                        "--kind", "人民调解", "--mediator", "陈调解", "--party", "欧阳娜娜", "--discussion", "协商支付",
                        "--outcome", "达成协议", "--agreement", "公司于月底前支付工资", "--corrects", session["id"],
                        "--format", "json"))
    assert fix["corrects"] == session["id"]

    ok(data, "event", "add", number, "reply", "--basis", "《保障农民工工资支付条例》第三条", "--outcome", "支持", "--text", "责成企业支付工资")
    person = next(p for p in json.loads(ok(data, "board", "--format", "json"))["people"] if p["name"] == "欧阳娜娜")
    assert person["colour"] == "D" and person["next_step"] == f"回访（{number}）"
    r = run(data, "followup", "add", number, "--method", "飞鸽")
    assert r.returncode == 1 and "电话或上门" in r.stderr
    assert "满意" in ok(data, "followup", "add", number, "--method", "电话", "--rating", "满意")
    names = [p["name"] for p in json.loads(ok(data, "board", "--format", "json"))["people"]]
    assert "欧阳娜娜" not in names


def test_reception_add_and_summary_add_up(data):
    ok(data, "reception", "add", "--leader", "李镇长", "--date", "2026-01-05", "--place", "接待大厅", "--kind", "接访日",
       "--batches", "4", "--persons", "9")
    ok(data, "reception", "add", "--leader", "王书记", "--date", "2026-01-20", "--place", "某村", "--kind", "登门走访",
       "--batches", "2", "--persons", "2")
    r = run(data, "reception", "add", "--leader", "王书记", "--date", "2026-01-20", "--place", "某村", "--kind", "登门走访",
            "--batches", "3", "--persons", "1")
    assert r.returncode == 1 and "不能少于批次" in r.stderr
    s = json.loads(ok(data, "reception", "summary", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json"))
    assert s["total"] == {"receptions": 2, "batches": 6, "persons": 11}
    assert sum(k["batches"] for k in s["kinds"]) == 6 and sum(k["persons"] for k in s["kinds"]) == 11
    text = ok(data, "reception", "summary", "--from", "2026-01-01", "--to", "2026-01-31")
    assert "合计\t2\t6\t11" in text and "接访日\t1\t4\t9" in text
    assert "四门四访小计\t1\t2\t2\n接访日\t1\t4\t9\n合计" in text       # the subtotal beside 接访日
    assert s["four_doors"] == {"receptions": 1, "batches": 2, "persons": 2}


def test_board_by_matter_is_the_default_and_by_person_keeps_the_old_fields(data):
    """A group visit (第二十条) is one matter on `xinfang board`; `--by person` regroups by person. The JSON
    keeps the fields of earlier versions with their meaning ("counts" and "people": by person) and adds
    the board by matter as "matters" and "matter_counts"."""
    number = json.loads(ok(data, "case", "add", "--name", "张三", "--name", "李四", "--people", "6",
                           "--representative", "张三", "--channel", "走访", "--category", "0201",
                           "--request", "要求补足土地征收补偿款", "--format", "json"))["number"]
    out = json.loads(ok(data, "board", "--format", "json"))
    assert out["by"] == "matter"
    [matter] = [m for m in out["matters"] if m["number"] == number]
    assert matter["parties"] == "张三、李四等6人" and matter["petitioners"] == ["张三", "李四"]
    assert matter["colour"] == "A" and matter["reasons"] == ["集体访事项（6人）尚未办结"]
    assert matter["case_id"] == matter["matters"][0]["id"] and matter["category"] == "自然资源（国土）/土地征收"
    assert not {"id_number", "township", "village", "person_id"} & matter.keys()
    assert out["matter_counts"]["A"] == sum(1 for m in out["matters"] if m["colour"] == "A")
    # The old fields, as before: one entry per person.
    assert sorted(p["name"] for p in out["people"] if p["matters"][0]["number"] == number) == ["张三", "李四"]
    assert out["counts"]["A"] == sum(1 for p in out["people"] if p["colour"] == "A")

    people = json.loads(ok(data, "board", "--by", "person", "--format", "json"))
    assert people["by"] == "person" and people["people"] == out["people"] and "matters" not in people

    text = ok(data, "board", "--colour", "红A")
    assert "四色看板（按事项）" in text and f"{number}  自然资源（国土）/土地征收  张三、李四等6人" in text
    assert "件" in text.splitlines()[0] and "张三  " not in text
    text = ok(data, "board", "--by", "person", "--colour", "红A")
    assert "四色看板（按人员）" in text and "张三  " in text and "李四  " in text
    r = run(data, "board", "--by", "village")
    assert r.returncode != 0 and "village" in r.stderr

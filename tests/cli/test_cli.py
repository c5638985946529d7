"""The `xinfang` command on a real data folder, as scripts use it (run in-process: tests/clirun.py;
the real process is tests/cli/test_cli_process.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import CliResult, xinfang


PASSWORD = "secret-pass"        # the administrator's password of every folder these tests make


def run(data: Path, *args: str, stdin: str | None = None, password: str | None = PASSWORD) -> CliResult:
    return xinfang("--data-dir", data, *args, stdin=stdin, env={"XINFANG_PASSWORD": password})


def ok(data: Path, *args: str, stdin: str | None = None, password: str | None = PASSWORD) -> str:
    r = run(data, *args, stdin=stdin, password=password)
    assert r.returncode == 0, r.stderr
    return r.stdout


def table_counts(data: Path) -> tuple:
    from tests.dbfiles import connect

    con = connect(data / "xinfang.sqlite3", password=PASSWORD)
    try:
        return tuple(con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                     for t in ("case", "person", "case_event", "audit_entry"))
    finally:
        con.close()


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cli") / "data"
    ok(d, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    return d


def test_init_twice_is_refused(data):
    r = run(data, "init", "--unit", "350881102000", "--admin", "other", stdin="secret-pass\n")
    assert r.returncode != 0 and "已经初始化" in r.stderr


def test_case_add_show_event_search_check(data):
    out = json.loads(ok(data, "case", "add", "--name", "欧阳娜娜", "--id-number", "11010519491231002X",
                        "--phone", "13812345678", "--channel", "来信", "--category", "0401",
                        "--request", "要求追讨拖欠的工资", "--received", "2026-11-20", "--format", "json"))
    number = out["number"]
    assert len(out["query_code"]) == 8
    shown = json.loads(ok(data, "case", "show", number, "--format", "json"))
    assert shown["status"] == "registered" and shown["channel"] == "来信"
    route_due = next(d for d in shown["deadlines"] if d["key"] == "route")
    assert route_due["due"] == "2026-12-07"      # 15 days from 20 Nov is Sat 5 Dec: moves to Monday
    assert shown["parties"][0]["id_number"] == "110105********002X"
    assert "route" in shown["allowed_actions"] and "reply" not in shown["allowed_actions"]

    r = run(data, "event", "add", number, "reply", "--basis", "《保障农民工工资支付条例》第三条", "--outcome", "支持", "--text", "x")
    assert r.returncode == 1 and "尚未受理" in r.stderr

    shown = json.loads(ok(data, "event", "add", number, "route", "--route", "assign", "--unit", "市人社局",
                          "--deadline", "2027-01-10", "--at", "2026-11-21 10:00", "--format", "json"))
    assert shown["status"] == "handling"
    assert next(d for d in shown["deadlines"] if d["key"] == "handling")["due"] == "2027-01-10"
    ok(data, "event", "add", number, "reply", "--basis", "《保障农民工工资支付条例》第三条", "--outcome", "解释说明", "--text", "已向信访人解释政策")
    assert json.loads(ok(data, "case", "show", number, "--format", "json"))["status"] == "replied"

    hits = json.loads(ok(data, "search", "欧阳", "--format", "json"))
    assert [h["number"] for h in hits] == [number] and hits[0]["petitioner"] == "欧阳娜娜"
    assert json.loads(ok(data, "search", "oynn", "--format", "json"))[0]["number"] == number
    check = json.loads(ok(data, "check", "--format", "json"))
    assert check["ok"] and check["integrity"] == "ok"


@pytest.mark.parametrize("args,message", [
    (["--id-number", "110105194912310021"], "校验位"),
    (["--received", "2026-02-30"], "日期"),
    (["--request", ""], "诉求不能为空"),
    (["--request", "abc\x01def"], "控制字符"),
    (["--request", "长" * 30_000], "过长"),
    (["--phone", "1381234"], "手机号码"),
    (["--category", "0000"], "类别"),
])
def test_bad_input_is_refused_with_chinese_message_and_nothing_written(data, args, message):
    base = {"--name": "张三", "--channel": "走访", "--category": "0401", "--request": "诉求"}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    before = table_counts(data)
    argv = [x for kv in base.items() for x in kv] + [a for a in args if a not in base and a not in base.values()]
    r = run(data, "case", "add", *argv)
    assert r.returncode != 0
    assert message in r.stderr, r.stderr
    assert table_counts(data) == before


def test_demo_list_overdue_and_categories(tmp_path):
    d = tmp_path / "demo"
    ok(d, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    ok(d, "demo", "--cases", "300", "--seed", "7")
    overdue = json.loads(ok(d, "case", "list", "--overdue", "--format", "json"))
    assert overdue and all(r["urgency"] == "red" for r in overdue)
    soon = json.loads(ok(d, "case", "list", "--due-within", "7", "--format", "json"))
    assert all(r["urgency"] in ("amber", "green", "red") for r in soon)
    cats = json.loads(ok(d, "categories", "--format", "json"))
    assert len(cats["categories"]) == 16
    assert json.loads(ok(d, "check", "--format", "json"))["ok"]


def test_user_add_reads_password_from_stdin(data):
    ok(data, "user", "add", "clerk2", "--role", "clerk", stdin="clerk-pass\n")
    users = json.loads(ok(data, "user", "list", "--format", "json"))
    assert {"name": "clerk2", "display_name": "clerk2", "role": "clerk"} in users
    r = run(data, "--as", "clerk2", "user", "add", "x", "--role", "admin", stdin="whatever1\n", password="clerk-pass")
    assert r.returncode == 1 and "权限" in r.stderr


def test_user_set_disable_and_enable(data):
    ok(data, "user", "add", "clerk3", "--role", "clerk", "--display-name", "赵登记", stdin="clerk3-pass\n")
    assert "孙承办（承办人）" in ok(data, "user", "set", "clerk3", "--role", "handler", "--display-name", "孙承办")
    ok(data, "user", "disable", "clerk3")
    assert "clerk3" not in {u["name"] for u in json.loads(ok(data, "user", "list", "--format", "json"))}
    listed = json.loads(ok(data, "user", "list", "--all", "--format", "json"))
    assert {"name": "clerk3", "display_name": "孙承办", "role": "handler", "active": False} in listed
    r = run(data, "--as", "clerk3", "user", "list", password="clerk3-pass")
    assert r.returncode != 0 and "用户名或密码错误" in r.stderr
    ok(data, "user", "enable", "clerk3", stdin="clerk3-new\n")
    assert "clerk3" in ok(data, "--as", "clerk3", "user", "list", password="clerk3-new")
    r = run(data, "user", "disable", "admin")
    assert r.returncode == 1 and "不能停用自己" in r.stderr


def test_calendar_load_rejects_bad_file(data, tmp_path):
    f = tmp_path / "2027.txt"
    f.write_text("2027-13-01 休\n", encoding="utf-8")
    r = run(data, "calendar", "load", str(f))
    assert r.returncode == 1 and r.stderr.startswith("错误：")


def test_missing_database_and_usage_errors_are_chinese(tmp_path):
    r = run(tmp_path / "nothing", "case", "list")
    assert r.returncode == 1 and "xinfang init" in r.stderr
    r = run(tmp_path, "case", "add", "--name", "张三")
    assert r.returncode == 2 and "缺少必需的参数" in r.stderr

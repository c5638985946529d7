"""`xinfang case add --sex`: 性别 given without an ID number is registered and shown; one that
contradicts the ID number is refused before anything is written (issue 15)."""

from __future__ import annotations

import json

from tests.cli.test_cli_person import MATTER, counts, data, ok, run  # noqa: F401  (data is a fixture)


def test_case_add_takes_the_sex_without_an_id_number_and_refuses_one_against_it(data):  # noqa: F811
    number = json.loads(ok(data, "case", "add", "--name", "李秀英", "--sex", "女", *MATTER, "--format", "json"))["number"]
    shown = json.loads(ok(data, "case", "show", number, "--format", "json"))
    assert [(p["name"], p["sex"]) for p in shown["parties"]] == [("李秀英", "女")]
    assert "李秀英  女" in ok(data, "case", "show", number)
    before = counts(data)
    r = run(data, "case", "add", "--name", "赵六", "--id-number", "11010519491231002X", "--sex", "男", *MATTER)
    assert r.returncode == 1 and "身份证号码显示为女" in r.stderr
    r = run(data, "case", "add", "--name", "赵六", "--sex", "M", *MATTER)
    assert r.returncode == 1 and "男、女或未说明" in r.stderr
    assert counts(data) == before

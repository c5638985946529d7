"""`xinfang sync revoke/freeze/unfreeze/authorise-epoch/start-epoch` run on the data
folders of a city and a township (enrolled with each other), as an administrator would type them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clirun import CliResult, xinfang

from .conftest import CITY, TOWNS, write_out


def run(data: Path, *args: str) -> CliResult:
    return xinfang("--data-dir", data, *args, env={"XINFANG_PASSWORD": "admin-pass-1"})


def ok(data: Path, *args: str) -> str:
    r = run(data, *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_freeze_unfreeze_and_revoke_a_township_at_the_city(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    cdir = Path(city.svc.data_dir)
    town.register()
    bundles = write_out(town, tmp_path / "s1", town.export())

    r = run(cdir, "sync", "freeze", TOWNS[0], "--reason", "  ")
    assert r.returncode == 1 and "请填写冻结原因" in r.stderr and not r.stdout
    out = ok(cdir, "sync", "freeze", TOWNS[0], "--reason", "编号冲突，待核实")
    assert out.count("\n") == 1 and "已冻结 永福镇信访办" in out and "编号冲突，待核实" in out
    [result] = city.import_(bundles)
    assert result.outcome == "rejected" and "冻结" in result.message
    status = json.loads(ok(cdir, "sync", "status", "--format", "json"))
    assert next(p for p in status["peers"] if p["unit"] == TOWNS[0])["frozen"] is True

    shown = json.loads(ok(cdir, "sync", "unfreeze", TOWNS[0], "--format", "json"))
    assert shown["unit"] == TOWNS[0] and shown["frozen"] is False and shown["frozen_reason"] is None
    r = run(cdir, "sync", "unfreeze", TOWNS[0])
    assert r.returncode == 1 and "没有冻结" in r.stderr
    [result] = city.import_(bundles)
    assert result.outcome == "applied"

    out = ok(cdir, "sync", "revoke", TOWNS[1])
    assert "已吊销 新桥镇信访办" in out and "不再导入" in out
    r = run(cdir, "sync", "revoke", TOWNS[1])
    assert r.returncode == 1 and "已经吊销" in r.stderr
    r = run(cdir, "sync", "freeze", "350881999000", "--reason", "核实")
    assert r.returncode == 1 and "尚未登记" in r.stderr
    status = json.loads(ok(cdir, "sync", "status", "--format", "json"))
    assert next(p for p in status["peers"] if p["unit"] == TOWNS[1])["revoked"] is True


def test_epoch_authorised_by_the_city_then_started_by_the_township(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    cdir, tdir = Path(city.svc.data_dir), Path(town.svc.data_dir)
    town.register()
    city.import_(write_out(town, tmp_path / "s1", town.export()))

    helped = ok(tdir, "sync", "start-epoch", "--help")
    assert "authorise-epoch" in helped and "市信访局" in helped
    r = run(cdir, "sync", "authorise-epoch", TOWNS[0], "1")
    assert r.returncode == 1 and "必须大于" in r.stderr and "例如 2" in r.stderr
    out = ok(cdir, "sync", "authorise-epoch", TOWNS[0], "2")
    number = f"{TOWNS[0][:9]}-2026-00001"
    assert out.count("\n") == 1 and "已授权 永福镇信访办" in out
    assert f"start-epoch 2 --last-number {number}" in out and f"最大事项编号 {number}" in out
    assert json.loads(ok(cdir, "sync", "authorise-epoch", TOWNS[0], "3", "--format", "json"))["allowed_epoch"] == 3

    r = run(tdir, "sync", "start-epoch", "1")
    assert r.returncode == 1 and "市局授权的轮次" in r.stderr
    r = run(tdir, "sync", "start-epoch", "2", "--last-number", "350881100-2026-00001")
    assert r.returncode == 1 and "不是本单位的事项编号" in r.stderr
    r = run(tdir, "sync", "start-epoch", "2", "--last-number", "第一号")
    assert r.returncode == 1 and "不是有效的案件编号" in r.stderr
    shown = json.loads(ok(tdir, "sync", "start-epoch", "2", "--last-number", f"{TOWNS[0][:9]}-2026-00005",
                          "--format", "json"))
    assert shown == {"unit": TOWNS[0], "epoch": 2, "restored": False, "epoch_needed": False,
                     "last_number": f"{TOWNS[0][:9]}-2026-00005", "clashes": []}
    assert town.register(name="王强").number == f"{TOWNS[0][:9]}-2026-00006"    # after the number the city told
    rows = town.export()
    assert [(r.epoch, r.seq) for r in rows] == [(2, 1)]
    [result] = city.import_(write_out(town, tmp_path / "s2", rows))
    assert result.outcome == "applied"
    status = json.loads(ok(tdir, "sync", "status", "--format", "json"))
    assert status["epoch"] == 2 and status["epoch_needed"] is False

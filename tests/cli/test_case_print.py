"""`xinfang case print`: every document from a real data folder, refused ones write nothing."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from xinfang_desktop.cli import main


def text_of(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages))


def xinfang(data: Path, capsys, *args: str) -> tuple[int, str, str]:
    import os

    capsys.readouterr()
    os.environ["XINFANG_PASSWORD"] = "secret-pass"
    try:
        code = main(["--data-dir", str(data), *args])
    finally:
        del os.environ["XINFANG_PASSWORD"]
    out, err = capsys.readouterr()
    return code, out, err


class FolderCases(tuple):
    """(data folder, handled case, refused case, output folder), with `.decided`: a case decided here."""

    def __new__(cls, *items):
        return super().__new__(cls, items)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A data folder with a handled case (assigned, extended, replied) and a refused one."""
    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from xinfang_desktop.services.clock import FixedClock
    from tests.conftest import new_services

    root = tmp_path_factory.mktemp("print")
    data = root / "data"
    clock = FixedClock(datetime(2026, 11, 2, 9, 30))
    svc = new_services(data, clock)
    admin = svc.auth.initialize("350881102000", "admin", "secret-pass", "王管理")

    def register(person: PetitionerInput):
        return svc.cases.register(admin, RegistrationInput(
            channel="走访", received_at=clock.now(), category_code="0401", request="要求追讨拖欠的工资",
            facts="某公司拖欠工资", reasons="多次催讨未果", petitioners=[person]))

    handled = register(PetitionerInput(name="欧阳娜娜", id_number="11010519491231002X", phone="13812345678"))
    clock.advance(days=1)
    svc.cases.act(admin, handled.number, "routed", {"route": "assign", "unit": "市人社局", "deadline": "2026-12-20",
                                                    "notified": True})
    clock.advance(days=5)
    svc.cases.act(admin, handled.number, "extended", {"days": 15, "reason": "需调取工资台账", "approver": "陈镇长"})
    clock.advance(days=5)
    svc.cases.act(admin, handled.number, "replied", {"basis": "《保障农民工工资支付条例》第三条", "outcome": "supported",
                                                     "text": "承办单位报告：已责成企业十日内支付工资"})
    # A matter this office decides itself (第三十一条第六项): its 处理意见书 is printed here.
    decided = register(PetitionerInput(name="欧阳娜娜", id_number="11010519491231002X", phone="13812345678"))
    svc.cases.act(admin, decided.number, "routed", {"route": "direct", "unit": "镇劳动保障所", "notified": True})
    svc.cases.act(admin, decided.number, "replied", {"basis": "《保障农民工工资支付条例》第三条", "outcome": "supported",
                                                     "text": "责成企业十日内支付工资",
                                                     "review_body": "漳平市人力资源和社会保障局"})
    refused = register(PetitionerInput(name="林𪚥", phone="13900001111"))
    clock.advance(hours=1)
    svc.cases.act(admin, refused.number, "refused", {"ground": "being_handled", "details": "该事项已由漳平市人社局受理，正在办理",
                                                     "instead": "漳平市人民法院"})
    svc.close()
    folder = FolderCases(data, handled, refused, root / "out")
    folder.decided = decided
    return folder


@pytest.mark.parametrize("document,expected", [
    ("register", ["信访事项登记表", "欧阳娜娜", "11010519491231002X", "要求追讨拖欠的工资"]),
    ("receipt", ["接收告知书", "欧阳娜娜", "永信收〔2026〕1号"]),
    ("notice", ["交办告知书", "市人社局", "2026年12月20日"]),
    ("transfer", ["交办", "市人社局"]),
    ("extension", ["延期", "需调取工资台账", "陈镇长"]),
    ("decision", ["处理意见书", "责成企业十日内支付工资", "漳平市人力资源和社会保障局", "30日"]),
])
def test_each_document_of_a_handled_case(folder, capsys, document, expected):
    data, handled, _refused, out_dir = folder
    if document == "decision":
        handled = folder.decided
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{document}.pdf"
    code, stdout, err = xinfang(data, capsys, "case", "print", handled.number, "--document", document,
                                "--out", str(out))
    assert code == 0, err
    assert str(out) in stdout and "已生成" in stdout
    text = text_of(out)
    assert handled.number in text
    for fact in expected:
        assert fact in text, (document, fact)
    if document == "receipt":
        assert handled.query_code in text


def test_refusal_notice_warns_of_a_character_no_font_has(folder, capsys):
    data, _handled, refused, out_dir = folder
    out_dir.mkdir(exist_ok=True)
    out = out_dir / "refusal.pdf"
    code, stdout, err = xinfang(data, capsys, "case", "print", refused.number, "--document", "refusal",
                                "--out", str(out), "--format", "json")
    assert code == 0, err
    assert "警告" in err and "𪚥" in err and "姓名" in err
    doc = json.loads(stdout)
    assert doc["pages"] >= 1 and any("𪚥" in m for m in doc["missing"])
    text = text_of(out)
    assert "不予受理" in text and "已由漳平市人社局受理" in text and "漳平市人民法院" in text


def test_redacted_print_hides_id_number_and_phone(folder, capsys):
    data, handled, _refused, out_dir = folder
    out_dir.mkdir(exist_ok=True)
    out = out_dir / "register-redacted.pdf"
    code, _stdout, err = xinfang(data, capsys, "case", "print", handled.number, "--document", "register",
                                 "--out", str(out), "--redacted")
    assert code == 0, err
    text = text_of(out)
    assert "欧阳娜娜" in text and "11010519491231002X" not in text and "13812345678" not in text


def test_a_document_the_state_does_not_allow_is_refused_and_nothing_written(folder, capsys, tmp_path):
    data, _handled, refused, _out = folder
    out = tmp_path / "decision.pdf"
    code, _stdout, err = xinfang(data, capsys, "case", "print", refused.number, "--document", "decision",
                                 "--out", str(out))
    assert code == 1
    assert "不能打印信访处理意见书" in err or "不能打印处理意见书" in err
    assert "尚未出具书面答复" in err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_kept_when_printing_is_refused(folder, capsys, tmp_path):
    data, _handled, refused, _out = folder
    out = tmp_path / "old.pdf"
    out.write_bytes(b"earlier file")
    code, _stdout, _err = xinfang(data, capsys, "case", "print", refused.number, "--document", "extension",
                                  "--out", str(out))
    assert code == 1 and out.read_bytes() == b"earlier file"


def test_unknown_case_and_missing_folder_are_explained(folder, capsys, tmp_path):
    data, handled, _refused, _out = folder
    code, _stdout, err = xinfang(data, capsys, "case", "print", "350881102-2026-99999", "--document", "register",
                                 "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and "找不到事项" in err
    code, _stdout, err = xinfang(data, capsys, "case", "print", handled.number, "--document", "register",
                                 "--out", str(tmp_path / "no-such-folder" / "x.pdf"))
    assert code == 1 and "保存位置不存在" in err
    assert not (tmp_path / "no-such-folder").exists()


def test_unknown_document_name_is_a_usage_error(folder, capsys, tmp_path):
    data, handled, _refused, _out = folder
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(data), "case", "print", handled.number, "--document", "letter",
              "--out", str(tmp_path / "x.pdf")])
    assert exc.value.code == 2
    assert "decision" in capsys.readouterr().err

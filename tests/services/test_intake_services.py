"""Intake services on a real SQLite file: person matching, registering with attachments, drafts."""

from __future__ import annotations

import hashlib

import pytest

from xinfang_desktop.store.files import FileStore

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import InvalidInput, PermissionDenied
from xinfang_desktop.domain.petition import FieldErrors, PetitionerInput
from xinfang_desktop.services.attachments import MAX_BYTES, AttachmentService, check_file
from xinfang_desktop.services.drafts import DraftService
from xinfang_desktop.services.intake import IntakeService
from xinfang_desktop.store.models import AuditEntry, Case, Person
from xinfang_desktop.store.models_intake import Attachment, IntakeDraft

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def stored_files(services):
    root = services.data_dir / "attachments"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_people_like_finds_by_id_prefix_phone_prefix_and_name(services, clerk):
    ref = services.cases.register(clerk, make_registration())
    intake = services.get(IntakeService)
    by_id = intake.people_like(clerk, id_number="11010519491")
    assert [m.name for m in by_id] == ["欧阳娜娜"]
    assert by_id[0].id_number == "110105********002X" and by_id[0].phone == "138****5678"
    assert by_id[0].cases[0].number == ref.number and by_id[0].cases[0].is_open
    assert by_id[0].place == "永福镇"
    assert [m.name for m in intake.people_like(clerk, phone="1381234")] == ["欧阳娜娜"]
    assert [m.name for m in intake.people_like(clerk, name="欧阳")] == ["欧阳娜娜"]
    # Too short to mean anything: nothing, rather than half the county.
    assert intake.people_like(clerk, id_number="1101") == []
    assert intake.people_like(clerk, name="欧") == []
    assert intake.people_like(clerk, name="张三") == []


def test_person_for_form_fills_full_numbers_and_audits_the_view(services, clerk):
    services.cases.register(clerk, make_registration())
    intake = services.get(IntakeService)
    pid = intake.people_like(clerk, name="欧阳娜娜")[0].person_id
    before = AuditEntry.select().where(AuditEntry.action == "personal.reveal.intake").count()
    p = intake.person_for_form(clerk, pid)
    assert (p.name, p.id_number, p.phone, p.person_id) == ("欧阳娜娜", "11010519491231002X", "13812345678", pid)
    assert AuditEntry.select().where(AuditEntry.action == "personal.reveal.intake").count() == before + 1


def test_register_refuses_bad_form_and_bad_files_writing_nothing(services, clerk, tmp_path):
    fake = write(tmp_path / "letter.jpg", b"MZ\x90\x00 this is a program")
    reg = make_registration(request="", petitioners=[PetitionerInput(name="李四", id_number="110105194912310021")])
    cases, people = Case.select().count(), Person.select().count()
    with pytest.raises(FieldErrors) as err:
        services.get(IntakeService).register(clerk, reg, [fake])
    assert set(err.value.errors) == {"request", "petitioners[0].id_number", "attachments[0]"}
    assert "校验位" in err.value.errors["petitioners[0].id_number"]
    assert "改了扩展名" in err.value.errors["attachments[0]"]
    assert (Case.select().count(), Person.select().count()) == (cases, people)
    assert stored_files(services) == []


def test_register_with_attachments_stores_by_hash_once_and_drops_the_draft(services, clerk, tmp_path):
    a = write(tmp_path / "信件.jpg", JPEG)
    same = write(tmp_path / "copy-of-letter.JPEG", JPEG)
    photo = write(tmp_path / "现场.png", PNG)
    services.get(DraftService).save(clerk, {"request": "草稿"})
    ref = services.get(IntakeService).register(clerk, make_registration(), [a, same, photo])
    rows = services.get(AttachmentService).of_case(ref.number)
    assert sorted(r.kind for r in rows) == ["jpg", "png"]          # the same content once per case
    files = stored_files(services)
    assert len(files) == 2
    sha = hashlib.sha256(JPEG).hexdigest()
    stored = services.data_dir / "attachments" / sha[:2] / sha
    assert JPEG not in stored.read_bytes()                   # kept encrypted on disk ...
    assert FileStore(services.data_dir / "attachments", services.data_key).read(sha) == JPEG   # ... intact
    assert services.get(DraftService).load(clerk) is None
    # Another case with the same scan links the content already stored.
    ref2 = services.get(IntakeService).register(clerk, make_registration(request="又来反映工资"), [same])
    assert len(stored_files(services)) == 2
    assert [r.sha256 for r in services.get(AttachmentService).of_case(ref2.number)] == [sha]
    assert AuditEntry.select().where(AuditEntry.action == "case.attach").count() == 2


def test_failed_transaction_removes_the_files_it_copied(services, clerk, tmp_path, monkeypatch):
    a = write(tmp_path / "scan.pdf", PDF)

    def boom(*_a, **_k):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(services.get(AttachmentService), "link", boom)
    with pytest.raises(RuntimeError):
        services.get(IntakeService).register(clerk, make_registration(), [a])
    assert Case.select().count() == 0 and Attachment.select().count() == 0
    assert stored_files(services) == []


@pytest.mark.parametrize("name,data,words", [
    ("notes.docx", b"PK\x03\x04", "类型不支持"),
    ("empty.png", b"", "空文件"),
    ("photo.png", JPEG, "扩展名与内容不符"),
    ("scan.tif", b"GIF89a....", "改了扩展名"),
])
def test_check_file_refuses_in_chinese(tmp_path, name, data, words):
    with pytest.raises(InvalidInput) as err:
        check_file(write(tmp_path / name, data))
    assert words in err.value.message and name in err.value.message


def test_check_file_size_limit_and_tiff(tmp_path):
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(InvalidInput) as err:
        check_file(big)
    assert "太大" in err.value.message and "20.0 MB" in err.value.message
    assert check_file(write(tmp_path / "a.tiff", b"II*\x00rest")).kind == "tif"
    assert check_file(write(tmp_path / "b.TIF", b"MM\x00*rest")).kind == "tif"


def test_attach_later_to_an_existing_case(services, clerk, handler, tmp_path):
    ref = services.cases.register(clerk, make_registration())
    rows = services.get(AttachmentService).attach(handler, ref.number, [write(tmp_path / "reply.pdf", PDF)])
    assert [r.file_name for r in rows] == ["reply.pdf"]
    assert services.get(AttachmentService).attach(handler, ref.number, [tmp_path / "reply.pdf"]) == []


def test_drafts_are_per_user_and_replace_each_other(services, clerk, admin):
    drafts = services.get(DraftService)
    assert drafts.load(clerk) is None
    drafts.save(clerk, {"request": "一"})
    drafts.save(clerk, {"request": "二", "petitioners": [{"name": "欧阳娜娜"}]})
    drafts.save(admin, {"request": "管理员的"})
    assert drafts.load(clerk).data == {"request": "二", "petitioners": [{"name": "欧阳娜娜"}]}
    assert drafts.load(admin).data["request"] == "管理员的"
    assert IntakeDraft.select().count() == 2
    assert drafts.discard(clerk) and drafts.load(clerk) is None


def test_only_a_registering_role_keeps_drafts(services, admin):
    from xinfang_desktop.services.permissions import Role

    leader = services.auth.add_user(admin, "lead1", Role.LEADER, "lead-pass-1", "赵领导")
    with pytest.raises(PermissionDenied):
        services.get(DraftService).save(leader, {"request": "x"})

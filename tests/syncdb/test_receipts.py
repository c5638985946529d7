"""Verifiable receipts between offices (issue 17): a receipt printed at a township verifies at the city
after enrolment; changed, unenrolled, revoked-key and replaced-key receipts are refused; a receipt signed
before a rotation still verifies; the city tells a case reported through sync from one not yet reported,
and lists the latter on its workbench once the township's usual interval has passed."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from xinfang_desktop.domain.errors import NotAllowed
from xinfang_desktop.domain.receipt_statement import parse_receipt_text
from xinfang_desktop.services.printing import PrintService
from xinfang_desktop.services.receipts import ReceiptService
from xinfang_desktop.services.workbench import WorkbenchService
from xinfang_desktop.sync.keys import generate_keys
from xinfang_desktop.sync.receipt_sign import sign_statement

from .conftest import CITY, TOWNS, KeyRing, write_out


def receipts(office) -> ReceiptService:
    office.sync                                   # bind this office's database
    return office.svc.get(ReceiptService)


def print_receipt(office, number: str, *, redacted: bool = False):
    """The receipt as the window prints it, with the office's keys unlocked for this session."""
    receipts(office).remember(office.ring.current)
    rendered = office.svc.get(PrintService).render(office.admin, number, "receipt", redacted=redacted)
    return rendered, receipts(office).statement_of(number)


def verify(office, text: str, **kw):
    return receipts(office).verify(office.admin, text, **kw)


def report(town, city, tmp_path, name: str):
    town.export()
    results = city.import_(write_out(town, tmp_path / name))
    assert all(r.outcome in ("applied", "already") for r in results), [r.message for r in results]


def test_a_receipt_printed_at_a_township_verifies_at_the_city(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register(name="欧阳娜娜", request="要求追讨拖欠的工资")
    _rendered, text = print_receipt(town, ref.number)
    assert text.startswith("XFR") and len(text) == 178
    v = verify(city, text)
    assert v.valid and v.reason == "ok"
    assert (v.unit, v.number, v.received, v.people) == (town.code, ref.number, datetime(2026, 11, 2).date(), 1)
    assert v.unit_name == "永福镇信访办" and "真实有效" in v.message
    assert not v.known_here and v.held == "not_reported" and v.days_since_receipt == 0
    assert v.days_since_last_bundle is None and any("尚未报送" in line for line in v.lines)
    # once reported through sync, the city holds it and it agrees with the receipt
    report(town, city, tmp_path, "up")
    v = verify(city, text)
    assert v.valid and v.known_here and v.held == "received_through_sync" and v.record_matches
    # the township verifies its own receipt too
    v = verify(town, text)
    assert v.valid and v.known_here and v.held == "registered_here"


def test_a_reprint_carries_the_same_statement_and_the_registrations_date(offices):
    town = offices[TOWNS[0]]
    ref = town.register()
    _r, first = print_receipt(town, ref.number)
    town.clock.advance(days=9)
    _r, again = print_receipt(town, ref.number, redacted=True)
    assert again == first
    st = parse_receipt_text(first).statement
    assert st.received == datetime(2026, 11, 2).date() and st.entered == datetime(2026, 11, 2, 9, 30)


def test_a_one_character_change_anywhere_is_refused(offices):
    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register()
    _r, text = print_receipt(town, ref.number)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for i, ch in enumerate(text):
        other = alphabet[(alphabet.index(ch) + 1) % 32] if ch in alphabet else "A"
        changed = text[:i] + other + text[i + 1:]
        v = receipts(city)._verify(changed, None, None, city.clock.now())[0]
        assert not v.valid, i
        if v.reason not in ("altered", "malformed"):
            # The 2-byte check matched the change by chance (1 change in 65,536; the keys and salt are new
            # every run): then the signature is what refuses it, and it must.
            parse_receipt_text(changed)
            assert v.reason == "signature_invalid", (i, v.reason)
    v = verify(city, text[:100] + text[101:])
    assert not v.valid and v.reason == "altered" and "178" in v.message


def test_a_forged_signature_is_told_from_a_typo(offices, unit_keys):
    """A well-formed statement naming the township's key but signed by another key: the signature is invalid."""
    town, city = offices[TOWNS[0]], offices[CITY]
    forger = generate_keys(town.code, "永福镇信访办", "township")
    signed = sign_statement(forger.signing_key, unit_code=town.code, case_number="350881102-2026-00099",
                            query_code="ABCD2345", received=datetime(2026, 11, 2).date(),
                            entered=datetime(2026, 11, 2, 10, 0), people=2, names=["张三"], request="伪造的请求")
    # give the forgery the genuine key's tag, as a forger would
    from dataclasses import replace

    from xinfang_desktop.domain.receipt_statement import SignedReceipt
    from xinfang_desktop.sync.receipt_sign import key_tag_of

    st = replace(signed.statement, key_tag=key_tag_of(unit_keys[town.code].signing_key.public_key()))
    forged = SignedReceipt(st, forger.signing_key.sign(st.signed_message()))
    v = verify(city, forged.text())
    assert not v.valid and v.reason == "signature_invalid" and "伪造" in v.message
    v = verify(city, signed.text())                     # its own tag: a key the city does not know
    assert not v.valid and v.reason == "unknown_key"


def test_a_receipt_of_a_unit_not_enrolled_here_is_refused(offices):
    town, other = offices[TOWNS[0]], offices[TOWNS[1]]
    ref = town.register()
    _r, text = print_receipt(town, ref.number)
    v = verify(other, text)                 # townships do not enrol each other
    assert not v.valid and v.reason == "unknown_unit" and "没有在本机登记" in v.message
    assert v.number == ref.number and v.unit == town.code


def test_a_receipt_signed_after_revocation_is_refused(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    before = town.register(name="张三")
    _r, early = print_receipt(town, before.number)
    city.clock.advance(hours=2)                           # 11:30 at the city
    city.sync.revoke(city.admin, town.code)
    town.clock.advance(hours=3)                           # 12:30: the township, unaware, goes on
    after = town.register(name="李四")
    _r, late = print_receipt(town, after.number)
    v = verify(city, late)
    assert not v.valid and v.reason == "key_revoked" and "吊销" in v.message
    v = verify(city, early)                               # registered before the revocation
    assert v.valid and v.key_note and "吊销" in v.key_note


def test_after_key_rotation_an_old_receipt_still_verifies(offices, tmp_path, unit_keys):
    town, city = offices[TOWNS[0]], offices[CITY]
    old_keys = unit_keys[town.code]
    first = town.register(name="张三")
    _r, old_text = print_receipt(town, first.number)
    report(town, city, tmp_path, "a")
    new_keys = _rotate(town)
    town.clock.advance(hours=1)
    rotation_rows = [r for r in town.sync.pending_copies() if r.kind == "key-rotation"]
    [r] = city.import_(write_out(town, tmp_path / "b", rotation_rows))
    assert r.outcome == "applied"
    v = verify(city, old_text)
    assert v.valid and v.key_note and "更换" in v.key_note
    # the old key still unlocked in the township's session may not sign any more
    second = town.register(name="李四")
    with pytest.raises(NotAllowed, match="已经更换"):
        print_receipt(town, second.number)
    # with the new key the next receipt verifies at the city
    town.ring = KeyRing(new_keys, (old_keys,))
    _r, new_text = print_receipt(town, second.number)
    v = verify(city, new_text)
    assert v.valid and v.key_note is None
    assert verify(town, old_text).valid and verify(town, new_text).valid
    # a statement dated after the rotation but signed by the old key is refused
    late = sign_statement(old_keys.signing_key, unit_code=town.code, case_number="350881102-2026-00077",
                          query_code="ABCD2345", received=town.clock.today(), entered=town.clock.now(), people=1,
                          names=["王五"], request="要求")
    v = verify(city, late.text())
    assert not v.valid and v.reason == "key_replaced"


def _rotate(town):
    """Rotate the township's keys in its real key store (at the suite's cheap scrypt); the new keys."""
    from xinfang_desktop.sync.keys import FileKeyStore

    from tests.conftest import CHEAP_SCRYPT

    town.sync.keys_dir.mkdir(parents=True, exist_ok=True)
    FileKeyStore.create(town.sync.key_path, town.ring.current, "passphrase-1", scrypt_log_n=CHEAP_SCRYPT)
    town.sync.rotate(town.admin, town.ring, "passphrase-1")
    return town.sync.unlock("passphrase-1").current


def test_names_and_request_typed_from_the_paper_match_or_not(offices):
    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register(name="欧阳娜娜", request="要求追讨拖欠的工资，共计5000元。")
    _r, text = print_receipt(town, ref.number)
    v = verify(city, text, names="欧阳娜娜", request="要求追讨拖欠的工资 共计5000元")
    assert v.valid and v.content_matches is True
    v = verify(city, text, names="欧阳娜娜", request="要求追讨拖欠的工资，共计50000元。")
    assert v.valid and v.content_matches is False and any("不一致" in line for line in v.lines)
    v = verify(city, text, names="欧阳娜", request="要求追讨拖欠的工资，共计5000元。")
    assert v.content_matches is False
    assert verify(city, text).content_matches is None


def test_a_record_changed_after_the_receipt_shows_against_it(offices, tmp_path):
    """The township's record no longer says what its receipt says (changed behind the program's back): the
    township and the city, once it is reported, see where they differ."""
    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register(name="欧阳娜娜", request="要求追讨拖欠的工资")
    _r, text = print_receipt(town, ref.number)
    town.sync
    town.svc.db.execute_sql('UPDATE "case" SET request = ?, people_count = 2 WHERE number = ?',
                            ("要求调解邻里纠纷", ref.number))
    report(town, city, tmp_path, "up")
    for office in (town, city):
        v = verify(office, text)
        assert v.valid and v.known_here and v.record_matches is False, office.code
        assert any("信访人数" in d for d in v.discrepancies) and any("请求" in d for d in v.discrepancies)
        assert any("不一致" in line for line in v.lines)
    town.sync
    town.svc.db.execute_sql('UPDATE "case" SET request = ?, people_count = 1 WHERE number = ?',
                            ("要求追讨拖欠的工资", ref.number))


def test_the_city_sees_a_receipt_promised_but_not_reported(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    reported = town.register(name="张三", request="要求修复村道")
    _r, reported_text = print_receipt(town, reported.number)
    report(town, city, tmp_path, "a")
    town.clock.advance(hours=2)
    dropped = town.register(name="李四", request="要求追讨拖欠的工资")
    _r, dropped_text = print_receipt(town, dropped.number)
    assert verify(city, reported_text).known_here
    v = verify(city, dropped_text)
    assert v.valid and not v.known_here and v.held == "not_reported" and v.days_since_last_bundle == 0

    def section():
        city.sync
        return WorkbenchService(city.svc).load(city.admin).section("receipts_unreported")

    assert section().items == []                          # within the township's usual interval (7 days)
    city.clock.advance(days=8)
    result = section()
    assert [i.title for i in result.items] == [dropped.number] and result.total == 1
    assert "永福镇信访办" in result.items[0].detail and "未报送" in result.items[0].detail
    v = verify(city, dropped_text)
    assert v.days_since_receipt == 8 and v.days_since_last_bundle == 8
    # the township reports it: gone from the workbench
    report(town, city, tmp_path, "b")
    assert section().items == []
    assert verify(city, dropped_text).known_here


def test_the_usual_interval_follows_the_townships_bundles(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    for i in range(4):
        town.register(name=f"张{'一二三四'[i]}")
        report(town, city, tmp_path, f"b{i}")
        city.clock.advance(days=3)
    assert receipts(city).usual_interval(town.code) == 3
    assert receipts(city).usual_interval(TOWNS[1]) == 7       # no bundles yet: the reminder's days


def test_an_older_receipts_qr_cannot_prove_anything(offices):
    town = offices[TOWNS[0]]
    ref = town.register()
    from xinfang_desktop.store.models import Case

    town.sync
    query = Case.get(Case.number == ref.number).query_code
    v = verify(town, f"XF:{ref.number}:{query}")
    assert not v.valid and v.reason == "unsigned" and v.known_here and "旧式" in v.message


def test_verifications_are_audited(offices):
    from xinfang_desktop.store.models import AuditEntry

    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register()
    _r, text = print_receipt(town, ref.number)
    verify(city, text)
    verify(city, "XFR" + "A" * 175)
    city.sync
    rows = list(AuditEntry.select().where(AuditEntry.action == "receipt.verify").order_by(AuditEntry.at))
    assert [r.detail["valid"] for r in rows] == [True, False]
    town.sync
    assert AuditEntry.select().where(AuditEntry.action == "receipt.sign").count() == 1


# --------------------------------------------------------------------------- the printed QR code, read by a real reader

needs_reader = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs pdftoppm (Debian package poppler-utils) and zbarimg (Debian package zbar-tools): "
           "bash scripts/setup.sh installs both")


def scan(pdf: bytes, folder: Path, dpi: int) -> list[str]:
    """The printed page as an image (pdftoppm), its QR codes read by zbarimg: what a scanner would type."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "receipt.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(folder / "receipt.pdf"), str(folder / "page")], check=True, timeout=60)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(folder / "page.png")],
                         capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert out.returncode == 0, out.stderr
    return [line for line in out.stdout.splitlines() if line]


@needs_reader
@pytest.mark.parametrize("redacted", [False, True], ids=["full", "redacted"])
def test_the_printed_qr_code_is_read_by_a_real_reader_and_verifies(offices, tmp_path, redacted):
    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register(name="欧阳娜娜", request="要求追讨拖欠的工资，共计5000元。")
    rendered, text = print_receipt(town, ref.number, redacted=redacted)
    assert rendered.pages == 1              # the 核验码 line keeps an ordinary receipt on one page
    for dpi in (150, 300):
        assert scan(rendered.pdf, tmp_path / f"scan-{dpi}", dpi) == [text], dpi
    v = verify(city, scan(rendered.pdf, tmp_path / "again", 200)[0], names="欧阳娜娜",
               request="要求追讨拖欠的工资，共计5000元。")
    assert v.valid and v.number == ref.number and v.content_matches


@needs_reader
def test_the_verification_code_line_is_printed_and_typing_it_verifies(offices, tmp_path):
    """The 核验码 line on the paper is the same text, in groups of 5: typed back, it verifies."""
    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register()
    rendered, text = print_receipt(town, ref.number)
    (tmp_path / "r.pdf").write_bytes(rendered.pdf)
    words = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                           encoding="utf-8", check=True).stdout
    typed = re.search(r"核验码：([A-Z2-7\s]+)", words).group(1)           # as read off the paper, groups and all
    assert typed.split()[0] == "XFR" and len("".join(typed.split())) == 178 == len(text)
    assert "".join(typed.split()) == text
    assert verify(city, typed.lower()).valid


def test_an_older_database_learns_the_keys_it_had_enrolled(offices, tmp_path, unit_keys):
    """Schema step v11 on a city database of v10: each enrolled township's key gets its period, a revoked
    one's ending at its revocation, so receipts verify at once after the upgrade."""
    from .conftest import open_office

    city, town, gone = offices[CITY], offices[TOWNS[0]], offices[TOWNS[2]]
    city.clock.advance(hours=1)
    city.sync.revoke(city.admin, gone.code)
    db = city.svc.db
    for table in ("signing_key_history", "receipt_statement", "receipt_check"):
        db.execute_sql(f'DROP TABLE "{table}"')
    db.execute_sql("PRAGMA user_version = 10")
    city.svc.close()
    offices[CITY] = city = open_office(tmp_path, CITY, unit_keys, clock_at=datetime(2026, 11, 3, 9, 0))
    city.sync
    rows = {r[0]: r[1:] for r in city.svc.db.execute_sql(
        "SELECT unit_code, valid_to, ended, source FROM signing_key_history").fetchall()}
    assert set(rows) == set(TOWNS)
    assert rows[town.code] == (None, None, "migrated") and rows[gone.code][1:] == ("revoked", "migrated")
    ref = town.register()
    _r, text = print_receipt(town, ref.number)
    assert verify(city, text).valid
    gone.clock.advance(hours=3)
    ref = gone.register()
    _r, text = print_receipt(gone, ref.number)
    assert verify(city, text).reason == "key_revoked"

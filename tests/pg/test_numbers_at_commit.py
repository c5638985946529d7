"""A registration's numbers on PostgreSQL (issue 16, store/locks.py numbers_at_commit): the server takes them in
the message that writes the registration's rows and commits, so another desk's registration of the same unit
and year waits for that message only — not while this desk builds its rows — and the numbers the rows carry
are the ones domain/numbers.py and the office's 文号 would have written."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from tests.conftest import make_registration

pytest.importorskip("psycopg")

ENGINES = ["postgresql"]          # this module is about the server only (tests/conftest.py)
TOWN = "350881102000"


def b_through_while_a_builds(db, monkeypatch, module, name: str, a: Callable[[], None], b: Callable[[], None]):
    """Desk a's work ``a`` (a thread, a connection of its own) stopped at ``module.name`` — called in its batched
    block, its rows built and its commit not yet sent — while desk b's ``b`` runs: b must go through. Then a
    goes on; both end without an error."""
    stop_at, building, release = getattr(module, name), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def stopping(*args, **kwargs):
        if threading.current_thread().name == "desk-a":
            building.set()
            release.wait(120)
        return stop_at(*args, **kwargs)

    monkeypatch.setattr(module, name, stopping)

    def desk(work: Callable[[], None]) -> None:    # peewee gives each thread a connection of its own
        try:
            work()
        except BaseException as exc:        # pragma: no cover - shown by the assertions below
            failures.append(exc)
        finally:
            db.close()

    desk_a, desk_b = (threading.Thread(target=desk, args=(w,), name=n) for w, n in ((a, "desk-a"), (b, "desk-b")))
    desk_a.start()
    try:
        assert building.wait(120)
        desk_b.start()
        desk_b.join(120)
        assert not desk_b.is_alive() and not failures, failures
        assert desk_a.is_alive()            # still stopped: b did not wait for it
    finally:
        release.set()
        desk_a.join(120)
        desk_b.join(120)
    assert not failures, failures


def test_a_desk_building_its_registration_does_not_hold_up_another_desks(services, clerk, monkeypatch):
    from xinfang_desktop.domain.numbers import parse_case_number
    from xinfang_desktop.domain.petition import PetitionerInput
    from xinfang_desktop.store import search

    done: dict[str, str] = {}

    def desk(name: str, petitioner: PetitionerInput):
        def work() -> None:
            done[name] = services.cases.register(clerk, make_registration(petitioners=[petitioner])).number
        return work

    # Two petitioners: a desk registering the same one waits for the other (tests/pg/test_desk_people.py).
    # Before, desk a held the counter from taking its number to its commit, and desk b waited for it.
    b_through_while_a_builds(services.db, monkeypatch, search, "index_new",
                             desk("a", PetitionerInput(name="欧阳娜娜", phone="13812345678", township_code=TOWN)),
                             desk("b", PetitionerInput(name="王建国", phone="13900000001", township_code=TOWN)))
    assert parse_case_number(done["b"])[2] + 1 == parse_case_number(done["a"])[2]      # consecutive, b first


def test_the_numbers_in_the_rows_are_the_ones_the_registration_was_given(services, clerk):
    from xinfang_desktop.domain.numbers import format_case_number
    from xinfang_desktop.services.cases import find_case
    from xinfang_desktop.store.models import AuditEntry, CaseEvent

    unit, year = clerk.unit_code, 2026
    services.db.execute_sql("INSERT INTO case_counter (unit_code, year, last) VALUES (%s, %s, 99998)", (unit, year))
    services.db.execute_sql("INSERT INTO doc_counter (unit_code, document, year, last) VALUES (%s, 'receipt', %s, 41)",
                            (unit, year))
    office = services.cases.office()
    refs = [services.cases.register(clerk, make_registration(request=f"要求追讨拖欠的工资{i}")) for i in range(2)]
    # Five digits as format_case_number pads them, and past 99999 as it does (no digit cut off).
    assert [r.number for r in refs] == [format_case_number(unit, year, 99999), format_case_number(unit, year, 100000)]
    for ref, receipt in zip(refs, (42, 43)):
        case = find_case(ref.number)
        assert case.id == ref.id and case.number == ref.number and case.sid > 0
        registered = CaseEvent.get(CaseEvent.case == case.id)
        assert registered.data["doc_no"] == {"receipt": office.number("receipt", year, receipt)}
        assert registered.data["channel"] and "late" not in registered.data
        assert AuditEntry.get((AuditEntry.action == "case.register") & (AuditEntry.target == case.id)
                              ).detail == {"number": ref.number}
        assert [row.number for row in services.queries.search(ref.number)] == [ref.number]
    assert refs[1].number.endswith("-100000")


def test_a_registration_at_the_desk_sends_its_files_and_draft_with_the_numbers_and_the_commit(
        services, clerk, tmp_path, monkeypatch):
    """The 登记 page's registration (services/intake.py: the case, its attached files, the end of the clerk's
    draft): everything written after the numbers goes in the one message that takes them and commits, so no
    round trip is made while another desk's registration waits for this unit's counter."""
    import psycopg

    from xinfang_desktop.services.drafts import DraftService
    from xinfang_desktop.services.intake import IntakeService
    from xinfang_desktop.store.models import Case
    from xinfang_desktop.store.models_intake import Attachment, IntakeDraft

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    services.get(DraftService).save(clerk, {"request": "要求追讨拖欠的工资"})
    sent: list[str] = []
    execute = psycopg.ClientCursor.execute

    def recorded(self, query, *args, **kwargs):
        sent.append(query if isinstance(query, str) else str(query))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.ClientCursor, "execute", recorded)
    ref = services.get(IntakeService).register(clerk, make_registration(), [scan])
    monkeypatch.undo()

    taking = [i for i, text in enumerate(sent) if "xinfang.case_seq" in text]
    assert len(taking) == 1 and taking[0] == len(sent) - 1          # the last message, and the only one
    last = sent[-1]
    assert last.rstrip().endswith("COMMIT")
    for written in ('INSERT INTO "case"', 'INSERT INTO "attachment"', 'DELETE FROM "intake_draft"'):
        assert last.index("xinfang.case_seq") < last.index(written), written
    # the search key from its sequence, and the party rows, before the counter: another desk does not wait for
    # them (schema v23, v24)
    assert last.index("nextval('case_sid_seq')") < last.index("INSERT INTO case_counter")
    assert last.index('INSERT INTO "case_party"') < last.index("INSERT INTO case_counter")
    case = Case.get_by_id(ref.id)
    assert case.number == ref.number and Attachment.select().where(Attachment.case == case.id).count() == 1
    assert IntakeDraft.select().count() == 0


def test_an_action_building_its_document_does_not_hold_up_another_desks_same_document(
        services, clerk, handler, monkeypatch):
    """An action's 文号 (a 受理告知书 here): desk a has taken nothing yet while it builds its rows; desk b's
    告知书 on another case goes through meanwhile, and the two are numbered one after the other."""
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services import cases
    from xinfang_desktop.services.cases import find_case
    from xinfang_desktop.store.models import CaseEvent

    first, second = (services.cases.register(clerk, make_registration(request=r)).number
                     for r in ("要求追讨拖欠的工资", "要求补发2026年9月的工资"))
    for number in (first, second):
        services.cases.act(handler, number, EventKind.ROUTED, {"route": "direct"})
    b_through_while_a_builds(services.db, monkeypatch, cases, "audit",
                             lambda: services.cases.act(handler, first, EventKind.NOTIFIED, {}),
                             lambda: services.cases.act(handler, second, EventKind.NOTIFIED, {}))
    office = services.cases.office()
    notices = {number: CaseEvent.get((CaseEvent.case == find_case(number).id)
                                     & (CaseEvent.kind == EventKind.NOTIFIED.value)).data["doc_no"]["notice"]
               for number in (first, second)}
    assert notices == {second: office.number("notice", 2026, 1), first: office.number("notice", 2026, 2)}


def test_search_keys_stay_unique_after_writers_that_number_case_rows_themselves(services, clerk, admin):
    """The demo (as the ledger and the sync import) numbers its case rows MAX(sid) + 1 while it runs alone and
    moves the registrations' sequence past them; should the sequence lag all the same, a registration takes the
    key after the largest there is. No key is given twice, no registration is refused."""
    from xinfang_desktop.services.cases import find_case
    from xinfang_desktop.services.demo import generate

    db = services.db
    first = services.cases.register(clerk, make_registration())
    generate(services, admin, 30)
    largest = db.execute_sql('SELECT MAX(sid) FROM "case"').fetchone()[0]
    assert largest >= find_case(first.number).sid + 30
    assert db.execute_sql("SELECT last_value FROM case_sid_seq").fetchone()[0] > largest      # moved past them
    after = services.cases.register(clerk, make_registration(request="要求追讨拖欠的工资二"))
    assert find_case(after.number).sid == largest + 1
    db.execute_sql("SELECT setval('case_sid_seq', 1)")               # as if a writer had not moved it
    lagging = services.cases.register(clerk, make_registration(request="要求追讨拖欠的工资三"))
    assert find_case(lagging.number).sid == largest + 2
    sids = [s for (s,) in db.execute_sql('SELECT sid FROM "case"').fetchall()]
    assert len(sids) == len(set(sids)) == 33


def test_a_party_row_written_before_its_case_is_still_checked_at_the_commit(services, clerk):
    """The party rows go before the numbers with their check of the case deferred to the commit (schema v24):
    one whose case was never written is refused there, and nothing of its transaction is kept."""
    from peewee import IntegrityError

    from xinfang_desktop.store.locks import batched, parties_first, row_writer
    from xinfang_desktop.store.models import CaseParty, Person, new_id

    ref = services.cases.register(clerk, make_registration())
    person = CaseParty.get(CaseParty.case == ref.id).person_id
    parties = CaseParty.select().count()
    with pytest.raises(IntegrityError, match="case_party_case_id_fkey"):
        with row_writer(services.db):
            with batched(services.db):
                assert parties_first(services.db)
                CaseParty(case=new_id(), person=person, unit_code=clerk.unit_code, role="petitioner",
                          position=0).save(force_insert=True)
                Person.update(name="张不该").where(Person.id == person).execute()
    assert CaseParty.select().count() == parties and Person.get_by_id(person).name != "张不该"
    with pytest.raises(IntegrityError, match="case_party_case_id_fkey"):      # any other writer: at once
        CaseParty(case=new_id(), person=person, unit_code=clerk.unit_code, role="petitioner",
                  position=0).save(force_insert=True)

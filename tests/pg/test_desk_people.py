"""Two desks and one petitioner on PostgreSQL (issue 16): a desk that finds a registered person by the ID
number given waits while another desk that chose that person is still writing (correcting its number), and
then reads the person as that desk left it — it never writes over the correction unseen."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import make_registration

pytest.importorskip("psycopg")

OLD = "11010519491231002X"        # the number the person was registered with
ENGINES = ["postgresql"]          # this module is about the server only (tests/conftest.py)


def _waiting(db, pid: int) -> bool:
    return db.execute_sql("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s",
                          (pid,)).fetchone()[0] is True


def test_a_person_found_by_number_is_read_after_the_desk_correcting_it(services, clerk, qtbot):
    from xinfang_desktop.domain.idcard import check_character
    from xinfang_desktop.store.locks import lock_keys, row_writer
    from xinfang_desktop.store.models import Case, Person

    db = services.db
    services.cases.register(clerk, make_registration())
    person = Person.get(Person.id_number == OLD)
    corrected = "110105194912310037"[:17]
    corrected += check_character(corrected)

    pids: list[int] = []
    failures: list[BaseException] = []

    def desk_b() -> None:                  # peewee gives this thread a connection of its own
        try:
            pids.append(db.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
            services.cases.register(clerk, make_registration(request="要求补发2026年9月的工资"))
        except BaseException as exc:       # pragma: no cover - shown by the assertion below
            failures.append(exc)
        finally:
            db.close()

    desk = threading.Thread(target=desk_b)
    with row_writer(db):                   # desk a chose this person and corrects its ID number
        lock_keys(db, [f"p:{person.id}"])
        desk.start()
        qtbot.waitUntil(lambda: bool(pids) and _waiting(db, pids[0]), timeout=60000)
        Person.update(id_number=corrected, version=Person.version + 1).where(Person.id == person.id).execute()
    desk.join(120)
    assert not desk.is_alive() and not failures, failures

    # Desk b waited, then found the number no longer the corrected person's: a second person holds it now,
    # and the corrected one keeps desk a's number.
    assert Person.get_by_id(person.id).id_number == corrected
    assert Person.select().where(Person.id_number == OLD).count() == 1
    assert Person.get(Person.id_number == OLD).id != person.id
    assert Case.select().count() == 2

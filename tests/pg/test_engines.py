"""The same services on both engines: a registration, its number and its search on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.conftest import make_registration


def test_register_and_find_by_name(services, clerk, db_engine):
    ref = services.cases.register(clerk, make_registration())
    again = services.cases.register(clerk, make_registration())
    assert ref.number.endswith("00001") and again.number.endswith("00002")
    found = services.queries.search("娜娜")
    assert {c.number for c in found} >= {ref.number, again.number}

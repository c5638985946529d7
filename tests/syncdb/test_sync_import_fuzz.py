"""Mutated real bundles through the whole import: never applied, a clear Chinese message, data unchanged."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import CITY, TOWNS, data_dump


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_bundles_are_never_applied(offices, tmp_path_factory, data):
    town, city = offices[TOWNS[0]], offices[CITY]
    if not town.sync.pending_copies():
        town.register(name="张三")
        town.export()
    original = bytes(town.sync.pending_copies()[0].data)
    before = data_dump(city)
    kind = data.draw(st.sampled_from(["flip", "truncate", "insert", "splice"]))
    b = bytearray(original)
    at = data.draw(st.integers(0, len(b) - 1))
    if kind == "flip":
        b[at] ^= 1 << data.draw(st.integers(0, 7))
    elif kind == "truncate":
        del b[at:]
    elif kind == "insert":
        b[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    else:
        end = data.draw(st.integers(at, min(len(b), at + 64)))
        b[at:end] = data.draw(st.binary(max_size=64))
    if bytes(b) == original:
        return
    path = tmp_path_factory.mktemp("fuzz") / "mutated.xfb"
    path.write_bytes(bytes(b))
    results = city.import_([path])
    outcomes = {r.outcome for r in results}
    assert outcomes <= {"rejected", "quarantined"}, [r.message for r in results]
    assert all("请" in r.message for r in results)
    after = data_dump(city)
    assert {k: after[k] for k in ("person", "case", "case_party", "case_event", "ledger", "search")} == \
           {k: before[k] for k in ("person", "case", "case_party", "case_event", "ledger", "search")}

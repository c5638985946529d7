"""Canonical JSON: one value, one encoding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang_desktop.sync import canonical
from xinfang_desktop.sync.canonical import CanonicalJSONError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63) + 1, 2**63 - 1) | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, database=None)
@given(json_values)
def test_round_trip_is_exact(value):
    data = canonical.dumps(value)
    assert canonical.loads(data) == value
    assert canonical.dumps(canonical.loads(data)) == data


def test_known_encoding():
    assert canonical.dumps({"b": 1, "a": ["张三", None, True, "\n\x01\"\\"]}) == (
        '{"a":["张三",null,true,"\\n\\u0001\\"\\\\"],"b":1}'.encode()
    )


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a":1,"a":1}',
        b'{"b":1,"a":2}',
        b'{"a": 1}',
        b' {"a":1}',
        b'{"a":1}\n',
        b'{"a":1.0}',
        b'{"a":1e3}',
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":-0}',
        b'{"a":"\\u5f20"}',  # escaped non-ASCII
        b'{"a":"\\ud800"}',  # lone surrogate
        b'{"a":"\\/"}',
        b'{"a":' + str(2**63).encode() + b"}",
        b"\xef\xbb\xbf{}",
        b'{"a":"\xff"}',
        b"[" * 100 + b"]" * 100,
        b"",
        b"{",
    ],
)
def test_non_canonical_is_refused(raw):
    with pytest.raises(CanonicalJSONError) as info:
        canonical.loads(raw)
    assert info.value.reason


@pytest.mark.parametrize("value", [1.5, float("nan"), {1: "a"}, "\ud800", 2**64, object()])
def test_values_without_canonical_form_are_refused(value):
    with pytest.raises(CanonicalJSONError):
        canonical.dumps(value)

"""Property test: mutated real bundles only ever fail with BundleError, and are never accepted."""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang_desktop.sync.bundle import Limits, open_bundle, parse_bundle, verify_bundle
from xinfang_desktop.sync.errors import BundleError

LIMITS = Limits(max_envelope=1024 * 1024, max_records_size=1024 * 1024)


@pytest.fixture(scope="module")
def originals(world, h):
    return [
        world.bundle(records=[{"id": "1"}]),
        world.bundle(records=[{"id": "c1", "name": "张三", "n": [1, 2, None]}] * 3,
                     attachments=h.attachment(b"scan" * 50), escrow=True),
        world.bundle(kind="ack", records=[], seq=5, prev="ab" * 32),
    ]


def regions(data: bytes) -> list[tuple[int, int]]:
    """Fixed fields, header, envelope length, envelope, signature section: mutations are spread over all of them."""
    (header_length,) = struct.unpack_from(">I", data, 12)
    header_end = 16 + header_length
    (envelope_length,) = struct.unpack_from(">Q", data, header_end)
    envelope_end = header_end + 8 + envelope_length
    return [(0, 16), (16, header_end), (header_end, header_end + 8), (header_end + 8, envelope_end),
            (envelope_end, len(data))]


@st.composite
def mutation(draw, originals):
    index = draw(st.integers(0, len(originals) - 1))
    data = bytearray(originals[index])
    spans = regions(originals[index])
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        op = draw(st.sampled_from(["replace", "insert", "delete", "splice", "truncate", "duplicate"]))
        n = len(data)
        # weights: the fixed fields are tiny and checked first; spend more effort deeper in the file
        start, end = spans[draw(st.sampled_from([0, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 4]))]
        at = min(draw(st.integers(start, end - 1)), max(n - 1, 0))
        if op == "replace" and n:
            data[at] = draw(st.integers(0, 255).filter(lambda b, old=data[at]: b != old))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete" and n:
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "splice":
            donor = originals[draw(st.integers(0, len(originals) - 1))]
            start = draw(st.integers(0, len(donor) - 1))
            chunk = donor[start : start + draw(st.integers(1, 256))]
            data[at : at + draw(st.integers(0, 256))] = chunk
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate" and n:
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
    return index, bytes(data)


def test_mutated_bundles_are_never_accepted(world, originals):
    @settings(max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(mutation(originals))
    def check(case):
        index, data = case
        if data == originals[index]:
            return
        try:
            parsed = parse_bundle(data, LIMITS)
            verified = verify_bundle(parsed, world.town_a.signing_key.public_key(), sender_unit=world.town_a.unit_code)
            open_bundle(verified, world.city.encryption_identity, LIMITS)
        except BundleError as exc:
            assert exc.code and exc.message
        else:
            raise AssertionError(f"a changed bundle was accepted (from original {index})")

    check()


def test_originals_open(world, originals):
    for data in originals:
        parsed = parse_bundle(data, LIMITS)
        verified = verify_bundle(parsed, world.town_a.signing_key.public_key(), sender_unit=world.town_a.unit_code)
        open_bundle(verified, world.city.encryption_identity, LIMITS)


def test_hostile_sender_inner_mutations_only_raise_bundle_errors(world, h):
    """An enrolled sender signs garbage inside a valid envelope: open refuses it cleanly, never crashes."""
    from xinfang_desktop.sync.bundle import encode_inner

    header = world.header()
    inner = encode_inner(header, [{"id": "1", "name": "张三"}, {"id": "2"}], h.attachment(b"scan"))

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, len(inner) - 1), st.binary(min_size=0, max_size=8), st.integers(0, 8))
    def check(at, insert, delete):
        plaintext = inner[:at] + insert + inner[at + delete :]
        if plaintext == inner:
            return
        data = h.sealed(world, world.town_a, header, plaintext)
        verified = verify_bundle(parse_bundle(data, LIMITS), world.town_a.signing_key.public_key(),
                                 sender_unit=world.town_a.unit_code)
        try:
            contents = open_bundle(verified, world.city.encryption_identity, LIMITS)
        except BundleError as exc:
            assert exc.code in {"bad_inner", "manifest_mismatch", "bomb", "bad_records", "bad_attachment", "too_large"}
        else:  # only possible if the change kept every hash and count consistent: then it is the same content
            assert contents.records == [{"id": "1", "name": "张三"}, {"id": "2"}]

    check()

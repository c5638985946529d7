"""The bundle file itself: strict parsing of fixed fields and header, every bit, every truncation."""

from __future__ import annotations

import hashlib
import json
import struct
import tracemalloc

import pytest

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.sync import canonical
from xinfang_desktop.sync.bundle import (
    BundleRef,
    Limits,
    encode_header,
    open_bundle,
    parse_bundle,
    verify_bundle,
)
from xinfang_desktop.sync.errors import BundleError


def pipeline(world, data: bytes, limits: Limits = Limits()):
    parsed = parse_bundle(data, limits)
    verified = verify_bundle(parsed, world.town_a.signing_key.public_key(), sender_unit=world.town_a.unit_code)
    return open_bundle(verified, world.city.encryption_identity, limits)


def layout(data: bytes) -> dict[str, int]:
    (header_length,) = struct.unpack_from(">I", data, 12)
    header_end = 16 + header_length
    (envelope_length,) = struct.unpack_from(">Q", data, header_end)
    envelope_end = header_end + 8 + envelope_length
    return {"header_end": header_end, "envelope_start": header_end + 8, "envelope_end": envelope_end,
            "header_length": header_length, "envelope_length": envelope_length}


@pytest.fixture(scope="module")
def small(world) -> bytes:
    return world.bundle(records=[{"id": "1"}])


def test_round_trip_and_documented_layout(world, h):
    content = b"%PDF-1.4 scanned letter"
    data = world.bundle(records=[{"id": "c1", "name": "张三", "tags": ["上访", 2]}], attachments=h.attachment(content))
    parsed = parse_bundle(data)
    pos = layout(data)
    assert data[:8] == b"XFBUNDLE"
    assert struct.unpack_from(">HH", data, 8) == (1, 1)
    assert parsed.header_bytes == data[16 : pos["header_end"]]
    assert json.loads(parsed.header_bytes)["payload"]["length"] == pos["envelope_length"]
    assert bytes(parsed.envelope).startswith(b"age-encryption.org/v1\n")
    assert struct.unpack_from(">H", data, pos["envelope_end"]) == (64,)
    assert len(data) == pos["envelope_end"] + 2 + 64
    # bundle id: SHA-256 of everything before the signature section
    assert parsed.bundle_id == hashlib.sha256(data[: pos["envelope_end"]]).hexdigest()
    # signature: context + everything before the envelope
    world.town_a.signing_key.public_key().verify(data[-64:], b"xinfang-bundle-v1\x00" + data[: pos["envelope_start"]])
    contents = pipeline(world, data)
    assert contents.records == [{"id": "c1", "name": "张三", "tags": ["上访", 2]}]
    assert dict(contents.attachments) == h.attachment(content)
    assert contents.bundle_id == parsed.bundle_id
    assert contents.sender_unit == world.town_a.unit_code


def test_bundle_is_deterministic_apart_from_encryption(world):
    header = world.header()
    a = parse_bundle(world.bundle(bundle_uuid=header.bundle_uuid, created_at=header.created_at))
    b = parse_bundle(world.bundle(bundle_uuid=header.bundle_uuid, created_at=header.created_at))
    # age uses fresh randomness; everything else in the header is the same
    assert json.loads(a.header_bytes).keys() == json.loads(b.header_bytes).keys()
    assert a.header.sender == b.header.sender and a.header.seq == b.header.seq


def test_every_bit_flip_is_refused_at_parse_or_verify(world, small, h):
    pos = layout(small)
    limits = Limits()
    accepted = []
    for bit in range(len(small) * 8):
        i = bit // 8
        mutated = bytearray(small)
        mutated[i] ^= 1 << (bit % 8)
        mutated = bytes(mutated)
        try:
            pipeline(world, mutated)
        except BundleError as exc:
            if i < 8:
                expected = "bad_magic"
            elif i < 10:
                expected = "unsupported_version"
            elif i < 12:
                expected = "unsupported_suite"
            elif i < 16:
                (length,) = struct.unpack_from(">I", mutated, 12)
                if length > limits.max_header:
                    expected = "header_too_large"
                elif 16 + length > len(mutated):
                    expected = "truncated"
                else:
                    expected = "bad_header"
            elif i < pos["header_end"]:
                # a flip inside the JSON either breaks it or changes a value the signature covers
                expected = {"bad_header", "length_mismatch", "key_mismatch", "sender_mismatch", "bad_signature"}
            elif i < pos["envelope_start"]:
                (length,) = struct.unpack_from(">Q", mutated, pos["header_end"])
                expected = "too_large" if length > limits.max_envelope else "length_mismatch"
            elif i < pos["envelope_end"]:
                expected = "hash_mismatch"
            elif i < pos["envelope_end"] + 2:
                expected = "bad_signature_length"
            else:
                expected = "bad_signature"
            h.assert_refused(exc, expected)
        else:
            accepted.append(bit)
    assert accepted == []


def test_truncation_at_every_offset_is_refused(world, small, h):
    for end in range(len(small)):
        with pytest.raises(BundleError) as info:
            parse_bundle(small[:end])
        h.assert_refused(info.value, "truncated")


@pytest.mark.parametrize("extra", [b"\x00", b"garbage" * 10, None])
def test_appended_bytes_are_refused(world, small, h, extra):
    tail = small if extra is None else extra  # None: a second bundle glued on
    with pytest.raises(BundleError) as info:
        parse_bundle(small + tail)
    h.assert_refused(info.value, "trailing_data")


def _peak_allocation(fn) -> int:
    tracemalloc.start()
    try:
        try:
            fn()
        except BundleError:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("header", 2**32 - 1, "header_too_large"),
        ("header", 16 * 1024 + 1, "header_too_large"),
        ("envelope", 2**64 - 1, "too_large"),
        ("envelope", 512 * 1024 * 1024 + 1, "too_large"),
        ("envelope", 2**40, "too_large"),
        ("signature", 2**16 - 1, "bad_signature_length"),
        ("signature", 0, "bad_signature_length"),
    ],
)
def test_huge_length_fields_are_refused_without_allocation(world, small, h, field, value, code):
    pos = layout(small)
    data = bytearray(small)
    if field == "header":
        struct.pack_into(">I", data, 12, value)
    elif field == "envelope":
        struct.pack_into(">Q", data, pos["header_end"], value)
    else:
        struct.pack_into(">H", data, pos["envelope_end"], value)
    data = bytes(data)
    with pytest.raises(BundleError) as info:
        parse_bundle(data)
    h.assert_refused(info.value, code)
    # nothing proportional to the claimed length is allocated (the whole bundle is ~1 KiB)
    assert _peak_allocation(lambda: parse_bundle(data)) < 64 * 1024


def test_envelope_cap_is_configurable(world, small, h):
    with pytest.raises(BundleError) as info:
        parse_bundle(small, Limits(max_envelope=100))
    h.assert_refused(info.value, "too_large")


def test_limits_validate_themselves():
    with pytest.raises(ValueError):
        Limits(max_header=32 * 1024)
    with pytest.raises(ValueError):
        Limits(max_envelope=0)


# --------------------------------------------------------------------------- strict header


def _resign(world, data: bytes, header_bytes: bytes, h, signer=None) -> bytes:
    """Same envelope, new header bytes, validly signed: only header strictness can refuse it."""
    parsed = parse_bundle(data)
    return h.frame(header_bytes, bytes(parsed.envelope), signer or world.town_a.signing_key)


def _header_doc(data: bytes) -> dict:
    return json.loads(parse_bundle(data).header_bytes)


def test_oversize_header_is_refused(world, small, h):
    doc = _header_doc(small)
    doc["code_tables"] = {f"t{i:04d}": i for i in range(64)}
    doc["bundle_uuid"] = doc["bundle_uuid"]
    big = canonical.dumps(doc)
    padded = big[:-1] + b"," + b'"zz":"' + b"x" * (17 * 1024) + b'"}'
    with pytest.raises(BundleError) as info:
        parse_bundle(_resign(world, small, padded, h))
    h.assert_refused(info.value, "header_too_large")


def test_duplicate_key_header_is_refused(world, small, h):
    raw = parse_bundle(small).header_bytes
    doubled = raw.replace(b'"epoch":1,', b'"epoch":1,"epoch":1,')
    assert doubled != raw
    with pytest.raises(BundleError) as info:
        parse_bundle(_resign(world, small, doubled, h))
    h.assert_refused(info.value, "bad_header")
    assert "重复" in info.value.message


def _mutations():
    def set_(path, value):
        def apply(doc):
            target = doc
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return apply

    def delete(key):
        return lambda doc: doc.pop(key)

    return {
        "unknown field": set_(["zzz"], 1),
        "unknown nested field": set_(["from", "name"], "x"),
        "missing created_at": delete("created_at"),
        "missing payload": delete("payload"),
        "missing last_received": delete("last_received"),
        "epoch as text": set_(["epoch"], "1"),
        "seq as boolean": set_(["seq"], True),
        "seq zero": set_(["seq"], 0),
        "seq negative": set_(["seq"], -1),
        "seq too big": set_(["seq"], 2**60),
        "unknown kind": set_(["kind"], "delete-everything"),
        "genesis after seq 1": set_(["seq"], 2),
        "prev not a hash": set_(["prev"], "0" * 63),
        "upper-case prev": set_(["prev"], "A" * 64),
        "lower-case key id": set_(["from", "key_id"], "abcdef0123456789"),
        "unit with path": set_(["from", "unit"], "../330106001"),
        "same sender and recipient": set_(["to", "unit"], "330106001"),
        "upper-case uuid": set_(["bundle_uuid"], "0E8FBC9E-0DAB-448A-910E-26A0AD09FF70"),
        "uuid without hyphens": set_(["bundle_uuid"], "0e8fbc9e0dab448a910e26a0ad09ff70zzzz"),
        "bad created_at": set_(["created_at"], "2026-13-40T99:00:00Z"),
        "local time created_at": set_(["created_at"], "2026-11-26T12:00:00+08:00"),
        "code table not int": set_(["code_tables", "categories"], "3"),
        "code table bad name": set_(["code_tables", "../x"], 1),
        "last_received incomplete": set_(["last_received"], {"epoch": 1, "seq": 1}),
        "from not an object": set_(["from"], ["330106001", "X"]),
        "header is a list": None,
    }


@pytest.mark.parametrize("name", sorted(_mutations()))
def test_malformed_header_is_refused(world, small, h, name):
    doc = _header_doc(small)
    mutate = _mutations()[name]
    if mutate is None:
        raw = canonical.dumps([doc])
    else:
        mutate(doc)
        raw = canonical.dumps(doc)
    with pytest.raises(BundleError) as info:
        parse_bundle(_resign(world, small, raw, h))
    h.assert_refused(info.value, "bad_header")


@pytest.mark.parametrize(
    "name",
    ["spaces", "unsorted", "bom", "not utf-8", "float", "nan", "ascii escape", "trailing newline", "nested too deep"],
)
def test_non_canonical_header_is_refused(world, small, h, name):
    raw = parse_bundle(small).header_bytes
    doc = json.loads(raw)
    variants = {
        "spaces": json.dumps(doc, sort_keys=True).encode(),
        "unsorted": json.dumps(dict(reversed(sorted(doc.items()))), separators=(",", ":")).encode(),
        "bom": b"\xef\xbb\xbf" + raw,
        "not utf-8": raw.replace(b'"kind":"data"', b'"kind":"d\xffta"'),
        "float": raw.replace(b'"epoch":1,', b'"epoch":1.0,'),
        "nan": raw.replace(b'"epoch":1,', b'"epoch":NaN,'),
        "ascii escape": raw.replace(b'"kind":"data"', b'"kind":"\\u0064ata"'),
        "trailing newline": raw + b"\n",
        "nested too deep": raw[:-1] + b',"zz":' + b"[" * 5000 + b"]" * 5000 + b"}",
    }
    with pytest.raises(BundleError) as info:
        parse_bundle(_resign(world, small, variants[name], h))
    h.assert_refused(info.value, {"bad_header", "header_too_large"} if name == "nested too deep" else "bad_header")


def test_builder_refuses_what_the_parser_refuses(world):
    with pytest.raises(InvalidInput):
        world.bundle(seq=2)  # prev "genesis" only for seq 1
    with pytest.raises(InvalidInput):
        world.bundle(kind="unknown")
    with pytest.raises(InvalidInput):
        world.bundle(records=[{"amount": 1.5}])  # no floats
    with pytest.raises(InvalidInput):
        world.bundle(attachments={"0" * 64: b"not matching its hash"})
    with pytest.raises(InvalidInput):
        world.bundle(code_tables={"Bad Name": 1})
    with pytest.raises(InvalidInput):
        encode_header(world.header())  # no payload yet


def test_signer_must_match_header_key_id(world):
    from xinfang_desktop.sync.bundle import build_bundle

    with pytest.raises(InvalidInput):
        build_bundle(world.header(world.town_a), [], {}, world.town_b.signing_key, [world.city_recipient])


def test_clock_ten_years_off_is_accepted(world):
    """created_at is display only: order comes from seq, never from clocks."""
    for when in ("2036-11-26T04:00:00Z", "2016-01-01T00:00:00Z"):
        data = world.bundle(created_at=when)
        assert pipeline(world, data).header.created_at == when


def test_chain_fields_round_trip(world):
    prev = "ab" * 32
    last = BundleRef(epoch=2, seq=7, bundle_id="cd" * 32)
    data = world.bundle(seq=8, prev=prev, epoch=3, last_received=last, kind="ack", records=[])
    header = pipeline(world, data).header
    assert (header.seq, header.prev, header.epoch, header.last_received, header.kind) == (8, prev, 3, last, "ack")
    assert dict(header.code_tables) == {"categories": 3, "places": 12}

"""Who signed it, who can read it, and what a hostile but enrolled sender can put inside."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tracemalloc
from dataclasses import replace

import pytest

from xinfang_desktop.sync.bundle import (
    INNER_MAGIC,
    Limits,
    ParsedBundle,
    Party,
    VerifiedBundle,
    assemble_bundle,
    check_addressed_to,
    decrypt_envelope,
    open_bundle,
    parse_bundle,
    verify_bundle,
)
from xinfang_desktop.sync.errors import BundleError
from xinfang_desktop.sync.keys import age_identity_file_text, generate_keys


def verify_as(world, data, keys, unit=None):
    return verify_bundle(parse_bundle(data), keys.signing_key.public_key(), sender_unit=unit or keys.unit_code)


def test_escrow_recipient_can_open_too(world):
    data = world.bundle(escrow=True)
    verified = verify_as(world, data, world.town_a)
    assert open_bundle(verified, world.escrow).records == open_bundle(verified, world.city.encryption_identity).records


def test_wrong_recipient_key_cannot_decrypt(world, h):
    other_city = generate_keys("3302", "宁波市信访局", "city")
    verified = verify_as(world, world.bundle(), world.town_a)
    with pytest.raises(BundleError) as info:
        open_bundle(verified, other_city.encryption_identity)
    h.assert_refused(info.value, "decrypt_failed")
    assert "不是该包的接收密钥" in info.value.message


def test_unknown_signer_is_refused(world, h):
    stranger = generate_keys("330106001", "西湖街道", "township")  # same unit code, a key the city never enrolled
    data = world.bundle()
    with pytest.raises(BundleError) as info:
        verify_as(world, data, stranger)
    h.assert_refused(info.value, "key_mismatch")


def test_forged_key_id_fails_signature(world, h):
    """B writes A's unit and key id in the header but can only sign with its own key."""
    parsed = parse_bundle(world.bundle())
    forged = h.frame(parsed.header_bytes, bytes(parsed.envelope), world.town_b.signing_key)
    with pytest.raises(BundleError) as info:
        verify_as(world, forged, world.town_a)
    h.assert_refused(info.value, "bad_signature")


def test_township_claiming_to_be_another_is_refused(world, h):
    """B signs with its own enrolled key but claims to be A in from.unit."""
    header = replace(world.header(world.town_b), sender=Party(world.town_a.unit_code, world.town_b.key_id))
    from xinfang_desktop.sync.bundle import build_bundle

    data = build_bundle(header, [{"id": "x", "owner": world.town_a.unit_code}], {}, world.town_b.signing_key,
                        [world.city_recipient])
    parsed = parse_bundle(data)  # well-formed...
    # ...the caller looks the key up by key id, finds B's key enrolled for unit B:
    with pytest.raises(BundleError) as info:
        verify_bundle(parsed, world.town_b.signing_key.public_key(), sender_unit=world.town_b.unit_code)
    h.assert_refused(info.value, "sender_mismatch")
    assert world.town_a.unit_code in info.value.message and world.town_b.unit_code in info.value.message


def test_resigned_ciphertext_is_caught_by_inner_manifest(world, h):
    """B takes A's envelope and signs it under its own header: verify passes, the inner manifest does not."""
    original = parse_bundle(world.bundle(records=[{"id": "secret", "owner": world.town_a.unit_code}]))
    stolen = bytes(original.envelope)
    for header in (
        world.header(world.town_b),  # B's own header, B's uuid
        replace(original.header, sender=Party(world.town_b.unit_code, world.town_b.key_id), payload=None),  # A's, but from B
    ):
        data = assemble_bundle(header, stolen, world.town_b.signing_key)
        verified = verify_as(world, data, world.town_b)
        with pytest.raises(BundleError) as info:
            open_bundle(verified, world.city.encryption_identity)
        h.assert_refused(info.value, "manifest_mismatch")


@pytest.mark.parametrize("field", ["bundle_uuid", "epoch", "seq", "kind", "to"])
def test_each_manifest_field_must_equal_header(world, h, field):
    header = world.header()
    text = b'{"id":"1"}\n'
    manifest = h.manifest_for(header, text, 1)
    manifest[field] = {
        "bundle_uuid": "00000000-0000-4000-8000-000000000000",
        "epoch": 2,
        "seq": 2,
        "kind": "instruction",
        "to": {"key_id": "0" * 16, "unit": "3302"},
    }[field]
    data = h.sealed(world, world.town_a, header, h.inner_plaintext(manifest, h.zlib.compress(text)))
    with pytest.raises(BundleError) as info:
        open_bundle(verify_as(world, data, world.town_a), world.city.encryption_identity)
    h.assert_refused(info.value, "manifest_mismatch")


def test_check_addressed_to(world, h):
    header = parse_bundle(world.bundle()).header
    check_addressed_to(header, world.city.unit_code, world.city.key_id)
    for args in (("3302",), (world.city.unit_code, "0" * 16)):
        with pytest.raises(BundleError) as info:
            check_addressed_to(header, *args)
        h.assert_refused(info.value, "wrong_recipient")


def test_parsed_and_verified_bundles_cannot_be_made_by_hand(world):
    parsed = parse_bundle(world.bundle())
    with pytest.raises(TypeError):
        VerifiedBundle(parsed=parsed, sender_unit="x", sender_key_id="y")
    with pytest.raises(TypeError):
        ParsedBundle(format_version=1, suite=1, header=parsed.header, header_bytes=parsed.header_bytes,
                     bundle_id=parsed.bundle_id, size=parsed.size, _data=parsed.raw, _envelope_start=0, _envelope_end=0)


# --------------------------------------------------------------------------- decompression bombs


def test_bomb_refused_by_declared_size(world, h):
    records = [{"id": "1", "text": "a" * (2 * 1024 * 1024)}]  # compresses to a few KiB
    data = world.bundle(records=records)
    limits = Limits(max_records_size=1024 * 1024)
    verified = verify_as(world, data, world.town_a)
    with pytest.raises(BundleError) as info:
        open_bundle(verified, world.city.encryption_identity, limits)
    h.assert_refused(info.value, "bomb")
    assert len(open_bundle(verified, world.city.encryption_identity).records[0]["text"]) == 2 * 1024 * 1024


def test_bomb_lying_about_its_size_is_refused_without_inflating(world, h):
    header = world.header()
    line = b'{"id":"1","text":"' + b"a" * (64 * 1024 * 1024) + b'"}\n'  # 64 MiB of text
    stream = h.zlib.compress(line, 9)
    assert len(stream) < 100 * 1024
    manifest = h.manifest_for(header, b'{"id":"1"}\n', 1)  # claims 11 bytes
    data = h.sealed(world, world.town_a, header, h.inner_plaintext(manifest, stream))
    del line
    verified = verify_as(world, data, world.town_a)
    tracemalloc.start()
    try:
        with pytest.raises(BundleError) as info:
            open_bundle(verified, world.city.encryption_identity)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    h.assert_refused(info.value, "bomb")
    assert peak < 4 * 1024 * 1024  # never inflated the 64 MiB


# --------------------------------------------------------------------------- hostile inner layouts


def _hostile(world, h, manifest=None, stream=None, attachments=(), trailing=b"", text=b'{"id":"1"}\n', count=1,
             plaintext=None, header=None):
    header = header or world.header()
    if plaintext is None:
        manifest = manifest or h.manifest_for(header, text, count)
        plaintext = h.inner_plaintext(manifest, h.zlib.compress(text) if stream is None else stream, attachments, trailing)
    data = h.sealed(world, world.town_a, header, plaintext)
    return lambda limits=Limits(): open_bundle(verify_as(world, data, world.town_a), world.city.encryption_identity, limits)


def test_hostile_inner_layouts(world, h):
    header = world.header()
    content = b"attachment"
    digest = hashlib.sha256(content).digest()
    text = b'{"id":"1"}\n'
    cases = {
        "bad_inner": [
            _hostile(world, h, header=header, plaintext=b"NOTINNER" + b"\0" * 20),
            _hostile(world, h, header=header, plaintext=INNER_MAGIC + b"\xff\xff\xff\xff"),
            _hostile(world, h, header=header, trailing=b"x"),
            _hostile(world, h, header=header, stream=h.zlib.compress(text) + b"junk"),
            _hostile(world, h, header=header, manifest={**h.manifest_for(header, text, 1), "path": "C:/x"}),
        ],
        "bad_records": [
            _hostile(world, h, header=header, text=b'{"id": "1"}\n'),  # not canonical
            _hostile(world, h, header=header, text=b'[1]\n'),  # not an object
            _hostile(world, h, header=header, text=b'{"id":"1"}\n', count=2),
            _hostile(world, h, header=header, text=b'{"id":"1"}'),  # no final newline
            _hostile(world, h, header=header, text=b'{"id":"1","id":"2"}\n'),
            _hostile(world, h, header=header, text=b'{"n":1.5}\n'),
            _hostile(world, h, header=header, stream=h.zlib.compress(text)[:-3]),
            _hostile(world, h, header=header, manifest={**h.manifest_for(header, text, 1), "records": {
                **h.manifest_for(header, text, 1)["records"], "sha256": "0" * 64}}),
        ],
        "bad_attachment": [
            _hostile(world, h, header=header, manifest=h.manifest_for(header, text, 1, 1, 5), attachments=[(digest, b"other")]),
            _hostile(world, h, header=header, manifest=h.manifest_for(header, text, 1, 2, 20),
                     attachments=[(digest, content), (digest, content)]),
            _hostile(world, h, header=header, manifest=h.manifest_for(header, text, 1, 0, 0), attachments=[(digest, content)]),
        ],
    }
    for code, openers in cases.items():
        for index, opener in enumerate(openers):
            with pytest.raises(BundleError) as info:
                opener()
            assert info.value.code == code, (code, index, info.value.message)
            h.assert_refused(info.value, code)


def test_record_count_cap(world, h):
    data = world.bundle(records=[{"i": i} for i in range(20)])
    with pytest.raises(BundleError) as info:
        open_bundle(verify_as(world, data, world.town_a), world.city.encryption_identity, Limits(max_record_count=10))
    h.assert_refused(info.value, "too_large")


# --------------------------------------------------------------------------- stock age tool


@pytest.mark.skipif(shutil.which("age") is None, reason="the stock `age` command-line tool is not installed (Debian package `age`)")
def test_stock_age_tool_decrypts_the_envelope(world, tmp_path):
    data = world.bundle(records=[{"id": "c1", "name": "张三"}], escrow=True)
    verified = verify_as(world, data, world.town_a)
    envelope = tmp_path / "envelope.age"
    envelope.write_bytes(bytes(verified.parsed.envelope))
    expected = decrypt_envelope(verified, world.city.encryption_identity)
    assert expected.startswith(INNER_MAGIC)
    for name, identity in (("city", world.city.encryption_identity), ("escrow", world.escrow)):
        key_file = tmp_path / f"{name}.key"
        key_file.write_text(age_identity_file_text(identity), encoding="utf-8")
        out = tmp_path / f"{name}.out"
        result = subprocess.run(["age", "--decrypt", "-i", str(key_file), "-o", str(out), str(envelope)],
                                capture_output=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert out.read_bytes() == expected

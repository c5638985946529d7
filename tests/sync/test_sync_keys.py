"""Keys: fingerprints, the passphrase key store, enrolment files, rotation records."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from cryptography.hazmat.primitives import serialization

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.sync import canonical
from xinfang_desktop.sync.bundle import open_bundle, parse_bundle, verify_bundle
from xinfang_desktop.sync.keys import (
    EnrolmentError,
    FileKeyStore,
    KeyStore,
    KeyStoreError,
    RotationError,
    export_public,
    format_fingerprint,
    generate_keys,
    key_id_of,
    make_rotation_record,
    normalize_fingerprint,
    read_enrolment,
    recipient_fingerprint,
    signing_fingerprint,
    verify_rotation_record,
)

from tests.conftest import CHEAP_SCRYPT

CJK = re.compile(r"[\u4e00-\u9fff]")
PASSPHRASE = "西湖街道 correct horse"


def assert_chinese(message: str) -> None:
    assert CJK.search(message) and "请" in message, message


# --------------------------------------------------------------------------- fingerprints


def test_fingerprint_is_sha256_of_raw_key_in_groups(world):
    public = world.town_a.signing_key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fp = signing_fingerprint(public)
    assert fp == hashlib.sha256(raw).hexdigest().upper()
    shown = format_fingerprint(fp)
    groups = shown.split(" ")
    assert len(groups) == 16 and all(re.fullmatch(r"[0-9A-F]{4}", g) for g in groups)
    assert key_id_of(shown) == fp[:16] == world.town_a.key_id


def test_recipient_fingerprint_is_sha256_of_ascii_recipient(world):
    recipient = world.city_recipient
    assert recipient.startswith("age1")
    assert recipient_fingerprint(recipient) == hashlib.sha256(recipient.encode("ascii")).hexdigest().upper()
    assert world.city.public().encryption_fingerprint == recipient_fingerprint(recipient)


def test_normalize_fingerprint_accepts_what_people_type(world):
    fp = world.town_a.public().signing_fingerprint
    shown = format_fingerprint(fp)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c != " " else "\u3000" for c in shown)
    for typed in (shown, shown.lower(), shown.replace(" ", "-"), fp.lower(), "  " + shown + "\n", fullwidth,
                  ":".join(shown.split())):
        assert normalize_fingerprint(typed) == fp


@pytest.mark.parametrize("typed", ["", "ABCD", "G" * 64, "0" * 63, "0" * 65, "O" + "0" * 63])
def test_normalize_fingerprint_refuses_malformed(typed):
    with pytest.raises(InvalidInput) as info:
        normalize_fingerprint(typed)
    assert info.value.field == "fingerprint"
    assert_chinese(info.value.message)


def test_unlocked_keys_repr_has_no_secret(world):
    text = repr(world.city)
    assert "AGE-SECRET-KEY" not in text and world.city.key_id in text


def test_generate_keys_validates_unit():
    with pytest.raises(InvalidInput):
        generate_keys("../evil", "名称", "township")
    with pytest.raises(InvalidInput):
        generate_keys("3301", "", "township")
    with pytest.raises(InvalidInput):
        generate_keys("3301", "名称", "province")
    assert generate_keys("3301", "名称", "township").encryption_identity is None
    assert generate_keys("3301", "名称", "township", encryption=True).encryption_identity is not None


# --------------------------------------------------------------------------- key store (at the suite's cheap scrypt)


@pytest.fixture(scope="module")
def store(world, tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "city.keys.json"
    return FileKeyStore.create(path, world.city, PASSPHRASE, scrypt_log_n=CHEAP_SCRYPT)


def test_key_store_round_trip(world, store):
    assert isinstance(store, KeyStore)
    assert store.public() == world.city.public()
    unlocked = store.unlock(PASSPHRASE)
    assert unlocked.public() == world.city.public()
    assert str(unlocked.encryption_identity) == str(world.city.encryption_identity)
    message = b"sign me"
    world.city.signing_key.public_key().verify(unlocked.signing_key.sign(message), message)
    text = store.path.read_text(encoding="utf-8")
    assert "AGE-SECRET-KEY" not in text and "signing_seed" not in text
    assert json.loads(text)["secret"]


def test_wrong_passphrase_is_refused(store):
    with pytest.raises(KeyStoreError) as info:
        store.unlock("wrong passphrase")
    assert info.value.code == "wrong_passphrase"
    assert "口令不正确" in info.value.message
    assert_chinese(info.value.message)
    with pytest.raises(KeyStoreError) as info:
        store.unlock("")
    assert info.value.code == "wrong_passphrase"


def test_key_store_never_overwrites(world, store):
    with pytest.raises(KeyStoreError) as info:
        FileKeyStore.create(store.path, world.town_a, PASSPHRASE, scrypt_log_n=CHEAP_SCRYPT)
    assert info.value.code == "exists"
    assert store.public() == world.city.public()


def test_key_store_refuses_short_passphrase(world, tmp_path):
    with pytest.raises(InvalidInput) as info:
        FileKeyStore.create(tmp_path / "k.json", world.town_a, "short", scrypt_log_n=CHEAP_SCRYPT)
    assert info.value.field == "passphrase"
    assert not (tmp_path / "k.json").exists()


def test_key_store_detects_swapped_public_key(world, store, tmp_path):
    doc = json.loads(store.path.read_bytes())
    other = world.town_b.signing_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    doc["signing_public_key"] = other.hex()
    forged = tmp_path / "forged.json"
    forged.write_bytes(canonical.dumps(doc))
    with pytest.raises(KeyStoreError) as info:
        FileKeyStore(forged).unlock(PASSPHRASE)
    assert info.value.code == "corrupt"
    assert_chinese(info.value.message)


@pytest.mark.parametrize("content", [b"", b"{}", b"not json", b'{"format":"xinfang-keystore"}', b"\xff" * 10])
def test_key_store_refuses_garbage_files(tmp_path, content):
    path = tmp_path / "k.json"
    path.write_bytes(content)
    with pytest.raises(KeyStoreError) as info:
        FileKeyStore(path).unlock(PASSPHRASE)
    assert info.value.code == "corrupt"
    assert_chinese(info.value.message)


def test_key_store_missing_file(tmp_path):
    with pytest.raises(KeyStoreError) as info:
        FileKeyStore(tmp_path / "nothing.json").public()
    assert info.value.code == "missing"


# --------------------------------------------------------------------------- enrolment


def test_enrolment_round_trip(world):
    data = export_public(world.city)
    assert canonical.loads(data)  # canonical JSON
    doc = json.loads(data)
    assert doc["role"] == "city" and doc["unit_code"] == "3301" and doc["unit_name"] == "杭州市信访局"
    assert doc["encryption_recipient"] == world.city_recipient
    typed = format_fingerprint(world.city.public().signing_fingerprint).lower()
    assert read_enrolment(data, typed) == world.city.public()
    township = read_enrolment(export_public(world.town_a), world.town_a.public().signing_fingerprint)
    assert township.encryption_recipient is None and township.role == "township"
    assert township.qr_payload.endswith(world.town_a.public().signing_fingerprint)


def test_enrolment_fingerprint_mismatch_is_refused(world):
    data = export_public(world.town_a)
    with pytest.raises(EnrolmentError) as info:
        read_enrolment(data, world.town_b.public().signing_fingerprint)
    assert info.value.code == "fingerprint_mismatch"
    assert "不一致" in info.value.message
    assert_chinese(info.value.message)


def test_enrolment_typed_fingerprint_must_be_well_formed(world):
    with pytest.raises(InvalidInput):
        read_enrolment(export_public(world.town_a), "1234 5678")


def test_enrolment_with_swapped_encryption_key_is_refused(world):
    """An attacker keeps the city's signing key (so the paper fingerprint matches) but swaps the recipient."""
    attacker = generate_keys("3301", "杭州市信访局", "city")
    doc = json.loads(export_public(world.city))
    doc["encryption_recipient"] = attacker.public().encryption_recipient
    doc["encryption_fingerprint"] = attacker.public().encryption_fingerprint
    with pytest.raises(EnrolmentError) as info:
        read_enrolment(canonical.dumps(doc), world.city.public().signing_fingerprint)
    assert info.value.code == "bad_signature"
    assert_chinese(info.value.message)


@pytest.mark.parametrize("change", ["unknown", "missing", "spaces", "duplicate", "bad key", "city without recipient"])
def test_enrolment_is_parsed_strictly(world, change):
    data = export_public(world.city)
    doc = json.loads(data)
    if change == "unknown":
        raw = canonical.dumps({**doc, "extra": 1})
    elif change == "missing":
        doc.pop("created")
        raw = canonical.dumps(doc)
    elif change == "spaces":
        raw = json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()
    elif change == "duplicate":
        raw = data.replace(b'"role":"city",', b'"role":"city","role":"city",')
    elif change == "bad key":
        raw = canonical.dumps({**doc, "signing_public_key": "zz" * 32})
    else:
        raw = canonical.dumps({**doc, "encryption_recipient": None, "encryption_fingerprint": None})
    with pytest.raises(EnrolmentError) as info:
        read_enrolment(raw, world.city.public().signing_fingerprint)
    assert info.value.code == "bad_enrolment"
    assert_chinese(info.value.message)


# --------------------------------------------------------------------------- rotation


@pytest.fixture(scope="module")
def rotation(world):
    new_keys = generate_keys(world.town_a.unit_code, world.town_a.unit_name, "township")
    return new_keys, make_rotation_record(world.town_a, new_keys)


def test_rotation_record_verifies_with_old_key(world, rotation):
    new_keys, record = rotation
    result = verify_rotation_record(record, world.town_a.signing_key.public_key())
    assert result.unit_code == world.town_a.unit_code
    assert result.old_key_id == world.town_a.key_id and result.new_key_id == new_keys.key_id
    assert signing_fingerprint(result.new_public_key) == new_keys.public().signing_fingerprint


def test_rotation_record_from_another_key_is_refused(world, rotation):
    _, record = rotation
    with pytest.raises(RotationError) as info:
        verify_rotation_record(record, world.town_b.signing_key.public_key())
    assert info.value.code == "wrong_old_key"
    assert_chinese(info.value.message)


@pytest.mark.parametrize("field", ["new_signing_public_key", "created", "unit_code", "old_signature", "new_signature"])
def test_tampered_rotation_record_is_refused(world, rotation, field):
    _, record = rotation
    attacker = generate_keys(world.town_a.unit_code, "x", "township")
    tampered = dict(record)
    if field == "new_signing_public_key":
        tampered[field] = attacker.signing_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
        tampered["new_fingerprint"] = attacker.public().signing_fingerprint
    elif field == "created":
        tampered[field] = "2020-01-01T00:00:00Z"
    elif field == "unit_code":
        tampered[field] = world.town_b.unit_code
    else:
        tampered[field] = ("0" if record[field][0] != "0" else "1") + record[field][1:]
    with pytest.raises(RotationError) as info:
        verify_rotation_record(tampered, world.town_a.signing_key.public_key())
    assert info.value.code == "bad_signature"
    assert_chinese(info.value.message)


def test_rotation_record_malformed(world, rotation):
    _, record = rotation
    for bad in ({**record, "extra": 1}, {k: v for k, v in record.items() if k != "created"}, [record], {**record, "version": 2}):
        with pytest.raises(RotationError) as info:
            verify_rotation_record(bad, world.town_a.signing_key.public_key())
        assert info.value.code == "bad_rotation"


def test_rotation_between_units_is_refused(world):
    with pytest.raises(InvalidInput):
        make_rotation_record(world.town_a, world.town_b)


def test_rotation_travels_in_a_key_rotation_bundle(world, rotation):
    new_keys, record = rotation
    data = world.bundle(kind="key-rotation", records=[record])
    verified = verify_bundle(parse_bundle(data), world.town_a.signing_key.public_key(), sender_unit=world.town_a.unit_code)
    (received,) = open_bundle(verified, world.city.encryption_identity).records
    assert verify_rotation_record(received, world.town_a.signing_key.public_key()).new_key_id == new_keys.key_id

"""Shared fixtures for the sync format tests: a city, two townships, an escrow key and bundle factories."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import pyrage
import pytest

from xinfang_desktop.sync import canonical
from xinfang_desktop.sync.bundle import (
    INNER_MAGIC,
    BundleHeader,
    Party,
    assemble_bundle,
    build_bundle,
    new_header,
)
from xinfang_desktop.sync.errors import BundleError
from xinfang_desktop.sync.keys import UnlockedKeys, generate_escrow_identity, generate_keys

_CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_refused(exc: BaseException, code: str | set[str]) -> None:
    """The refusal has the expected stable code and a Chinese message that says what to do."""
    assert isinstance(exc, BundleError), repr(exc)
    codes = {code} if isinstance(code, str) else code
    assert exc.code in codes, f"got {exc.code!r} ({exc.message}), expected {codes}"
    assert _CJK.search(exc.message), exc.message
    assert "请" in exc.message, exc.message  # says what to do
    assert "Traceback" not in exc.message


@dataclass
class World:
    city: UnlockedKeys
    town_a: UnlockedKeys
    town_b: UnlockedKeys
    escrow: Any

    @property
    def city_recipient(self) -> str:
        assert self.city.public().encryption_recipient is not None
        return self.city.public().encryption_recipient

    @property
    def escrow_recipient(self) -> str:
        return str(self.escrow.to_public())

    def header(self, sender: UnlockedKeys | None = None, **changes: Any) -> BundleHeader:
        sender = sender or self.town_a
        header = new_header(
            kind="data",
            sender=Party(sender.unit_code, sender.key_id),
            recipient=Party(self.city.unit_code, self.city.key_id),
            epoch=1,
            seq=1,
            prev="genesis",
            schema_version=1,
            code_tables={"categories": 3, "places": 12},
        )
        return replace(header, **changes)

    def bundle(
        self,
        sender: UnlockedKeys | None = None,
        records: list[dict[str, Any]] | None = None,
        attachments: dict[str, bytes] | None = None,
        escrow: bool = False,
        **changes: Any,
    ) -> bytes:
        sender = sender or self.town_a
        recipients = [self.city_recipient] + ([self.escrow_recipient] if escrow else [])
        return build_bundle(
            self.header(sender, **changes),
            records if records is not None else [{"id": "c1", "owner": sender.unit_code, "version": 1}],
            attachments or {},
            sender.signing_key,
            recipients,
        )


@pytest.fixture(scope="session")
def world() -> World:
    return World(
        city=generate_keys("3301", "杭州市信访局", "city"),
        town_a=generate_keys("330106001", "西湖街道", "township"),
        town_b=generate_keys("330106002", "灵隐街道", "township"),
        escrow=generate_escrow_identity(),
    )


def attachment(content: bytes) -> dict[str, bytes]:
    return {hashlib.sha256(content).hexdigest(): content}


def frame(header_bytes: bytes, envelope: bytes, signer, *, version: int = 1, suite: int = 1,
          envelope_length: int | None = None, signature_length: int | None = None) -> bytes:
    """Hand-made bundle with arbitrary header bytes, following the documented layout (tests the doc too)."""
    from xinfang_desktop.sync.bundle import SIGNATURE_CONTEXT

    signed = (
        b"XFBUNDLE"
        + struct.pack(">HHI", version, suite, len(header_bytes))
        + header_bytes
        + struct.pack(">Q", len(envelope) if envelope_length is None else envelope_length)
    )
    signature = signer.sign(SIGNATURE_CONTEXT + signed)
    return signed + envelope + struct.pack(">H", 64 if signature_length is None else signature_length) + signature


def inner_plaintext(manifest: dict[str, Any], records_stream: bytes, attachments: list[tuple[bytes, bytes]] = (),
                    trailing: bytes = b"") -> bytes:
    """Hand-made inner layout (for hostile-sender tests)."""
    m = canonical.dumps(manifest)
    out = INNER_MAGIC + struct.pack(">I", len(m)) + m + struct.pack(">Q", len(records_stream)) + records_stream
    out += struct.pack(">I", len(attachments))
    for digest, content in attachments:
        out += digest + struct.pack(">Q", len(content)) + content
    return out + trailing


def manifest_for(header: BundleHeader, text: bytes, count: int, attachments_count: int = 0,
                 attachments_length: int = 0, declared_length: int | None = None) -> dict[str, Any]:
    return {
        "attachments": {"count": attachments_count, "length": attachments_length},
        "bundle_uuid": header.bundle_uuid,
        "epoch": header.epoch,
        "from": {"key_id": header.sender.key_id, "unit": header.sender.unit},
        "kind": header.kind,
        "records": {
            "compression": "zlib",
            "count": count,
            "encoding": "jsonl",
            "length": len(text) if declared_length is None else declared_length,
            "sha256": hashlib.sha256(text).hexdigest(),
        },
        "seq": header.seq,
        "to": {"key_id": header.recipient.key_id, "unit": header.recipient.unit},
    }


def sealed(world: World, sender: UnlockedKeys, header: BundleHeader, plaintext: bytes) -> bytes:
    """Encrypt a hand-made plaintext to the city and sign it: a hostile but enrolled sender."""
    from pyrage import x25519

    envelope = pyrage.encrypt(plaintext, [x25519.Recipient.from_str(world.city_recipient)])
    return assemble_bundle(header, envelope, sender.signing_key)


helpers = SimpleNamespace(
    assert_refused=assert_refused,
    attachment=attachment,
    frame=frame,
    inner_plaintext=inner_plaintext,
    manifest_for=manifest_for,
    sealed=sealed,
    zlib=zlib,
)


@pytest.fixture(scope="session")
def h() -> SimpleNamespace:
    """Helper functions (fixtures keep the tests free of sys.path assumptions)."""
    return helpers

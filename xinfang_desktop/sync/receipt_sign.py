"""Signing a receipt statement with a unit's enrolled Ed25519 key, and checking one against a public key.

The statement and its text are defined in domain/receipt_statement.py; this module only adds the key:
``sign_statement`` fills in the key tag and signs, ``signature_valid`` checks, ``key_tag_of`` says which
of a unit's keys a statement names.
"""

from __future__ import annotations

import os
from datetime import date, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..domain.receipt_statement import (
    KEY_TAG_LEN,
    SALT_LEN,
    ReceiptStatement,
    SignedReceipt,
    content_digest,
)
from .keys import Signer, raw_public_bytes, signing_fingerprint


def key_tag_of(public_key: Ed25519PublicKey) -> bytes:
    """The first 2 bytes of the key's fingerprint: names the key in a statement (a unit has a few keys)."""
    return bytes.fromhex(signing_fingerprint(public_key)[: 2 * KEY_TAG_LEN])


def key_tag_of_hex(public_key_hex: str) -> bytes:
    return key_tag_of(Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)))


def sign_statement(signer: Signer, *, unit_code: str, case_number: str, query_code: str, received: date,
                   entered: datetime, people: int, names: list[str], request: str,
                   salt: bytes | None = None) -> SignedReceipt:
    """The signed statement of one registration. ``salt`` is random unless given (tests)."""
    salt = os.urandom(SALT_LEN) if salt is None else salt
    statement = ReceiptStatement(
        unit_code=unit_code, case_number=case_number, query_code=query_code, received=received,
        entered=entered.replace(microsecond=0, tzinfo=None), people=people, salt=salt,
        content_digest=content_digest(salt, names, request), key_tag=key_tag_of(signer.public_key()))
    return SignedReceipt(statement, signer.sign(statement.signed_message()))


def signature_valid(receipt: SignedReceipt, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(receipt.signature, receipt.statement.signed_message())
    except InvalidSignature:
        return False
    return True


def public_key_from_hex(value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))


def public_hex(public_key: Ed25519PublicKey) -> str:
    return raw_public_bytes(public_key).hex()


__all__ = ["key_tag_of", "key_tag_of_hex", "public_hex", "public_key_from_hex", "sign_statement",
           "signature_valid"]

"""age passphrase files (https://age-encryption.org/v1, one scrypt stanza) written at a scrypt cost chosen
by the caller.

pyrage writes such files at a cost it calibrates to about a second of this computer's time (and more on a
busy one); it reads any file whose cost is stated in its header. A key store is written here only when its
caller names the cost, as the test suite does with the cheapest one (like the argon2id parameters of the
keyring); the program itself writes through pyrage. Reading is always pyrage's.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

VERSION_LINE = b"age-encryption.org/v1"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
CHUNK = 64 * 1024


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def encrypt(plaintext: bytes, passphrase: str, *, log_n: int) -> bytes:
    """``plaintext`` sealed under ``passphrase`` with scrypt N = 2**log_n (r = 8, p = 1), as age does."""
    if not 1 <= log_n <= 30:
        raise ValueError(f"scrypt work factor out of range: {log_n}")
    file_key, salt, nonce = os.urandom(16), os.urandom(16), os.urandom(16)
    wrap_key = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=2 ** log_n, r=8, p=1).derive(passphrase.encode("utf-8"))
    body = ChaCha20Poly1305(wrap_key).encrypt(b"\0" * 12, file_key, None)      # 32 bytes: one body line
    header = b"%s\n-> scrypt %s %d\n%s\n---" % (VERSION_LINE, _b64(salt), log_n, _b64(body))
    mac = hmac.HMAC(_hkdf(file_key, b"", b"header"), hashes.SHA256())
    mac.update(header)
    payload = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    chunks = [plaintext[i:i + CHUNK] for i in range(0, len(plaintext), CHUNK)] or [b""]
    sealed = [payload.encrypt(i.to_bytes(11, "big") + (b"\x01" if i == len(chunks) - 1 else b"\x00"), chunk, None)
              for i, chunk in enumerate(chunks)]
    return header + b" " + _b64(mac.finalize()) + b"\n" + nonce + b"".join(sealed)

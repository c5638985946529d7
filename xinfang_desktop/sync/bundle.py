"""The sync bundle container, suite 1 (age X25519 + Ed25519 + SHA-256): build, parse, verify, open.

No database here. The import order of SYNC.md maps onto this module as:

1. :func:`xinfang_desktop.sync.files.read_bundle_file` copies the file off the stick.
2. :func:`parse_bundle` checks the fixed fields and parses the header strictly.
   Nothing is decrypted or interpreted beyond the header.
3. The caller looks up the sender's key by ``parsed.header.sender`` (unknown → quarantine).
4. :func:`verify_bundle` checks key id, sender unit, signature and envelope hash.
5. The caller's ledger checks ``bundle_id``, epoch, seq and prev.
6. :func:`open_bundle` decrypts in memory with caps, checks the inner manifest
   against the header and parses records and attachments strictly.

Byte layout (all integers big-endian)::

    offset        size  field
    0             8     magic  b"XFBUNDLE"
    8             2     format version (u16) = 1
    10            2     suite id (u16) = 1
    12            4     header length H (u32), 1 <= H <= 16384
    16            H     header: canonical JSON (see HEADER_FIELDS)
    16+H          8     envelope length E (u64), E == header.payload.length
    24+H          E     envelope: an age v1 file (binary, X25519 stanzas)
    24+H+E        2     signature length S (u16) = 64
    26+H+E        S     Ed25519 signature; the file ends here

    signature = Ed25519(SIGNATURE_CONTEXT + bytes[0 : 24+H])   ("everything before the envelope")
    bundle id = SHA-256(bytes[0 : 24+H+E]) as 64 lower-case hex   ("everything before the signature")

The header carries ``payload.sha256`` = SHA-256 of the envelope, so the
signature covers the envelope too.

Inside the envelope (the age plaintext), length-prefixed sections::

    8      inner magic b"XFINNER1"
    4      manifest length M (u32), M <= Limits.max_manifest
    M      manifest: canonical JSON (see MANIFEST_FIELDS)
    8      records length R (u64)
    R      records: zlib stream of canonical-JSON lines, one object per line,
           each followed by b"\\n"; manifest.records gives count, decompressed
           length and SHA-256 of the decompressed text
    4      attachment count N (u32)
    N x    32-byte SHA-256 of the content, u64 length L, L bytes of content;
           strictly ascending by hash
    (end; nothing may follow)

The manifest repeats kind, bundle_uuid, from, to, epoch and seq of the header,
so one unit cannot re-sign another's ciphertext under its own header.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import struct
import uuid as _uuid
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyrage import x25519

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.sync import canonical
from xinfang_desktop.sync.errors import (
    BundleAuthError,
    BundleContentError,
    BundleError,
    BundleFormatError,
)
from xinfang_desktop.sync.keys import KEY_ID_RE, UNIT_CODE_RE, Signer, signing_key_id

MAGIC = b"XFBUNDLE"
FORMAT_VERSION = 1
SUITE_AGE_ED25519 = 1
SUPPORTED_SUITES = frozenset({SUITE_AGE_ED25519})
SIGNATURE_CONTEXT = b"xinfang-bundle-v1\x00"
SIGNATURE_LENGTH = 64
INNER_MAGIC = b"XFINNER1"
AGE_MAGIC = b"age-encryption.org/v1\n"
BUNDLE_EXTENSION = "xfb"
GENESIS = "genesis"

HEADER_HARD_CAP = 16 * 1024
KIB = 1024
MIB = 1024 * 1024

KINDS: tuple[str, ...] = ("data", "ack", "instruction", "key-rotation", "epoch-start")

_PREFIX = struct.Struct(">8sHHI")  # magic, version, suite, header length
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")

_HEX64_RE = re.compile(r"^[0-9a-f]{64}\Z")
_CREATED_AT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
_CODE_TABLE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}\Z")
_MAX_CODE_TABLES = 64
_MAX_INT = 2**53 - 1  # safe in every JSON reader
_MAX_RECIPIENTS = 8


@dataclass(frozen=True)
class Limits:
    """Caps applied while parsing and opening. Defaults follow SYNC.md; lower them in tests or on small machines."""

    max_header: int = HEADER_HARD_CAP
    max_envelope: int = 512 * MIB
    max_plaintext: int = 512 * MIB
    max_manifest: int = 16 * KIB
    max_records_size: int = 256 * MIB
    """Decompressed size of the records text; more is a decompression bomb."""
    max_record_count: int = 1_000_000
    max_record_size: int = 4 * MIB
    """One record's canonical JSON line."""
    max_attachments: int = 100_000

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive integer")
        if self.max_header > HEADER_HARD_CAP:
            raise ValueError("Limits.max_header cannot exceed the format's 16 KiB")

    @property
    def max_file_size(self) -> int:
        """Largest file that can possibly parse under these limits (the size cap for staging)."""
        return _PREFIX.size + self.max_header + _U64.size + self.max_envelope + _U16.size + SIGNATURE_LENGTH


DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------- header


@dataclass(frozen=True)
class Party:
    """One end of a bundle: unit code and the key id (first 16 hex of the signing fingerprint).

    ``from.key_id`` is the key that signs this bundle; ``to.key_id`` is the
    recipient's signing key id as pinned by the sender (its enrolment).
    """

    unit: str
    key_id: str


@dataclass(frozen=True)
class BundleRef:
    """A bundle received from the other side: its sender's epoch and seq, and its bundle id."""

    epoch: int
    seq: int
    bundle_id: str


@dataclass(frozen=True)
class PayloadRef:
    """Length and SHA-256 (lower-case hex) of the envelope."""

    length: int
    sha256: str


@dataclass(frozen=True)
class BundleHeader:
    """The signed, clear-text header. JSON names: ``from`` and ``to`` for ``sender`` and ``recipient``.

    ``payload`` is filled in by :func:`build_bundle`; leave it ``None`` when building.
    ``created_at`` is for display only (``YYYY-MM-DDTHH:MM:SSZ``): order comes from
    ``seq``, never from clocks, so a wrong clock is accepted.
    """

    kind: str
    bundle_uuid: str
    sender: Party
    recipient: Party
    epoch: int
    seq: int
    prev: str
    schema_version: int
    code_tables: Mapping[str, int]
    last_received: BundleRef | None
    created_at: str
    payload: PayloadRef | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "code_tables", MappingProxyType(dict(self.code_tables)))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the header (requires ``payload``)."""
        if self.payload is None:
            raise InvalidInput("同步包头部缺少内容长度和校验值。", field="payload")
        return {
            "bundle_uuid": self.bundle_uuid,
            "code_tables": dict(self.code_tables),
            "created_at": self.created_at,
            "epoch": self.epoch,
            "from": {"key_id": self.sender.key_id, "unit": self.sender.unit},
            "kind": self.kind,
            "last_received": None
            if self.last_received is None
            else {
                "bundle_id": self.last_received.bundle_id,
                "epoch": self.last_received.epoch,
                "seq": self.last_received.seq,
            },
            "payload": {"length": self.payload.length, "sha256": self.payload.sha256},
            "prev": self.prev,
            "schema_version": self.schema_version,
            "seq": self.seq,
            "to": {"key_id": self.recipient.key_id, "unit": self.recipient.unit},
        }


HEADER_FIELDS = frozenset(
    {
        "bundle_uuid",
        "code_tables",
        "created_at",
        "epoch",
        "from",
        "kind",
        "last_received",
        "payload",
        "prev",
        "schema_version",
        "seq",
        "to",
    }
)


def new_header(
    *,
    kind: str,
    sender: Party,
    recipient: Party,
    epoch: int,
    seq: int,
    prev: str,
    schema_version: int,
    code_tables: Mapping[str, int],
    last_received: BundleRef | None = None,
    created_at: _dt.datetime | None = None,
    bundle_uuid: str | None = None,
) -> BundleHeader:
    """A header with a fresh UUID4 and the current UTC time (or the given ones)."""
    when = (created_at or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    return BundleHeader(
        kind=kind,
        bundle_uuid=bundle_uuid or str(_uuid.uuid4()),
        sender=sender,
        recipient=recipient,
        epoch=epoch,
        seq=seq,
        prev=prev,
        schema_version=schema_version,
        code_tables=code_tables,
        last_received=last_received,
        created_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def bundle_file_name(header: BundleHeader, ext: str = BUNDLE_EXTENSION) -> str:
    """``<unit>_<epoch>_<seq:08>.<ext>`` for the sender of ``header``. Importers never trust it."""
    return f"{header.sender.unit}_{header.epoch}_{header.seq:08d}.{ext}"


class _HeaderProblem(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _obj(value: Any, name: str, fields: frozenset[str] | set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _HeaderProblem(f"字段 {name} 应为对象")
    missing = sorted(set(fields) - set(value))
    unknown = sorted(set(value) - set(fields))
    if missing:
        raise _HeaderProblem(f"{name} 缺少字段 {', '.join(missing)}")
    if unknown:
        raise _HeaderProblem(f"{name} 含有未知字段 {', '.join(u[:40] for u in unknown[:5])}")
    return value


def _int(value: Any, name: str, low: int = 0, high: int = _MAX_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _HeaderProblem(f"字段 {name} 应为整数")
    if not low <= value <= high:
        raise _HeaderProblem(f"字段 {name} 超出范围")
    return value


def _str(value: Any, name: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise _HeaderProblem(f"字段 {name} 格式不正确")
    return value


def _party(value: Any, name: str) -> Party:
    obj = _obj(value, name, {"key_id", "unit"})
    return Party(unit=_str(obj["unit"], f"{name}.unit", UNIT_CODE_RE), key_id=_str(obj["key_id"], f"{name}.key_id", KEY_ID_RE))


def _uuid_str(value: Any, name: str) -> str:
    if not isinstance(value, str) or len(value) != 36:
        raise _HeaderProblem(f"字段 {name} 格式不正确")
    try:
        canonical_form = str(_uuid.UUID(value))
    except ValueError:
        raise _HeaderProblem(f"字段 {name} 格式不正确") from None
    if canonical_form != value:
        raise _HeaderProblem(f"字段 {name} 格式不正确")
    return value


def _created_at(value: Any) -> str:
    text = _str(value, "created_at", _CREATED_AT_RE)
    try:
        _dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise _HeaderProblem("字段 created_at 不是有效时间") from None
    return text


def _header_from_dict(doc: Any) -> BundleHeader:
    obj = _obj(doc, "头部", HEADER_FIELDS)
    kind = obj["kind"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise _HeaderProblem("字段 kind 不是已知的包类型")
    sender = _party(obj["from"], "from")
    recipient = _party(obj["to"], "to")
    if sender.unit == recipient.unit:
        raise _HeaderProblem("发送单位与接收单位相同")
    epoch = _int(obj["epoch"], "epoch", 1)
    seq = _int(obj["seq"], "seq", 1)
    prev = obj["prev"]
    if prev != GENESIS:
        _str(prev, "prev", _HEX64_RE)
    elif seq != 1:
        raise _HeaderProblem("seq 大于 1 时 prev 必须是上一个包的校验值")
    tables_raw = obj["code_tables"]
    if not isinstance(tables_raw, dict) or len(tables_raw) > _MAX_CODE_TABLES:
        raise _HeaderProblem("字段 code_tables 应为不超过 64 项的对象")
    tables = {}
    for key, version in tables_raw.items():
        if not _CODE_TABLE_RE.match(key):
            raise _HeaderProblem("code_tables 中有无效的代码表名称")
        tables[key] = _int(version, f"code_tables.{key}")
    last = obj["last_received"]
    last_ref = None
    if last is not None:
        last_obj = _obj(last, "last_received", {"bundle_id", "epoch", "seq"})
        last_ref = BundleRef(
            epoch=_int(last_obj["epoch"], "last_received.epoch", 1),
            seq=_int(last_obj["seq"], "last_received.seq", 1),
            bundle_id=_str(last_obj["bundle_id"], "last_received.bundle_id", _HEX64_RE),
        )
    payload_obj = _obj(obj["payload"], "payload", {"length", "sha256"})
    payload = PayloadRef(
        length=_int(payload_obj["length"], "payload.length", 1),
        sha256=_str(payload_obj["sha256"], "payload.sha256", _HEX64_RE),
    )
    return BundleHeader(
        kind=kind,
        bundle_uuid=_uuid_str(obj["bundle_uuid"], "bundle_uuid"),
        sender=sender,
        recipient=recipient,
        epoch=epoch,
        seq=seq,
        prev=prev,
        schema_version=_int(obj["schema_version"], "schema_version", 1),
        code_tables=tables,
        last_received=last_ref,
        created_at=_created_at(obj["created_at"]),
        payload=payload,
    )


def parse_header(data: bytes, limits: Limits = DEFAULT_LIMITS) -> BundleHeader:
    """Strict parse of header bytes: canonical JSON, exact field set, types and ranges."""
    if len(data) > limits.max_header:
        raise BundleFormatError("header_too_large", f"{len(data)} 字节，上限 {limits.max_header} 字节")
    try:
        doc = canonical.loads(data)
        return _header_from_dict(doc)
    except canonical.CanonicalJSONError as exc:
        raise BundleFormatError("bad_header", exc.reason) from None
    except _HeaderProblem as exc:
        raise BundleFormatError("bad_header", exc.detail) from None


def encode_header(header: BundleHeader) -> bytes:
    """Canonical bytes of a complete header; refuses a header the parser would refuse."""
    try:
        data = canonical.dumps(header.to_dict())
    except canonical.CanonicalJSONError as exc:
        raise InvalidInput(f"同步包头部无法编码：{exc.reason}。", field="header") from None
    try:
        parse_header(data)
    except BundleFormatError as exc:
        raise InvalidInput(f"同步包头部不合规：{exc.detail or exc.code}。", field="header") from None
    return data


# --------------------------------------------------------------------------- parse (step 2)

_SEAL = object()  # only this module constructs ParsedBundle and VerifiedBundle


@dataclass(frozen=True, eq=False)
class ParsedBundle:
    """A bundle whose layout and header passed the strict checks. Not yet authenticated."""

    format_version: int
    suite: int
    header: BundleHeader
    header_bytes: bytes
    bundle_id: str
    """SHA-256 (hex) of every byte before the signature-length field."""
    size: int
    _data: bytes = field(repr=False)
    _envelope_start: int = field(repr=False)
    _envelope_end: int = field(repr=False)
    _seal: object = field(repr=False, default=None)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("ParsedBundle is only created by parse_bundle()")

    @property
    def signed_bytes(self) -> memoryview:
        """The bytes the signature covers (after the context string): all before the envelope."""
        return memoryview(self._data)[: self._envelope_start]

    @property
    def envelope(self) -> memoryview:
        return memoryview(self._data)[self._envelope_start : self._envelope_end]

    @property
    def signature(self) -> bytes:
        return self._data[self._envelope_end + _U16.size :]

    @property
    def raw(self) -> bytes:
        """The whole file, exactly as parsed."""
        return self._data


def parse_bundle(data: bytes | bytearray | memoryview, limits: Limits = DEFAULT_LIMITS) -> ParsedBundle:
    """Step 2: bounds-checked fixed fields and strict header; the envelope is neither decrypted nor looked into.

    Every length is checked against the limits and against the bytes actually
    present before anything is sliced, so a hostile length field allocates nothing.
    Raises :class:`BundleFormatError` with codes ``truncated``, ``bad_magic``,
    ``unsupported_version``, ``unsupported_suite``, ``header_too_large``,
    ``bad_header``, ``too_large``, ``length_mismatch``,
    ``bad_signature_length``, ``trailing_data``.
    """
    if not isinstance(data, bytes):
        data = bytes(data)
    total = len(data)
    if total < len(MAGIC):
        raise BundleFormatError("truncated", f"文件只有 {total} 字节")
    if data[: len(MAGIC)] != MAGIC:
        raise BundleFormatError("bad_magic")
    if total < 10:
        raise BundleFormatError("truncated", f"文件只有 {total} 字节")
    (version,) = _U16.unpack_from(data, 8)
    if version != FORMAT_VERSION:
        raise BundleFormatError("unsupported_version", f"版本 {version}")
    if total < 12:
        raise BundleFormatError("truncated", f"文件只有 {total} 字节")
    (suite,) = _U16.unpack_from(data, 10)
    if suite not in SUPPORTED_SUITES:
        raise BundleFormatError("unsupported_suite", f"套件 {suite}")
    if total < _PREFIX.size:
        raise BundleFormatError("truncated", f"文件只有 {total} 字节")
    (header_length,) = _U32.unpack_from(data, 12)
    if header_length > limits.max_header:
        raise BundleFormatError("header_too_large", f"{header_length} 字节，上限 {limits.max_header} 字节")
    header_end = _PREFIX.size + header_length
    if total < header_end:
        raise BundleFormatError("truncated", "头部不完整")
    header_bytes = data[_PREFIX.size : header_end]
    header = parse_header(header_bytes, limits)
    if total < header_end + _U64.size:
        raise BundleFormatError("truncated", "缺少加密内容长度")
    (envelope_length,) = _U64.unpack_from(data, header_end)
    if envelope_length > limits.max_envelope:
        raise BundleFormatError("too_large", f"加密内容 {envelope_length} 字节，上限 {limits.max_envelope} 字节")
    assert header.payload is not None
    if envelope_length != header.payload.length:
        raise BundleFormatError("length_mismatch")
    envelope_start = header_end + _U64.size
    envelope_end = envelope_start + envelope_length
    if total < envelope_end:
        raise BundleFormatError("truncated", "加密内容不完整")
    if total < envelope_end + _U16.size:
        raise BundleFormatError("truncated", "缺少签名")
    (signature_length,) = _U16.unpack_from(data, envelope_end)
    if signature_length != SIGNATURE_LENGTH:
        raise BundleFormatError("bad_signature_length", f"{signature_length} 字节，应为 {SIGNATURE_LENGTH} 字节")
    end = envelope_end + _U16.size + signature_length
    if total < end:
        raise BundleFormatError("truncated", "签名不完整")
    if total > end:
        raise BundleFormatError("trailing_data", f"多出 {total - end} 字节")
    bundle_id = hashlib.sha256(memoryview(data)[:envelope_end]).hexdigest()
    return ParsedBundle(
        format_version=version,
        suite=suite,
        header=header,
        header_bytes=header_bytes,
        bundle_id=bundle_id,
        size=total,
        _data=data,
        _envelope_start=envelope_start,
        _envelope_end=envelope_end,
        _seal=_SEAL,
    )


# --------------------------------------------------------------------------- verify (steps 3-4)


@dataclass(frozen=True, eq=False)
class VerifiedBundle:
    """A parsed bundle whose signature and envelope hash are valid for the key of ``sender_unit``.

    Only :func:`verify_bundle` makes these.
    """

    parsed: ParsedBundle
    sender_unit: str
    sender_key_id: str
    _seal: object = field(repr=False, default=None)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("VerifiedBundle is only created by verify_bundle()")

    @property
    def header(self) -> BundleHeader:
        return self.parsed.header

    @property
    def bundle_id(self) -> str:
        return self.parsed.bundle_id


def check_sender(header: BundleHeader, sender_unit: str, sender_public_key: Ed25519PublicKey) -> None:
    """The header's ``from`` must name the unit the key is enrolled for and that key's id.

    Raises :class:`BundleAuthError` ``key_mismatch`` or ``sender_mismatch``.
    """
    key_id = signing_key_id(sender_public_key)
    if header.sender.key_id != key_id:
        raise BundleAuthError("key_mismatch", f"包中为 {header.sender.key_id}，登记的为 {key_id}")
    if header.sender.unit != sender_unit:
        raise BundleAuthError("sender_mismatch", f"包中声称 {header.sender.unit}，密钥登记属于 {sender_unit}")


def check_addressed_to(header: BundleHeader, own_unit: str, own_key_id: str | None = None) -> None:
    """The bundle must be addressed to ``own_unit`` (and key id, when given). Raises ``wrong_recipient``."""
    if header.recipient.unit != own_unit or (own_key_id is not None and header.recipient.key_id != own_key_id):
        raise BundleAuthError("wrong_recipient", f"接收单位为 {header.recipient.unit}")


def verify_bundle(parsed: ParsedBundle, sender_public_key: Ed25519PublicKey, *, sender_unit: str) -> VerifiedBundle:
    """Step 4: the sender's key (looked up by the caller in step 3) signed this bundle, and the envelope is intact.

    ``sender_unit`` is the unit that key is enrolled for; it is required so an
    enrolled township cannot pass its bundle off as another's.
    Raises :class:`BundleAuthError`: ``key_mismatch``, ``sender_mismatch``,
    ``bad_signature``, ``hash_mismatch``; ``unsupported_suite`` for a suite this
    verifier cannot check.
    """
    if parsed.suite != SUITE_AGE_ED25519:  # pragma: no cover - parse refuses other suites today
        raise BundleAuthError("unsupported_suite", f"套件 {parsed.suite}")
    if not isinstance(sender_public_key, Ed25519PublicKey):
        raise TypeError("sender_public_key must be an Ed25519PublicKey")
    check_sender(parsed.header, sender_unit, sender_public_key)
    try:
        sender_public_key.verify(parsed.signature, SIGNATURE_CONTEXT + bytes(parsed.signed_bytes))
    except InvalidSignature:
        raise BundleAuthError("bad_signature") from None
    assert parsed.header.payload is not None
    digest = hashlib.sha256(parsed.envelope).hexdigest()
    if digest != parsed.header.payload.sha256:
        raise BundleAuthError("hash_mismatch")
    return VerifiedBundle(parsed=parsed, sender_unit=sender_unit, sender_key_id=parsed.header.sender.key_id, _seal=_SEAL)


# --------------------------------------------------------------------------- inner layout

MANIFEST_FIELDS = frozenset({"attachments", "bundle_uuid", "epoch", "from", "kind", "records", "seq", "to"})
_RECORDS_FIELDS = frozenset({"compression", "count", "encoding", "length", "sha256"})
_ATTACHMENTS_FIELDS = frozenset({"count", "length"})


def _manifest_header_part(header: BundleHeader) -> dict[str, Any]:
    return {
        "bundle_uuid": header.bundle_uuid,
        "epoch": header.epoch,
        "from": {"key_id": header.sender.key_id, "unit": header.sender.unit},
        "kind": header.kind,
        "seq": header.seq,
        "to": {"key_id": header.recipient.key_id, "unit": header.recipient.unit},
    }


def encode_records(records: Sequence[Mapping[str, Any]], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Deterministic text of the records: one canonical JSON object per line, each ending in ``\\n``."""
    if len(records) > limits.max_record_count:
        raise InvalidInput(f"一个同步包最多 {limits.max_record_count} 条记录，请分批导出。", field="records")
    lines = []
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise InvalidInput(f"第 {index + 1} 条记录不是对象。", field="records")
        try:
            line = canonical.dumps(dict(record))
        except canonical.CanonicalJSONError as exc:
            raise InvalidInput(f"第 {index + 1} 条记录无法编码：{exc.reason}。", field="records") from None
        if len(line) > limits.max_record_size:
            raise InvalidInput(f"第 {index + 1} 条记录过大。", field="records")
        lines.append(line)
        lines.append(b"\n")
    text = b"".join(lines)
    if len(text) > limits.max_records_size:
        raise InvalidInput("记录总量超过单个同步包的上限，请分批导出。", field="records")
    return text


def encode_inner(
    header: BundleHeader,
    records: Sequence[Mapping[str, Any]],
    attachments: Mapping[str, bytes],
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """The age plaintext for ``header`` (its payload field is not used)."""
    text = encode_records(records, limits)
    compressed = zlib.compress(text, 6)
    if len(attachments) > limits.max_attachments:
        raise InvalidInput(f"一个同步包最多 {limits.max_attachments} 个附件，请分批导出。", field="attachments")
    entries = []
    for name, content in attachments.items():
        if not isinstance(content, (bytes, bytearray)):
            raise InvalidInput("附件内容必须是字节。", field="attachments")
        if not isinstance(name, str) or not _HEX64_RE.match(name) or hashlib.sha256(content).hexdigest() != name:
            raise InvalidInput("附件必须以其内容的 SHA-256（小写十六进制）为名。", field="attachments")
        entries.append((bytes.fromhex(name), bytes(content)))
    entries.sort()
    manifest = {
        **_manifest_header_part(header),
        "attachments": {"count": len(entries), "length": sum(len(c) for _, c in entries)},
        "records": {
            "compression": "zlib",
            "count": len(records),
            "encoding": "jsonl",
            "length": len(text),
            "sha256": hashlib.sha256(text).hexdigest(),
        },
    }
    manifest_bytes = canonical.dumps(manifest)
    if len(manifest_bytes) > limits.max_manifest:  # pragma: no cover - manifest is small by construction
        raise InvalidInput("同步包内部清单过大。", field="header")
    parts = [INNER_MAGIC, _U32.pack(len(manifest_bytes)), manifest_bytes, _U64.pack(len(compressed)), compressed]
    parts.append(_U32.pack(len(entries)))
    for digest, content in entries:
        parts += [digest, _U64.pack(len(content)), content]
    return b"".join(parts)


def _recipients(recipients: Sequence[str]) -> list[x25519.Recipient]:
    if isinstance(recipients, str) or not 1 <= len(recipients) <= _MAX_RECIPIENTS:
        raise InvalidInput(f"同步包需要 1 到 {_MAX_RECIPIENTS} 个加密接收方（市局，以及可选的托管密钥）。", field="recipients")
    parsed = []
    for text in recipients:
        try:
            parsed.append(x25519.Recipient.from_str(text))
        except (pyrage.RecipientError, TypeError, ValueError):
            raise InvalidInput("加密接收方公钥格式不正确，应为 age1 开头的公钥。", field="recipients") from None
    return parsed


def assemble_bundle(header: BundleHeader, envelope: bytes, signer: Signer) -> bytes:
    """Frame and sign an already encrypted envelope under ``header`` (payload filled in here).

    Low level: :func:`build_bundle` is what exports use. Exposed for tests of
    hostile senders (re-signing someone else's envelope).
    """
    if signing_key_id(signer.public_key()) != header.sender.key_id:
        raise InvalidInput("签名密钥与头部 from.key_id 不一致。", field="signer")
    complete = replace(header, payload=PayloadRef(length=len(envelope), sha256=hashlib.sha256(envelope).hexdigest()))
    header_bytes = encode_header(complete)
    signed = _PREFIX.pack(MAGIC, FORMAT_VERSION, SUITE_AGE_ED25519, len(header_bytes)) + header_bytes + _U64.pack(len(envelope))
    signature = signer.sign(SIGNATURE_CONTEXT + signed)
    return b"".join([signed, envelope, _U16.pack(len(signature)), signature])


def build_bundle(
    header: BundleHeader,
    records: Sequence[Mapping[str, Any]],
    attachments: Mapping[str, bytes],
    signer: Signer,
    recipients: Sequence[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """The complete bundle file for ``header`` (whose ``payload`` is computed here).

    ``records``: JSON-able dicts (no floats; see :mod:`xinfang_desktop.sync.canonical`).
    ``attachments``: ``{sha256 hex of content: content}``.
    ``signer``: the sender's Ed25519 key (an ``Ed25519PrivateKey`` or any :class:`~xinfang_desktop.sync.keys.Signer`,
    e.g. a hardware token); its key id must equal ``header.sender.key_id``.
    ``recipients``: ``age1…`` strings, the receiving unit's first, then an optional escrow.
    Raises :class:`InvalidInput` for anything the parser would refuse.
    """
    if signing_key_id(signer.public_key()) != header.sender.key_id:
        raise InvalidInput("签名密钥与头部 from.key_id 不一致。", field="signer")
    # Validate the header fields before doing the expensive work.
    encode_header(replace(header, payload=PayloadRef(length=1, sha256="0" * 64)))
    age_recipients = _recipients(recipients)
    plaintext = encode_inner(header, records, attachments, limits)
    if len(plaintext) > limits.max_plaintext:
        raise InvalidInput("同步包内容超过上限，请分批导出。", field="records")
    envelope = pyrage.encrypt(plaintext, age_recipients)
    if len(envelope) > limits.max_envelope:  # pragma: no cover - follows from max_plaintext in practice
        raise InvalidInput("同步包内容超过上限，请分批导出。", field="records")
    return assemble_bundle(header, envelope, signer)


# --------------------------------------------------------------------------- open (step 6)


@dataclass(frozen=True)
class BundleContents:
    """What a verified bundle carries. Records are plain dicts; attachments are keyed by SHA-256 hex."""

    header: BundleHeader
    bundle_id: str
    sender_unit: str
    records: list[dict[str, Any]]
    attachments: Mapping[str, bytes]
    manifest: Mapping[str, Any]


class _Cursor:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, size: int, what: str) -> bytes:
        if size > len(self.data) - self.pos:
            raise BundleContentError("bad_inner", f"{what}不完整")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u32(self, what: str) -> int:
        return _U32.unpack(self.take(4, what))[0]

    def u64(self, what: str) -> int:
        return _U64.unpack(self.take(8, what))[0]


def _manifest(data: bytes, header: BundleHeader, limits: Limits) -> dict[str, Any]:
    try:
        doc = canonical.loads(data)
        obj = _obj(doc, "内部清单", MANIFEST_FIELDS)
        records = _obj(obj["records"], "records", _RECORDS_FIELDS)
        attachments = _obj(obj["attachments"], "attachments", _ATTACHMENTS_FIELDS)
        if records["compression"] != "zlib" or records["encoding"] != "jsonl":
            raise _HeaderProblem("不支持的记录编码")
        _int(records["count"], "records.count")
        _int(records["length"], "records.length")
        _str(records["sha256"], "records.sha256", _HEX64_RE)
        _int(attachments["count"], "attachments.count")
        _int(attachments["length"], "attachments.length")
    except canonical.CanonicalJSONError as exc:
        raise BundleContentError("bad_inner", f"内部清单：{exc.reason}") from None
    except _HeaderProblem as exc:
        raise BundleContentError("bad_inner", exc.detail) from None
    expected = _manifest_header_part(header)
    for name in sorted(expected):
        if obj[name] != expected[name] or type(obj[name]) is not type(expected[name]):
            raise BundleContentError("manifest_mismatch", f"字段 {name} 不同")
    return obj


def _decompress_records(compressed: bytes, declared: int, limits: Limits) -> bytes:
    if declared > limits.max_records_size:
        raise BundleContentError("bomb", f"声明解压后 {declared} 字节，上限 {limits.max_records_size} 字节")
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, declared + 1)
    except zlib.error:
        raise BundleContentError("bad_records", "压缩数据损坏") from None
    if len(text) > declared or inflater.unconsumed_tail:
        raise BundleContentError("bomb", f"解压后超过声明的 {declared} 字节")
    if not inflater.eof:
        raise BundleContentError("bad_records", "压缩数据不完整")
    if inflater.unused_data:
        raise BundleContentError("bad_inner", "压缩数据之后有多余内容")
    if len(text) != declared:
        raise BundleContentError("bad_records", "解压后的长度与清单不符")
    return text


def _parse_records(text: bytes, manifest: Mapping[str, Any], limits: Limits) -> list[dict[str, Any]]:
    info = manifest["records"]
    if hashlib.sha256(text).hexdigest() != info["sha256"]:
        raise BundleContentError("bad_records", "记录校验值与清单不符")
    count = info["count"]
    if count > limits.max_record_count:
        raise BundleContentError("too_large", f"{count} 条记录，上限 {limits.max_record_count} 条")
    if text and not text.endswith(b"\n"):
        raise BundleContentError("bad_records", "最后一条记录没有换行结束")
    lines = text.split(b"\n")[:-1] if text else []
    if len(lines) != count:
        raise BundleContentError("bad_records", f"记录条数为 {len(lines)}，清单为 {count}")
    records = []
    for index, line in enumerate(lines):
        if len(line) > limits.max_record_size:
            raise BundleContentError("bad_records", f"第 {index + 1} 条记录过大")
        try:
            value = canonical.loads(line)
        except canonical.CanonicalJSONError as exc:
            raise BundleContentError("bad_records", f"第 {index + 1} 条：{exc.reason}") from None
        if not isinstance(value, dict):
            raise BundleContentError("bad_records", f"第 {index + 1} 条不是对象")
        records.append(value)
    return records


def _parse_attachments(cursor: _Cursor, manifest: Mapping[str, Any], limits: Limits) -> dict[str, bytes]:
    info = manifest["attachments"]
    count = cursor.u32("附件数量")
    if count > limits.max_attachments:
        raise BundleContentError("too_large", f"{count} 个附件，上限 {limits.max_attachments} 个")
    if count != info["count"]:
        raise BundleContentError("bad_attachment", "附件数量与清单不符")
    result: dict[str, bytes] = {}
    previous = b""
    total = 0
    for _ in range(count):
        digest = cursor.take(32, "附件")
        length = cursor.u64("附件长度")
        content = cursor.take(length, "附件内容")
        if digest <= previous:
            raise BundleContentError("bad_attachment", "附件未按校验值升序排列或有重复")
        if hashlib.sha256(content).digest() != digest:
            raise BundleContentError("bad_attachment", f"附件 {digest.hex()[:16]}… 的内容与校验值不符")
        previous = digest
        total += length
        result[digest.hex()] = content
    if total != info["length"]:
        raise BundleContentError("bad_attachment", "附件总长度与清单不符")
    return result


def _identities(identity: Any) -> list[x25519.Identity]:
    if isinstance(identity, x25519.Identity):
        return [identity]
    items = list(identity)
    if not items or not all(isinstance(item, x25519.Identity) for item in items):
        raise TypeError("identity must be an x25519.Identity or a non-empty sequence of them")
    return items


def decrypt_envelope(verified: VerifiedBundle, identity: Any, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The age plaintext of a verified bundle (``decrypt_failed`` / ``too_large`` on failure)."""
    identities = _identities(identity)
    envelope = bytes(verified.parsed.envelope)
    if not envelope.startswith(AGE_MAGIC):
        raise BundleContentError("decrypt_failed", "加密内容不是 age 格式")
    try:
        plaintext = pyrage.decrypt(envelope, identities)
    except pyrage.DecryptError as exc:
        text = str(exc)
        if "No matching keys" in text:
            detail = "本机的解密密钥不是该包的接收密钥"
        else:
            detail = "加密内容无法解开"
        raise BundleContentError("decrypt_failed", detail) from None
    # age plaintext is never longer than its ciphertext, so max_envelope already bounds this allocation.
    if len(plaintext) > limits.max_plaintext:
        raise BundleContentError("too_large", f"解密后 {len(plaintext)} 字节，上限 {limits.max_plaintext} 字节")
    return plaintext


def open_bundle(
    verified: VerifiedBundle,
    identity: x25519.Identity | Sequence[x25519.Identity],
    limits: Limits = DEFAULT_LIMITS,
) -> BundleContents:
    """Step 6: decrypt in memory, check the inner manifest against the header, parse records and attachments.

    ``identity`` may be a list (current key, old keys after a rotation, escrow).
    Raises :class:`BundleContentError`: ``decrypt_failed``, ``too_large``,
    ``bad_inner``, ``manifest_mismatch``, ``bomb``, ``bad_records``,
    ``bad_attachment``. Ownership of records and business rules are the
    caller's (they need the database schema).
    """
    if not isinstance(verified, VerifiedBundle):
        raise TypeError("open_bundle() takes the result of verify_bundle()")
    plaintext = decrypt_envelope(verified, identity, limits)
    header = verified.header
    cursor = _Cursor(plaintext)
    if cursor.take(len(INNER_MAGIC), "内部标识") != INNER_MAGIC:
        raise BundleContentError("bad_inner", "内部标识不符")
    manifest_length = cursor.u32("内部清单长度")
    if manifest_length > limits.max_manifest:
        raise BundleContentError("bad_inner", "内部清单过大")
    manifest = _manifest(cursor.take(manifest_length, "内部清单"), header, limits)
    compressed_length = cursor.u64("记录长度")
    compressed = cursor.take(compressed_length, "记录")
    text = _decompress_records(compressed, manifest["records"]["length"], limits)
    records = _parse_records(text, manifest, limits)
    attachments = _parse_attachments(cursor, manifest, limits)
    if cursor.pos != len(plaintext):
        raise BundleContentError("bad_inner", "内部数据末尾有多余内容")
    return BundleContents(
        header=header,
        bundle_id=verified.bundle_id,
        sender_unit=verified.sender_unit,
        records=records,
        attachments=MappingProxyType(attachments),
        manifest=MappingProxyType(manifest),
    )


__all__ = [
    "BUNDLE_EXTENSION",
    "BundleContents",
    "BundleError",
    "BundleHeader",
    "BundleRef",
    "GENESIS",
    "KINDS",
    "Limits",
    "Party",
    "ParsedBundle",
    "PayloadRef",
    "VerifiedBundle",
    "assemble_bundle",
    "build_bundle",
    "bundle_file_name",
    "check_addressed_to",
    "check_sender",
    "decrypt_envelope",
    "encode_header",
    "encode_inner",
    "new_header",
    "open_bundle",
    "parse_bundle",
    "parse_header",
    "verify_bundle",
]

"""This unit's keys and identity, the enrolment of another unit, and key rotation (SYNC.md "Keys").

Owns the key files in the data folder, the ``KeyRing`` of unlocked keys, enrolment from a peer's file
and the paper fingerprint, and rotation (new keys; a rotation bundle to every peer). Does not own what
is done with an enrolled peer afterwards (revoke, freeze, epochs: registry.py) nor the bundles' format.
Key set-up, enrolment and rotation need MANAGE_SETTINGS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyrage import x25519

from ...domain.errors import InvalidInput, NotAllowed
from ...file_replace import replace_file
from ...store.models import Unit
from ...store.models_sync import SyncPeer
from ...sync.keys import (
    FileKeyStore,
    KeyStoreError,
    PublicIdentity,
    UnlockedKeys,
    export_public,
    generate_keys,
    make_rotation_record,
    raw_public_bytes,
    read_enrolment,
)
from .. import key_history
from ..audit import audit
from ..permissions import Actor, Permission, require
from . import outbox_bundles
from .epochs import Epochs
from .part import SyncPart

CITY_CODE = "350881000000"
KEY_FILE = "unit-keys.json"


@dataclass(frozen=True)
class KeyRing:
    """Unlocked keys: the current ones and those replaced by rotations (to read bundles still in flight)."""

    current: UnlockedKeys
    previous: tuple[UnlockedKeys, ...] = ()

    def identities(self) -> list[x25519.Identity]:
        return [k.encryption_identity for k in (self.current, *self.previous) if k.encryption_identity is not None]


def unit_key_ids(ring: KeyRing) -> Sequence[str]:
    return [ring.current.key_id, *(k.key_id for k in ring.previous)]


class Identity(SyncPart):
    @property
    def keys_dir(self) -> Path:
        return Path(self.services.data_dir) / "keys"

    @property
    def key_path(self) -> Path:
        return self.keys_dir / KEY_FILE

    def has_keys(self) -> bool:
        return self.key_path.exists()

    def public_identity(self) -> PublicIdentity:
        return FileKeyStore(self.key_path).public()

    def init_keys(self, actor: Actor, passphrase: str) -> PublicIdentity:
        """Generate this unit's keys (a township gets an encryption key too, for the city's bundles)."""
        require(actor, Permission.MANAGE_SETTINGS)
        unit = self.own_unit()
        if self.has_keys():
            raise NotAllowed("本单位已有同步密钥。如需更换，请使用“更换密钥”（xinfang keys rotate）。")
        keys = generate_keys(unit.code, unit.name, unit.kind, encryption=True, created=self.services.clock.today())
        FileKeyStore.create(self.key_path, keys, passphrase, scrypt_log_n=self.services.scrypt_log_n)
        with self.db.atomic():
            key_history.record_key(unit.code, raw_public_bytes(keys.signing_key.public_key()).hex(),
                                   at=self.services.clock.now(), source="own")
            audit(actor, "sync.keys_init", unit.code, {"fingerprint": keys.public().signing_fingerprint},
                  at=self.services.clock.now())
        return keys.public()

    def unlock(self, passphrase: str) -> KeyRing:
        current = FileKeyStore(self.key_path).unlock(passphrase)
        previous = []
        for path in sorted(self.keys_dir.glob("previous-*.json"), reverse=True):
            try:
                previous.append(FileKeyStore(path).unlock(passphrase))
            except KeyStoreError:
                continue   # an old key under another passphrase: skipped, not fatal
        return KeyRing(current, tuple(previous))

    def export_public(self, ring: KeyRing) -> bytes:
        return export_public(ring.current)

    def enrol(self, actor: Actor, data: bytes, fingerprint: str) -> SyncPeer:
        """Enrol another unit after the fingerprint read off its paper form matched its file."""
        require(actor, Permission.MANAGE_SETTINGS)
        identity = read_enrolment(data, fingerprint)
        own = self.own_unit()
        if identity.unit_code == own.code:
            raise InvalidInput("这是本单位自己的登记文件，请选择对方单位的登记文件。", field="file")
        if own.kind == identity.role:
            raise InvalidInput("乡镇只能登记市局，市局只能登记乡镇。请确认登记文件来自哪个单位。", field="file")
        now = self.services.clock.now()
        with self.db.atomic():
            peer = SyncPeer.get_or_none(SyncPeer.unit_code == identity.unit_code)
            key_hex = raw_public_bytes(identity.signing_public_key).hex()
            if peer is not None and not peer.revoked and peer.signing_public_key != key_hex:
                raise NotAllowed(f"{peer.unit_name}已登记了另一把密钥。如确需更换，请先吊销原登记，或导入对方的密钥轮换包。")
            if peer is None:
                peer = SyncPeer(unit_code=identity.unit_code)
            peer.unit_name = identity.unit_name
            peer.role = identity.role
            peer.signing_public_key = key_hex
            peer.fingerprint = identity.signing_fingerprint
            peer.key_id = identity.key_id
            peer.encryption_recipient = identity.encryption_recipient
            peer.enrolled_at = now
            peer.enrolled_by = actor.name
            peer.revoked = False
            peer.save(force_insert=SyncPeer.get_or_none(SyncPeer.unit_code == identity.unit_code) is None)
            Unit.get_or_create(code=identity.unit_code, defaults={"name": identity.unit_name, "kind": identity.role})
            key_history.record_key(identity.unit_code, key_hex, at=now, source="enrolled")
            audit(actor, "sync.enrol", identity.unit_code, {"fingerprint": identity.signing_fingerprint}, at=now)
        return peer

    def rotate(self, actor: Actor, ring: KeyRing, passphrase: str) -> PublicIdentity:
        """New keys; a key-rotation bundle signed by the old key goes to every peer; the old key is kept to read
        bundles already on their way."""
        require(actor, Permission.MANAGE_SETTINGS)
        old = ring.current
        new = generate_keys(old.unit_code, old.unit_name, old.role, encryption=True,
                            created=self.services.clock.today())
        record = make_rotation_record(old, new, created=self.services.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"))
        staged = self.keys_dir / f"new-{new.key_id}.json"
        # The replaced keys stay readable (bundles already on their way) under the new passphrase, which
        # unlock() tries on every previous key: under the old one they would be skipped.
        kept = [(self.keys_dir / f"previous-{k.key_id}.json.new", self.keys_dir / f"previous-{k.key_id}.json", k)
                for k in (old, *ring.previous)]
        written: list[Path] = []
        now = self.services.clock.now()
        try:
            for fresh, _, k in kept:
                fresh.unlink(missing_ok=True)
                FileKeyStore.create(fresh, k, passphrase, scrypt_log_n=self.services.scrypt_log_n)
                written.append(fresh)
            FileKeyStore.create(staged, new, passphrase, scrypt_log_n=self.services.scrypt_log_n)
            written.append(staged)
            with self.db.atomic():
                epoch = self.services.get(Epochs).epoch()
                for peer in SyncPeer.select().where(SyncPeer.revoked == False):  # noqa: E712
                    last = outbox_bundles.last_outbox(peer.unit_code, epoch)
                    outbox_bundles.write_bundles(self.db, keys=old, peer=peer, epoch=epoch, records=[record],
                                                 through=last.through_change if last else 0,
                                                 now=now, kind="key-rotation")
                key_history.rotated(old.unit_code, raw_public_bytes(old.signing_key.public_key()).hex(),
                                    raw_public_bytes(new.signing_key.public_key()).hex(), at=now, source="own")
                audit(actor, "sync.rotate", old.unit_code, {"old": old.key_id, "new": new.key_id}, at=now)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        for fresh, target, _ in kept:
            replace_file(fresh, target)
        replace_file(staged, self.key_path)
        return new.public()

"""Run an import in a child process with keys given in clear (test only: skips the key store's slow scrypt).

Usage: python import_runner.py DATA_DIR KEYS_JSON FILE...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519

from xinfang_desktop.services.access import unlock
from xinfang_desktop.services.sync import KeyRing, SyncService
from xinfang_desktop.sync.keys import UnlockedKeys


def main(argv: list[str]) -> int:
    data_dir, keys_file, *files = argv
    k = json.loads(Path(keys_file).read_text(encoding="utf-8"))
    keys = UnlockedKeys(unit_code=k["unit_code"], unit_name=k["unit_name"], role=k["role"],
                        signing_key=Ed25519PrivateKey.from_private_bytes(bytes.fromhex(k["seed"])),
                        encryption_identity=x25519.Identity.from_str(k["identity"]), created=k["created"])
    opened = unlock(Path(data_dir), "admin", "admin-pass-1")
    svc = opened.services
    results = svc.get(SyncService).import_files(opened.actor, KeyRing(keys), [Path(f) for f in files])
    for r in results:
        for x in [r, *r.also_applied]:
            print(f"{x.source}\t{x.outcome}\t{x.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Failed logins by the name typed, known or not, kept beside the keyring (outside the encrypted database:
a wrong password opens nothing, yet it must be counted). The window and every command share it, so five
wrong passwords lock a name wherever they were typed, and an unknown name is counted like a known one."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock

from ..file_replace import replace_file

ATTEMPTS_FILE = "login-attempts.json"


@dataclass(frozen=True)
class Attempts:
    failures: int
    locked_until: datetime | None


class LoginAttempts:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / ATTEMPTS_FILE
        self._lock = FileLock(str(self.path) + ".lock", timeout=10, mode=0o600)

    def _read(self) -> dict:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            return doc if isinstance(doc, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write(self, doc: dict) -> None:
        part = self.path.with_name(self.path.name + ".part")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        try:
            os.write(fd, json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        replace_file(part, self.path)

    def get(self, name: str) -> Attempts:
        item = self._read().get(name) or {}
        until = item.get("locked_until")
        return Attempts(int(item.get("failures", 0)), datetime.fromisoformat(until) if until else None)

    def failed(self, name: str, *, limit: int, lock_until: datetime) -> Attempts:
        """Count one more failure; at ``limit`` the name is locked until ``lock_until`` and the count starts over."""
        with self._lock:
            doc = self._read()
            failures = int((doc.get(name) or {}).get("failures", 0)) + 1
            locked = None
            if failures >= limit:
                failures, locked = 0, lock_until
            doc[name] = {"failures": failures, "locked_until": locked.isoformat() if locked else None}
            self._write(doc)
        return Attempts(failures, locked)

    def succeeded(self, name: str) -> None:
        if name not in self._read():
            return                 # nothing to clear: no lock, no write (a read-only folder still opens)
        with self._lock:
            doc = self._read()
            if doc.pop(name, None) is not None:
                self._write(doc)

    def unlock(self, name: str) -> None:
        """An administrator lifts a lock."""
        self.succeeded(name)

"""What every part of the sync service shares: the Services object, this unit, its attachment store.

Owns nothing of its own. The parts reach each other through ``services.get(Part)`` (each is built once
per Services object), so no part holds another and none imports the facade (service.py).
"""

from __future__ import annotations

from pathlib import Path

from ...store.files import FileStore
from ...store.models import Unit


class SyncPart:
    def __init__(self, services):
        self.services = services

    @property
    def db(self):
        return self.services.db

    def own_unit(self) -> Unit:
        return self.services.auth.unit()

    def is_city(self) -> bool:
        return self.own_unit().kind == "city"

    def attachment_store(self) -> FileStore:
        return FileStore(Path(self.services.data_dir) / "attachments", self.services.data_key)

"""A user's own preferences for the window (its size and place, the text size): one `Setting` row per
user, `user.<id>.window`. They are the person's, not the office's: no permission beyond being logged
in, no audit entry, and they never travel in a sync bundle (settings are not journaled)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from ..store import setting_keys
from ..store.models import Setting
from .permissions import Actor

ZOOM_MIN, ZOOM_MAX = 0.8, 2.0


@dataclass(frozen=True)
class WindowPrefs:
    geometry: bytes = b""      # Qt's saveGeometry(): opaque, restored by restoreGeometry()
    zoom: float = 1.0          # the text size as a factor of the normal one (Ctrl + / Ctrl −)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zoom", min(ZOOM_MAX, max(ZOOM_MIN, float(self.zoom))))


def _key(actor: Actor) -> str:
    return setting_keys.user_window(actor.id)


class PreferencesService:
    def __init__(self, services):
        self.services = services

    def window(self, actor: Actor) -> WindowPrefs:
        """The window as this user left it; the defaults when never saved or unreadable (a preference
        is never a reason not to open the window)."""
        row = Setting.get_or_none(Setting.key == _key(actor))
        value = row.value if row is not None and isinstance(row.value, dict) else {}
        try:
            geometry = base64.b64decode(value.get("geometry", ""), validate=True)
            return WindowPrefs(geometry=geometry, zoom=float(value.get("zoom", 1.0)))
        except (binascii.Error, TypeError, ValueError):
            return WindowPrefs()

    def save_window(self, actor: Actor, prefs: WindowPrefs) -> None:
        value = {"geometry": base64.b64encode(prefs.geometry).decode("ascii"), "zoom": prefs.zoom}
        with self.services.db.atomic():
            Setting.replace(key=_key(actor), value=value).execute()

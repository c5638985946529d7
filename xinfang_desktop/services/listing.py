"""What the case list's filter bar offers besides the fixed tables: the units and people that own cases."""

from __future__ import annotations

from ..store.models import Case
from .permissions import Actor, Permission, require


class ListingService:
    def __init__(self, services):
        self.services = services

    def owners(self, actor: Actor) -> list[str]:
        """Every distinct owner (承办单位或承办人) of a case, sorted; read from the owner_name index."""
        require(actor, Permission.VIEW)
        q = (Case.select(Case.owner_name).where(Case.owner_name.is_null(False))
             .distinct().order_by(Case.owner_name))
        return [name for (name,) in q.tuples() if name]

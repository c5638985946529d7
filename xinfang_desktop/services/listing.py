"""What the case list's filter bar and the 转办 dialog offer besides the fixed tables: the units and people
that own cases, and the units matters were routed to."""

from __future__ import annotations

from peewee import fn

from ..store.models import Case, CaseEvent
from .permissions import Actor, Permission, require


class ListingService:
    def __init__(self, services):
        self.services = services

    def route_units(self, actor: Actor, limit: int = 60) -> list[str]:
        """The units this office has routed matters to (转送, 交办, 直接办理), most used first: the pick list
        of 接收单位. Read from the 转办 events, so a unit used once is offered again."""
        require(actor, Permission.VIEW)
        unit = fn.json_extract(CaseEvent.data, "$.unit")
        q = (CaseEvent.select(unit.alias("unit"), fn.COUNT(CaseEvent.id).alias("n"))
             .where((CaseEvent.kind == "routed") & unit.is_null(False))
             .group_by(unit).order_by(fn.COUNT(CaseEvent.id).desc(), unit).limit(limit))
        return [u for (u, _n) in q.tuples() if isinstance(u, str) and u.strip()]

    def owners(self, actor: Actor) -> list[str]:
        """Every distinct owner (承办单位或承办人) of a case, sorted; read from the owner_name index."""
        require(actor, Permission.VIEW)
        q = (Case.select(Case.owner_name).where(Case.owner_name.is_null(False))
             .distinct().order_by(Case.owner_name))
        return [name for (name,) in q.tuples() if name]

"""What a page receives: the services, the task runner and the logged-in user. Never a global."""

from __future__ import annotations

from dataclasses import dataclass

from ..services.context import Services
from ..services.permissions import Actor
from .tasks import TaskRunner


@dataclass
class AppContext:
    services: Services
    tasks: TaskRunner
    actor: Actor

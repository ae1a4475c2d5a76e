"""`guanxi demo`: each app adds a loader; they run in the order of INSTALLED_APPS and share a context
(the users, teams and records made before them)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    rng: random.Random
    admin: Any
    users: list[Any] = field(default_factory=list)
    teams: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    scale: int = 1

    def owner(self) -> Any:
        return self.rng.choice(self.users)

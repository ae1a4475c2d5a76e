"""Base test classes every model's tests build on: pages, API, and the permission matrix."""

from .factories import make_role, make_team, make_user
from .records import RecordTestSuite

__all__ = ["RecordTestSuite", "make_role", "make_team", "make_user"]

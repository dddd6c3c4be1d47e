"""Writes of the competitors app: atomic, keyword-only, `actor=`, audited (README.md)."""

from .brands import competitor_account_add, competitor_add, competitor_pick, competitor_remove
from .pulls import rival_pull, rivals_plan

__all__ = [
    "competitor_account_add",
    "competitor_add",
    "competitor_pick",
    "competitor_remove",
    "rival_pull",
    "rivals_plan",
]

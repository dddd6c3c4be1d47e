"""Writes of the competitors app: atomic, keyword-only, `actor=`, audited (README.md)."""

from .alerts import alert_settings_update, rival_alerts_evaluate
from .brands import competitor_account_add, competitor_add, competitor_pick, competitor_remove
from .pulls import rival_pull, rivals_plan

__all__ = [
    "alert_settings_update",
    "rival_alerts_evaluate",
    "competitor_account_add",
    "competitor_add",
    "competitor_pick",
    "competitor_remove",
    "rival_pull",
    "rivals_plan",
]

"""Budgets' writes, re-exported: every caller (API, pages, demo, tests) uses these."""

from .alerts import budget_alerts_check, budgets_alerts_recheck
from .budgets import (
    budget_create,
    budget_delete,
    budget_line_create,
    budget_line_delete,
    budget_line_update,
    budget_update,
)
from .rates import exchange_rate_delete, exchange_rate_set, exchange_rates_import
from .spend import spend_entry_create, spend_entry_decide, spend_entry_delete, spend_entry_update

__all__ = [
    "budget_alerts_check",
    "budgets_alerts_recheck",
    "budget_create",
    "budget_delete",
    "budget_line_create",
    "budget_line_delete",
    "budget_line_update",
    "budget_update",
    "exchange_rate_delete",
    "exchange_rate_set",
    "exchange_rates_import",
    "spend_entry_create",
    "spend_entry_decide",
    "spend_entry_delete",
    "spend_entry_update",
]

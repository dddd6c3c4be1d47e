"""Budget notices (a threshold reached, a projected overrun, spend to approve, a decision on your spend):
approvals.notices.notify with a link to the budget."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from approvals import notices
from approvals.models import Notification


def budget_path(budget) -> str:
    return reverse("budgets:detail", args=[budget.workspace_id, budget.pk])


def notify(recipients: Iterable, *, kind: str, budget, message) -> list[Notification]:
    """Tell each recipient about `kind` on `budget`; `message` returns the text in the active language."""
    return notices.notify(
        recipients, kind=kind, workspace_id=budget.workspace_id, message=message, link=budget_path(budget)
    )

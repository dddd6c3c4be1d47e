"""Thin tasks: the service does the work."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="budgets.alerts_recheck", ignore_result=True)
def alerts_recheck() -> int:
    """Daily: every running budget's thresholds and run rate again, on its workspace's day (spend dated
    in the future counts from its day)."""
    from .services.alerts import budgets_alerts_recheck

    return budgets_alerts_recheck()

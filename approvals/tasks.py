"""Celery tasks for approvals: thin, by name; the work is in approvals.services."""

from celery import shared_task

from . import services


@shared_task(name="approvals.sla_sweep")
def sla_sweep() -> dict:
    """Every few minutes (beat): reminders and escalations for overdue review stages, once each."""
    return services.sla_sweep()

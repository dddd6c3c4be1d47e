"""The audit log: every mutation made through a service calls `audit_record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from .context import current_request_context
from .models import AuditEvent


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe picture of some fields, for before/after."""
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        data[name] = value
    return data


def audit_event(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    workspace=None,
    organization=None,
    before: dict | None = None,
    after: dict | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """The audit row `audit_record` writes, not saved yet: for services that move many rows at once and
    write one audit row per row with a single `AuditEvent.objects.bulk_create`."""
    context = current_request_context()
    if organization is None and workspace is not None:
        organization_id = workspace.organization_id
    else:
        organization_id = organization.pk if organization is not None else None
    label = actor_label or (getattr(actor, "email", "") if actor is not None else "system")
    return AuditEvent(
        organization_id=organization_id,
        workspace=workspace,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=label,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        ip_address=context.ip,
        user_agent=context.user_agent,
    )


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    workspace=None,
    organization=None,
    before: dict | None = None,
    after: dict | None = None,
    actor_label: str = "",
) -> AuditEvent:
    event = audit_event(
        actor=actor,
        action=action,
        target=target,
        workspace=workspace,
        organization=organization,
        before=before,
        after=after,
        actor_label=actor_label,
    )
    event.save(force_insert=True)
    return event

"""The workspace's inbox settings (business hours, first-response target): atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.errors import ValidationFailed

from ..models import InboxSettings

FIELDS = [
    "business_days",
    "opens_at",
    "closes_at",
    "first_response_minutes",
    "resolution_minutes",
    "warning_minutes",
    "approval_accounts",
    "approval_keywords",
]


def inbox_settings_get(workspace) -> InboxSettings:
    """The saved settings, or the defaults (not saved) when the workspace has none yet."""
    return InboxSettings.objects.filter(workspace=workspace).first() or InboxSettings(workspace=workspace)


@transaction.atomic
def inbox_settings_update(*, workspace, actor, **changes) -> InboxSettings:
    settings_row, _created = InboxSettings.objects.select_for_update().get_or_create(workspace=workspace)
    before = snapshot(settings_row, FIELDS)
    for name, value in changes.items():
        if name not in FIELDS:
            raise ValueError(name)
        setattr(settings_row, name, value)
    days = settings_row.business_days
    if not isinstance(days, list) or any(day not in range(7) for day in days):
        raise ValidationFailed(_("Choose business days from Monday to Sunday."), field="business_days")
    settings_row.business_days = sorted(set(days))
    if settings_row.closes_at <= settings_row.opens_at:
        raise ValidationFailed(_("The inbox must close after it opens."), field="closes_at")
    if not 1 <= settings_row.first_response_minutes <= 7 * 24 * 60:
        raise ValidationFailed(_("Choose between 1 minute and 7 days."), field="first_response_minutes")
    if not 1 <= settings_row.resolution_minutes <= 30 * 24 * 60:
        raise ValidationFailed(_("Choose between 1 minute and 30 days."), field="resolution_minutes")
    if settings_row.resolution_minutes < settings_row.first_response_minutes:
        raise ValidationFailed(
            _("Resolving cannot be due before the first response."), field="resolution_minutes"
        )
    if not 0 <= settings_row.warning_minutes <= 24 * 60:
        raise ValidationFailed(_("Choose between 0 minutes and a day."), field="warning_minutes")
    from channels_app.models import SocialAccount

    accounts = [int(a.pk if hasattr(a, "pk") else a) for a in settings_row.approval_accounts or []]
    if SocialAccount.objects.filter(workspace=workspace, pk__in=accounts).count() != len(set(accounts)):
        raise ValidationFailed(_("Choose this workspace's accounts."), field="approval_accounts")
    settings_row.approval_accounts = sorted(set(accounts))
    words = [str(w).strip() for w in settings_row.approval_keywords or [] if str(w).strip()]
    if len(words) > 50 or any(len(w) > 60 for w in words):
        raise ValidationFailed(_("At most 50 words of 60 characters."), field="approval_keywords")
    settings_row.approval_keywords = list(dict.fromkeys(words))
    settings_row.save()
    after = snapshot(settings_row, FIELDS)
    audit_record(
        actor=actor,
        action="inbox.settings_update",
        target=settings_row,
        workspace=workspace,
        before={k: v for k, v in before.items() if before[k] != after[k]},
        after={k: v for k, v in after.items() if before[k] != after[k]},
    )
    return settings_row

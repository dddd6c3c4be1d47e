"""The benchmark emailed every week or month (issue 14): to chosen members of the workspace who may see
competitors (each in their own language) and/or to email addresses (in the schedule's language), with
the benchmark of the last whole week (Monday to Sunday) or calendar month as PDF or XLSX
(competitors.exports). Sent at most once per period by analytics' machinery
(analytics.exports.periodic: a claim row with a unique run key, `sending` before the mail server is
called, `sent` after), from the hourly beat task `competitors.benchmark_schedules_send`.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from analytics.exports import periodic
from core.audit import audit_record
from core.errors import ValidationFailed
from publishing.notifications import language_of

from ..exports import benchmark_export
from ..models import BenchmarkSchedule, BenchmarkScheduleDelivery

logger = logging.getLogger(__name__)
MAX_ADDRESSES = 20


def may_receive(user, workspace) -> bool:
    access = workspace_access_for(user=user, workspace_id=workspace.pk)
    return access is not None and access.can(Capability.COMPETITOR_VIEW)


def _clean(workspace, recipients, addresses) -> tuple[list, list[str]]:
    users = list(recipients or [])
    errors: dict[str, list[str]] = {}
    outsiders = [user for user in users if not may_receive(user, workspace)]
    if outsiders:
        errors["recipients"] = [
            _("Recipients must be members of this workspace who may see competitors: %(names)s")
            % {"names": ", ".join(sorted(u.email for u in outsiders))}
        ]
    if isinstance(addresses, str):
        addresses = addresses.replace(",", "\n").split()
    cleaned: list[str] = []
    for address in addresses or []:
        address = str(address).strip().lower()
        if not address or address in cleaned:
            continue
        try:
            validate_email(address)
        except ValidationError:
            errors.setdefault("addresses", []).append(
                _("Not an email address: %(address)s") % {"address": address}
            )
        cleaned.append(address)
    if len(cleaned) > MAX_ADDRESSES:
        errors.setdefault("addresses", []).append(_("At most %(n)s addresses.") % {"n": MAX_ADDRESSES})
    if not errors and not users and not cleaned:
        errors["recipients"] = [_("Choose at least one member or add an address.")]
    if errors:
        raise ValidationFailed(_("Please correct the recipients."), fields=errors)
    return users, cleaned


def _data(schedule: BenchmarkSchedule) -> dict:
    return {
        "name": schedule.name,
        "frequency": schedule.frequency,
        "format": schedule.format,
        "language": schedule.language,
        "active": schedule.active,
        "addresses": list(schedule.addresses),
    }


def _check_choices(frequency, fmt, language) -> None:
    errors = {}
    if frequency is not None and frequency not in BenchmarkSchedule.Frequency.values:
        errors["frequency"] = [_("Choose weekly or monthly.")]
    if fmt is not None and fmt not in BenchmarkSchedule.Format.values:
        errors["format"] = [_("Choose PDF or XLSX.")]
    if language is not None and language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose a language.")]
    if errors:
        raise ValidationFailed(_("Please correct the schedule."), fields=errors)


@transaction.atomic
def benchmark_schedule_create(
    *,
    actor,
    workspace,
    name: str,
    frequency: str,
    fmt: str = "pdf",
    recipients=(),
    addresses=(),
    language: str = "en",
) -> BenchmarkSchedule:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name the schedule."), field="name")
    _check_choices(frequency, fmt, language)
    users, cleaned = _clean(workspace, recipients, addresses)
    schedule = BenchmarkSchedule.objects.create(
        workspace=workspace,
        name=name[:120],
        frequency=frequency,
        format=fmt,
        addresses=cleaned,
        language=language,
        created_by=actor,
    )
    schedule.recipients.set(users)
    audit_record(
        actor=actor,
        action="competitor.schedule_create",
        target=schedule,
        workspace=workspace,
        after={**_data(schedule), "recipients": [u.pk for u in users]},
    )
    return schedule


@transaction.atomic
def benchmark_schedule_update(
    *, actor, schedule: BenchmarkSchedule, recipients=None, addresses=None, **fields
) -> BenchmarkSchedule:
    before = _data(schedule)
    _check_choices(fields.get("frequency"), fields.get("fmt"), fields.get("language"))
    if "name" in fields and not (fields["name"] or "").strip():
        raise ValidationFailed(_("Name the schedule."), field="name")
    if recipients is not None or addresses is not None:
        users, cleaned = _clean(
            schedule.workspace,
            schedule.recipients.all() if recipients is None else recipients,
            schedule.addresses if addresses is None else addresses,
        )
        schedule.recipients.set(users)
        schedule.addresses = cleaned
    for key, value in fields.items():
        setattr(schedule, "format" if key == "fmt" else key, value)
    schedule.save()
    audit_record(
        actor=actor,
        action="competitor.schedule_update",
        target=schedule,
        workspace=schedule.workspace,
        before=before,
        after=_data(schedule),
    )
    return schedule


@transaction.atomic
def benchmark_schedule_delete(*, actor, schedule: BenchmarkSchedule) -> None:
    audit_record(
        actor=actor,
        action="competitor.schedule_delete",
        target=schedule,
        workspace=schedule.workspace,
        before={"name": schedule.name},
    )
    schedule.delete()


# --- sending --------------------------------------------------------------------------------------------


def run_key(schedule: BenchmarkSchedule, start: date) -> str:
    return f"b{schedule.pk}:{schedule.frequency}:{start.isoformat()}"


def benchmark_schedules_send_due(*, now=None) -> int:
    """Send every active schedule's last complete period not sent yet; returns how many went out."""
    now = now or timezone.now()
    sent = 0
    for schedule in BenchmarkSchedule.objects.filter(active=True).select_related("workspace").order_by("pk"):
        today = now.astimezone(schedule.workspace.tzinfo).date()
        start, end = periodic.last_complete_period(schedule.frequency, today)
        if periodic.period_settled(BenchmarkScheduleDelivery, "schedule", schedule, start=start, now=now):
            continue
        try:
            if benchmark_schedule_send(schedule, start=start, end=end, now=now):
                sent += 1
        except Exception:  # one schedule's failure must not stop the others; the next run tries it again
            logger.exception("benchmark schedule %s for %s..%s failed", schedule.pk, start, end)
    return sent


def benchmark_schedule_send(schedule: BenchmarkSchedule, *, start: date, end: date, now=None) -> bool:
    """Claim the period, email it, record it sent (three committed steps: call outside a transaction);
    False when another worker had claimed it."""
    workspace = schedule.workspace

    def build():
        members = [u for u in schedule.recipients.order_by("pk") if u.email and may_receive(u, workspace)]
        who = [{"user_id": u.pk, "email": u.email, "language": language_of(u)} for u in members]
        known = {entry["email"] for entry in who}
        who += [
            {"email": address, "language": schedule.language}
            for address in schedule.addresses
            if address not in known
        ]
        return _messages(schedule, who, start=start, end=end), who

    return periodic.period_send(
        BenchmarkScheduleDelivery,
        "schedule",
        schedule,
        start=start,
        end=end,
        run_key=run_key(schedule, start),
        build=build,
        now=now,
    )


def _messages(schedule: BenchmarkSchedule, who: list[dict], *, start: date, end: date) -> list[EmailMessage]:
    """One email per recipient, in their language; the file built once per language."""
    workspace = schedule.workspace
    files: dict[str, tuple[bytes, str, str]] = {}
    messages = []
    for entry in who:
        language = entry["language"]
        with translation.override(language):
            if language not in files:
                files[language] = benchmark_export(
                    workspace, start=start, end=end, file_format=schedule.format
                )
            body, content_type, name = files[language]
            subject = _("%(schedule)s: %(workspace)s competitor benchmark, %(start)s to %(end)s") % {
                "schedule": schedule.name,
                "workspace": workspace.name,
                "start": start.isoformat(),
                "end": end.isoformat(),
            }
            text = _(
                "Hello,\n\nattached is the competitor benchmark of %(workspace)s for %(start)s to %(end)s "
                "(%(frequency)s), as scheduled.\n\nKAWO OSS"
            ) % {
                "workspace": workspace.name,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "frequency": schedule.get_frequency_display(),
            }
        message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [entry["email"]])
        message.attach(name, body, content_type.split(";")[0])
        messages.append(message)
    return messages

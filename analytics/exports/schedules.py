"""Scheduled email reports: a workspace's report emailed every week or month to chosen members, each in
their own language (the language their publish notices use: publishing.notifications.language_of).

Each run of the beat task (`analytics.scheduled_reports_send`, hourly) looks at every active report's last
complete period in the workspace's calendar (weekly: Monday to Sunday; monthly: the calendar month) and
sends it once: the unique (report, period_start) `ScheduledReportDelivery` row is inserted in the same
transaction that sends the emails. A second beat or worker waits on that row and then finds it taken; if
the mail server refuses, the transaction rolls back and the next hour tries again.

Recipients must be members of the workspace who may see analytics; a member who left (or lost the
capability) since is skipped when the report goes out.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import Capability
from core import tenancy
from core.audit import audit_record
from core.errors import ValidationFailed
from publishing.notifications import language_of

from ..models import ExportKind, ScheduledReport, ScheduledReportDelivery
from .jobs import export_build
from .tables import ExportRequest

logger = logging.getLogger(__name__)


def _may_receive(user, workspace) -> bool:
    access = tenancy.workspace_access_for(user=user, workspace_id=workspace.pk)
    return access is not None and access.can(Capability.ANALYTICS_VIEW)


def _recipients_check(workspace, users) -> list:
    users = list(users)
    outsiders = [user for user in users if not _may_receive(user, workspace)]
    if outsiders:
        raise ValidationFailed(
            _("Recipients must be members of this workspace who may see analytics: %(names)s")
            % {"names": ", ".join(sorted(u.email for u in outsiders))},
            field="recipients",
        )
    if not users:
        raise ValidationFailed(_("Choose at least one recipient."), field="recipients")
    return users


@transaction.atomic
def scheduled_report_create(
    *, actor, workspace, name: str, frequency: str, fmt: str, recipients
) -> ScheduledReport:
    users = _recipients_check(workspace, recipients)
    report = ScheduledReport.objects.create(
        workspace=workspace, name=name, frequency=frequency, format=fmt, created_by=actor
    )
    report.recipients.set(users)
    audit_record(
        actor=actor,
        action="analytics.scheduled_report_create",
        target=report,
        workspace=workspace,
        after={"name": name, "frequency": frequency, "format": fmt, "recipients": [u.pk for u in users]},
    )
    return report


@transaction.atomic
def scheduled_report_update(*, actor, report: ScheduledReport, recipients=None, **fields) -> ScheduledReport:
    before = {
        "name": report.name,
        "frequency": report.frequency,
        "format": report.format,
        "active": report.active,
    }
    users = _recipients_check(report.workspace, recipients) if recipients is not None else None
    for key, value in fields.items():
        setattr(report, "format" if key == "fmt" else key, value)
    report.save()
    if users is not None:
        report.recipients.set(users)
    audit_record(
        actor=actor,
        action="analytics.scheduled_report_update",
        target=report,
        workspace=report.workspace,
        before=before,
        after={
            "name": report.name,
            "frequency": report.frequency,
            "format": report.format,
            "active": report.active,
        },
    )
    return report


@transaction.atomic
def scheduled_report_delete(*, actor, report: ScheduledReport) -> None:
    audit_record(
        actor=actor,
        action="analytics.scheduled_report_delete",
        target=report,
        workspace=report.workspace,
        before={"name": report.name},
    )
    report.delete()


# --- sending --------------------------------------------------------------------------------------------


def last_complete_period(frequency: str, today: date) -> tuple[date, date]:
    """The last whole week (Monday to Sunday) or calendar month before `today`."""
    if frequency == ScheduledReport.Frequency.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(days=7), monday - timedelta(days=1)
    last_day = today.replace(day=1) - timedelta(days=1)
    return last_day.replace(day=1), last_day


def scheduled_reports_send_due(*, now=None) -> int:
    """Send every active report's last complete period that was not sent yet. Returns how many reports
    went out in this run."""
    now = now or timezone.now()
    sent = 0
    for report in ScheduledReport.objects.filter(active=True).select_related("workspace").order_by("pk"):
        today = now.astimezone(report.workspace.tzinfo).date()
        start, end = last_complete_period(report.frequency, today)
        if ScheduledReportDelivery.objects.filter(report=report, period_start=start).exists():
            continue
        try:
            if scheduled_report_send(report, start=start, end=end):
                sent += 1
        except Exception:  # one report's failure must not stop the others; the next run tries it again
            logger.exception("scheduled report %s for %s..%s failed", report.pk, start, end)
    return sent


def scheduled_report_send(report: ScheduledReport, *, start: date, end: date) -> bool:
    """Claim the period and email it to each recipient in their language; False if it was claimed."""
    workspace = report.workspace
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = ScheduledReportDelivery.objects.create(
                    report=report, period_start=start, period_end=end
                )
        except IntegrityError:
            return False
        recipients = [
            user for user in report.recipients.order_by("pk") if user.email and _may_receive(user, workspace)
        ]
        request = ExportRequest(kind=ExportKind.REPORT, start=start, end=end)
        files: dict[str, object] = {}
        messages = []
        for user in recipients:
            language = language_of(user)
            with translation.override(language):
                if language not in files:
                    files[language] = export_build(workspace, fmt=report.format, request=request)
                built = files[language]
                subject = _("%(report)s: %(workspace)s analytics, %(start)s to %(end)s") % {
                    "report": report.name,
                    "workspace": workspace.name,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                }
                body = _(
                    "Hello,\n\nattached is the analytics report of %(workspace)s for %(start)s to %(end)s "
                    "(%(frequency)s), as you asked to receive it.\n\nKAWO OSS"
                ) % {
                    "workspace": workspace.name,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "frequency": report.get_frequency_display(),
                }
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            message.attach(built.name, built.content, built.content_type.split(";")[0])
            messages.append(message)
        if messages:
            get_connection().send_messages(messages)
        delivery.sent_at = timezone.now()
        delivery.recipients = [
            {"user_id": user.pk, "email": user.email, "language": language_of(user)} for user in recipients
        ]
        delivery.save(update_fields=["sent_at", "recipients"])
    return True

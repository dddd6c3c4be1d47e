"""Scheduled email reports: a workspace's report emailed every week or month to chosen members, each in
their own language (the language their publish notices use: publishing.notifications.language_of).

Each run of the beat task (`analytics.scheduled_reports_send`, hourly) looks at every active report's last
complete period in the workspace's calendar (weekly: Monday to Sunday; monthly: the calendar month) and
sends it once, in three committed steps (scheduled_report_send): claim the period (a
`ScheduledReportDelivery` row with a unique run key, unique (report, period_start) too), mark it
`sending` just before the mail server is called, then mark it sent. A second beat or worker finds the
claim taken; a crash after sending never re-sends; if the mail server refuses, the claim is given back and
the next hour tries again.

Recipients must be members of the workspace who may see analytics; a member who left (or lost the
capability) since is skipped when the report goes out.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import Capability
from core import tenancy
from core.audit import audit_record
from core.errors import ValidationFailed
from publishing.notifications import language_of

from ..models import ExportKind, ScheduledReport, ScheduledReportDelivery
from . import periodic
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
    return periodic.last_complete_period(frequency, today)


CLAIM_LEASE = periodic.CLAIM_LEASE


def run_key(report: ScheduledReport, start: date) -> str:
    return f"{report.pk}:{report.frequency}:{start.isoformat()}"


def scheduled_reports_send_due(*, now=None) -> int:
    """Send every active report's last complete period that was not sent yet. Returns how many reports
    went out in this run."""
    now = now or timezone.now()
    sent = 0
    for report in ScheduledReport.objects.filter(active=True).select_related("workspace").order_by("pk"):
        today = now.astimezone(report.workspace.tzinfo).date()
        start, end = last_complete_period(report.frequency, today)
        if periodic.period_settled(ScheduledReportDelivery, "report", report, start=start, now=now):
            continue
        try:
            if scheduled_report_send(report, start=start, end=end, now=now):
                sent += 1
        except Exception:  # one report's failure must not stop the others; the next run tries it again
            logger.exception("scheduled report %s for %s..%s failed", report.pk, start, end)
    return sent


def scheduled_report_claim(
    report: ScheduledReport, *, start: date, end: date, now=None
) -> ScheduledReportDelivery | None:
    """Step 1 (analytics.exports.periodic.period_claim): the period's delivery row, or None when another
    worker holds it (or sent it)."""
    return periodic.period_claim(
        ScheduledReportDelivery,
        "report",
        report,
        start=start,
        end=end,
        run_key=run_key(report, start),
        now=now,
    )


def scheduled_report_send(report: ScheduledReport, *, start: date, end: date, now=None) -> bool:
    """Claim the period, then email it to each recipient in their language, then record it sent; False
    if another worker had claimed it (the three committed steps of analytics.exports.periodic: call this
    outside any transaction, as the beat task does)."""
    workspace = report.workspace

    def build():
        recipients = [
            user for user in report.recipients.order_by("pk") if user.email and _may_receive(user, workspace)
        ]
        return _messages(report, recipients, start=start, end=end), recipients

    return periodic.period_send(
        ScheduledReportDelivery,
        "report",
        report,
        start=start,
        end=end,
        run_key=run_key(report, start),
        build=build,
        mark_sent=lambda delivery, recipients: scheduled_report_mark_sent(delivery, recipients),
        now=now,
    )


def _record(recipients) -> list[dict]:
    return [{"user_id": user.pk, "email": user.email, "language": language_of(user)} for user in recipients]


def scheduled_report_mark_sent(delivery: ScheduledReportDelivery, recipients) -> None:
    """Step 3: the period is sent, to these people."""
    periodic.period_mark_sent(delivery, _record(recipients))


def _messages(report: ScheduledReport, recipients, *, start: date, end: date) -> list[EmailMessage]:
    """One email per recipient, in their language, the file built once per language."""
    workspace = report.workspace
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
    return messages

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


# A claim whose worker died before it started sending (while building the file) may be taken over after
# this long; one that started sending is never sent again automatically.
CLAIM_LEASE = timedelta(hours=1)


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
        settled = ScheduledReportDelivery.objects.filter(report=report, period_start=start).exclude(
            sending_at__isnull=True, sent_at__isnull=True, claimed_at__lt=now - CLAIM_LEASE
        )
        if settled.exists():
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
    """Step 1, committed on its own: the period's delivery row under its unique run key. None when another
    worker holds it (or sent it). A claim left by a worker that died before sending (no `sending_at`, older
    than CLAIM_LEASE) is taken over with a conditional UPDATE, so only one worker wins it."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return ScheduledReportDelivery.objects.create(
                report=report, period_start=start, period_end=end, run_key=run_key(report, start)
            )
    except IntegrityError:
        pass
    stale = ScheduledReportDelivery.objects.filter(
        report=report,
        period_start=start,
        sending_at__isnull=True,
        sent_at__isnull=True,
        claimed_at__lt=now - CLAIM_LEASE,
    )
    if stale.update(claimed_at=now):
        return ScheduledReportDelivery.objects.get(report=report, period_start=start)
    return None


def _release(delivery: ScheduledReportDelivery) -> None:
    """Give the period back (nothing went out): the next run claims it again."""
    ScheduledReportDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).delete()


def scheduled_report_send(report: ScheduledReport, *, start: date, end: date, now=None) -> bool:
    """Claim the period, then email it to each recipient in their language, then record it sent; False
    if another worker had claimed it.

    Three steps, each committed on its own (call this outside any transaction, as the beat task does), so
    a crash can never lead to a second send: (1) the claim; (2) `sending_at`, just before the mail server
    is called; (3) `sent_at` and who got it. A worker dying between (2) and (3) leaves a delivery "sending"
    that no run sends again (at most once); one dying before (2) leaves a claim another run takes over after
    CLAIM_LEASE. A mail server that refuses (an exception from the backend) gives the period back, for the
    next hourly run."""
    workspace = report.workspace
    delivery = scheduled_report_claim(report, start=start, end=end, now=now)
    if delivery is None:
        return False
    try:
        recipients = [
            user for user in report.recipients.order_by("pk") if user.email and _may_receive(user, workspace)
        ]
        messages = _messages(report, recipients, start=start, end=end)
    except Exception:
        _release(delivery)
        raise
    if not ScheduledReportDelivery.objects.filter(pk=delivery.pk, sending_at__isnull=True).update(
        sending_at=timezone.now()
    ):
        return False  # taken over meanwhile (this worker was slower than the lease)
    if messages:
        try:
            get_connection().send_messages(messages)
        except Exception:
            _release(delivery)
            raise
    scheduled_report_mark_sent(delivery, recipients)
    return True


def scheduled_report_mark_sent(delivery: ScheduledReportDelivery, recipients) -> None:
    """Step 3: the period is sent, to these people."""
    ScheduledReportDelivery.objects.filter(pk=delivery.pk).update(
        sent_at=timezone.now(),
        recipients=[
            {"user_id": user.pk, "email": user.email, "language": language_of(user)} for user in recipients
        ],
    )


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

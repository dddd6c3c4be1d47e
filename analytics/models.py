"""Analytics storage: raw snapshots (one row per entity, metric and pull), what a pull could not read,
daily rollups, and each workspace's analytics settings and formula metrics. README.md states the promises.

`MetricSnapshot` is range-partitioned by month on `captured_at` in PostgreSQL (the table is created by
raw DDL in migration 0001; an ordinary table on SQLite). Its primary key is the natural key of a reading
(capture time, account, platform post id or "" for the account itself, metric), which also makes a
re-pulled identical batch idempotent. It carries no database foreign keys: bulk COPY stays fast and a
partitioned table keeps no per-row trigger work; the ingest service checks every id against the
workspace instead, and Django's ORM still cascades deletes of accounts and workspaces to it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, WorkspaceScopedModel


class EngagementRateBasis(models.TextChoices):
    BY_FOLLOWERS = "by_followers", _("Engagement rate by followers")
    BY_REACH = "by_reach", _("Engagement rate by reach")
    BY_VIEWS = "by_views", _("Engagement rate by views")


class MetricSnapshot(models.Model):
    """What the platform said one metric of one account or post was, at one capture time. Never a delta."""

    # Time first: readings arrive in time order, so new keys land at the right edge of each month's index
    # (measured: about 30% more rows/s than account first); per-entity reads go through the rollups.
    pk = models.CompositePrimaryKey("captured_at", "account_id", "platform_post_id", "metric")
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    account = models.ForeignKey(
        "channels_app.SocialAccount",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # Our own post on that account, when the pull knows it; `platform_post_id` is what identifies the row.
    target = models.ForeignKey(
        "content.PostTarget",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # "" for account-level metrics.
    platform_post_id = models.CharField(max_length=200, blank=True, default="")
    # The platform's own metric key (analytics.metrics registry), not the common one.
    metric = models.CharField(max_length=64)
    value = models.FloatField()
    captured_at = models.DateTimeField()
    pull_id = models.UUIDField()

    class Meta:
        # Migration 0001 creates the table itself (partitioned on PostgreSQL).
        verbose_name = _("metric snapshot")

    def __str__(self) -> str:
        entity = f"{self.account_id}/{self.platform_post_id or '-'}"
        return f"{entity} {self.metric}={self.value} @ {self.captured_at}"


class MetricUnavailable(WorkspaceScopedModel):
    """A metric a pull asked for and did not get, and why: one failing metric never empties the rest,
    and the gap is visible instead of silent."""

    class Reason(models.TextChoices):
        REMOVED = "removed", _("Removed by the platform")
        NOT_OFFERED = "not_offered", _("Not offered for this account or post")
        LATE = "late", _("Not ready yet (late data)")
        ERROR = "error", _("Error")
        # What the connectors say beyond the four above (channels_app.connectors.base.MetricUnavailable):
        # the reports tell "renamed" and "too old" apart from "removed".
        RENAMED = "renamed", _("Renamed by the platform")
        TOO_OLD = "too_old", _("Older than the platform keeps")
        TOO_NEW = "too_new", _("Not available yet")
        THRESHOLD = "threshold", _("Below the platform's minimum audience")

    account = models.ForeignKey("channels_app.SocialAccount", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(
        "content.PostTarget", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    platform_post_id = models.CharField(max_length=200, blank=True, default="")
    metric = models.CharField(max_length=64)
    pull_id = models.UUIDField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "platform_post_id", "metric", "pull_id"], name="uniq_metric_unavailable"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "recorded_at"], name="metric_unavailable_recent")]
        verbose_name = _("unavailable metric")

    def __str__(self) -> str:
        return f"{self.account_id}/{self.platform_post_id or '-'} {self.metric}: {self.reason}"


class AccountDailyMetric(models.Model):
    """The last snapshot of one account metric on one day of the workspace's calendar (its time zone).

    Like the snapshots, the rollups are keyed by their natural key and carry no database foreign keys
    (the ingest checks ids; the ORM cascades deletes): each ingest upserts tens of thousands of them."""

    pk = models.CompositePrimaryKey("account_id", "metric", "date")
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    account = models.ForeignKey(
        "channels_app.SocialAccount",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    date = models.DateField()
    metric = models.CharField(max_length=64)
    value = models.FloatField()
    # Of the snapshot the value came from: a later snapshot of the same day replaces it, an earlier one not.
    captured_at = models.DateTimeField()

    class Meta:
        # No index beyond the key: reads go by account (the key's prefix); each index costs ingest speed.
        pass

    def __str__(self) -> str:
        return f"{self.account_id} {self.date} {self.metric}={self.value}"


class PostDailyMetric(models.Model):
    """The last snapshot of one post metric on one day of the workspace's calendar (its time zone)."""

    pk = models.CompositePrimaryKey("account_id", "platform_post_id", "metric", "date")
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    account = models.ForeignKey(
        "channels_app.SocialAccount",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # Selectors join it to content_posttarget, so a deleted target's rows simply stop counting.
    target = models.ForeignKey(
        "content.PostTarget",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    platform_post_id = models.CharField(max_length=200)
    date = models.DateField()
    metric = models.CharField(max_length=64)
    value = models.FloatField()
    captured_at = models.DateTimeField()

    class Meta:
        # Reads by account use the key's prefix. Reports read the latest values of one period's posts
        # (thousands of targets across every account): this index lets them join on the target and read
        # (metric, date, value) from the index alone (bench/analytics_reports.py: overview and post table;
        # its ingest cost measured with bench/analytics_ingest.py, bench/README.md).
        indexes = [
            models.Index(fields=["target", "metric", "date"], include=["value"], name="postdaily_target_read")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.platform_post_id} {self.date} {self.metric}={self.value}"


class AnalyticsSettings(TimeStampedModel):
    """Per-workspace analytics choices (one row, created on first change; defaults apply until then)."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="analytics_settings"
    )
    lead_engagement_rate = models.CharField(
        _("engagement rate reports lead with"),
        max_length=12,
        choices=EngagementRateBasis.choices,
        default=EngagementRateBasis.BY_REACH,
    )

    def __str__(self) -> str:
        return f"analytics settings of {self.workspace_id}"


class CustomMetric(WorkspaceScopedModel):
    """A workspace's own metric, a formula over common metrics (analytics.formula checks and evaluates it:
    numbers, metric names, + - * / and parentheses; never eval)."""

    name = models.CharField(_("name"), max_length=80)
    formula = models.CharField(_("formula"), max_length=300)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_custom_metric_name")]

    def __str__(self) -> str:
        return self.name


class MetricPull(WorkspaceScopedModel):
    """One read of a platform's figures that the planner decided was due (analytics.pulls): what was
    asked, when, and how it went. Its id is the `pull_id` of every reading and gap it stored.

    Planning is idempotent: a due pull is one row, whichever beat planned it first (unique on the entity
    and `due_at`), and is queued once (claimed with SKIP LOCKED and moved to `queued`)."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Account figures (daily)")
        BACKFILL = "backfill", _("Account history (on connecting)")
        POST = "post", _("Post figures")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("channels_app.SocialAccount", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(
        "content.PostTarget", null=True, blank=True, on_delete=models.CASCADE, related_name="metric_pulls"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField()
    # Account pulls: the days asked (the platform's calendar days), both ends inclusive.
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Not queued before then (a rate limit's Retry-After, a back-off after an error).
    not_before = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    values_count = models.PositiveIntegerField(default=0)
    unavailable_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "due_at"], condition=models.Q(target__isnull=False), name="uniq_post_pull"
            ),
            models.UniqueConstraint(
                fields=["account", "kind", "due_at"],
                condition=models.Q(target__isnull=True),
                name="uniq_account_pull",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="metric_pull_due")]
        verbose_name = _("metric pull")

    def __str__(self) -> str:
        entity = f"target {self.target_id}" if self.target_id else f"account {self.account_id}"
        return f"{self.kind} pull of {entity} due {self.due_at:%Y-%m-%d %H:%M} ({self.status})"


# --- exports and scheduled reports ---------------------------------------------------------------------


class ExportKind(models.TextChoices):
    POSTS = "posts", _("Post performance")
    ACCOUNTS = "accounts", _("Account overview")
    CAMPAIGNS = "campaigns", _("Campaigns")
    TAGS = "tags", _("Tags")
    FOLLOWERS = "followers", _("Follower growth")
    # The overview report: PDF with its charts, or a workbook with every table above.
    REPORT = "report", _("Analytics report")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"


def export_upload_path(instance: ExportJob, filename: str) -> str:
    # A random folder: the download keeps its name (workspace and period), the path is not guessable.
    return f"workspaces/{instance.workspace_id}/exports/{uuid.uuid4().hex}/{filename}"


class ExportJob(WorkspaceScopedModel):
    """One export made on a Celery worker (analytics.exports.jobs moves it along): pending -> running
    (progress 0-100) -> done (the file) or failed (message)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Exporting")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=12, choices=ExportKind.choices)
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    # {"start", "end", "filters": {...}, "sort", "descending"}: what to export, as the API took it.
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="en")  # of the headings and labels
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_upload_path, max_length=300, blank=True)
    file_name = models.CharField(max_length=255, blank=True)  # the download's name
    message = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when the cleanup (analytics.export_files_expire) deleted the file: the row stays, says "expired".
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"export {self.pk} {self.kind}.{self.format} ({self.status})"


class ScheduledReport(WorkspaceScopedModel):
    """An analytics report emailed to chosen members every week or month, each in their own language."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    name = models.CharField(_("name"), max_length=120)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.PDF)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.frequency})"


class ScheduledReportDelivery(models.Model):
    """The claim that one period of a scheduled report was sent: the unique (report, period_start) row
    is inserted before the emails go, so two beats (or two workers) never both send one period."""

    report = models.ForeignKey(ScheduledReport, on_delete=models.CASCADE, related_name="deliveries")
    period_start = models.DateField()
    period_end = models.DateField()
    # The run's key ("<report id>:<frequency>:<period start>"), unique: a second worker cannot claim it.
    run_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    # Committed just before the mail server is called: a delivery with sending_at and no sent_at may have
    # gone out (a crash between sending and recording it), so it is never sent again automatically.
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)  # [{"user_id", "email", "language"}]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "period_start"], name="uniq_report_period"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.period_start}..{self.period_end}"

"""Competitor monitoring storage (README.md states the promises).

An organization has one brand group; its competitor brands (and their accounts on platforms) are shared
by the organization's brand workspaces, and each workspace picks the brands it benchmarks
(`BenchmarkedBrand`). Every stored figure carries the key of the data source that said it.

`RivalSnapshot` is keyed like analytics' MetricSnapshot by its natural key (capture time, account,
platform post id or "" for the account, metric): one row per reading, never a delta, and a repeated pull
of the same reading leaves one row. `RivalPost` keeps each rival post once, with its latest common
figures (for the benchmark reads) and the window it is re-read in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels_app.models import Platform
from core.models import TimeStampedModel


class BrandGroup(TimeStampedModel):
    """The organization's competitor set: one per organization, made on first use."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="competitor_group"
    )
    name = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return self.name or f"group {self.organization_id}"


class CompetitorBrand(TimeStampedModel):
    group = models.ForeignKey(BrandGroup, on_delete=models.CASCADE, related_name="brands")
    # Copied from the group, so every read filters by the tenant in one column.
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="uniq_competitor_brand_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BenchmarkedBrand(TimeStampedModel):
    """A workspace benchmarks this competitor brand (the per-workspace cap counts these rows)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(CompetitorBrand, on_delete=models.CASCADE, related_name="benchmarked_in")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "brand"], name="uniq_benchmarked_brand"),
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} benchmarks {self.brand_id}"


class RivalStatus(models.TextChoices):
    ACTIVE = "active", _("Tracked")
    PRIVATE = "private", _("Made private")
    GONE = "gone", _("No longer found")
    ERROR = "error", _("Last read failed")


class RivalAccount(TimeStampedModel):
    """A competitor brand's account on one platform, resolved through a data source before it was saved."""

    brand = models.ForeignKey(CompetitorBrand, on_delete=models.CASCADE, related_name="accounts")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(max_length=200)
    handle = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    followers = models.BigIntegerField(null=True, blank=True)
    # The data source that resolved it and reads it (competitors.sources registry key).
    source = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=RivalStatus.choices, default=RivalStatus.ACTIVE)
    status_detail = models.CharField(max_length=300, blank=True)
    # When the first complete pull landed: the account is "gathering data" until its first complete day.
    first_pulled_at = models.DateTimeField(null=True, blank=True)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    # A rate limit's Retry-After, kept with the row (the Redis gate is not durable).
    not_before = models.DateTimeField(null=True, blank=True)
    # When the planner sent its pull (a claim: not sent again until the pull ends or the lease passes).
    queued_at = models.DateTimeField(null=True, blank=True)
    # Paging cursor of an unfinished first read of the account's posts.
    history_cursor = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "platform", "external_id"], name="uniq_rival_account"
            ),
        ]
        ordering = ["platform", "handle"]

    def __str__(self) -> str:
        return f"{self.platform}:@{self.handle}"


class RivalSnapshot(models.Model):
    """What a source said one metric of a rival account or post was at one capture time."""

    pk = models.CompositePrimaryKey("captured_at", "rival_id", "platform_post_id", "metric")
    rival = models.ForeignKey(
        RivalAccount, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    platform_post_id = models.CharField(max_length=200, blank=True, default="")
    metric = models.CharField(max_length=64)  # the platform's (or the provider's) own field name
    value = models.FloatField()
    captured_at = models.DateTimeField()
    source = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["rival", "metric", "captured_at"], name="rival_snapshot_series")]

    def __str__(self) -> str:
        return f"{self.rival_id}/{self.platform_post_id or '-'} {self.metric}={self.value}"


class RivalPost(TimeStampedModel):
    """One rival post, kept once; figures are the latest reading (history in RivalSnapshot)."""

    rival = models.ForeignKey(RivalAccount, on_delete=models.CASCADE, related_name="posts")
    platform_post_id = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    text = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    media_kind = models.CharField(max_length=20, blank=True)  # text, image, video, article ...
    hashtags = models.JSONField(default=list, blank=True)
    likes = models.FloatField(null=True, blank=True)
    comments = models.FloatField(null=True, blank=True)
    shares = models.FloatField(null=True, blank=True)
    views = models.FloatField(null=True, blank=True)
    engagements = models.FloatField(null=True, blank=True)
    figures_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=40)
    # Re-read until then (the platform's window after publishing); deleted posts keep their last figures.
    track_until = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rival", "platform_post_id"], name="uniq_rival_post"),
        ]
        indexes = [models.Index(fields=["rival", "published_at"], name="rival_post_published")]

    def __str__(self) -> str:
        return f"{self.rival_id}/{self.platform_post_id}"

    @property
    def tracking(self) -> bool:
        return self.deleted_at is None and self.track_until > timezone.now()


class SourceUsage(models.Model):
    """Billed reads per source and month (X bills every read): the pull budget is checked against it."""

    source = models.CharField(max_length=40)
    month = models.DateField()  # first day of the month (UTC)
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "month"], name="uniq_source_usage")]

    def __str__(self) -> str:
        return f"{self.source} {self.month:%Y-%m}: {self.reads}"


class RivalImport(TimeStampedModel):
    """An uploaded CSV/XLSX of rival posts and follower readings (competitors.services.imports): checked
    and loaded by one Celery task, every row or none."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        VALIDATING = "validating", _("Checking")
        WRITING = "writing", _("Loading")
        DONE = "done", _("Loaded")
        INVALID = "invalid", _("Has problems; nothing loaded")
        FAILED = "failed", _("Failed; nothing loaded")

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="competitor-imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    validated_rows = models.PositiveIntegerField(default=0)
    written_rows = models.PositiveIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)  # rival posts loaded (new or updated)
    readings = models.PositiveIntegerField(default=0)  # follower readings loaded
    errors = models.JSONField(default=list, blank=True)  # [{sheet, row, column, message}]
    error_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"rival import {self.pk} ({self.status})"


# --- alerts (services/alerts.py) -------------------------------------------------------------------------


class AlertKind(models.TextChoices):
    SPIKE = "spike", _("Engagement spike")
    POSTING = "posting", _("Posting spike")
    KEYWORD = "keyword", _("Watched keyword")


class CompetitorAlertSettings(TimeStampedModel):
    """A workspace's competitor alert rules; no row = the defaults (every kind on, no keywords)."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="competitor_alert_settings"
    )
    keywords = models.JSONField(default=list, blank=True)  # watched keywords, as typed (deduplicated)
    baseline_posts = models.PositiveSmallIntegerField(default=30)  # N: the baseline of an engagement spike
    threshold_k = models.DecimalField(max_digits=4, decimal_places=1, default=5)  # k (x scaled MAD)
    spike_on = models.BooleanField(default=True)
    posting_on = models.BooleanField(default=True)
    keyword_on = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"alert settings of {self.workspace_id}"


class CompetitorAlert(TimeStampedModel):
    """One alert, raised once: per (workspace, post, kind) for spikes and keywords, per (workspace,
    account, kind, day) for a posting spike. Re-evaluating after the next pull finds the row and says
    nothing again."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    rival = models.ForeignKey(RivalAccount, on_delete=models.CASCADE, related_name="alerts")
    post = models.ForeignKey(RivalPost, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    day = models.DateField(null=True, blank=True)  # posting spikes: the workspace's day
    value = models.FloatField(null=True, blank=True)  # engagements, or posts in the last 24 h
    median = models.FloatField(null=True, blank=True)
    mad = models.FloatField(null=True, blank=True)  # raw MAD (unscaled)
    threshold = models.FloatField(null=True, blank=True)
    keywords = models.JSONField(default=list, blank=True)  # the watched keywords a post matched

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "post", "kind"],
                condition=models.Q(post__isnull=False),
                name="uniq_competitor_alert_post",
            ),
            models.UniqueConstraint(
                fields=["workspace", "rival", "kind", "day"],
                condition=models.Q(day__isnull=False),
                name="uniq_competitor_alert_day",
            ),
        ]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} alert {self.pk} ({self.rival_id})"


# --- scheduled benchmark email (services/schedules.py) -------------------------------------------------


class BenchmarkSchedule(TimeStampedModel):
    """The benchmark of the last whole week or month emailed to chosen members and/or addresses, with
    the PDF or XLSX attached; members get it in their language, addresses in `language`."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.PDF)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    addresses = models.JSONField(default=list, blank=True)  # email addresses outside the workspace
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.frequency})"


class BenchmarkScheduleDelivery(models.Model):
    """The claim that one period of a benchmark schedule was sent (analytics.exports.periodic)."""

    schedule = models.ForeignKey(BenchmarkSchedule, on_delete=models.CASCADE, related_name="deliveries")
    period_start = models.DateField()
    period_end = models.DateField()
    run_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)  # [{"user_id"?, "email", "language"}]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period_start"], name="uniq_benchmark_period"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period_start}..{self.period_end}"

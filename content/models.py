"""Content: posts and their per-account targets, versions, media, campaigns, tags, banned words, posting
slots and iCal feeds.

A `Post` is one piece of content planned for a time; a `PostTarget` is that post on one social account,
with its own text, media, options, status and result. Target statuses move only through
`check_transition` (the one transition table, below), called by content.services; nothing else writes
`PostTarget.status`. Every save of a post writes a `PostVersion` with a snapshot and the content hash
(sha256 of a canonical JSON of what gets published), which approvals pin.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from core.models import WorkspaceScopedModel

# --- campaigns and tags ---------------------------------------------------------------------------


class Campaign(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    objective = models.TextField(_("objective"), blank=True)
    owner = models.ForeignKey(
        "accounts.WorkspaceMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    color = models.CharField(_("color"), max_length=7, default="#4f46e5")

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_campaign_name"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TagGroup(WorkspaceScopedModel):
    """A category of tags (content pillar, product line...). `required`: every post carries one of its
    tags; `exclusive`: at most one of its tags per post."""

    name = models.CharField(_("name"), max_length=80)
    required = models.BooleanField(_("required"), default=False)
    exclusive = models.BooleanField(_("mutually exclusive"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_tag_group_name")]

    def __str__(self) -> str:
        return self.name


class Tag(WorkspaceScopedModel):
    group = models.ForeignKey(TagGroup, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=80)
    color = models.CharField(_("color"), max_length=7, default="#64748b")

    class Meta:
        ordering = ["group_id", "name"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="uniq_tag_name_in_group")]

    def __str__(self) -> str:
        return self.name


# --- banned words -----------------------------------------------------------------------------------


class BannedWordList(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_banned_list_name")]

    def __str__(self) -> str:
        return self.name


class BannedWord(WorkspaceScopedModel):
    """A word the workspace never wants in a post. Read by content.compliance.check (word, severity, note)."""

    class Severity(models.TextChoices):
        BLOCKING = "blocking", _("Blocking")
        WARNING = "warning", _("Warning")
        INFO = "info", _("Info")

    word_list = models.ForeignKey(
        BannedWordList, null=True, blank=True, on_delete=models.CASCADE, related_name="words"
    )
    word = models.CharField(_("word"), max_length=100)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.BLOCKING
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["workspace", "word"], name="uniq_banned_word")]

    def __str__(self) -> str:
        return self.word


# --- media ------------------------------------------------------------------------------------------


def media_upload_path(instance: MediaAsset, filename: str) -> str:
    # Files live under their workspace; the stored name is random (the original name is a column).
    return f"workspaces/{instance.workspace_id}/media/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def thumbnail_upload_path(instance: MediaAsset, filename: str) -> str:
    return f"workspaces/{instance.workspace_id}/media/thumbs/{uuid.uuid4().hex}.jpg"


class MediaAsset(WorkspaceScopedModel):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    file = models.FileField(_("file"), upload_to=media_upload_path, max_length=300)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    mime = models.CharField(_("type"), max_length=100)
    size = models.BigIntegerField(_("size"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    frames = models.PositiveIntegerField(null=True, blank=True)
    checksum = models.CharField(_("sha256"), max_length=64, db_index=True)
    thumbnail = models.FileField(upload_to=thumbnail_upload_path, max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    alt_text = models.CharField(_("alt text"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def info(self):
        """This asset as a content.media_inspect.MediaInfo (what compliance and suitability read)."""
        from .media_inspect import MediaInfo

        return MediaInfo(
            kind=self.kind,
            mime=self.mime,
            size=self.size,
            width=self.width,
            height=self.height,
            duration_seconds=self.duration_seconds,
            frames=self.frames,
            filename=self.original_name,
            url=self.file.url if self.file else "",
            alt_text=self.alt_text,
        )


# --- posts ------------------------------------------------------------------------------------------


class TargetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Queued")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown (outcome not confirmed)")
    CANCELLED = "cancelled", _("Cancelled")


S = TargetStatus

# The one transition table: from -> the statuses a target may move to. Everything else is illegal.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.IN_REVIEW, S.SCHEDULED, S.CANCELLED}),
    S.IN_REVIEW: frozenset({S.DRAFT, S.APPROVED, S.CANCELLED}),
    # approved -> draft: an edit after approval resets it. approved/scheduled -> in_review: a change (a
    # campaign, tags, the policy) routes it through a stage that has not approved it: the approval
    # re-opens for that stage.
    S.APPROVED: frozenset({S.DRAFT, S.IN_REVIEW, S.SCHEDULED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.DRAFT, S.IN_REVIEW, S.QUEUED, S.CANCELLED}),
    # queued -> scheduled: the sweeper returns an expired lease.
    S.QUEUED: frozenset({S.PUBLISHING, S.SCHEDULED, S.FAILED, S.CANCELLED}),
    # publishing -> queued: the platform refused for now (429, 5xx, expired token): try again later.
    S.PUBLISHING: frozenset({S.PUBLISHED, S.FAILED, S.UNKNOWN, S.QUEUED}),
    # unknown is settled by reading the platform, never by a blind retry; -> queued only when the
    # platform shows it does not have the post.
    S.UNKNOWN: frozenset({S.PUBLISHED, S.FAILED, S.QUEUED}),
    S.FAILED: frozenset({S.DRAFT, S.SCHEDULED, S.CANCELLED}),
    S.PUBLISHED: frozenset(),
    S.CANCELLED: frozenset({S.DRAFT}),
}

# Targets in these statuses are out of the editor's hands: being published or done.
LOCKED_STATUSES = frozenset({S.QUEUED, S.PUBLISHING, S.PUBLISHED, S.UNKNOWN})
# The order used to sum a post's targets into one status (the least advanced wins).
_AGGREGATE_ORDER = [
    S.FAILED,
    S.UNKNOWN,
    S.DRAFT,
    S.IN_REVIEW,
    S.APPROVED,
    S.SCHEDULED,
    S.QUEUED,
    S.PUBLISHING,
    S.PUBLISHED,
    S.CANCELLED,
]


class IllegalTransition(Conflict):
    default_code = "illegal_transition"


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def check_transition(current: str, new: str) -> None:
    """Raise IllegalTransition unless a target may move from `current` to `new`."""
    if not can_transition(current, new):
        raise IllegalTransition(
            _("A post cannot go from %(current)s to %(new)s.")
            % {"current": S(current).label, "new": S(new).label}
        )


def aggregate_status(statuses) -> str:
    """One status for a post from its targets' (failures first, then the least advanced; all cancelled:
    cancelled)."""
    present = set(statuses)
    if not present:
        return S.DRAFT
    for status in _AGGREGATE_ORDER:
        if status in present:
            return status
    return S.DRAFT


def aggregate_status_expression() -> models.Case:
    """`aggregate_status` as SQL, for `Post.objects.filter(...).update(status=...)`: the post's status
    summed from its targets' in one UPDATE (no SELECT of the statuses first), with the same order."""
    return models.Case(
        *[
            models.When(
                models.Exists(PostTarget.objects.filter(post_id=models.OuterRef("pk"), status=status)),
                then=models.Value(status),
            )
            for status in _AGGREGATE_ORDER
        ],
        default=models.Value(S.DRAFT),
        output_field=models.CharField(),
    )


class Post(WorkspaceScopedModel):
    title = models.CharField(_("title"), max_length=200, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    # The targets' statuses summed up (aggregate_status), kept in step by the services for filtering.
    status = models.CharField(max_length=12, choices=TargetStatus.choices, default=TargetStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64, blank=True)
    is_paid_or_kol = models.BooleanField(_("paid or KOL"), default=False)
    # The latest compliance result ({"findings": [...], "blocking": bool, "warnings": int}) and, when a
    # person scheduled despite warnings, who, when and which rules ({"by", "by_label", "at", "rules"}).
    compliance = models.JSONField(default=dict, blank=True)
    compliance_override = models.JSONField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [
            models.Index(
                fields=["workspace", "scheduled_at"],
                name="post_ws_calendar",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Post {self.pk}"


class PostTarget(WorkspaceScopedModel):
    """The post on one social account."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    # RESTRICT: an account with posts cannot be deleted alone, but its workspace can go with everything.
    account = models.ForeignKey("channels_app.SocialAccount", on_delete=models.RESTRICT, related_name="+")
    text = models.TextField(_("text"), blank=True)
    first_comment = models.TextField(_("first comment"), blank=True)
    options = models.JSONField(_("platform options"), default=dict, blank=True)
    media = models.ManyToManyField(MediaAsset, through="PostTargetMedia", related_name="+", blank=True)
    status = models.CharField(max_length=12, choices=TargetStatus.choices, default=TargetStatus.DRAFT)
    external_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    error_message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="uniq_target_per_account")]
        indexes = [
            models.Index(fields=["account", "status"], name="target_account_status"),
            # The publish pipeline's passes (claim scheduled, release queued, sweep publishing, settle
            # unknown) run every second: they read only the targets on their way, a few among millions
            # published, through this small partial index instead of scanning the table.
            models.Index(
                fields=["status"],
                name="target_in_pipeline",
                condition=models.Q(status__in=["scheduled", "queued", "publishing", "unknown"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} on {self.account_id}"


class PostTargetMedia(models.Model):
    """A media asset on a target, in order."""

    target = models.ForeignKey(PostTarget, on_delete=models.CASCADE, related_name="media_links")
    media = models.ForeignKey(MediaAsset, on_delete=models.RESTRICT, related_name="target_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["target", "media"], name="uniq_media_per_target")]

    def __str__(self) -> str:
        return f"{self.target_id}#{self.position}: {self.media_id}"


class PostVersion(WorkspaceScopedModel):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    content_hash = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=254, blank=True)
    change_summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["post_id", "number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="uniq_post_version")]

    def __str__(self) -> str:
        return f"{self.post_id} v{self.number}"


class PostingSlot(WorkspaceScopedModel):
    """A recurring time at which an account likes to post ("add to queue" takes the next free one).
    `time` is wall-clock time in the workspace's time zone; weekday 0 is Monday."""

    account = models.ForeignKey("channels_app.SocialAccount", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=[(i, str(i)) for i in range(7)])
    time = models.TimeField()

    class Meta:
        ordering = ["account_id", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["account", "weekday", "time"], name="uniq_posting_slot"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="posting_slot_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.weekday} {self.time:%H:%M}"


# --- iCal feeds -------------------------------------------------------------------------------------


class IcalFeed(models.Model):
    """A person's private calendar feed. Only the SHA-256 of its secret is stored; revoking ends it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ical_feeds")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name or 'iCal'} ({self.prefix}…)"


# --- bulk imports -----------------------------------------------------------------------------------


def import_upload_path(instance: ImportJob, filename: str) -> str:
    # Beside the workspace's media; the stored name is random (the original name is a column).
    return f"workspaces/{instance.workspace_id}/imports/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class ImportJob(WorkspaceScopedModel):
    """One CSV/XLSX upload of posts and its way through a Celery worker: read and validated (with a
    preview), then, when a person commits it, imported all or nothing. Statuses move only through
    content.imports.jobs (its TRANSITIONS is the table)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        VALIDATING = "validating", _("Reading and checking")
        INVALID = "invalid", _("Problems found")
        READY = "ready", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to=import_upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.BigIntegerField(_("size"), default=0)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)  # the one asked for; blank: every sheet
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=10, default="en")  # of the messages the worker writes
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # What was read: encoding and separator (CSV), sheets [{name, rows, read, note}] (XLSX).
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    sheets = models.JSONField(default=list, blank=True)
    # Progress: rows in the file, rows checked, posts written (while committing, live in the cache).
    total_rows = models.PositiveIntegerField(default=0)
    validated_rows = models.PositiveIntegerField(default=0)
    committed_rows = models.PositiveIntegerField(default=0)
    # [{sheet, row, column, message}] (at most content.importers.MAX_REPORTED) and how many there were.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # The first rows and every row with a problem, as read: [{sheet, row, values}].
    preview = models.JSONField(default=list, blank=True)
    posts = models.JSONField(default=list, blank=True)  # ids of the posts made
    # Rows that repeat an existing post or an earlier row (same account, time and text):
    # [{sheet, row, column, message, accounts}] (at most MAX_REPORTED) and how many rows there were.
    duplicates = models.JSONField(default=list, blank=True)
    duplicate_count = models.PositiveIntegerField(default=0)
    # The committer's choice: leave duplicates out (the default) or import them anyway.
    skip_duplicates = models.BooleanField(default=True)
    skipped_rows = models.PositiveIntegerField(default=0)  # rows left out as duplicates (committed)
    message = models.CharField(max_length=500, blank=True)  # why it failed (FAILED)
    # Set when the cleanup (content.import_files_expire) deleted the uploaded file of a settled job.
    file_expired_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["workspace", "-id"], name="import_job_ws_recent")]

    def __str__(self) -> str:
        return f"{self.original_name or 'import'} ({self.status})"

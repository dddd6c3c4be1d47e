"""Explicit input and output serializers for the content API. Inputs carry plain ids: the services look
them up inside the workspace (another workspace's id is a 400 naming the field)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from core import timezones

from ..models import (
    BannedWord,
    Campaign,
    IcalFeed,
    MediaAsset,
    Post,
    PostingSlot,
    PostTarget,
    Tag,
    TagGroup,
    TargetStatus,
)

PLATFORM_CHOICES = list(settings.PLATFORM_KEYS)


def _csv_list(child):
    """A query parameter given as repeated keys or comma-separated (`?accounts=1,2&accounts=3`)."""
    return serializers.ListField(child=child, required=False)


# --- output -----------------------------------------------------------------------------------------


class PostAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class PostCampaignRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    color = serializers.CharField()


class PostTagRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    color = serializers.CharField()
    group = serializers.IntegerField(source="group_id")


class PostTargetAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    handle = serializers.CharField()
    display_name = serializers.CharField()


class PostTargetSerializer(serializers.ModelSerializer):
    account = PostTargetAccountSerializer()
    media = serializers.SerializerMethodField()

    class Meta:
        model = PostTarget
        fields = [
            "id",
            "account",
            "text",
            "first_comment",
            "options",
            "media",
            "status",
            "external_id",
            "url",
            "published_at",
            "error_message",
        ]

    def get_media(self, target) -> list[int]:
        return [link.media_id for link in target.media_links.all()]


class PostSerializer(serializers.ModelSerializer):
    workspace = serializers.IntegerField(source="workspace_id", read_only=True)
    campaign = PostCampaignRefSerializer(allow_null=True)
    tags = PostTagRefSerializer(many=True)
    author = PostAuthorSerializer(allow_null=True)
    targets = PostTargetSerializer(many=True)
    compliance = serializers.JSONField()
    compliance_override = serializers.JSONField(allow_null=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "workspace",
            "title",
            "scheduled_at",
            "status",
            "version",
            "content_hash",
            "is_paid_or_kol",
            "campaign",
            "tags",
            "author",
            "targets",
            "compliance",
            "compliance_override",
            "created_at",
            "updated_at",
        ]


# The calendar reads thousands of posts a month: they are turned into JSON by these plain functions,
# which give exactly what PostSerializer documents (tests hold them equal) at a fraction of its cost:
# post_data for one loaded post, posts_data for a page read as plain rows (the calendar's lists).
_DATETIME = serializers.DateTimeField()


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def target_data(target) -> dict:
    account = target.account
    return {
        "id": target.pk,
        "account": {
            "id": account.pk,
            "platform": account.platform,
            "handle": account.handle,
            "display_name": account.display_name,
        },
        "text": target.text,
        "first_comment": target.first_comment,
        "options": target.options,
        "media": [link.media_id for link in target.media_links.all()],
        "status": target.status,
        "external_id": target.external_id,
        "url": target.url,
        "published_at": _datetime(target.published_at),
        "error_message": target.error_message,
    }


def post_data(post) -> dict:
    """PostSerializer(post).data for a post loaded with content.selectors.with_relations."""
    campaign, author = post.campaign, post.author
    return {
        "id": post.pk,
        "workspace": post.workspace_id,
        "title": post.title,
        "scheduled_at": _datetime(post.scheduled_at),
        "status": post.status,
        "version": post.version,
        "content_hash": post.content_hash,
        "is_paid_or_kol": post.is_paid_or_kol,
        "campaign": {"id": campaign.pk, "name": campaign.name, "color": campaign.color} if campaign else None,
        "tags": [
            {"id": t.pk, "name": t.name, "color": t.color, "group": t.group_id} for t in post.tags.all()
        ],
        "author": {"id": author.pk, "email": author.email, "full_name": author.full_name} if author else None,
        "targets": [target_data(t) for t in post.targets.all()],
        "compliance": post.compliance,
        "compliance_override": post.compliance_override,
        "created_at": _datetime(post.created_at),
        "updated_at": _datetime(post.updated_at),
    }


def _iso_in(tz):
    """DateTimeField.to_representation for aware times, in `tz` (the active zone) fixed once per page."""

    def iso(value):
        if value is None:
            return None
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


def _grouped(pairs) -> dict:
    """{key: [value, ...]} from (key, value) pairs, each list in the pairs' order."""
    groups: dict = {}
    for key, value in pairs:
        if (group := groups.get(key)) is None:
            groups[key] = [value]
        else:
            group.append(value)
    return groups


def _tags_by_post(rows) -> dict[int, list[dict]]:
    tags: dict[int, dict] = {}  # one object per tag on the page
    pairs = []
    for post_id, tag_id, name, color, group_id in rows:  # TAG_ROW_FIELDS
        if (tag := tags.get(tag_id)) is None:
            tag = tags[tag_id] = {"id": tag_id, "name": name, "color": color, "group": group_id}
        pairs.append((post_id, tag))
    return _grouped(pairs)


def _targets_by_post(rows, media: dict[int, list[int]], iso) -> dict[int, list[dict]]:
    accounts: dict[int, dict] = {}  # one object per account on the page
    pairs = []
    for (  # TARGET_ROW_FIELDS
        post_id,
        target_id,
        account_id,
        platform,
        handle,
        display_name,
        text,
        first_comment,
        options,
        status,
        external_id,
        url,
        published_at,
        error_message,
    ) in rows:
        if (account := accounts.get(account_id)) is None:
            account = accounts[account_id] = {
                "id": account_id,
                "platform": platform,
                "handle": handle,
                "display_name": display_name,
            }
        target = {
            "id": target_id,
            "account": account,
            "text": text,
            "first_comment": first_comment,
            "options": options,
            "media": media.get(target_id) or [],
            "status": status,
            "external_id": external_id,
            "url": url,
            "published_at": iso(published_at),
            "error_message": error_message,
        }
        pairs.append((post_id, target))
    return _grouped(pairs)


def posts_data(rows, relations) -> list[dict]:
    """post_data for each post of a page read as plain rows: `rows` from content.selectors.post_rows,
    `relations` from post_relation_rows of their ids. The same JSON (a test holds them equal) without a
    model instance per post, target, tag and media link, which cost the calendar most of its time.

    A campaign, author, tag or account is one object wherever it appears on the page, built once: the
    result is for rendering, not for editing in place."""
    iso = _iso_in(timezone.get_current_timezone())
    tags_of = _tags_by_post(relations.tags)
    targets_of = _targets_by_post(relations.targets, _grouped(relations.media), iso)
    campaigns: dict[int, dict] = {}
    authors: dict[int, dict] = {}
    data = []
    for post in rows:
        pk = post["id"]
        campaign_id, author_id = post["campaign_id"], post["author_id"]
        campaign, author = campaigns.get(campaign_id), authors.get(author_id)
        if campaign is None and campaign_id is not None:
            campaign = campaigns[campaign_id] = {
                "id": campaign_id,
                "name": post["campaign__name"],
                "color": post["campaign__color"],
            }
        if author is None and author_id is not None:
            author = authors[author_id] = {
                "id": author_id,
                "email": post["author__email"],
                "full_name": post["author__full_name"],
            }
        data.append(
            {
                "id": pk,
                "workspace": post["workspace_id"],
                "title": post["title"],
                "scheduled_at": iso(post["scheduled_at"]),
                "status": post["status"],
                "version": post["version"],
                "content_hash": post["content_hash"],
                "is_paid_or_kol": post["is_paid_or_kol"],
                "campaign": campaign,
                "tags": tags_of.get(pk) or [],
                "author": author,
                "targets": targets_of.get(pk) or [],
                "compliance": post["compliance"],
                "compliance_override": post["compliance_override"],
                "created_at": iso(post["created_at"]),
                "updated_at": iso(post["updated_at"]),
            }
        )
    return data


class PostChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    account = serializers.IntegerField(required=False)
    handle = serializers.CharField(required=False)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    diff = serializers.ListField(child=serializers.CharField(), required=False)
    segments = serializers.ListField(child=serializers.DictField(), required=False)


class PostHistoryEntrySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    author = serializers.IntegerField(allow_null=True)
    author_label = serializers.CharField()
    created_at = serializers.DateTimeField()
    summary = serializers.CharField()
    content_hash = serializers.CharField()
    changes = PostChangeSerializer(many=True)


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    # The banned-word severities are the findings' ones: one enum in the schema (FindingSeverityEnum).
    severity = serializers.ChoiceField(choices=BannedWord.Severity.choices)
    message = serializers.CharField()
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)
    start_utf16 = serializers.IntegerField(allow_null=True)
    end_utf16 = serializers.IntegerField(allow_null=True)
    platform = serializers.CharField(allow_null=True)
    field = serializers.ChoiceField(
        choices=["text", "first_comment"],
        help_text="The part of the post the finding and its span are in: the text or the first comment.",
    )
    params = serializers.DictField()


class TargetComplianceSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    account = serializers.IntegerField()
    platform = serializers.CharField()
    findings = FindingSerializer(many=True)


class PostComplianceSerializer(serializers.Serializer):
    blocking = serializers.BooleanField()
    warnings = serializers.IntegerField()
    targets = TargetComplianceSerializer(many=True)


class TextCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField()


class CheckFindingSerializer(FindingSerializer):
    target = serializers.IntegerField(
        allow_null=True,
        help_text="For a finding in a first comment: the index in `targets` of its target; else null.",
    )


class ComplianceCheckOutputSerializer(serializers.Serializer):
    blocking = serializers.BooleanField()
    findings = CheckFindingSerializer(many=True)
    counts = serializers.DictField(child=TextCountSerializer(), help_text="Per platform: length by its rule.")


class MediaAssetSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    uploaded_by = serializers.IntegerField(source="uploaded_by_id", allow_null=True)

    class Meta:
        model = MediaAsset
        fields = [
            "id",
            "original_name",
            "kind",
            "mime",
            "size",
            "width",
            "height",
            "duration_seconds",
            "frames",
            "checksum",
            "url",
            "thumbnail_url",
            "alt_text",
            "uploaded_by",
            "created_at",
        ]

    def get_url(self, media) -> str:
        return media.file.url if media.file else ""

    def get_thumbnail_url(self, media) -> str:
        return media.thumbnail.url if media.thumbnail else ""


class MediaAssetWithSuitabilitySerializer(MediaAssetSerializer):
    suitability = serializers.SerializerMethodField()

    class Meta(MediaAssetSerializer.Meta):
        fields = [*MediaAssetSerializer.Meta.fields, "suitability"]

    def get_suitability(self, media) -> dict[str, list[str]]:
        from ..media_inspect import suitability

        return suitability(media.info(), self.context.get("platforms") or PLATFORM_CHOICES)


class CampaignSerializer(serializers.ModelSerializer):
    owner = serializers.IntegerField(source="owner_id", allow_null=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "starts_on", "ends_on", "objective", "owner", "color", "created_at"]


class TagSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id")

    class Meta:
        model = Tag
        fields = ["id", "group", "name", "color"]


class TagGroupSerializer(serializers.ModelSerializer):
    tags = TagSerializer(many=True)

    class Meta:
        model = TagGroup
        fields = ["id", "name", "required", "exclusive", "tags"]


class BannedWordSerializer(serializers.ModelSerializer):
    word_list = serializers.IntegerField(source="word_list_id", allow_null=True)

    class Meta:
        model = BannedWord
        fields = ["id", "word", "severity", "note", "word_list", "created_at"]


class PostingSlotSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id")

    class Meta:
        model = PostingSlot
        fields = ["id", "account", "weekday", "time"]


class IcalFeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = IcalFeed
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]


class IcalFeedCreatedSerializer(IcalFeedSerializer):
    url = serializers.CharField(help_text="The private feed URL; shown in this response only.")

    class Meta(IcalFeedSerializer.Meta):
        fields = [*IcalFeedSerializer.Meta.fields, "url"]


# --- input ------------------------------------------------------------------------------------------


class WallDateTimeField(serializers.DateTimeField):
    """A date and time as sent. With a UTC offset (or Z) it is that instant, whatever the workspace's zone.
    Without one it is a wall-clock time in the workspace's zone, kept naive here and turned into an
    instant by the serializer (core.timezones.wall_to_instant, with `time_choice`)."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            return value
        return super().enforce_timezone(value)


TIME_CHOICE_HELP = (
    "For a `scheduled_at` without a UTC offset that the workspace's clocks skip or repeat: `first` or "
    "`second` for a time that happens twice (a fall-back day's 01:30), `nearest` to move a time that does "
    "not exist (a spring-forward day's 02:30) forward past the gap. Without it such a time is refused "
    "(400, `nonexistent_time` / `ambiguous_time`, with `error.options`). An explicit offset always wins."
)


class _WallTimeInput(serializers.Serializer):
    """`scheduled_at` as a wall time or an instant, and the choice a clock change may need. Validated
    data carries the instant, and `time_note` ("" or how the time was settled, for the answer)."""

    time_choice = serializers.ChoiceField(
        choices=list(timezones.CHOICES), required=False, help_text=TIME_CHOICE_HELP
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        choice = attrs.pop("time_choice", None)
        value = attrs.get("scheduled_at")
        if value is not None and timezone.is_naive(value):
            resolved = timezones.wall_to_instant(
                value, timezone.get_current_timezone(), choice=choice, field="scheduled_at"
            )
            attrs["scheduled_at"] = resolved.instant.astimezone(timezone.get_current_timezone())
            if resolved.note:
                attrs["time_note"] = (
                    f"how={resolved.how}; asked={value.isoformat()}; "
                    f"scheduled_at={attrs['scheduled_at'].isoformat()}"
                )
        return attrs


class TargetInputSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    text = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    media = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    first_comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    options = serializers.DictField(required=False, default=dict)


class PostCreateSerializer(_WallTimeInput):
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    targets = TargetInputSerializer(many=True, allow_empty=False)
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    scheduled_at = WallDateTimeField(required=False, allow_null=True, default=None)
    is_paid_or_kol = serializers.BooleanField(required=False, default=False)


class PostUpdateSerializer(_WallTimeInput):
    version = serializers.IntegerField(help_text="The version you edited; a stale one is refused with 409.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    targets = TargetInputSerializer(many=True, required=False, allow_empty=False)
    campaign = serializers.IntegerField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False)
    scheduled_at = WallDateTimeField(required=False, allow_null=True)
    is_paid_or_kol = serializers.BooleanField(required=False)


class PostScheduleSerializer(_WallTimeInput):
    scheduled_at = WallDateTimeField(required=False, allow_null=True, default=None)
    override_warnings = serializers.BooleanField(
        required=False, default=False, help_text="Schedule despite compliance warnings (recorded)."
    )
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class PostRescheduleSerializer(_WallTimeInput):
    scheduled_at = WallDateTimeField()
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class PostVersionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class PostComplianceOverrideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=False, trim_whitespace=True)


class PostQueueSerializer(serializers.Serializer):
    override_warnings = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class PostDuplicateSerializer(_WallTimeInput):
    scheduled_at = WallDateTimeField(required=False, allow_null=True, default=None)


class CalendarFilterSerializer(serializers.Serializer):
    start = WallDateTimeField(
        required=False,
        help_text="From (inclusive), on the scheduled time. Without an offset: a wall time in the "
        "workspace's zone (where the clocks skip it, where they jumped to; where they repeat it, the first).",
    )
    end = WallDateTimeField(required=False, help_text="Until (exclusive), read as `start` is.")
    accounts = _csv_list(serializers.IntegerField())
    platforms = _csv_list(serializers.ChoiceField(choices=PLATFORM_CHOICES))
    campaign = serializers.IntegerField(required=False)
    tags = _csv_list(serializers.IntegerField())
    status = _csv_list(serializers.ChoiceField(choices=TargetStatus.choices))
    author = serializers.IntegerField(required=False)

    def to_internal_value(self, data):
        # Accept repeated keys and comma-separated values alike.
        flat = {}
        for key in self.fields:
            if key not in data:
                continue
            if isinstance(self.fields[key], serializers.ListField):
                values = data.getlist(key) if hasattr(data, "getlist") else data[key]
                if isinstance(values, str):
                    values = [values]
                flat[key] = [part for value in values for part in str(value).split(",") if part]
            else:
                flat[key] = data[key]
        return super().to_internal_value(flat)

    def validate(self, attrs):
        for key in ("start", "end"):
            if attrs.get(key) is not None:
                attrs[key] = timezones.range_bound(attrs[key], timezone.get_current_timezone())
        if attrs.get("start") and attrs.get("end") and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must be after the start.")]})
        return attrs


class UserCalendarFilterSerializer(CalendarFilterSerializer):
    workspaces = _csv_list(serializers.IntegerField())


class CheckTargetInputSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    first_comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class ComplianceCheckInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=PLATFORM_CHOICES), required=False, default=list
    )
    accounts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    targets = CheckTargetInputSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Accounts whose text this is, each with its first comment (checked where the platform "
        "posts one; refused like a post's, on `targets.N.first_comment`, where it doesn't).",
    )
    media = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    is_paid_or_kol = serializers.BooleanField(required=False, default=False)
    options = serializers.DictField(required=False, default=dict)


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    alt_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=PLATFORM_CHOICES), required=False, default=list
    )
    accounts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class MediaUpdateSerializer(serializers.Serializer):
    alt_text = serializers.CharField(allow_blank=True, max_length=1000)


class MediaFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MediaAsset.Kind.choices, required=False)


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    objective = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.IntegerField(required=False, allow_null=True, help_text="A workspace member id.")
    color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)


class TagGroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    required = serializers.BooleanField(required=False)
    exclusive = serializers.BooleanField(required=False)


class TagInputSerializer(serializers.Serializer):
    group = serializers.IntegerField()
    name = serializers.CharField(max_length=80)
    color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)


class BannedWordInputSerializer(serializers.Serializer):
    word = serializers.CharField(max_length=100)
    severity = serializers.ChoiceField(choices=BannedWord.Severity.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    word_list = serializers.IntegerField(required=False, allow_null=True)


class PostingSlotInputSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday.")
    time = serializers.TimeField(help_text="Wall-clock time in the workspace's time zone.")


class PostingSlotFilterSerializer(serializers.Serializer):
    account = serializers.IntegerField(required=False)


class IcalFeedCreateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

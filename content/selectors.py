"""Reads for content. Every selector takes the workspace first (or, for the cross-workspace calendar, the
person, whose workspaces are resolved through accounts.selectors).

The calendar loads a page of posts with everything the API shows in a fixed number of queries whatever
the number of posts: one for the posts (with campaign and author joined), one each for tags, targets
(with accounts joined) and target media. A month of a busy workspace is thousands of posts, so the
calendar reads them as plain rows (`post_rows`, `post_relation_rows`, `calendar_event_rows`): building a
model instance per row cost several times the SQL itself (bench/calendar_month.py).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime

from accounts.models import Workspace
from accounts.roles import Capability
from accounts.selectors import workspace_accesses_for_user

from .models import (
    BannedWord,
    Campaign,
    IcalFeed,
    MediaAsset,
    Post,
    PostingSlot,
    PostTarget,
    PostTargetMedia,
    PostVersion,
    Tag,
    TagGroup,
    TargetStatus,
)


def with_relations(queryset: QuerySet[Post]) -> QuerySet[Post]:
    return queryset.select_related("campaign", "author").prefetch_related(
        "tags",
        Prefetch(
            "targets",
            queryset=PostTarget.objects.select_related("account").prefetch_related(
                Prefetch("media_links", queryset=PostTargetMedia.objects.select_related("media"))
            ),
        ),
    )


def posts_filter(
    queryset: QuerySet[Post],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    accounts: Sequence[int] = (),
    platforms: Sequence[str] = (),
    campaign: int | None = None,
    tags: Sequence[int] = (),
    status: Sequence[str] = (),
    author: int | None = None,
) -> QuerySet[Post]:
    """Narrow posts: [start, end) on the scheduled time; any of `accounts`, `platforms`, `tags`,
    `status` (of any target); the campaign and the author."""
    queryset = queryset.filter(deleted_at__isnull=True)
    if start is not None:
        queryset = queryset.filter(scheduled_at__gte=start)
    if end is not None:
        queryset = queryset.filter(scheduled_at__lt=end)
    targets = PostTarget.objects.filter(post_id=OuterRef("pk"))
    if accounts:
        queryset = queryset.filter(Exists(targets.filter(account_id__in=accounts)))
    if platforms:
        queryset = queryset.filter(Exists(targets.filter(account__platform__in=platforms)))
    if status:
        queryset = queryset.filter(Exists(targets.filter(status__in=status)))
    if tags:
        tagged = Post.tags.through.objects.filter(post_id=OuterRef("pk"), tag_id__in=tags)
        queryset = queryset.filter(Exists(tagged))
    if campaign:
        queryset = queryset.filter(campaign_id=campaign)
    if author:
        queryset = queryset.filter(author_id=author)
    return queryset


def posts_scheduled_between(workspace: Workspace, *, start: datetime, end: datetime, limit: int = 50):
    """The workspace's posts planned in [start, end) (not deleted, not cancelled), in time order: one
    query, variants not loaded."""
    return list(
        Post.objects.filter(workspace=workspace, deleted_at__isnull=True, scheduled_at__gte=start)
        .filter(scheduled_at__lt=end)
        .exclude(status=TargetStatus.CANCELLED)
        .order_by("scheduled_at", "id")[:limit]
    )


def targets_with_status(workspace: Workspace, *, statuses: Sequence[str], limit: int = 50):
    """The workspace's variants in `statuses` (e.g. failed, unknown) with their post and account, most
    recently changed first: one query."""
    return list(
        PostTarget.objects.filter(
            workspace=workspace, status__in=list(statuses), post__deleted_at__isnull=True
        )
        .select_related("post", "account")
        .order_by("-updated_at", "-id")[:limit]
    )


def viewable_workspace_ids(*, user) -> list[int]:
    return [a.workspace.pk for a in workspace_accesses_for_user(user=user) if a.can(Capability.POST_VIEW)]


def posts_for_user(*, user, workspaces: Sequence[int] = (), **filters) -> QuerySet[Post]:
    """The posts of every workspace the person may see posts of (an agency member's clients, a brand's
    workspaces), optionally narrowed to some of them, filtered by posts_filter; no relations loaded."""
    ids = viewable_workspace_ids(user=user)
    if workspaces:
        ids = [i for i in ids if i in set(workspaces)]
    return posts_filter(Post.objects.filter(workspace_id__in=ids), **filters)


def calendar_posts_for_user(*, user, workspaces: Sequence[int] = (), **filters) -> QuerySet[Post]:
    """The same calendar across the person's workspaces (posts_for_user), everything the API shows
    loaded."""
    return with_relations(posts_for_user(user=user, workspaces=workspaces, **filters)).select_related(
        "workspace"
    )


# --- the calendar as plain rows ---------------------------------------------------------------------

# What the API shows of a post, its tags and its targets (content.api.serializers.posts_data shapes them).
POST_ROW_FIELDS = (
    "id",
    "workspace_id",
    "title",
    "scheduled_at",
    "status",
    "version",
    "content_hash",
    "is_paid_or_kol",
    "compliance",
    "compliance_override",
    "created_at",
    "updated_at",
    "campaign_id",
    "campaign__name",
    "campaign__color",
    "author_id",
    "author__email",
    "author__full_name",
)
TAG_ROW_FIELDS = ("post_id", "tag_id", "tag__name", "tag__color", "tag__group_id")
TARGET_ROW_FIELDS = (
    "post_id",
    "id",
    "account_id",
    "account__platform",
    "account__handle",
    "account__display_name",
    "text",
    "first_comment",
    "options",
    "status",
    "external_id",
    "url",
    "published_at",
    "error_message",
)


def post_rows(posts: QuerySet[Post]) -> QuerySet[Post]:
    """The posts as dicts of POST_ROW_FIELDS (campaign and author joined): one query; paginate it."""
    return posts.values(*POST_ROW_FIELDS)


@dataclass(frozen=True)
class PostRelationRows:
    """The relations of some posts as flat lists of tuples, each in the order the models define."""

    tags: list[tuple]  # TAG_ROW_FIELDS, by group and name
    targets: list[tuple]  # TARGET_ROW_FIELDS, by id
    media: list[tuple[int, int]]  # (target id, media id), by position


def _ids_in(ids: list[int]) -> RawSQL:
    """The right side of `__in` for ids this request read from the database: only placeholders, the ids
    go as parameters. A plain list makes Django prepare every value one by one (normalise, validate,
    convert), which for a calendar page's 500 posts and their 1,000 targets cost about a quarter of
    reading their relations."""
    return RawSQL(", ".join(["%s"] * len(ids)), ids)  # noqa: S611 (placeholders only)


def post_relation_rows(post_ids: Sequence[int]) -> PostRelationRows:
    """Tags, targets (with accounts) and target media of these posts: three queries whatever their
    number, none for no posts. The ids come from a workspace-scoped read (post_rows)."""
    if not post_ids:
        return PostRelationRows(tags=[], targets=[], media=[])
    post_ids = [int(pk) for pk in post_ids]
    tags = list(
        Post.tags.through.objects.filter(post_id__in=_ids_in(post_ids))
        .order_by("tag__group_id", "tag__name")
        .values_list(*TAG_ROW_FIELDS)
    )
    targets = list(
        PostTarget.objects.filter(post_id__in=_ids_in(post_ids))
        .order_by("id")
        .values_list(*TARGET_ROW_FIELDS)
    )
    media = []
    if targets:
        media = list(
            PostTargetMedia.objects.filter(target_id__in=_ids_in([row[1] for row in targets]))
            .order_by("position", "id")
            .values_list("target_id", "media_id")
        )
    return PostRelationRows(tags=tags, targets=targets, media=media)


EVENT_POST_FIELDS = (
    "id",
    "workspace_id",
    "title",
    "scheduled_at",
    "status",
    "version",
    "campaign__name",
    "campaign__color",
)
EVENT_TARGET_FIELDS = ("post_id", "account__platform", "account__handle", "status", "text")
# The posts as dicts of EVENT_POST_FIELDS, in time order; by post id, its targets as EVENT_TARGET_FIELDS.
EventRows = tuple[list[dict], dict[int, list[tuple]]]


def _event_rows(posts: QuerySet[Post], extra: Sequence[str] = ()) -> EventRows:
    rows = list(posts.order_by("scheduled_at", "id").values(*EVENT_POST_FIELDS, *extra))
    targets: dict[int, list[tuple]] = defaultdict(list)
    if rows:
        target_rows = (
            PostTarget.objects.filter(post_id__in=_ids_in([row["id"] for row in rows]))
            .order_by("id")
            .values_list(*EVENT_TARGET_FIELDS)
        )
        for row in target_rows:
            targets[row[0]].append(row)
    return rows, targets


def calendar_event_rows(workspace: Workspace, **filters) -> EventRows:
    """What the calendar page shows of the workspace's posts (see posts_filter), as EventRows: two
    queries whatever the number of posts."""
    return _event_rows(posts_filter(Post.objects.filter(workspace=workspace), **filters))


def calendar_event_rows_for_user(*, user, workspaces: Sequence[int] = (), **filters) -> EventRows:
    """calendar_event_rows across the person's workspaces (posts_for_user), each post also with its
    workspace's name and time zone (`workspace__name`, `workspace__timezone`)."""
    posts = posts_for_user(user=user, workspaces=workspaces, **filters)
    return _event_rows(posts, ("workspace__name", "workspace__timezone"))


def post_versions(workspace: Workspace, post: Post) -> QuerySet[PostVersion]:
    return (
        PostVersion.objects.filter(workspace=workspace, post=post).select_related("author").order_by("number")
    )


# --- history with diffs -----------------------------------------------------------------------------

_POST_FIELDS = ("title", "scheduled_at", "campaign", "tags", "is_paid_or_kol")
_TARGET_TEXT_FIELDS = ("text", "first_comment")


def post_history(workspace: Workspace, post: Post) -> list[dict]:
    """Who changed what and when: each version, newest first, with per-field changes against the one
    before it. Text changes carry a line diff (difflib.unified_diff) and character segments
    (difflib.SequenceMatcher: equal/insert/delete runs) for highlighting."""
    tz = workspace.tzinfo
    versions = list(post_versions(workspace, post))
    history = []
    previous = None
    for version in versions:
        history.append(
            {
                "number": version.number,
                "author": version.author_id,
                "author_label": version.author_label,
                "created_at": version.created_at,
                "summary": version.change_summary,
                "content_hash": version.content_hash,
                "changes": snapshot_diff(previous.snapshot if previous else None, version.snapshot, tz=tz),
            }
        )
        previous = version
    return list(reversed(history))


def _display(field: str, value, tz):
    if value is None:
        return None
    if field == "scheduled_at":
        parsed = parse_datetime(value)
        return parsed.astimezone(tz).isoformat() if parsed else value
    if field == "campaign":
        return value.get("name")
    if field == "tags":
        return ", ".join(t["name"] for t in value)
    return value


def _segments(before: str, after: str) -> list[dict]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    segments = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append({"op": "equal", "text": before[i1:i2]})
            continue
        if op in ("delete", "replace"):
            segments.append({"op": "delete", "text": before[i1:i2]})
        if op in ("insert", "replace"):
            segments.append({"op": "insert", "text": after[j1:j2]})
    return segments


def _text_change(field: str, account: dict, before: str, after: str) -> dict:
    return {
        "field": f"targets.{account['account']}.{field}",
        "account": account["account"],
        "handle": account.get("handle", ""),
        "before": before,
        "after": after,
        "diff": list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2))[2:],
        "segments": _segments(before, after),
    }


def snapshot_diff(before: dict | None, after: dict, *, tz) -> list[dict]:
    """Per-field changes from one version's snapshot to the next ([] for the first version)."""
    if before is None:
        return []
    changes = []
    for field in _POST_FIELDS:
        if before.get(field) != after.get(field):
            changes.append(
                {
                    "field": field,
                    "before": _display(field, before.get(field), tz),
                    "after": _display(field, after.get(field), tz),
                }
            )
    old = {t["account"]: t for t in before.get("targets", [])}
    new = {t["account"]: t for t in after.get("targets", [])}
    for account_id in sorted(set(old) | set(new)):
        was, now = old.get(account_id), new.get(account_id)
        if was is None or now is None:
            target = now or was
            changes.append(
                {
                    "field": "targets",
                    "account": account_id,
                    "handle": target.get("handle", ""),
                    "before": None if was is None else was.get("handle", ""),
                    "after": None if now is None else now.get("handle", ""),
                }
            )
            continue
        for field in _TARGET_TEXT_FIELDS:
            if was.get(field, "") != now.get(field, ""):
                changes.append(_text_change(field, now, was.get(field, ""), now.get(field, "")))
        for field in ("media", "options", "status"):
            if was.get(field) != now.get(field):
                display = (
                    (lambda v: ", ".join(m["name"] or str(m["id"]) for m in v))
                    if field == "media"
                    else (lambda v: v)
                )
                changes.append(
                    {
                        "field": f"targets.{account_id}.{field}",
                        "account": account_id,
                        "handle": now.get("handle", ""),
                        "before": display(was.get(field)),
                        "after": display(now.get(field)),
                    }
                )
    return changes


# --- the rest ---------------------------------------------------------------------------------------


def media_assets(workspace: Workspace, *, kind: str = "") -> QuerySet[MediaAsset]:
    assets = MediaAsset.objects.filter(workspace=workspace).select_related("uploaded_by")
    return assets.filter(kind=kind) if kind else assets


def campaigns(workspace: Workspace) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=workspace).select_related("owner__user")


def campaigns_with_post_counts(workspace: Workspace) -> QuerySet[Campaign]:
    """The campaigns with `post_count`: their posts that are not deleted."""
    return campaigns(workspace).annotate(post_count=Count("posts", filter=Q(posts__deleted_at__isnull=True)))


def tag_groups(workspace: Workspace) -> QuerySet[TagGroup]:
    return TagGroup.objects.filter(workspace=workspace).prefetch_related("tags")


def tags(workspace: Workspace) -> QuerySet[Tag]:
    return Tag.objects.filter(workspace=workspace).select_related("group")


def banned_words(workspace: Workspace) -> QuerySet[BannedWord]:
    return BannedWord.objects.filter(workspace=workspace)


def posting_slots(workspace: Workspace, *, account: int | None = None) -> QuerySet[PostingSlot]:
    slots = PostingSlot.objects.filter(workspace=workspace)
    return slots.filter(account_id=account) if account else slots


def ical_feeds_for_user(*, user) -> QuerySet[IcalFeed]:
    return IcalFeed.objects.filter(user=user, revoked_at__isnull=True)

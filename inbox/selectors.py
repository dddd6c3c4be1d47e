"""The inbox's reads. Every selector takes the workspace first (or, for the person's own queue, the
workspaces they may work) and never returns another tenant's rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet

from accounts.roles import Capability as C
from analytics.selectors.days import day_bounds

from .business_hours import business_minutes
from .models import (
    Fan,
    InboxItem,
    InboxNote,
    InboxReply,
    InboxRule,
    InboxSettings,
    SavedQueueView,
    SavedReply,
)


@dataclass(frozen=True)
class ItemFilters:
    status: str = ""
    kind: str = ""
    platform: str = ""
    account_id: int | None = None
    assignee_id: int | None = None  # 0: unassigned
    sentiment: str = ""
    priority: str = ""
    tag: str = ""
    q: str = ""
    include_ours: bool = False  # our own replies are part of threads, not of the queue
    hidden: bool = False  # the items hidden (by a rule or a person) instead of the others


def _filtered(queryset: QuerySet[InboxItem], filters: ItemFilters) -> QuerySet[InboxItem]:
    if not filters.include_ours:
        queryset = queryset.filter(from_us=False, hidden_at__isnull=not filters.hidden)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.platform:
        queryset = queryset.filter(account__platform=filters.platform)
    if filters.account_id:
        queryset = queryset.filter(account_id=filters.account_id)
    if filters.assignee_id is not None:
        queryset = queryset.filter(assignee_id=filters.assignee_id or None)
    if filters.sentiment:
        queryset = queryset.filter(sentiment=filters.sentiment)
    if filters.priority:
        queryset = queryset.filter(priority=filters.priority)
    if filters.tag:
        queryset = queryset.filter(tags__contains=[filters.tag])
    if filters.q:
        queryset = queryset.filter(
            Q(text__icontains=filters.q)
            | Q(fan__handle__icontains=filters.q)
            | Q(fan__display_name__icontains=filters.q)
        )
    return queryset


def inbox_items(workspace, *, filters: ItemFilters | None = None) -> QuerySet[InboxItem]:
    queryset = InboxItem.objects.filter(workspace=workspace).select_related(
        "account", "fan", "assignee", "conversation", "workspace"
    )
    return _filtered(queryset, filters or ItemFilters()).order_by("-sent_at", "-id")


def inbox_queue_for_user(*, user, filters: ItemFilters | None = None) -> QuerySet[InboxItem]:
    """One queue across every workspace the person may work the inbox of."""
    from accounts.selectors import workspace_accesses_for_user

    workspace_ids = [
        access.workspace.pk for access in workspace_accesses_for_user(user=user) if access.can(C.INBOX_VIEW)
    ]
    queryset = InboxItem.objects.filter(workspace_id__in=workspace_ids).select_related(
        "account", "fan", "assignee", "conversation", "workspace"
    )
    return _filtered(queryset, filters or ItemFilters()).order_by("-sent_at", "-id")


def inbox_item_thread(workspace, *, item: InboxItem) -> QuerySet[InboxItem]:
    """The item's conversation, oldest first, ours included."""
    return (
        InboxItem.objects.filter(workspace=workspace, conversation_id=item.conversation_id)
        .select_related("fan", "account", "answered_by")
        .order_by("sent_at", "id")
    )


def inbox_item_notes(workspace, *, item: InboxItem) -> QuerySet[InboxNote]:
    return InboxNote.objects.filter(workspace=workspace, item=item).select_related("author")


@dataclass(frozen=True)
class FanProfile:
    fan: Fan
    items: int
    first_at: object
    last_at: object
    accounts: list[dict]  # per account of ours: id, handle, platform, items
    recent: list[InboxItem]


def fan_profile(workspace, *, fan: Fan, recent: int = 20) -> FanProfile:
    """The fan and their history with every account of the workspace."""
    items = InboxItem.objects.filter(workspace=workspace, fan=fan)
    totals = items.aggregate(count=Count("id"), first=Min("sent_at"), last=Max("sent_at"))
    per_account = (
        items.values("account_id", "account__handle", "account__platform")
        .annotate(items=Count("id"))
        .order_by("-items", "account_id")
    )
    return FanProfile(
        fan=fan,
        items=totals["count"],
        first_at=totals["first"],
        last_at=totals["last"],
        accounts=[
            {
                "id": row["account_id"],
                "handle": row["account__handle"],
                "platform": row["account__platform"],
                "items": row["items"],
            }
            for row in per_account
        ],
        recent=list(items.select_related("account").order_by("-sent_at", "-id")[:recent]),
    )


def inbox_item_replies(workspace, *, item: InboxItem) -> QuerySet[InboxReply]:
    return (
        InboxReply.objects.filter(workspace=workspace, item=item)
        .select_related("author")
        .order_by("created_at", "id")
    )


def reply_images(workspace, item: InboxItem) -> list:
    """The library images a reply to `item` may carry (the newest 50), where its platform takes one."""
    from channels_app.connectors.registry import connector_class
    from content.selectors import media_assets

    if not connector_class(item.account.platform).capabilities.reply_media:
        return []
    return list(media_assets(workspace, kind="image").order_by("-pk")[:50])


def reply_media(workspace, media_id):
    """The media library item a reply carries (None without one); another workspace's is a field error."""
    from django.utils.translation import gettext as _

    from content.selectors import media_assets
    from core.errors import ValidationFailed

    if media_id is None:
        return None
    media = media_assets(workspace).filter(pk=media_id).first()
    if media is None:
        raise ValidationFailed(_("Choose an image from this workspace's media library."), field="media")
    return media


def saved_replies(workspace) -> QuerySet[SavedReply]:
    return SavedReply.objects.filter(workspace=workspace).order_by("name", "id")


@dataclass(frozen=True)
class Sla:
    due_at: object  # when the first response is due (aware), or None
    overdue: bool


def first_response_sla(items, *, now, settings_for) -> dict[int, Sla]:
    """The first-response timer of each unanswered fan item, from its workspace's business hours
    (`settings_for(workspace_id)` -> InboxSettings). Answered, closed and our own items have none."""
    from .business_hours import business_deadline

    timers: dict[int, Sla] = {}
    for item in items:
        if item.from_us or item.answered_at is not None or item.status == "closed" or item.removed_at:
            continue
        settings_row = settings_for(item.workspace_id)
        due = business_deadline(
            item.sent_at,
            settings_row.first_response_minutes,
            tz=item.workspace.tzinfo,
            days=set(settings_row.business_days),
            opens=settings_row.opens_at,
            closes=settings_row.closes_at,
        )
        if due is not None:
            timers[item.pk] = Sla(due, due <= now)
    return timers


def inbox_rules(workspace) -> QuerySet[InboxRule]:
    return (
        InboxRule.objects.filter(workspace=workspace)
        .select_related("account", "assign_to")
        .order_by("position", "id")
    )


def saved_queue_views(workspace, *, user) -> QuerySet[SavedQueueView]:
    """One person's saved queue views in this workspace (nobody else's)."""
    return SavedQueueView.objects.filter(workspace=workspace, user=user).order_by("name", "id")


def first_response_minutes(workspace, *, start, end, account_ids=None) -> list[float]:
    """How long each fan item sent on the workspace days [start, end] (both inclusive) waited for its
    first response, in minutes of the workspace's business hours (the SLA's own clock, InboxSettings);
    wall-clock minutes when its hours are empty. Unanswered, removed and our own items have none."""
    settings_row = InboxSettings.objects.filter(workspace=workspace).first() or InboxSettings(
        workspace=workspace
    )
    lower, upper = day_bounds(workspace, start, end)
    items = InboxItem.objects.filter(
        workspace=workspace,
        from_us=False,
        removed_at__isnull=True,
        answered_at__isnull=False,
        sent_at__gte=lower,
        sent_at__lt=upper,
    )
    if account_ids is not None:
        items = items.filter(account_id__in=account_ids)
    waits = []
    for sent_at, answered_at in items.values_list("sent_at", "answered_at"):
        minutes = business_minutes(
            sent_at,
            answered_at,
            tz=workspace.tzinfo,
            days=set(settings_row.business_days),
            opens=settings_row.opens_at,
            closes=settings_row.closes_at,
        )
        waits.append(minutes if minutes is not None else max((answered_at - sent_at).total_seconds(), 0) / 60)
    return waits

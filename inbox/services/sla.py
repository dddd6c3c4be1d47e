"""The inbox's response targets and their alerts. Two targets per fan message, both counted in the
workspace's business hours (inbox.business_hours, its time zone): the first response (met when the item
is answered or closed) and the resolution (met when it is closed). `inbox_sla_alerts` (beat, every minute)
warns `warning_minutes` before a target and again when it is missed: the item's assignee, or the
workspace's inbox managers (inbox.assign) when nobody has it. Each notice goes out once per item, target and
stage: an InboxSlaNotice row is inserted first (its unique constraint decides between racing workers) and
the notice is written in the same transaction. An item first seen already past a target gets only the
breach notice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability as C

from ..business_hours import business_deadline
from ..models import InboxItem, InboxSettings, InboxSlaNotice, ItemStatus
from .settings import inbox_settings_get

# Items older than this are not looked at by the alert task (a target is at most 7 days of business time).
LOOKBACK = datetime.timedelta(days=60)


@dataclass(frozen=True)
class Targets:
    first_response: datetime.datetime | None  # None: met, or no business hours
    resolution: datetime.datetime | None


def item_targets(item: InboxItem, settings_row: InboxSettings) -> Targets:
    """When the item's open targets fall due (aware datetimes), from its workspace's business hours."""
    if item.from_us or item.removed_at or item.hidden_at or item.status == ItemStatus.CLOSED:
        return Targets(None, None)

    def due(minutes: int):
        return business_deadline(
            item.sent_at,
            minutes,
            tz=item.workspace.tzinfo,
            days=set(settings_row.business_days),
            opens=settings_row.opens_at,
            closes=settings_row.closes_at,
        )

    first = None if item.answered_at is not None else due(settings_row.first_response_minutes)
    return Targets(first, due(settings_row.resolution_minutes))


def _managers(workspace) -> list:
    from accounts.selectors import workspace_members
    from core import tenancy

    people = []
    for member in workspace_members(workspace):
        access = tenancy.workspace_access_for(user=member.user, workspace_id=workspace.pk)
        if access is not None and access.can(C.INBOX_ASSIGN):
            people.append(member.user)
    return people


def _message(target: str, stage: str, excerpt: str, due_at: datetime.datetime, tz) -> str:
    when = formats.date_format(due_at.astimezone(tz), "Y-m-d H:i")
    texts = {
        ("first_response", "soon"): _("First response due at %(time)s for “%(text)s”"),
        ("first_response", "breached"): _("First response missed (due %(time)s) for “%(text)s”"),
        ("resolution", "soon"): _("Resolution due at %(time)s for “%(text)s”"),
        ("resolution", "breached"): _("Resolution missed (due %(time)s) for “%(text)s”"),
    }
    return texts[(target, stage)] % {"time": when, "text": excerpt}


def _send(item: InboxItem, *, target: str, stage: str, due_at) -> bool:
    """Record and send one notice; False when it was already sent."""
    from approvals.models import InboxNotificationKind
    from approvals.notices import notify

    try:
        with transaction.atomic():
            InboxSlaNotice.objects.create(item=item, target=target, stage=stage, due_at=due_at)
            recipients = [item.assignee] if item.assignee_id else _managers(item.workspace)
            excerpt = (item.text or "")[:60]
            tz = item.workspace.tzinfo
            notify(
                recipients,
                kind=InboxNotificationKind.INBOX_SLA_SOON
                if stage == InboxSlaNotice.Stage.SOON
                else InboxNotificationKind.INBOX_SLA_BREACHED,
                workspace_id=item.workspace_id,
                message=lambda: _message(target, stage, excerpt, due_at, tz),
                link=reverse("inbox:item", args=[item.workspace_id, item.pk]),
            )
    except IntegrityError:
        return False
    return True


def inbox_sla_alerts(*, now: datetime.datetime | None = None) -> list[tuple[int, str, str]]:
    """Send the warnings and breach notices due at `now` (see the module's docstring). Returns
    (item id, target, stage) for each notice sent."""
    now = now or timezone.now()
    items = (
        InboxItem.objects.filter(
            from_us=False,
            removed_at__isnull=True,
            hidden_at__isnull=True,
            status__in=[ItemStatus.OPEN, ItemStatus.PENDING],
            sent_at__gte=now - LOOKBACK,
            sent_at__lte=now,
        )
        .select_related("workspace", "assignee")
        .order_by("pk")
    )
    sent_before: dict[int, set[tuple[str, str]]] = {}
    for notice in InboxSlaNotice.objects.filter(item__in=items).values("item_id", "target", "stage"):
        sent_before.setdefault(notice["item_id"], set()).add((notice["target"], notice["stage"]))
    settings_cache: dict[int, InboxSettings] = {}
    sent = []
    for item in items:
        if item.workspace_id not in settings_cache:
            settings_cache[item.workspace_id] = inbox_settings_get(item.workspace)
        settings_row = settings_cache[item.workspace_id]
        targets = item_targets(item, settings_row)
        warning = datetime.timedelta(minutes=settings_row.warning_minutes)
        done = sent_before.get(item.pk, set())
        for target, due_at in (
            ("first_response", targets.first_response),
            ("resolution", targets.resolution),
        ):
            if due_at is None:
                continue
            if now >= due_at:
                stage = InboxSlaNotice.Stage.BREACHED
            elif now >= due_at - warning and (target, InboxSlaNotice.Stage.BREACHED) not in done:
                stage = InboxSlaNotice.Stage.SOON
            else:
                continue
            if (target, stage) in done:
                continue
            if _send(item, target=target, stage=stage, due_at=due_at):
                sent.append((item.pk, target, str(stage)))
    return sent

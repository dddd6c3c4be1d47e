"""What people do to inbox items: status, priority and tags, assignment, internal notes, bulk close.
Each is atomic, takes `actor=`, writes an audit row and bumps the item's `version`, so a change made on a
stale view (someone else changed the item since the person loaded it) is refused with who changed it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import Capability as C
from core import tenancy
from core.audit import audit_record, snapshot
from core.errors import Conflict, ValidationFailed

from ..models import InboxItem, InboxNote, ItemStatus, Priority
from .rule_apply import notify_assigned

# status -> the statuses it may move to. Reopening a closed item is allowed (the fan wrote again).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    ItemStatus.OPEN: frozenset({ItemStatus.PENDING, ItemStatus.CLOSED}),
    ItemStatus.PENDING: frozenset({ItemStatus.OPEN, ItemStatus.CLOSED}),
    ItemStatus.CLOSED: frozenset({ItemStatus.OPEN}),
}
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_NOTE_LENGTH = 4000


def _locked(*, workspace, item: InboxItem) -> InboxItem:
    if item.workspace_id != workspace.pk:
        raise ValueError("the item is not in this workspace")
    return InboxItem.objects.select_for_update().get(pk=item.pk)


def check_version(item: InboxItem, version: int | None) -> None:
    """Refuse a change based on an older view of the item (Conflict, 409)."""
    if version is not None and version != item.version:
        raise Conflict(
            _("Someone changed this item since you opened it. Reload it and try again."),
            code="stale_view",
            field="version",
        )


def _clean_tags(tags) -> list[str]:
    if not isinstance(tags, (list, tuple)):
        raise ValidationFailed(_("Tags are a list of words."), field="tags")
    cleaned: list[str] = []
    for tag in tags:
        tag = str(tag).strip()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationFailed(
                _("A tag has at most %(limit)s characters.") % {"limit": MAX_TAG_LENGTH}, field="tags"
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(_("At most %(limit)s tags.") % {"limit": MAX_TAGS}, field="tags")
    return cleaned


@transaction.atomic
def inbox_item_update(
    *,
    workspace,
    actor,
    item: InboxItem,
    version: int | None = None,
    status: str | None = None,
    priority: str | None = None,
    tags: list[str] | None = None,
) -> InboxItem:
    """Change status, priority and/or tags. ValidationFailed names the field; Conflict on a stale view."""
    item = _locked(workspace=workspace, item=item)
    check_version(item, version)
    fields = ["status", "priority", "tags"]
    before = snapshot(item, fields)
    if status is not None and status != item.status:
        if status not in ItemStatus.values:
            raise ValidationFailed(_("Choose open, pending or closed."), field="status")
        if status not in STATUS_TRANSITIONS[item.status]:
            raise ValidationFailed(
                _("An item that is %(current)s cannot become %(target)s.")
                % {"current": ItemStatus(item.status).label, "target": ItemStatus(status).label},
                field="status",
            )
        item.status = status
    if priority is not None:
        if priority not in Priority.values:
            raise ValidationFailed(_("Choose low, normal, high or urgent."), field="priority")
        item.priority = priority
    if tags is not None:
        item.tags = _clean_tags(tags)
    after = snapshot(item, fields)
    if after == before:
        return item
    item.version += 1
    item.save(update_fields=[*fields, "version", "updated_at"])
    changed = [name for name in fields if before[name] != after[name]]
    audit_record(
        actor=actor,
        action="inbox.item_update",
        target=item,
        workspace=workspace,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return item


def assignable(*, workspace, user) -> bool:
    access = tenancy.workspace_access_for(user=user, workspace_id=workspace.pk)
    return access is not None and access.can(C.INBOX_VIEW)


@transaction.atomic
def inbox_item_assign(
    *, workspace, actor, item: InboxItem, assignee, version: int | None = None
) -> InboxItem:
    """Give the item to a person who can work the inbox here (None: unassign)."""
    item = _locked(workspace=workspace, item=item)
    check_version(item, version)
    if assignee is not None and not assignable(workspace=workspace, user=assignee):
        raise ValidationFailed(_("This person cannot work this workspace's inbox."), field="assignee")
    if item.assignee_id == (assignee.pk if assignee is not None else None):
        return item
    before = {"assignee": item.assignee_id}
    item.assignee = assignee
    item.version += 1
    item.save(update_fields=["assignee", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="inbox.item_assign",
        target=item,
        workspace=workspace,
        before=before,
        after={"assignee": item.assignee_id},
    )
    notify_assigned(item, by=actor)
    return item


@transaction.atomic
def inbox_note_add(*, workspace, actor, item: InboxItem, body: str) -> InboxNote:
    if item.workspace_id != workspace.pk:
        raise ValueError("the item is not in this workspace")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write the note first."), field="body")
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationFailed(
            _("A note has at most %(limit)s characters.") % {"limit": MAX_NOTE_LENGTH}, field="body"
        )
    note = InboxNote.objects.create(workspace=workspace, item=item, author=actor, body=body)
    audit_record(
        actor=actor,
        action="inbox.note_add",
        target=item,
        workspace=workspace,
        after={"note": body[:200]},
    )
    return note


@transaction.atomic
def inbox_items_close(*, workspace, actor, items: list[InboxItem]) -> int:
    """Close many items at once (bulk close); items already closed are left as they are."""
    ids = [item.pk for item in items if item.workspace_id == workspace.pk]
    closing = list(
        InboxItem.objects.select_for_update()
        .filter(workspace=workspace, pk__in=ids)
        .exclude(status=ItemStatus.CLOSED)
        .order_by("pk")
    )
    for item in closing:
        before = item.status
        item.status = ItemStatus.CLOSED
        item.version += 1
        item.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="inbox.item_update",
            target=item,
            workspace=workspace,
            before={"status": before},
            after={"status": item.status},
        )
    return len(closing)


@transaction.atomic
def inbox_items_assign(*, workspace, actor, items: list[InboxItem], assignee) -> int:
    """Give many items to one person at once (bulk assign; None: unassign). Returns how many changed."""
    if assignee is not None and not assignable(workspace=workspace, user=assignee):
        raise ValidationFailed(_("This person cannot work this workspace's inbox."), field="assignee")
    changed = 0
    for item in sorted((i for i in items if i.workspace_id == workspace.pk), key=lambda i: i.pk):
        before = item.assignee_id
        updated = inbox_item_assign(workspace=workspace, actor=actor, item=item, assignee=assignee)
        changed += updated.assignee_id != before
    return changed

"""Applying the workspace's inbox rules to a new fan message, at ingest (inbox.services.ingest calls
`inbox_rules_apply` once, for a message just stored that is not ours and not deleted).

Rules run in order; each matching rule's actions apply (tags add up, a later priority wins, the first
assignment wins), and a matching rule marked `stop` ends the run. Round-robin assignment locks the rule's
row (SELECT FOR UPDATE), so two workers ingesting at once give consecutive people, never the same turn
twice. People who can no longer answer fans here are skipped. A failing rule run never loses the message:
it is undone alone (a savepoint) and logged. Rules are the system acting, like ingest: no audit row; the
item's `raw["_rules"]` names the rules that acted.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import InboxItem, InboxRule, ItemStatus
from ..rule_match import rule_matches, sample_of
from .rules import can_work

log = logging.getLogger(__name__)


def notify_assigned(item: InboxItem, *, by=None) -> None:
    """Tell the new assignee (not when they gave it to themselves)."""
    from approvals.models import InboxNotificationKind
    from approvals.notices import notify

    assignee = item.assignee
    if assignee is None or (by is not None and by.pk == assignee.pk):
        return
    excerpt = (item.text or "")[:80]
    notify(
        [assignee],
        kind=InboxNotificationKind.INBOX_ASSIGNED,
        workspace_id=item.workspace_id,
        message=lambda: _("A fan's message was assigned to you: “%(text)s”") % {"text": excerpt},
        link=reverse("inbox:item", args=[item.workspace_id, item.pk]),
    )


def _round_robin(rule: InboxRule, workspace):
    """The next person of the rule's team who can answer fans, under the rule row's lock."""
    locked = InboxRule.objects.select_for_update().get(pk=rule.pk)
    team = list(locked.assign_team)
    if not team:
        return None
    people = get_user_model().objects.in_bulk(team)
    start = team.index(locked.round_robin_last) + 1 if locked.round_robin_last in team else 0
    for step in range(len(team)):
        person = people.get(team[(start + step) % len(team)])
        if person is not None and can_work(workspace=workspace, user=person):
            locked.round_robin_last = person.pk
            locked.save(update_fields=["round_robin_last", "updated_at"])
            return person
    return None


def enabled_rules(workspace_id: int) -> list[InboxRule]:
    """The workspace's rules that run, in order (one read; a batch of messages shares it)."""
    return list(
        InboxRule.objects.filter(workspace_id=workspace_id, enabled=True)
        .select_related("assign_to")
        .order_by("position", "id")
    )


def _run(item: InboxItem, rules: list[InboxRule]) -> list[int]:
    workspace = item.workspace
    sample = sample_of(item)
    acted: list[int] = []
    assignee = None
    tags = list(item.tags)
    for rule in rules:
        if not rule_matches(rule, sample):
            continue
        acted.append(rule.pk)
        tags.extend(tag for tag in rule.add_tags if tag not in tags)
        if rule.set_priority:
            item.priority = rule.set_priority
        if assignee is None and rule.assign_to_id:
            person = rule.assign_to
            assignee = person if can_work(workspace=workspace, user=person) else None
        if assignee is None and rule.assign_team:
            assignee = _round_robin(rule, workspace)
        if rule.close:
            item.status = ItemStatus.CLOSED
        if rule.hide and item.hidden_at is None:
            item.hidden_at = timezone.now()
            _hide_on_platform_after_commit(item)
        if rule.stop:
            break
    if not acted:
        return acted
    item.tags = tags[:20]
    if assignee is not None:
        item.assignee = assignee
    item.raw = {**(item.raw if isinstance(item.raw, dict) else {}), "_rules": acted}
    item.save(update_fields=["tags", "priority", "status", "hidden_at", "assignee", "raw", "updated_at"])
    if assignee is not None:
        notify_assigned(item)
    return acted


def _hide_on_platform_after_commit(item: InboxItem) -> None:
    """Where the platform can hide the comment (capabilities.item_actions), hide it there too, after the
    commit (inbox.platform_hide; hiding is idempotent, so its retries are safe)."""
    from channels_app.connectors.registry import connector_class

    offered = connector_class(item.account.platform).capabilities.item_actions
    if "hide" not in offered or item.kind == "direct_message" or item.from_us:
        return

    def enqueue(item_id=item.pk):
        from ..tasks import platform_hide

        platform_hide.delay(item_id)

    transaction.on_commit(enqueue)


def inbox_rules_apply(item: InboxItem, *, rules: list[InboxRule] | None = None) -> InboxItem:
    """Apply the rules to a new item (see the module's docstring); returns the item as it now is.
    `rules`: the workspace's enabled_rules, when the caller has read them already (a batch). A workspace
    without rules costs that one read and nothing else."""
    rules = enabled_rules(item.workspace_id) if rules is None else rules
    if not rules:
        return item
    try:
        with transaction.atomic():
            _run(item, rules)
    except Exception:  # a broken rule must not lose the fan's message
        log.exception("inbox rules failed on item %s", item.pk)
        item.refresh_from_db()
    return item

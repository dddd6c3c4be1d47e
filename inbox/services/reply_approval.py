"""Reply approval: the workspace chooses accounts and keywords (InboxSettings.approval_accounts,
approval_keywords) whose replies a person with approvals.decide must approve before they go out.

`inbox_reply_send` asks `reply_needs_approval`; a reply that does is stored `awaiting` (never claimed by
the sender, which only takes `queued` ones) and the approvers are told (INBOX_REPLY_APPROVAL, linking the
item). `inbox_reply_approve` checks the text again (the platform's reply window may have closed meanwhile),
queues it and hands it to the same once-only delivery; `inbox_reply_reject` ends it, never sent. A person
who may approve replies does not wait for anybody. Both decisions are audited.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability as C
from core import tenancy
from core.audit import audit_record
from core.errors import Conflict

from ..models import InboxItem, InboxReply
from ..rule_match import keyword_in
from .settings import inbox_settings_get


def can_approve(*, workspace, user) -> bool:
    access = tenancy.workspace_access_for(user=user, workspace_id=workspace.pk)
    return access is not None and access.can(C.APPROVAL_DECIDE) and access.can(C.INBOX_VIEW)


def reply_needs_approval(*, workspace, actor, item: InboxItem, text: str) -> bool:
    settings_row = inbox_settings_get(workspace)
    if not (settings_row.approval_accounts or settings_row.approval_keywords):
        return False
    if can_approve(workspace=workspace, user=actor):
        return False
    return item.account_id in settings_row.approval_accounts or any(
        keyword_in(word, text) for word in settings_row.approval_keywords
    )


def _approvers(workspace) -> list:
    from accounts.selectors import workspace_members

    return [m.user for m in workspace_members(workspace) if can_approve(workspace=workspace, user=m.user)]


def request_approval(reply: InboxReply) -> None:
    """Tell the approvers that `reply` waits for them (inside the sender's transaction)."""
    from approvals.models import InboxNotificationKind
    from approvals.notices import notify

    author = reply.author
    name = (author.get_full_name() or author.email) if author else ""
    excerpt = reply.text[:80]
    notify(
        [p for p in _approvers(reply.item.workspace) if p != author],
        kind=InboxNotificationKind.INBOX_REPLY_APPROVAL,
        workspace_id=reply.workspace_id,
        message=lambda: (
            _("%(name)s's reply to a fan waits for your approval: “%(text)s”")
            % {"name": name, "text": excerpt}
        ),
        link=reverse("inbox:item", args=[reply.workspace_id, reply.item_id]),
    )


def _locked_awaiting(*, workspace, reply: InboxReply) -> InboxReply:
    if reply.workspace_id != workspace.pk:
        raise ValueError("the reply is not in this workspace")
    reply = (
        InboxReply.objects.select_for_update(of=("self",)).select_related("item__account").get(pk=reply.pk)
    )
    if reply.status != InboxReply.Status.AWAITING_APPROVAL:
        raise Conflict(_("This reply was already decided on."), code="already_decided", field="reply")
    return reply


@transaction.atomic
def inbox_reply_approve(*, workspace, actor, reply: InboxReply) -> InboxReply:
    from .replies import _enqueue, reply_check

    reply = _locked_awaiting(workspace=workspace, reply=reply)
    reply_check(workspace=workspace, item=reply.item, text=reply.text, media=reply.media)
    reply.status = InboxReply.Status.QUEUED
    reply.decided_by, reply.decided_at = actor, timezone.now()
    reply.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="inbox.reply_approve",
        target=reply.item,
        workspace=workspace,
        after={"reply": reply.pk, "text": reply.text[:200]},
    )
    transaction.on_commit(lambda: _enqueue(reply.pk))
    return reply


@transaction.atomic
def inbox_reply_reject(*, workspace, actor, reply: InboxReply, note: str = "") -> InboxReply:
    reply = _locked_awaiting(workspace=workspace, reply=reply)
    reply.status = InboxReply.Status.REJECTED
    reply.decided_by, reply.decided_at = actor, timezone.now()
    reply.decision_note = (note or "").strip()[:500]
    reply.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=actor,
        action="inbox.reply_reject",
        target=reply.item,
        workspace=workspace,
        after={"reply": reply.pk, "note": reply.decision_note},
    )
    return reply

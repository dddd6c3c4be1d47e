"""Comments on a post in review, anchored to a phrase of a variant."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import NotFound, PermissionRefused, ValidationFailed

from ..models import (
    NotificationKind,
    PostComment,
)
from ..notifications import notify
from .posts import _label

MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def _mentioned(post, body: str, mentions) -> list:
    """The people a comment mentions: the ids chosen in the @ menu and the `@email` written in the text.
    Each must be able to open the post's workspace; anyone else is refused (a mention must not tell a
    stranger about the post, nor tell the author whether an address has an account)."""
    from accounts.models import User

    emails = {m.lower() for m in MENTION.findall(body or "")}
    try:
        ids = {int(getattr(m, "pk", m)) for m in mentions or []}
    except (TypeError, ValueError):
        raise ValidationFailed(_("Mention people of this workspace."), field="mentions") from None
    if not emails and not ids:
        return []
    users = list(User.objects.filter(Q(pk__in=ids) | Q(email__in=emails), is_active=True))
    members = [u for u in users if workspace_access_for(user=u, workspace_id=post.workspace_id) is not None]
    found_ids = {u.pk for u in members}
    found_emails = {u.email.lower() for u in members}
    missing = sorted(str(i) for i in ids - found_ids) + sorted(emails - found_emails)
    if missing:
        raise ValidationFailed(
            _("Only people of this workspace can be mentioned: %(who)s.") % {"who": ", ".join(missing)},
            code="not_a_member",
            field="mentions",
        )
    return members


def _parent(post, parent):
    """The thread a reply goes into: a top-level comment of the same post."""
    if parent in (None, ""):
        return None
    try:
        parent_id = int(getattr(parent, "pk", parent))
    except (TypeError, ValueError):
        raise ValidationFailed(_("No such comment on this post."), field="parent") from None
    found = PostComment.objects.filter(post_id=post.pk, pk=parent_id).first()
    if found is None:
        raise ValidationFailed(_("No such comment on this post."), code="not_in_workspace", field="parent")
    if found.parent_id is not None:
        raise ValidationFailed(
            _("Reply to the first comment of the thread: a reply cannot have replies."),
            code="reply_to_reply",
            field="parent",
        )
    return found


def _comment(
    *,
    post,
    body: str,
    author=None,
    author_label: str,
    external: bool,
    target=None,
    anchor_start=None,
    anchor_end=None,
    request=None,
    mentions=(),
    parent=None,
) -> PostComment:
    from content.models import PostTarget

    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write a comment."), field="body")
    thread = _parent(post, parent)
    if thread is not None:
        if anchor_start is not None or anchor_end is not None:
            raise ValidationFailed(_("A reply is not anchored to the text."), field="anchor_start")
        target, request = thread.target_id, request or thread.request
    people = _mentioned(post, body, mentions)
    target_obj = None
    if target not in (None, ""):
        target_obj = PostTarget.objects.filter(post_id=post.pk, pk=int(getattr(target, "pk", target))).first()
        if target_obj is None:
            raise ValidationFailed(
                _("No such variant on this post."), code="not_in_workspace", field="target"
            )
    anchor_text = ""
    if anchor_start is not None or anchor_end is not None:
        if target_obj is None:
            raise ValidationFailed(_("Anchor a comment on a variant's text."), field="target")
        if (
            anchor_start is None
            or anchor_end is None
            or not 0 <= int(anchor_start) < int(anchor_end) <= len(target_obj.text)
        ):
            raise ValidationFailed(_("The span is outside the variant's text."), field="anchor_start")
        anchor_text = target_obj.text[int(anchor_start) : int(anchor_end)][:1000]
    comment = PostComment.objects.create(
        workspace_id=post.workspace_id,
        post_id=post.pk,
        parent=thread,
        target=target_obj,
        request=request,
        post_version=post.version,
        body=body,
        anchor_start=anchor_start,
        anchor_end=anchor_end,
        anchor_text=anchor_text,
        author=author,
        author_label=author_label,
        external=external,
    )
    if people:
        comment.mentions.set(people)
        notify(
            [u for u in people if author is None or u.pk != author.pk],
            kind=NotificationKind.MENTIONED,
            post=post,
            request=request,
            extra=body[:200],
        )
    audit_record(
        actor=author,
        actor_label=author_label,
        action="approval.comment",
        target=post,
        workspace=post.workspace,
        after={
            "comment": comment.pk,
            "parent": thread.pk if thread else None,
            "mentions": sorted(u.pk for u in people),
            "target": target_obj.pk if target_obj else None,
            "anchor": anchor_text,
            "external": external,
        },
    )
    return comment


@transaction.atomic
def comment_create(
    *,
    actor,
    post,
    body: str,
    target=None,
    anchor_start=None,
    anchor_end=None,
    request=None,
    mentions=(),
    parent=None,
) -> PostComment:
    access = workspace_access_for(user=actor, workspace_id=post.workspace_id)
    if access is None:
        raise NotFound(_("No such post."))
    if not access.can(Capability.POST_COMMENT):
        raise PermissionRefused(_("Your role does not allow commenting."))
    if request is not None and request.post_id != post.pk:
        raise ValidationFailed(_("This request is about another post."), field="request")
    return _comment(
        post=post,
        body=body,
        author=actor,
        author_label=_label(actor),
        external=False,
        target=target,
        anchor_start=anchor_start,
        anchor_end=anchor_end,
        request=request,
        mentions=mentions,
        parent=parent,
    )


@transaction.atomic
def comment_resolve(*, actor, comment: PostComment, resolved: bool = True) -> PostComment:
    """Resolve (or reopen) a thread: its first comment carries who resolved it and when. Asking for the
    state it is already in changes nothing and records nothing (one history entry per real event)."""
    access = workspace_access_for(user=actor, workspace_id=comment.workspace_id)
    if access is None:
        raise NotFound(_("No such comment."))
    if not access.can(Capability.POST_COMMENT):
        raise PermissionRefused(_("Your role does not allow commenting."))
    comment = PostComment.objects.select_for_update().select_related("post").get(pk=comment.pk)
    if comment.parent_id is not None:
        raise ValidationFailed(
            _("Resolve the thread from its first comment."), code="not_a_thread", field="comment"
        )
    if (comment.resolved_at is not None) == bool(resolved):
        return comment
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = actor if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    audit_record(
        actor=actor,
        action="approval.comment_resolve" if resolved else "approval.comment_reopen",
        target=comment.post,
        workspace=comment.workspace,
        after={"comment": comment.pk},
    )
    return comment

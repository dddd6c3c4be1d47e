"""The publish gate: the one check that keeps unapproved content from going out.

    publish_gate(post) -> GateResult(ok, reason, approved_hash)

`ok` is true only when one of these holds for the post's content hash computed NOW from the database
(content.services.canonical_hash(publishable(post)), not the stored column):
  - the workspace's policy requires no approval for this post           (reason "not_required")
  - its last completed approval request is approved for exactly this hash (reason "approved")
  - an audited "publish without approval" override exists for exactly this hash (reason "override")
Otherwise `ok` is false with reason "not_approved", "approval_outdated" (approved, then edited) or
"in_review". `approved_hash` is the hash the gate let through (the current one) when ok, else the hash
of the last approved request ("" if none). The publishing step calls it right before sending; scheduling
calls `assert_schedulable`; content.services.post_update calls `on_post_edited`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import Conflict

REASON_NOT_REQUIRED = "not_required"
REASON_APPROVED = "approved"
REASON_OVERRIDE = "override"
REASON_NOT_APPROVED = "not_approved"
REASON_OUTDATED = "approval_outdated"
REASON_IN_REVIEW = "in_review"


@dataclass(frozen=True)
class GateResult:
    ok: bool
    reason: str
    approved_hash: str


class ApprovalRequired(Conflict):
    default_code = "approval_required"


def current_hash(post) -> str:
    """The hash of what would be published, read fresh from the database."""
    from content.models import Post
    from content.selectors import with_relations
    from content.services import canonical_hash, publishable

    fresh = with_relations(Post.objects.filter(pk=post.pk)).get()
    return canonical_hash(publishable(fresh))


def publish_gate(post) -> GateResult:
    from django.db.models import Prefetch

    from content.models import Post, PostTarget, PostTargetMedia
    from content.services import canonical_hash, publishable

    from .conditions import workflow_for_post
    from .models import ApprovalOverride, ApprovalRequest, RequestStatus

    # The post, its targets and their media in three queries: all that `publishable` (the hash) and
    # `workflow_for_post` (the targets' accounts) read.
    fresh = Post.objects.prefetch_related(
        Prefetch(
            "targets",
            queryset=PostTarget.objects.prefetch_related(
                Prefetch("media_links", queryset=PostTargetMedia.objects.select_related("media"))
            ),
        )
    ).get(pk=post.pk)
    content_hash = canonical_hash(publishable(fresh))
    # Every request of the post that counts, newest first, in one query (a post has a handful): the
    # last completed one, the last approved one and any in progress are picked from it below, each in
    # the order its own query would have given.
    requests = list(
        ApprovalRequest.objects.filter(post_id=post.pk)
        .exclude(status=RequestStatus.CANCELLED)
        .order_by("-completed_at", "-id")
        .only("status", "content_hash", "completed_at")
    )
    last = next((r for r in requests if r.status != RequestStatus.IN_PROGRESS), None)
    if last is not None and last.status == RequestStatus.APPROVED and last.content_hash == content_hash:
        return GateResult(True, REASON_APPROVED, content_hash)
    if ApprovalOverride.objects.filter(post_id=post.pk, content_hash=content_hash).exists():
        return GateResult(True, REASON_OVERRIDE, content_hash)
    if workflow_for_post(fresh) is None:
        return GateResult(True, REASON_NOT_REQUIRED, content_hash)
    approved = next((r.content_hash for r in requests if r.status == RequestStatus.APPROVED), None)
    if any(r.status == RequestStatus.IN_PROGRESS for r in requests):
        return GateResult(False, REASON_IN_REVIEW, approved or "")
    return GateResult(False, REASON_OUTDATED if approved else REASON_NOT_APPROVED, approved or "")


def assert_schedulable(post, *, actor, override: bool = False) -> GateResult:
    """Called by content.services before a post reaches "scheduled". Refuses (409 approval_required)
    unless the gate is open; with `override`, an actor holding post.publish_without_approval records an
    audited override for exactly the current hash and goes on (without it: 403)."""
    result = publish_gate(post)
    if result.ok:
        return result
    if override:
        from .services import approval_override_create

        approval_override_create(actor=actor, post=post, reason=_("Scheduled without approval"))
        return publish_gate(post)
    message = {
        REASON_IN_REVIEW: _("This post is still in review; it can be scheduled once it is approved."),
        REASON_OUTDATED: _("This post changed after it was approved; submit it for approval again."),
    }.get(result.reason, _("This post needs approval before it can be scheduled."))
    raise ApprovalRequired(message, field="approval")


def on_post_edited(post, *, actor) -> None:
    """Called by content.services.post_update after an edit is saved. When what gets published changed,
    the request in progress is cancelled (it was about other content), and scheduled variants that the
    gate no longer lets through go back to draft: an edit after approval needs a new approval."""
    from .services import approval_reset_after_edit

    approval_reset_after_edit(actor=actor, post=post)

"""The publish gate: the one check that keeps unapproved content from going out.

    publish_gate(post) -> GateResult(ok, reason, approved_hash, content_hash, payloads, missing_stages)

The content hash is computed NOW from the database with content.payload (the same function that builds
what the connector receives: text, title, first comment, link, options, account, the paid flag, every
media item's checksum, name, type and alt text), not read from the stored column. `ok` is true only when
one of these holds:
  - its last completed approval request is approved for exactly this hash, and the stages that apply to
    the post now (approvals.routing: campaign, tags, accounts, findings, workflow, policy) are all on the
    route that request took                                                   (reason "approved")
  - an audited "publish without approval" override exists for exactly this hash (reason "override")
  - the workspace's policy requires no approval for this post                  (reason "not_required")
Otherwise `ok` is false with reason "not_approved", "approval_outdated" (approved, then edited),
"routing_changed" (approved for this content, but another stage applies now: `missing_stages`) or
"in_review". `approved_hash` is the hash the gate let through (the current one) when ok, else the hash
of the last approved request ("" if none); `payloads` is {target id: content.payload.fingerprint}, what
each target would send: the publish step checks that what it sends is exactly that. Scheduling calls
`assert_schedulable`; content.services.post_update calls `on_post_edited`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.errors import Conflict

REASON_NOT_REQUIRED = "not_required"
REASON_APPROVED = "approved"
REASON_OVERRIDE = "override"
REASON_NOT_APPROVED = "not_approved"
REASON_OUTDATED = "approval_outdated"
REASON_IN_REVIEW = "in_review"
REASON_ROUTING = "routing_changed"


@dataclass(frozen=True)
class GateResult:
    ok: bool
    reason: str
    approved_hash: str
    content_hash: str = ""
    payloads: dict = field(default_factory=dict, compare=False)
    missing_stages: tuple[int, ...] = ()


class ApprovalRequired(Conflict):
    default_code = "approval_required"


def _fresh(post):
    """The post with what the hash and the route read: targets, their accounts and media, tags."""
    return _fresh_many([post.pk])[post.pk]


def _fresh_many(post_ids) -> dict:
    """`_fresh` for many posts in the same fixed number of queries: {post id: post}."""
    from django.db.models import Prefetch

    from content.models import Post, PostTarget, PostTargetMedia

    posts = (
        Post.objects.select_related("campaign")
        .prefetch_related(
            "tags",
            Prefetch(
                "targets",
                queryset=PostTarget.objects.select_related("account").prefetch_related(
                    Prefetch("media_links", queryset=PostTargetMedia.objects.select_related("media"))
                ),
            ),
        )
        .filter(pk__in=list(post_ids))
    )
    found = {p.pk: p for p in posts}
    missing = set(post_ids) - set(found)
    if missing:
        raise Post.DoesNotExist(f"posts {sorted(missing)} do not exist")
    return found


def current_hash(post) -> str:
    """The hash of what would be published, read fresh from the database."""
    from content.payload import canonical_hash, publishable

    return canonical_hash(publishable(_fresh(post)))


def publish_gate(post) -> GateResult:
    return publish_gates([post])[post.pk]


def publish_gates(posts) -> dict[int, GateResult]:
    """`publish_gate` for many posts at once (the publish step's batches): {post id: GateResult}, each the
    answer `publish_gate` gives for that post alone, in a fixed number of queries whatever the number of
    posts (one set of reads per workspace for its policy rules). `publish_gate` is this with one post."""
    from content.payload import canonical_hash, publishable_from, target_fingerprints

    from .conditions import policy_rules
    from .models import ApprovalOverride, ApprovalRequest, RequestStatus
    from .routing import routing_for_post

    fresh_posts = _fresh_many({p.pk for p in posts})
    # Every request of these posts that counts, newest first, in one query (a post has a handful): the
    # last completed one, the last approved one and any in progress are picked from it below, each in
    # the order its own query would have given.
    requests_of: dict[int, list] = {pk: [] for pk in fresh_posts}
    for r in (
        ApprovalRequest.objects.filter(post_id__in=list(fresh_posts))
        .exclude(status=RequestStatus.CANCELLED)
        .order_by("-completed_at", "-id")
        .only("post_id", "status", "content_hash", "completed_at", "routing", "workflow_id")
    ):
        requests_of[r.post_id].append(r)
    hashes = {}
    payloads_of = {}
    for pk, fresh in fresh_posts.items():
        payloads_of[pk] = target_fingerprints(fresh)
        hashes[pk] = canonical_hash(publishable_from(fresh, payloads_of[pk]))
    overridden = set(
        ApprovalOverride.objects.filter(
            post_id__in=list(fresh_posts), content_hash__in=set(hashes.values())
        ).values_list("post_id", "content_hash")
    )
    rules_of: dict[int, list] = {}
    results = {}
    for pk, fresh in fresh_posts.items():
        if fresh.workspace_id not in rules_of:
            rules_of[fresh.workspace_id] = policy_rules(fresh.workspace_id)
        results[pk] = _gate_one(
            fresh,
            requests=requests_of[pk],
            content_hash=hashes[pk],
            payloads=payloads_of[pk],
            overridden=(pk, hashes[pk]) in overridden,
            routing_of=lambda post: routing_for_post(post, rules=rules_of[post.workspace_id]),
        )
    return results


def _gate_one(fresh, *, requests, content_hash, payloads, overridden, routing_of) -> GateResult:
    """One post's answer from what `publish_gates` read for the batch."""
    from .models import RequestStatus as statuses
    from .routing import missing_stages

    last = next((r for r in requests if r.status != statuses.IN_PROGRESS), None)
    routing = None
    if last is not None and last.status == statuses.APPROVED and last.content_hash == content_hash:
        routing = routing_of(fresh)
        missing = missing_stages(last, routing)
        if not missing:
            return GateResult(True, REASON_APPROVED, content_hash, content_hash, payloads)
        if overridden:
            return GateResult(True, REASON_OVERRIDE, content_hash, content_hash, payloads)
        return GateResult(False, REASON_ROUTING, content_hash, content_hash, payloads, tuple(missing))
    if overridden:
        return GateResult(True, REASON_OVERRIDE, content_hash, content_hash, payloads)
    if (routing or routing_of(fresh)).workflow is None:
        return GateResult(True, REASON_NOT_REQUIRED, content_hash, content_hash, payloads)
    approved = next((r.content_hash for r in requests if r.status == statuses.APPROVED), None)
    if any(r.status == statuses.IN_PROGRESS for r in requests):
        return GateResult(False, REASON_IN_REVIEW, approved or "", content_hash, payloads)
    reason = REASON_OUTDATED if approved else REASON_NOT_APPROVED
    return GateResult(False, reason, approved or "", content_hash, payloads)


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
        REASON_ROUTING: _(
            "Another approval stage applies to this post now (%(stages)s); it can be scheduled once that "
            "stage approves it."
        )
        % {"stages": stage_names(result.missing_stages)},
    }.get(result.reason, _("This post needs approval before it can be scheduled."))
    raise ApprovalRequired(message, field="approval")


def stage_names(stage_ids) -> str:
    from .models import ApprovalStage

    names = dict(ApprovalStage.objects.filter(pk__in=list(stage_ids)).values_list("pk", "name"))
    return ", ".join(names.get(i, str(i)) for i in stage_ids)


def on_post_edited(post, *, actor, content_changed: bool = True) -> None:
    """Called by content.services after an edit is saved. When what gets published changed, the request
    in progress is cancelled (it was about other content), and variants that the gate no longer lets
    through go back to draft: an edit after approval needs a new approval. Whatever changed, a stage that
    applies now and has not approved it re-opens the approval for that stage (approvals.routing)."""
    from .services import approval_sync_after_edit

    approval_sync_after_edit(actor=actor, post=post, content_changed=content_changed)

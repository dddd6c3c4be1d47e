"""Reads for approvals. Workspace-scoped reads take the workspace first; the reviewer's queue spans the
workspaces the person can open and answers in a fixed number of queries, whatever its length."""

from __future__ import annotations

import difflib
from collections import defaultdict

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.roles import Capability
from accounts.selectors import workspace_accesses_for_user
from core.models import AuditEvent

from .models import (
    PREFERENCE_KINDS,
    ApprovalDecision,
    ApprovalOverride,
    ApprovalRequest,
    ApprovalStage,
    ApprovalStageState,
    ApprovalWorkflow,
    Notification,
    NotificationPreference,
    PostComment,
    RequestStatus,
    ReviewLink,
)


def workflows_of(workspace) -> QuerySet[ApprovalWorkflow]:
    return ApprovalWorkflow.objects.filter(workspace=workspace).prefetch_related(
        Prefetch(
            "stages",
            queryset=ApprovalStage.objects.select_related("escalate_to").prefetch_related("approver_users"),
        )
    )


def requests_of(workspace) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(workspace=workspace)
        .select_related("post", "workflow", "current_stage", "submitted_by")
        .prefetch_related(
            Prefetch("stage_states", queryset=ApprovalStageState.objects.order_by("position")),
            Prefetch("decisions", queryset=ApprovalDecision.objects.order_by("id")),
        )
    )


def latest_request_for(workspace, post) -> ApprovalRequest | None:
    """The post's most recent approval request in any status (None: never submitted); the post page links
    to the post's approval page when there is one."""
    return ApprovalRequest.objects.filter(workspace=workspace, post=post).order_by("-id").first()


def review_links_of(workspace) -> QuerySet[ReviewLink]:
    return ReviewLink.objects.filter(workspace=workspace).select_related("created_by")


def review_links_with_status(links: list[ReviewLink]) -> list[ReviewLink]:
    """Set `status` and `status_label` on each link (approvals.links.link_status), with one query for
    the decisions of all their requests."""
    from .links import LinkStatus, link_status
    from .models import ApprovalDecision

    request_ids = {link.request_id for link in links if link.request_id}
    decided: dict[int, set[str]] = defaultdict(set)
    if request_ids:
        rows = ApprovalDecision.objects.filter(request_id__in=request_ids, external=True).values_list(
            "request_id", "reviewer_email"
        )
        for request_id, email in rows:
            decided[request_id].add(email.lower())
    for link in links:
        link.status = link_status(link, decided_emails=decided.get(link.request_id, set()))
        link.status_label = LinkStatus(link.status).label
    return links


def review_links_of_request(workspace, *, request) -> list[ReviewLink]:
    """The links issued for one request, newest first, with their status. Two queries."""
    return review_links_with_status(list(review_links_of(workspace).filter(request=request).order_by("-id")))


def comments_of(workspace, *, post) -> QuerySet[PostComment]:
    return (
        PostComment.objects.filter(workspace=workspace, post=post)
        .select_related("author", "resolved_by")
        .prefetch_related("mentions")
    )


def comment_threads(comments) -> list[PostComment]:
    """Comments (in id order) as threads: each top-level comment with its replies in `thread_replies`."""
    threads: dict[int, PostComment] = {}
    replies: dict[int, list[PostComment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.pk] = comment
        else:
            replies[comment.parent_id].append(comment)
    for pk, thread in threads.items():
        thread.thread_replies = replies.get(pk, [])
    return list(threads.values())


def comment_threads_of(workspace, *, post) -> list[PostComment]:
    return comment_threads(comments_of(workspace, post=post))


def mentionable_members(workspace) -> list[dict]:
    """Who can be @mentioned on the workspace's posts (the @ menu): its people, by name and email."""
    from accounts.selectors import workspace_members

    return [
        {"id": m.user_id, "email": m.user.email, "name": m.user.full_name}
        for m in workspace_members(workspace).filter(user__is_active=True).order_by("user__email")
    ]


def _roles_include(role: str) -> Q:
    """The current stage names `role` among its approver roles (a JSON list of role names)."""
    if connection.vendor == "postgresql":
        return Q(current_stage__stage__approver_roles__contains=[role])
    # SQLite (the demo's embedded default) has no JSON containment; role names are distinct quoted tokens.
    return Q(current_stage__stage__approver_roles__icontains=f'"{role}"')


def requests_waiting_for(*, user, accesses=None, with_targets: bool = True) -> QuerySet[ApprovalRequest]:
    """Requests whose current stage names this person (directly or by their role in that workspace),
    that they have not decided on yet, in every workspace where they hold approval.decide (or only those
    of `accesses`, when the caller has resolved the person's access already). Own posts are left out
    unless the workflow lets authors approve them. `with_targets=False` leaves the posts' variants
    unloaded (one query; a page that shows several lists loads them once for all)."""
    from content.models import PostTarget

    by_role: dict[str, list[int]] = defaultdict(list)
    workspace_ids = []
    for access in workspace_accesses_for_user(user=user) if accesses is None else accesses:
        if access.can(Capability.APPROVAL_DECIDE):
            workspace_ids.append(access.workspace.pk)
            by_role[access.role].append(access.workspace.pk)
    if not workspace_ids:
        return ApprovalRequest.objects.none()
    named = ApprovalStage.approver_users.through.objects.filter(
        approvalstage_id=OuterRef("current_stage__stage_id"), user_id=user.pk
    )
    match = Q(Exists(named))
    for role, ids in by_role.items():
        match |= Q(workspace_id__in=ids) & _roles_include(role)
    decided = ApprovalDecision.objects.filter(
        stage_state_id=OuterRef("current_stage_id"), reviewer_email=user.email.lower()
    )
    queryset = (
        ApprovalRequest.objects.filter(
            workspace_id__in=workspace_ids, status=RequestStatus.IN_PROGRESS, post__deleted_at__isnull=True
        )
        .filter(match)
        .exclude(Exists(decided))
        .exclude(post__author=user, workflow__allow_self_approval=False)
        .select_related("post", "workspace", "workflow", "current_stage")
        .order_by("current_stage__due_at", "id")
    )
    if with_targets:
        queryset = queryset.prefetch_related(
            Prefetch("post__targets", queryset=PostTarget.objects.select_related("account").order_by("id"))
        )
    return queryset


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("post", "workspace")


def post_timeline(workspace, *, post) -> list[dict]:
    """The post's history in order: versions, approval requests, decisions, comments and overrides."""
    from content.models import PostVersion

    items: list[dict] = []
    for v in PostVersion.objects.filter(workspace=workspace, post=post).order_by("number"):
        items.append(
            {
                "kind": "version",
                "at": v.created_at,
                "by": v.author_label,
                "version": v.number,
                "text": v.change_summary,
                "id": v.pk,
            }
        )
    for r in ApprovalRequest.objects.filter(workspace=workspace, post=post).select_related("submitted_by"):
        items.append(
            {
                "kind": "submitted",
                "at": r.created_at,
                "by": getattr(r.submitted_by, "email", ""),
                "version": r.post_version,
                "text": "",
                "id": r.pk,
            }
        )
        if r.completed_at:
            items.append(
                {
                    "kind": f"request_{r.status}",
                    "at": r.completed_at,
                    "by": "",
                    "version": r.post_version,
                    "text": "",
                    "id": r.pk,
                }
            )
    decisions = list(
        ApprovalDecision.objects.filter(request__workspace=workspace, request__post=post).select_related(
            "request", "stage_state"
        )
    )
    for d in decisions:
        items.append(
            {
                "kind": f"decision_{d.decision}",
                "at": d.created_at,
                "by": d.reviewer_email,
                "version": d.request.post_version,
                "text": d.comment,
                "id": d.pk,
                "stage": d.stage_state.stage_name,
                "external": d.external,
                "request": d.request_id,
            }
        )
    # A decision's comment anchored to a phrase is also a comment row (for the highlight): the decision
    # tells it once, with the phrase.
    spoken = {(d.request_id, d.reviewer_email, d.comment) for d in decisions if d.comment}
    anchors = {}
    for c in PostComment.objects.filter(workspace=workspace, post=post).select_related("author"):
        said_with = (c.request_id, getattr(c.author, "email", "").lower(), c.body)
        if c.parent_id is None and said_with in spoken:
            anchors[said_with] = c.anchor_text
            continue
        items.append(
            {
                "kind": "reply" if c.parent_id else "comment",
                "at": c.created_at,
                "by": c.author_label,
                "version": c.post_version,
                "text": c.body,
                "id": c.pk,
                "parent": c.parent_id,
                "anchor": c.anchor_text,
                "resolved": c.resolved_at is not None,
            }
        )
    for item in items:
        if item["kind"].startswith("decision_"):
            item["anchor"] = anchors.get((item["request"], item["by"], item["text"]), "")
    for e in AuditEvent.objects.filter(
        workspace=workspace,
        target_type=post._meta.label_lower,
        target_id=str(post.pk),
        action__in=["approval.comment_resolve", "approval.comment_reopen"],
    ).select_related("actor"):
        items.append(
            {
                "kind": "comment_resolved" if e.action.endswith("resolve") else "comment_reopened",
                "at": e.created_at,
                "by": e.actor_label or getattr(e.actor, "email", ""),
                "version": None,
                "text": "",
                "id": e.pk,
                "parent": (e.after or {}).get("comment"),
            }
        )
    for o in ApprovalOverride.objects.filter(workspace=workspace, post=post):
        items.append(
            {
                "kind": "override",
                "at": o.created_at,
                "by": o.actor_label,
                "version": None,
                "text": o.reason,
                "id": o.pk,
            }
        )
    order = {"version": 0, "submitted": 1, "comment": 2, "reply": 2}
    items.sort(key=lambda i: (i["at"], order.get(i["kind"], 3), i["id"]))
    return items


def _text_ops(before: str, after: str) -> list[dict]:
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    return [
        {"op": tag, "before": before[i1:i2], "after": after[j1:j2]}
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def post_review_diff(workspace, *, post, user) -> dict:
    """Side by side: the version this person reviewed last time (else the last version any request
    pinned) and the post now, per variant, with character-level operations."""
    from content.models import PostVersion

    last_decision = (
        ApprovalDecision.objects.filter(
            request__post=post, request__workspace=workspace, reviewer_email=user.email.lower()
        )
        .select_related("request")
        .order_by("-id")
        .first()
    )
    base_number = None
    if last_decision is not None:
        base_number = last_decision.request.post_version
    else:
        base_number = (
            ApprovalRequest.objects.filter(workspace=workspace, post=post)
            .exclude(post_version=post.version)
            .order_by("-id")
            .values_list("post_version", flat=True)
            .first()
        )
    versions = {
        v.number: v
        for v in PostVersion.objects.filter(
            workspace=workspace, post=post, number__in=[base_number or 0, post.version]
        )
    }
    before = versions.get(base_number)
    after = versions.get(post.version)
    before_targets = {t["account"]: t for t in (before.snapshot["targets"] if before else [])}
    after_targets = {t["account"]: t for t in (after.snapshot["targets"] if after else [])}
    rows = []
    for account in sorted(set(before_targets) | set(after_targets)):
        b, a = before_targets.get(account, {}), after_targets.get(account, {})
        rows.append(
            {
                "account": account,
                "handle": (a or b).get("handle", ""),
                "before": b.get("text", ""),
                "after": a.get("text", ""),
                "changed": b.get("text") != a.get("text")
                or b.get("media") != a.get("media")
                or b.get("first_comment") != a.get("first_comment"),
                "ops": _text_ops(b.get("text", ""), a.get("text", "")),
            }
        )
    return {"base_version": base_number, "current_version": post.version, "targets": rows}


def _sent_back(user) -> Q:
    """The person's requests that came back (changes requested or rejected) and are still the post's
    latest request (not submitted again)."""
    latest = ApprovalRequest.objects.filter(post=OuterRef("post")).order_by("-id").values("id")[:1]
    return Q(
        submitted_by=user,
        status__in=[RequestStatus.CHANGES_REQUESTED, RequestStatus.REJECTED],
        post__deleted_at__isnull=True,
        pk=Subquery(latest),
    )


def requests_sent_back_to(*, user, workspace, limit: int = 50) -> list[ApprovalRequest]:
    """The person's posts whose latest request came back (changes requested or rejected) and which have
    not been submitted again: what they have to fix, newest first. One query: each request carries its
    last decision (`last_decision`: who, when, the comment) from subqueries."""
    last = ApprovalDecision.objects.filter(request=OuterRef("pk")).order_by("-id")
    sent_back = list(
        ApprovalRequest.objects.filter(workspace=workspace)
        .filter(_sent_back(user))
        .select_related("post")
        .annotate(
            last_decision_id=Subquery(last.values("id")[:1]),
            last_decision_email=Subquery(last.values("reviewer_email")[:1]),
            last_decision_comment=Subquery(last.values("comment")[:1]),
            last_decision_at=Subquery(last.values("created_at")[:1]),
            last_decision_kind=Subquery(last.values("decision")[:1]),
        )
        .order_by("-id")[:limit]
    )
    for request in sent_back:
        request.last_decision = None
        if request.last_decision_id is not None:
            request.last_decision = ApprovalDecision(
                pk=request.last_decision_id,
                request=request,
                reviewer_email=request.last_decision_email,
                comment=request.last_decision_comment or "",
                decision=request.last_decision_kind,
                created_at=request.last_decision_at,
            )
    return sent_back


def drafts_not_submitted(*, user, workspace, limit: int = 50, with_targets: bool = True) -> list:
    """The person's drafts that are not in review and not among those sent back (listed apart): never
    submitted, or edited after an approval. Newest first. `with_targets=False`: one query (the caller
    loads the variants)."""
    from content.models import Post, PostTarget

    sent_back = ApprovalRequest.objects.filter(_sent_back(user), post=OuterRef("pk"))
    in_review = ApprovalRequest.objects.filter(post=OuterRef("pk"), status=RequestStatus.IN_PROGRESS)
    queryset = (
        Post.objects.filter(workspace=workspace, author=user, status="draft", deleted_at__isnull=True)
        .exclude(Exists(sent_back))
        .exclude(Exists(in_review))
        .order_by("-updated_at")
    )
    if with_targets:
        queryset = queryset.prefetch_related(
            Prefetch("targets", queryset=PostTarget.objects.select_related("account").order_by("id"))
        )
    return list(queryset[:limit])


# --- the workflows settings page ---------------------------------------------------------------------


def policy_rules_of(workspace):
    from .models import ApprovalPolicyRule

    return (
        ApprovalPolicyRule.objects.filter(workspace=workspace)
        .select_related("workflow")
        .prefetch_related("accounts")
        .order_by("position", "id")
    )


def workflow_form_choices(workspace) -> dict:
    """What a stage's approvers and conditions are chosen from, as (id, label) pairs: the workspace's
    members (by name and email), its accounts, campaigns and tag groups' tags."""
    from accounts.selectors import workspace_members
    from channels_app.models import SocialAccount
    from content.models import Campaign, Tag

    members = workspace_members(workspace).order_by("user__full_name", "user__email")
    return {
        "members": [
            (m.user_id, f"{m.user.full_name} <{m.user.email}>" if m.user.full_name else m.user.email)
            for m in members
        ],
        "accounts": [
            (a.pk, str(a))
            for a in SocialAccount.objects.filter(workspace=workspace).order_by("platform", "handle")
        ],
        "campaigns": [(c.pk, c.name) for c in Campaign.objects.filter(workspace=workspace).order_by("name")],
        "tags": [
            (t.pk, f"{t.group.name} · {t.name}")
            for t in Tag.objects.filter(workspace=workspace)
            .select_related("group")
            .order_by("group__name", "name")
        ],
    }


def posts_for_route_preview(workspace, *, limit: int = 50):
    """Recent posts (not deleted) to preview a route with, newest change first."""
    from content.models import Post

    return (
        Post.objects.filter(workspace=workspace, deleted_at__isnull=True)
        .prefetch_related("targets")
        .order_by("-updated_at", "-id")[:limit]
    )


def notification_preferences_for(*, user) -> list[NotificationPreference]:
    """One row per kind a person can choose about, in PREFERENCE_KINDS order; a kind without a saved
    choice is an unsaved row with both channels on (the default)."""
    saved = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return [
        saved.get(kind) or NotificationPreference(user=user, kind=kind) for kind, _label in PREFERENCE_KINDS
    ]

"""Reads for the dashboard pages, built on accounts.selectors (ordering and prefetching for display added
here). Every workspace read takes the workspace first and filters by it, so an id from the URL that
belongs to another workspace is simply not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import (
    AgencyGrant,
    Invitation,
    Membership,
    Organization,
    PersonalAccessToken,
    User,
    Workspace,
    WorkspaceMember,
)
from accounts.roles import Capability as C
from accounts.roles import OrgRole
from core.models import AuditEvent

# --- workspace people ------------------------------------------------------------------------------


def workspace_members(workspace: Workspace) -> QuerySet[WorkspaceMember]:
    return account_selectors.workspace_members(workspace).order_by("user__email")


def workspace_member_get(workspace: Workspace, member_id) -> WorkspaceMember | None:
    return workspace_members(workspace).filter(pk=member_id).first()


def workspace_open_invitations(workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations still worth acting on: pending (possibly past expiry) and expired ones."""
    return (
        account_selectors.workspace_invitations(workspace)
        .filter(status__in=[Invitation.Status.PENDING, Invitation.Status.EXPIRED])
        .order_by("-created_at")
    )


def workspace_invitation_get(workspace: Workspace, invitation_id) -> Invitation | None:
    return (
        Invitation.objects.filter(workspace=workspace, pk=invitation_id).select_related("workspace").first()
    )


# --- agency access ---------------------------------------------------------------------------------


def workspace_active_grants(workspace: Workspace) -> QuerySet[AgencyGrant]:
    return (
        account_selectors.workspace_agency_grants(workspace)
        .filter(revoked_at__isnull=True)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=WorkspaceMember.objects.select_related("user").order_by("user__email"),
            )
        )
        .order_by("agency__name")
    )


def workspace_grant_get(workspace: Workspace, grant_id) -> AgencyGrant | None:
    return workspace_active_grants(workspace).filter(pk=grant_id).first()


def agency_by_slug(slug: str) -> Organization | None:
    """Only agency organizations can be found by slug, so brands cannot be probed through this form."""
    return Organization.objects.filter(slug=(slug or "").strip(), kind=Organization.Kind.AGENCY).first()


def agency_organizations_administered_by(*, user: User) -> list[Organization]:
    return list(
        Organization.objects.filter(
            kind=Organization.Kind.AGENCY,
            memberships__user=user,
            memberships__role__in=[OrgRole.OWNER, OrgRole.ADMIN],
        ).order_by("name")
    )


def organizations_administered_by(*, user: User) -> list[Organization]:
    """Every organization (brand or agency) where the person is an owner or admin: where they may create
    workspaces and change the organization's settings."""
    return list(
        Organization.objects.filter(
            memberships__user=user, memberships__role__in=[OrgRole.OWNER, OrgRole.ADMIN]
        ).order_by("name")
    )


def organization_workspaces(organization: Organization) -> QuerySet[Workspace]:
    return Workspace.objects.filter(organization=organization).order_by("name")


def agency_grants_with_assignments(agency: Organization) -> QuerySet[AgencyGrant]:
    return (
        AgencyGrant.objects.filter(agency=agency, revoked_at__isnull=True)
        .select_related("workspace__organization")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=WorkspaceMember.objects.select_related("user").order_by("user__email"),
            )
        )
        .order_by("workspace__organization__name", "workspace__name")
    )


def agency_grant_get(agency: Organization, grant_id) -> AgencyGrant | None:
    return agency_grants_with_assignments(agency).filter(pk=grant_id).first()


def agency_assignment_get(agency: Organization, member_id) -> WorkspaceMember | None:
    return (
        WorkspaceMember.objects.filter(pk=member_id, grant__agency=agency, grant__revoked_at__isnull=True)
        .select_related("user", "workspace", "grant")
        .first()
    )


def agency_people(agency: Organization) -> QuerySet[Membership]:
    return account_selectors.organization_members(agency).order_by("user__email")


def agency_person_get(agency: Organization, user_id) -> User | None:
    membership = agency_people(agency).filter(user_id=user_id).first()
    return membership.user if membership is not None else None


# --- audit log -------------------------------------------------------------------------------------


def workspace_audit_events(
    workspace: Workspace,
    *,
    action: str = "",
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    events = account_selectors.workspace_audit_events(
        workspace,
        action=action or None,
        actor=str(actor_id) if actor_id else None,
        since=since,
        until=until,
    )
    return events.select_related("actor").order_by("-id")


def workspace_audit_actions(workspace: Workspace) -> list[str]:
    return list(
        AuditEvent.objects.filter(workspace=workspace)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def workspace_audit_actors(workspace: Workspace) -> list[tuple[int, str]]:
    """(user id, label) of everyone who appears in the workspace's log."""
    rows = (
        AuditEvent.objects.filter(workspace=workspace, actor__isnull=False)
        .values_list("actor_id", "actor__email")
        .distinct()
        .order_by("actor__email")
    )
    return list(rows)


# --- personal ----------------------------------------------------------------------------------------


def user_tokens(user: User) -> QuerySet[PersonalAccessToken]:
    return account_selectors.personal_tokens_for_user(user=user).order_by("-created_at")


def user_token_get(user: User, token_id) -> PersonalAccessToken | None:
    return user_tokens(user).filter(pk=token_id).first()


# --- my work (the workspace's home page) -------------------------------------------------------------


@dataclass
class WorkItem:
    title: str
    url: str
    at: datetime | None = None
    note: str = ""
    badge: str = ""
    accounts: list[str] = field(default_factory=list)
    post: object = None  # the post whose accounts are listed (loaded once for every block)


@dataclass
class WorkBlock:
    key: str
    title: str
    empty: str
    items: list[WorkItem]
    limit: int

    @property
    def count(self) -> int:
        return min(len(self.items), self.limit)

    @property
    def more(self) -> bool:
        return len(self.items) > self.limit

    @property
    def shown(self) -> list[WorkItem]:
        return self.items[: self.limit]


def workspace_today(workspace: Workspace, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) of today in the workspace's time zone (a day with a clock change is 23 or 25 h)."""
    from core.timezones import day_start

    zone = workspace.tzinfo
    today = timezone.localtime(now or timezone.now(), zone).date()
    return day_start(today, zone), day_start(today + timedelta(days=1), zone)


def my_work(workspace: Workspace, *, user: User, access, now: datetime | None = None, limit: int = 10):
    """What this person has to do in this workspace, one block per kind of work, only the blocks their
    role can act on: my drafts and what was sent back to me (post.edit), waiting for my review
    (approval.decide), due today (everyone who sees posts), failed and unknown-outcome posts (those who
    can retry: post.publish_now), accounts to reconnect (account.connect).

    One query per block (each asks for `limit + 1` rows, to tell "more"), plus one that loads the listed
    posts' accounts for every block at once: the count does not grow with the number of items.
    """
    from approvals import selectors as approval_selectors
    from channels_app.selectors import social_accounts_needing_reconnection
    from content.models import PostTarget, TargetStatus
    from content.selectors import posts_scheduled_between, targets_with_status

    def review(post_id):
        return reverse("approvals:post_review", args=[workspace.pk, post_id])

    def detail(post_id):
        return reverse("content:post_detail", args=[workspace.pk, post_id])

    def untitled(post):
        return post.title or _("Post %(id)s") % {"id": post.pk}

    fetch = limit + 1
    blocks: list[WorkBlock] = []
    if access.can(C.POST_EDIT):
        drafts = approval_selectors.drafts_not_submitted(
            user=user, workspace=workspace, limit=fetch, with_targets=False
        )
        blocks.append(
            WorkBlock(
                "drafts",
                _("My drafts"),
                _("No drafts waiting to be submitted."),
                [
                    WorkItem(
                        untitled(p), detail(p.pk), at=p.scheduled_at, badge=p.get_status_display(), post=p
                    )
                    for p in drafts
                ],
                limit,
            )
        )
    if access.can(C.APPROVAL_DECIDE):
        waiting = approval_selectors.requests_waiting_for(user=user, accesses=[access], with_targets=False)
        blocks.append(
            WorkBlock(
                "waiting",
                _("Waiting for me"),
                _("Nothing is waiting for your review."),
                [
                    WorkItem(
                        untitled(r.post),
                        review(r.post_id),
                        at=r.current_stage.due_at if r.current_stage else None,
                        note=r.current_stage.stage_name if r.current_stage else "",
                        post=r.post,
                    )
                    for r in waiting[:fetch]
                ],
                limit,
            )
        )
    if access.can(C.POST_EDIT):
        sent_back = approval_selectors.requests_sent_back_to(user=user, workspace=workspace, limit=fetch)
        blocks.append(
            WorkBlock(
                "sent_back",
                _("Sent back to me"),
                _("None of your posts was sent back."),
                [
                    WorkItem(
                        untitled(r.post),
                        review(r.post_id),
                        at=r.last_decision.created_at if r.last_decision else r.completed_at,
                        note=r.last_decision.comment if r.last_decision else "",
                        badge=r.get_status_display(),
                        post=r.post,
                    )
                    for r in sent_back
                ],
                limit,
            )
        )
    if access.can(C.POST_VIEW):
        start, end = workspace_today(workspace, now)
        due = posts_scheduled_between(workspace, start=start, end=end, limit=fetch)
        blocks.append(
            WorkBlock(
                "due_today",
                _("Due today"),
                _("Nothing is planned for today."),
                [
                    WorkItem(
                        untitled(p), detail(p.pk), at=p.scheduled_at, badge=p.get_status_display(), post=p
                    )
                    for p in due
                ],
                limit,
            )
        )
    if access.can(C.POST_PUBLISH_NOW):
        for key, status, title, empty in (
            ("failed", TargetStatus.FAILED, _("Failed posts"), _("No post failed.")),
            (
                "unknown",
                TargetStatus.UNKNOWN,
                _("Outcome not confirmed"),
                _("No post is waiting for the platform to confirm."),
            ),
        ):
            targets = targets_with_status(workspace, statuses=[status], limit=fetch)
            blocks.append(
                WorkBlock(
                    key,
                    title,
                    empty,
                    [
                        WorkItem(
                            untitled(t.post),
                            detail(t.post_id),
                            at=t.post.scheduled_at or t.updated_at,
                            note=t.error_message,
                            accounts=[f"@{t.account.handle}"],
                        )
                        for t in targets
                    ],
                    limit,
                )
            )
    if access.can(C.ACCOUNT_CONNECT):
        accounts = social_accounts_needing_reconnection(workspace, now=now, limit=fetch)
        blocks.append(
            WorkBlock(
                "accounts",
                _("Accounts to reconnect"),
                _("Every account is connected."),
                [
                    WorkItem(
                        f"@{account.handle}",
                        reverse("channels:account_edit", args=[workspace.pk, account.pk]),
                        at=health.expires_at,
                        badge=health.label,
                        accounts=[account.get_platform_display()],
                    )
                    for account, health in accounts
                ],
                limit,
            )
        )
    # the listed posts' accounts, for every block at once
    posts = [item.post for block in blocks for item in block.shown if item.post is not None]
    prefetch_related_objects(
        posts,
        Prefetch("targets", queryset=PostTarget.objects.select_related("account").order_by("id")),
    )
    for block in blocks:
        for item in block.shown:
            if item.post is not None:
                item.accounts = [f"@{t.account.handle}" for t in item.post.targets.all()]
    return blocks

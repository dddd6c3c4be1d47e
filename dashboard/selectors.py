"""Reads for the dashboard pages, built on accounts.selectors (ordering and prefetching for display added
here). Every workspace read takes the workspace first and filters by it, so an id from the URL that
belongs to another workspace is simply not found (404).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet

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

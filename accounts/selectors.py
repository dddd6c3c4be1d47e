"""Reads for tenancy. Every workspace-scoped request resolves its access here, once."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from .models import AgencyGrant, Membership, Organization, User, Workspace, WorkspaceMember
from .roles import OrgRole, Role, capabilities_for


@dataclass(frozen=True)
class WorkspaceAccess:
    workspace: Workspace
    role: str
    capabilities: frozenset[str]
    via: str  # "member", "agency" or "organization"
    member: WorkspaceMember | None = None

    def can(self, capability: str) -> bool:
        return capability in self.capabilities


ORG_ADMIN_ROLES = (OrgRole.OWNER, OrgRole.ADMIN)


def workspace_access_for(*, user: User, workspace_id) -> WorkspaceAccess | None:
    """The user's access to one workspace, or None (which callers turn into a 404).

    Access comes from a WorkspaceMember row (an agency person's row also needs the grant active and the
    person still in the agency), or from being an owner/admin of the workspace's own organization.
    """
    if not user.is_authenticated:
        return None
    try:
        workspace_id = int(workspace_id)
    except (TypeError, ValueError):
        return None
    member = (
        WorkspaceMember.objects.select_related("workspace__organization", "grant")
        .filter(user=user, workspace_id=workspace_id)
        .annotate(
            in_agency=Exists(
                Membership.objects.filter(user=user, organization_id=OuterRef("grant__agency_id"))
            )
        )
        .first()
    )
    if member is not None:
        grant = member.grant
        if grant is None:
            return WorkspaceAccess(
                member.workspace, member.role, capabilities_for(member.role), "member", member
            )
        if grant.revoked_at is None and member.in_agency:
            return WorkspaceAccess(
                member.workspace,
                member.role,
                capabilities_for(member.role, grant.role_ceiling),
                "agency",
                member,
            )
        return None
    workspace = (
        Workspace.objects.select_related("organization")
        .filter(
            pk=workspace_id,
            organization__memberships__user=user,
            organization__memberships__role__in=ORG_ADMIN_ROLES,
        )
        .first()
    )
    if workspace is not None:
        return WorkspaceAccess(workspace, Role.ADMIN, capabilities_for(Role.ADMIN), "organization")
    return None


def workspaces_for_user(*, user: User) -> QuerySet[Workspace]:
    """Every workspace the user can open: as a member (agency grants active), or as an org admin."""
    active_member = WorkspaceMember.objects.filter(workspace=OuterRef("pk"), user=user).filter(
        grant__isnull=True
    )
    agency_member = WorkspaceMember.objects.filter(
        workspace=OuterRef("pk"),
        user=user,
        grant__revoked_at__isnull=True,
        grant__agency__memberships__user=user,
    )
    org_admin = Membership.objects.filter(
        organization=OuterRef("organization_id"), user=user, role__in=ORG_ADMIN_ROLES
    )
    return (
        Workspace.objects.select_related("organization")
        .filter(Exists(active_member) | Exists(agency_member) | Exists(org_admin))
        .order_by("organization__name", "name")
    )


def organization_membership_for(*, user: User, organization_id) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        organization_id = int(organization_id)
    except (TypeError, ValueError):
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user=user, organization_id=organization_id)
        .first()
    )


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user).order_by("name")


def active_grants_for_agency(*, agency: Organization) -> QuerySet[AgencyGrant]:
    return (
        AgencyGrant.objects.filter(agency=agency, revoked_at__isnull=True)
        .select_related("workspace__organization")
        .order_by("workspace__name")
    )

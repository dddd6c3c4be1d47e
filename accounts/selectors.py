"""Reads for tenancy. Every workspace-scoped request resolves its access here, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from core.models import AuditEvent

from .models import (
    AgencyGrant,
    Invitation,
    Membership,
    Organization,
    PersonalAccessToken,
    User,
    Workspace,
    WorkspaceMember,
)
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
# A workspace deleted (soft, lifecycle.services), or in a deleted organization, is gone for everyone.
LIVE_WORKSPACE = Q(deleted_at__isnull=True, organization__deleted_at__isnull=True)


def _is_live(workspace: Workspace) -> bool:
    return workspace.deleted_at is None and workspace.organization.deleted_at is None


def workspace_access_for(*, user: User, workspace_id) -> WorkspaceAccess | None:
    """The user's access to one workspace, or None (which callers turn into a 404).

    Access comes from being an owner/admin of the workspace's own organization (always the admin role,
    whatever their member row says), from a WorkspaceMember row of the workspace's own people, or from an
    agency person's row, which also needs the grant active and the person still in the agency.
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
            ),
            is_org_admin=Exists(
                Membership.objects.filter(
                    user=user,
                    organization_id=OuterRef("workspace__organization_id"),
                    role__in=ORG_ADMIN_ROLES,
                )
            ),
        )
        .first()
    )
    if member is not None:
        if not _is_live(member.workspace):
            return None
        if member.is_org_admin:
            return WorkspaceAccess(
                member.workspace, Role.ADMIN, capabilities_for(Role.ADMIN), "organization", member
            )
        return _member_access(member, member.workspace, in_agency=member.in_agency)
    workspace = (
        Workspace.objects.select_related("organization")
        .filter(LIVE_WORKSPACE)
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


def _member_access(
    member: WorkspaceMember, workspace: Workspace, *, in_agency: bool
) -> WorkspaceAccess | None:
    grant = member.grant
    if grant is None:
        return WorkspaceAccess(workspace, member.role, capabilities_for(member.role), "member", member)
    if grant.revoked_at is None and in_agency:
        return WorkspaceAccess(
            workspace, member.role, capabilities_for(member.role, grant.role_ceiling), "agency", member
        )
    return None


def workspace_accesses_for_user(*, user: User) -> list[WorkspaceAccess]:
    """The user's access to every workspace they can open, in three queries whatever their number."""
    workspaces = list(workspaces_for_user(user=user))
    members = {
        m.workspace_id: m
        for m in WorkspaceMember.objects.select_related("grant").filter(
            user=user, workspace__in=[w.pk for w in workspaces]
        )
    }
    org_roles = dict(Membership.objects.filter(user=user).values_list("organization_id", "role"))
    accesses = []
    for workspace in workspaces:
        member = members.get(workspace.pk)
        access = None
        if org_roles.get(workspace.organization_id) in ORG_ADMIN_ROLES:
            access = WorkspaceAccess(
                workspace, Role.ADMIN, capabilities_for(Role.ADMIN), "organization", member
            )
        elif member is not None:
            in_agency = member.grant is not None and member.grant.agency_id in org_roles
            access = _member_access(member, workspace, in_agency=in_agency)
        if access is not None:
            accesses.append(access)
    return accesses


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
        .filter(LIVE_WORKSPACE)
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


def organizations_with_role_for_user(*, user: User) -> QuerySet[Organization]:
    """The user's organizations, each annotated with `my_role` (their role in it)."""
    role = Membership.objects.filter(organization=OuterRef("pk"), user=user).values("role")[:1]
    return Organization.objects.filter(memberships__user=user).annotate(my_role=Subquery(role))


def organization_members(organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user")


def workspace_members(workspace: Workspace) -> QuerySet[WorkspaceMember]:
    return WorkspaceMember.objects.filter(workspace=workspace).select_related("user", "grant__agency")


def workspace_invitations(workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(workspace=workspace).select_related("invited_by")


def workspace_agency_grants(workspace: Workspace) -> QuerySet[AgencyGrant]:
    return AgencyGrant.objects.filter(workspace=workspace).select_related("agency", "granted_by")


def grant_assignments(grant: AgencyGrant) -> QuerySet[WorkspaceMember]:
    """The agency's people assigned to the client workspace through this grant."""
    return WorkspaceMember.objects.filter(grant=grant, workspace_id=grant.workspace_id).select_related("user")


def workspace_audit_events(
    workspace: Workspace,
    *,
    action: str | None = None,
    actor: str | None = None,
    target_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The workspace's audit log, narrowed by action, actor (user id or email), target type and time."""
    events = AuditEvent.objects.filter(workspace=workspace)
    if action:
        events = events.filter(action=action)
    if actor:
        actor = actor.strip()
        if actor.isdigit():
            events = events.filter(actor_id=int(actor))
        else:
            events = events.filter(Q(actor__email__iexact=actor) | Q(actor_label__iexact=actor))
    if target_type:
        events = events.filter(target_type=target_type)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events


def personal_tokens_for_user(*, user: User) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user=user)

"""The tenancy API: the person, organizations, workspaces, members, invitations, agency access, audit, tokens.

Each view inherits one of core.api's bases (the workspace or organization comes from the URL, access and
the per-method capability are checked there), parses input with an explicit serializer, calls one
service or selector and serializes the result. Lists use cursor pagination and load their relations up
front, so a page costs the same number of queries whatever its size.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts import selectors, services
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
from core.api import (
    OrganizationScopedAPIView,
    UserScopedAPIView,
    WorkspaceScopedAPIView,
    created,
)
from core.errors import ValidationFailed
from core.models import AuditEvent

from . import schema as _schema  # noqa: F401  (registers the token auth scheme)
from . import serializers as s

ORG_VIEW = "organization.view"
ORG_MANAGE = "organization.manage"


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
    }
    return {code: OpenApiResponse(s.ErrorSerializer, description=descriptions[code]) for code in codes}


def _ok(serializer, code: int = 200, *errors: int) -> dict:
    return {code: serializer, **_errors(*errors)}


NO_CONTENT = OpenApiResponse(description="Done.")


class _ListMixin:
    # Cursor-paginated output of a queryset that already loads everything the serializer reads.

    def paginated(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


def _validated(serializer_class, data, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- me -----------------------------------------------------------------------------------------------


class MeView(UserScopedAPIView):
    """The signed-in person: profile and where they belong."""

    dashboard_page = "dashboard:profile"

    serializer_class = s.MeUpdateSerializer
    required_capabilities = {"GET": None, "PATCH": None}

    def _me(self, user: User) -> dict:
        return s.MeSerializer(
            {
                "id": user.pk,
                "email": user.email,
                "full_name": user.full_name,
                "language": user.language,
                "organizations": Membership.objects.filter(user=user).select_related("organization"),
                "workspaces": selectors.workspace_accesses_for_user(user=user),
            }
        ).data

    @extend_schema(responses=s.MeSerializer, summary="Your profile and memberships")
    def get(self, request):
        return Response(self._me(request.user))

    @extend_schema(
        request=s.MeUpdateSerializer, responses=_ok(s.MeSerializer, 200, 400), summary="Update your profile"
    )
    def patch(self, request):
        data = _validated(s.MeUpdateSerializer, request.data, partial=True)
        user = services.user_update_profile(actor=request.user, **data)
        return Response(self._me(user))


# --- organizations ------------------------------------------------------------------------------------


class OrganizationListView(_ListMixin, UserScopedAPIView):
    serializer_class = s.OrganizationCreateSerializer
    required_capabilities = {"GET": None, "POST": None}
    dashboard_page = "dashboard:organization_new"

    @extend_schema(responses=s.OrganizationSerializer(many=True), summary="Your organizations")
    def get(self, request):
        return self.paginated(
            selectors.organizations_with_role_for_user(user=request.user), s.OrganizationSerializer
        )

    @extend_schema(
        request=s.OrganizationCreateSerializer,
        responses=_ok(s.OrganizationSerializer, 201, 400),
        summary="Create an organization (you become its owner)",
    )
    def post(self, request):
        data = _validated(s.OrganizationCreateSerializer, request.data)
        organization = services.organization_create(actor=request.user, **data)
        organization.my_role = Membership.objects.get(organization=organization, user=request.user).role
        return created(s.OrganizationSerializer(organization).data)


class OrganizationDetailView(OrganizationScopedAPIView):
    serializer_class = s.OrganizationUpdateSerializer
    # The organization itself is `self.organization`, resolved from the URL by the base; the queryset is
    # only there for the schema generator.
    queryset = Organization.objects.all()
    required_capabilities = {"GET": ORG_VIEW, "PATCH": ORG_MANAGE}
    dashboard_page = "dashboard:organization_settings"

    def _out(self, organization: Organization) -> dict:
        organization.my_role = self.membership.role
        return s.OrganizationSerializer(organization).data

    @extend_schema(responses=_ok(s.OrganizationSerializer, 200, 404), summary="An organization")
    def get(self, request, organization_id):
        return Response(self._out(self.organization))

    @extend_schema(
        request=s.OrganizationUpdateSerializer,
        responses=_ok(s.OrganizationSerializer, 200, 400, 403, 404),
        summary="Rename an organization or change its slug",
    )
    def patch(self, request, organization_id):
        data = _validated(s.OrganizationUpdateSerializer, request.data, partial=True)
        organization = services.organization_update(
            actor=request.user, organization=self.organization, **data
        )
        return Response(self._out(organization))


class OrganizationMemberListView(_ListMixin, OrganizationScopedAPIView):
    serializer_class = s.OrganizationMemberSerializer
    queryset = Membership.objects.all()
    required_capabilities = {"GET": ORG_VIEW}

    @extend_schema(responses=s.OrganizationMemberSerializer(many=True), summary="The organization's people")
    def get(self, request, organization_id):
        return self.paginated(
            selectors.organization_members(self.organization), s.OrganizationMemberSerializer
        )


class ReceivedGrantListView(_ListMixin, OrganizationScopedAPIView):
    """An agency's view of the client workspaces that let it in."""

    serializer_class = s.ReceivedGrantSerializer
    queryset = AgencyGrant.objects.all()
    organization_field = "agency"
    required_capabilities = {"GET": ORG_VIEW}

    @extend_schema(
        responses=s.ReceivedGrantSerializer(many=True), summary="Active grants your agency received"
    )
    def get(self, request, organization_id):
        return self.paginated(
            selectors.active_grants_for_agency(agency=self.organization), s.ReceivedGrantSerializer
        )


class _ReceivedGrantMixin:
    # The grant comes from the URL and must be an active grant to this organization (else 404).

    queryset = AgencyGrant.objects.filter(revoked_at__isnull=True)
    organization_field = "agency"
    lookup_url_kwarg = "grant_id"

    def refine_queryset(self, queryset):
        return queryset.select_related("workspace", "agency")


class GrantAssignmentListView(_ReceivedGrantMixin, _ListMixin, OrganizationScopedAPIView):
    dashboard_page = "dashboard:agency_home"
    serializer_class = s.AssignmentCreateSerializer
    required_capabilities = {"GET": ORG_MANAGE, "POST": ORG_MANAGE}

    @extend_schema(
        responses=s.AssignmentSerializer(many=True), summary="Your people assigned to a client workspace"
    )
    def get(self, request, organization_id, grant_id):
        grant = self.get_object()
        return self.paginated(selectors.grant_assignments(grant), s.AssignmentSerializer)

    @extend_schema(
        request=s.AssignmentCreateSerializer,
        responses=_ok(s.AssignmentSerializer, 201, 400, 403, 404),
        summary="Assign one of your people to the client workspace, within the ceiling",
    )
    def post(self, request, organization_id, grant_id):
        grant = self.get_object()
        data = _validated(s.AssignmentCreateSerializer, request.data)
        person = User.objects.filter(pk=data["user"], memberships__organization=self.organization).first()
        if person is None:
            raise ValidationFailed(
                _("Only people of your agency can be assigned."), field="user", code="not_agency_member"
            )
        member = services.agency_assignment_create(
            actor=request.user, grant=grant, user=person, role=data["role"]
        )
        return created(s.AssignmentSerializer(member).data)


class GrantAssignmentDetailView(_ReceivedGrantMixin, OrganizationScopedAPIView):
    dashboard_page = "dashboard:agency_home"
    serializer_class = s.AssignmentSerializer
    required_capabilities = {"DELETE": ORG_MANAGE}

    @extend_schema(responses={204: NO_CONTENT, **_errors(400, 403, 404)}, summary="Remove an assignment")
    def delete(self, request, organization_id, grant_id, member_id):
        grant = self.get_object()
        member = selectors.grant_assignments(grant).filter(pk=member_id).first()
        if member is None:
            raise Http404
        services.agency_assignment_remove(actor=request.user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- workspaces ---------------------------------------------------------------------------------------


class WorkspaceListView(_ListMixin, UserScopedAPIView):
    serializer_class = s.WorkspaceCreateSerializer
    required_capabilities = {"GET": None, "POST": None}
    dashboard_page = "dashboard:workspace_new"

    @extend_schema(responses=s.WorkspaceSerializer(many=True), summary="Workspaces you can open")
    def get(self, request):
        return self.paginated(selectors.workspaces_for_user(user=request.user), s.WorkspaceSerializer)

    @extend_schema(
        request=s.WorkspaceCreateSerializer,
        responses=_ok(s.WorkspaceSerializer, 201, 400, 403),
        summary="Create a workspace (organization owners and admins)",
    )
    def post(self, request):
        data = _validated(s.WorkspaceCreateSerializer, request.data)
        membership = selectors.organization_membership_for(
            user=request.user, organization_id=data.pop("organization")
        )
        if membership is None:
            # The same answer whether the organization exists or not.
            raise ValidationFailed(
                _("Unknown organization."), field="organization", code="unknown_organization"
            )
        workspace = services.workspace_create(
            actor=request.user, organization=membership.organization, **data
        )
        return created(s.WorkspaceSerializer(workspace).data)


class WorkspaceDetailView(WorkspaceScopedAPIView):
    serializer_class = s.WorkspaceUpdateSerializer
    # The workspace itself is `self.workspace`, resolved from the URL by the base; the queryset is only
    # there for the schema generator.
    queryset = Workspace.objects.all()
    required_capabilities = {"GET": C.WORKSPACE_VIEW, "PATCH": C.WORKSPACE_MANAGE}
    dashboard_page = "dashboard:workspace_settings"

    @extend_schema(responses=_ok(s.WorkspaceSerializer, 200, 404), summary="A workspace")
    def get(self, request, workspace_id):
        return Response(s.WorkspaceSerializer(self.workspace).data)

    @extend_schema(
        request=s.WorkspaceUpdateSerializer,
        responses=_ok(s.WorkspaceSerializer, 200, 400, 403, 404),
        summary="Change a workspace's name, slug, time zone, language or currency",
    )
    def patch(self, request, workspace_id):
        data = _validated(s.WorkspaceUpdateSerializer, request.data, partial=True)
        workspace = services.workspace_update(actor=request.user, workspace=self.workspace, **data)
        return Response(s.WorkspaceSerializer(workspace).data)


class WorkspaceMemberListView(_ListMixin, WorkspaceScopedAPIView):
    serializer_class = s.WorkspaceMemberSerializer
    queryset = WorkspaceMember.objects.all()
    required_capabilities = {"GET": C.MEMBER_VIEW}

    @extend_schema(responses=s.WorkspaceMemberSerializer(many=True), summary="The workspace's people")
    def get(self, request, workspace_id):
        return self.paginated(selectors.workspace_members(self.workspace), s.WorkspaceMemberSerializer)


class WorkspaceMemberDetailView(WorkspaceScopedAPIView):
    dashboard_page = "dashboard:members"
    serializer_class = s.MemberRoleSerializer
    queryset = WorkspaceMember.objects.all()
    lookup_url_kwarg = "member_id"
    required_capabilities = {"GET": C.MEMBER_VIEW, "PATCH": C.MEMBER_MANAGE, "DELETE": C.MEMBER_MANAGE}

    def refine_queryset(self, queryset):
        return queryset.select_related("user", "grant__agency")

    @extend_schema(responses=_ok(s.WorkspaceMemberSerializer, 200, 404), summary="A member")
    def get(self, request, workspace_id, member_id):
        return Response(s.WorkspaceMemberSerializer(self.get_object()).data)

    @extend_schema(
        request=s.MemberRoleSerializer,
        responses=_ok(s.WorkspaceMemberSerializer, 200, 400, 403, 404),
        summary="Change a member's role",
    )
    def patch(self, request, workspace_id, member_id):
        member = self.get_object()
        data = _validated(s.MemberRoleSerializer, request.data)
        member = services.member_change_role(actor=request.user, member=member, role=data["role"])
        return Response(s.WorkspaceMemberSerializer(member).data)

    @extend_schema(responses={204: NO_CONTENT, **_errors(400, 403, 404)}, summary="Remove a member")
    def delete(self, request, workspace_id, member_id):
        services.member_remove(actor=request.user, member=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- invitations --------------------------------------------------------------------------------------


class InvitationListView(_ListMixin, WorkspaceScopedAPIView):
    dashboard_page = "dashboard:members"
    serializer_class = s.InvitationCreateSerializer
    queryset = Invitation.objects.all()
    required_capabilities = {"GET": C.MEMBER_MANAGE, "POST": C.MEMBER_MANAGE}

    @extend_schema(responses=s.InvitationSerializer(many=True), summary="The workspace's invitations")
    def get(self, request, workspace_id):
        return self.paginated(selectors.workspace_invitations(self.workspace), s.InvitationSerializer)

    @extend_schema(
        request=s.InvitationCreateSerializer,
        responses=_ok(s.InvitationSerializer, 201, 400, 403, 404),
        summary="Invite someone by email (the link is emailed, never returned)",
    )
    def post(self, request, workspace_id):
        data = _validated(s.InvitationCreateSerializer, request.data)
        invitation, _token = services.invitation_create(actor=request.user, workspace=self.workspace, **data)
        return created(s.InvitationSerializer(invitation).data)


class _InvitationObjectMixin:
    queryset = Invitation.objects.all()
    lookup_url_kwarg = "invitation_id"

    def refine_queryset(self, queryset):
        return queryset.select_related("invited_by", "workspace")


class InvitationDetailView(_InvitationObjectMixin, WorkspaceScopedAPIView):
    dashboard_page = "dashboard:members"
    serializer_class = s.InvitationSerializer
    required_capabilities = {"GET": C.MEMBER_MANAGE, "DELETE": C.MEMBER_MANAGE}

    @extend_schema(responses=_ok(s.InvitationSerializer, 200, 403, 404), summary="An invitation")
    def get(self, request, workspace_id, invitation_id):
        return Response(s.InvitationSerializer(self.get_object()).data)

    @extend_schema(responses={204: NO_CONTENT, **_errors(400, 403, 404)}, summary="Revoke an invitation")
    def delete(self, request, workspace_id, invitation_id):
        services.invitation_revoke(actor=request.user, invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationResendView(_InvitationObjectMixin, WorkspaceScopedAPIView):
    dashboard_page = "dashboard:members"
    serializer_class = s.InvitationSerializer
    required_capabilities = {"POST": C.MEMBER_MANAGE}

    @extend_schema(
        request=None,
        responses=_ok(s.InvitationSerializer, 200, 400, 403, 404),
        summary="Send the invitation again with a new link and a new expiry",
    )
    def post(self, request, workspace_id, invitation_id):
        invitation, _token = services.invitation_resend(actor=request.user, invitation=self.get_object())
        return Response(s.InvitationSerializer(invitation).data)


class InvitationAcceptView(UserScopedAPIView):
    dashboard_page = "dashboard:invitation_accept"
    serializer_class = s.InvitationAcceptSerializer
    required_capabilities = {"POST": None}

    @extend_schema(
        request=s.InvitationAcceptSerializer,
        responses=_ok(s.AcceptedInvitationSerializer, 200, 400),
        summary="Accept an invitation with the token from its email",
    )
    def post(self, request):
        data = _validated(s.InvitationAcceptSerializer, request.data)
        member = services.invitation_accept(user=request.user, token=data["token"])
        return Response(s.AcceptedInvitationSerializer(member).data)


# --- agency grants (the client's side) ----------------------------------------------------------------


class AgencyGrantListView(_ListMixin, WorkspaceScopedAPIView):
    dashboard_page = "dashboard:agencies"
    serializer_class = s.AgencyGrantCreateSerializer
    queryset = AgencyGrant.objects.all()
    required_capabilities = {"GET": C.AGENCY_MANAGE, "POST": C.AGENCY_MANAGE}

    @extend_schema(responses=s.AgencyGrantSerializer(many=True), summary="Agencies let into this workspace")
    def get(self, request, workspace_id):
        return self.paginated(selectors.workspace_agency_grants(self.workspace), s.AgencyGrantSerializer)

    @extend_schema(
        request=s.AgencyGrantCreateSerializer,
        responses=_ok(s.AgencyGrantSerializer, 201, 400, 403, 404),
        summary="Let an agency in, up to a role ceiling",
    )
    def post(self, request, workspace_id):
        data = _validated(s.AgencyGrantCreateSerializer, request.data)
        agency = Organization.objects.filter(pk=data["agency"]).first()
        if agency is None:
            raise ValidationFailed(_("Unknown agency."), field="agency", code="unknown_agency")
        grant = services.agency_grant_create(
            actor=request.user, workspace=self.workspace, agency=agency, role_ceiling=data["role_ceiling"]
        )
        return created(s.AgencyGrantSerializer(grant).data)


class AgencyGrantDetailView(WorkspaceScopedAPIView):
    dashboard_page = "dashboard:agencies"
    serializer_class = s.AgencyGrantUpdateSerializer
    queryset = AgencyGrant.objects.all()
    lookup_url_kwarg = "grant_id"
    required_capabilities = {"GET": C.AGENCY_MANAGE, "PATCH": C.AGENCY_MANAGE, "DELETE": C.AGENCY_MANAGE}

    def refine_queryset(self, queryset):
        return queryset.select_related("agency", "granted_by")

    @extend_schema(responses=_ok(s.AgencyGrantSerializer, 200, 403, 404), summary="An agency grant")
    def get(self, request, workspace_id, grant_id):
        return Response(s.AgencyGrantSerializer(self.get_object()).data)

    @extend_schema(
        request=s.AgencyGrantUpdateSerializer,
        responses=_ok(s.AgencyGrantSerializer, 200, 400, 403, 404),
        summary="Change the role ceiling (people above it come down to it)",
    )
    def patch(self, request, workspace_id, grant_id):
        grant = self.get_object()
        data = _validated(s.AgencyGrantUpdateSerializer, request.data)
        services.agency_grant_change_ceiling(
            actor=request.user, grant=grant, role_ceiling=data["role_ceiling"]
        )
        return Response(s.AgencyGrantSerializer(self.get_object()).data)

    @extend_schema(
        responses={204: NO_CONTENT, **_errors(400, 403, 404)},
        summary="Revoke the agency's access (ends at once)",
    )
    def delete(self, request, workspace_id, grant_id):
        services.agency_grant_revoke(actor=request.user, grant=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- audit log ----------------------------------------------------------------------------------------


class AuditEventListView(_ListMixin, WorkspaceScopedAPIView):
    serializer_class = s.AuditEventSerializer
    queryset = AuditEvent.objects.all()
    required_capabilities = {"GET": C.AUDIT_VIEW}

    @extend_schema(
        parameters=[s.AuditEventFilterSerializer],
        responses=s.AuditEventSerializer(many=True),
        summary="The workspace's audit log, newest first",
    )
    def get(self, request, workspace_id):
        filters = _validated(s.AuditEventFilterSerializer, request.query_params)
        return self.paginated(
            selectors.workspace_audit_events(self.workspace, **filters), s.AuditEventSerializer
        )


# --- personal access tokens ---------------------------------------------------------------------------


class TokenListView(_ListMixin, UserScopedAPIView):
    dashboard_page = "dashboard:tokens"
    serializer_class = s.TokenCreateSerializer
    required_capabilities = {"GET": None, "POST": None}

    @extend_schema(responses=s.TokenSerializer(many=True), summary="Your personal access tokens")
    def get(self, request):
        return self.paginated(selectors.personal_tokens_for_user(user=request.user), s.TokenSerializer)

    @extend_schema(
        request=s.TokenCreateSerializer,
        responses=_ok(s.TokenCreatedSerializer, 201, 400),
        summary="Create a token; the plain value is in this response only",
    )
    def post(self, request):
        data = _validated(s.TokenCreateSerializer, request.data)
        token, plain = services.personal_token_create(actor=request.user, **data)
        body = s.TokenSerializer(token).data
        body["token"] = plain
        return created(body)


class TokenDetailView(UserScopedAPIView):
    dashboard_page = "dashboard:tokens"
    serializer_class = s.TokenSerializer
    required_capabilities = {"DELETE": None}

    @extend_schema(responses={204: NO_CONTENT, **_errors(404)}, summary="Revoke a token (works at once)")
    def delete(self, request, token_id):
        token = PersonalAccessToken.objects.filter(user=request.user, pk=token_id).first()
        if token is None:
            raise Http404
        services.personal_token_revoke(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""Tenancy routes under /api/v1/. Anything about one workspace starts with workspaces/<workspace_id>/,
anything about one organization with organizations/<organization_id>/ (tests/test_isolation.py checks it)."""

from django.urls import path

from . import views

WS = "workspaces/<int:workspace_id>/"
ORG = "organizations/<int:organization_id>/"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("tokens/", views.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/", views.TokenDetailView.as_view(), name="api-token"),
    path("invitations/accept/", views.InvitationAcceptView.as_view(), name="api-invitation-accept"),
    # organizations
    path("organizations/", views.OrganizationListView.as_view(), name="api-organizations"),
    path(ORG, views.OrganizationDetailView.as_view(), name="api-organization"),
    path(ORG + "members/", views.OrganizationMemberListView.as_view(), name="api-organization-members"),
    path(ORG + "received-grants/", views.ReceivedGrantListView.as_view(), name="api-received-grants"),
    path(
        ORG + "received-grants/<int:grant_id>/assignments/",
        views.GrantAssignmentListView.as_view(),
        name="api-grant-assignments",
    ),
    path(
        ORG + "received-grants/<int:grant_id>/assignments/<int:member_id>/",
        views.GrantAssignmentDetailView.as_view(),
        name="api-grant-assignment",
    ),
    # workspaces
    path("workspaces/", views.WorkspaceListView.as_view(), name="api-workspaces"),
    path(WS, views.WorkspaceDetailView.as_view(), name="api-workspace"),
    path(WS + "members/", views.WorkspaceMemberListView.as_view(), name="api-members"),
    path(WS + "members/<int:member_id>/", views.WorkspaceMemberDetailView.as_view(), name="api-member"),
    path(WS + "invitations/", views.InvitationListView.as_view(), name="api-invitations"),
    path(
        WS + "invitations/<int:invitation_id>/", views.InvitationDetailView.as_view(), name="api-invitation"
    ),
    path(
        WS + "invitations/<int:invitation_id>/resend/",
        views.InvitationResendView.as_view(),
        name="api-invitation-resend",
    ),
    path(WS + "agency-grants/", views.AgencyGrantListView.as_view(), name="api-agency-grants"),
    path(
        WS + "agency-grants/<int:grant_id>/", views.AgencyGrantDetailView.as_view(), name="api-agency-grant"
    ),
    path(WS + "audit-events/", views.AuditEventListView.as_view(), name="api-audit-events"),
]

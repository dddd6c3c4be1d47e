from django.urls import path

from analytics.views import OverviewPage
from approvals.views import ReviewQueuePage
from approvals.workflow_pages import WorkflowDeleteView, WorkflowEditPage, WorkflowsPage
from budgets.views import BudgetListPage
from channels_app.views import AccountMatrixView
from competitors.views import CompetitorsPage
from content.views import CalendarView
from content.views.media_library import MediaLibraryView
from inbox.views import QueuePage as InboxQueuePage
from objectives.views import ObjectiveListPage

from . import organization_views, personal_views, views

app_name = "dashboard"

W = "w/<int:workspace_id>/"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    # Personal settings
    path("settings/tokens/", views.PersonalSettingsView.as_view(), name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("settings/profile/", views.ProfileView.as_view(), name="profile"),
    path(
        "settings/notifications/",
        personal_views.NotificationSettingsView.as_view(),
        name="notification_settings",
    ),
    path("settings/calendar-feeds/", personal_views.IcalFeedsView.as_view(), name="ical_feeds"),
    path(
        "settings/calendar-feeds/<int:feed_id>/revoke/",
        personal_views.IcalFeedRevokeView.as_view(),
        name="ical_feed_revoke",
    ),
    # Organizations and new workspaces
    path("organizations/new/", organization_views.OrganizationNewView.as_view(), name="organization_new"),
    path(
        "org/<int:organization_id>/settings/",
        organization_views.OrganizationSettingsView.as_view(),
        name="organization_settings",
    ),
    path("workspaces/new/", organization_views.WorkspaceNewView.as_view(), name="workspace_new"),
    # Agency side
    path("org/<int:organization_id>/agency/", views.AgencyHomeView.as_view(), name="agency_home"),
    path(
        "org/<int:organization_id>/agency/grants/<int:grant_id>/assign/",
        views.AgencyAssignView.as_view(),
        name="agency_assign",
    ),
    path(
        "org/<int:organization_id>/agency/assignments/<int:member_id>/remove/",
        views.AgencyUnassignView.as_view(),
        name="agency_unassign",
    ),
    # A workspace
    path(W, views.WorkspaceHomeView.as_view(), name="workspace_home"),
    # The product's sections (later releases replace these placeholders; keep the names).
    path(W + "calendar/", CalendarView.as_view(), name="calendar"),
    path(W + "media/", MediaLibraryView.as_view(), name="media"),
    path(W + "approvals/", ReviewQueuePage.as_view(), name="approvals"),
    path(W + "accounts/", AccountMatrixView.as_view(), name="accounts"),
    path(W + "analytics/", OverviewPage.as_view(), name="analytics"),
    path(W + "competitors/", CompetitorsPage.as_view(), name="competitors"),
    path(W + "budgets/", BudgetListPage.as_view(), name="budgets"),
    path(W + "objectives/", ObjectiveListPage.as_view(), name="objectives"),
    path(W + "inbox/", InboxQueuePage.as_view(), name="inbox"),
    # Workspace settings
    path(W + "settings/members/", views.MembersView.as_view(), name="members"),
    path(W + "settings/members/<int:member_id>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path(
        W + "settings/members/<int:member_id>/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    path(
        W + "settings/invitations/<int:invitation_id>/resend/",
        views.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(
        W + "settings/invitations/<int:invitation_id>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(W + "settings/agencies/", views.AgenciesView.as_view(), name="agencies"),
    path(
        W + "settings/agencies/<int:grant_id>/ceiling/",
        views.AgencyCeilingView.as_view(),
        name="agency_ceiling",
    ),
    path(
        W + "settings/agencies/<int:grant_id>/revoke/",
        views.AgencyRevokeView.as_view(),
        name="agency_revoke",
    ),
    path(W + "settings/audit/", views.AuditLogView.as_view(), name="audit"),
    path(W + "settings/workflows/", WorkflowsPage.as_view(), name="approval_workflows"),
    path(W + "settings/workflows/new/", WorkflowEditPage.as_view(), name="approval_workflow_create"),
    path(
        W + "settings/workflows/<int:workflow_id>/",
        WorkflowEditPage.as_view(),
        name="approval_workflow_edit",
    ),
    path(
        W + "settings/workflows/<int:workflow_id>/delete/",
        WorkflowDeleteView.as_view(),
        name="approval_workflow_delete",
    ),
    path(W + "settings/workspace/", views.WorkspaceSettingsView.as_view(), name="workspace_settings"),
]

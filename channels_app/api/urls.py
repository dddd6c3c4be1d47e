from django.urls import path

from . import views

urlpatterns = [
    path(
        "workspaces/<int:workspace_id>/social-accounts/",
        views.SocialAccountListView.as_view(),
        name="social-account-list",
    ),
    path(
        "workspaces/<int:workspace_id>/social-accounts/connect-start/",
        views.ConnectStartView.as_view(),
        name="social-account-connect-start",
    ),
    path(
        "workspaces/<int:workspace_id>/social-accounts/<int:account_id>/",
        views.SocialAccountDetailView.as_view(),
        name="social-account-detail",
    ),
    path(
        "workspaces/<int:workspace_id>/account-groups/",
        views.AccountGroupListView.as_view(),
        name="account-group-list",
    ),
    path(
        "workspaces/<int:workspace_id>/account-groups/<int:group_id>/",
        views.AccountGroupDetailView.as_view(),
        name="account-group-detail",
    ),
]

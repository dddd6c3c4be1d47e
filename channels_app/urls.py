"""Dashboard pages of the account matrix. The matrix itself is dashboard:accounts (dashboard/urls.py)."""

from django.urls import path

from . import views

app_name = "channels"

W = "w/<int:workspace_id>/accounts/"

urlpatterns = [
    path(W + "connect/<str:platform>/", views.ConnectView.as_view(), name="connect"),
    path(W + "<int:account_id>/", views.AccountEditView.as_view(), name="account_edit"),
    path(W + "<int:account_id>/disconnect/", views.DisconnectView.as_view(), name="disconnect"),
    path(W + "groups/", views.GroupCreateView.as_view(), name="group_create"),
    path(W + "groups/<int:group_id>/rename/", views.GroupRenameView.as_view(), name="group_rename"),
    path(W + "groups/<int:group_id>/delete/", views.GroupDeleteView.as_view(), name="group_delete"),
    path("connect/<str:platform>/callback/", views.OAuthCallbackView.as_view(), name="oauth_callback"),
    path(
        "org/<int:organization_id>/accounts/",
        views.OrganizationAccountsView.as_view(),
        name="organization_accounts",
    ),
]

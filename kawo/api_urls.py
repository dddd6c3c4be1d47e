"""Every API route, under /api/v1/. Workspace-scoped routes start with workspaces/<workspace_id>/."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("channels_app.api.urls")),
    path("", include("publishing.api.urls")),
    path("", include("content.api.urls")),
    path("", include("approvals.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("analytics.exports.urls")),
    path("", include("budgets.api.urls")),
    path("", include("objectives.api.urls")),
    path("", include("competitors.api.urls")),
    path("", include("inbox.api.urls")),
    path("", include("lifecycle.api")),
]

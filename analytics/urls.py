"""Analytics pages (the overview itself is dashboard:analytics, pointing at analytics.views.OverviewPage,
so the navigation keeps its name)."""

from django.urls import path

from . import views

app_name = "analytics"

W = "w/<int:workspace_id>/analytics/"

urlpatterns = [
    path(W + "posts/", views.PostsPage.as_view(), name="posts"),
    path(W + "posts/table/", views.PostsTablePartial.as_view(), name="posts_table"),
    path(W + "campaigns/", views.CampaignsPage.as_view(), name="campaigns"),
    path(W + "metrics/", views.MetricsPage.as_view(), name="metrics"),
]

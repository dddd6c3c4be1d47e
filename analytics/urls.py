"""Analytics pages (the overview itself is dashboard:analytics, pointing at analytics.views.OverviewPage,
so the navigation keeps its name)."""

from django.urls import path

from . import manage_views, views

app_name = "analytics"

W = "w/<int:workspace_id>/analytics/"

urlpatterns = [
    path(W + "posts/", views.PostsPage.as_view(), name="posts"),
    path(W + "posts/table/", views.PostsTablePartial.as_view(), name="posts_table"),
    path(W + "campaigns/", views.CampaignsPage.as_view(), name="campaigns"),
    path(W + "metrics/", manage_views.CustomMetricsPage.as_view(), name="metrics"),
    path(
        W + "metrics/<int:custom_metric_id>/",
        manage_views.CustomMetricEditPage.as_view(),
        name="custom_metric_edit",
    ),
    path(
        W + "metrics/<int:custom_metric_id>/delete/",
        manage_views.CustomMetricDeleteView.as_view(),
        name="custom_metric_delete",
    ),
    path(W + "settings/", manage_views.AnalyticsSettingsPage.as_view(), name="settings"),
    path(W + "scheduled-reports/", manage_views.ScheduledReportsPage.as_view(), name="scheduled_reports"),
    path(
        W + "scheduled-reports/<int:scheduled_report_id>/",
        manage_views.ScheduledReportEditPage.as_view(),
        name="scheduled_report_edit",
    ),
    path(
        W + "scheduled-reports/<int:scheduled_report_id>/delete/",
        manage_views.ScheduledReportDeleteView.as_view(),
        name="scheduled_report_delete",
    ),
]

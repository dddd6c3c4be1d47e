from django.urls import path

from . import views

A = "workspaces/<int:workspace_id>/analytics/"

urlpatterns = [
    path(A + "overview/", views.OverviewView.as_view(), name="analytics-overview"),
    path(A + "posts/", views.PostTableView.as_view(), name="analytics-posts"),
    path(A + "top-posts/", views.TopPostsView.as_view(), name="analytics-top-posts"),
    path(A + "campaigns/", views.CampaignReportView.as_view(), name="analytics-campaigns"),
    path(
        A + "campaigns/<int:campaign_id>/",
        views.CampaignDetailReportView.as_view(),
        name="analytics-campaign",
    ),
    path(A + "tags/", views.TagReportView.as_view(), name="analytics-tags"),
    path(A + "best-time/", views.BestTimeView.as_view(), name="analytics-best-time"),
    path(A + "follower-growth/", views.FollowerGrowthView.as_view(), name="analytics-follower-growth"),
    path(A + "metrics/", views.MetricRegistryView.as_view(), name="analytics-metrics"),
    path(A + "custom-metrics/", views.CustomMetricListView.as_view(), name="analytics-custom-metrics"),
    path(
        A + "custom-metrics/<int:custom_metric_id>/",
        views.CustomMetricDetailView.as_view(),
        name="analytics-custom-metric",
    ),
    path(A + "settings/", views.AnalyticsSettingsView.as_view(), name="analytics-settings"),
]

"""API routes of exports and scheduled reports (included by kawo/api_urls.py under /api/v1/)."""

from django.urls import path

from . import api

A = "workspaces/<int:workspace_id>/analytics/"

urlpatterns = [
    path(A + "exports/", api.ExportJobListView.as_view(), name="analytics-export-list"),
    path(A + "exports/<int:export_id>/", api.ExportJobDetailView.as_view(), name="analytics-export-detail"),
    path(
        A + "exports/<int:export_id>/download/",
        api.ExportJobDownloadView.as_view(),
        name="analytics-export-download",
    ),
    path(
        A + "scheduled-reports/",
        api.ScheduledReportListView.as_view(),
        name="analytics-scheduled-report-list",
    ),
    path(
        A + "scheduled-reports/<int:scheduled_report_id>/",
        api.ScheduledReportDetailView.as_view(),
        name="analytics-scheduled-report-detail",
    ),
]

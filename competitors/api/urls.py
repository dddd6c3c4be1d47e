from django.urls import path

from . import alerts, imports, schedules, views

C = "workspaces/<int:workspace_id>/competitors/"

urlpatterns = [
    path(C, views.CompetitorListView.as_view(), name="competitors-list"),
    path(C + "pick/", views.CompetitorPickView.as_view(), name="competitors-pick"),
    path(C + "imports/", imports.RivalImportListView.as_view(), name="competitors-imports"),
    path(
        C + "imports/<int:rival_import_id>/",
        imports.RivalImportDetailView.as_view(),
        name="competitors-import-detail",
    ),
    path(C + "alerts/", alerts.AlertListView.as_view(), name="competitors-alerts"),
    path(C + "alerts/settings/", alerts.AlertSettingsView.as_view(), name="competitors-alert-settings"),
    path(C + "schedules/", schedules.BenchmarkScheduleListView.as_view(), name="competitors-schedules"),
    path(
        C + "schedules/<int:benchmark_schedule_id>/",
        schedules.BenchmarkScheduleDetailView.as_view(),
        name="competitors-schedule-detail",
    ),
    path(C + "benchmark/", views.BenchmarkView.as_view(), name="competitors-benchmark"),
    path(
        C + "benchmark/export/",
        views.BenchmarkExportView.as_view(),
        name="competitors-benchmark-export",
    ),
    path(C + "<int:competitor_id>/", views.CompetitorDetailView.as_view(), name="competitors-detail"),
    path(
        C + "<int:competitor_id>/accounts/",
        views.CompetitorAccountsView.as_view(),
        name="competitors-accounts",
    ),
    path(C + "<int:competitor_id>/pull/", views.CompetitorPullView.as_view(), name="competitors-pull"),
]

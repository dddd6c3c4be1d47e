"""Competitor pages (the list itself is dashboard:competitors, so the navigation keeps its name)."""

from django.urls import path

from . import views

app_name = "competitors"

W = "w/<int:workspace_id>/competitors/"

urlpatterns = [
    path(W + "benchmark/", views.BenchmarkPage.as_view(), name="benchmark"),
    path(W + "benchmark/export/", views.BenchmarkExportView.as_view(), name="benchmark_export"),
    path(W + "alerts/", views.AlertSettingsPage.as_view(), name="alert_settings"),
    path(W + "schedules/", views.BenchmarkSchedulesPage.as_view(), name="schedules"),
    path(
        W + "schedules/<int:benchmark_schedule_id>/pause/",
        views.BenchmarkScheduleActionView.as_view(),
        {"action": "pause"},
        name="schedule_pause",
    ),
    path(
        W + "schedules/<int:benchmark_schedule_id>/resume/",
        views.BenchmarkScheduleActionView.as_view(),
        {"action": "resume"},
        name="schedule_resume",
    ),
    path(
        W + "schedules/<int:benchmark_schedule_id>/delete/",
        views.BenchmarkScheduleActionView.as_view(),
        {"action": "delete"},
        name="schedule_delete",
    ),
    path(W + "imports/", views.RivalImportsPage.as_view(), name="imports"),
    path(
        W + "imports/template.csv",
        views.RivalImportTemplateView.as_view(),
        {"kind": "csv"},
        name="import_template_csv",
    ),
    path(
        W + "imports/template.xlsx",
        views.RivalImportTemplateView.as_view(),
        {"kind": "xlsx"},
        name="import_template_xlsx",
    ),
    path(W + "<int:competitor_id>/pull/", views.CompetitorPullView.as_view(), name="pull"),
    path(W + "<int:competitor_id>/remove/", views.CompetitorRemoveView.as_view(), name="remove"),
]

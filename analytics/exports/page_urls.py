"""The page-less download the analytics pages link to (session, no page of its own)."""

from django.urls import path

from .views import ExportDownloadView

app_name = "analytics_exports"

urlpatterns = [
    path("w/<int:workspace_id>/analytics/export/", ExportDownloadView.as_view(), name="download"),
]

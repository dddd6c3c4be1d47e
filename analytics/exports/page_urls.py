"""The download the analytics pages link to, and the Downloads page (export jobs and their progress)."""

from django.urls import path

from .pages import ExportFileView, ExportJobsPartial, ExportsPage
from .views import ExportDownloadView

app_name = "analytics_exports"

urlpatterns = [
    path("w/<int:workspace_id>/analytics/export/", ExportDownloadView.as_view(), name="download"),
    path("w/<int:workspace_id>/analytics/downloads/", ExportsPage.as_view(), name="jobs"),
    path("w/<int:workspace_id>/analytics/downloads/list/", ExportJobsPartial.as_view(), name="jobs_list"),
    path(
        "w/<int:workspace_id>/analytics/downloads/<int:export_id>/file/",
        ExportFileView.as_view(),
        name="file",
    ),
]

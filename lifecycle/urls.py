from django.urls import path

from . import views

app_name = "lifecycle"

W = "w/<int:workspace_id>/settings/leave/"
ORG = "org/<int:organization_id>/"

urlpatterns = [
    path(W, views.WorkspaceLeavePage.as_view(), name="workspace"),
    path(W + "exports/", views.WorkspaceExportsPartial.as_view(), name="workspace_exports"),
    path(W + "export/", views.WorkspaceExportStart.as_view(), name="workspace_export"),
    path(
        W + "exports/<int:workspace_export_id>/file/",
        views.WorkspaceExportFile.as_view(),
        name="workspace_export_file",
    ),
    path(W + "delete/", views.WorkspaceDelete.as_view(), name="workspace_delete"),
    path(ORG + "workspaces/restore/", views.WorkspaceRestore.as_view(), name="workspace_restore"),
    path(ORG + "delete/", views.OrganizationDelete.as_view(), name="organization_delete"),
    path(ORG + "restore/", views.OrganizationRestore.as_view(), name="organization_restore"),
]

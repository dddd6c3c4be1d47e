from django.urls import path

from . import views

B = "workspaces/<int:workspace_id>/objectives/"

urlpatterns = [
    path(B, views.ObjectiveListView.as_view(), name="objective-list"),
    path(B + "<int:objective_id>/", views.ObjectiveDetailView.as_view(), name="objective-detail"),
]

"""Objectives pages (the list itself is dashboard:objectives, so the navigation keeps its name)."""

from django.urls import path

from . import views

app_name = "objectives"

W = "w/<int:workspace_id>/objectives/"

urlpatterns = [
    path(W + "ocean/", views.OceanPage.as_view(), name="ocean"),
    path(W + "<int:objective_id>/", views.ObjectiveEditPage.as_view(), name="edit"),
]

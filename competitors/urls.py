"""Competitor pages (the list itself is dashboard:competitors, so the navigation keeps its name)."""

from django.urls import path

from . import views

app_name = "competitors"

W = "w/<int:workspace_id>/competitors/"

urlpatterns = [
    path(W + "benchmark/", views.BenchmarkPage.as_view(), name="benchmark"),
    path(W + "<int:competitor_id>/pull/", views.CompetitorPullView.as_view(), name="pull"),
    path(W + "<int:competitor_id>/remove/", views.CompetitorRemoveView.as_view(), name="remove"),
]

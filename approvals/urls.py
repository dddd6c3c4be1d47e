from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path(
        "w/<int:workspace_id>/approvals/posts/<int:post_id>/",
        views.PostReviewPage.as_view(),
        name="post_review",
    ),
    path("review/<str:token>/", views.ExternalReviewPage.as_view(), name="external_review"),
]

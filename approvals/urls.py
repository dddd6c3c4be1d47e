from django.urls import path

from . import page_actions, views

app_name = "approvals"

urlpatterns = [
    path(
        "w/<int:workspace_id>/approvals/posts/<int:post_id>/",
        views.PostReviewPage.as_view(),
        name="post_review",
    ),
    path(
        "w/<int:workspace_id>/approvals/posts/<int:post_id>/withdraw/",
        page_actions.RequestWithdrawView.as_view(),
        name="request_withdraw",
    ),
    path(
        "w/<int:workspace_id>/approvals/posts/<int:post_id>/override/",
        page_actions.ApprovalOverridePage.as_view(),
        name="approval_override",
    ),
    path(
        "w/<int:workspace_id>/approvals/batch/",
        page_actions.BatchSubmitPageView.as_view(),
        name="batch_submit",
    ),
    path("review/<str:token>/", views.ExternalReviewPage.as_view(), name="external_review"),
]

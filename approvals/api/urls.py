from django.urls import path

from . import views

W = "workspaces/<int:workspace_id>/"
P = W + "posts/<int:post_id>/"

urlpatterns = [
    path(W + "approval-workflows/", views.WorkflowListView.as_view(), name="approval-workflow-list"),
    path(
        W + "approval-workflows/<int:workflow_id>/",
        views.WorkflowDetailView.as_view(),
        name="approval-workflow-detail",
    ),
    path(W + "approval-policy/", views.PolicyView.as_view(), name="approval-policy"),
    path(W + "approval-requests/", views.RequestListView.as_view(), name="approval-request-list"),
    path(W + "approval-requests/waiting/", views.WaitingHereView.as_view(), name="approval-request-waiting"),
    path(W + "approval-requests/batch/", views.BatchSubmitView.as_view(), name="approval-batch-submit"),
    path(
        W + "approval-requests/<int:request_id>/",
        views.RequestDetailView.as_view(),
        name="approval-request-detail",
    ),
    path(
        W + "approval-requests/<int:request_id>/decide/",
        views.RequestDecideView.as_view(),
        name="approval-request-decide",
    ),
    path(
        W + "approval-requests/<int:request_id>/cancel/",
        views.RequestCancelView.as_view(),
        name="approval-request-cancel",
    ),
    path(P + "approval/", views.PostSubmitView.as_view(), name="post-approval-submit"),
    path(P + "approval/gate/", views.PostGateView.as_view(), name="post-approval-gate"),
    path(P + "approval/override/", views.PostOverrideView.as_view(), name="post-approval-override"),
    path(P + "review-comments/", views.PostCommentListView.as_view(), name="post-review-comments"),
    path(
        P + "review-comments/<int:comment_id>/",
        views.PostCommentDetailView.as_view(),
        name="post-review-comment",
    ),
    path(P + "timeline/", views.PostTimelineView.as_view(), name="post-timeline"),
    path(P + "review-diff/", views.PostReviewDiffView.as_view(), name="post-review-diff"),
    path(W + "review-links/", views.ReviewLinkListView.as_view(), name="review-link-list"),
    path(
        W + "review-links/<int:link_id>/revoke/",
        views.ReviewLinkRevokeView.as_view(),
        name="review-link-revoke",
    ),
    path(
        W + "review-links/<int:link_id>/resend/",
        views.ReviewLinkResendView.as_view(),
        name="review-link-resend",
    ),
    # The person's side, across workspaces.
    path("approvals/queue/", views.QueueView.as_view(), name="approval-queue"),
    path("approvals/queue/bulk-approve/", views.BulkApproveView.as_view(), name="approval-bulk-approve"),
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/unread-count/", views.NotificationUnreadView.as_view(), name="notification-unread"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="notification-read"),
    path(
        "notifications/preferences/",
        views.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    # External reviewers: no account, the signed link (X-Review-Link header) is the scope.
    path("review/", views.ExternalReviewView.as_view(), name="external-review"),
    path("review/code/", views.ExternalCodeView.as_view(), name="external-review-code"),
    path("review/verify/", views.ExternalVerifyView.as_view(), name="external-review-verify"),
    path("review/decide/", views.ExternalDecideView.as_view(), name="external-review-decide"),
    path("review/comments/", views.ExternalCommentView.as_view(), name="external-review-comment"),
]

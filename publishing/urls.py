"""Dashboard pages of the publish pipeline: the post page's buttons and the notifications page."""

from django.urls import path

from . import views

app_name = "publishing"

W = "w/<int:workspace_id>/"
T = W + "publish-targets/<int:target_id>/"

urlpatterns = [
    path(W + "posts/<int:post_id>/publish-now/", views.PostPublishNowView.as_view(), name="post_publish_now"),
    path(T + "retry/", views.TargetRetryView.as_view(), name="target_retry"),
    path(T + "cancel/", views.TargetCancelView.as_view(), name="target_cancel"),
    path(T + "confirm/", views.TargetConfirmView.as_view(), name="target_confirm"),
    path("notifications/", views.NotificationsView.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationsReadView.as_view(), name="notifications_read"),
]

"""Dashboard pages of publishing: the post page's buttons, the notifications page, webhook settings."""

from django.urls import path

from . import views, webhook_views

app_name = "publishing"

W = "w/<int:workspace_id>/"
T = W + "publish-targets/<int:target_id>/"
H = W + "settings/webhooks/"

urlpatterns = [
    path(W + "posts/<int:post_id>/publish-now/", views.PostPublishNowView.as_view(), name="post_publish_now"),
    path(T + "retry/", views.TargetRetryView.as_view(), name="target_retry"),
    path(T + "cancel/", views.TargetCancelView.as_view(), name="target_cancel"),
    path(T + "task/", views.AssistedTaskView.as_view(), name="assisted_task"),
    path(T + "confirm/", views.TargetConfirmView.as_view(), name="target_confirm"),
    path(T + "wechat-preview/", views.WeChatPreviewView.as_view(), name="wechat_preview"),
    # Workspace Settings → Webhooks
    path(H, webhook_views.WebhooksView.as_view(), name="webhooks"),
    path(H + "<int:webhook_id>/", webhook_views.WebhookView.as_view(), name="webhook"),
    path(H + "<int:webhook_id>/delete/", webhook_views.WebhookDeleteView.as_view(), name="webhook_delete"),
    path(H + "<int:webhook_id>/test/", webhook_views.WebhookTestView.as_view(), name="webhook_test"),
    path(
        H + "deliveries/<int:delivery_id>/",
        webhook_views.WebhookDeliveryView.as_view(),
        name="webhook_delivery",
    ),
    path(
        H + "deliveries/<int:delivery_id>/redeliver/",
        webhook_views.WebhookRedeliverView.as_view(),
        name="webhook_redeliver",
    ),
    path("notifications/", views.NotificationsView.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationsReadView.as_view(), name="notifications_read"),
]

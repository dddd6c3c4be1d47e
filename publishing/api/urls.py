from django.urls import path

from . import views

urlpatterns = [
    path(
        "workspaces/<int:workspace_id>/webhooks/",
        views.WebhookListView.as_view(),
        name="webhook-list",
    ),
    path(
        "workspaces/<int:workspace_id>/webhooks/<int:webhook_id>/",
        views.WebhookDetailView.as_view(),
        name="webhook-detail",
    ),
    path(
        "workspaces/<int:workspace_id>/webhooks/<int:webhook_id>/test/",
        views.WebhookTestView.as_view(),
        name="webhook-test",
    ),
    path(
        "workspaces/<int:workspace_id>/webhook-deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
    path(
        "workspaces/<int:workspace_id>/webhook-deliveries/<int:delivery_id>/",
        views.WebhookDeliveryDetailView.as_view(),
        name="webhook-delivery-detail",
    ),
    path(
        "workspaces/<int:workspace_id>/webhook-deliveries/<int:delivery_id>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="webhook-delivery-redeliver",
    ),
]

"""publishing listens to the apps below it without them importing it: approvals' events become outgoing
webhooks (approvals.signals.approval_event), and the content pages read missed posts and publish jobs
through content.hooks."""

import pytest

from approvals.models import ApprovalRequest
from approvals.signals import approval_event
from content import hooks
from publishing import selectors
from publishing.models import WebhookDelivery
from publishing.tests.factories import WebhookEndpointFactory


def test_publishing_registers_its_listeners_when_django_starts():
    # given: django.setup() has run PublishingConfig.ready()
    # then
    assert approval_event.has_listeners(ApprovalRequest)
    assert "publishing.approval_webhooks" in [uid for (uid, _sender), *_rest in approval_event.receivers]
    assert hooks.registered("missed_post_ids") is selectors.missed_post_ids
    assert hooks.registered("targets_publishing") is selectors.targets_publishing


@pytest.mark.django_db
def test_an_approval_event_is_queued_for_the_workspaces_subscribed_endpoints(ws):
    # given
    endpoint = WebhookEndpointFactory(workspace=ws, events=["approval.approved"])
    WebhookEndpointFactory(workspace=ws, events=["approval.rejected"])
    payload = {"request": 7, "post": 3, "version": 2, "content_hash": "ab" * 32, "status": "approved"}
    # when
    approval_event.send(sender=ApprovalRequest, workspace=ws, event="approval.approved", payload=payload)
    # then
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.endpoint_id, delivery.event) == (endpoint.pk, "approval.approved")
    assert delivery.payload["type"] == "approval.approved"
    assert delivery.payload["workspace_id"] == ws.pk
    assert delivery.payload["data"] == payload

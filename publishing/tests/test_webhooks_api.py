"""The webhook API: CRUD with the secret shown once, test events, the delivery log, redelivery."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app import vault
from core.models import AuditEvent
from publishing.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from publishing.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def base(workspace):
    return f"/api/v1/workspaces/{workspace.pk}"


@pytest.fixture
def admin(workspace):
    return WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN).user


@pytest.fixture
def api(admin, client_for):
    return client_for(admin)


def test_create_shows_the_secret_once_and_stores_it_encrypted(workspace, api):
    # when
    response = api.post(
        f"{base(workspace)}/webhooks/",
        {"url": "https://93.184.215.14/kawo", "events": ["post.published", "approval.approved"]},
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(secret) > 30
    assert body["secret_hint"] == secret[:10]
    assert body["events"] == ["post.published", "approval.approved"]
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert secret not in endpoint.secret_ciphertext
    assert vault.decrypt_text(endpoint.secret_ciphertext) == secret
    # and it is never shown again
    again = api.get(f"{base(workspace)}/webhooks/{endpoint.pk}/")
    listed = api.get(f"{base(workspace)}/webhooks/")
    assert secret not in json.dumps(again.json()) + json.dumps(listed.json())
    assert "secret" not in again.json()
    # and the creation is audited without the secret
    event = AuditEvent.objects.get(action="webhook.create")
    assert secret not in json.dumps(event.after)


def test_private_url_is_a_field_error(workspace, api):
    response = api.post(
        f"{base(workspace)}/webhooks/", {"url": "http://169.254.169.254/", "events": ["*"]}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unsafe_url"
    assert "url" in error["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://93.184.215.14/", "events": []}, "events"),
        ({"url": "https://93.184.215.14/", "events": ["post.exploded"]}, "events.0"),
        ({"url": "https://93.184.215.14/", "events": ["webhook.test"]}, "events.0"),
        ({"events": ["*"]}, "url"),
    ],
)
def test_bad_input_names_the_field(workspace, api, body, field):
    response = api.post(f"{base(workspace)}/webhooks/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_star_subscribes_to_everything(workspace, api):
    response = api.post(
        f"{base(workspace)}/webhooks/",
        {"url": "https://93.184.215.14/", "events": ["post.failed", "*"]},
        format="json",
    )
    assert response.json()["events"] == ["*"]


def test_update_and_delete(workspace, api):
    # given
    endpoint = WebhookEndpointFactory(workspace=workspace, active=False, consecutive_failures=15)
    # when
    response = api.patch(
        f"{base(workspace)}/webhooks/{endpoint.pk}/",
        {"events": ["post.failed"], "description": "Ops channel", "active": True},
        format="json",
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["events"] == ["post.failed"]
    assert response.json()["active"] is True
    assert response.json()["consecutive_failures"] == 0
    # when
    refused = api.patch(
        f"{base(workspace)}/webhooks/{endpoint.pk}/", {"url": "http://10.0.0.1/"}, format="json"
    )
    assert refused.status_code == 400 and "url" in refused.json()["error"]["fields"]
    gone = api.delete(f"{base(workspace)}/webhooks/{endpoint.pk}/")
    # then
    assert gone.status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert AuditEvent.objects.filter(action="webhook.delete", target_id=str(endpoint.pk)).exists()


def test_send_test_event_reaches_the_receiver(
    workspace, api, receiver, local_webhooks, django_capture_on_commit_callbacks
):
    # given
    created = api.post(
        f"{base(workspace)}/webhooks/", {"url": receiver.url(), "events": ["*"]}, format="json"
    )
    webhook_id = created.json()["id"]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{base(workspace)}/webhooks/{webhook_id}/test/")
    # then
    assert response.status_code == 201, response.content
    (request,) = receiver.requests
    assert request.headers["X-Kawo-Event"] == "webhook.test"
    assert json.loads(request.body)["data"]["webhook_id"] == webhook_id
    detail = api.get(f"{base(workspace)}/webhook-deliveries/{response.json()['id']}/").json()
    assert detail["status"] == "delivered"
    assert [a["response_code"] for a in detail["attempts"]] == [200]
    assert detail["payload"]["type"] == "webhook.test"


def test_delivery_log_is_cursor_paginated_and_filtered(workspace, api):
    # given
    first = WebhookEndpointFactory(workspace=workspace)
    second = WebhookEndpointFactory(workspace=workspace)
    for _ in range(3):
        WebhookDeliveryFactory(endpoint=first)
    failed = WebhookDeliveryFactory(endpoint=second, status=WebhookDelivery.Status.FAILED)
    WebhookDeliveryFactory(endpoint=WebhookEndpointFactory())  # another workspace
    # when
    page1 = api.get(f"{base(workspace)}/webhook-deliveries/?page_size=2").json()
    page2 = api.get(page1["next"]).json()
    # then: newest first, no repeats, nothing from other workspaces
    ids = [row["id"] for row in page1["results"] + page2["results"]]
    assert len(ids) == 4 and ids == sorted(ids, reverse=True)
    assert "cursor=" in page1["next"]
    only_second = api.get(f"{base(workspace)}/webhook-deliveries/?webhook={second.pk}").json()["results"]
    assert [row["id"] for row in only_second] == [failed.pk]
    only_failed = api.get(f"{base(workspace)}/webhook-deliveries/?status=failed").json()["results"]
    assert [row["id"] for row in only_failed] == [failed.pk]
    assert only_failed[0]["webhook_url"] == second.url
    bad = api.get(f"{base(workspace)}/webhook-deliveries/?status=lost")
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_redeliver_sends_the_same_event_again(
    workspace, api, receiver, local_webhooks, django_capture_on_commit_callbacks
):
    # given: a delivery that failed for good
    endpoint = WebhookEndpointFactory(workspace=workspace, url=receiver.url())
    original = WebhookDeliveryFactory(
        endpoint=endpoint, status=WebhookDelivery.Status.FAILED, attempt_count=6, last_response_code=500
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{base(workspace)}/webhook-deliveries/{original.pk}/redeliver/")
    # then
    assert response.status_code == 201, response.content
    copy = WebhookDelivery.objects.get(pk=response.json()["id"])
    assert copy.pk != original.pk
    assert (copy.event_id, copy.redelivery_of_id, copy.status) == (
        original.event_id,
        original.pk,
        "delivered",
    )
    (request,) = receiver.requests
    assert request.headers["X-Kawo-Event-Id"] == str(original.event_id)
    assert AuditEvent.objects.filter(action="webhook.redeliver", target_id=str(original.pk)).exists()


def test_redeliver_refuses_while_pending_or_switched_off(workspace, api):
    # given
    pending = WebhookDeliveryFactory(
        endpoint=WebhookEndpointFactory(workspace=workspace),
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    off = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(workspace=workspace, active=False))
    # when
    still = api.post(f"{base(workspace)}/webhook-deliveries/{pending.pk}/redeliver/")
    disabled = api.post(f"{base(workspace)}/webhook-deliveries/{off.pk}/redeliver/")
    # then
    assert (still.status_code, still.json()["error"]["code"]) == (409, "still_pending")
    assert (disabled.status_code, disabled.json()["error"]["code"]) == (409, "webhook_disabled")
    assert WebhookDelivery.objects.count() == 2


def test_another_workspaces_webhooks_are_404_and_weak_roles_403(workspace, api, client_for):
    # given
    foreign = WebhookEndpointFactory(workspace=WorkspaceFactory())
    foreign_delivery = WebhookDeliveryFactory(endpoint=foreign)
    manager = client_for(WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user)
    # then
    assert api.get(f"{base(workspace)}/webhooks/{foreign.pk}/").status_code == 404
    assert api.post(f"{base(workspace)}/webhooks/{foreign.pk}/test/").status_code == 404
    assert (
        api.post(f"{base(workspace)}/webhook-deliveries/{foreign_delivery.pk}/redeliver/").status_code == 404
    )
    assert api.get(f"{base(foreign.workspace)}/webhooks/").status_code == 404
    assert manager.get(f"{base(workspace)}/webhooks/").status_code == 403
    assert manager.get(f"{base(workspace)}/webhook-deliveries/").status_code == 403


def _count(api, url, expected_rows):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected_rows
    return len(queries)


@pytest.mark.parametrize("route", ["webhooks", "webhook-deliveries"])
def test_list_queries_do_not_grow_with_rows(workspace, api, route):
    # given
    def add():
        endpoint = WebhookEndpointFactory(workspace=workspace)
        delivery = WebhookDeliveryFactory(endpoint=endpoint)
        WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=timezone.now())

    add()
    url = f"{base(workspace)}/{route}/"
    api.get(url)  # warm up
    # when
    at_one = _count(api, url, 1)
    for _ in range(19):
        add()
    at_twenty = _count(api, url, 20)
    # then
    assert at_one == at_twenty


def test_a_workspace_has_at_most_twenty_webhooks(workspace, api):
    # given
    for _ in range(20):
        WebhookEndpointFactory(workspace=workspace)
    # when
    response = api.post(
        f"{base(workspace)}/webhooks/", {"url": "https://93.184.215.14/", "events": ["*"]}, format="json"
    )
    # then
    assert (response.status_code, response.json()["error"]["code"]) == (400, "limit_reached")
    assert WebhookEndpoint.objects.filter(workspace=workspace).count() == 20

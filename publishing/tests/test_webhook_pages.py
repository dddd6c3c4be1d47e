"""Workspace Settings → Webhooks in the dashboard: list, create (secret shown once), edit, delete, send a
test event to a REAL local receiver (publishing/tests/conftest.py), the delivery log, a delivery's
request and response, redeliver. The same services as the API: the same refusals, the same audit rows."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from core.models import AuditEvent
from publishing import services
from publishing.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from publishing.tests.conftest import Answer
from publishing.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin):
    return signed_in(admin)


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="id_{field}_error">([^<]*)</p>', html)
    assert match, f"no error next to {field}"
    return match.group(1)


# --- list and create ---------------------------------------------------------------------------------


def test_the_list_shows_the_workspaces_webhooks_only(ws, admin_client):
    # given: one webhook here and one in another workspace
    WebhookEndpointFactory(workspace=ws, url="https://93.184.215.14/ours", events=["post.failed"])
    WebhookEndpointFactory(workspace=WorkspaceFactory(), url="https://93.184.215.14/theirs")
    # when
    response = admin_client.get(reverse("publishing:webhooks", args=[ws.pk]))
    # then: ours with its event as a label, not theirs; the Settings navigation links here
    html = response.content.decode()
    assert response.status_code == 200
    assert "https://93.184.215.14/ours" in html
    assert "Post failed" in html
    assert "theirs" not in html
    assert f'href="{reverse("publishing:webhooks", args=[ws.pk])}"' in html


def test_creating_a_webhook_shows_its_secret_once_and_is_audited(ws, admin, admin_client, local_webhooks):
    # when
    response = admin_client.post(
        reverse("publishing:webhooks", args=[ws.pk]),
        {"url": "http://127.0.0.1:9/hook", "events": ["post.published", "post.failed"], "active": "on"},
    )
    # then: created with those events; the answer holds the plain secret, which verifies
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(workspace=ws)
    assert endpoint.events == ["post.published", "post.failed"] and endpoint.active
    secret = re.search(r'<code id="new-webhook-secret">([^<]+)</code>', response.content.decode()).group(1)
    assert secret == services.webhook_endpoint_secret(endpoint)
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="webhook.create")
    assert event.actor == admin and event.workspace == ws and event.target_id == str(endpoint.pk)
    # and never again afterwards
    assert secret not in admin_client.get(reverse("publishing:webhooks", args=[ws.pk])).content.decode()


def test_a_webhook_can_be_created_switched_off(ws, admin_client, local_webhooks):
    admin_client.post(
        reverse("publishing:webhooks", args=[ws.pk]), {"url": "http://127.0.0.1:9/hook", "events": ["*"]}
    )
    endpoint = WebhookEndpoint.objects.get(workspace=ws)
    assert endpoint.active is False and endpoint.disabled_at is not None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        # the service's URL safety check, as in the API: a private address is refused
        ({"url": "http://10.0.0.7/hook", "events": ["*"]}, "url", "private"),
        ({"url": "ftp://93.184.215.14/hook", "events": ["*"]}, "url", "http"),
        ({"url": "", "events": ["*"]}, "url", "Enter the URL"),
        ({"url": "https://93.184.215.14/hook", "events": []}, "events", "at least one event"),
        ({"url": "https://93.184.215.14/hook", "events": ["post.deleted"]}, "events", "post.deleted"),
    ],
)
def test_a_refused_webhook_is_a_400_with_the_message_next_to_its_field(
    ws, admin_client, data, field, message
):
    response = admin_client.post(reverse("publishing:webhooks", args=[ws.pk]), data)
    assert response.status_code == 400
    assert message.lower() in field_error(response.content.decode(), field).lower()
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="webhook.").exists()


def test_the_api_refuses_the_same_urls(ws, admin):
    # the API and the page share the service's check (one refusal, one wording)
    client = signed_in(admin)
    response = client.post(
        f"/api/v1/workspaces/{ws.pk}/webhooks/",
        {"url": "http://10.0.0.7/hook", "events": ["*"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    page = signed_in(admin).post(
        reverse("publishing:webhooks", args=[ws.pk]), {"url": "http://10.0.0.7/hook", "events": ["*"]}
    )
    assert response.json()["error"]["fields"]["url"][0] == field_error(page.content.decode(), "url")


def test_a_role_without_workspace_manage_gets_403_and_nothing_is_written(ws, local_webhooks):
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    hook = WebhookEndpointFactory(workspace=ws)
    delivery = WebhookDeliveryFactory(endpoint=hook)
    client = signed_in(editor)
    assert client.get(reverse("publishing:webhooks", args=[ws.pk])).status_code == 403
    assert client.get(reverse("publishing:webhook", args=[ws.pk, hook.pk])).status_code == 403
    assert client.get(reverse("publishing:webhook_delivery", args=[ws.pk, delivery.pk])).status_code == 403
    posts = [
        (reverse("publishing:webhooks", args=[ws.pk]), {"url": "http://127.0.0.1:9/", "events": ["*"]}),
        (
            reverse("publishing:webhook", args=[ws.pk, hook.pk]),
            {"url": "http://127.0.0.1:9/", "events": ["*"]},
        ),
        (reverse("publishing:webhook_test", args=[ws.pk, hook.pk]), {}),
        (reverse("publishing:webhook_delete", args=[ws.pk, hook.pk]), {}),
        (reverse("publishing:webhook_redeliver", args=[ws.pk, delivery.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert WebhookEndpoint.objects.count() == 1 and WebhookDelivery.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_another_workspaces_webhook_and_delivery_are_404(ws, admin_client):
    other_hook = WebhookEndpointFactory(workspace=WorkspaceFactory())
    other_delivery = WebhookDeliveryFactory(endpoint=other_hook)
    assert admin_client.get(reverse("publishing:webhook", args=[ws.pk, other_hook.pk])).status_code == 404
    delivery_url = reverse("publishing:webhook_delivery", args=[ws.pk, other_delivery.pk])
    assert admin_client.get(delivery_url).status_code == 404
    for name, obj in [
        ("publishing:webhook", other_hook),
        ("publishing:webhook_test", other_hook),
        ("publishing:webhook_delete", other_hook),
        ("publishing:webhook_redeliver", other_delivery),
    ]:
        response = admin_client.post(reverse(name, args=[ws.pk, obj.pk]), {"url": "x", "events": ["*"]})
        assert response.status_code == 404, name
    assert WebhookEndpoint.objects.filter(pk=other_hook.pk).exists()
    assert WebhookDelivery.objects.count() == 1
    # and a workspace the person is not in at all is a 404 too
    assert (
        signed_in(WorkspaceMemberFactory().user).get(reverse("publishing:webhooks", args=[ws.pk])).status_code
        == 404
    )


# --- edit and delete ---------------------------------------------------------------------------------


def test_editing_changes_the_webhook_and_is_audited(ws, admin, admin_client, local_webhooks):
    hook = WebhookEndpointFactory(workspace=ws, events=["*"])
    response = admin_client.post(
        reverse("publishing:webhook", args=[ws.pk, hook.pk]),
        {
            "url": "http://127.0.0.1:9/new",
            "events": ["approval.approved"],
            "description": "CRM",
            "active": "",
        },
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.events, hook.description, hook.active) == (
        "http://127.0.0.1:9/new",
        ["approval.approved"],
        "CRM",
        False,
    )
    event = AuditEvent.objects.get(action="webhook.update")
    assert event.actor == admin and event.before["active"] is True and event.after["active"] is False


def test_an_unsafe_url_on_edit_is_a_400_next_to_the_field_and_nothing_changes(ws, admin_client):
    hook = WebhookEndpointFactory(workspace=ws, url="https://93.184.215.14/a")
    response = admin_client.post(
        reverse("publishing:webhook", args=[ws.pk, hook.pk]),
        {"url": "http://169.254.169.254/latest", "events": ["*"], "active": "on"},
    )
    assert response.status_code == 400
    assert field_error(response.content.decode(), "url")
    hook.refresh_from_db()
    assert hook.url == "https://93.184.215.14/a"
    assert not AuditEvent.objects.exists()


def test_deleting_removes_it_and_is_audited(ws, admin, admin_client):
    hook = WebhookEndpointFactory(workspace=ws)
    response = admin_client.post(reverse("publishing:webhook_delete", args=[ws.pk, hook.pk]))
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert AuditEvent.objects.get(action="webhook.delete").actor == admin


# --- send test, the log, a delivery, redeliver ---------------------------------------------------------


def test_send_test_delivers_to_the_receiver_and_the_log_shows_it(
    ws, admin, admin_client, receiver, local_webhooks, django_capture_on_commit_callbacks, settings
):
    # given: a webhook on the local receiver, which answers 202 with a body; the workspace is in Shanghai
    ws.timezone = "Asia/Shanghai"
    ws.save()
    receiver.queue(Answer(status=202, body=b"queued by the CRM"))
    hook, secret = services.webhook_endpoint_create(
        actor=admin, workspace=ws, url=receiver.url(), events=["post.published"]
    )
    # when: Send test
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("publishing:webhook_test", args=[ws.pk, hook.pk]))
    # then: the receiver got a signed webhook.test POST, and it is audited
    assert response.status_code == 302
    (request,) = receiver.requests
    assert request.headers["X-Kawo-Event"] == "webhook.test"
    assert json.loads(request.body)["data"]["webhook_id"] == hook.pk
    assert AuditEvent.objects.filter(action="webhook.test", actor=admin).count() == 1
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.last_response_code == 202
    # and the log: Shanghai time, the event's label, status, code, attempts, duration, response excerpt
    page = admin_client.get(reverse("publishing:webhook", args=[ws.pk, hook.pk])).content.decode()
    local = delivery.created_at.astimezone(ws.tzinfo).strftime("%Y-%m-%d %H:%M:%S")
    row = re.search(r'<tr data-testid="delivery-row">(.*?)</tr>', page, re.S).group(1)
    assert local in row
    assert "Test event" in row and "webhook.test" not in row
    assert "Delivered" in row and "202" in row and "queued by the CRM" in row
    assert re.search(r">\s*1\s*<", row) and " ms" in row


def test_the_delivery_page_shows_the_request_body_and_each_attempts_response(ws, admin_client):
    hook = WebhookEndpointFactory(workspace=ws)
    delivery = WebhookDeliveryFactory(
        endpoint=hook,
        status=WebhookDelivery.Status.FAILED,
        payload={"type": "post.failed", "data": {"post_id": 99}},
        attempt_count=2,
        last_response_code=500,
    )
    for number, code, body in [(1, 503, "busy"), (2, 500, "database down")]:
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=delivery.created_at,
            finished_at=delivery.created_at,
            response_code=code,
            response_excerpt=body,
            duration_ms=40,
        )
    response = admin_client.get(reverse("publishing:webhook_delivery", args=[ws.pk, delivery.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&quot;post_id&quot;: 99" in html
    assert "database down" in html and "busy" in html and "503" in html
    assert "Redeliver" in html


def test_redeliver_sends_it_again_with_the_same_event_id(
    ws, admin, admin_client, receiver, local_webhooks, django_capture_on_commit_callbacks
):
    hook = WebhookEndpointFactory(workspace=ws, url=receiver.url())
    original = WebhookDeliveryFactory(endpoint=hook, status=WebhookDelivery.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("publishing:webhook_redeliver", args=[ws.pk, original.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("publishing:webhook", args=[ws.pk, hook.pk])
    (request,) = receiver.requests
    assert request.headers["X-Kawo-Event-Id"] == str(original.event_id)
    copy = WebhookDelivery.objects.get(redelivery_of=original)
    assert copy.status == WebhookDelivery.Status.DELIVERED
    assert AuditEvent.objects.get(action="webhook.redeliver").actor == admin


def test_a_refused_redelivery_shows_the_services_reason(ws, admin_client):
    hook = WebhookEndpointFactory(workspace=ws, active=False)
    original = WebhookDeliveryFactory(endpoint=hook, status=WebhookDelivery.Status.FAILED)
    response = admin_client.post(
        reverse("publishing:webhook_redeliver", args=[ws.pk, original.pk]), follow=True
    )
    assert "switch it on first" in response.content.decode()
    assert WebhookDelivery.objects.count() == 1


def test_the_log_is_the_webhooks_own(ws, admin_client):
    hook, other = WebhookEndpointFactory(workspace=ws), WebhookEndpointFactory(workspace=ws)
    WebhookDeliveryFactory(endpoint=hook, last_response_excerpt="mine")
    WebhookDeliveryFactory(endpoint=other, last_response_excerpt="not mine")
    html = admin_client.get(reverse("publishing:webhook", args=[ws.pk, hook.pk])).content.decode()
    assert "mine" in html and "not mine" not in html


def test_the_api_views_point_to_this_page():
    from publishing.api import views

    for view in [
        views.WebhookListView,
        views.WebhookDetailView,
        views.WebhookTestView,
        views.WebhookDeliveryListView,
        views.WebhookDeliveryDetailView,
        views.WebhookRedeliverView,
    ]:
        assert reverse(view.dashboard_page, args=[1])


def test_the_audit_log_names_webhook_changes_in_words(ws, admin, admin_client, local_webhooks):
    admin_client.post(
        reverse("publishing:webhooks", args=[ws.pk]),
        {"url": "http://127.0.0.1:9/hook", "events": ["post.published"], "active": "on"},
    )
    html = admin_client.get(reverse("dashboard:audit", args=[ws.pk])).content.decode()
    assert "Webhook added" in html and "Post published" in html
    assert ">webhook.create<" not in html and "post.published" not in html


def test_the_api_can_create_a_switched_off_webhook_too(ws, admin, local_webhooks):
    response = signed_in(admin).post(
        f"/api/v1/workspaces/{ws.pk}/webhooks/",
        {"url": "http://127.0.0.1:9/hook", "events": ["*"], "active": False},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["active"] is False
    assert WebhookEndpoint.objects.get(workspace=ws).active is False

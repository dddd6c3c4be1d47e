"""Webhook delivery end to end against a REAL local HTTP receiver (publishing/tests/conftest.py).

Tasks run eagerly (kawo.settings.test); `django_capture_on_commit_callbacks(execute=True)` runs what
services enqueue after commit, exactly as a worker would after a real commit.
"""

import json
import threading
import time
from datetime import timedelta

import httpx
import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from core.errors import ValidationFailed
from core.models import AuditEvent
from publishing import services, tasks, webhooks
from publishing.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from publishing.tests.conftest import Answer
from publishing.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(workspace):
    return WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN).user


@pytest.fixture
def hook(workspace, admin, receiver, local_webhooks):
    """An endpoint on the local receiver, subscribed to post events, and its plain secret."""
    endpoint, secret = services.webhook_endpoint_create(
        actor=admin,
        workspace=workspace,
        url=receiver.url(),
        events=["post.published", "post.failed"],
    )
    return endpoint, secret


def emit(capture, workspace, event="post.published", payload=None):
    with capture(execute=True):
        return services.webhook_emit(workspace=workspace, event=event, payload=payload or {"post_id": 7})


def run_due(capture, at):
    with capture(execute=True):
        return services.webhook_deliveries_claim_due(now=at)


def test_delivery_is_signed_and_the_signature_verifies(
    workspace, hook, receiver, django_capture_on_commit_callbacks
):
    # given
    endpoint, secret = hook
    # when
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace, payload={"post_id": 7, "url": "u"})
    # then: the receiver got one signed POST
    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["x-kawo-event"] == "post.published"
    assert headers["x-kawo-delivery"] == str(delivery.pk)
    assert headers["x-kawo-event-id"] == str(delivery.event_id)
    assert headers["content-type"] == "application/json"
    timestamp = headers["x-kawo-timestamp"]
    assert abs(int(timestamp) - time.time()) < 30
    assert webhooks.verify(secret, timestamp, request.body, headers["x-kawo-signature"])
    # and a receiver with another secret, or a tampered body, would refuse it
    assert not webhooks.verify("whsec_wrong", timestamp, request.body, headers["x-kawo-signature"])
    assert not webhooks.verify(secret, timestamp, request.body + b" ", headers["x-kawo-signature"])
    body = json.loads(request.body)
    assert body["type"] == "post.published"
    assert body["id"] == str(delivery.event_id)
    assert body["workspace_id"] == workspace.pk
    assert body["data"] == {"post_id": 7, "url": "u"}
    # and the log says delivered, with the attempt
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.last_response_code == 200
    assert delivery.next_attempt_at is None
    (attempt,) = delivery.attempts.all()
    assert (attempt.number, attempt.response_code, attempt.succeeded) == (1, 200, True)
    assert attempt.response_excerpt == "ok"
    assert attempt.duration_ms is not None and attempt.finished_at is not None


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    # The documented recipe (README), computed independently.
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_abc", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert webhooks.sign("whsec_abc", "1700000000", b"{}") == f"sha256={expected}"


def test_a_500_is_retried_on_schedule_and_every_attempt_is_logged(
    workspace, hook, receiver, django_capture_on_commit_callbacks
):
    # given: the receiver fails once, then accepts
    receiver.queue(Answer(status=500, body=b"database down"))
    # when
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace)
    # then: the first attempt failed and the next one is planned 1 to 1.2 minutes later
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_response_code == 500
    assert delivery.last_response_excerpt == "database down"
    wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 60 <= wait <= 72.5
    # and the retry beat does not send it early
    assert run_due(django_capture_on_commit_callbacks, timezone.now()) == 0
    assert len(receiver.requests) == 1
    # when: the retry is due
    assert run_due(django_capture_on_commit_callbacks, delivery.next_attempt_at + timedelta(seconds=1)) == 1
    # then
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempt_count == 2
    attempts = list(delivery.attempts.values_list("number", "response_code", "succeeded"))
    assert attempts == [(1, 500, False), (2, 200, True)]
    first, second = receiver.requests
    # the same event and delivery ids on both tries: receivers can deduplicate
    for name in ("X-Kawo-Event-Id", "X-Kawo-Delivery"):
        assert first.headers[name] == second.headers[name]
    assert first.body == second.body


def test_gives_up_after_the_schedule(workspace, hook, receiver, django_capture_on_commit_callbacks):
    # given: a receiver that always fails
    receiver.default = Answer(status=503, body=b"x" * 5000)
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace)
    # when: every planned retry comes due
    for _ in range(10):
        delivery.refresh_from_db()
        if delivery.status != WebhookDelivery.Status.PENDING:
            break
        run_due(django_capture_on_commit_callbacks, delivery.next_attempt_at + timedelta(seconds=1))
    # then: six tries (1 + 5 retries), then failed
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.attempts.count() == services.WEBHOOK_MAX_ATTEMPTS == 6
    assert len(receiver.requests) == 6
    # and the stored excerpt is truncated
    assert len(delivery.last_response_excerpt) == webhooks.EXCERPT_CHARS


def test_retry_gaps_follow_the_schedule(workspace, hook, receiver, django_capture_on_commit_callbacks):
    # given
    receiver.default = Answer(status=500)
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace)
    gaps = []
    for _ in range(5):
        delivery.refresh_from_db()
        gaps.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
        run_due(django_capture_on_commit_callbacks, delivery.next_attempt_at + timedelta(seconds=1))
    # then
    for gap, planned in zip(gaps, services.WEBHOOK_RETRY_SCHEDULE, strict=True):
        assert planned <= gap <= planned * 1.2 + 1


def test_nothing_is_sent_for_a_rolled_back_change(
    workspace, hook, receiver, django_capture_on_commit_callbacks
):
    # when: the change that emitted the event fails
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.webhook_emit(workspace=workspace, event="post.published", payload={})
        raise RuntimeError("the publish transaction failed")
    # then
    assert callbacks == []
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_only_active_subscribed_endpoints_of_the_workspace_get_the_event(
    workspace, hook, receiver, local_webhooks, django_capture_on_commit_callbacks
):
    # given: one endpoint on other events, one switched off, one in another workspace
    WebhookEndpointFactory(workspace=workspace, url=receiver.url("/approvals"), events=["approval.approved"])
    WebhookEndpointFactory(workspace=workspace, url=receiver.url("/off"), events=["*"], active=False)
    WebhookEndpointFactory(workspace=WorkspaceFactory(), url=receiver.url("/other"), events=["*"])
    everything = WebhookEndpointFactory(workspace=workspace, url=receiver.url("/all"), events=["*"])
    # when
    deliveries = emit(django_capture_on_commit_callbacks, workspace, event="post.failed")
    # then
    assert sorted(d.endpoint_id for d in deliveries) == sorted([hook[0].pk, everything.pk])
    assert sorted(r.path for r in receiver.requests) == ["/all", "/hook"]
    assert len({r.headers["X-Kawo-Event-Id"] for r in receiver.requests}) == 1


def test_unknown_events_are_a_programming_error(workspace):
    with pytest.raises(ValueError):
        services.webhook_emit(workspace=workspace, event="post.exploded", payload={})


def test_a_duplicated_task_message_sends_once(workspace, hook, receiver, django_capture_on_commit_callbacks):
    # given: the delivery was made (attempt 1)
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace)
    # when: the broker hands the same message out again (late ack after a lost worker)
    again = tasks.deliver_webhook(delivery.pk, 1)
    # then
    assert again == "skipped"
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


def test_an_attempt_lost_mid_send_is_retried_after_its_lease(
    workspace, hook, receiver, django_capture_on_commit_callbacks
):
    # given: attempt 1 was claimed and recorded as started, then its worker died (no outcome)
    endpoint, _secret = hook
    with django_capture_on_commit_callbacks(execute=False):
        (delivery,) = services.webhook_emit(workspace=workspace, event="post.published", payload={})
    WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=timezone.now())
    # when: the lease has not run out, nothing happens; after it, attempt 2 is made
    assert run_due(django_capture_on_commit_callbacks, timezone.now()) == 0
    later = timezone.now() + services.WEBHOOK_CLAIM_LEASE + timedelta(seconds=1)
    assert run_due(django_capture_on_commit_callbacks, later) == 1
    # then
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert list(delivery.attempts.values_list("number", flat=True)) == [1, 2]
    assert len(receiver.requests) == 1


def test_same_host_redirects_are_followed(workspace, hook, receiver, django_capture_on_commit_callbacks):
    # given
    receiver.queue(Answer(status=307, headers=(("Location", "/moved"),)))
    # when
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace)
    # then
    assert [r.path for r in receiver.requests] == ["/hook", "/moved"]
    assert receiver.requests[1].body == receiver.requests[0].body
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_redirects_to_another_host_are_not_followed(
    workspace, hook, receiver, django_capture_on_commit_callbacks
):
    # given: the receiver points somewhere else ("localhost" is another host name than 127.0.0.1)
    receiver.queue(Answer(status=302, headers=(("Location", f"http://localhost:{receiver.port}/x"),)))
    # when
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace)
    # then
    assert [r.path for r in receiver.requests] == ["/hook"]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_response_code == 302
    assert "another host" in delivery.last_error


def test_an_unreachable_receiver_is_a_failed_attempt(
    workspace, admin, local_webhooks, django_capture_on_commit_callbacks
):
    # given: nothing listens on this port
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    services.webhook_endpoint_create(
        actor=admin, workspace=workspace, url=f"http://127.0.0.1:{port}/", events=["*"]
    )
    # when
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace)
    # then
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_response_code is None
    assert "connection failed" in delivery.last_error


def test_private_addresses_are_checked_again_at_send_time(
    workspace, hook, receiver, settings, django_capture_on_commit_callbacks
):
    # given: the URL was accepted while private addresses were allowed; now they are not
    settings.KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    # when
    (delivery,) = emit(django_capture_on_commit_callbacks, workspace)
    # then
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert "private" in delivery.last_error


def test_endpoint_is_switched_off_after_repeated_failures_and_on_again_by_a_person(
    workspace, admin, hook, receiver, settings, django_capture_on_commit_callbacks
):
    # given
    settings.KAWO_WEBHOOK_DISABLE_AFTER = 3
    endpoint, _secret = hook
    receiver.default = Answer(status=500)
    # when: three deliveries fail once each
    for _ in range(3):
        emit(django_capture_on_commit_callbacks, workspace)
    # then
    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert endpoint.consecutive_failures == 3
    assert "3" in endpoint.disabled_reason
    assert AuditEvent.objects.filter(action="webhook.auto_disable", target_id=str(endpoint.pk)).exists()
    # and new events are not queued for it; pending retries fail without a request
    assert emit(django_capture_on_commit_callbacks, workspace) == []
    due = WebhookDelivery.objects.filter(status="pending").order_by("next_attempt_at").last()
    run_due(django_capture_on_commit_callbacks, due.next_attempt_at + timedelta(seconds=1))
    assert len(receiver.requests) == 3
    assert WebhookDelivery.objects.filter(status="failed", last_error="webhook switched off").count() == 3
    # when: a person switches it on again
    services.webhook_endpoint_update(actor=admin, endpoint=endpoint, active=True)
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.consecutive_failures, endpoint.disabled_at) == (True, 0, None)


def test_a_success_resets_the_failure_count(workspace, hook, receiver, django_capture_on_commit_callbacks):
    # given
    endpoint, _secret = hook
    receiver.queue(500, 500)
    emit(django_capture_on_commit_callbacks, workspace)
    emit(django_capture_on_commit_callbacks, workspace)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 2
    # when
    emit(django_capture_on_commit_callbacks, workspace)
    # then
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


# --- the URL check (SSRF) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.215.14/hook",
        "file:///etc/passwd",
        "gopher://93.184.215.14/",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://app.localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "http://user:pass@93.184.215.14/hook",
        "not a url",
        "",
    ],
)
def test_unsafe_urls_are_refused_with_a_field_error(workspace, admin, url):
    with pytest.raises(ValidationFailed) as refused:
        services.webhook_endpoint_create(actor=admin, workspace=workspace, url=url, events=["*"])
    assert "url" in refused.value.fields
    assert not WebhookEndpoint.objects.exists()


def test_public_addresses_are_accepted(workspace, admin):
    endpoint, secret = services.webhook_endpoint_create(
        actor=admin, workspace=workspace, url="https://93.184.215.14/hook", events=["post.failed"]
    )
    assert endpoint.pk and secret.startswith("whsec_")


def test_allowing_private_addresses_still_refuses_other_schemes(workspace, admin, local_webhooks):
    services.webhook_endpoint_create(
        actor=admin, workspace=workspace, url="http://127.0.0.1:9/", events=["*"]
    )
    with pytest.raises(ValidationFailed):
        services.webhook_endpoint_create(
            actor=admin, workspace=workspace, url="file:///etc/passwd", events=["*"]
        )


# --- two beats at once -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_each_delivery_once(receiver, settings):
    # given: 30 deliveries whose retry is due (their first attempt failed)
    settings.KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = WebhookEndpointFactory(url=receiver.url())
    past = timezone.now() - timedelta(minutes=1)
    for n in range(30):
        delivery = WebhookDelivery.objects.create(
            workspace=endpoint.workspace,
            endpoint=endpoint,
            event="post.published",
            payload={"n": n},
            attempt_count=1,
            next_attempt_at=past,
        )
        WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=past, response_code=500)
    barrier = threading.Barrier(3)
    errors = []

    def beat():
        try:
            barrier.wait()
            # small batches so that the beats really interleave
            while services.webhook_deliveries_claim_due(limit=4):
                pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when: three schedulers run the retry pass at the same moment
    threads = [threading.Thread(target=beat) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # then: every delivery was sent exactly once more
    assert not errors, errors
    assert len(receiver.requests) == 30
    assert len({r.headers["X-Kawo-Delivery"] for r in receiver.requests}) == 30
    assert WebhookDelivery.objects.filter(status="delivered", attempt_count=2).count() == 30
    assert WebhookAttempt.objects.filter(number=2).count() == 30


# --- pinning the checked address (DNS rebinding) -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "address", "pinned", "host", "sni"),
    [
        (
            "https://hooks.example.com/kawo?x=1",
            "93.184.215.14",
            "https://93.184.215.14/kawo?x=1",
            "hooks.example.com",
            "hooks.example.com",
        ),
        (
            "http://hooks.example.com:8080/in",
            "93.184.215.14",
            "http://93.184.215.14:8080/in",
            "hooks.example.com:8080",
            None,
        ),
        (
            "https://v6.example.com",
            "2606:2800:220:1::1",
            "https://[2606:2800:220:1::1]/",
            "v6.example.com",
            "v6.example.com",
        ),
    ],
)
def test_the_request_goes_to_the_checked_address(url, address, pinned, host, sni):
    # when
    request_url, headers, extensions = webhooks.pin(url, address)
    # then
    assert request_url == pinned
    assert headers == {"Host": host}
    assert extensions.get("sni_hostname") == sni


def test_a_pinned_request_reaches_the_checked_address_with_the_original_host(receiver):
    # given: "hooks.example.com" is not resolved at all; the request goes to the address given
    request_url, headers, extensions = webhooks.pin(
        f"http://hooks.example.com:{receiver.port}/in", "127.0.0.1"
    )
    # when
    with httpx.Client(timeout=5) as client:
        response = client.post(request_url, content=b"{}", headers=headers, extensions=extensions)
    # then
    assert response.status_code == 200
    (request,) = receiver.requests
    assert request.path == "/in"
    assert request.headers["Host"] == f"hooks.example.com:{receiver.port}"


def test_check_returns_the_address_to_connect_to(settings):
    settings.KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert webhooks.check_url("https://93.184.215.14/hook") == "93.184.215.14"
    settings.KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert webhooks.check_url("https://93.184.215.14/hook") is None

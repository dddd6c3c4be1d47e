"""The publish pipeline step by step, in process, against the platform simulator (X).

Tasks are not sent here (these tests run in a transaction, so nothing is committed and on_commit never
fires): each test calls the pipeline's steps directly, in the order a worker would.
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceMemberFactory
from approvals.gate import current_hash
from approvals.models import ApprovalPolicyRule, ApprovalRequest, RequestStatus
from approvals.tests.factories import ApprovalWorkflowFactory
from channels_app.models import SocialAccount
from content.models import Post, PostTarget
from content.models import TargetStatus as S
from content.services import canonical_hash, compliance_for_post, publishable
from core.audit import AuditEvent
from core.errors import Conflict, PermissionRefused, ValidationFailed
from publishing import pipeline, services
from publishing.models import PublishAttempt, PublishJob, PublishNotification, WorkspacePublishingSettings

from .pipeline_kit import due_target, job_of, sim_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """The gate lives in this run's own Redis database; start each test without old blocks."""
    import redis

    from publishing.ratelimit import key_prefix

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{key_prefix()}*", count=500))
    if keys:
        client.delete(*keys)


def claim_and_publish(target) -> str:
    """What the beat and one worker do: claim (or re-lease) the target, then run its publish task."""
    pipeline.claim_due()
    pipeline.release_ready()
    job = job_of(target)
    return pipeline.publish_attempt(target.pk, str(job.attempt_id))


def status(target) -> str:
    return PostTarget.objects.get(pk=target.pk).status


# --- dispatcher ---------------------------------------------------------------------------------


def test_dispatcher_claims_only_due_scheduled_targets_with_a_lease(platform_sim, ws):
    # given
    account, _sim = sim_account(platform_sim, ws)
    due = due_target(account, text="due")
    later = due_target(account, text="later", due=timezone.now() + timedelta(hours=1))
    draft = due_target(account, text="draft", status=S.DRAFT)
    # when
    claimed = pipeline.claim_due()
    # then
    assert claimed == 1
    assert (status(due), status(later), status(draft)) == (S.QUEUED, S.SCHEDULED, S.DRAFT)
    job = job_of(due)
    assert job.attempt_id is not None
    assert job.lease_expires_at > timezone.now()
    assert pipeline.claim_due() == 0  # nothing claimed twice


def test_dispatcher_keeps_at_most_max_in_flight_leases_so_a_burst_cannot_livelock(platform_sim, ws, settings):
    # given: five due targets and room for two live leases
    settings.KAWO_PUBLISH_MAX_IN_FLIGHT = 2
    account, _sim = sim_account(platform_sim, ws)
    targets = [due_target(account, text=f"burst {n}") for n in range(5)]
    # when
    first = pipeline.claim_due()
    second = pipeline.claim_due()
    # then: the rest wait, still scheduled, until leases are used up
    assert (first, second) == (2, 0)
    assert sorted(status(t) for t in targets) == [S.QUEUED, S.QUEUED, S.SCHEDULED, S.SCHEDULED, S.SCHEDULED]
    # when: one leased target finishes
    leased = next(t for t in targets if status(t) == S.QUEUED)
    PostTarget.objects.filter(pk=leased.pk).update(status=S.PUBLISHED)
    # then: exactly one more is claimed
    assert pipeline.claim_due() == 1


def test_a_second_message_for_the_same_attempt_sends_nothing(platform_sim, ws):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="once https://kawo.example/1")
    pipeline.claim_due()
    attempt_id = str(job_of(target).attempt_id)
    # when
    first = pipeline.publish_attempt(target.pk, attempt_id)
    second = pipeline.publish_attempt(target.pk, attempt_id)
    # then
    assert (first, second) == ("published", "stale")
    assert platform_sim.posts_created("x", sim.external_id) == 1
    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.external_id and target.url
    [attempt] = PublishAttempt.objects.filter(target=target)
    assert attempt.outcome == PublishAttempt.Outcome.PUBLISHED
    assert attempt.worker and attempt.duration_ms is not None
    assert attempt.request["text"] == "once https://kawo.example/1"
    assert sim.access_token not in str(attempt.request) + str(attempt.response)


def test_a_stale_attempt_id_is_ignored(platform_sim, ws):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="stale")
    pipeline.claim_due()
    # when
    outcome = pipeline.publish_attempt(target.pk, "00000000-0000-0000-0000-000000000000")
    # then
    assert outcome == "stale"
    assert status(target) == S.QUEUED
    assert platform_sim.requests("x", "publish") == 0


# --- errors -------------------------------------------------------------------------------------


def test_rate_limit_waits_for_retry_after_and_blocks_the_account(platform_sim, ws):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="limited")
    other = due_target(account, text="other on the same account")
    platform_sim.add_fault("rate_limit", platform="x", operation="publish", retry_after=30, count=1)
    pipeline.claim_due()
    # when
    outcome = pipeline.publish_attempt(target.pk, str(job_of(target).attempt_id))
    # then
    assert outcome == "rate_limited"
    job = job_of(target)
    assert status(target) == S.QUEUED and job.attempt_id is None
    assert job.not_before >= timezone.now() + timedelta(seconds=27)
    assert pipeline.release_ready() == 0  # not before Retry-After
    # the other post on the account waits too (the shared gate), without calling the platform
    assert pipeline.publish_attempt(other.pk, str(job_of(other).attempt_id)) == "waiting"
    assert platform_sim.requests("x", "publish") == 1
    # once the time has passed, it goes
    assert pipeline.release_ready(now=timezone.now() + timedelta(seconds=31)) >= 1
    attempt = PublishAttempt.objects.get(target=target)
    # the longer of Retry-After and x-rate-limit-reset (whole epoch seconds: up to a second more)
    assert attempt.outcome == PublishAttempt.Outcome.RATE_LIMITED and 30 <= attempt.retry_after <= 31
    assert attempt.response["scope"] == "account"


def test_an_app_wide_rate_limit_holds_off_every_account_on_that_platform_only(platform_sim, ws):
    # given: two X accounts and a Weibo account, each with a post due; X answers with its app-wide cap
    first, _ = sim_account(platform_sim, ws)
    second, _ = sim_account(platform_sim, ws)
    elsewhere, _ = sim_account(platform_sim, ws, platform="weibo")
    limited = due_target(first, text="hits the app cap")
    same_app = due_target(second, text="another account, same app")
    other_platform = due_target(elsewhere, text="微博不受影响 https://kawo.example/")
    platform_sim.add_fault(
        "rate_limit", platform="x", operation="publish", retry_after=30, scope="app", count=1
    )
    pipeline.claim_due()
    # when
    outcome = pipeline.publish_attempt(limited.pk, str(job_of(limited).attempt_id))
    # then: the other X account waits without calling X; Weibo goes ahead
    assert outcome == "rate_limited"
    assert PublishAttempt.objects.get(target=limited).response["scope"] == "app"
    assert pipeline.publish_attempt(same_app.pk, str(job_of(same_app).attempt_id)) == "waiting"
    assert platform_sim.requests("x", "publish") == 1
    assert pipeline.publish_attempt(other_platform.pk, str(job_of(other_platform).attempt_id)) == "published"


def _pairs(*targets) -> list[tuple[int, str]]:
    return [(t.pk, str(job_of(t).attempt_id)) for t in targets]


def test_a_429_in_a_batch_holds_back_the_accounts_later_posts_prepared_before_it(platform_sim, ws):
    # given: one batch with three posts on one account and one on another; the first answer is a 429
    account, sim = sim_account(platform_sim, ws)
    other_account, other_sim = sim_account(platform_sim, ws)
    first, second, third = (due_target(account, text=f"post {n}") for n in range(3))
    elsewhere = due_target(other_account, text="another account")
    platform_sim.add_fault(
        "rate_limit", platform="x", operation="publish", retry_after=30, count=1, account=sim.external_id
    )
    pipeline.claim_due()
    # when
    outcomes = pipeline.publish_batch(_pairs(first, second, third, elsewhere))
    # then: the platform saw one request from the account (the refused one), none after it; the
    # account's later posts wait for Retry-After like the refused one; the other account published
    assert outcomes == {
        first.pk: "rate_limited",
        second.pk: "rate_limited",
        third.pk: "rate_limited",
        elsewhere.pk: "published",
    }
    assert platform_sim.requests("x", "publish", account=sim.external_id) == 1
    assert platform_sim.posts_created("x", other_sim.external_id) == 1
    for target in (first, second, third):
        job = job_of(target)
        assert status(target) == S.QUEUED and job.not_before >= timezone.now() + timedelta(seconds=27)
    held = PublishAttempt.objects.get(target=second)
    assert held.outcome == PublishAttempt.Outcome.RATE_LIMITED and held.error.startswith("not sent")
    assert pipeline.release_ready() == 0


def test_an_app_wide_429_in_a_batch_holds_back_every_account_of_that_platform(platform_sim, ws):
    # given: posts on two X accounts, sent one account after another (one sender thread)
    first, first_sim = sim_account(platform_sim, ws)
    second, second_sim = sim_account(platform_sim, ws)
    limited, same_app = due_target(first, text="hits the cap"), due_target(second, text="same app")
    platform_sim.add_fault(
        "rate_limit", platform="x", operation="publish", retry_after=30, scope="app", count=1
    )
    pipeline.claim_due()
    from django.test import override_settings

    # when
    with override_settings(KAWO_PUBLISH_SEND_THREADS=1):
        outcomes = pipeline.publish_batch(_pairs(limited, same_app))
    # then: one request in all; the other account's post was not sent and waits
    assert outcomes == {limited.pk: "rate_limited", same_app.pk: "rate_limited"}
    assert platform_sim.requests("x", "publish") == 1
    assert PublishAttempt.objects.get(target=same_app).response["scope"] == "app"


def test_transient_errors_back_off_then_fail_when_attempts_run_out(platform_sim, ws, settings):
    # given
    settings.KAWO_PUBLISH_MAX_ATTEMPTS = 2
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="flaky")
    platform_sim.add_fault("server_error", platform="x", operation="publish", status=503)
    # when
    first = claim_and_publish(target)
    PublishJob.objects.filter(target=target).update(not_before=timezone.now())
    second = claim_and_publish(target)
    # then
    assert (first, second) == ("backoff", "retries_exhausted")
    target.refresh_from_db()
    assert target.status == S.FAILED
    assert "2 temporary errors" in target.error_message
    assert job_of(target).reason == "retries_exhausted"
    assert PublishNotification.objects.filter(target=target, kind="failed").exists()


def test_rejected_fails_with_the_platforms_message(platform_sim, ws):
    # given
    account, _sim = sim_account(platform_sim, ws)
    target = due_target(account, text="新" * 141)  # over X's weighted limit: the platform refuses it
    # our own check stops it first; an admin's override for exactly this content lets it reach X
    rules = [f.rule for r in compliance_for_post(target.post) for f in r["findings"] if f.blocking]
    Post.objects.filter(pk=target.post_id).update(
        compliance_override={"content_hash": current_hash(target.post), "blocking_rules": rules}
    )
    # when
    outcome = claim_and_publish(target)
    # then
    assert rules and outcome == "rejected"
    target.refresh_from_db()
    assert target.status == S.FAILED and target.error_message.startswith("The platform refused it")


def test_a_blocking_finding_in_what_would_be_sent_fails_before_the_platform_is_called(platform_sim, ws):
    # given: over X's weighted limit, no override
    account, _sim = sim_account(platform_sim, ws)
    target = due_target(account, text="新" * 141)
    # when
    outcome = claim_and_publish(target)
    # then
    assert outcome == "compliance"
    target.refresh_from_db()
    assert target.status == S.FAILED and target.error_message.startswith("Not published: compliance")
    assert platform_sim.requests("x", "publish") == 0


def test_timeout_after_accept_is_unknown_and_settled_as_published_by_reading(platform_sim, ws, settings):
    # given
    settings.PLATFORM_HTTP_TIMEOUT = 1
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="slow https://kawo.example/slow")
    platform_sim.add_fault("timeout_after", platform="x", operation="publish", seconds=3, count=1)
    # when
    outcome = claim_and_publish(target)
    # then
    assert outcome == "unknown"
    assert status(target) == S.UNKNOWN
    with pytest.raises(Conflict):
        services.target_retry(actor=WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user, target=target)
    assert pipeline.settle(target.pk) == "published"
    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.external_id
    assert platform_sim.posts_created("x", sim.external_id) == 1


def test_a_worker_lost_after_the_attempt_row_is_settled_not_retried_blindly(platform_sim, ws):
    # given: the attempt was recorded and the worker died before calling the platform
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="lost worker")
    pipeline.claim_due()
    prepared = pipeline._prepare(target.pk, str(job_of(target).attempt_id))
    assert status(target) == S.PUBLISHING
    # when: the lease runs out
    expired = pipeline.sweep_expired(now=timezone.now() + timedelta(seconds=pipeline.lease_seconds() + 1))
    # then: unknown, then the platform shows nothing, so it is queued again and publishes once
    assert expired == 1 and status(target) == S.UNKNOWN
    assert pipeline.settle(target.pk) == "requeued"
    assert claim_and_publish(target) == "published"
    assert platform_sim.posts_created("x", sim.external_id) == 1
    # the dead worker's answer, if it ever came, would not publish again
    assert prepared.attempt_id != str(job_of(target).attempt_id)


def test_expired_token_waits_for_one_refresh_then_publishes(platform_sim, ws):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="after refresh")
    platform_sim.expire_token(platform="x", external_id=sim.external_id, kind="access")
    # when
    first = claim_and_publish(target)
    second = claim_and_publish(target)
    # then
    assert (first, second) == ("refreshed", "published")
    assert platform_sim.refresh_calls("x", sim.external_id) == 1
    assert platform_sim.posts_created("x", sim.external_id) == 1
    assert job_of(target).refreshed


def test_a_token_refused_in_a_batch_is_refreshed_once_for_all_the_account_s_targets(platform_sim, ws):
    # given: three targets of one account in one batch; the platform has expired its access token
    account, sim = sim_account(platform_sim, ws)
    targets = [due_target(account, text=f"after refresh {n}") for n in range(3)]
    platform_sim.expire_token(platform="x", external_id=sim.external_id, kind="access")
    pipeline.claim_due()
    # when
    outcomes = pipeline.publish_batch(_pairs(*targets))
    # then: one refused call (the others were not sent), one refresh, every target requeued, and then
    # each published once
    assert set(outcomes.values()) == {"refreshed"}
    assert platform_sim.requests("x", "publish", account=sim.external_id) == 1
    assert platform_sim.refresh_calls("x", sim.external_id) == 1
    pipeline.release_ready()
    assert set(pipeline.publish_batch(_pairs(*targets)).values()) == {"published"}
    assert platform_sim.posts_created("x", sim.external_id) == 3


def test_revoked_token_fails_with_reconnect_and_marks_the_account(platform_sim, ws):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="revoked")
    platform_sim.revoke_token(platform="x", external_id=sim.external_id, kind="all")
    # when
    outcome = claim_and_publish(target)
    # then
    assert outcome == "reconnect"
    target.refresh_from_db()
    assert target.status == S.FAILED
    assert "Reconnect the account" in target.error_message
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.REVOKED and not account.is_healthy
    assert platform_sim.posts_created("x", sim.external_id) == 0


# --- the gate, missed posts, assisted -------------------------------------------------------------


def test_an_edit_after_approval_blocks_publication_even_when_forced_into_queued(platform_sim, ws):
    # given: approved for one text, then the text changed and the target forced into queued
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="approved text")
    workflow = ApprovalWorkflowFactory(workspace=ws)
    ApprovalPolicyRule.objects.create(workspace=ws, workflow=workflow)
    ApprovalRequest.objects.create(
        workspace=ws,
        post=target.post,
        workflow=workflow,
        post_version=1,
        content_hash=canonical_hash(publishable(target.post)),
        status=RequestStatus.APPROVED,
        completed_at=timezone.now(),
    )
    PostTarget.objects.filter(pk=target.pk).update(text="edited after approval", status=S.QUEUED)
    PublishJob.objects.create(target=target, workspace=ws)
    # when
    outcome = claim_and_publish(target)
    # then
    assert outcome == "not_approved"
    target.refresh_from_db()
    assert target.status == S.FAILED and "approval_outdated" in target.error_message
    assert platform_sim.requests("x", "publish") == 0


def test_a_post_later_than_the_grace_window_is_missed_and_the_team_told(platform_sim, ws):
    # given
    WorkspacePublishingSettings.objects.create(
        workspace=ws, missed_grace_minutes=30, assisted_overdue_minutes=60
    )
    author = UserFactory()
    account, sim = sim_account(platform_sim, ws)
    late = due_target(account, text="late", due=timezone.now() - timedelta(minutes=31), author=author)
    in_time = due_target(account, text="in time", due=timezone.now() - timedelta(minutes=29))
    # when
    outcomes = (claim_and_publish(late), claim_and_publish(in_time))
    # then
    assert outcomes == ("missed", "published")
    late.refresh_from_db()
    assert late.status == S.FAILED and late.error_message.startswith("Missed")
    # the due time as the team reads it: the workspace's time zone, named
    local_due = late.post.scheduled_at.astimezone(ws.tzinfo)
    assert f"{local_due:%Y-%m-%d %H:%M} ({ws.timezone})" in late.error_message
    assert job_of(late).reason == "missed"
    assert PublishNotification.objects.filter(recipient=author, kind="missed", target=late).exists()
    assert platform_sim.posts_created("x", sim.external_id) == 1


def test_assisted_posting_notifies_the_responsible_person_then_confirms_with_the_url(ws, admin):
    # given
    from channels_app.tests.factories import SocialAccountFactory

    owner = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR)
    account = SocialAccountFactory(
        workspace=ws, platform="xiaohongshu", assisted=True, responsible=owner, credentials=False
    )
    target = due_target(account, text="笔记正文")
    # when
    outcome = claim_and_publish(target)
    # then
    assert outcome == "assisted"
    assert status(target) == S.PUBLISHING
    [notice] = PublishNotification.objects.filter(target=target)
    assert notice.recipient == owner.user and notice.kind == "assisted_due"
    assert notice.content["text"] == "笔记正文"
    with pytest.raises(ValidationFailed):
        services.assisted_confirm(actor=admin, target=target, url="not a url")
    services.assisted_confirm(actor=admin, target=target, url="https://www.xiaohongshu.com/explore/abc")
    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.url.endswith("/abc")


def test_an_unconfirmed_assisted_post_becomes_overdue(ws):
    # given
    from channels_app.tests.factories import SocialAccountFactory

    account = SocialAccountFactory(workspace=ws, platform="xiaohongshu", assisted=True, credentials=False)
    target = due_target(account, text="note")
    claim_and_publish(target)
    # when
    swept = pipeline.sweep_expired(now=timezone.now() + timedelta(minutes=241))
    # then
    assert swept == 1
    target.refresh_from_db()
    assert target.status == S.FAILED and job_of(target).reason == "overdue"


# --- publish now, retry, cancel --------------------------------------------------------------------


def test_publish_now_queues_a_scheduled_post_and_is_audited(platform_sim, ws, admin):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="now", due=timezone.now() + timedelta(days=1))
    # when
    queued = services.post_publish_now(actor=admin, post=target.post)
    # then
    assert queued == [target.pk] and status(target) == S.QUEUED
    assert AuditEvent.objects.filter(action="post.publish_now").exists()
    assert pipeline.publish_attempt(target.pk, str(job_of(target).attempt_id)) == "published"


def test_publish_now_needs_the_capability(platform_sim, ws):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="now", due=timezone.now() + timedelta(days=1))
    viewer = WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user
    # when / then
    with pytest.raises(PermissionRefused):
        services.post_publish_now(actor=viewer, post=target.post)
    assert status(target) == S.SCHEDULED


def test_retry_a_failed_target_publishes_it_once(platform_sim, ws, admin):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="retry me")
    platform_sim.add_fault("server_error", platform="x", operation="publish", status=400, count=1)
    claim_and_publish(target)
    assert status(target) == S.FAILED
    # when
    services.target_retry(actor=admin, target=target)
    outcome = pipeline.publish_attempt(target.pk, str(job_of(target).attempt_id))
    # then
    assert outcome == "published"
    assert platform_sim.posts_created("x", sim.external_id) == 1
    assert AuditEvent.objects.filter(action="post_target.retry").exists()
    with pytest.raises(Conflict):
        services.target_retry(actor=admin, target=target)  # published: nothing to retry


def test_cancel_a_queued_target_and_refuse_once_publishing(platform_sim, ws, admin):
    # given
    account, sim = sim_account(platform_sim, ws)
    queued = due_target(account, text="cancel me")
    busy = due_target(account, text="busy")
    pipeline.claim_due()
    pipeline._prepare(busy.pk, str(job_of(busy).attempt_id))
    # when
    services.target_cancel(actor=admin, target=queued)
    # then
    assert status(queued) == S.CANCELLED
    assert pipeline.publish_attempt(queued.pk, str(job_of(queued).attempt_id or "")) == "stale"
    with pytest.raises(Conflict):
        services.target_cancel(actor=admin, target=busy)


# --- asynchronous platforms (WeChat Official Account: publish_id, polled) ----------------------------


def _wechat_target(platform_sim, ws, *, polls: int):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from channels_app.connectors.base import Credentials
    from channels_app.connectors.registry import connector_for
    from channels_app.tests.contract_cases import PNG_1X1
    from channels_app.tests.factories import SocialAccountFactory
    from content.models import PostTargetMedia
    from content.tests.factories import MediaAssetFactory

    sim = platform_sim.create_account("wechat_oa", options={"publish_polls": polls, "publish_seconds": 3600})
    tokens = connector_for("wechat_oa").connect_with_credentials(appid=sim.app_id, secret=sim.app_secret)
    account = SocialAccountFactory(
        workspace=ws,
        platform="wechat_oa",
        external_id=sim.external_id,
        credentials=Credentials(
            access_token=tokens.access_token,
            expires_at=tokens.expires_at,
            extra={**tokens.extra, "appid": sim.app_id, "secret": sim.app_secret},
        ),
    )
    target = due_target(account, text="春季新品上线。")
    target.post.title = "新品速递"
    target.post.save(update_fields=["title"])
    name = default_storage.save(f"workspaces/{ws.pk}/media/cover.png", ContentFile(PNG_1X1))
    media = MediaAssetFactory(
        workspace=ws,
        file=name,
        mime="image/png",
        size=len(PNG_1X1),
        original_name="cover.png",
        checksum=hashlib.sha256(PNG_1X1).hexdigest(),  # the publish step checks the bytes against it
    )
    PostTargetMedia.objects.create(target=target, media=media)
    return target, sim


def test_an_asynchronous_publish_is_polled_until_it_completes(platform_sim, ws):
    # given: the platform answers "publishing" to the first two status reads
    target, sim = _wechat_target(platform_sim, ws, polls=3)
    # when
    outcomes = [claim_and_publish(target)]
    for _ in range(4):
        outcomes.append(pipeline.poll(target.pk))
        if outcomes[-1] != "pending":
            break
    # then
    assert outcomes[0] == "pending" and outcomes[-1] == "published"
    assert "pending" in outcomes[1:-1]
    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.external_id
    assert platform_sim.posts_created("wechat_oa", sim.external_id) == 1


def test_an_asynchronous_publish_past_its_deadline_becomes_unknown(platform_sim, ws, settings):
    # given
    settings.KAWO_PUBLISH_POLL_DEADLINE_SECONDS = 0
    target, sim = _wechat_target(platform_sim, ws, polls=50)
    assert claim_and_publish(target) == "pending"
    # when
    outcome = pipeline.poll(target.pk)
    # then
    assert outcome == "unknown"
    assert status(target) == S.UNKNOWN


def test_a_lost_message_is_sent_again_once_its_lease_runs_out(platform_sim, ws):
    # given: claimed, but the task message never ran (broker restarted, worker killed before it)
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="lost message")
    pipeline.claim_due()
    lost = str(job_of(target).attempt_id)
    assert pipeline.release_ready() == 0  # the lease still holds
    # when
    released = pipeline.release_ready(now=timezone.now() + timedelta(seconds=pipeline.lease_seconds() + 1))
    # then: a new lease; the lost message, if it ever arrives, does nothing
    fresh = str(job_of(target).attempt_id)
    assert released == 1 and fresh != lost
    assert pipeline.publish_attempt(target.pk, lost) == "stale"
    assert pipeline.publish_attempt(target.pk, fresh) == "published"
    assert platform_sim.posts_created("x", sim.external_id) == 1


def test_deleted_posts_are_not_claimed(platform_sim, ws):
    # given
    account, _sim = sim_account(platform_sim, ws)
    target = due_target(account, text="deleted")
    type(target.post).objects.filter(pk=target.post_id).update(deleted_at=timezone.now())
    # when
    claimed = pipeline.claim_due()
    # then
    assert claimed == 0 and status(target) == S.SCHEDULED


def test_media_the_platform_fetches_itself_gets_an_absolute_url(platform_sim, ws, settings):
    # given: an Instagram post with an image kept by our own storage (served under /media/)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from content.models import PostTargetMedia
    from content.tests.factories import MediaAssetFactory

    settings.KAWO = {**settings.KAWO, "SITE_URL": "https://kawo.example.com/"}
    account, sim = sim_account(platform_sim, ws, platform="instagram")
    target = due_target(account, text="Spring collection")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "JPEG")
    name = default_storage.save(f"workspaces/{ws.pk}/media/look.jpg", ContentFile(buffer.getvalue()))
    media = MediaAssetFactory(
        workspace=ws,
        file=name,
        mime="image/jpeg",
        size=buffer.tell(),
        original_name="look.jpg",
        checksum=hashlib.sha256(buffer.getvalue()).hexdigest(),
    )
    PostTargetMedia.objects.create(target=target, media=media)
    # when
    outcome = claim_and_publish(target)
    for _ in range(5):
        if outcome != "pending":
            break
        outcome = pipeline.poll(target.pk)
    # then: Instagram took the image from our site's address
    target.refresh_from_db()
    assert outcome == "published", target.error_message
    [stored] = platform_sim.posts("instagram", sim.external_id)
    assert stored["media_ids"]
    attempt = PublishAttempt.objects.get(target=target)
    [sent] = attempt.request["media_urls"]
    assert sent.startswith("https://kawo.example.com/media/workspaces/")

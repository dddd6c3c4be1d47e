"""Pull planning and pulls (issue 12, "Pull planning"): the schedule, the planner's idempotency, and pulls
against the simulator with tasks run in place (the real worker test is test_pulls_worker.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import redis
from django.utils import timezone

from accounts.tests.factories import WorkspaceFactory
from analytics import pull_schedule as schedule
from analytics.models import MetricPull, MetricSnapshot, MetricUnavailable
from analytics.services.pulls import pulls_plan
from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.registry import connector_for
from channels_app.models import SocialAccount
from content.models import TargetStatus as S
from content.tests.factories import PostTargetFactory
from publishing import ratelimit
from publishing.tests.pipeline_kit import sim_account

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)


# --- the schedule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "slot_age"),
    [
        (timedelta(0), timedelta(0)),
        (29 * MIN, timedelta(0)),
        (31 * MIN, 30 * MIN),
        (23 * H + 59 * MIN, 23 * H + 30 * MIN),
        (D + 5 * H, D),  # day 2: every 6 hours from the end of day one
        (D + 7 * H, D + 6 * H),
        (6 * D + 23 * H, 6 * D + 18 * H),
        (7 * D + 2 * H, 7 * D),  # daily to day 30
        (29 * D + 23 * H, 29 * D),
        (36 * D, 30 * D),  # weekly to day 90
        (37 * D, 37 * D),
        (89 * D, 86 * D),
    ],
)
def test_a_post_is_read_on_a_grid_that_decays_with_its_age(age, slot_age):
    # given a post published at T0, now `age` later; when / then
    assert schedule.post_slot("x", T0, T0 + age) == T0 + slot_age


def test_a_post_past_day_90_is_not_read_again_and_the_next_slot_follows_the_windows():
    assert schedule.post_slot("x", T0, T0 + 90 * D) is None
    assert schedule.next_post_slot("x", T0, T0) == T0 + 30 * MIN
    assert schedule.next_post_slot("x", T0, T0 + 23 * H + 45 * MIN) == T0 + D
    assert schedule.next_post_slot("x", T0, T0 + 6 * D + 19 * H) == T0 + 7 * D
    assert schedule.next_post_slot("x", T0, T0 + 86 * D) is None


def test_the_time_scale_divides_the_post_schedule_clock(settings):
    # given a clock 3600 times faster: day one lasts 24 s, "every 30 minutes" is every 0.5 s
    settings.KAWO_METRICS_TIME_SCALE = 3600
    second = timedelta(seconds=1)
    # when / then
    assert schedule.post_slot("x", T0, T0 + 1.2 * second) == T0 + second
    assert schedule.post_slot("x", T0, T0 + 29 * second) == T0 + 24 * second  # every 6 h -> every 6 s
    assert schedule.post_horizon("x") == 90 * 24 * second


def test_schedules_are_per_platform_and_configurable(settings):
    # given WeChat's default (its article figures reach only up to yesterday) and an override for X
    settings.KAWO_METRICS_POST_SCHEDULE_BY_PLATFORM = {"x": ((2 * 3600.0, 600.0),)}
    # when / then
    assert schedule.post_slot("wechat_oa", T0, T0 + 5 * H) == T0  # daily
    assert schedule.post_slot("x", T0, T0 + 25 * MIN) == T0 + 20 * MIN
    assert schedule.post_slot("x", T0, T0 + 3 * H) is None
    assert schedule.post_slot("mastodon", T0, T0 + 45 * MIN) == T0 + 30 * MIN


def test_an_account_day_is_read_after_the_platform_says_it_is_ready():
    # given 2027-03-02 00:30 UTC = 08:30 in Beijing (WeChat's cube is ready at 09:00 Beijing time)
    now = datetime(2027, 3, 2, 0, 30, tzinfo=UTC)
    # when
    wechat_day, wechat_due = schedule.last_ready_day("wechat_oa", now)
    x_day, x_due = schedule.last_ready_day("x", now)
    # then: WeChat's 1 March is not ready yet, 28 February is; X (UTC, 2 h) has 28 February too
    assert wechat_day == date(2027, 2, 28)
    assert wechat_due == datetime(2027, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 Beijing on 1 March
    assert (x_day, x_due) == (date(2027, 2, 28), datetime(2027, 3, 1, 2, 0, tzinfo=UTC))


def test_instagram_is_asked_one_day_a_call_and_others_the_whole_range():
    assert schedule.day_chunks("instagram", date(2027, 3, 1), date(2027, 3, 3)) == [
        (date(2027, 3, 1), date(2027, 3, 1)),
        (date(2027, 3, 2), date(2027, 3, 2)),
        (date(2027, 3, 3), date(2027, 3, 3)),
    ]
    assert schedule.day_chunks("linkedin", date(2027, 3, 1), date(2027, 3, 3)) == [
        (date(2027, 3, 1), date(2027, 3, 3))
    ]


# --- planning and pulling (database, simulator) ------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{ratelimit.key_prefix()}*", count=500))
    if keys:
        client.delete(*keys)


def published_on_x(platform_sim, workspace, *, ago: timedelta = timedelta(0), account=None):
    """An X account of the simulator and a post our publishing published on it `ago` ago."""
    if account is None:
        account, _sim = sim_account(platform_sim, workspace)
    credentials = Credentials(access_token=_token(account), extra={"user_id": account.external_id})
    result = connector_for("x").publish(credentials, PostPayload(text=f"Launch {timezone.now().timestamp()}"))
    target = PostTargetFactory(
        workspace=workspace,
        post__workspace=workspace,
        account=account,
        status=S.PUBLISHED,
        external_id=result.external_id,
        published_at=timezone.now() - ago,
    )
    return account, target


def _token(account) -> str:
    from channels_app import vault

    return vault.credentials_read(account).access_token


def plan(now=None, *, capture):
    """Plan, and run what was queued (tasks run in place in unit tests) once the planning commits."""
    with capture(execute=True):
        return pulls_plan(now=now)


@pytest.mark.django_db
def test_a_published_post_is_read_into_snapshots_with_the_pull_as_its_id(
    platform_sim, django_capture_on_commit_callbacks
):
    # given a post published a minute ago
    ws = WorkspaceFactory()
    account, target = published_on_x(platform_sim, ws, ago=MIN)

    # when
    outcome = plan(capture=django_capture_on_commit_callbacks)

    # then the post's pull ran and its figures are stored under that pull, on our target
    pull = MetricPull.objects.get(target=target)
    assert (pull.kind, pull.status) == (MetricPull.Kind.POST, MetricPull.Status.DONE)
    assert pull.due_at == target.published_at
    snapshots = MetricSnapshot.objects.filter(account_id=account.pk, platform_post_id=target.external_id)
    assert {s.metric for s in snapshots} >= {"impression_count", "like_count", "retweet_count"}
    assert {s.pull_id for s in snapshots} == {pull.pk} and {s.target_id for s in snapshots} == {target.pk}
    assert pull.values_count == snapshots.count()
    assert outcome["queued"] >= 2  # the post, and the account's backfill


@pytest.mark.django_db
def test_planning_twice_plans_and_queues_each_pull_once(platform_sim, django_capture_on_commit_callbacks):
    # given
    ws = WorkspaceFactory()
    account, target = published_on_x(platform_sim, ws, ago=40 * MIN)
    now = timezone.now()

    # when two beats plan at the same moment
    first = plan(now, capture=django_capture_on_commit_callbacks)
    asked = platform_sim.requests("x", "metrics_post", account.external_id)
    second = plan(now, capture=django_capture_on_commit_callbacks)

    # then one pull per entity and due time, read once (X: public, then private metrics)
    assert first["planned"] >= 2 and second == {"planned": 0, "revived": 0, "queued": 0}
    assert MetricPull.objects.filter(target=target).count() == 1
    assert asked == 2 == platform_sim.requests("x", "metrics_post", account.external_id)
    # and the next one is due at the next slot of the grid
    assert MetricPull.objects.get(target=target).due_at == target.published_at + 30 * MIN
    later = plan(target.published_at + 61 * MIN, capture=django_capture_on_commit_callbacks)
    assert later["queued"] >= 1
    pulls = MetricPull.objects.filter(target=target).order_by("due_at")
    assert list(pulls.values_list("due_at", flat=True)) == [
        target.published_at + 30 * MIN,
        target.published_at + 60 * MIN,
    ]


@pytest.mark.django_db
def test_a_deleted_workspace_is_not_read_until_it_is_restored(
    platform_sim, django_capture_on_commit_callbacks
):
    # given a published post whose first read is due, in a workspace deleted (restorable) since
    ws = WorkspaceFactory()
    _account, target = published_on_x(platform_sim, ws, ago=40 * MIN)
    ws.deleted_at = timezone.now()
    ws.save(update_fields=["deleted_at"])
    now = timezone.now()
    # when the planner runs
    planned = plan(now, capture=django_capture_on_commit_callbacks)
    # then nothing of it is planned; restored, it is
    assert planned["planned"] == 0 and not MetricPull.objects.filter(account__workspace=ws).exists()
    ws.deleted_at = None
    ws.save(update_fields=["deleted_at"])
    assert plan(now, capture=django_capture_on_commit_callbacks)["planned"] >= 1
    assert MetricPull.objects.filter(target=target).exists()


@pytest.mark.django_db
def test_a_new_connection_gets_one_backfill_as_far_back_as_the_platform_keeps(
    platform_sim, django_capture_on_commit_callbacks, settings
):
    # given a LinkedIn organisation connected now (LinkedIn keeps 12 months of statistics)
    ws = WorkspaceFactory()
    sim = platform_sim.create_account("linkedin", options={"organizations": ["urn:li:organization:2414183"]})
    account = SocialAccount.objects.create(
        workspace=ws,
        platform="linkedin",
        external_id=sim.external_id,
        handle=sim.handle,
        connected_at=timezone.now(),
        token_expires_at=sim.expires_at,
    )
    from channels_app import vault

    vault.credentials_write(
        account,
        Credentials(access_token=sim.access_token, extra={"author": "urn:li:organization:2414183"}),
    )

    # when planned twice
    plan(capture=django_capture_on_commit_callbacks)
    plan(capture=django_capture_on_commit_callbacks)

    # then one backfill, of the last 365 days, read into daily figures
    backfill = MetricPull.objects.get(account=account, kind=MetricPull.Kind.BACKFILL)
    assert backfill.due_at == account.connected_at and backfill.status == MetricPull.Status.DONE
    assert (backfill.until - backfill.since).days == 364
    days = MetricSnapshot.objects.filter(account_id=account.pk, metric="impressionCount").count()
    assert days >= 360
    assert MetricSnapshot.objects.filter(account_id=account.pk, metric="firstDegreeSize").count() == 1


@pytest.mark.django_db
def test_a_rate_limited_pull_blocks_the_account_and_is_planned_again_after_retry_after(
    platform_sim, django_capture_on_commit_callbacks
):
    # given X answers the metrics call with 429, Retry-After 42
    ws = WorkspaceFactory()
    account, target = published_on_x(platform_sim, ws)
    platform_sim.add_fault("rate_limit", platform="x", operation="metrics_post", retry_after=42, count=1)

    # when
    plan(capture=django_capture_on_commit_callbacks)

    # then every worker (publishing's too) holds off the account, and the pull waits for it
    pull = MetricPull.objects.get(target=target)
    assert pull.status == MetricPull.Status.PLANNED and pull.attempts == 0
    assert 40 <= (pull.not_before - timezone.now()).total_seconds() <= 43
    assert 40 <= ratelimit.wait_until([ratelimit.account_scope(account.pk)]) <= 43
    # planning before then queues nothing; after then, it is read
    assert plan(capture=django_capture_on_commit_callbacks)["queued"] == 0
    ratelimit.gate().client.delete(*ratelimit.gate().client.keys(f"{ratelimit.key_prefix()}*"))
    plan(pull.not_before + timedelta(seconds=1), capture=django_capture_on_commit_callbacks)
    pull.refresh_from_db()
    assert pull.status == MetricPull.Status.DONE and pull.values_count > 0


@pytest.mark.django_db
def test_an_expired_token_is_refreshed_once_and_the_pull_goes_through(
    platform_sim, django_capture_on_commit_callbacks
):
    # given the account's access token expired on X's side
    ws = WorkspaceFactory()
    account, target = published_on_x(platform_sim, ws)
    platform_sim.expire_token(platform="x", external_id=account.external_id, kind="access")

    # when
    plan(capture=django_capture_on_commit_callbacks)

    # then
    pull = MetricPull.objects.get(target=target)
    assert pull.status == MetricPull.Status.DONE and pull.values_count > 0
    assert platform_sim.refresh_calls("x", account.external_id) == 1


@pytest.mark.django_db
def test_what_the_platform_could_not_give_is_recorded_with_its_reason(
    platform_sim, django_capture_on_commit_callbacks
):
    # given X stops serving bookmarks
    ws = WorkspaceFactory()
    account, target = published_on_x(platform_sim, ws)
    platform_sim.set_options("x", account.external_id, metrics_removed=["bookmark_count"])

    # when
    plan(capture=django_capture_on_commit_callbacks)

    # then the rest arrive and the gap is recorded on the post's pull
    pull = MetricPull.objects.get(target=target)
    gap = MetricUnavailable.objects.get(platform_post_id=target.external_id)
    assert (gap.metric, gap.reason) == ("bookmark_count", "removed")
    assert (gap.pull_id, gap.target_id) == (pull.pk, target.pk)
    assert pull.status == MetricPull.Status.DONE and pull.unavailable_count == 1
    assert MetricSnapshot.objects.filter(platform_post_id=target.external_id, metric="like_count").exists()


@pytest.mark.django_db
def test_disconnected_accounts_and_posts_past_the_schedule_are_not_read(
    platform_sim, django_capture_on_commit_callbacks
):
    # given a post published 91 days ago, and a post on an account since disconnected
    ws = WorkspaceFactory()
    _account, old = published_on_x(platform_sim, ws, ago=91 * D)
    gone, target = published_on_x(platform_sim, ws)
    SocialAccount.objects.filter(pk=gone.pk).update(disconnected_at=timezone.now())

    # when
    plan(capture=django_capture_on_commit_callbacks)

    # then
    assert not MetricPull.objects.filter(target__in=[old, target]).exists()
    assert not MetricPull.objects.filter(account=gone).exists()


@pytest.mark.django_db
def test_a_pull_lost_with_its_worker_is_planned_again_and_given_up_after_the_last_attempt(settings):
    # given two pulls queued long ago and never finished (a killed worker), one already tried 5 times
    settings.KAWO_METRICS_MAX_ATTEMPTS = 5
    target = PostTargetFactory(status=S.PUBLISHED, external_id="", published_at=timezone.now())
    long_ago = timezone.now() - timedelta(hours=1)
    lost, hopeless = (
        MetricPull.objects.create(
            workspace=target.workspace,
            account=target.account,
            target=target,
            kind=MetricPull.Kind.POST,
            due_at=long_ago - n * MIN,
            status=MetricPull.Status.RUNNING,
            attempts=attempts,
        )
        for n, attempts in ((1, 1), (2, 5))
    )
    MetricPull.objects.update(updated_at=long_ago)

    # when
    outcome = pulls_plan()

    # then
    lost.refresh_from_db()
    hopeless.refresh_from_db()
    assert outcome["revived"] == 1
    assert lost.status in (MetricPull.Status.PLANNED, MetricPull.Status.QUEUED)
    assert hopeless.status == MetricPull.Status.FAILED and "last attempt" in hopeless.error

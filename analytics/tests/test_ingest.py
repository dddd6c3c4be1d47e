"""The ingest path on real PostgreSQL: COPY into staging, one upsert, rollups; partitions; refusals."""

import uuid
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from accounts.tests.factories import WorkspaceFactory
from analytics.models import AccountDailyMetric, MetricSnapshot, MetricUnavailable, PostDailyMetric
from analytics.partitions import partition_name, partitions_ensure, partitions_existing
from analytics.services import IngestRefused, UnavailableRow, snapshots_ingest
from channels_app.tests.factories import SocialAccountFactory
from content.tests.factories import PostTargetFactory

from .factories import reading

pytestmark = pytest.mark.django_db

AT = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def instagram(workspace):
    return SocialAccountFactory(workspace=workspace, platform="instagram", credentials=False)


def _snapshots():
    return sorted(
        MetricSnapshot.objects.values_list("account_id", "platform_post_id", "metric", "value", "captured_at")
    )


def test_the_snapshot_table_is_partitioned_by_month_in_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = 'analytics_metricsnapshot'"
        )
        assert cursor.fetchone() == ("r",)


def test_partitions_exist_for_this_month_and_the_next_three():
    # given a day in the middle of a year's last month
    today = date(2027, 11, 20)
    # when
    partitions_ensure(today=today)
    partitions_ensure(today=today)  # again: nothing to do, no error
    # then
    existing = set(partitions_existing())
    for month in (date(2027, 11, 1), date(2027, 12, 1), date(2028, 1, 1), date(2028, 2, 1)):
        assert partition_name(month) in existing


def test_the_task_creates_the_partitions_ahead():
    from analytics.tasks import ensure_partitions

    # when (eager in tests)
    ensure_partitions.delay()
    # then: this month's partition and three after it
    names = partitions_existing()
    assert len(names) >= 4


def test_the_same_batch_twice_leaves_the_same_rows(workspace, instagram):
    # given
    target = PostTargetFactory(post__workspace=workspace, account=instagram)
    rows = [
        reading(instagram, "followers_count", 1500, AT),
        reading(instagram, "views", 900, AT, post="ig-1", target=target),
        reading(instagram, "likes", 40, AT, post="ig-1", target=target),
    ]
    # when
    first = snapshots_ingest(rows, workspace=workspace)
    stored = _snapshots()
    second = snapshots_ingest(rows, workspace=workspace)
    # then
    assert first.snapshots_written == 3 and second.snapshots_written == 0
    assert _snapshots() == stored and len(stored) == 3
    assert AccountDailyMetric.objects.count() == 1 and PostDailyMetric.objects.count() == 2


def test_a_restated_value_replaces_the_reading_with_the_same_capture_time(workspace, instagram):
    snapshots_ingest([reading(instagram, "followers_count", 1500, AT)], workspace=workspace)
    # when the platform restates the figure for the same moment
    result = snapshots_ingest([reading(instagram, "followers_count", 1510, AT)], workspace=workspace)
    # then
    assert result.snapshots_written == 1
    assert MetricSnapshot.objects.get().value == 1510
    assert AccountDailyMetric.objects.get().value == 1510


def test_a_batch_repeating_a_reading_keeps_the_later_row(workspace, instagram):
    rows = [reading(instagram, "followers_count", 1, AT), reading(instagram, "followers_count", 2, AT)]
    snapshots_ingest(rows, workspace=workspace)
    assert list(MetricSnapshot.objects.values_list("value", flat=True)) == [2]


def test_a_batch_mixing_new_readings_and_restated_ones_stores_each_once(workspace, instagram):
    # given a stored reading at AT (a daily figure the platform later restates)
    later = datetime(2027, 1, 6, 9, 0, tzinfo=UTC)
    snapshots_ingest(
        [reading(instagram, "followers_count", 1500, AT), reading(instagram, "reach", 70, AT)],
        workspace=workspace,
    )
    # when one batch restates one of them, repeats the other unchanged and brings new readings
    rows = [
        reading(instagram, "followers_count", 1510, AT),
        reading(instagram, "reach", 70, AT),
        reading(instagram, "followers_count", 1520, later),
        reading(instagram, "reach", 80, later),
    ]
    result = snapshots_ingest(rows, workspace=workspace)
    again = snapshots_ingest(rows, workspace=workspace)
    # then the restated value replaced the stored one, the new ones were added, the repeat changed nothing
    assert result.snapshots_written == 3 and again.snapshots_written == 0
    assert [(m, v, at) for _, _, m, v, at in _snapshots()] == [
        ("followers_count", 1510, AT),
        ("followers_count", 1520, later),
        ("reach", 70, AT),
        ("reach", 80, later),
    ]
    assert sorted(AccountDailyMetric.objects.values_list("metric", "date", "value")) == [
        ("followers_count", date(2027, 1, 5), 1510),
        ("followers_count", date(2027, 1, 6), 1520),
        ("reach", date(2027, 1, 5), 70),
        ("reach", date(2027, 1, 6), 80),
    ]


def test_a_new_batch_repeating_a_reading_keeps_the_later_row_beside_a_stored_one(workspace, instagram):
    # given a stored reading, and a batch that repeats a new key (the plain INSERT meets its own duplicate)
    later = datetime(2027, 1, 6, 9, 0, tzinfo=UTC)
    snapshots_ingest([reading(instagram, "followers_count", 1500, AT)], workspace=workspace)
    rows = [
        reading(instagram, "followers_count", 1501, AT),
        reading(instagram, "followers_count", 1, later),
        reading(instagram, "followers_count", 2, later),
    ]
    # when
    result = snapshots_ingest(rows, workspace=workspace)
    # then the whole batch took the ON CONFLICT path: the later duplicate won, the restatement stuck
    assert result.snapshots_written == 2
    assert sorted((at, v) for _, _, _, v, at in _snapshots()) == [(AT, 1501), (later, 2)]


def test_a_removed_metric_is_recorded_while_the_others_are_stored(workspace, instagram):
    # given a pull after Meta removed `impressions`: the other metrics came back, that one did not
    pull = uuid.uuid4()
    rows = [
        reading(instagram, "views", 900, AT, post="ig-1", pull=pull),
        reading(instagram, "reach", 700, AT, post="ig-1", pull=pull),
        reading(instagram, "likes", 40, AT, post="ig-1", pull=pull),
    ]
    missing = [
        UnavailableRow(
            account_id=instagram.pk,
            metric="impressions",
            reason=MetricUnavailable.Reason.REMOVED,
            pull_id=pull,
            platform_post_id="ig-1",
            detail="(#100) impressions metric is no longer supported",
        )
    ]
    # when
    result = snapshots_ingest(rows, workspace=workspace, unavailable=missing)
    snapshots_ingest(rows, workspace=workspace, unavailable=missing)  # the same pull again
    # then
    assert result.received == 3 and result.unavailable_recorded == 1
    assert sorted(MetricSnapshot.objects.values_list("metric", flat=True)) == ["likes", "reach", "views"]
    gap = MetricUnavailable.objects.get()
    assert (gap.metric, gap.reason, gap.pull_id, gap.workspace_id) == (
        "impressions",
        "removed",
        pull,
        workspace.pk,
    )


def test_the_day_is_the_workspaces_calendar_day():
    # given the same instant read for a Shanghai workspace and a UTC one
    moment = datetime(2027, 1, 1, 16, 30, tzinfo=UTC)  # 2027-01-02 00:30 in Shanghai
    shanghai = WorkspaceFactory(timezone="Asia/Shanghai")
    utc = WorkspaceFactory(timezone="UTC")
    accounts = {
        ws.pk: SocialAccountFactory(workspace=ws, platform="weibo", credentials=False)
        for ws in (shanghai, utc)
    }
    # when
    for ws in (shanghai, utc):
        snapshots_ingest([reading(accounts[ws.pk], "followers_count", 10, moment)], workspace=ws)
        snapshots_ingest([reading(accounts[ws.pk], "attitudes_count", 3, moment, post="w-1")], workspace=ws)
    # then
    assert AccountDailyMetric.objects.get(workspace=shanghai).date == date(2027, 1, 2)
    assert AccountDailyMetric.objects.get(workspace=utc).date == date(2027, 1, 1)
    assert PostDailyMetric.objects.get(workspace=shanghai).date == date(2027, 1, 2)
    assert PostDailyMetric.objects.get(workspace=utc).date == date(2027, 1, 1)


def test_the_rollup_keeps_the_last_reading_of_the_day_even_when_an_older_one_arrives_late(
    workspace, instagram
):
    # given two readings on the same Shanghai day, the later one ingested first
    morning = datetime(2027, 1, 5, 1, 0, tzinfo=UTC)
    evening = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
    snapshots_ingest([reading(instagram, "followers_count", 120, evening)], workspace=workspace)
    # when the morning reading arrives late
    snapshots_ingest([reading(instagram, "followers_count", 100, morning)], workspace=workspace)
    # then both snapshots are kept, and the day's value is the evening's
    assert MetricSnapshot.objects.count() == 2
    rollup = AccountDailyMetric.objects.get()
    assert (rollup.value, rollup.captured_at) == (120, evening)


def test_the_rollup_keeps_the_last_reading_of_the_day_when_a_batch_lists_it_first(workspace, instagram):
    # given one batch listing a post's evening reading before its morning one, and the account's too
    target = PostTargetFactory(post__workspace=workspace, account=instagram)
    morning = datetime(2027, 1, 5, 1, 0, tzinfo=UTC)
    evening = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
    rows = [
        reading(instagram, "likes", 50, evening, post="ig-1", target=target),
        reading(instagram, "followers_count", 120, evening),
        reading(instagram, "likes", 30, morning, post="ig-1", target=target),
        reading(instagram, "followers_count", 100, morning),
    ]
    # when
    snapshots_ingest(rows, workspace=workspace)
    # then the day's values are the evening's
    assert MetricSnapshot.objects.count() == 4
    post_day = PostDailyMetric.objects.get()
    assert (post_day.value, post_day.captured_at, post_day.target_id) == (50, evening, target.pk)
    account_day = AccountDailyMetric.objects.get()
    assert (account_day.value, account_day.captured_at) == (120, evening)


def test_a_backfill_into_an_old_month_creates_its_partition(workspace, instagram):
    # given a reading from long before the partitions made ahead
    old = datetime(2024, 3, 9, 8, 0, tzinfo=UTC)
    # when
    snapshots_ingest([reading(instagram, "followers_count", 7, old)], workspace=workspace)
    # then
    assert partition_name(date(2024, 3, 1)) in partitions_existing()
    assert MetricSnapshot.objects.get().captured_at == old


def test_another_workspaces_account_or_target_is_refused_and_nothing_is_written(workspace, instagram):
    other = SocialAccountFactory(platform="instagram", credentials=False)  # another workspace
    foreign_target = PostTargetFactory(post__workspace=other.workspace, account=other)
    # when / then
    with pytest.raises(IngestRefused, match="not in this workspace"):
        snapshots_ingest(
            [reading(instagram, "followers_count", 1, AT), reading(other, "followers_count", 1, AT)],
            workspace=workspace,
        )
    with pytest.raises(IngestRefused, match="targets"):
        snapshots_ingest(
            [reading(instagram, "likes", 1, AT, post="x", target=foreign_target)], workspace=workspace
        )
    assert MetricSnapshot.objects.count() == 0 and AccountDailyMetric.objects.count() == 0


def test_a_metric_outside_the_registry_is_refused(workspace, instagram):
    with pytest.raises(IngestRefused, match="instagram.like_count"):
        snapshots_ingest([reading(instagram, "like_count", 1, AT, post="ig-1")], workspace=workspace)
    # account-level `likes` is not a metric either: the level is part of the key
    with pytest.raises(IngestRefused, match="instagram.likes"):
        snapshots_ingest([reading(instagram, "likes", 1, AT)], workspace=workspace)


def test_deleting_an_account_deletes_its_snapshots(workspace):
    # given an account with readings but no posts
    account = SocialAccountFactory(workspace=workspace, platform="weibo", credentials=False)
    snapshots_ingest([reading(account, "followers_count", 1, AT)], workspace=workspace)
    # when
    account.delete()
    # then
    assert MetricSnapshot.objects.count() == 0 and AccountDailyMetric.objects.count() == 0


def test_ids_with_tabs_backslashes_and_line_breaks_survive_the_copy(workspace, instagram):
    # given a platform post id that COPY's text format would misread unescaped
    odd = "ig\t1\\2\n3"
    # when
    snapshots_ingest([reading(instagram, "likes", 5, AT, post=odd)], workspace=workspace)
    # then
    assert list(MetricSnapshot.objects.values_list("platform_post_id", flat=True)) == [odd]
    assert PostDailyMetric.objects.get().platform_post_id == odd


def test_values_must_be_finite_numbers_and_times_aware(workspace, instagram):
    for bad in (
        reading(instagram, "followers_count", float("nan"), AT),
        reading(instagram, "followers_count", "12", AT),
        reading(instagram, "followers_count", 1, AT.replace(tzinfo=None)),
    ):
        with pytest.raises(IngestRefused):
            snapshots_ingest([bad], workspace=workspace)
    assert MetricSnapshot.objects.count() == 0

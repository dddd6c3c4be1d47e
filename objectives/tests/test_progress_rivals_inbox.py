"""Share of voice and inbox first-response time against figures computed by hand, over the same custom
period as test_progress (2027-01-25 .. 02-07 in Asia/Shanghai, read on 02-02: 9 of 14 days).

Share of voice. Our posts in the period have 80 + 20 = 100 engagements (P3, 10, is the previous period's).

    rival   post published (Shanghai)   (UTC)          engagements   counts in
    A       01-31 23:30                 01-31 15:30    150           this period (named)
    A       02-01 00:30                 01-31 16:30    50            this period (February only locally)
    A       01-24 23:50                 01-24 15:50    40            the previous period
    A       02-03 10:00                                1000          after today: not yet
    B       02-01 12:00                                300           benchmarked but not named: left out

    actual = 100 / (100 + 150 + 50) = 1/3; previous = 10 / (10 + 40) = 0.2 (our P3 as last read, like
    the rivals' posts: read on 02-01, after the previous period ended).

First-response time (business hours Monday-Friday 09:00-18:00 Shanghai, the inbox's default; 01-29 is a
Friday, 01-31 a Sunday, 02-01 a Monday):

    item  sent (Shanghai)       answered (Shanghai)   business minutes
    F1    Fri 01-29 17:50       Mon 02-01 09:10       10 + 10 = 20
    F2    Sun 01-31 20:00       Mon 02-01 10:30       90
    F3    Mon 02-01 01:00       Mon 02-01 09:30       30   (01-31 17:00 in UTC: counts, sent in February)
    F4    Tue 01-26 10:00       Tue 01-26 11:00       60
    --    Mon 02-01 10:00       unanswered            left out
    --    ours, Mon 02-01 10:05                       left out (from us)
    --    Tue 02-02 11:00 removed by the fan          left out
    F6    Sun 01-24 23:00       Mon 01-25 09:40       40   (previous period)
    F7    Wed 02-03 10:00       Wed 02-03 15:00       after today: not yet

    median of 20, 30, 60, 90 = 45 minutes; previous = 40.
"""

from datetime import timedelta

import pytest

from competitors.models import RivalPost
from competitors.tests.factories import benchmarked_brand
from inbox.tests.factories import InboxItemFactory
from objectives.models import Kpi, Scope
from objectives.progress import Pace, objective_progress
from objectives.tests.test_progress import TODAY, _objective, local, scene  # noqa: F401

pytestmark = pytest.mark.django_db


def rival_post(account, post_id, when, engagements):
    RivalPost.objects.create(
        rival=account,
        platform_post_id=post_id,
        published_at=when,
        engagements=engagements,
        source="provider",
        track_until=when + timedelta(days=7),
    )


@pytest.fixture
def rivals(scene):  # noqa: F811
    brand_a, a1 = benchmarked_brand(scene, name="A")
    brand_b, b1 = benchmarked_brand(scene, name="B")
    rival_post(a1, "a1", local(2027, 1, 31, 23, 30), 150)
    rival_post(a1, "a2", local(2027, 2, 1, 0, 30), 50)
    rival_post(a1, "a0", local(2027, 1, 24, 23, 50), 40)
    rival_post(a1, "a9", local(2027, 2, 3, 10), 1000)
    rival_post(b1, "b1", local(2027, 2, 1, 12), 300)
    return scene, brand_a, brand_b


def test_share_of_voice_against_the_named_rival(rivals):
    ws, brand_a, _brand_b = rivals
    objective = _objective(ws, Kpi.SHARE_OF_VOICE, "0.3")
    objective.rivals.set([brand_a])
    progress = objective_progress(objective, today=TODAY)
    assert progress.actual == pytest.approx(1 / 3)
    assert progress.projected == pytest.approx(1 / 3)  # a share: its value so far
    assert progress.previous == pytest.approx(0.2)
    assert progress.score == pytest.approx((1 / 3) / 0.3)
    assert progress.pace == Pace.ON_TRACK


def test_share_of_voice_counts_every_named_rival(rivals):
    ws, brand_a, brand_b = rivals
    objective = _objective(ws, Kpi.SHARE_OF_VOICE, "0.3")
    objective.rivals.set([brand_a, brand_b])
    progress = objective_progress(objective, today=TODAY)
    assert progress.actual == pytest.approx(100 / 600)
    assert progress.score == pytest.approx((100 / 600) / 0.3)
    assert progress.pace == Pace.BEHIND


@pytest.fixture
def inbox(scene):  # noqa: F811
    from channels_app.models import SocialAccount

    ig = SocialAccount.objects.get(workspace=scene)

    def item(sent, answered=None, **extra):
        return InboxItemFactory(
            conversation__account=ig, sent_at=sent, answered_at=answered, status="open", **extra
        )

    item(local(2027, 1, 29, 17, 50), local(2027, 2, 1, 9, 10))
    item(local(2027, 1, 31, 20), local(2027, 2, 1, 10, 30))
    item(local(2027, 2, 1, 1), local(2027, 2, 1, 9, 30))
    item(local(2027, 1, 26, 10), local(2027, 1, 26, 11))
    item(local(2027, 2, 1, 10))
    item(local(2027, 2, 1, 10, 5), from_us=True)
    item(local(2027, 2, 2, 11), local(2027, 2, 2, 11, 1), removed_at=local(2027, 2, 2, 12))
    item(local(2027, 1, 24, 23), local(2027, 1, 25, 9, 40))
    item(local(2027, 2, 3, 10), local(2027, 2, 3, 15))
    return scene, ig


def test_first_response_time_is_the_median_in_business_minutes(inbox):
    ws, _ig = inbox
    progress = objective_progress(_objective(ws, Kpi.FIRST_RESPONSE_TIME, "60"), today=TODAY)
    assert progress.actual == pytest.approx(45)
    assert progress.projected == pytest.approx(45)
    assert progress.previous == pytest.approx(40)
    # The target is a maximum: score = target / actual.
    assert progress.score == pytest.approx(60 / 45)
    assert progress.share == pytest.approx(60 / 45)
    assert progress.pace == Pace.ON_TRACK


def test_first_response_time_over_its_maximum_is_behind(inbox):
    ws, ig = inbox
    progress = objective_progress(
        _objective(ws, Kpi.FIRST_RESPONSE_TIME, "42", scope=Scope.ACCOUNT, account=ig), today=TODAY
    )
    assert progress.actual == pytest.approx(45)
    assert progress.score == pytest.approx(42 / 45)
    assert progress.pace == Pace.AT_RISK
    other = _objective(ws, Kpi.FIRST_RESPONSE_TIME, "30", scope=Scope.PLATFORM, platform="weibo")
    assert objective_progress(other, today=TODAY).pace == Pace.NO_DATA  # no weibo account answered


def test_first_response_time_with_no_answers_has_no_data(scene):  # noqa: F811
    progress = objective_progress(_objective(scene, Kpi.FIRST_RESPONSE_TIME, "60"), today=TODAY)
    assert progress.actual is None
    assert progress.pace == Pace.NO_DATA

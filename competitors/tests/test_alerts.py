"""Competitor alerts by hand (acceptance 3): the exact median/MAD of a rival's baseline, the post that
crosses the threshold alerts and the one just under does not; a posting spike likewise; keywords in
Chinese and English; once per (post, kind) and (account, day): two evaluations, one alert, one
notification, one email; recipients by capability and preference; the hook at the end of a pull."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import CompetitorNotificationKind, Notification, NotificationPreference
from competitors.models import AlertKind, CompetitorAlert, CompetitorAlertSettings, RivalPost
from competitors.services import alert_settings_update, rival_alerts_evaluate
from competitors.services.alerts import keywords_matched, robust_threshold
from competitors.tests.factories import benchmarked_brand
from core.errors import ValidationFailed
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
BASELINE = [10, 12, 14, 16, 18, 20, 22, 24, 26, 28]


@pytest.fixture
def workspace():
    return WorkspaceFactory(timezone="UTC")


def member(workspace, role=Role.ANALYST, **fields):
    user = UserFactory(**fields)
    WorkspaceMemberFactory(workspace=workspace, user=user, role=role)
    return user


def post(account, post_id, when, engagements=None, text=""):
    return RivalPost.objects.create(
        rival=account,
        platform_post_id=post_id,
        published_at=when,
        engagements=engagements,
        text=text,
        source="provider",
        track_until=when + timedelta(days=7),
    )


def with_baseline(account, values=BASELINE):
    """Posts well before the 3-day look-back, one a day, oldest first."""
    for n, value in enumerate(values):
        post(account, f"{account.handle}-old-{n}", NOW - timedelta(days=20 - n), value)


def test_the_robust_threshold_by_hand():
    # median of 10..28 step 2 = (18 + 20) / 2 = 19; |v - 19| = 9 7 5 3 1 1 3 5 7 9 -> median 5
    rule = robust_threshold([float(v) for v in BASELINE], 5)
    assert (rule.median, rule.mad) == (19, 5)
    assert rule.threshold == pytest.approx(19 + 5 * 1.4826 * 5)  # 56.065
    # a flat history: MAD 0 counts as 1
    assert robust_threshold([3.0] * 12, 5).threshold == pytest.approx(3 + 5 * 1.4826)


def test_an_engagement_spike_alerts_above_the_threshold_and_not_just_under(
    workspace, django_capture_on_commit_callbacks
):
    # given: two rivals with the same ten-post history, one posts 57 engagements, the other 56
    analyst = member(workspace, language="zh-hans")
    member(workspace, role=Role.VIEWER)  # may not see competitors: told nothing
    _brand, above = benchmarked_brand(workspace, handle="above")
    _brand, under = benchmarked_brand(workspace, handle="under")
    with_baseline(above)
    with_baseline(under)
    spiking = post(above, "above-new", NOW - timedelta(hours=3), 57)
    post(under, "under-new", NOW - timedelta(hours=3), 56)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        made = rival_alerts_evaluate(rival_id=above.pk, now=NOW) + rival_alerts_evaluate(
            rival_id=under.pk, now=NOW
        )
    # then: exactly the post above 56.065
    assert [(a.kind, a.post_id) for a in made] == [(AlertKind.SPIKE, spiking.pk)]
    alert = made[0]
    assert (alert.median, alert.mad, alert.value) == (19, 5, 57)
    assert alert.threshold == pytest.approx(56.065)
    notice = Notification.objects.get()
    assert notice.recipient == analyst and notice.kind == CompetitorNotificationKind.COMPETITOR_SPIKE
    assert "@above" in notice.message and "57" in notice.message and "互动" in notice.message
    assert notice.link.startswith(f"/w/{workspace.pk}/competitors/benchmark/?start=2026-11-25&end=2026-12-01")
    assert [m.to for m in mail.outbox] == [[analyst.email]]
    assert AuditEvent.objects.filter(action="competitor.alert", workspace=workspace).count() == 1


def test_no_spike_alert_while_the_baseline_is_short(workspace):
    _brand, young = benchmarked_brand(workspace, handle="young")
    with_baseline(young, BASELINE[:9])  # 9 posts: under the minimum of 10
    post(young, "young-new", NOW - timedelta(hours=1), 10_000)
    assert rival_alerts_evaluate(rival_id=young.pk, now=NOW) == []


def test_n_and_k_are_the_workspaces(workspace):
    # given: N = 10 and k = 2: threshold 19 + 2 x 1.4826 x 5 = 33.826
    alert_settings_update(actor=None, workspace=workspace, baseline_posts=10, threshold_k="2")
    _brand, rival = benchmarked_brand(workspace, handle="k2")
    with_baseline(rival, [1000, 1000] + BASELINE)  # the two oldest fall outside the last 10
    post(rival, "k2-34", NOW - timedelta(hours=2), 34)
    # then
    [alert] = rival_alerts_evaluate(rival_id=rival.pk, now=NOW)
    assert alert.threshold == pytest.approx(33.826) and alert.median == 19


def posting(account, per_day: list[int], last_24h: int):
    """`per_day[i]` posts in the i-th 24 h window before the last 24 h (i = 1..28)."""
    n = 0
    for i, count in enumerate(per_day, start=1):
        for j in range(count):
            post(account, f"{account.handle}-{n}", NOW - timedelta(days=i, hours=12, minutes=j))
            n += 1
    for j in range(last_24h):
        post(account, f"{account.handle}-{n}", NOW - timedelta(hours=1, minutes=j))
        n += 1


def test_a_posting_spike_by_hand(workspace, django_capture_on_commit_callbacks):
    # given: a post a day for 28 days (median 1, MAD 0 -> 1): threshold 1 + 5 x 1.4826 = 8.413
    member(workspace)
    _brand, nine = benchmarked_brand(workspace, handle="nine")
    _brand, eight = benchmarked_brand(workspace, handle="eight")
    posting(nine, [1] * 28, 9)
    posting(eight, [1] * 28, 8)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        made = rival_alerts_evaluate(rival_id=nine.pk, now=NOW) + rival_alerts_evaluate(
            rival_id=eight.pk, now=NOW
        )
    # then
    [alert] = made
    assert (alert.kind, alert.rival_id, str(alert.day)) == (AlertKind.POSTING, nine.pk, "2026-12-01")
    assert (alert.value, alert.median, alert.mad) == (9, 1, 0)
    assert alert.threshold == pytest.approx(8.413)
    assert Notification.objects.get().kind == CompetitorNotificationKind.COMPETITOR_POSTING


def test_a_posting_spike_needs_ten_posts_in_the_baseline(workspace):
    _brand, quiet = benchmarked_brand(workspace, handle="quiet")
    posting(quiet, [1] * 9 + [0] * 19, 20)
    assert rival_alerts_evaluate(rival_id=quiet.pk, now=NOW) == []


def test_keywords_in_chinese_and_english():
    keywords = ["新品", "Launch"]
    assert keywords_matched("我们的新品上市了", keywords) == ["新品"]
    assert keywords_matched("Our LAUNCH is today!", keywords) == ["Launch"]
    assert keywords_matched("relaunching soon, launches", keywords) == []  # whole words only
    assert keywords_matched("#新品launch", keywords) == ["新品", "Launch"]
    assert keywords_matched("新 品", keywords) == []


def test_a_keyword_post_alerts_once(workspace, django_capture_on_commit_callbacks):
    # given
    analyst = member(workspace)
    alert_settings_update(actor=analyst, workspace=workspace, keywords="新品\nlaunch")
    _brand, rival = benchmarked_brand(workspace, handle="kw")
    matching = post(rival, "kw-1", NOW - timedelta(hours=5), text="春季新品 Launch day")
    post(rival, "kw-2", NOW - timedelta(hours=4), text="relaunch")
    post(rival, "kw-old", NOW - timedelta(days=5), text="新品")  # before the look-back
    # when: evaluated twice (two pulls)
    with django_capture_on_commit_callbacks(execute=True):
        first = rival_alerts_evaluate(rival_id=rival.pk, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        second = rival_alerts_evaluate(rival_id=rival.pk, now=NOW + timedelta(hours=6))
    # then: one alert, one notification, one email
    assert [(a.post_id, a.keywords) for a in first] == [(matching.pk, ["新品", "launch"])]
    assert second == []
    assert CompetitorAlert.objects.count() == 1
    assert Notification.objects.filter(kind=CompetitorNotificationKind.COMPETITOR_KEYWORD).count() == 1
    assert len(mail.outbox) == 1


def test_spike_and_posting_alert_once(workspace, django_capture_on_commit_callbacks):
    member(workspace)
    _brand, rival = benchmarked_brand(workspace, handle="twice")
    posting(rival, [1] * 28, 9)
    for n, value in enumerate(BASELINE):
        RivalPost.objects.filter(rival=rival, platform_post_id=f"twice-{n}").update(engagements=value)
    RivalPost.objects.filter(rival=rival, platform_post_id="twice-28").update(engagements=500)
    with django_capture_on_commit_callbacks(execute=True):
        first = rival_alerts_evaluate(rival_id=rival.pk, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        second = rival_alerts_evaluate(rival_id=rival.pk, now=NOW + timedelta(minutes=30))
    assert sorted(a.kind for a in first) == [AlertKind.POSTING, AlertKind.SPIKE]
    assert second == []
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2


def test_preferences_and_kinds_switched_off(workspace, django_capture_on_commit_callbacks):
    # given: one person wants spikes in the bell only; the workspace turned posting alerts off
    quiet = member(workspace)
    NotificationPreference.objects.create(
        user=quiet, kind=CompetitorNotificationKind.COMPETITOR_SPIKE, in_app=True, email=False
    )
    alert_settings_update(actor=quiet, workspace=workspace, posting_on=False)
    _brand, rival = benchmarked_brand(workspace, handle="prefs")
    posting(rival, [1] * 28, 9)
    RivalPost.objects.filter(rival=rival).update(engagements=20)
    RivalPost.objects.filter(rival=rival, platform_post_id="prefs-28").update(engagements=500)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        made = rival_alerts_evaluate(rival_id=rival.pk, now=NOW)
    # then
    assert [a.kind for a in made] == [AlertKind.SPIKE]
    assert Notification.objects.filter(recipient=quiet).count() == 1 and mail.outbox == []


def test_settings_errors_name_their_field(workspace):
    with pytest.raises(ValidationFailed) as caught:
        alert_settings_update(
            actor=None, workspace=workspace, baseline_posts=5, threshold_k=Decimal("30"), keywords=["x" * 51]
        )
    assert set(caught.value.fields) == {"baseline_posts", "threshold_k", "keywords"}
    assert not CompetitorAlertSettings.objects.exists()


def test_the_pull_hook_alerts_on_a_viral_post(platform_sim, workspace, django_capture_on_commit_callbacks):
    # given: a Douyin rival with twelve ordinary posts, read once
    from competitors.services import competitor_add, rival_pull

    analyst = member(workspace)
    account = platform_sim.create_account("douyin", handle="viral_dy", followers=50_000)
    start = time.time() - 20 * 86400
    for n in range(12):
        platform_sim.seed_post("douyin", account.external_id, text=f"日常 {n}", created_at=start + n * 86400)
    competitor_add(workspace=workspace, actor=analyst, name="对手", profile="viral_dy", platform="douyin")
    rival = account_of(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        assert rival_pull(rival.pk).status == "done"
    assert not CompetitorAlert.objects.exists()
    # when: it posts one that goes viral, and the next pull reads it
    platform_sim.seed_post(
        "douyin", account.external_id, text="新品", created_at=time.time() - 3 * 3600, boost=200
    )
    with django_capture_on_commit_callbacks(execute=True):
        rival_pull(rival.pk, now=datetime.now(UTC) + timedelta(minutes=1))
    # then
    alert = CompetitorAlert.objects.get(kind=AlertKind.SPIKE)
    assert alert.post.text == "新品" and alert.value > alert.threshold
    assert Notification.objects.filter(recipient=analyst, kind="competitor_spike").count() == 1


def account_of(workspace):
    from competitors.models import RivalAccount

    return RivalAccount.objects.get(brand__benchmarked_in__workspace=workspace)


def test_the_settings_page_and_the_api(workspace, client):
    # given: a manager on the settings page (reached from the competitors page)
    manager = member(workspace, role=Role.MANAGER)
    client.force_login(manager)
    listing = client.get(f"/w/{workspace.pk}/competitors/")
    assert f"/w/{workspace.pk}/competitors/alerts/" in listing.content.decode()
    # when: a bad N and k
    bad = client.post(
        f"/w/{workspace.pk}/competitors/alerts/",
        {"keywords": "新品", "baseline_posts": "3", "threshold_k": "5", "keyword_on": "on"},
    )
    # then: the error sits next to the field, nothing saved
    assert bad.status_code == 400
    assert 'id="id_baseline_posts_error"' in bad.content.decode()
    assert not CompetitorAlertSettings.objects.exists()
    # when: good values
    good = client.post(
        f"/w/{workspace.pk}/competitors/alerts/",
        {"keywords": "新品\nLaunch\n新品", "baseline_posts": "20", "threshold_k": "4.5", "spike_on": "on"},
    )
    assert good.status_code == 302
    found = CompetitorAlertSettings.objects.get(workspace=workspace)
    assert (found.keywords, found.baseline_posts, found.threshold_k) == (
        ["新品", "Launch"],
        20,
        Decimal("4.5"),
    )
    assert (found.spike_on, found.posting_on, found.keyword_on) == (True, False, False)
    # and the API reads and changes the same settings (PATCH: competitor.manage)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(manager)
    base = f"/api/v1/workspaces/{workspace.pk}/competitors/alerts/"
    assert api.get(base + "settings/").json()["keywords"] == ["新品", "Launch"]
    answer = api.patch(base + "settings/", {"threshold_k": "50"}, format="json")
    assert answer.status_code == 400 and "threshold_k" in answer.json()["error"]["fields"]
    answer = api.patch(base + "settings/", {"keyword_on": True, "keywords": ["sale"]}, format="json")
    assert answer.status_code == 200 and answer.json()["keywords"] == ["sale"]
    assert AuditEvent.objects.filter(action="competitor.alert_settings_update").count() == 2


def test_the_alerts_list_is_paginated(workspace, client):
    analyst = member(workspace)
    _brand, rival = benchmarked_brand(workspace, handle="many")
    for n in range(3):
        p = post(rival, f"many-{n}", NOW - timedelta(hours=n + 1), text="新品")
        CompetitorAlert.objects.create(
            workspace=workspace, rival=rival, post=p, kind=AlertKind.KEYWORD, keywords=["新品"]
        )
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(analyst)
    first = api.get(f"/api/v1/workspaces/{workspace.pk}/competitors/alerts/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    assert first["results"][0]["post_id"] == "many-2" and first["results"][0]["keywords"] == ["新品"]
    second = api.get(first["next"]).json()
    assert [r["post_id"] for r in second["results"]] == ["many-0"]
    # the competitors page lists them too, with links to the benchmark
    client.force_login(analyst)
    page = client.get(f"/w/{workspace.pk}/competitors/").content.decode()
    assert page.count('data-testid="competitor-alert"') == 3
    # an analyst may read the settings but not change them
    assert client.post(f"/w/{workspace.pk}/competitors/alerts/", {"baseline_posts": "20"}).status_code == 403

"""Issue 15, acceptance 5, in a real browser (English and Chinese): set a quarterly objective from the
navigation, then a real metrics pull happens (analytics' pull planning against platform_sim, its tasks run
in place as in analytics/tests/test_pulls.py) and the objective's progress on the page changes to the
figure the platform reported."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.models import MetricPull, MetricSnapshot
from analytics.services.pulls import pulls_plan
from channels_app import vault
from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.registry import connector_for
from content.models import TargetStatus
from content.tests.factories import PostTargetFactory
from demo.budgets import quarter_of
from publishing import ratelimit
from publishing.tests.pipeline_kit import sim_account
from tests.browser.kit import new_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWS = {"en": "Views", "zh-hans": "浏览量"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{ratelimit.key_prefix()}*", count=500))
    if keys:
        client.delete(*keys)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_objectives_progress_moves_after_a_real_pull(browser, live_server, platform_sim, language):
    # given: an X account of the simulator with a post published there a minute ago, never read yet
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai", currency="CNY")
    manager = UserFactory(email="mei.wang@example.com", full_name="Mei Wang", language=language)
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    account, _sim = sim_account(platform_sim, workspace)
    credentials = Credentials(
        access_token=vault.credentials_read(account).access_token, extra={"user_id": account.external_id}
    )
    result = connector_for("x").publish(
        credentials, PostPayload(text=f"Spring tea {timezone.now().timestamp()}")
    )
    now = timezone.now()
    # the post is two days old on the platform's side, so it has been seen (platform_sim.metrics)
    platform_sim.set_post("x", result.external_id, created_at=(now - timedelta(days=2)).timestamp())
    start, _end = quarter_of(timezone.localdate(now, workspace.tzinfo))
    first_instant = timezone.make_aware(
        timezone.datetime.combine(start, timezone.datetime.min.time()), workspace.tzinfo
    )
    target = PostTargetFactory(
        workspace=workspace,
        post__workspace=workspace,
        account=account,
        status=TargetStatus.PUBLISHED,
        external_id=result.external_id,
        published_at=max(now - timedelta(minutes=1), first_instant + timedelta(seconds=1)),
    )
    assert not MetricSnapshot.objects.filter(account_id=account.pk).exists()
    page = signed_in(new_page(browser), live_server, manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/w/{workspace.pk}/")

    # when: a quarterly views objective, set from the navigation
    page.click(f'[data-testid="main-nav"] a[href="/w/{workspace.pk}/objectives/"]')
    form = page.locator('[data-testid="objective-form"]')
    form.locator('input[name="name"]').fill("Q views on X")
    form.locator('select[name="kpi"]').select_option("views")
    form.locator('input[name="target"]').fill("100000")
    form.locator('select[name="period"]').select_option("quarter")
    form.locator('input[name="starts_on"]').fill(start.isoformat())
    form.locator('[data-testid="objective-create"]').click()
    row = page.locator('[data-testid="objective-row"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text(VIEWS[language])
    # then: nothing read yet, no figure
    before = row.locator('[data-testid="objective-actual"]').inner_text().strip()
    assert before in {"—", "0"}, before

    # when: the pull planner runs; the post's pull reads the simulator (tasks run in place on commit)
    pulls_plan()
    pull = MetricPull.objects.get(target=target, kind=MetricPull.Kind.POST)
    assert pull.status == MetricPull.Status.DONE, (pull.status, pull.error)
    reported = MetricSnapshot.objects.filter(
        account_id=account.pk, platform_post_id=target.external_id, metric="impression_count"
    ).latest("captured_at")
    assert reported.value > 0
    page.reload()

    # then: the page shows what the platform reported as the post's views
    after = page.locator('[data-testid="objective-row"] [data-testid="objective-actual"]')
    expect(after).to_have_text(f"{reported.value:,.0f}")
    assert after.inner_text().strip() != before

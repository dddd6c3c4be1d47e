"""Objectives in a real browser, in English and in Chinese: from the navigation, set a quarterly
objective (a wrong start first, its message next to the field), then see its progress computed from the
figures a pull stored; then its OCEAN review, with a review note. Saves objectives-en.png,
objectives-zh.png, ocean-en.png and ocean-zh.png (the README tour shows them)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.services import snapshots_ingest
from analytics.tests.factories import reading
from channels_app.tests.factories import SocialAccountFactory
from content.tests.factories import PostTargetFactory
from demo.budgets import quarter_of
from objectives.models import Objective
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"quarter": "A quarterly objective starts on 1 January, April, July or October.", "views": "Views"},
    "zh-hans": {"quarter": "季度目标须从 1 月、4 月、7 月或 10 月的 1 日开始。", "views": "浏览量"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_set_a_quarterly_objective_and_see_its_progress(browser, live_server, language):
    # given: a workspace whose last pull stored 1,200 views of a post published this quarter
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai", currency="CNY")
    manager = UserFactory(email="mei.wang@example.com", full_name="Mei Wang", language=language)
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    now = timezone.now()
    start, _end = quarter_of(timezone.localdate(now, workspace.tzinfo))
    account = SocialAccountFactory(workspace=workspace, platform="instagram", credentials=False)
    first_instant = timezone.make_aware(
        timezone.datetime.combine(start, timezone.datetime.min.time()), workspace.tzinfo
    )
    published = max(now - timedelta(hours=1), first_instant + timedelta(minutes=1))
    target = PostTargetFactory(
        post__workspace=workspace, account=account, published_at=published, status="published"
    )
    pull = uuid.uuid4()
    snapshots_ingest(
        [reading(account, "views", 1200, now, post=f"p-{target.pk}", target=target, pull=pull)],
        workspace=workspace,
    )
    page = signed_in(new_page(browser), live_server, manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    text = TEXT[language]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/w/{workspace.pk}/")

    # when: Objectives in the navigation, a quarterly objective that starts on a wrong day
    page.click(f'[data-testid="main-nav"] a[href="/w/{workspace.pk}/objectives/"]')
    form = page.locator('[data-testid="objective-form"]')
    form.locator('input[name="name"]').fill("Q views")
    form.locator('select[name="kpi"]').select_option("views")
    form.locator('input[name="target"]').fill("2000")
    form.locator('select[name="period"]').select_option("quarter")
    form.locator('input[name="starts_on"]').fill((start + timedelta(days=1)).isoformat())
    form.locator('[data-testid="objective-create"]').click()
    # then: the message is next to the field, nothing is saved
    expect(page.locator('[data-testid="objective-form"]')).to_contain_text(text["quarter"])
    assert not Objective.objects.exists()
    # when: the first day of the quarter
    form = page.locator('[data-testid="objective-form"]')
    form.locator('input[name="starts_on"]').fill(start.isoformat())
    form.locator('[data-testid="objective-create"]').click()
    # then: the objective with its progress from the stored figures, and a pace badge
    row = page.locator('[data-testid="objective-row"]')
    expect(row).to_have_count(1)
    expect(row.locator('[data-testid="objective-actual"]')).to_have_text("1,200")
    expect(row).to_contain_text(text["views"])
    expect(row).to_contain_text("60%")
    pace = row.locator('[data-testid="objective-pace"]')
    expect(pace).to_have_attribute(
        "data-pace", "on_track" if (now.date() - start).days < 40 else pace.get_attribute("data-pace")
    )
    page.screenshot(
        path=str(SCREENSHOTS / f"objectives-{'en' if language == 'en' else 'zh'}.png"), full_page=True
    )
    # when: the OCEAN review of this quarter, its review note saved
    page.click('[data-testid="ocean-link"]')
    expect(page.locator('[data-testid="ocean-objective"]')).to_contain_text("Q views")
    page.locator('[data-testid="review-form"] textarea[name="note"]').fill("KOC notes worked: keep them.")
    page.click('[data-testid="review-save"]')
    # then: the note is there on the reloaded page
    expect(page.locator('[data-testid="review-form"] textarea[name="note"]')).to_have_value(
        "KOC notes worked: keep them."
    )
    page.screenshot(path=str(SCREENSHOTS / f"ocean-{'en' if language == 'en' else 'zh'}.png"), full_page=True)

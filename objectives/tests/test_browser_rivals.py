"""Share of voice in a real browser, in English and in Chinese: from the navigation, a monthly objective
against one named rival (first without a rival: the message is next to the field), then its share from
the stored figures: our 100 engagements against the named rival's 300 is 25 % (the other benchmarked
brand, not named, is left out). Saves objectives-sov-en.png and objectives-sov-zh.png."""

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
from competitors.models import RivalPost
from competitors.tests.factories import benchmarked_brand
from content.tests.factories import PostTargetFactory
from objectives.models import Objective
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"rivals": "Choose the competitor brands to compare with.", "kpi": "Share of voice"},
    "zh-hans": {"rivals": "请选择要对比的竞品品牌。", "kpi": "声量份额"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_share_of_voice_against_a_named_rival(browser, live_server, language):
    # given: this month, our post with 100 engagements; rival Jade Leaf's post with 300, Oolong Co's 900
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai", currency="CNY")
    manager = UserFactory(email="mei.wang@example.com", full_name="Mei Wang", language=language)
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    now = timezone.now()
    today = timezone.localdate(now, workspace.tzinfo)
    month_start = today.replace(day=1)
    first_instant = timezone.make_aware(
        timezone.datetime.combine(month_start, timezone.datetime.min.time()), workspace.tzinfo
    )
    published = max(now - timedelta(hours=1), first_instant + timedelta(minutes=1))
    account = SocialAccountFactory(workspace=workspace, platform="instagram", credentials=False)
    target = PostTargetFactory(
        post__workspace=workspace, account=account, published_at=published, status="published"
    )
    snapshots_ingest(
        [
            reading(
                account,
                "total_interactions",
                100,
                now,
                post=f"p-{target.pk}",
                target=target,
                pull=uuid.uuid4(),
            )
        ],
        workspace=workspace,
    )
    jade, jade_account = benchmarked_brand(workspace, name="Jade Leaf")
    _oolong, oolong_account = benchmarked_brand(workspace, name="Oolong Co")
    for rival, engagements in ((jade_account, 300), (oolong_account, 900)):
        RivalPost.objects.create(
            rival=rival,
            platform_post_id=f"r-{rival.pk}",
            published_at=published,
            engagements=engagements,
            source="provider",
            track_until=published + timedelta(days=7),
        )
    page = signed_in(new_page(browser), live_server, manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    text = TEXT[language]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/w/{workspace.pk}/")

    # when: Objectives in the navigation, share of voice for this month, no rival ticked
    page.click(f'[data-testid="main-nav"] a[href="/w/{workspace.pk}/objectives/"]')
    form = page.locator('[data-testid="objective-form"]')
    form.locator('input[name="name"]').fill("Louder than Jade Leaf")
    form.locator('select[name="kpi"]').select_option("share_of_voice")
    form.locator('input[name="target"]').fill("0.3")
    form.locator('select[name="period"]').select_option("month")
    form.locator('input[name="starts_on"]').fill(month_start.isoformat())
    form.locator('[data-testid="objective-create"]').click()
    # then: the message is next to the rivals, nothing is saved
    expect(page.locator("#id_rivals_error")).to_have_text(text["rivals"])
    assert not Objective.objects.exists()
    # when: Jade Leaf ticked
    form = page.locator('[data-testid="objective-form"]')
    form.locator(f'input[name="rivals"][value="{jade.pk}"]').check()
    form.locator('[data-testid="objective-create"]').click()
    # then: 100 / (100 + 300)
    row = page.locator('[data-testid="objective-row"]')
    expect(row).to_have_count(1)
    expect(row.locator('[data-testid="objective-actual"]')).to_have_text("25.00 %")
    expect(row).to_contain_text(text["kpi"])
    expect(row.locator('[data-testid="objective-pace"]')).to_have_attribute("data-pace", "behind")
    assert list(Objective.objects.get().rivals.all()) == [jade]
    page.screenshot(
        path=str(SCREENSHOTS / f"objectives-sov-{'en' if language == 'en' else 'zh'}.png"), full_page=True
    )

"""The content settings pages in a real browser, in English and in Simplified Chinese: from the workspace's
home, through the Settings navigation, create a campaign, a tag group with a tag, a banned word and a
posting slot; then the composer offers the campaign and flags the banned word as you type. Saves
campaigns-, tag-groups-, banned-words- and posting-slots-<en|zh>.png in the screenshots folder."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import BannedWord, Campaign, PostingSlot, Tag
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each language shows: the Settings links, a date as the campaign list writes it, a weekday.
SHOWN = {
    "en": {
        "campaigns": "Campaigns",
        "tags": "Tags",
        "banned": "Banned words & compliance",
        "slots": "Posting slots",
        "dates": "May 1, 2031 – May 31, 2031",
        "wednesday": "Wednesday",
        "finding": "cheap",
    },
    "zh-hans": {
        "campaigns": "营销活动",
        "tags": "标签",
        "banned": "违禁词与合规",
        "slots": "发布时段",
        "dates": "2031年5月1日 – 2031年5月31日",
        "wednesday": "星期三",
        "finding": "cheap",
    },
}


@pytest.fixture
def brand():
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    admin = UserFactory(email="li.na@example.com", full_name="Li Na")
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    weibo = SocialAccountFactory(workspace=workspace, platform="weibo", handle="lotustea")
    SocialAccountFactory(workspace=workspace, platform="x", handle="LotusTeaGlobal")
    return {"workspace": workspace, "admin": admin, "weibo": weibo}


def open_settings(page, label: str):
    link = page.locator("[data-testid=main-nav] a.nav-link", has_text=label)
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator("h1")).to_have_text(label)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_set_up_content_settings_from_the_settings_navigation(live_server, page, brand, language):
    shown, short = SHOWN[language], "en" if language == "en" else "zh"
    workspace = brand["workspace"]
    signed_in(page, live_server, brand["admin"])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # campaigns: name, dates, colour, description
    open_settings(page, shown["campaigns"])
    form = page.locator("[data-testid=campaign-form]")
    form.locator("input[name=name]").fill("Summer oolong")
    form.locator("input[name=starts_on]").fill("2031-05-01")
    form.locator("input[name=ends_on]").fill("2031-05-31")
    form.locator("input[name=color]").fill("#0f766e")
    form.locator("textarea[name=objective]").fill("Launch the new harvest")
    page.click("[data-testid=campaign-submit]")
    row = page.locator("[data-testid=campaign-row]", has_text="Summer oolong")
    expect(row.locator("[data-testid=campaign-dates]")).to_have_text(shown["dates"])
    campaign = Campaign.objects.get(workspace=workspace)
    assert (campaign.color, campaign.objective) == ("#0f766e", "Launch the new harvest")
    page.screenshot(path=str(SCREENSHOTS / f"campaigns-{short}.png"), full_page=True)

    # tag groups and tags
    open_settings(page, shown["tags"])
    page.locator("[data-testid=tag-group-form] input[name=name]").fill("Product line")
    page.locator("[data-testid=tag-group-form] input[name=required]").check()
    page.click("[data-testid=tag-group-submit]")
    group = page.locator("[data-testid=tag-group]", has_text="Product line")
    group.locator("[data-testid=tag-form] input[name=name]").fill("Oolong")
    group.locator("[data-testid=tag-submit]").click()
    group = page.locator("[data-testid=tag-group]", has_text="Product line")
    expect(group.locator("[data-testid=tag] input[name=name]")).to_have_value("Oolong")
    assert Tag.objects.get(workspace=workspace).group.required
    page.screenshot(path=str(SCREENSHOTS / f"tag-groups-{short}.png"), full_page=True)

    # banned words, next to the built-in Advertising Law terms
    open_settings(page, shown["banned"])
    expect(page.locator("[data-testid=adlaw-terms]")).to_contain_text("国家级")
    page.locator("[data-testid=banned-word-form] input[name=word]").fill("cheap")
    page.locator("[data-testid=banned-word-form] select[name=severity]").select_option("warning")
    page.click("[data-testid=banned-word-submit]")
    expect(page.locator("[data-testid=banned-word-row]", has_text="cheap")).to_be_visible()
    assert BannedWord.objects.get(workspace=workspace).severity == "warning"
    page.screenshot(path=str(SCREENSHOTS / f"banned-words-{short}.png"), full_page=True)

    # posting slots: Wednesday 09:30 for the Weibo account
    open_settings(page, shown["slots"])
    form = page.locator("[data-testid=slot-form]")
    form.locator("select[name=account]").select_option(str(brand["weibo"].pk))
    form.locator("select[name=weekday]").select_option("2")
    form.locator("input[name=time]").fill("09:30")
    page.click("[data-testid=slot-submit]")
    account = page.locator(f"[data-testid=slot-account][data-account='{brand['weibo'].pk}']")
    wednesday = account.locator("[data-testid=slot-day][data-weekday='2']")
    expect(wednesday).to_contain_text(shown["wednesday"])
    expect(wednesday.locator(".slot-time")).to_have_text("09:30")
    assert PostingSlot.objects.get(workspace=workspace).time.strftime("%H:%M") == "09:30"
    page.screenshot(path=str(SCREENSHOTS / f"posting-slots-{short}.png"), full_page=True)

    # then: the composer offers the campaign and flags the banned word while typing
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/new/")
    expect(page.locator("select[name=campaign] option", has_text="Summer oolong")).to_have_count(1)
    page.locator(f".acct-chip:has(input[value='{brand['weibo'].pk}'])").click()
    page.fill("[data-testid=main-text]", "Fresh oolong, not cheap at all")
    finding = page.locator("[data-testid=finding][data-rule=banned_word]")
    expect(finding).to_contain_text(shown["finding"])

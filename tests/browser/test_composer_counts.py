"""Issue 10 in a real browser: the composer shows X's count as X counts it where Chinese text touches a
link, the number the server's connector gives (the page has no counter of its own)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from channels_app.tests.counting_cases import CJK_POST_WITH_TRACKED_LINK, LINK_THEN_CJK
from content.tests.pages_kit import brand_with_accounts, member_user
from tests.browser.kit import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVER = re.compile(r"\bis-over\b")


def test_the_composer_counts_x_where_chinese_text_touches_a_link(live_server, page):
    # given: a workspace with an X account, and its editor in the composer
    workspace, accounts = brand_with_accounts("x")
    signed_in(page, live_server, member_user(workspace, Role.EDITOR))
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/new/")
    page.locator(f".acct-chip:has(input[value='{accounts['x'].pk}'])").click()
    pill = page.locator(f"[data-count='{accounts['x'].pk}']")

    # when: a link ends at a full-width comma, 130 Chinese characters after it
    page.fill("[data-testid=main-text]", LINK_THEN_CJK)

    # then: 285 of 280, shown over the limit, with X's finding
    expect(page.locator("[data-testid=count-x]")).to_have_text("285 / 280")
    expect(pill).to_have_class(OVER)
    expect(page.locator("[data-testid=finding][data-rule='x.weighted_length']")).to_be_visible()

    # when: 110 Chinese characters and a long tracked link right after "详情见"
    page.fill("[data-testid=main-text]", CJK_POST_WITH_TRACKED_LINK)

    # then: 259 of 280, within the limit
    expect(page.locator("[data-testid=count-x]")).to_have_text("259 / 280")
    expect(page.locator("[data-testid=finding][data-rule='x.weighted_length']")).to_have_count(0)
    expect(pill).not_to_have_class(OVER)

"""Issue 4, acceptance 1, in a real browser: write a post for three accounts on different platforms, see
per-platform counts and a compliance finding for an advertising-law term, fix it, schedule it, find it on
the calendar, drag it to the next day, and see the new time in the post's history. And a first comment for X:
counted by X's rule, checked, previewed under the post, saved, shown on the post page. Also refreshes the
calendar and composer screenshots in docs/screenshots/."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import PASSWORD, UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import Post, PostTarget, TargetStatus
from content.tests.factories import BannedWordFactory, CampaignFactory, PostFactory, PostTargetFactory
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = "https://example.com/oolong"
BAD_TEXT = f"全网第一的高山乌龙茶，今天上新！Our best oolong yet {LINK}"
GOOD_TEXT = f"高山乌龙茶今天上新，茶香清雅！Fresh mountain oolong is here {LINK}"
FIRST_COMMENT = f"冲泡指南 Brewing guide: {LINK}"


@pytest.fixture
def brand():
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    manager = UserFactory(email="mei.wang@example.com", full_name="Mei Wang")  # verified email
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    accounts = {
        "weibo": SocialAccountFactory(
            workspace=workspace, platform="weibo", handle="lotustea", display_name="莲花茶官方微博"
        ),
        "x": SocialAccountFactory(
            workspace=workspace, platform="x", handle="LotusTeaGlobal", display_name="Lotus Tea"
        ),
        "bluesky": SocialAccountFactory(
            workspace=workspace, platform="bluesky", handle="lotustea.bsky.social", display_name="Lotus Tea"
        ),
    }
    return {"workspace": workspace, "manager": manager, "accounts": accounts}


def _neighbours(brand, day):
    """Other posts of the month around the one the test writes, so the calendar looks like a real one."""
    workspace, accounts = brand["workspace"], brand["accounts"]
    tz = workspace.tzinfo
    campaign = CampaignFactory(workspace=workspace, name="Autumn harvest", color="#0ea5a4")
    plan = [
        (-24, time(9, 0), "Autumn menu: osmanthus oolong", ["weibo", "x"], TargetStatus.PUBLISHED),
        (-20, time(15, 0), "Meet our tea masters", ["bluesky"], TargetStatus.PUBLISHED),
        (-17, time(10, 30), "双十一预售开启", ["weibo"], TargetStatus.PUBLISHED),
        (-13, time(19, 0), "Brewing guide: water temperature", ["x", "bluesky"], TargetStatus.PUBLISHED),
        (-10, time(8, 0), "Morning ritual giveaway results", ["weibo", "x", "bluesky"], TargetStatus.FAILED),
        (-6, time(12, 30), "茶园直播回放", ["weibo"], TargetStatus.PUBLISHED),
        (-3, time(9, 30), "Harvest diary: picking leaves at dawn", ["weibo"], TargetStatus.PUBLISHED),
        (-2, time(12, 0), "Tea ceremony live stream this Friday", ["x", "bluesky"], TargetStatus.PUBLISHED),
        (-1, time(18, 0), "秋季新品品鉴会报名开启", ["weibo"], TargetStatus.APPROVED),
        (2, time(11, 0), "Behind the scenes at the roastery", ["x"], TargetStatus.IN_REVIEW),
        (3, time(20, 0), "冬日暖茶指南", ["weibo", "bluesky"], TargetStatus.DRAFT),
        (
            5,
            time(10, 0),
            "Giveaway: share your tea moment",
            ["x", "bluesky", "weibo"],
            TargetStatus.SCHEDULED,
        ),
    ]
    for offset, at, text, platforms, status in plan:
        when = datetime.combine(day + timedelta(days=offset), at, tzinfo=tz)
        post = PostFactory(
            workspace=workspace, title=text, scheduled_at=when, status=status, campaign=campaign
        )
        for platform in platforms:
            PostTargetFactory(post=post, account=accounts[platform], text=text, status=status)


def test_write_check_fix_schedule_drag_and_see_history(live_server, page, brand):
    workspace, accounts = brand["workspace"], brand["accounts"]
    tz = workspace.tzinfo
    tomorrow = (timezone.now().astimezone(tz) + timedelta(days=1)).date()
    next_day = tomorrow + timedelta(days=1)
    _neighbours(brand, tomorrow)

    # given: signed in through the real sign-in page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", brand["manager"].email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    expect(page.locator("[data-testid=main-nav]")).to_be_visible()

    # when: writing a post for three accounts on three platforms
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/new/")
    page.locator(f".acct-chip:has(input[value='{accounts['weibo'].pk}'])").click()
    expect(page.locator("[data-testid=count-weibo]")).to_be_visible()
    expect(page.locator("[data-testid=count-x]")).to_be_hidden()  # only chosen accounts count
    for platform in ("x", "bluesky"):
        page.locator(f".acct-chip:has(input[value='{accounts[platform].pk}'])").click()
    page.fill("[data-testid=main-text]", BAD_TEXT)

    # then: each platform's count by its own rule (the same rule as the server's connectors)
    expected = services.text_counts(BAD_TEXT, ["weibo", "x", "bluesky"])
    for platform, count in expected.items():
        expect(page.locator(f"[data-testid=count-{platform}]")).to_have_text(
            f"{count['count']} / {count['limit']}"
        )
    assert len({c["count"] for c in expected.values()}) == 3  # three different rules
    # and the advertising-law finding, with its exact span highlighted in the text
    finding = page.locator("[data-testid=finding][data-rule='adlaw.absolute_claim']")
    expect(finding).to_be_visible()
    expect(finding).to_contain_text("全网第一")
    expect(page.locator("[data-editor=main] mark.hl-blocking")).to_have_text("全网第一")
    # and previews in each platform's manner
    for platform in accounts:
        expect(page.locator(f"[data-testid=preview-{platform}]")).to_contain_text("全网第一的高山乌龙茶")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "composer.png"), full_page=True)

    # when: fixing the text
    page.fill("[data-testid=main-text]", GOOD_TEXT)
    # then: the finding is gone, the counts follow
    expect(page.locator("[data-testid=finding][data-rule='adlaw.absolute_claim']")).to_have_count(0)
    expect(page.locator("[data-editor=main] mark")).to_have_count(0)
    fixed = services.text_counts(GOOD_TEXT, ["x"])["x"]
    expect(page.locator("[data-testid=count-x]")).to_have_text(f"{fixed['count']} / {fixed['limit']}")

    # when: scheduling it for tomorrow 10:00 in the workspace's time zone
    page.fill("input[name=scheduled_date]", tomorrow.isoformat())
    page.fill("input[name=scheduled_time]", "10:00")
    page.click("[data-testid=schedule]")

    # then: the post page, scheduled, for all three accounts
    expect(page.locator("[data-testid=post-status]")).to_have_text("Scheduled")
    expect(page.locator("[data-testid=post-time]")).to_contain_text(f"{tomorrow.isoformat()} 10:00")
    post = Post.objects.get(workspace=workspace, title="")
    assert post.status == TargetStatus.SCHEDULED
    assert set(PostTarget.objects.filter(post=post).values_list("account__platform", flat=True)) == set(
        accounts
    )
    assert post.scheduled_at == datetime.combine(tomorrow, time(10, 0), tzinfo=tz)

    # when: finding it on the calendar
    page.goto(f"{live_server.url}/w/{workspace.pk}/calendar/?date={tomorrow.isoformat()}")
    event = page.locator(f"[data-testid=calendar-post][data-post-id='{post.pk}']")
    expect(event).to_be_visible()
    expect(event).to_contain_text("10:00")
    expect(event.locator(".ev-mark")).to_have_count(3)
    expect(page.locator(f"td.fc-daygrid-day[data-date='{tomorrow.isoformat()}']")).to_contain_text("10:00")

    # and dragging it to the next day
    _drag(
        page,
        event,
        page.locator(f"td.fc-daygrid-day[data-date='{next_day.isoformat()}'] .fc-daygrid-day-frame"),
    )

    # then: the server moved it (workspace time kept), the calendar shows it there
    expect(page.locator("[data-testid=calendar-toast]")).to_contain_text("Moved to")
    expect(
        page.locator(f"td.fc-daygrid-day[data-date='{next_day.isoformat()}'] [data-post-id='{post.pk}']")
    ).to_be_visible()
    post.refresh_from_db()
    assert post.scheduled_at == datetime.combine(next_day, time(10, 0), tzinfo=tz)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "calendar.png"), full_page=True)

    # when: opening the post
    page.locator(f"[data-post-id='{post.pk}']").click()
    # then: the history shows the move, by whom, with the new time
    expect(page.locator("[data-testid=post-time]")).to_contain_text(f"{next_day.isoformat()} 10:00")
    latest = page.locator("[data-testid=history-entry]").first
    expect(latest).to_contain_text("Rescheduled")
    expect(latest).to_contain_text(brand["manager"].email)
    expect(latest.locator("[data-testid=change-after]")).to_have_text(f"{next_day.isoformat()} 10:00")


def _drag(page, source_locator, target_locator):
    """Drag with real mouse moves (FullCalendar starts a drag after a few pixels); the source is scrolled
    to the middle of the window so that both days sit clear of the sticky top bar."""
    source_locator.evaluate("el => el.scrollIntoView({block: 'center'})")
    source = source_locator.bounding_box()
    cell = target_locator.bounding_box()
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(100)
    page.mouse.move(source["x"] + source["width"] / 2 + 10, source["y"] + source["height"] / 2 + 5, steps=5)
    page.mouse.move(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] - 12, steps=20)
    page.mouse.up()


def test_a_refused_drag_shows_the_reason_and_the_post_snaps_back(live_server, page, brand):
    # given: a scheduled post tomorrow; yesterday is in the past
    workspace, manager = brand["workspace"], brand["manager"]
    tz = workspace.tzinfo
    today = timezone.now().astimezone(tz).date()
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    when = datetime.combine(tomorrow, time(10, 0), tzinfo=tz)
    post = services.post_create(
        actor=manager,
        workspace=workspace,
        targets=[{"account": brand["accounts"]["x"].pk, "text": "Tea time"}],
        scheduled_at=when,
    )
    services.post_schedule(actor=manager, post=post)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    expect(page.locator("[data-testid=main-nav]")).to_be_visible()
    page.goto(f"{live_server.url}/w/{workspace.pk}/calendar/?date={tomorrow.isoformat()}")
    event = page.locator(f"[data-testid=calendar-post][data-post-id='{post.pk}']")
    expect(event).to_be_visible()

    # when: dragging it into the past
    _drag(
        page,
        event,
        page.locator(f"td.fc-daygrid-day[data-date='{yesterday.isoformat()}'] .fc-daygrid-day-frame"),
    )

    # then: the reason is shown, the post is back on its day, nothing changed
    expect(page.locator("[data-testid=calendar-toast]")).to_contain_text("Pick a time in the future.")
    expect(
        page.locator(f"td.fc-daygrid-day[data-date='{tomorrow.isoformat()}'] [data-post-id='{post.pk}']")
    ).to_be_visible()
    expect(
        page.locator(f"td.fc-daygrid-day[data-date='{yesterday.isoformat()}'] [data-post-id='{post.pk}']")
    ).to_have_count(0)
    post.refresh_from_db()
    assert post.scheduled_at == when


def test_a_first_comment_for_x_is_counted_checked_previewed_saved_and_shown(live_server, page, brand):
    # given: a workspace that bans "cheap"; signed in as the manager
    workspace, accounts, manager = brand["workspace"], brand["accounts"], brand["manager"]
    BannedWordFactory(workspace=workspace, word="cheap", severity="blocking")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    expect(page.locator("[data-testid=main-nav]")).to_be_visible()

    # when: writing a post for X and Weibo, then opening X's tab
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/new/")
    for platform in ("x", "weibo"):
        page.locator(f".acct-chip:has(input[value='{accounts[platform].pk}'])").click()
    page.fill("[data-testid=main-text]", GOOD_TEXT)
    expect(page.locator("[data-first-comment-hint]")).to_be_visible()
    page.click("[data-testid=variant-tab-weibo]")
    # then: Weibo has no first comment
    expect(page.locator("[data-testid=first-comment-input-weibo]")).to_have_count(0)

    # when: typing a first comment with a banned word on X's tab
    page.click("[data-testid=variant-tab-x]")
    page.fill("[data-testid=first-comment-input-x]", f"So cheap! 冲泡指南 {LINK}")
    # then: the finding names the first comment and its span is marked in the first comment, not the text
    finding = page.locator("[data-testid=finding][data-field=first_comment][data-rule=banned_word]")
    expect(finding).to_contain_text("First comment")
    expect(page.locator(f"[data-editor='fc-{accounts['x'].pk}'] mark.hl-blocking")).to_have_text("cheap")
    expect(page.locator(f"[data-editor='{accounts['x'].pk}'] mark")).to_have_count(0)
    expect(page.locator("[data-testid=variant-tab-x]")).to_have_class(re.compile(r"\bis-blocking\b"))
    # and X still follows the main text: a first comment is not a text variant
    expect(page.locator("[data-testid=variant-tab-x]")).not_to_have_class(re.compile(r"\bis-custom\b"))

    # when: scheduling it anyway
    tomorrow = (timezone.now().astimezone(workspace.tzinfo) + timedelta(days=1)).date()
    page.fill("input[name=scheduled_date]", tomorrow.isoformat())
    page.fill("input[name=scheduled_time]", "10:00")
    page.click("[data-testid=schedule]")
    # then: refused, the reason next to X's first comment, whose tab opens; nothing under the text
    refusal = page.locator("[data-testid=first-comment-error-x]")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("First comment on @")
    expect(refusal).to_contain_text("cheap")
    expect(page.locator("[data-testid=text-error]")).to_have_count(0)
    expect(page.locator("[data-testid=first-comment-input-x]")).to_be_visible()
    assert not Post.objects.filter(workspace=workspace).exists()

    # when: fixing it
    page.fill("[data-testid=first-comment-input-x]", FIRST_COMMENT)
    # then: counted by X's rule (CJK weighs 2, a link 23), shown under X's preview only
    count = services.text_counts(FIRST_COMMENT, ["x"])["x"]
    assert count["count"] != len(FIRST_COMMENT)
    expect(page.locator("[data-testid=first-comment-count-x]")).to_have_text(
        f"{count['count']} / {count['limit']}"
    )
    expect(finding).to_have_count(0)
    expect(page.locator("[data-testid=preview-first-comment-x]")).to_contain_text(FIRST_COMMENT)
    expect(page.locator("[data-testid=preview-first-comment-weibo]")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "composer-first-comment.png"), full_page=True)

    # when: saving the draft
    page.click("[data-testid=save-draft]")

    # then: the post page shows X's first comment under its post, and it is stored on X only
    expect(page.locator("[data-testid=post-status]")).to_have_text("Draft")
    expect(page.locator("[data-testid=preview-first-comment-x]")).to_contain_text(FIRST_COMMENT)
    expect(page.locator("[data-testid=preview-first-comment-weibo]")).to_have_count(0)
    post = Post.objects.get(workspace=workspace, title="")
    stored = {t.account.platform: t.first_comment for t in post.targets.select_related("account")}
    assert stored == {"x": FIRST_COMMENT, "weibo": ""}
    page.screenshot(path=str(SCREENSHOTS / "post-first-comment.png"), full_page=True)

    # and the composer shows it again when editing
    page.click("[data-testid=edit-post]")
    page.click("[data-testid=variant-tab-x]")
    expect(page.locator("[data-testid=first-comment-input-x]")).to_have_value(FIRST_COMMENT)

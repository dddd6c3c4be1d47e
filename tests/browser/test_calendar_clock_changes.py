"""Issue 10, time, in a real browser (America/New_York, the week of the 2027-11-07 fall-back): the week view
shows every hour, opens at working hours and says how many posts are earlier (a post at 02:00 is there
and one click away); the fall-back day's two 01:30s are labelled by their UTC offset; a drag onto a
repeated time asks which one, and the answer is stored. Saves calendar-clock-change.png."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import Post, TargetStatus
from content.tests.factories import PostFactory, PostTargetFactory
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def brand():
    workspace = WorkspaceFactory(name="Hudson Bagels", timezone="America/New_York")
    manager = UserFactory(email="sam.lee@example.com", full_name="Sam Lee")
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    account = SocialAccountFactory(workspace=workspace, platform="mastodon", handle="hudsonbagels")
    return workspace, manager, account


def _post(account, when, title):
    post = PostFactory(workspace=account.workspace, title=title, scheduled_at=when)
    PostTargetFactory(post=post, account=account, text=title, status=TargetStatus.DRAFT)
    return post


def test_the_week_view_shows_the_night_and_marks_the_two_0130s(live_server, page, brand):
    # given: a post at 02:00 on Wednesday, both 01:30s of the fall-back Sunday, and the day's usual posts
    workspace, manager, account = brand
    night = _post(account, datetime(2027, 11, 3, 6, 0, tzinfo=UTC), "Night bake livestream")  # 02:00 EDT
    first = _post(account, datetime(2027, 11, 7, 5, 30, tzinfo=UTC), "Last call before the clocks go back")
    second = _post(account, datetime(2027, 11, 7, 6, 30, tzinfo=UTC), "An extra hour of bagels")
    for day, hour, title in [(1, 14, "Monday menu"), (2, 15, "Everything bagel day"), (4, 16, "Lox recipe")]:
        _post(account, datetime(2027, 11, day, hour, 0, tzinfo=UTC), title)
    signed_in(page, live_server, manager)

    # when: opening the week
    page.goto(f"{live_server.url}/w/{workspace.pk}/calendar/?view=timeGridWeek&date=2027-11-03")
    night_event = page.locator(f"[data-testid=calendar-post][data-post-id='{night.pk}']")
    expect(night_event).to_be_attached()
    # then: it opens at working hours, the night scrolled out of sight but not hidden
    page.locator("#calendar").evaluate("el => el.scrollIntoView({block: 'center'})")
    expect(night_event).not_to_be_in_viewport()

    # then: every hour is there (no hidden night): the grid starts at 00:00, opened at working hours
    expect(page.locator(".fc-timegrid-slot[data-time='00:00:00']").first).to_be_attached()
    expect(page.locator(".fc-timegrid-slot[data-time='02:00:00']").first).to_be_attached()
    # and it says how many posts are earlier, and takes the person there
    early = page.locator("[data-testid=calendar-early]")
    expect(early).to_have_text("↑ 3 posts before 08:00")
    early.click()
    expect(night_event).to_be_in_viewport()
    expect(night_event.locator("[data-testid=event-time]")).to_have_text("02:00")
    # and the two 01:30s of the fall-back day are told apart by their UTC offset
    first_event = page.locator(f"[data-testid=calendar-post][data-post-id='{first.pk}']")
    second_event = page.locator(f"[data-testid=calendar-post][data-post-id='{second.pk}']")
    expect(first_event.locator("[data-testid=event-time]")).to_have_text("01:30 (UTC-4)")
    expect(second_event.locator("[data-testid=event-time]")).to_have_text("01:30 (UTC-5)")
    expect(first_event).to_be_in_viewport()
    expect(second_event).to_be_in_viewport()
    # and the grid scrolls within the page (the night above, the evening below)
    assert page.locator(".fc-scroller-liquid-absolute").first.evaluate("el => el.scrollTop") > 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#calendar").evaluate("el => el.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "calendar-clock-change.png"))


def test_a_drag_onto_a_repeated_time_asks_which_one(live_server, page, brand):
    # given: a post on Saturday at 01:30, the day before the clocks go back
    workspace, manager, account = brand
    post = _post(account, datetime(2027, 11, 6, 5, 30, tzinfo=UTC), "Saturday night special")
    signed_in(page, live_server, manager)
    page.goto(f"{live_server.url}/w/{workspace.pk}/calendar/?date=2027-11-06")
    event = page.locator(f"[data-testid=calendar-post][data-post-id='{post.pk}']")
    expect(event).to_be_visible()

    # when: dragging it to Sunday, where 01:30 happens twice
    target = page.locator("td.fc-daygrid-day[data-date='2027-11-07'] .fc-daygrid-day-frame")
    event.evaluate("el => el.scrollIntoView({block: 'center'})")
    source, cell = event.bounding_box(), target.bounding_box()
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(100)
    page.mouse.move(source["x"] + source["width"] / 2 + 10, source["y"] + source["height"] / 2 + 5, steps=5)
    page.mouse.move(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] - 12, steps=20)
    page.mouse.up()

    # then: the calendar asks which 01:30, each with its offset
    toast = page.locator("[data-testid=calendar-toast]")
    expect(toast).to_contain_text("01:30 happens twice on 2027-11-07")
    expect(toast.locator("[data-choice=first]")).to_contain_text("01:30 (UTC-4)")
    expect(toast.locator("[data-choice=second]")).to_contain_text("01:30 (UTC-5)")
    page.wait_for_timeout(200)
    page.screenshot(path=str(SCREENSHOTS / "calendar-clock-change-choice.png"))
    # when: choosing the second
    toast.locator("[data-choice=second]").click()
    # then: moved there, said so, and labelled by its offset on the calendar
    expect(toast).to_contain_text("Moved to 2027-11-07 01:30 (UTC-5)")
    expect(event.locator("[data-testid=event-time]")).to_have_text("01:30 (UTC-5)")
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)


def test_the_composer_asks_which_0130_and_keeps_it_on_a_text_only_save(live_server, page, brand):
    workspace, manager, account = brand
    signed_in(page, live_server, manager)
    # given: a new post for the fall-back day at 01:30
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/new/")
    page.locator(f".acct-chip:has(input[value='{account.pk}'])").click()
    page.fill("[data-testid=main-text]", "An extra hour of bagels")
    page.fill("input[name=scheduled_date]", "2027-11-07")
    page.fill("input[name=scheduled_time]", "01:30")
    page.click("[data-testid=save-draft]")
    # then: refused next to the time, with the two 01:30s to choose from
    expect(page.locator("#id_scheduled_time_error")).to_contain_text("01:30 happens twice on 2027-11-07")
    choice = page.locator("[data-testid=time-choice]")
    expect(choice).to_contain_text("The first 01:30 (UTC-4)")
    expect(choice).to_contain_text("The second 01:30 (UTC-5)")
    page.locator("[data-testid=time-choice]").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "composer-clock-change.png"))
    # when: choosing the second and saving
    choice.locator("input[value=second]").check()
    page.click("[data-testid=save-draft]")
    # then: saved at the second 01:30, and the post page says which
    expect(page.locator("[data-testid=post-time]")).to_contain_text("2027-11-07 01:30 (UTC-5)")
    post = Post.objects.get(workspace=workspace)
    assert post.scheduled_at == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    # when: editing only the text
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/{post.pk}/edit/")
    page.fill("[data-testid=main-text]", "An extra hour of bagels, and coffee")
    page.click("[data-testid=save-draft]")
    # then: the time stayed the second 01:30
    expect(page.locator("[data-testid=post-time]")).to_contain_text("2027-11-07 01:30 (UTC-5)")
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)

"""The calendar pages: render, events in the workspace's wall-clock time, filters, drag to reschedule
(and its refusals), the cross-workspace calendar, tenancy."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import Post, PostTarget, PostVersion, TargetStatus
from content.tests.factories import CampaignFactory, PostFactory, PostTargetFactory
from content.tests.pages_kit import member_user, signed_in_client

pytestmark = pytest.mark.django_db


def _draft(workspace, actor, *, when, text="Hello https://example.com/tea", account=None):
    account = account or SocialAccountFactory(workspace=workspace, platform="weibo")
    return services.post_create(
        actor=actor, workspace=workspace, targets=[{"account": account.pk, "text": text}], scheduled_at=when
    )


def _tomorrow_at(workspace, hour):
    local = timezone.now().astimezone(workspace.tzinfo) + timedelta(days=1)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def test_calendar_page_renders_with_filters_and_the_new_post_button():
    # given
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    user = member_user(workspace, Role.EDITOR)
    SocialAccountFactory(workspace=workspace, platform="weibo", handle="tea_cn")
    CampaignFactory(workspace=workspace, name="Spring launch")
    # when
    response = signed_in_client(user).get(reverse("dashboard:calendar", args=[workspace.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="calendar"' in html
    assert "@tea_cn" in html and "Spring launch" in html
    assert reverse("content:composer_new", args=[workspace.pk]) in html
    assert "Asia/Shanghai" in html


def test_events_are_in_the_workspace_wall_clock_with_platforms_and_status():
    # given: a post at 10:00 Shanghai time (02:00 UTC)
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    user = member_user(workspace)
    when = _tomorrow_at(workspace, 10)
    post = _draft(workspace, user, when=when, text="新品上市 https://example.com")
    day = when.date()
    # when
    response = signed_in_client(user).get(
        reverse("content:calendar_events", args=[workspace.pk]),
        {"start": f"{day}T00:00:00Z", "end": f"{day + timedelta(days=1)}T00:00:00Z"},
    )
    # then
    events = response.json()
    assert [e["id"] for e in events] == [str(post.pk)]
    assert events[0]["start"] == f"{day}T10:00:00"
    assert events[0]["extendedProps"]["platforms"][0]["platform"] == "weibo"
    assert events[0]["extendedProps"]["status"] == TargetStatus.DRAFT
    assert events[0]["editable"] is True


def test_events_filter_by_platform_and_campaign():
    # given
    workspace = WorkspaceFactory()
    user = member_user(workspace)
    when = _tomorrow_at(workspace, 9)
    weibo = _draft(
        workspace, user, when=when, account=SocialAccountFactory(workspace=workspace, platform="weibo")
    )
    x_post = _draft(
        workspace, user, when=when, account=SocialAccountFactory(workspace=workspace, platform="x")
    )
    campaign = CampaignFactory(workspace=workspace)
    Post.objects.filter(pk=x_post.pk).update(campaign=campaign)
    url = reverse("content:calendar_events", args=[workspace.pk])
    day = when.date()
    window = {"start": f"{day}T00:00:00", "end": f"{day + timedelta(days=1)}T00:00:00"}
    client = signed_in_client(user)
    # when
    by_platform = client.get(url, {**window, "platform": "weibo"}).json()
    by_campaign = client.get(url, {**window, "campaign": campaign.pk}).json()
    # then
    assert [e["id"] for e in by_platform] == [str(weibo.pk)]
    assert [e["id"] for e in by_campaign] == [str(x_post.pk)]


def test_drag_moves_the_post_to_the_next_day_and_records_a_version():
    # given
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    user = member_user(workspace)
    when = _tomorrow_at(workspace, 10)
    post = _draft(workspace, user, when=when)
    services.post_schedule(actor=user, post=post)
    post.refresh_from_db()
    target = (when + timedelta(days=1)).replace(tzinfo=None)
    # when
    response = signed_in_client(user).post(
        reverse("content:post_move", args=[workspace.pk, post.pk]),
        {"start": target.isoformat(), "version": post.version},
    )
    # then
    assert response.status_code == 200, response.content
    post.refresh_from_db()
    assert post.scheduled_at == when + timedelta(days=1)
    assert response.json()["start"] == target.isoformat()
    assert PostVersion.objects.filter(post=post, change_summary="Rescheduled").exists()


def test_drag_of_a_published_post_is_refused_with_the_reason():
    # given
    workspace = WorkspaceFactory()
    user = member_user(workspace)
    when = _tomorrow_at(workspace, 10)
    post = _draft(workspace, user, when=when)
    PostTarget.objects.filter(post=post).update(status=TargetStatus.PUBLISHED)
    # when
    response = signed_in_client(user).post(
        reverse("content:post_move", args=[workspace.pk, post.pk]),
        {"start": (when + timedelta(days=1)).replace(tzinfo=None).isoformat()},
    )
    # then
    assert response.status_code == 409
    assert "can no longer be moved" in response.json()["error"]["message"]
    post.refresh_from_db()
    assert post.scheduled_at == when


def test_editor_cannot_drag_a_scheduled_post_and_is_told_why():
    # given: a manager scheduled it; an editor may move drafts only
    workspace = WorkspaceFactory()
    manager = member_user(workspace, Role.MANAGER)
    editor = member_user(workspace, Role.EDITOR)
    when = _tomorrow_at(workspace, 10)
    post = _draft(workspace, manager, when=when)
    services.post_schedule(actor=manager, post=post)
    # when
    response = signed_in_client(editor).post(
        reverse("content:post_move", args=[workspace.pk, post.pk]),
        {"start": (when + timedelta(days=2)).replace(tzinfo=None).isoformat()},
    )
    # then
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Your role does not allow moving a scheduled post."
    post.refresh_from_db()
    assert post.scheduled_at == when


def test_viewer_cannot_drag_at_all():
    # given
    workspace = WorkspaceFactory()
    post = PostTargetFactory(post__workspace=workspace).post
    viewer = member_user(workspace, Role.VIEWER)
    # when
    response = signed_in_client(viewer).post(
        reverse("content:post_move", args=[workspace.pk, post.pk]), {"start": "2030-01-01T10:00:00"}
    )
    # then
    assert response.status_code == 403


def test_another_workspace_calendar_and_post_are_404():
    # given
    mine, theirs = WorkspaceFactory(), WorkspaceFactory()
    user = member_user(mine)
    their_post = PostTargetFactory(post__workspace=theirs).post
    client = signed_in_client(user)
    # when / then
    assert client.get(reverse("dashboard:calendar", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("content:calendar_events", args=[theirs.pk])).status_code == 404
    # their post through my own workspace's URL
    moved = client.post(
        reverse("content:post_move", args=[mine.pk, their_post.pk]), {"start": "2030-01-01T10:00:00"}
    )
    assert moved.status_code == 404
    assert client.get(reverse("content:post_detail", args=[mine.pk, their_post.pk])).status_code == 404


def test_all_workspaces_calendar_shows_every_workspace_the_person_serves_and_no_other():
    # given
    first, second, foreign = WorkspaceFactory(name="Tea"), WorkspaceFactory(name="Coffee"), WorkspaceFactory()
    user = member_user(first)
    WorkspaceMemberFactory(workspace=second, user=user, role=Role.VIEWER)
    when = _tomorrow_at(first, 12)
    mine_a = PostTargetFactory(post__workspace=first, post__scheduled_at=when).post
    mine_b = PostTargetFactory(post__workspace=second, post__scheduled_at=when).post
    PostTargetFactory(post__workspace=foreign, post__scheduled_at=when)
    day = when.date()
    client = signed_in_client(user)
    # when
    page = client.get(reverse("content:calendar_all"))
    events = client.get(
        reverse("content:calendar_all_events"),
        {"start": f"{day}T00:00:00", "end": f"{day + timedelta(days=1)}T00:00:00"},
    ).json()
    # then
    assert page.status_code == 200
    assert {e["id"] for e in events} == {str(mine_a.pk), str(mine_b.pk)}
    labels = {e["id"]: (e["extendedProps"]["workspace"], e["editable"]) for e in events}
    assert labels[str(mine_a.pk)] == ("Tea", True)
    assert labels[str(mine_b.pk)] == ("Coffee", False)  # a viewer there


def test_events_range_is_bounded():
    # given: a post three months after the asked start
    workspace = WorkspaceFactory()
    user = member_user(workspace)
    far = datetime(2031, 6, 15, 10, tzinfo=workspace.tzinfo)
    PostTargetFactory(post__workspace=workspace, post__scheduled_at=far)
    # when: asking for a whole year
    events = (
        signed_in_client(user)
        .get(
            reverse("content:calendar_events", args=[workspace.pk]),
            {"start": "2031-03-01T00:00:00", "end": "2032-03-01T00:00:00"},
        )
        .json()
    )
    # then
    assert events == []


def test_events_cost_the_same_queries_for_1_and_20_posts():
    # given
    workspace = WorkspaceFactory()
    user = member_user(workspace)
    when = _tomorrow_at(workspace, 10)
    account = SocialAccountFactory(workspace=workspace, platform="x")
    PostTargetFactory(post__workspace=workspace, post__scheduled_at=when, account=account)
    client = signed_in_client(user)
    url = reverse("content:calendar_events", args=[workspace.pk])
    window = {"start": f"{when.date()}T00:00:00", "end": f"{when.date() + timedelta(days=1)}T00:00:00"}
    client.get(url, window)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url, window).json()) == 1
    for minute in range(19):
        post = PostTargetFactory(
            post__workspace=workspace, post__scheduled_at=when + timedelta(minutes=minute), account=account
        ).post
        PostTargetFactory(post=post, account=SocialAccountFactory(workspace=workspace, platform="bluesky"))
    # when
    with CaptureQueriesContext(connection) as twenty:
        events = client.get(url, window).json()
    # then
    assert len(events) == 20
    assert len(twenty) == len(one)


def test_calendar_and_composer_speak_chinese():
    # given
    workspace = WorkspaceFactory()
    user = member_user(workspace)
    SocialAccountFactory(workspace=workspace, platform="weibo")
    client = signed_in_client(user)
    client.cookies["django_language"] = "zh-hans"
    # when
    calendar = client.get(reverse("dashboard:calendar", args=[workspace.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    composer = client.get(
        reverse("content:composer_new", args=[workspace.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    # then
    assert "未排期的草稿" in calendar.content.decode()
    assert "zh-cn.global.min.js" in calendar.content.decode()
    assert "保存为草稿" in composer.content.decode()


def test_events_mark_what_the_person_may_drag():
    # given: a scheduled post and a draft; an editor (no post.schedule) and a manager
    workspace = WorkspaceFactory()
    manager, editor = member_user(workspace, Role.MANAGER), member_user(workspace, Role.EDITOR)
    when = _tomorrow_at(workspace, 10)
    scheduled = _draft(workspace, manager, when=when)
    services.post_schedule(actor=manager, post=scheduled)
    draft = _draft(workspace, manager, when=when + timedelta(hours=1))
    url = reverse("content:calendar_events", args=[workspace.pk])
    window = {"start": f"{when.date()}T00:00:00", "end": f"{when.date() + timedelta(days=1)}T00:00:00"}
    # when
    as_editor = {e["id"]: e["editable"] for e in signed_in_client(editor).get(url, window).json()}
    as_manager = {e["id"]: e["editable"] for e in signed_in_client(manager).get(url, window).json()}
    # then
    assert as_editor == {str(scheduled.pk): False, str(draft.pk): True}
    assert as_manager == {str(scheduled.pk): True, str(draft.pk): True}


def test_events_link_their_post_and_speak_the_persons_language():
    # given: an untitled post without text, in a campaign, on two platforms
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    user = member_user(workspace)
    when = _tomorrow_at(workspace, 10)
    campaign = CampaignFactory(workspace=workspace, color="#123456")
    post = PostFactory(workspace=workspace, title="", scheduled_at=when, campaign=campaign)
    for platform in ("weibo", "x"):
        account = SocialAccountFactory(workspace=workspace, platform=platform, handle=f"tea_{platform}")
        PostTargetFactory(post=post, account=account, text="")
    client = signed_in_client(user)
    client.cookies["django_language"] = "zh-hans"
    day = when.date()
    window = {"start": f"{day}T00:00:00", "end": f"{day + timedelta(days=1)}T00:00:00"}
    # when: the workspace's calendar and the one across workspaces
    one = client.get(reverse("content:calendar_events", args=[workspace.pk]), window).json()
    every = client.get(reverse("content:calendar_all_events"), window).json()
    # then
    for events, workspace_label in ((one, ""), (every, workspace.name)):
        [event] = events
        assert event["url"] == reverse("content:post_detail", args=[workspace.pk, post.pk])
        assert event["extendedProps"]["moveUrl"] == reverse("content:post_move", args=[workspace.pk, post.pk])
        assert event["title"] == "（无文本）"
        assert event["extendedProps"]["statusLabel"] == "草稿"
        assert [(p["label"], p["handle"]) for p in event["extendedProps"]["platforms"]] == [
            ("微博", "tea_weibo"),
            ("X", "tea_x"),
        ]
        assert (event["extendedProps"]["campaign"], event["extendedProps"]["campaignColor"]) == (
            campaign.name,
            "#123456",
        )
        assert event["extendedProps"]["workspace"] == workspace_label
        assert event["start"] == f"{day}T10:00:00"

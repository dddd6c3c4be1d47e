"""The workspace home is "my work": per person and role, blocks of what they have to do (my drafts,
waiting for me, sent back to me, due today in the workspace's zone, failed and unknown-outcome posts,
accounts to reconnect), each with links, a count and an empty state; blocks a role cannot act on are
hidden. One query per block: the page costs the same for 1 item per block as for 20."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import selectors as approval_selectors
from approvals import services as approval_services
from approvals.tests.factories import workflow_with
from channels_app.models import SocialAccount
from channels_app.selectors import social_accounts_needing_reconnection
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from content.selectors import posts_scheduled_between, targets_with_status
from content.tests.factories import PostFactory, PostTargetFactory
from dashboard.selectors import workspace_today

pytestmark = pytest.mark.django_db
ALL_BLOCKS = {"drafts", "waiting", "sent_back", "due_today", "failed", "unknown", "accounts"}


class Team:
    def __init__(self, timezone_name="Asia/Shanghai"):
        self.ws = WorkspaceFactory(timezone=timezone_name)
        self.admin = WorkspaceMemberFactory(workspace=self.ws, role=Role.ADMIN).user
        self.manager = WorkspaceMemberFactory(workspace=self.ws, role=Role.MANAGER).user
        self.editor = WorkspaceMemberFactory(workspace=self.ws, role=Role.EDITOR).user
        self.viewer = WorkspaceMemberFactory(workspace=self.ws, role=Role.VIEWER).user
        self.account = SocialAccountFactory(workspace=self.ws, platform="mastodon", handle="cafe")
        workflow_with(self.admin, self.ws, [{"name": "Manager", "approver_roles": [Role.MANAGER]}])

    def post(self, title, **kwargs):
        return content_services.post_create(
            actor=self.editor,
            workspace=self.ws,
            title=title,
            targets=[{"account": self.account.pk, "text": f"{title} text"}],
            scheduled_at=kwargs.pop("scheduled_at", timezone.now() + timedelta(days=3)),
            **kwargs,
        )

    def fill(self, count, start=0):
        """`count` more items in every block."""
        begin, end = workspace_today(self.ws)
        for n in range(start, start + count):
            self.post(f"Draft {n}")
            approval_services.approval_request_submit(actor=self.editor, post=self.post(f"Waiting {n}"))
            back = approval_services.approval_request_submit(actor=self.editor, post=self.post(f"Back {n}"))
            approval_services.approval_decide(
                actor=self.manager, request=back, decision="request_changes", comment=f"Fix {n}"
            )
            PostFactory(workspace=self.ws, title=f"Today {n}", scheduled_at=begin + (end - begin) / 2)
            PostTargetFactory(post=PostFactory(workspace=self.ws, title=f"Failed {n}"), status="failed")
            PostTargetFactory(post=PostFactory(workspace=self.ws, title=f"Unknown {n}"), status="unknown")
            SocialAccountFactory(workspace=self.ws, status=SocialAccount.Status.EXPIRED, handle=f"old_{n}")


def home(user, ws):
    client = Client()
    client.force_login(user)
    return client.get(reverse("dashboard:workspace_home", args=[ws.pk]))


def blocks(response) -> dict:
    return {block.key: block for block in response.context["blocks"]}


def test_each_role_sees_the_blocks_it_can_act_on():
    # given
    team = Team()
    team.fill(1)
    # when
    as_editor, as_manager, as_viewer = (home(u, team.ws) for u in (team.editor, team.manager, team.viewer))
    # then
    assert set(blocks(as_editor)) == {"drafts", "sent_back", "due_today"}
    assert set(blocks(as_manager)) == ALL_BLOCKS
    assert set(blocks(as_viewer)) == {"due_today"}
    html = as_viewer.content.decode()
    assert 'data-testid="work-failed"' not in html and 'data-testid="work-drafts"' not in html


def test_the_blocks_list_my_items_with_links_counts_and_times_in_the_workspace_zone():
    # given
    team = Team()
    team.fill(1)
    # when
    response = home(team.editor, team.ws)
    mine = blocks(response)
    # then
    assert response.status_code == 200
    assert [i.title for i in mine["drafts"].shown] == ["Draft 0"]
    assert [i.title for i in mine["sent_back"].shown] == ["Back 0"]
    assert mine["sent_back"].shown[0].note == "Fix 0"
    assert mine["drafts"].shown[0].accounts == ["@cafe"]
    html = response.content.decode()
    back = mine["sent_back"].shown[0]
    assert back.url in html and 'data-count="1"' in html
    # a time shown in Shanghai (UTC+8)
    draft = mine["drafts"].shown[0]
    shanghai = timezone.localtime(draft.at, ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert shanghai in html
    # the manager's review queue
    waiting = blocks(home(team.manager, team.ws))["waiting"]
    assert [i.title for i in waiting.shown] == ["Waiting 0"] and waiting.shown[0].note == "Manager"


def test_empty_blocks_say_so():
    team = Team()
    response = home(team.manager, team.ws)
    html = response.content.decode()
    assert html.count('data-testid="work-empty"') == len(ALL_BLOCKS)
    assert "Nothing is waiting for your review." in html
    assert "Every account is connected." in html


def test_due_today_is_today_in_the_workspace_zone():
    # given: 00:30 on 3 December in Shanghai is 16:30 on 2 December in UTC
    team = Team("Asia/Shanghai")
    zone = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime(2026, 12, 3, 1, 0, tzinfo=zone), tick=False):
        PostFactory(
            workspace=team.ws, title="Late yesterday", scheduled_at=datetime(2026, 12, 2, 23, 30, tzinfo=zone)
        )
        PostFactory(
            workspace=team.ws,
            title="Just after midnight",
            scheduled_at=datetime(2026, 12, 3, 0, 30, tzinfo=zone),
        )
        PostFactory(
            workspace=team.ws, title="Tonight", scheduled_at=datetime(2026, 12, 3, 23, 50, tzinfo=zone)
        )
        PostFactory(
            workspace=team.ws, title="Tomorrow", scheduled_at=datetime(2026, 12, 4, 0, 10, tzinfo=zone)
        )
        # when
        due = blocks(home(team.viewer, team.ws))["due_today"]
    # then
    assert [i.title for i in due.shown] == ["Just after midnight", "Tonight"]


def test_another_workspaces_work_is_not_listed():
    team, other = Team(), Team()
    other.fill(1)
    mine = blocks(home(team.manager, team.ws))
    assert all(block.count == 0 for block in mine.values())


def test_an_expiring_account_is_listed_and_a_healthy_one_is_not():
    team = Team()
    SocialAccountFactory(
        workspace=team.ws,
        handle="soon",
        has_refresh_token=False,
        token_expires_at=timezone.now() + timedelta(days=2),
    )
    SocialAccountFactory(
        workspace=team.ws, handle="later", token_expires_at=timezone.now() + timedelta(days=60)
    )
    accounts = blocks(home(team.manager, team.ws))["accounts"]
    assert [i.title for i in accounts.shown] == ["@soon"]
    soon = SocialAccount.objects.get(workspace=team.ws, handle="soon")
    assert accounts.shown[0].url == reverse("channels:account_edit", args=[team.ws.pk, soon.pk])


# --- queries -------------------------------------------------------------------------------------------


def page_queries(user, ws) -> int:
    home(user, ws)  # warm up (session, content types)
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:workspace_home", args=[ws.pk]))
    assert response.status_code == 200
    return len(captured)


def test_the_page_costs_the_same_for_1_and_for_20_items_per_block():
    # given
    team = Team()
    team.fill(1)
    one = page_queries(team.manager, team.ws)
    editor_one = page_queries(team.editor, team.ws)
    # when
    team.fill(19, start=1)
    twenty = page_queries(team.manager, team.ws)
    # then
    assert blocks(home(team.manager, team.ws))["failed"].more  # 20 > the 10 shown
    assert twenty == one
    assert page_queries(team.editor, team.ws) == editor_one


def test_each_block_is_one_query(django_assert_num_queries):
    team = Team()
    team.fill(2)
    access = home(team.manager, team.ws).wsgi_request.workspace_access
    begin, end = workspace_today(team.ws)
    with django_assert_num_queries(1):
        approval_selectors.drafts_not_submitted(user=team.editor, workspace=team.ws, with_targets=False)
    with django_assert_num_queries(1):
        list(
            approval_selectors.requests_waiting_for(user=team.manager, accesses=[access], with_targets=False)
        )
    with django_assert_num_queries(1):
        approval_selectors.requests_sent_back_to(user=team.editor, workspace=team.ws)
    with django_assert_num_queries(1):
        posts_scheduled_between(team.ws, start=begin, end=end)
    with django_assert_num_queries(1):
        targets_with_status(team.ws, statuses=["failed"])
    with django_assert_num_queries(1):
        social_accounts_needing_reconnection(team.ws)

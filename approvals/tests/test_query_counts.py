"""Every approvals list endpoint costs the same number of SQL queries for 1 row as for 20."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from approvals import links, services
from approvals.tests.factories import NotificationFactory, workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services

pytestmark = pytest.mark.django_db


class World:
    def __init__(self):
        member = WorkspaceMemberFactory(role=Role.ADMIN)
        self.admin, self.ws = member.user, member.workspace
        self.reviewer = WorkspaceMemberFactory(workspace=self.ws, role=Role.REVIEWER).user
        self.account = SocialAccountFactory(workspace=self.ws, platform="weibo")
        self.workflow = workflow_with(
            self.admin, self.ws, [{"name": "Review", "approver_users": [self.reviewer.pk]}], name="Main"
        )
        self.post = self.new_post("The post")

    def new_post(self, text):
        return content_services.post_create(
            actor=self.admin, workspace=self.ws, targets=[{"account": self.account.pk, "text": text}]
        )

    def submit(self, n):
        return services.approval_request_submit(actor=self.admin, post=self.new_post(f"Post {n}"))


def _requests(world, n):
    world.submit(n)


def _workflows(world, n):
    workflow_with(
        world.admin,
        world.ws,
        [{"name": "S", "approver_users": [world.reviewer.pk]}],
        name=f"Flow {n}",
        apply_to_all=False,
    )


def _comments(world, n):
    target = world.post.targets.get()
    services.comment_create(
        actor=world.admin,
        post=world.post,
        body=f"@{world.reviewer.email} note {n}",
        target=target,
        anchor_start=0,
        anchor_end=3,
    )


def _links(world, n):
    request = world.submit(n)
    links.review_link_create(
        actor=world.admin, workspace=world.ws, email=f"hq{n}@example.org", request=request
    )


def _notifications(world, n):
    NotificationFactory(recipient=world.admin, workspace=world.ws, post=world.post)


def _timeline(world, n):
    _comments(world, n)


CASES = {
    "requests": (lambda w: f"/api/v1/workspaces/{w.ws.pk}/approval-requests/", _requests),
    "workflows": (lambda w: f"/api/v1/workspaces/{w.ws.pk}/approval-workflows/", _workflows),
    "comments": (lambda w: f"/api/v1/workspaces/{w.ws.pk}/posts/{w.post.pk}/review-comments/", _comments),
    "links": (lambda w: f"/api/v1/workspaces/{w.ws.pk}/review-links/", _links),
    "notifications": (lambda w: "/api/v1/notifications/", _notifications),
    "timeline": (lambda w: f"/api/v1/workspaces/{w.ws.pk}/posts/{w.post.pk}/timeline/", _timeline),
}


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("case", list(CASES))
def test_list_costs_the_same_for_1_and_20_rows(case):
    # given one row
    world = World()
    url_for, add = CASES[case]
    add(world, 0)
    client = APIClient()
    client.force_authenticate(world.admin)
    url = url_for(world)
    client.get(url)  # warm up
    one = _count(client, url)
    # when 19 more are added
    for n in range(1, 20):
        add(world, n)
    twenty = _count(client, url)
    # then
    assert twenty == one, (case, one, twenty)

"""Bulk assign (and close) from the queue page and the API: each item audited, the assignee told once per
item, an editor may close but not assign."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from approvals.models import InboxNotificationKind, Notification
from core.models import AuditEvent
from inbox.models import InboxItem

from .factories import InboxItemFactory

pytestmark = pytest.mark.django_db


def _items(workspace, n):
    first = InboxItemFactory(conversation__account__workspace=workspace)
    return [first] + [InboxItemFactory(conversation=first.conversation) for _ in range(n - 1)]


def test_the_queue_assigns_and_closes_ticked_items(workspace):
    one, two, three = _items(workspace, 3)
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Lin Yi").user
    client = Client()
    client.force_login(manager)
    url = f"/w/{workspace.pk}/inbox/"
    assert 'data-testid="inbox-bulk-assignee"' in client.get(url).content.decode()
    # when
    response = client.post(url, {"action": "assign", "items": [one.pk, two.pk], "assignee": agent.pk})
    # then
    assert response.status_code == 302
    assert set(InboxItem.objects.filter(assignee=agent).values_list("pk", flat=True)) == {one.pk, two.pk}
    assert AuditEvent.objects.filter(action="inbox.item_assign").count() == 2
    assert (
        Notification.objects.filter(recipient=agent, kind=InboxNotificationKind.INBOX_ASSIGNED).count() == 2
    )
    # when: closed in bulk
    client.post(url, {"action": "close", "items": [one.pk, three.pk]})
    # then
    assert set(InboxItem.objects.filter(status="closed").values_list("pk", flat=True)) == {one.pk, three.pk}


def test_an_editor_closes_in_bulk_but_cannot_assign(workspace):
    one, two = _items(workspace, 2)
    editor = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    client = Client()
    client.force_login(editor)
    url = f"/w/{workspace.pk}/inbox/"
    assert 'data-testid="inbox-bulk-assignee"' not in client.get(url).content.decode()
    assert client.post(url, {"action": "assign", "items": [one.pk], "assignee": editor.pk}).status_code == 403
    assert not InboxItem.objects.filter(assignee__isnull=False).exists()


def test_the_api_assigns_many_and_refuses_someone_who_cannot_work_the_inbox(workspace):
    one, two = _items(workspace, 2)
    other = InboxItemFactory()  # another workspace's: naming it refuses the whole request
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    viewer = WorkspaceMemberFactory(workspace=workspace, role=Role.VIEWER).user
    client = APIClient()
    client.force_authenticate(manager)
    url = f"/api/v1/workspaces/{workspace.pk}/inbox/items/bulk-assign/"
    # when
    foreign = client.post(url, {"items": [one.pk, two.pk, other.pk], "assignee": agent.pk}, format="json")
    ok = client.post(url, {"items": [one.pk, two.pk], "assignee": agent.pk}, format="json")
    refused = client.post(url, {"items": [one.pk], "assignee": viewer.pk}, format="json")
    # then
    assert foreign.status_code == 400 and "items" in foreign.json()["error"]["fields"]
    assert ok.json() == {"assigned": 2}
    assert refused.status_code == 400 and "assignee" in refused.json()["error"]["fields"]
    other.refresh_from_db()
    assert other.assignee is None


def test_the_wechat_push_key_api_makes_rotates_and_shows_the_aes_key_once(workspace):
    from channels_app.tests.factories import SocialAccountFactory

    account = SocialAccountFactory(workspace=workspace, platform="wechat_oa")
    weibo = SocialAccountFactory(workspace=workspace, platform="weibo")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    editor = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    client = APIClient()
    client.force_authenticate(manager)
    url = f"/api/v1/workspaces/{workspace.pk}/inbox/accounts/{account.pk}/wechat-push/"
    # when
    empty = client.get(url).json()
    made = client.post(url).json()
    shown = client.get(url).json()
    rotated = client.post(url).json()
    # then
    assert empty["url"] == "" and empty["wechat_token"] == ""
    assert len(made["encoding_aes_key"]) == 43 and "/hooks/inbox/wechat/" in made["url"]
    assert (
        shown["url"] == made["url"]
        and shown["wechat_token"] == made["wechat_token"]
        and "encoding_aes_key" not in shown
    )
    assert rotated["url"] != made["url"] and rotated["encoding_aes_key"] != made["encoding_aes_key"]
    assert AuditEvent.objects.filter(action="inbox.push_key_create").count() == 2
    other = f"/api/v1/workspaces/{workspace.pk}/inbox/accounts/{weibo.pk}/wechat-push/"
    assert client.get(other).json()["available"] is False
    refused = client.post(other)
    assert refused.status_code == 400 and "account" in refused.json()["error"]["fields"]
    editor_client = APIClient()
    editor_client.force_authenticate(editor)
    assert editor_client.post(url).status_code == 403

import pytest
from django.test import Client

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from inbox.models import InboxItem

from .factories import InboxItemFactory

pytestmark = pytest.mark.django_db


def _client(workspace, role):
    member = WorkspaceMemberFactory(workspace=workspace, role=role)
    client = Client()
    client.force_login(member.user)
    return client


def test_the_queue_and_its_live_list_show_open_items(workspace):
    InboxItemFactory(conversation__account__workspace=workspace, text="什么时候到货")
    closed = InboxItemFactory(conversation__account__workspace=workspace, text="已解决", status="closed")
    client = _client(workspace, Role.EDITOR)
    # when
    page = client.get(f"/w/{workspace.pk}/inbox/")
    partial = client.get(f"/w/{workspace.pk}/inbox/items/?status=closed")
    # then
    assert page.status_code == 200 and "什么时候到货" in page.content.decode()
    assert 'hx-trigger="every 5s [' in page.content.decode()
    assert "已解决" in partial.content.decode() and "什么时候到货" not in partial.content.decode()
    assert closed.pk


def test_triage_from_the_item_page_and_a_stale_form_is_refused_next_to_the_field(workspace):
    item = InboxItemFactory(conversation__account__workspace=workspace)
    client = _client(workspace, Role.EDITOR)
    url = f"/w/{workspace.pk}/inbox/items/{item.pk}/"
    form = {"action": "triage", "version": 1, "status": "pending", "priority": "high", "tags": "物流，VIP"}
    # when
    saved = client.post(url, form)
    stale = client.post(url, {**form, "status": "closed"})
    # then
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.priority, item.tags) == ("pending", "high", ["物流", "VIP"])
    assert stale.status_code == 400 and "Someone changed this item" in stale.content.decode()


def test_a_viewer_cannot_open_the_inbox_and_an_editor_cannot_assign(workspace):
    item = InboxItemFactory(conversation__account__workspace=workspace)
    assert _client(workspace, Role.VIEWER).get(f"/w/{workspace.pk}/inbox/").status_code == 403
    response = _client(workspace, Role.EDITOR).post(
        f"/w/{workspace.pk}/inbox/items/{item.pk}/", {"action": "assign", "version": 1, "assignee": ""}
    )
    assert response.status_code == 403
    assert InboxItem.objects.get(pk=item.pk).version == 1


def test_saved_replies_page_adds_for_managers_and_the_item_page_offers_them_filled_in(workspace):
    item = InboxItemFactory(conversation__account__workspace=workspace, fan__display_name="小王")
    manager = _client(workspace, Role.MANAGER)
    # when
    added = manager.post(f"/w/{workspace.pk}/inbox/saved-replies/", {"name": "问候", "body": "{粉丝}您好"})
    refused = _client(workspace, Role.EDITOR).post(
        f"/w/{workspace.pk}/inbox/saved-replies/", {"name": "x", "body": "y"}
    )
    page = manager.get(f"/w/{workspace.pk}/inbox/items/{item.pk}/").content.decode()
    # then
    assert added.status_code == 302 and refused.status_code == 403
    assert 'data-text="小王您好"' in page


def test_a_reply_from_the_item_page_is_queued_and_a_closed_window_shows_its_reason(workspace):
    from datetime import timedelta

    from django.utils import timezone

    item = InboxItemFactory(
        conversation__account__workspace=workspace,
        conversation__account__platform="wechat_oa",
        kind="direct_message",
        sent_at=timezone.now() - timedelta(hours=50),
    )
    response = _client(workspace, Role.EDITOR).post(
        f"/w/{workspace.pk}/inbox/items/{item.pk}/", {"action": "reply", "version": 1, "text": "您好"}
    )
    assert response.status_code == 400 and "48" in response.content.decode()
    assert not item.replies.exists()


def test_bulk_close_from_the_queue_closes_the_ticked_items_of_this_workspace_only(workspace):
    mine = [InboxItemFactory(conversation__account__workspace=workspace) for _ in range(3)]
    foreign = InboxItemFactory()
    client = _client(workspace, Role.EDITOR)
    response = client.post(f"/w/{workspace.pk}/inbox/", {"items": [mine[0].pk, mine[1].pk, foreign.pk]})
    assert response.status_code == 302
    statuses = dict(InboxItem.objects.values_list("pk", "status"))
    assert [statuses[i.pk] for i in mine] == ["closed", "closed", "open"] and statuses[foreign.pk] == "open"
    assert (
        _client(workspace, Role.VIEWER).post(f"/w/{workspace.pk}/inbox/", {"items": [mine[2].pk]}).status_code
        == 403
    )


def test_the_wechat_message_server_page_makes_keys_and_shows_the_aes_key_once(workspace):
    from channels_app.tests.factories import SocialAccountFactory
    from inbox.models import InboxPushKey

    account = SocialAccountFactory(workspace=workspace, platform="wechat_oa")
    weibo = SocialAccountFactory(workspace=workspace, platform="weibo")
    client = _client(workspace, Role.MANAGER)
    url = f"/w/{workspace.pk}/inbox/accounts/{account.pk}/wechat-push/"
    made = client.post(url).content.decode()
    key = InboxPushKey.objects.get(account=account)
    later = client.get(url).content.decode()
    assert (
        f"/hooks/inbox/wechat/{key.url_key}/" in made
        and key.token in made
        and 'data-testid="wechat-push-aes"' in made
    )
    assert key.token in later and 'data-testid="wechat-push-aes"' not in later
    assert client.post(f"/w/{workspace.pk}/inbox/accounts/{weibo.pk}/wechat-push/").status_code == 404
    assert _client(workspace, Role.EDITOR).get(url).status_code == 403

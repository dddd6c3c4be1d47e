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
    assert 'hx-trigger="every 5s"' in page.content.decode()
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

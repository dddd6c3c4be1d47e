"""The queue's filters (status, assignee, account, kind, tag, priority, sentiment) and saved views, each
person's own."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from core.models import AuditEvent
from inbox.models import SavedQueueView

from .factories import InboxItemFactory

pytestmark = pytest.mark.django_db


def test_the_queue_filters_by_account_assignee_tag_priority_and_sentiment(workspace):
    lin = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Lin Yi").user
    wanted = InboxItemFactory(
        conversation__account__workspace=workspace,
        text="要找的那条",
        assignee=lin,
        tags=["物流"],
        priority="high",
        sentiment="negative",
    )
    InboxItemFactory(conversation=wanted.conversation, text="同账号别的", tags=["物流"], priority="high")
    InboxItemFactory(conversation__account__workspace=workspace, text="别的账号", assignee=lin)
    client = Client()
    client.force_login(lin)
    query = {
        "status": "open",
        "account": wanted.account_id,
        "assignee": lin.pk,
        "tag": "物流",
        "priority": "high",
        "sentiment": "negative",
    }
    # when
    page = client.get(f"/w/{workspace.pk}/inbox/items/", query).content.decode()
    unassigned = client.get(
        f"/w/{workspace.pk}/inbox/items/", {"status": "open", "assignee": 0}
    ).content.decode()
    # then
    assert "要找的那条" in page and "同账号别的" not in page and "别的账号" not in page
    assert "同账号别的" in unassigned and "要找的那条" not in unassigned


def test_a_person_saves_a_view_sees_only_their_own_and_deletes_it(workspace):
    lin = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    wang = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    InboxItemFactory(conversation__account__workspace=workspace, text="差评一条", sentiment="negative")
    client = Client()
    client.force_login(lin)
    # when: Lin saves the negative-sentiment filters (unknown keys are dropped)
    response = client.post(
        f"/w/{workspace.pk}/inbox/views/", {"name": "差评", "query": "status=open&sentiment=negative&evil=1"}
    )
    # then
    view = SavedQueueView.objects.get()
    assert view.user == lin and view.query == "status=open&sentiment=negative"
    assert response.status_code == 302 and f"view={view.pk}" in response["Location"]
    queue = client.get(response["Location"]).content.decode()
    assert 'data-testid="inbox-view"' in queue and "差评一条" in queue
    # Wang does not see it, in the page or the API, and cannot delete it
    other = Client()
    other.force_login(wang)
    assert 'data-testid="inbox-view"' not in other.get(f"/w/{workspace.pk}/inbox/").content.decode()
    api = APIClient()
    api.force_authenticate(wang)
    assert api.get(f"/api/v1/workspaces/{workspace.pk}/inbox/views/").json() == []
    assert api.delete(f"/api/v1/workspaces/{workspace.pk}/inbox/views/{view.pk}/").status_code == 404
    assert other.post(f"/w/{workspace.pk}/inbox/views/{view.pk}/delete/").status_code == 404
    # a second view with the same name is refused
    api.force_authenticate(lin)
    again = api.post(f"/api/v1/workspaces/{workspace.pk}/inbox/views/", {"name": "差评"}, format="json")
    assert again.status_code == 400 and "name" in again.json()["error"]["fields"]
    # when: Lin deletes it
    client.post(f"/w/{workspace.pk}/inbox/views/{view.pk}/delete/")
    # then
    assert not SavedQueueView.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"inbox.saved_view_create", "inbox.saved_view_delete"} <= actions

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from inbox.models import InboxItem

from .factories import InboxItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(workspace):
    member = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER)
    client = APIClient()
    client.force_authenticate(member.user)
    client.user = member.user
    return client


def _url(workspace, rest=""):
    return f"/api/v1/workspaces/{workspace.pk}/inbox/{rest}"


def _items(workspace, count, **extra):
    account = SocialAccountFactory(workspace=workspace)
    return [InboxItemFactory(conversation__account=account, **extra) for _ in range(count)]


def test_the_list_filters_by_status_and_sentiment_and_hides_our_replies(workspace, agent_client):
    open_item, closed_item = _items(workspace, 2)
    closed_item.status = "closed"
    closed_item.sentiment = "negative"
    closed_item.save()
    InboxItemFactory(conversation=open_item.conversation, from_us=True, fan=None)
    # when
    everything = agent_client.get(_url(workspace, "items/")).json()["results"]
    closed = agent_client.get(_url(workspace, "items/?status=closed&sentiment=negative")).json()["results"]
    # then
    assert {row["id"] for row in everything} == {open_item.pk, closed_item.pk}
    assert [row["id"] for row in closed] == [closed_item.pk]
    assert agent_client.get(_url(workspace, "items/?status=shut")).status_code == 400


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_costs_the_same_queries_at_1_and_20_items(workspace, agent_client, count):
    _items(workspace, count)
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(_url(workspace, "items/"))
    assert response.status_code == 200 and len(response.json()["results"]) == count
    assert len(queries) <= 6, [q["sql"] for q in queries]


def test_patch_with_a_stale_version_is_a_409_and_changes_nothing(workspace, agent_client):
    (item,) = _items(workspace, 1)
    url = _url(workspace, f"items/{item.pk}/")
    first = agent_client.patch(url, {"version": 1, "priority": "urgent", "tags": ["物流"]}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    # when
    stale = agent_client.patch(url, {"version": 1, "status": "closed"}, format="json")
    # then
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_view"
    assert InboxItem.objects.get(pk=item.pk).status == "open"


def test_detail_shows_the_thread_and_notes_and_assignment_work(workspace, agent_client):
    (item,) = _items(workspace, 1)
    InboxItemFactory(conversation=item.conversation, from_us=True, fan=None, text="您好，明天发货")
    editor = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    # when
    detail = agent_client.get(_url(workspace, f"items/{item.pk}/")).json()
    note = agent_client.post(_url(workspace, f"items/{item.pk}/notes/"), {"body": "VIP"}, format="json")
    assigned = agent_client.post(
        _url(workspace, f"items/{item.pk}/assign/"), {"assignee": editor.pk}, format="json"
    )
    refused = agent_client.post(
        _url(workspace, f"items/{item.pk}/assign/"), {"assignee": 999999}, format="json"
    )
    # then
    assert [entry["from_us"] for entry in detail["thread"]] == [False, True]
    assert note.status_code == 201 and note.json()["body"] == "VIP"
    assert assigned.status_code == 200 and assigned.json()["assignee"]["id"] == editor.pk
    assert refused.status_code == 400 and "assignee" in refused.json()["error"]["fields"]


def test_bulk_close_and_the_fan_profile(workspace, agent_client):
    items = _items(workspace, 3)
    # when
    closed = agent_client.post(
        _url(workspace, "items/close/"), {"items": [i.pk for i in items[:2]]}, format="json"
    )
    fan = agent_client.get(_url(workspace, f"fans/{items[2].fan_id}/")).json()
    # then
    assert closed.json() == {"closed": 2}
    assert fan["items"] == 1 and fan["recent"][0]["id"] == items[2].pk


def test_reply_endpoint_queues_once_and_a_second_reply_on_the_same_view_is_a_409_naming_who(
    workspace, agent_client
):
    item = InboxItemFactory(
        conversation__account=SocialAccountFactory(workspace=workspace, platform="mastodon"), kind="mention"
    )
    url = _url(workspace, f"items/{item.pk}/reply/")
    # when
    first = agent_client.post(url, {"text": "Thanks for asking!", "version": 1}, format="json")
    second = agent_client.post(url, {"text": "Me too", "version": 1}, format="json")
    empty = agent_client.post(url, {"text": "   ", "version": 2}, format="json")
    # then
    assert first.status_code == 201 and first.json()["status"] == "queued"
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_answered"
    assert agent_client.user.get_full_name() in second.json()["error"]["message"]
    assert empty.status_code == 400 and "text" in empty.json()["error"]["fields"]
    detail = agent_client.get(_url(workspace, f"items/{item.pk}/")).json()
    assert [reply["text"] for reply in detail["replies"]] == ["Thanks for asking!"]


def test_saved_replies_list_fills_variables_for_an_item(workspace, agent_client):
    (item,) = _items(workspace, 1)
    created = agent_client.post(
        _url(workspace, "saved-replies/"), {"name": "Hi", "body": "Hi {fan}!"}, format="json"
    )
    taken = agent_client.post(_url(workspace, "saved-replies/"), {"name": "Hi", "body": "x"}, format="json")
    rows = agent_client.get(_url(workspace, f"saved-replies/?item={item.pk}")).json()
    assert created.status_code == 201 and taken.status_code == 400
    assert rows[0]["rendered"] == f"Hi {item.fan.display_name}!"


def test_settings_are_read_by_agents_and_changed_by_admins_with_field_errors(workspace, agent_client):
    from accounts.tests.factories import WorkspaceMemberFactory as Member

    admin = APIClient()
    admin.force_authenticate(Member(workspace=workspace, role=Role.ADMIN).user)
    url = _url(workspace, "settings/")
    assert agent_client.get(url).json()["first_response_minutes"] == 60
    assert agent_client.patch(url, {"first_response_minutes": 30}, format="json").status_code == 403
    bad = admin.patch(url, {"opens_at": "18:00", "closes_at": "09:00"}, format="json")
    good = admin.patch(
        url, {"business_days": [0, 1, 2, 3, 4, 5], "first_response_minutes": 30}, format="json"
    )
    assert bad.status_code == 400 and "closes_at" in bad.json()["error"]["fields"]
    assert good.status_code == 200 and good.json()["business_days"] == [0, 1, 2, 3, 4, 5]


def test_the_queue_shows_the_first_response_timer_and_all_my_workspaces(workspace):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from accounts.tests.factories import WorkspaceFactory
    from inbox.models import InboxSettings

    InboxSettings.objects.create(
        workspace=workspace, business_days=list(range(7)), opens_at="00:00", closes_at="23:59"
    )
    member = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR)
    other = WorkspaceFactory(name="Second brand")
    WorkspaceMemberFactory(workspace=other, user=member.user, role=Role.EDITOR)
    InboxItemFactory(conversation__account__workspace=workspace, sent_at=timezone.now() - timedelta(hours=3))
    InboxItemFactory(conversation__account__workspace=other, text="来自第二个品牌")
    client = Client()
    client.force_login(member.user)
    # when
    here = client.get(f"/w/{workspace.pk}/inbox/").content.decode()
    everywhere = client.get(f"/w/{workspace.pk}/inbox/?scope=all&status=open").content.decode()
    # then
    assert "First response overdue since" in here and "来自第二个品牌" not in here
    assert "来自第二个品牌" in everywhere and "Second brand" in everywhere

"""Who is on an item now: the item page's poll announces its person (viewing, or replying while they
write), others see it on the item and in the queue row, and it drops out by itself after the TTL."""

import pytest
from django.test import Client

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from inbox import presence

from .factories import InboxItemFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_people_on_an_item_are_shown_to_the_others_on_the_item_and_in_the_queue(workspace):
    item = InboxItemFactory(conversation__account__workspace=workspace)
    lin = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Lin Yi").user
    wang = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Wang Fang").user
    url = f"/w/{workspace.pk}/inbox/items/{item.pk}/presence/"
    # when: Lin has the item open, Wang is writing a reply
    lin_sees = _client(lin).get(url).content.decode()
    wang_sees = _client(wang).get(url, {"replying": "1"}).content.decode()
    lin_sees_after = _client(lin).get(url).content.decode()
    queue = _client(lin).get(f"/w/{workspace.pk}/inbox/items/").content.decode()
    # then: each sees the other, never themselves
    assert "Wang" not in lin_sees and "Lin Yi" not in lin_sees  # nobody else yet
    assert "Lin Yi is viewing" in wang_sees and "Wang Fang" not in wang_sees
    assert "Wang Fang is replying" in lin_sees_after and "Lin Yi" not in lin_sees_after
    assert "Wang Fang is replying" in queue


def test_presence_expires_by_itself(workspace, monkeypatch):
    item = InboxItemFactory(conversation__account__workspace=workspace)
    presence.presence_touch(item_id=item.pk, user_id=7, mode=presence.VIEWING)
    assert presence.presence_of([item.pk]) == {item.pk: [presence.Present(7, "viewing")]}
    # when: the TTL passes without a new announcement
    now = presence.time.time()
    monkeypatch.setattr(presence.time, "time", lambda: now + presence.PRESENCE_TTL + 1)
    # then
    assert presence.presence_of([item.pk]) == {}


def test_another_workspace_cannot_announce_itself_on_an_item(workspace):
    item = InboxItemFactory(conversation__account__workspace=workspace)
    outsider = WorkspaceMemberFactory(role=Role.EDITOR).user
    response = _client(outsider).get(f"/w/{workspace.pk}/inbox/items/{item.pk}/presence/")
    assert response.status_code == 404
    assert presence.presence_of([item.pk]) == {}


@pytest.mark.parametrize("redis_url", ["", "keep"], ids=["django cache (no Redis)", "redis"])
def test_presence_works_with_and_without_redis(settings, redis_url):
    if redis_url == "":
        settings.REDIS_URL = ""  # the embedded `make run` defaults: Django's cache holds the members
    item_id = 990_000 + len(redis_url)
    presence.presence_touch(item_id=item_id, user_id=7)
    presence.presence_touch(item_id=item_id, user_id=8, mode=presence.REPLYING)
    assert presence.presence_of([item_id, item_id + 1]) == {
        item_id: [presence.Present(8, presence.REPLYING), presence.Present(7, presence.VIEWING)]
    }
    presence.presence_leave(item_id=item_id, user_id=8)
    assert presence.presence_of([item_id]) == {item_id: [presence.Present(7, presence.VIEWING)]}

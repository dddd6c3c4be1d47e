"""The inbox rules through the API and the pages: create/edit/reorder/delete/test, errors on the field,
roles (a reader can look and test, not change), and a rule made here acting on the next message."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from core.models import AuditEvent
from inbox import services
from inbox.models import InboxRule

from .factories import message

pytestmark = pytest.mark.django_db


def _api(workspace, role):
    member = WorkspaceMemberFactory(workspace=workspace, role=role)
    client = APIClient()
    client.force_authenticate(member.user)
    client.user = member.user
    return client


def _page(workspace, role):
    member = WorkspaceMemberFactory(workspace=workspace, role=role)
    client = Client()
    client.force_login(member.user)
    client.user = member.user
    return client


def _url(workspace, rest=""):
    return f"/api/v1/workspaces/{workspace.pk}/inbox/rules/{rest}"


def test_the_api_creates_a_rule_that_assigns_the_next_message(workspace):
    manager = _api(workspace, Role.MANAGER)
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    account = SocialAccountFactory(workspace=workspace, platform="weibo")
    # when
    response = manager.post(
        _url(workspace),
        {"name": "物流", "keywords": ["发货"], "add_tags": ["物流"], "assign_to": agent.pk},
        format="json",
    )
    # then
    assert response.status_code == 201, response.json()
    assert response.json()["assign_to"] == agent.pk and response.json()["position"] == 0
    item = services.inbox_message_ingest(account=account, message=message("c1", text="几时发货")).item
    assert item.assignee == agent and item.tags == ["物流"]
    assert manager.get(_url(workspace)).json()[0]["name"] == "物流"


def test_the_api_names_the_bad_field(workspace):
    manager = _api(workspace, Role.MANAGER)
    viewer = WorkspaceMemberFactory(workspace=workspace, role=Role.VIEWER).user
    # when
    nothing = manager.post(_url(workspace), {"name": "x"}, format="json")
    bad_person = manager.post(_url(workspace), {"name": "x", "assign_team": [viewer.pk]}, format="json")
    bad_kind = manager.post(_url(workspace), {"name": "x", "kind": "letter", "close": True}, format="json")
    # then
    assert nothing.status_code == 400 and "add_tags" in nothing.json()["error"]["fields"]
    assert bad_person.status_code == 400 and "assign_team" in bad_person.json()["error"]["fields"]
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["error"]["fields"]
    assert InboxRule.objects.count() == 0


def test_the_api_reorders_changes_tests_and_deletes(workspace):
    manager = _api(workspace, Role.MANAGER)
    one = manager.post(_url(workspace), {"name": "one", "keywords": ["refund"], "close": True}, format="json")
    two = manager.post(
        _url(workspace), {"name": "two", "sentiment": "negative", "add_tags": ["差评"]}, format="json"
    )
    one, two = one.json()["id"], two.json()["id"]
    # when
    order = manager.post(_url(workspace, "order/"), {"rules": [two, one]}, format="json")
    changed = manager.patch(_url(workspace, f"{one}/"), {"enabled": False}, format="json")
    tested = manager.post(_url(workspace, "test/"), {"text": "垃圾，太差了，refund"}, format="json")
    deleted = manager.delete(_url(workspace, f"{two}/"))
    # then
    assert [row["id"] for row in order.json()] == [two, one]
    assert changed.json()["enabled"] is False
    assert [row["name"] for row in tested.json()["rules"]] == ["two"]  # one is off now
    assert deleted.status_code == 204
    assert [row["id"] for row in manager.get(_url(workspace)).json()] == [one]
    assert manager.post(_url(workspace, "order/"), {"rules": [one, one]}, format="json").status_code == 400


def test_an_editor_reads_and_tests_rules_but_cannot_change_them(workspace):
    rule = InboxRule.objects.create(workspace=workspace, name="r", add_tags=["t"], keywords=["发货"])
    editor = _api(workspace, Role.EDITOR)
    assert editor.get(_url(workspace)).status_code == 200
    assert (
        editor.post(_url(workspace, "test/"), {"text": "发货"}, format="json").json()["rules"][0]["id"]
        == rule.pk
    )
    assert editor.patch(_url(workspace, f"{rule.pk}/"), {"name": "x"}, format="json").status_code == 403
    page = _page(workspace, Role.EDITOR)
    assert page.get(f"/w/{workspace.pk}/inbox/rules/").status_code == 200
    assert page.post(f"/w/{workspace.pk}/inbox/rules/{rule.pk}/delete/").status_code == 403
    assert InboxRule.objects.filter(pk=rule.pk).exists()


def test_the_rules_page_creates_edits_moves_tests_and_deletes(workspace):
    client = _page(workspace, Role.MANAGER)
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Lin Yi").user
    url = f"/w/{workspace.pk}/inbox/rules/"
    # the queue links to the rules
    assert url in client.get(f"/w/{workspace.pk}/inbox/").content.decode()
    # when: a rule with nothing to do, then a proper one
    refused = client.post(url, {"name": "空", "enabled": "on"})
    made = client.post(
        url,
        {
            "name": "物流",
            "enabled": "on",
            "keywords": "发货，快递",
            "assign_team": [agent.pk],
            "add_tags": "物流",
        },
    )
    client.post(url, {"name": "差评", "enabled": "on", "sentiment": "negative", "set_priority": "high"})
    # then
    assert (
        refused.status_code == 400 and "Choose at least one thing the rule does." in refused.content.decode()
    )
    assert made.status_code == 302
    first, second = InboxRule.objects.order_by("position")
    assert first.keywords == ["发货", "快递"] and first.assign_team == [agent.pk]
    listing = client.get(url).content.decode()
    assert "物流" in listing and "Lin Yi" in listing
    # when: edited, moved, tested, deleted
    edited = client.post(
        f"{url}{first.pk}/",
        {"name": "物流2", "enabled": "on", "keywords": "发货", "add_tags": "物流", "close": "on"},
    )
    client.post(f"{url}{second.pk}/move/", {"direction": "up"})
    tested = client.get(url, {"text": "还没发货，太差了，垃圾", "kind": "comment"}).content.decode()
    # then
    assert edited.status_code == 302 and InboxRule.objects.get(pk=first.pk).close is True
    result = tested[tested.index('data-testid="inbox-rule-test-result"') :]
    assert result.index("差评") < result.index("物流2")  # the order they run in, after the move
    # when
    client.post(f"{url}{first.pk}/delete/")
    # then
    assert list(InboxRule.objects.values_list("name", flat=True)) == ["差评"]
    actions = set(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"inbox.rule_create", "inbox.rule_update", "inbox.rules_reorder", "inbox.rule_delete"} <= actions

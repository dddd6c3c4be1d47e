"""Renaming an account group inline on the accounts matrix: account_group_update, as the API's PATCH."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory
from channels_app.models import AccountGroup
from channels_app.tests.factories import AccountGroupFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, workspace, member_factory):
    person = member_factory(workspace, role=Role.MANAGER).user
    client.force_login(person)
    return person


def rename_url(workspace, group) -> str:
    return reverse("channels:group_rename", args=[workspace.pk, group.pk])


def test_the_matrix_offers_rename_for_each_group(client, workspace, manager):
    group = AccountGroupFactory(workspace=workspace, name="East China")
    html = client.get(reverse("dashboard:accounts", args=[workspace.pk])).content.decode()
    assert rename_url(workspace, group) in html


def test_a_group_is_renamed_with_an_audit_entry(client, workspace, manager):
    # given
    group = AccountGroupFactory(workspace=workspace, name="East China")
    # when
    response = client.post(rename_url(workspace, group), {"name": "East & Central China"})
    # then
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "East & Central China"
    event = AuditEvent.objects.get(action="account_group.updated", target_id=str(group.pk))
    assert event.actor == manager and event.before["name"] == "East China"


def test_a_name_another_group_has_is_refused_under_that_groups_field(client, workspace, manager):
    # given
    AccountGroupFactory(workspace=workspace, name="South")
    group = AccountGroupFactory(workspace=workspace, name="East China")
    # when
    response = client.post(rename_url(workspace, group), {"name": "South"})
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_group{group.pk}_name_error"' in html and "A group with this name exists." in html
    group.refresh_from_db()
    assert group.name == "East China"
    assert not AuditEvent.objects.filter(action="account_group.updated").exists()


def test_an_empty_or_too_long_name_is_refused(client, workspace, manager):
    group = AccountGroupFactory(workspace=workspace, name="East China")
    assert client.post(rename_url(workspace, group), {"name": "  "}).status_code == 400
    response = client.post(rename_url(workspace, group), {"name": "x" * 81})
    assert response.status_code == 400
    assert "Use at most 80 characters." in response.content.decode()
    group.refresh_from_db()
    assert group.name == "East China"


def test_an_editor_cannot_rename(client, workspace, member_factory):
    client.force_login(member_factory(workspace, role=Role.EDITOR).user)
    group = AccountGroupFactory(workspace=workspace, name="East China")
    assert client.post(rename_url(workspace, group), {"name": "Mine"}).status_code == 403
    assert AccountGroup.objects.get(pk=group.pk).name == "East China"


def test_another_workspaces_group_is_not_found(client, workspace, manager):
    theirs = AccountGroupFactory(workspace=WorkspaceFactory(), name="Theirs")
    assert client.post(rename_url(workspace, theirs), {"name": "Mine"}).status_code == 404
    assert AccountGroup.objects.get(pk=theirs.pk).name == "Theirs"
